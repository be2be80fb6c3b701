"""Client-side rate limiting so the bot's own calls stay under IVS's API quotas.

IVS Real-Time's API quotas are per operation, per account and region: ListParticipantEvents,
GetParticipant, ListParticipants, ListStageSessions and GetStageSession have 5 transactions per second
*each* (not adjustable; see shared/reference/ivs-realtime-facts.md). Many users asking at once must wait
their turn, not be throttled; and one operation's queue must not slow another's.

The limiter runs inside botocore, on its ``before-send`` event, in the worker thread that is about to put
the request on the wire: so it measures what the service measures, and botocore's own retries wait their
turn too. Its key is (identity, region, operation). ``IvsFetcher`` bounds how many calls per key may be
handed to the thread pool at once (:class:`PrioritySlots`), and hands them out interactive questions first,
so a bulk fan-out never starves a question someone is waiting for.
"""

from __future__ import annotations

import asyncio
import enum
import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Hashable, Iterator
from contextlib import asynccontextmanager, contextmanager

# IVS's quota per operation, account and region. ``IVS_EVENTS_MAX_TPS`` may set a lower ceiling, to leave
# room for the customer's own application, which draws on the same quota.
IVS_CALLS_PER_SECOND = 5
# Times are floats: a wait computed as "window minus elapsed" can round to a few 1e-17 seconds, which a clock
# cannot measure. Differences below this count as none.
_TOLERANCE = 1e-6


class Priority(enum.IntEnum):
    """Who waits for a call: someone asking now (first), or a fan-out over many participants."""

    INTERACTIVE = 0
    BULK = 1


class SlidingWindowLimiter:
    """At most ``rate`` sends in any window of ``period`` seconds, per key; callers block until theirs.

    A sliding window (rather than a token bucket, which admits a burst *plus* the refill within one
    second) is what keeps us under a per-second quota. ``margin`` widens the window a little to absorb
    the jitter between our send and the request's arrival at AWS. Thread-safe.
    """

    def __init__(
        self,
        rate: int = IVS_CALLS_PER_SECOND,
        period: float = 1.0,
        *,
        margin: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate < 1:
            raise ValueError("rate must be at least 1")
        self.rate = rate
        self.window = period + margin
        self._clock = clock
        self._sleep = sleep
        self._starts: dict[Hashable, deque[float]] = {}
        self._waiting: dict[Hashable, list[tuple[int, int]]] = {}
        self._order = itertools.count()
        self._turns = threading.Condition()

    def acquire(self, key: Hashable, priority: Priority | None = None) -> float:
        """Block until a call for ``key`` may be sent; returns the seconds waited.

        Waiters of one key go one at a time, by ``priority`` (the calling thread's, see
        :func:`calls_with_priority`, when not given) and then in arrival order: a question someone is
        waiting for overtakes a queued fan-out. Bulk calls are also spaced evenly (``window / rate``
        apart) rather than sent in bursts, so a question that arrives during a fan-out finds the window
        free again within a fifth of a second instead of a whole second.
        """
        ticket = (int(current_priority() if priority is None else priority), next(self._order))
        waited = 0.0
        with self._turns:
            starts = self._starts.setdefault(key, deque())
            queue = self._waiting.setdefault(key, [])
            heapq.heappush(queue, ticket)
            try:
                while True:
                    if queue[0] != ticket:
                        self._turns.wait()
                        continue
                    now = self._clock()
                    while starts and now - starts[0] >= self.window - _TOLERANCE:
                        starts.popleft()
                    spacing = self.window / self.rate if ticket[0] >= Priority.BULK and starts else 0.0
                    if (
                        len(starts) < self.rate
                        and now - (starts[-1] if starts else now) >= spacing - _TOLERANCE
                    ):
                        starts.append(now)
                        return waited
                    full = self.window - (now - starts[0]) if len(starts) >= self.rate else 0.0
                    delay = max(full, spacing - (now - starts[-1]))
                    waited += delay
                    self._turns.release()
                    try:
                        self._sleep(delay)
                    finally:
                        self._turns.acquire()
            finally:
                queue.remove(ticket)
                heapq.heapify(queue)
                self._turns.notify_all()


_thread_priority = threading.local()


@contextmanager
def calls_with_priority(priority: Priority) -> Iterator[None]:
    """Within the block, this thread's calls wait for the quota with ``priority`` (botocore's retries too,
    which run in the same thread)."""
    previous = getattr(_thread_priority, "value", Priority.INTERACTIVE)
    _thread_priority.value = priority
    try:
        yield
    finally:
        _thread_priority.value = previous


def current_priority() -> Priority:
    """The priority of the calls this thread makes (INTERACTIVE unless set)."""
    priority: Priority = getattr(_thread_priority, "value", Priority.INTERACTIVE)
    return priority


class PrioritySlots:
    """At most ``size`` holders per key; waiters get a slot by priority, then in arrival order.

    An asyncio semaphore is first come, first served: forty bulk calls queued ahead of one interactive call
    would make its asker wait for all of them. Here the interactive call takes the next free slot, and bulk
    calls never hold the last one: it is kept for a question someone is waiting for.
    """

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self._size = size
        self._held: dict[Hashable, int] = {}
        self._waiting: dict[Hashable, list[tuple[int, int, asyncio.Future[None]]]] = {}
        self._order = itertools.count()

    @asynccontextmanager
    async def slot(self, key: Hashable, priority: Priority = Priority.INTERACTIVE) -> AsyncIterator[None]:
        """Hold one of ``key``'s slots for the duration of the ``async with``."""
        await self._acquire(key, priority)
        try:
            yield
        finally:
            self._release(key)

    def _room(self, key: Hashable, priority: int) -> bool:
        limit = self._size if priority == Priority.INTERACTIVE or self._size == 1 else self._size - 1
        return self._held.get(key, 0) < limit

    async def _acquire(self, key: Hashable, priority: Priority) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (int(priority), next(self._order), waiter)
        queue = self._waiting.setdefault(key, [])
        heapq.heappush(queue, entry)
        self._wake(key)
        try:
            await waiter  # resolved by _wake, which already counted the slot as ours
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release(key)  # the slot was handed over just as we were cancelled: pass it on
            elif entry in queue:
                queue.remove(entry)
                heapq.heapify(queue)
            raise

    def _release(self, key: Hashable) -> None:
        self._held[key] -= 1
        self._wake(key)

    def _wake(self, key: Hashable) -> None:
        """Hand free slots to the waiters first in line (a bulk one never takes the reserved last slot)."""
        queue = self._waiting.get(key, [])
        while queue:
            priority, _, waiter = queue[0]
            if waiter.done():  # cancelled while waiting
                heapq.heappop(queue)
                continue
            if not self._room(key, priority):
                break
            heapq.heappop(queue)
            self._held[key] = self._held.get(key, 0) + 1
            waiter.set_result(None)
        if not self._held.get(key) and not queue:
            self._held.pop(key, None)
            self._waiting.pop(key, None)
