"""One participant explained through another: why a remote publisher went away, and who held the slots
when a publisher was refused. Pure: analyses in, phrases out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.analysis.participant_analysis import Analysis
from bot.analysis.phrases import Phrase, PhrasePart, Quoted
from bot.analysis.span_log import SpanEnd
from bot.analysis.timeline_model import Timeline

# A subscribe failure this close after the publisher stopped is explained by it stopping.
JUST_AFTER = timedelta(minutes=2)
# A publisher that dropped for a moment around a refusal still held its slot.
SLOT_TOLERANCE = timedelta(seconds=5)


def remotes_to_explain(timeline: Timeline, limit: int = 3) -> list[tuple[str, datetime]]:
    """The remote publishers this participant failed to receive, or kept losing, with when it began."""
    found: dict[str, datetime] = {}
    for group in timeline.error_groups:
        if group.event_name == "SUBSCRIBE_ERROR":
            for remote in group.remotes:
                found.setdefault(remote.remote_id, remote.first)
    for flaps in timeline.flapping_publishers:
        found.setdefault(flaps.remote_id, flaps.first_drop)
    return sorted(found.items(), key=lambda item: item[1])[:limit]


def explain_remote(remote_id: str, remote: Analysis, at: datetime) -> Phrase:
    """Why this participant could not receive ``remote_id`` at ``at``, from the publisher's own history."""
    who = ("Publisher ", Quoted(remote_id))
    publishes = remote.timeline.publishes
    if not publishes:
        own = _own_problem(remote)
        return (*who, " never published in this session", *own, ".")
    before = [s for s in publishes if s.start <= at + JUST_AFTER]
    if not before:
        return (*who, " only started publishing at ", publishes[0].start, ", after this failure.")
    span = before[-1]
    if span.start <= at <= span.end and not (span.end - at <= JUST_AFTER and not span.is_open):
        return (
            *who,
            " was publishing then (from ",
            span.start,
            "): the failure is on this participant's side (its token, or its network), not the publisher's.",
        )
    own = _own_problem(remote)
    if remote.timeline.storms:
        return (*who, " kept dropping: it stopped publishing at ", span.end, *own, ".")
    if span.ended_by in (SpanEnd.LEFT, SpanEnd.REJOINED):
        return (*who, " left at ", span.end, " while publishing", *own, ".")
    departure = next(
        (c.end for c in remote.timeline.connections if c.start <= span.end <= c.end and not c.is_open), None
    )
    if departure is not None and departure - span.end < timedelta(seconds=1):
        return (*who, " stopped publishing and left at ", span.end, *own, ".")
    if departure is not None and departure - span.end <= JUST_AFTER:
        return (*who, " stopped publishing at ", span.end, " and left at ", departure, *own, ".")
    return (*who, " stopped publishing at ", span.end, " and stayed connected", *own, ".")


def slot_holders(analyses: Mapping[str, Analysis], at: datetime, refused: str) -> tuple[str, ...]:
    """The participants publishing at ``at`` (the stage's 12 slots when ``refused`` was turned away).

    A publisher that dropped for a few seconds around that moment still held its slot.
    """
    return tuple(
        sorted(
            pid
            for pid, analysis in analyses.items()
            if pid != refused
            and any(
                s.start - SLOT_TOLERANCE <= at <= s.end + SLOT_TOLERANCE for s in analysis.timeline.publishes
            )
        )
    )


def slot_freed(
    analyses: Mapping[str, Analysis], after: datetime, before: datetime, refused: str
) -> tuple[str, datetime] | None:
    """Who stopped publishing between the last refusal and the refused participant's first publish: the
    slot it got."""
    ends = [
        (span.end, pid)
        for pid, analysis in analyses.items()
        if pid != refused
        for span in analysis.timeline.publishes
        if after <= span.end <= before and not span.is_open
    ]
    if not ends:
        return None
    end, pid = max(ends)
    return pid, end


def refusal_phrase(
    analyses: Mapping[str, Analysis], refused: Analysis, first: datetime, last: datetime
) -> Phrase:
    """The stage-full refusals of ``refused`` explained through the other publishers' histories."""
    me = refused.query.participant_id
    holders = slot_holders(analyses, first, me)
    if not holders:
        return (
            "When it was refused at ",
            first,
            ", no other history I could fetch shows publishing: the 12 publishers may be in another session "
            "or could not be looked up.",
        )
    named: list[PhrasePart] = []
    for n, pid in enumerate(holders):
        named += [", " if n else "", Quoted(pid)]
    phrase: Phrase = ("When it was refused at ", first, f", {len(holders)} were publishing: ", *named, ".")
    started = next((s.start for s in refused.timeline.publishes if s.start > last), None)
    if started is not None and (freed := slot_freed(analyses, last, started, me)) is not None:
        phrase += (
            " It got a slot at ",
            started,
            " after ",
            Quoted(freed[0]),
            " stopped publishing at ",
            freed[1],
            ".",
        )
    return phrase


def _own_problem(remote: Analysis) -> Phrase:
    problems = remote.problems
    if not problems:
        return (" (its own history shows no error)",)
    return ("; its own history: ", *problems[0].short)
