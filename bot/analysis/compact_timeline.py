"""A short timeline for people: the first and last moments of a history, and a few lines around each
anomaly in between, with repetition collapsed.

A reconnect storm becomes one line ("joined and left 14 times between 14:02 and 14:09"), a run of identical
events becomes one line with a count, a departure (LEFT with its PUBLISH_STOPPED and SUBSCRIBE_STOPPEDs in
the same second) becomes one line, and the rest of the middle of a long history is left out (its errors are
reported separately, grouped by code). Only the lines kept are built, so the cost does not grow with the
history beyond the runs it has to skip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.analysis.phrases import Phrase, Quoted, counted
from bot.analysis.timeline import MISSING_NAME, Storm, read_token_exchange
from bot.domain.history import Event

HEAD_ENTRIES = 12
TAIL_ENTRIES = 12
# Around each anomaly (the first event of a top finding) in the middle: a line before it, and a few after.
EXCERPT_BEFORE = 2
EXCERPT_ENTRIES = 5
MAX_EXCERPTS = 3
# Events that end a connection together in one second: one "departure" line.
DEPARTURE_NAMES = frozenset({"LEFT", "PUBLISH_STOPPED", "SUBSCRIBE_STOPPED"})
# A storm line names the error codes inside it; beyond this many events it only counts them (bounded work).
STORM_SCAN_LIMIT = 10_000
MAX_STORM_CODES = 3


class EntryKind(StrEnum):
    """How many events one timeline line stands for."""

    EVENT = "event"
    REPEAT = "repeat"
    STORM = "storm"
    DEPARTURE = "departure"


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of the compact timeline.

    Attributes:
        name / code / remote: the event's name, errorCode and remoteParticipantId (for a STORM: "JOINED").
        repeats: identical events in a REPEAT, join/leave cycles in a STORM, 1 for an EVENT; for a DEPARTURE
            the publishers it stopped receiving.
        errors: error events inside a STORM.
        retries: a STORM whose drops each came after a join or publish failure (the client retrying it).
        takeovers: a STORM whose drops each came in the same second as the next join (two clients, one token).
        detail: extra facts worth a glance (a token exchange's capabilities, a replication destination).
    """

    kind: EntryKind
    start: datetime
    end: datetime
    first_index: int
    last_index: int
    name: str
    code: str | None
    remote: str | None
    repeats: int
    errors: int = 0
    retries: bool = False
    takeovers: bool = False
    detail: Phrase = ()

    @property
    def events(self) -> int:
        """How many events this line covers."""
        return self.last_index - self.first_index + 1


@dataclass(frozen=True, slots=True)
class CompactTimeline:
    """The first and last lines of the history and excerpts around anomalies; the rest is omitted.

    Attributes:
        excerpts: lines around each anomaly in the middle, oldest first (each a run of adjacent lines).
        anomalies: the event indices the excerpts were built around.
    """

    head: tuple[TimelineEntry, ...]
    tail: tuple[TimelineEntry, ...]
    total_events: int
    excerpts: tuple[tuple[TimelineEntry, ...], ...] = ()
    anomalies: tuple[int, ...] = ()

    @property
    def entries(self) -> tuple[TimelineEntry, ...]:
        """Every line, oldest first: head, excerpts, tail."""
        middle = tuple(entry for excerpt in self.excerpts for entry in excerpt)
        return self.head + middle + self.tail

    @property
    def omitted_events(self) -> int:
        """Events not covered by any line."""
        return self.total_events - sum(entry.events for entry in self.entries)


def _key(event: Event) -> tuple[Any, Any, Any]:
    return (event.get("name"), event.get("errorCode"), event.get("remoteParticipantId"))


def _time(event: Event, fallback: datetime) -> datetime:
    time = event.get("eventTime")
    return time if isinstance(time, datetime) else fallback


def _detail(event: Event, index: int, time: datetime) -> Phrase:
    name = event.get("name")
    if name == "TOKEN_EXCHANGED":
        exchange = read_token_exchange(event, time, index)
        before = ", ".join(sorted(exchange.previous_capabilities)) or "none"
        after = ", ".join(sorted(exchange.new_capabilities)) or "none"
        detail: Phrase = ("capabilities ", Quoted(before), " → ", Quoted(after))
        if exchange.attributes_changed:
            detail += ("; attributes changed",)
        return detail
    if name in ("REPLICATION_STARTED", "REPLICATION_STOPPED"):
        destination = event.get("destinationStageArn")
        if destination is not None:
            return ("to ", Quoted(str(destination)))
    return ()


def _entry(events: Sequence[Event], first: int, last: int, fallback: datetime) -> TimelineEntry:
    event = events[first]
    name = event.get("name")
    code = event.get("errorCode")
    remote = event.get("remoteParticipantId")
    start = _time(event, fallback)
    count = last - first + 1
    return TimelineEntry(
        kind=EntryKind.EVENT if count == 1 else EntryKind.REPEAT,
        start=start,
        end=_time(events[last], start),
        first_index=first,
        last_index=last,
        name=name if isinstance(name, str) else MISSING_NAME,
        code=None if code is None else str(code),
        remote=None if remote is None else str(remote),
        repeats=count,
        detail=_detail(event, first, start),
    )


def _storm_errors(events: Sequence[Event], storm: Storm) -> Phrase:
    """ "errors: `BITRATE_EXCEEDED` ×5" for the error codes inside a storm (most frequent first)."""
    if storm.errors == 0 or storm.last_index - storm.first_index >= STORM_SCAN_LIMIT:
        return ()
    codes: dict[str, int] = {}
    for event in events[storm.first_index : storm.last_index + 1]:
        code = event.get("errorCode")
        if code is not None:
            codes[str(code)] = codes.get(str(code), 0) + 1
    ranked = sorted(codes.items(), key=lambda item: -item[1])
    detail: Phrase = ("errors:",)
    for code, count in ranked[:MAX_STORM_CODES]:
        detail += (" ", Quoted(code), f" ×{count:,}")
    if len(ranked) > MAX_STORM_CODES:
        detail += (" …",)
    return detail if codes else ()


def _storm_joins(events: Sequence[Event], storm: Storm) -> int:
    """JOINED events the storm's line stands for: its cycles, plus a same-second rejoin that ends it."""
    if storm.last_index - storm.first_index >= STORM_SCAN_LIMIT:
        return storm.cycles
    joins = sum(
        1 for event in events[storm.first_index : storm.last_index + 1] if event.get("name") == "JOINED"
    )
    return max(joins, storm.cycles)


def _storm_entry(events: Sequence[Event], storm: Storm) -> TimelineEntry:
    return TimelineEntry(
        kind=EntryKind.STORM,
        start=storm.start,
        end=storm.end,
        first_index=storm.first_index,
        last_index=storm.last_index,
        name="JOINED",
        code=None,
        remote=None,
        repeats=_storm_joins(events, storm),
        errors=storm.errors,
        retries=storm.explained_by_errors,
        takeovers=storm.same_second_rejoins and not storm.explained_by_errors,
        detail=_storm_errors(events, storm),
    )


def _departure_end(events: Sequence[Event], first: int, stop: int) -> int | None:
    """The last index of a departure starting at ``first`` (LEFT and its stops in one second), if any."""
    time = events[first].get("eventTime")
    last, has_left = first, False
    while (
        last < stop and events[last].get("name") in DEPARTURE_NAMES and events[last].get("eventTime") == time
    ):
        has_left = has_left or events[last].get("name") == "LEFT"
        last += 1
    return last - 1 if has_left and last - first >= 2 else None


def _departure_entry(events: Sequence[Event], first: int, last: int, fallback: datetime) -> TimelineEntry:
    remotes = {
        str(events[n].get("remoteParticipantId"))
        for n in range(first, last + 1)
        if events[n].get("name") == "SUBSCRIBE_STOPPED"
    }
    published = any(events[n].get("name") == "PUBLISH_STOPPED" for n in range(first, last + 1))
    stopped = [
        *(["publishing"] if published else []),
        *([f"receiving {counted(len(remotes), 'publisher')}"] if remotes else []),
    ]
    start = _time(events[first], fallback)
    return TimelineEntry(
        kind=EntryKind.DEPARTURE,
        start=start,
        end=start,
        first_index=first,
        last_index=last,
        name="LEFT",
        code=None,
        remote=None,
        repeats=len(remotes),
        detail=(f"(stopped {' and '.join(stopped)})",) if stopped else (),
    )


def _forward(
    events: Sequence[Event],
    start: int,
    stop: int,
    *,
    limit: int,
    storm_at_start: dict[int, Storm],
    fallback_time: datetime,
) -> tuple[list[TimelineEntry], int]:
    """Up to ``limit`` lines from ``start`` (exclusive ``stop``), and the index after the last one."""
    entries: list[TimelineEntry] = []
    i = start
    while i < stop and len(entries) < limit:
        storm = storm_at_start.get(i)
        if storm is not None and storm.last_index < stop:
            entries.append(_storm_entry(events, storm))
            i = storm.last_index + 1
            continue
        departure = _departure_end(events, i, stop)
        if departure is not None:
            entries.append(_departure_entry(events, i, departure, fallback_time))
            i = departure + 1
            continue
        key = _key(events[i])
        j = i + 1
        while j < stop and j not in storm_at_start and _key(events[j]) == key:
            j += 1
        entries.append(_entry(events, i, j - 1, fallback_time))
        i = j
    return entries, i


def compact_timeline(
    events: Sequence[Event],
    storms: Sequence[Storm],
    *,
    fallback_time: datetime,
    head: int = HEAD_ENTRIES,
    tail: int = TAIL_ENTRIES,
    around: Sequence[int] = (),
) -> CompactTimeline:
    """Collapse storms, departures and runs of identical events; keep ``head`` lines from the start,
    ``tail`` from the end, and a few lines around each index in ``around`` that falls in between.

    Args:
        events: oldest first.
        storms: from the timeline pass (index ranges, oldest first).
        fallback_time: used for an event without ``eventTime`` (never seen from boto3).
        around: event indices worth showing (the first event of each top finding), most important first.
    """
    total = len(events)
    storm_at_start = {storm.first_index: storm for storm in storms}
    storm_at_end = {storm.last_index: storm for storm in storms}

    front, i = _forward(
        events, 0, total, limit=head, storm_at_start=storm_at_start, fallback_time=fallback_time
    )

    back: list[TimelineEntry] = []
    k = total - 1
    while k >= i and len(back) < tail:
        storm = storm_at_end.get(k)
        if storm is not None and storm.first_index >= i:
            back.append(_storm_entry(events, storm))
            k = storm.first_index - 1
            continue
        if events[k].get("name") in DEPARTURE_NAMES:
            first = k
            time = events[k].get("eventTime")
            while (
                first - 1 >= i
                and events[first - 1].get("name") in DEPARTURE_NAMES
                and events[first - 1].get("eventTime") == time
            ):
                first -= 1
            if _departure_end(events, first, k + 1) == k:
                back.append(_departure_entry(events, first, k, fallback_time))
                k = first - 1
                continue
        key = _key(events[k])
        j = k - 1
        while j >= i and j not in storm_at_end and _key(events[j]) == key:
            j -= 1
        back.append(_entry(events, j + 1, k, fallback_time))
        k = j
    back.reverse()

    excerpts, anomalies = _excerpts(
        events, storms, (i, k + 1), around=around, storm_at_start=storm_at_start, fallback_time=fallback_time
    )
    return CompactTimeline(tuple(front), tuple(back), total, excerpts, anomalies)


def _excerpts(
    events: Sequence[Event],
    storms: Sequence[Storm],
    middle: tuple[int, int],
    *,
    around: Sequence[int],
    storm_at_start: dict[int, Storm],
    fallback_time: datetime,
) -> tuple[tuple[tuple[TimelineEntry, ...], ...], tuple[int, ...]]:
    """Lines around each anomaly in ``middle`` (begin, stop), which the head and tail do not cover."""
    begin, stop = middle
    wanted = sorted({a for a in around[:MAX_EXCERPTS] if begin <= a < stop})
    excerpts: list[tuple[TimelineEntry, ...]] = []
    kept: list[int] = []
    floor = begin
    for anomaly in wanted:
        if anomaly < floor:  # already shown by the previous excerpt
            continue
        start = max(floor, anomaly - EXCERPT_BEFORE)
        for storm in storms:  # never start inside a storm: start at the storm
            if storm.first_index < start <= storm.last_index:
                start = max(floor, storm.first_index)
        entries, floor = _forward(
            events,
            start,
            stop,
            limit=EXCERPT_ENTRIES,
            storm_at_start=storm_at_start,
            fallback_time=fallback_time,
        )
        if entries:
            excerpts.append(tuple(entries))
            kept.append(anomaly)
    return tuple(excerpts), tuple(kept)
