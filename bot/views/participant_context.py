"""Who the participant is and where: the facts shown above the diagnosis, as label/phrase pairs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.analysis import Analysis, Severity
from bot.analysis.durations import format_duration
from bot.analysis.phrases import Phrase, Quoted, counted, marked, times
from bot.analysis.timeline_model import Timeline
from bot.views.phrase_text import sanitize

SEVERITY_EMOJI = {
    Severity.PROBLEM: ":red_circle:",
    Severity.WARNING: ":large_orange_circle:",
    Severity.INFO: ":large_blue_circle:",
    Severity.OK: ":large_green_circle:",
}


def answer_phrase(analysis: Analysis) -> Phrase:
    """The answer in a few words: the most likely root cause and whether it is still going on.

    "publishing failed: bitrate above the maximum (`BITRATE_EXCEEDED` ×5), not fixed", "reconnect storm:
    16 drops in 4 min 05 s, no error events (client network), stable since 18:48", "connected now, no events
    yet".
    """
    findings = analysis.findings
    top = findings[0]
    parts = top.short
    if top.status is not None and top.status.words:
        parts += (", ", *top.status.words)
    if top.rule == "still_connected" and any(f.rule == "no_problems" for f in findings):
        parts += ("; no problems recorded",)
    return parts


def verdict_emoji(analysis: Analysis) -> str:
    """The emoji of the most severe finding."""
    order = (Severity.PROBLEM, Severity.WARNING, Severity.INFO, Severity.OK)
    worst = min((order.index(f.severity) for f in analysis.findings), default=3)
    return SEVERITY_EMOJI[order[worst]]


def _text(details: Mapping[str, Any], key: str) -> str | None:
    value = details.get(key)
    return None if value is None or value == "" else str(value)


def _attributes(value: Any) -> str | None:
    if not isinstance(value, Mapping) or not value:
        return None
    return ", ".join(f"{key}={item}" for key, item in value.items())


# The longest reason shown for a detail call that failed (an access-denied message naming the IAM action and
# the stage ARN, plus the AWS request id, is about 300 characters).
MAX_REASON = 400


def reason_phrase(message: str) -> Phrase:
    """A fetch error's one-line ``user_message`` as a phrase: its backticked action and ARN become code.

    The message can hold text from AWS, so it is sanitised (one printable line) before anything else.
    """
    return marked(sanitize(message, MAX_REASON), MAX_REASON)


@dataclass(frozen=True, slots=True)
class ParticipantContext:
    """Who the participant is and where, for a compact context line under the answer.

    Attributes:
        who: the client: user id, state, browser and OS, SDK, protocol, ISP, attributes.
        where: the session, the events, first join, and recording, replication and redundant ingest when
            they are on.
        notes: why some details are missing (the failed call and its reason, e.g. the IAM action denied).
    """

    who: tuple[tuple[str, Phrase], ...]
    where: tuple[tuple[str, Phrase], ...]
    notes: tuple[Phrase, ...]

    @property
    def facts(self) -> tuple[tuple[str, Phrase], ...]:
        """Every fact, most important first."""
        return self.who + self.where


def _client_facts(details: Mapping[str, Any]) -> list[tuple[str, Phrase]]:
    facts: list[tuple[str, Phrase]] = []
    for label, key in (("User id", "userId"), ("State", "state")):
        value = _text(details, key)
        if value is not None:
            facts.append((label, (Quoted(value),)))
    browser = " ".join(v for v in (_text(details, "browserName"), _text(details, "browserVersion")) if v)
    system = " ".join(v for v in (_text(details, "osName"), _text(details, "osVersion")) if v)
    if browser or system:
        client: Phrase = (Quoted(browser),) if browser else ()
        if system:
            client += (" on " if browser else "", Quoted(system))
        facts.append(("Client", client))
    for label, key in (("SDK", "sdkVersion"), ("Protocol", "protocol"), ("ISP", "ispName")):
        value = _text(details, key)
        if value is not None:
            facts.append((label, (Quoted(value),)))
    attributes = _attributes(details.get("attributes"))
    if attributes is not None:
        facts.append(("Attributes", (Quoted(attributes),)))
    return facts


def _later_facts(details: Mapping[str, Any]) -> list[tuple[str, Phrase]]:
    """The details worth a glance after who, what client, the session and the events."""
    facts: list[tuple[str, Phrase]] = []
    first_join = details.get("firstJoinTime")
    if isinstance(first_join, datetime):
        facts.append(("First joined", (first_join,)))
    recording = _text(details, "recordingState")
    # Only what is on is worth a glance: "Recording: DISABLED" on every reply is noise.
    if recording is not None and recording != "DISABLED":
        where = "/".join(
            v for v in (_text(details, "recordingS3BucketName"), _text(details, "recordingS3Prefix")) if v
        )
        facts.append(
            ("Recording", (Quoted(recording), *((" to ", Quoted(f"s3://{where}", 200)) if where else ())))
        )
    replication = _replication(details)
    if replication:
        facts.append(("Replication", replication))
    if details.get("redundantIngest") is True:
        facts.append(("Redundant ingest", ("on",)))
    return facts


def _replication(details: Mapping[str, Any]) -> Phrase:
    """ "`REPLICA` from `arn…` `st-…`, `ACTIVE`"; nothing for a participant that is not replicated."""
    kind, state = _text(details, "replicationType"), _text(details, "replicationState")
    if state is None and kind in (None, "NONE"):
        return ()
    parts: Phrase = (Quoted(kind),) if kind else ()
    source, session = _text(details, "sourceStageArn"), _text(details, "sourceSessionId")
    if source is not None:
        parts += (" from " if parts else "from ", Quoted(source, 130))
        if session is not None:
            parts += (" ", Quoted(session))
    if state is not None:
        parts += (", " if parts else "", Quoted(state))
    return parts


def participant_context(analysis: Analysis) -> ParticipantContext:
    """GetParticipant's details worth a glance (only those IVS returned), the session and the events, most
    important first; and why any details are missing."""
    history = analysis.history
    details = analysis.participant
    notes: list[Phrase] = []
    who: list[tuple[str, Phrase]] = []
    if details is None:
        if history.participant_error:
            who.append(("Participant", ("details not available (see below)",)))
            notes.append(("Participant details are missing: ", *reason_phrase(history.participant_error)))
        else:
            who.append(("Participant", ("details not available (", Quoted("GetParticipant"), " failed)")))
    else:
        who += _client_facts(details)
    where: list[tuple[str, Phrase]] = [("Session", session_phrase(analysis))]
    if analysis.session is None and history.session_error:
        notes.append(("Session details are missing: ", *reason_phrase(history.session_error)))
    where.append(("Events", (f"{analysis.event_count:,} in {counted(history.pages, 'page')}",)))
    if details is not None:
        where += _later_facts(details)
    return ParticipantContext(tuple(who), tuple(where), tuple(notes))


def session_phrase(analysis: Analysis) -> Phrase:
    """ "live since …", "ended …", or unknown."""
    session = analysis.session
    if session is None:
        if analysis.history.session_error:
            return ("details not available (see below)",)
        return ("details not available",)
    start, end = session.get("startTime"), session.get("endTime")
    if isinstance(end, datetime):
        return ("ended ", end)
    if isinstance(start, datetime):
        return ("live since ", start, f" ({format_duration(analysis.now - start)})")
    return ("live",)


def totals_phrase(analysis: Analysis) -> Phrase:
    """ "Connected 1 h 02 min over 3 connections; published 58 min 10 s; received 2 publishers for 55 min."

    Says "never connected" rather than "connected 0 s", and "tried to publish 5 times, each failed" rather
    than a publishing time when every publish attempt ended in a PUBLISH_ERROR.
    """
    timeline = analysis.timeline
    connections = len(timeline.connections)
    if not connections:
        details = analysis.participant
        if details is not None and details.get("state") == "CONNECTED":
            return ("Connected now (GetParticipant says so); no connection recorded in the events yet.",)
        first_join = details.get("firstJoinTime") if details is not None else None
        if analysis.event_count == 0 and isinstance(first_join, datetime):
            return ("Joined at ", first_join, " (GetParticipant says so); no events recorded.")
        failed_joins = timeline.counts.get("JOIN_ERROR", 0)
        tried = f" ({counted(failed_joins, 'join attempt')} failed)" if failed_joins else ""
        return (f"Never connected{tried}.",)
    connected = (
        f"Connected {format_duration(timeline.connected_time)} over {counted(connections, 'connection')}"
    )
    return (f"{connected}; {_published(timeline)}; {_received(timeline)}.",)


def _published(timeline: Timeline) -> str:
    publishes, failed = len(timeline.publishes), timeline.failed_publishes
    if not publishes:
        errors = timeline.counts.get("PUBLISH_ERROR", 0)
        return (
            f"never published ({counted(errors, 'publish attempt')} failed)" if errors else "did not publish"
        )
    if failed == publishes:
        return (
            "tried to publish once and it failed"
            if failed == 1
            else f"tried to publish {times(failed)}, each failed"
        )
    published = f"published {format_duration(timeline.publishing_time)}"
    return f"{published} ({failed:,} of {counted(publishes, 'attempt')} failed)" if failed else published


def _received(timeline: Timeline) -> str:
    publishers = len(timeline.received_time)
    if not publishers:
        return "received no publisher"
    return f"received {counted(publishers, 'publisher')} for {format_duration(timeline.subscribed_time)}"
