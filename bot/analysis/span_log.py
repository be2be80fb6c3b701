"""Spans of time (connected, publishing, receiving a publisher), stored column by column.

A history can hold 50,000 connections or 50,000 publishers. One object per span would be 50,000 long-lived
objects for the garbage collector to scan again and again while the analysis runs (measured: two thirds of
the run time when the process holds other data). Parallel lists of the events' own ``datetime`` objects
add almost nothing for it to scan; a :class:`Span` is only built when something reads one.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple, overload

ZERO = timedelta(0)


class SpanEnd(StrEnum):
    """Why a span ended (or that it has not)."""

    EVENT = "its stop event"
    LEFT = "the participant left"
    REJOINED = "a new JOINED without LEFT"
    SESSION_END = "the session ended"
    LAST_EVENT = "the last event (session state unknown)"
    OPEN = "still going"


class Span(NamedTuple):
    """A stretch of time the participant was connected, publishing, or receiving one publisher."""

    start: datetime
    end: datetime
    ended_by: SpanEnd

    @property
    def duration(self) -> timedelta:
        """How long it lasted (zero if the events were out of order)."""
        return max(self.end - self.start, ZERO)

    @property
    def is_open(self) -> bool:
        """True while it is still going (the session is live and no stop event came)."""
        return self.ended_by is SpanEnd.OPEN


class SpanLog(Sequence[Span]):
    """Spans in the order they ended, readable as a sequence of :class:`Span`.

    ``starts`` and ``ends`` are exposed for binary search (the chart): for spans that do not overlap, as
    connections or one publisher's subscriptions, they are sorted.
    """

    __slots__ = ("ended_by", "ends", "starts")

    def __init__(self) -> None:
        self.starts: list[datetime] = []
        self.ends: list[datetime] = []
        self.ended_by: list[SpanEnd] = []

    def append(self, start: datetime, end: datetime, ended_by: SpanEnd) -> None:
        """Record one span."""
        self.starts.append(start)
        self.ends.append(end)
        self.ended_by.append(ended_by)

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, index: int) -> Span: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Span]: ...

    def __getitem__(self, index: int | slice) -> Span | Sequence[Span]:
        if isinstance(index, slice):
            return [
                Span(*columns)
                for columns in zip(self.starts[index], self.ends[index], self.ended_by[index], strict=True)
            ]
        return Span(self.starts[index], self.ends[index], self.ended_by[index])

    def __iter__(self) -> Iterator[Span]:
        for columns in zip(self.starts, self.ends, self.ended_by, strict=True):
            yield Span(*columns)

    def longest(self) -> Span | None:
        """The span that lasted longest, if any."""
        if not self.starts:
            return None
        best = max(range(len(self.starts)), key=lambda i: self.ends[i] - self.starts[i])
        return self[best]


class SubscriptionLog(SpanLog):
    """Every subscription span of one participant, with the remote publisher of each."""

    __slots__ = ("remotes",)

    def __init__(self) -> None:
        super().__init__()
        self.remotes: list[str] = []

    def add(self, remote: str, start: datetime, end: datetime, ended_by: SpanEnd) -> int:
        """Record one subscription; returns its position (to find a publisher's last span quickly)."""
        self.remotes.append(remote)
        self.append(start, end, ended_by)
        return len(self.remotes) - 1

    def spans_of(self, remote: str) -> SpanLog:
        """One publisher's spans, oldest first (one pass over the log)."""
        spans = SpanLog()
        for position, who in enumerate(self.remotes):
            if who == remote:
                spans.append(self.starts[position], self.ends[position], self.ended_by[position])
        return spans
