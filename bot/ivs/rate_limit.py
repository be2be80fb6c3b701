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
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import asynccontextmanager

# IVS's quota per operation, account and region. ``IVS_EVENTS_MAX_TPS`` may set a lower ceiling, to leave
# room for the customer's own application, which draws on the same quota.
IVS_CALLS_PER_SECOND = 5


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
        self._key_locks: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def acquire(self, key: Hashable) -> float:
        """Block until a call for ``key`` may be sent; returns the seconds waited."""
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
            starts = self._starts.setdefault(key, deque())
        waited = 0.0
        # Holding the key's lock while sleeping makes the waiters of one key go one at a time.
        with key_lock:
            while True:
                now = self._clock()
                while starts and now - starts[0] >= self.window:
                    starts.popleft()
                if len(starts) < self.rate:
                    starts.append(now)
                    return waited
                delay = self.window - (now - starts[0])
                waited += delay
                self._sleep(delay)


class PrioritySlots:
    """At most ``size`` holders per key; waiters get a slot by priority, then in arrival order.

    An asyncio semaphore is first come, first served: forty bulk calls queued ahead of one interactive call
    would make its asker wait for all of them. Here the interactive call takes the next free slot.
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

    async def _acquire(self, key: Hashable, priority: Priority) -> None:
        queue = self._waiting.setdefault(key, [])
        if self._held.get(key, 0) < self._size and not queue:
            self._held[key] = self._held.get(key, 0) + 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (int(priority), next(self._order), waiter)
        heapq.heappush(queue, entry)
        try:
            await waiter  # resolved by _release, which already counted the slot as ours
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release(key)  # the slot was handed over just as we were cancelled: pass it on
            else:
                queue.remove(entry)
                heapq.heapify(queue)
            raise

    def _release(self, key: Hashable) -> None:
        queue = self._waiting.get(key, [])
        while queue:
            _, _, waiter = heapq.heappop(queue)
            if not waiter.done():
                waiter.set_result(None)  # the slot goes straight to the next waiter
                return
        self._held[key] -= 1
        if not self._held[key]:
            del self._held[key]
            self._waiting.pop(key, None)
