"""The whole analysis of one participant's history: the single input of every renderer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.analysis.catalogue import EVENT_NAMES
from bot.analysis.compact_timeline import CompactTimeline, compact_timeline
from bot.analysis.findings import Finding, Severity, diagnose
from bot.analysis.patterns import Patterns, detect_patterns
from bot.analysis.timeline import Timeline, build_timeline
from bot.domain.history import Event, ParticipantDetails, ParticipantHistory, StageSession
from bot.domain.queries import ParticipantQuery

_KNOWN_NAMES = frozenset(EVENT_NAMES)


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the views show about one participant.

    Attributes:
        history: the fetched data (events, participant details, session).
        now: the moment the analysis was made (open spans run until it while the session is live).
        timeline: spans, totals, counts and error groups.
        compact: the first and last lines of the history and lines around the top findings, with storms,
            departures and repeats collapsed.
        patterns: storms, never joined, idle, still connected, repeated failures, unknown names.
        findings: ranked, most likely root cause first; never empty.
    """

    history: ParticipantHistory
    now: datetime
    timeline: Timeline
    compact: CompactTimeline
    patterns: Patterns
    findings: tuple[Finding, ...]

    @property
    def query(self) -> ParticipantQuery:
        """The ids this analysis is about."""
        return self.history.query

    @property
    def participant(self) -> ParticipantDetails | None:
        """GetParticipant's details, when they could be fetched."""
        return self.history.participant

    @property
    def session(self) -> StageSession | None:
        """GetStageSession's details, when they could be fetched."""
        return self.history.session

    @property
    def event_count(self) -> int:
        """Events in the history."""
        return self.timeline.event_count

    @property
    def first_event(self) -> Event | None:
        """The oldest event."""
        return self.history.events[0] if self.history.events else None

    @property
    def last_event(self) -> Event | None:
        """The newest event."""
        return self.history.events[-1] if self.history.events else None

    @property
    def problems(self) -> tuple[Finding, ...]:
        """Findings that need action (problems and warnings)."""
        return tuple(f for f in self.findings if f.severity in (Severity.PROBLEM, Severity.WARNING))


def analyze(history: ParticipantHistory, *, now: datetime) -> Analysis:
    """Analyse one participant's history.

    Args:
        history: events oldest first, plus participant and session details.
        now: the current time (injected so results are reproducible); open spans of a live session end here.
    """
    timeline = build_timeline(history, now)
    patterns = detect_patterns(timeline, _KNOWN_NAMES)
    findings = diagnose(timeline, patterns, history.query, history.participant)
    # The timeline shows a few lines around what the top findings are about, wherever it happened.
    anomalies = [f.order for f in findings[:3] if f.severity in (Severity.PROBLEM, Severity.WARNING)]
    return Analysis(
        history=history,
        now=now,
        timeline=timeline,
        compact=compact_timeline(
            history.events, timeline.storms, fallback_time=history.fetched_at, around=anomalies
        ),
        patterns=patterns,
        findings=findings,
    )
