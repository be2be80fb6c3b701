"""Is a problem still going on, or was it resolved, and when: read from what happened after it.

A support engineer's first question after "what failed" is "is it still failing?". The answer is in the
events that follow the last failure: a publish that then ran cleanly, a join that held, a connection that
stopped dropping. Everything here is a few binary searches over the timeline's sorted spans.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.analysis.durations import format_duration
from bot.analysis.phrases import Phrase
from bot.analysis.span_log import ZERO, SpanEnd, SpanLog
from bot.analysis.timeline_model import ErrorGroup, Storm, Timeline
from bot.analysis.timeline_tallies import STORM_MAX_CYCLE, STORM_MAX_GAP

# A later publish or connection that lasted this long (or is still going) shows the failure was overcome;
# a shorter one may have been cut by the same failure a moment later. (Tuned by hand, not an AWS number.)
WORKED_FOR = timedelta(seconds=10)


@dataclass(frozen=True, slots=True)
class Status:
    """Whether a finding's problem is still going on.

    Attributes:
        resolved: True when what failed later worked (or the drops stopped).
        words: a few words for the header and the finding: "not fixed", "fixed at 14:12; publishing since".
        since: when it started working again, if it did.
    """

    resolved: bool
    words: Phrase
    since: datetime | None = None


NOT_FIXED = Status(False, ("not fixed",))


def _clean(span_start: datetime, span_end: datetime, failures: Sequence[datetime]) -> bool:
    """No failure fell inside the span."""
    return bisect_left(failures, span_start) == bisect_right(failures, span_end)


def _first_working(spans: SpanLog, after: datetime, failures: Sequence[datetime] = ()) -> int | None:
    """The first span that started after ``after``, saw no failure and lasted WORKED_FOR (or is open)."""
    starts, ends = spans.starts, spans.ends
    for position in range(bisect_right(starts, after), len(starts)):
        start, end = starts[position], ends[position]
        open_now = spans.ended_by[position] is SpanEnd.OPEN
        if (open_now or end - start >= WORKED_FOR) and _clean(start, end, failures):
            return position
    return None


def _time_in(spans: SpanLog, since: datetime) -> timedelta:
    total = ZERO
    for start, end in zip(spans.starts, spans.ends, strict=True):
        if start >= since:
            total += max(end - start, ZERO)
    return total


def after_publish_failure(timeline: Timeline, last_failure: datetime) -> Status:
    """Did a later publish run cleanly? "fixed at T; publishing since" or "…; published 47 min since"."""
    spans = timeline.publishes
    position = _first_working(spans, last_failure, timeline.publish_error_times)
    if position is None:
        if timeline.live and timeline.still_connected and not timeline.still_publishing:
            # Live and still in the stage: how long ago, and that it has not published since, is the status.
            ago = format_duration(timeline.history_end - last_failure)
            return Status(False, (f"{ago} ago; still connected, not publishing since",))
        return NOT_FIXED
    since = spans.starts[position]
    if spans[-1].is_open:
        return Status(True, ("fixed at ", since, "; publishing since"), since)
    return Status(
        True, ("fixed at ", since, f"; published {format_duration(_time_in(spans, since))} since"), since
    )


def after_join_failure(timeline: Timeline, last_failure: datetime) -> Status:
    """Did a later join hold? "got in at T; connected since"."""
    spans = timeline.connections
    position = _first_working(spans, last_failure)
    if position is None:
        return NOT_FIXED
    since = spans.starts[position]
    if spans[-1].is_open:
        return Status(True, ("got in at ", since, "; connected since"), since)
    return Status(
        True, ("got in at ", since, f"; connected {format_duration(_time_in(spans, since))} since"), since
    )


def after_subscribe_failure(timeline: Timeline, group: ErrorGroup) -> Status:
    """Did this participant receive the publisher(s) it failed on again, after the last failure?"""
    subscriptions = timeline.subscriptions
    if not group.remotes:
        later = [start for start in subscriptions.starts if start > group.last]
        if not later:
            return Status(False, ("not received since",))
        return Status(True, ("receiving again from ", min(later)), min(later))
    wanted = {remote.remote_id: remote.last for remote in group.remotes}
    again: dict[str, datetime] = {}
    for remote, start in zip(subscriptions.remotes, subscriptions.starts, strict=True):
        failed_last = wanted.get(remote)
        if failed_last is not None and start > failed_last and (remote not in again or start < again[remote]):
            again[remote] = start
    if len(again) < len(wanted) or group.remotes_not_detailed:
        return Status(False, ("not received again",))
    since = max(again.values())
    return Status(True, ("received again from ", since), since)


# Settled after a storm: connected this many times the storm's own mean gap between drops without another
# drop (and at least STORM_MAX_CYCLE, the longest connection a storm's cycle may have). A connection that
# merely outlasted one gap is the storm going on. (Tuned by hand, not an AWS number.)
SETTLED_GAPS = 3


def _last_drop(spans: SpanLog) -> int | None:
    """The last connection that ended and came back within STORM_MAX_GAP (a drop, not a departure)."""
    starts, ends = spans.starts, spans.ends
    for position in range(len(starts) - 2, -1, -1):
        if (
            spans.ended_by[position] is not SpanEnd.OPEN
            and starts[position + 1] - ends[position] <= STORM_MAX_GAP
        ):
            return position
    return None


def after_storm(timeline: Timeline, storm: Storm) -> Status:
    """Did the connection settle after the storm? "stable since T", "may still be going", "never settled".

    Stable needs a quiet stretch well beyond the storm's own rhythm: a client that drops every 20 s and
    rejoined 37 s ago has not settled. Drops after the storm (outside any storm) count too: the last of
    them is where "stable since" can start.
    """
    spans = timeline.connections
    starts, ends = spans.starts, spans.ends
    if not spans:
        return Status(False, ("never settled: last left at ", storm.end))
    last = _last_drop(spans)
    gaps = max(storm.drop_count, 1)
    quiet = max(STORM_MAX_CYCLE, SETTLED_GAPS * (storm.end - storm.dropped_from) / gaps)
    begin = last + 1 if last is not None else bisect_left(starts, storm.start)
    for position in range(begin, len(starts)):
        if ends[position] - starts[position] >= quiet:
            return Status(True, ("stable since ", starts[position]), starts[position])
    if spans.ended_by[-1] is SpanEnd.OPEN and last is not None:
        dropped_at = ends[last]
        ago = format_duration(timeline.history_end - dropped_at)
        return Status(False, (f"may still be going: last drop {ago} ago, at ", dropped_at))
    if spans.ended_by[-1] is SpanEnd.OPEN:
        return Status(False, ("still dropping",))
    return Status(False, ("never settled: last left at ", ends[-1]))
