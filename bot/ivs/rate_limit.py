"""Client-side rate limiting so the bot's own calls stay under IVS's API quota.

IVS Real-Time allows 5 transactions per second per account per region for ListParticipantEvents,
GetParticipant, ListParticipants, ListStageSessions and GetStageSession (not adjustable; see
shared/reference/ivs-realtime-facts.md). Many users asking at once must wait their turn, not be throttled.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Hashable

IVS_CALLS_PER_SECOND = 5

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class SlidingWindowLimiter:
    """At most ``rate`` call starts in any window of ``period`` seconds, per key, first come first served.

    A sliding window (rather than a token bucket, which admits a burst *plus* the refill within one second)
    is what keeps us under a per-second quota measured the way the service measures it. ``margin`` widens
    the window a little to absorb the jitter between our clock and the request's arrival at AWS.
    """

    def __init__(
        self,
        rate: int = IVS_CALLS_PER_SECOND,
        period: float = 1.0,
        *,
        margin: float = 0.05,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate < 1:
            raise ValueError("rate must be at least 1")
        self.rate = rate
        self.window = period + margin
        self._clock = clock
        self._sleep = sleep
        self._starts: dict[Hashable, deque[float]] = {}
        self._locks: dict[Hashable, asyncio.Lock] = {}

    async def acquire(self, key: Hashable) -> float:
        """Wait until a call for ``key`` may start; returns the seconds waited."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        starts = self._starts.setdefault(key, deque())
        waited = 0.0
        # The lock makes waiters queue in arrival order: fair, and nobody starves.
        async with lock:
            while True:
                now = self._clock()
                while starts and now - starts[0] >= self.window:
                    starts.popleft()
                if len(starts) < self.rate:
                    starts.append(now)
                    return waited
                delay = self.window - (now - starts[0])
                waited += delay
                await self._sleep(delay)


class NoLimit:
    """A limiter that never waits: for benchmarks that measure fetch overhead, never for production."""

    async def acquire(self, key: Hashable) -> float:
        return 0.0


RateLimiter = SlidingWindowLimiter | NoLimit
