"""Running tallies kept during the timeline pass: reconnect-storm detection and error-group counts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.analysis.timeline_model import ErrorGroup, RemoteFailure, Storm, StormCause, TokenExchange

# A reconnect storm: at least 4 join/leave cycles in a row, each connection lasting at most 2 minutes and
# each rejoin coming at most 2 minutes after the previous leave. A page reload or two is normal; four quick
# drops in a row are not. (Tuned by hand; no AWS number behind it.)
STORM_MIN_CYCLES = 4
STORM_MAX_CYCLE = timedelta(minutes=2)
STORM_MAX_GAP = timedelta(minutes=2)
# A rejoin this close to the previous drop is instant: no network comes back that fast after a real loss,
# but a second client with the same token takes the slot at once (IVS times are whole seconds).
INSTANT_REJOIN = timedelta(seconds=1)

# Error-group detail kept per failing remote publisher: enough for any report, bounded for hostile
# histories.
MAX_REMOTES_PER_GROUP = 50
# Error groups (name and code) kept in detail, first seen first. IVS has 14 codes and 3 error names; only a
# hostile or corrupt history gets near this, and the rest of its groups are counted, not detailed.
MAX_ERROR_GROUPS = 500


class _StormDetector:
    """Collects runs of quick join/leave cycles as they close, with the failures that came in each cycle."""

    __slots__ = (
        "_causes",
        "_cycles",
        "_end",
        "_end_index",
        "_failed",
        "_first_drop",
        "_instant",
        "_previous_end",
        "_start",
        "_start_index",
        "storms",
    )

    def __init__(self) -> None:
        self.storms: list[Storm] = []
        self._cycles = 0
        self._failed = 0
        self._instant = 0
        # (event name, code) -> cycles it came in
        self._causes: dict[tuple[str, str | None], int] = {}
        self._start: datetime | None = None
        self._start_index = 0
        self._end: datetime | None = None
        self._end_index = 0
        # When the last connection of any length ended, and whether the run's first cycle came back from it.
        self._previous_end: datetime | None = None
        self._first_drop: datetime | None = None

    def cycle(
        self,
        start: datetime,
        start_index: int,
        end: datetime,
        end_index: int,
        failures: dict[tuple[str, str | None], int],
    ) -> None:
        """One connection closed; ``failures`` are the join/publish errors that came while it was open."""
        previous_end, self._previous_end = self._previous_end, end
        if end - start > STORM_MAX_CYCLE:
            self.flush(next_start=start)
            return
        if self._end is None or start - self._end > STORM_MAX_GAP:
            self.flush(next_start=start)
            self._start, self._start_index = start, start_index
            lead_in = previous_end is not None and start - previous_end <= STORM_MAX_GAP
            self._first_drop = previous_end if lead_in else None
        elif start - self._end <= INSTANT_REJOIN:
            self._instant += 1
        self._cycles += 1
        if failures:
            self._failed += 1
            causes = self._causes
            for key in failures:
                causes[key] = causes.get(key, 0) + 1
        self._end, self._end_index = end, end_index

    def same_instant_leave(self, time: datetime, index: int) -> None:
        """The LEFT of a connection a same-second JOINED already closed: it belongs to that cycle."""
        if self._end == time:
            self._end_index = index

    def flush(self, next_start: datetime | None = None) -> None:
        """Close the current run; ``next_start`` is when the next connection began, if one did.

        A drop is a connection that ended and came back: the one before the run's first quick cycle
        (when the client rejoined from it), one between each two cycles, and the last cycle's own end
        when the client came back after it.
        """
        if self._cycles >= STORM_MIN_CYCLES and self._start is not None and self._end is not None:
            came_back = next_start is not None and next_start - self._end <= STORM_MAX_GAP
            drops = self._cycles - 1 + (self._first_drop is not None) + came_back
            causes = tuple(
                StormCause(name, code, cycles)
                for (name, code), cycles in sorted(self._causes.items(), key=lambda item: -item[1])
            )
            self.storms.append(
                Storm(
                    self._start,
                    self._end,
                    self._cycles,
                    self._start_index,
                    self._end_index,
                    causes=causes,
                    failed_cycles=self._failed,
                    instant_rejoins=self._instant,
                    drops=drops,
                    first_drop=self._first_drop or self._start,
                    last_rejoin=next_start if came_back else self._end,
                )
            )
        self._cycles = self._failed = self._instant = 0
        self._first_drop = None
        if self._causes:
            self._causes = {}
        self._start = self._end = None


class _GroupBuilder:
    """Mutable tally of one error group while the pass runs."""

    __slots__ = (
        "code",
        "count",
        "event_name",
        "first",
        "first_index",
        "last",
        "last_index",
        "remotes",
        "remotes_not_detailed",
        "token",
    )

    def __init__(
        self, event_name: str, code: str | None, time: datetime, index: int, token: TokenExchange | None
    ) -> None:
        self.event_name = event_name
        self.code = code
        self.count = 1
        self.first = self.last = time
        self.first_index = self.last_index = index
        # remote id -> [count, first, last, received_from, received_until]
        self.remotes: dict[str, list[Any]] = {}
        self.remotes_not_detailed = 0
        self.token = token

    def add_remote(
        self, remote: str, time: datetime, received: tuple[datetime | None, datetime | None]
    ) -> None:
        """Count a failure against one remote publisher (detail kept for the first few publishers)."""
        tally = self.remotes.get(remote)
        if tally is not None:
            tally[0] += 1
            tally[2] = time
        elif len(self.remotes) < MAX_REMOTES_PER_GROUP:
            self.remotes[remote] = [1, time, time, *received]
        else:
            self.remotes_not_detailed += 1

    def freeze(self) -> ErrorGroup:
        remotes = sorted(
            (RemoteFailure(remote, *tally) for remote, tally in self.remotes.items()),
            key=lambda r: (-r.count, r.first),
        )
        return ErrorGroup(
            self.event_name,
            self.code,
            self.count,
            self.first,
            self.last,
            self.first_index,
            self.last_index,
            tuple(remotes),
            self.remotes_not_detailed,
            self.token,
        )
