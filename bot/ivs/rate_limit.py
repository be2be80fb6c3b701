"""Client-side rate limiting so the bot's own calls stay under IVS's API quota.

IVS Real-Time allows 5 transactions per second per account per region for ListParticipantEvents,
GetParticipant, ListParticipants, ListStageSessions and GetStageSession (not adjustable; see
shared/reference/ivs-realtime-facts.md). Many users asking at once must wait their turn, not be throttled.

The limiter runs inside botocore, on its ``before-send`` event, in the worker thread that is about to put
the request on the wire: so it measures what the service measures, and botocore's own retries wait their
turn too. ``IvsFetcher`` bounds how many calls per key may wait at once, so a busy account cannot hold
every worker thread.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Hashable

IVS_CALLS_PER_SECOND = 5


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
