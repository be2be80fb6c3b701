"""Whole-history rules: nothing recorded, event names this bot does not know, and the all-clear."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from bot.analysis.catalogue import NETWORK_REQUIREMENTS_DOC
from bot.analysis.durations import format_duration
from bot.analysis.findings.model import MAX_NAMED, Finding, Severity, _texts
from bot.analysis.patterns import Patterns
from bot.analysis.phrases import Phrase, Quoted, counted
from bot.analysis.timeline_model import ErrorGroup, Timeline
from bot.domain.history import ParticipantDetails


def no_events(participant: ParticipantDetails | None = None) -> Finding:
    """An empty history: the participant may never have reached IVS at all.

    Args:
        participant: GetParticipant's details. When it found the participant in this session, it did reach
            IVS: its first join, state and whether it published are all this answer can go on.
    """
    if participant is not None:
        return _known_without_events(participant)
    return Finding(
        rule="no_events",
        severity=Severity.WARNING,
        score=70,
        title=("No events recorded for this participant in this session",),
        headline=("no events recorded in this session",),
        meaning=(
            "IVS has no events for this participant in this session. Failures before joining, such as "
            "an expired or badly signed token or blocked network traffic, are never recorded as events.",
        ),
        causes=_texts(
            (
                "The client never reached IVS (token or network failure on the client).",
                "The participant id belongs to another session of this stage.",
            )
        ),
        next_steps=_texts(
            (
                "Check the client's logs for token or connection errors.",
                "Find the right participant id with ListParticipants (filterByUserId) for this session.",
            )
        ),
        doc=NETWORK_REQUIREMENTS_DOC,
    )


def _known_without_events(participant: ParticipantDetails) -> Finding:
    """GetParticipant knows the participant in this session, but ListParticipantEvents returned nothing."""
    first_join = participant.get("firstJoinTime")
    joined: Phrase = ("joined at ", first_join) if isinstance(first_join, datetime) else ("joined",)
    state = participant.get("state")
    now: Phrase = (", disconnected now",) if state == "DISCONNECTED" else ()
    published = participant.get("published")
    media = "published" if published is True else "never published" if published is False else ""
    facts: Phrase = (*joined, *now, *((f", {media}",) if media else ()))
    sentence: Phrase = (
        *joined,
        *((", is disconnected now",) if now else ()),
        *((f" and {media}",) if media else ()),
    )
    return Finding(
        rule="no_events_known_participant",
        severity=Severity.WARNING,
        score=70,
        title=(
            "GetParticipant: ",
            *facts,
            "; no events recorded for it",
        ),
        headline=(*joined, " (GetParticipant)", *now, "; no events recorded"),
        meaning=(
            "GetParticipant found this participant in this session: it ",
            *sentence,
            ". It did reach IVS, so this is not a token or network failure before joining. "
            "ListParticipantEvents returned no events for it, so what happened while it was in cannot be "
            "read from this history.",
        ),
        causes=_texts(("IVS records events a little after the fact; a very recent one may not show yet.",)),
        next_steps=_texts(
            (
                "Ask again in a minute; if the events are still missing, go by GetParticipant's facts and "
                "the client's own logs around its join time.",
                "See what the other participants of this session recorded then (`ListParticipants`).",
            )
        ),
    )


def unknown_names(patterns: Patterns) -> Finding | None:
    """Event names newer than this bot: counted and shown as sent, never dropped."""
    if not patterns.unknown_names:
        return None
    listed = patterns.unknown_names[:MAX_NAMED]
    evidence: list[Phrase] = [(Quoted(name), f" ×{count:,}") for name, count in listed]
    if len(patterns.unknown_names) > MAX_NAMED:
        evidence.append((f"…and {len(patterns.unknown_names) - MAX_NAMED:,} more names.",))
    total = sum(count for _, count in patterns.unknown_names)
    return Finding(
        rule="unknown_event_names",
        severity=Severity.INFO,
        score=5,
        title=(
            f"{counted(total, 'event')} with "
            + ("a name" if total == 1 else "names")
            + " this bot does not recognise",
        ),
        meaning=(
            "They are probably newer than this bot's AWS SDK; they are counted and shown exactly as "
            "IVS sent them.",
        ),
        evidence=tuple(evidence),
    )


def more_error_groups(
    groups: Iterable[ErrorGroup], counted_only: Mapping[tuple[str, str | None], int]
) -> Finding:
    """The error groups beyond those explained one by one: counted, and listed under the errors by code."""
    kinds = 0
    events = 0
    for group in groups:
        kinds += 1
        events += group.count
    kinds += len(counted_only)
    events += sum(counted_only.values())
    return Finding(
        rule="more_error_groups",
        severity=Severity.WARNING,
        score=20,
        title=(f"{counted(kinds, 'more kind')} of error ({counted(events, 'event')}) not detailed here",),
        meaning=(
            "This history holds more kinds of error (event name and code) than a report can explain one "
            "by one; the most likely causes are explained above, and every code is counted in the errors "
            "by code and kept in the full JSON.",
        ),
        next_steps=_texts(("Upload the full JSON and look for the codes that matter to this user.",)),
        count=events,
    )


def healthy(timeline: Timeline, recovered: Sequence[Finding] = ()) -> Finding:
    """No open problem: say what went right, what failed once and then worked, and why that is not proof."""
    received = len(timeline.received_time)
    published = (
        f"published {format_duration(timeline.publishing_time)}" if timeline.publishes else "did not publish"
    )
    connections = counted(len(timeline.connections), "connection")
    # Error events can be here without a problem: each followed by success, or a publisher's race.
    errors = (
        "No error events"
        if not timeline.error_count
        else f"{counted(timeline.error_count, 'error event')}, each followed by success,"
        if sum(f.count for f in recovered) >= timeline.error_count
        else f"{counted(timeline.error_count, 'error event')}, none an open problem here (see above),"
    )
    summary = (
        f"{errors} and no reconnect storm in {counted(timeline.event_count, 'event')}: connected "
        f"{format_duration(timeline.connected_time)} over {connections}, {published}, received "
        f"{counted(received, 'publisher') if received else 'no publisher'}."
    )
    title: Phrase = ("No problems recorded",)
    done = published if timeline.publishes else f"connected {format_duration(timeline.connected_time)}"
    headline: Phrase = (f"no problems recorded; {done}",)
    if recovered:
        first = recovered[0]
        failures = sum(max(f.count, 1) for f in recovered)
        again = " then worked again" if failures == 1 else ", each followed by success"
        title = (f"No open problem: {counted(failures, 'failure')}{again}",)
        words = first.status.words if first.status else ()
        what: Phrase = (Quoted(first.codes[0]), " once") if first.codes and first.count == 1 else first.short
        headline = ("no open problem: ", *what, *((", ", *words) if words else ()))
    return Finding(
        rule="no_problems",
        severity=Severity.OK,
        # Above a recovered one-off (ONE_OFF_SCORE): the answer is "nothing is wrong now".
        score=20 if recovered else 0,
        title=title,
        headline=headline,
        meaning=(summary,),
        causes=(),
        next_steps=_texts(
            (
                "Nothing to fix here. If the user still reports a problem, check the client's logs and "
                "network: network problems and token-signature failures on the client are never recorded "
                "as IVS events, so no error events is not proof of health.",
            )
        ),
        doc=NETWORK_REQUIREMENTS_DOC,
    )
