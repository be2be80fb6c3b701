"""The whole session: every participant analysed, ranked, and explained through each other. Pure.

Many problems sit between participants: a dozen people dropping in the same minute is one incident, not
twelve; a 13th publisher is refused because of who held the other 12; a publisher's departure breaks
the subscribers who were receiving it. This module finds those patterns across the participants'
analyses.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.analysis.correlation import explain_remote, remotes_to_explain, slot_holders
from bot.analysis.findings import Severity
from bot.analysis.participant_analysis import Analysis, analyze
from bot.analysis.phrases import Phrase
from bot.analysis.span_log import SpanEnd
from bot.domain.history import ParticipantDetails, ParticipantHistory, ParticipantSummary, StageSession
from bot.domain.queries import SessionQuery

# IVS Real-Time: at most 12 publishers per stage (not adjustable).
MAX_PUBLISHERS = 12
# A drop is a connection that ended and came back within this long: the client did not mean to leave.
REJOIN_WITHIN = timedelta(minutes=5)
# Drops of this many participants within one window are one incident.
INCIDENT_MIN_PARTICIPANTS = 3
INCIDENT_WINDOW = timedelta(seconds=60)
# Subscribers whose subscription to a publisher failed this soon after it stopped publishing.
DEPARTURE_WINDOW = timedelta(minutes=2)
DEPARTURE_MIN_SUBSCRIBERS = 2
# The details that a group of participants may share (GetParticipant's fields, in words).
_SHARED_FIELDS = (
    ("ispName", "ISP"),
    ("sdkVersion", "SDK version"),
    ("osName", "OS"),
    ("browserName", "browser"),
    ("protocol", "protocol"),
)


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    """One participant of the session, as the overview lists it."""

    participant_id: str
    user_id: str | None
    published: bool
    analysis: Analysis | None

    @property
    def problem_time(self) -> datetime | None:
        """When its first problem began (the first event of its top finding), if it has one."""
        if self.analysis is None or not self.analysis.problems:
            return None
        events = self.analysis.history.events
        order = self.analysis.problems[0].order
        return events[order]["eventTime"] if 0 <= order < len(events) else None

    @property
    def severity_rank(self) -> int:
        """0 for a problem, 1 for a warning, 2 otherwise (for sorting)."""
        if self.analysis is None or not self.analysis.problems:
            return 2
        return 0 if self.analysis.problems[0].severity is Severity.PROBLEM else 1


@dataclass(frozen=True, slots=True)
class Incident:
    """Several participants dropping (and rejoining) within the same minute: one cause, not many."""

    start: datetime
    participant_ids: tuple[str, ...]
    shared: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CeilingHit:
    """A publisher refused (QUOTA_EXCEEDED) and the publishers who held the stage's 12 slots then."""

    refused: str
    time: datetime
    holders: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Departure:
    """A publisher that stopped publishing, and the subscribers whose subscriptions to it then failed."""

    publisher: str
    time: datetime
    subscribers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SessionOverview:
    """Everything the overview shows.

    Attributes:
        rows: every participant examined, those with problems first (problems, then warnings, by time).
        not_examined: participants past the bound, publishers and likely problems having gone first.
        failed: participants whose history could not be fetched, with the reason.
    """

    query: SessionQuery
    session: StageSession | None
    now: datetime
    participants: int
    publishers_at_peak: int
    errors_by_code: tuple[tuple[str, int], ...]
    rows: tuple[ParticipantRow, ...]
    not_examined: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]
    incidents: tuple[Incident, ...]
    ceilings: tuple[CeilingHit, ...]
    departures: tuple[Departure, ...]
    explanations: Mapping[str, Phrase]
    examined_before: int = 0

    @property
    def with_problems(self) -> tuple[ParticipantRow, ...]:
        """The participants with a problem or a warning, ranked."""
        return tuple(r for r in self.rows if r.severity_rank < 2)

    @property
    def healthy(self) -> tuple[ParticipantRow, ...]:
        """The participants examined that need nothing (those caught in an incident are named there)."""
        in_incidents = {pid for incident in self.incidents for pid in incident.participant_ids}
        return tuple(r for r in self.rows if r.severity_rank == 2 and r.participant_id not in in_incidents)

    @property
    def live(self) -> bool:
        """True while the session has no end time."""
        return bool(self.session) and not (self.session or {}).get("endTime")


def analyze_session(
    query: SessionQuery,
    session: StageSession | None,
    summaries: Sequence[ParticipantSummary],
    histories: Mapping[str, ParticipantHistory],
    *,
    details: Mapping[str, ParticipantDetails] | None = None,
    failed: Mapping[str, str] | None = None,
    now: datetime,
    examined_before: int = 0,
) -> SessionOverview:
    """Analyse every participant fetched and relate them to each other.

    Args:
        summaries: ListParticipants' items, every participant of the session.
        histories: the histories fetched, by participant id (the others were not examined).
        details: GetParticipant's details of some participants (those with problems), by id.
        failed: why a participant's history could not be fetched, by id.
        examined_before: participants an earlier overview of this huge session examined (``summaries``
            are the ones after them).
    """
    details = details or {}
    analyses = {pid: analyze(history, now=now) for pid, history in histories.items()}
    rows = sorted(
        (
            ParticipantRow(
                str(s.get("participantId")),
                s.get("userId"),
                bool(s.get("published")),
                analyses.get(str(s.get("participantId"))),
            )
            for s in summaries
            if str(s.get("participantId")) in analyses
        ),
        key=lambda r: (r.severity_rank, r.problem_time or now, r.participant_id),
    )
    examined_or_failed = set(analyses) | set(failed or {})
    codes: Counter[str] = Counter()
    for analysis in analyses.values():
        for group in analysis.timeline.error_groups:
            codes[group.code or group.event_name] += group.count
    return SessionOverview(
        query=query,
        session=session,
        now=now,
        participants=examined_before + len(summaries),
        examined_before=examined_before,
        publishers_at_peak=_peak_publishers(analyses),
        errors_by_code=tuple(codes.most_common()),
        rows=tuple(rows),
        not_examined=tuple(pid for pid in map(_pid, summaries) if pid not in examined_or_failed),
        failed=tuple(sorted((failed or {}).items())),
        incidents=_incidents(analyses, details),
        ceilings=_ceilings(analyses),
        departures=_departures(analyses),
        explanations=_explanations(analyses),
    )


def _pid(summary: ParticipantSummary) -> str:
    return str(summary.get("participantId"))


def examination_order(summaries: Sequence[ParticipantSummary]) -> list[ParticipantSummary]:
    """Who to examine first when a session is too big to examine everyone: publishers, then participants
    still connected, then the rest (the ones who published are where most problems are seen)."""
    return sorted(
        summaries,
        key=lambda s: (not s.get("published"), s.get("state") != "CONNECTED", str(s.get("participantId"))),
    )


def _explanations(analyses: Mapping[str, Analysis]) -> dict[str, Phrase]:
    """For a participant that could not receive (or kept losing) a publisher examined here: why that
    publisher went away, from its own history."""
    explained = {}
    for pid, analysis in analyses.items():
        if not analysis.problems:
            continue
        for remote, at in remotes_to_explain(analysis.timeline, limit=1):
            if remote in analyses:
                explained[pid] = explain_remote(remote, analyses[remote], at)
    return explained


def _peak_publishers(analyses: Mapping[str, Analysis]) -> int:
    """The most publishers at once, from every publish span."""
    edges = [(span.start, 1) for a in analyses.values() for span in a.timeline.publishes]
    edges += [(span.end, -1) for a in analyses.values() for span in a.timeline.publishes]
    peak = current = 0
    for _, step in sorted(edges, key=lambda e: (e[0], e[1])):  # an end before a start at the same time
        current += step
        peak = max(peak, current)
    return peak


def _drops(analysis: Analysis) -> list[datetime]:
    """When the participant's connection ended and it came back within REJOIN_WITHIN."""
    connections = analysis.timeline.connections
    return [
        span.end
        for span, following in itertools.pairwise(connections)
        if span.ended_by in (SpanEnd.EVENT, SpanEnd.REJOINED) and following.start - span.end <= REJOIN_WITHIN
    ]


def _incidents(
    analyses: Mapping[str, Analysis], details: Mapping[str, ParticipantDetails]
) -> tuple[Incident, ...]:
    drops = sorted((time, pid) for pid, a in analyses.items() for time in _drops(a))
    incidents: list[Incident] = []
    i = 0
    while i < len(drops):
        start = drops[i][0]
        j = i
        while j < len(drops) and drops[j][0] - start <= INCIDENT_WINDOW:
            j += 1
        who = tuple(dict.fromkeys(pid for _, pid in drops[i:j]))
        if len(who) >= INCIDENT_MIN_PARTICIPANTS:
            incidents.append(Incident(start, who, _shared(who, details)))
            i = j
        else:
            i += 1
    return tuple(incidents)


def _shared(who: Sequence[str], details: Mapping[str, ParticipantDetails]) -> tuple[str, ...]:
    """The details every participant of a group has in common, when at least two are known, and that
    sets them apart: a value every other known participant has too explains nothing."""
    known = [details[pid] for pid in who if pid in details]
    others = [d for pid, d in details.items() if pid not in who]
    if len(known) < 2:
        return ()
    shared = []
    for field, name in _SHARED_FIELDS:
        values = {str(d.get(field) or "") for d in known}
        if len(values) == 1 and (value := values.pop()) and value != "UNKNOWN":
            if others and all(str(d.get(field) or "") == value for d in others):
                continue
            shared.append(f"{name} {value}")
    return tuple(shared)


def _ceilings(analyses: Mapping[str, Analysis]) -> tuple[CeilingHit, ...]:
    hits = []
    for pid, analysis in analyses.items():
        for group in analysis.timeline.error_groups:
            if group.code != "QUOTA_EXCEEDED" or group.event_name != "PUBLISH_ERROR":
                continue
            hits.append(CeilingHit(pid, group.first, slot_holders(analyses, group.first, pid)))
    return tuple(sorted(hits, key=lambda h: h.time))


def _departures(analyses: Mapping[str, Analysis]) -> tuple[Departure, ...]:
    failures: dict[str, list[tuple[datetime, str]]] = {}
    for pid, analysis in analyses.items():
        for group in analysis.timeline.error_groups:
            if group.event_name != "SUBSCRIBE_ERROR":
                continue
            for remote in group.remotes:
                failures.setdefault(remote.remote_id, []).append((remote.first, pid))
    departures = []
    for publisher, seen in failures.items():
        if publisher not in analyses:
            continue
        for span in analyses[publisher].timeline.publishes:
            if span.is_open or span.ended_by is SpanEnd.SESSION_END:
                continue
            broken = tuple(
                dict.fromkeys(pid for time, pid in seen if span.end <= time <= span.end + DEPARTURE_WINDOW)
            )
            if len(broken) >= DEPARTURE_MIN_SUBSCRIBERS:
                departures.append(Departure(publisher, span.end, broken))
    return tuple(sorted(departures, key=lambda d: d.time))
