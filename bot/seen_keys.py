"""Keys seen recently: Slack's redelivered events and replayed signed requests are acted on once.

A small protocol with an in-process implementation; a deployment with several instances can put a
shared one behind the same interface.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from cachetools import TTLCache


class SeenKeys(Protocol):
    """Remembers keys for a while; answers whether a key is new."""

    async def first_time(self, key: str) -> bool:
        """True the first time ``key`` is seen within the time it is remembered."""
        ...


class InProcessSeenKeys:
    """Keys remembered in this process, each for ``ttl`` seconds, at most ``maxsize`` (oldest dropped).

    Args:
        ttl: how long a key is remembered.
        maxsize: the bound on memory; past it the oldest keys are forgotten first.
        clock: monotonic seconds (tests pass their own).
    """

    def __init__(self, *, ttl: float, maxsize: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self._seen: TTLCache[str, bool] = TTLCache(maxsize=maxsize, ttl=ttl, timer=clock)

    async def first_time(self, key: str) -> bool:
        if key in self._seen:
            return False
        self._seen[key] = True
        return True
