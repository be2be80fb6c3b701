"""A bounded TTL cache of histories, with single flight: concurrent identical queries share one fetch."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from cachetools import TLRUCache, TTLCache

from bot.ivs.history import FetchProgress, ParticipantHistory, ProgressCallback, StageSession
from bot.ivs.query import ParticipantQuery

# An ended session's events no longer change: keep them an hour. A live one changes; 30 s spares a
# channel of people clicking the same query without showing stale data for long.
ENDED_TTL_SECONDS = 3600.0
LIVE_TTL_SECONDS = 30.0
# The bound is in events, not entries: one 100,000-event history weighs as much as 1,000 small ones.
MAX_CACHED_EVENTS = 500_000

Fetch = Callable[[ProgressCallback], Awaitable[ParticipantHistory]]


@dataclass(eq=False)
class _Flight:
    """One fetch in progress and everyone waiting for it."""

    task: asyncio.Task[ParticipantHistory] | None = None
    listeners: list[ProgressCallback] = field(default_factory=list)
    last_progress: FetchProgress | None = None

    async def report(self, progress: FetchProgress) -> None:
        self.last_progress = progress
        for listener in list(self.listeners):
            await listener(progress)


class HistoryCache:
    """Histories by query. Ended sessions live ``ended_ttl`` seconds, live ones ``live_ttl``.

    Args:
        clock: monotonic seconds; injectable so expiry is tested without sleeping.
    """

    def __init__(
        self,
        *,
        max_events: int = MAX_CACHED_EVENTS,
        ended_ttl: float = ENDED_TTL_SECONDS,
        live_ttl: float = LIVE_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        def time_to_use(_key: ParticipantQuery, history: ParticipantHistory, now: float) -> float:
            return now + (ended_ttl if history.session_ended else live_ttl)

        self._entries: TLRUCache[ParticipantQuery, ParticipantHistory] = TLRUCache(
            maxsize=max_events,
            ttu=time_to_use,
            timer=clock,
            getsizeof=lambda history: max(1, len(history.events)),
        )
        self._flights: dict[ParticipantQuery, _Flight] = {}
        # An ended session's times never change, and people ask about several participants of one
        # session: remembering it spares a GetStageSession call per query.
        self._ended_sessions: TTLCache[tuple[str, str], StageSession] = TTLCache(
            maxsize=1024, ttl=ended_ttl, timer=clock
        )

    def get(self, query: ParticipantQuery) -> ParticipantHistory | None:
        """The cached history if it has not expired."""
        return self._entries.get(query)

    def ended_session(self, query: ParticipantQuery) -> StageSession | None:
        """The query's session, if it is known to have ended."""
        return self._ended_sessions.get((query.stage_arn, query.session_id))

    def put(self, history: ParticipantHistory) -> None:
        """Store a history (one larger than the whole cache is simply not kept)."""
        if history.session is not None and history.session_ended:
            self._ended_sessions[(history.query.stage_arn, history.query.session_id)] = history.session
        with contextlib.suppress(ValueError):  # cachetools: larger than the whole cache
            self._entries[history.query] = history

    async def get_or_fetch(
        self,
        query: ParticipantQuery,
        fetch: Fetch,
        on_progress: ProgressCallback | None = None,
    ) -> ParticipantHistory:
        """The cached history, or the result of the one fetch in flight for this query, or a new fetch.

        Failures are not cached: the next query tries again. A waiter that is cancelled does not cancel
        the shared fetch, which others may still be waiting for.
        """
        cached = self.get(query)
        if cached is not None:
            return cached
        flight = self._flights.get(query)
        if flight is None:
            flight = _Flight()
            self._flights[query] = flight
            flight.task = asyncio.create_task(self._run(query, flight, fetch))
        elif on_progress is not None and flight.last_progress is not None:
            await on_progress(flight.last_progress)
        if on_progress is not None:
            flight.listeners.append(on_progress)
        assert flight.task is not None
        try:
            return await asyncio.shield(flight.task)
        finally:
            if on_progress is not None and on_progress in flight.listeners:
                flight.listeners.remove(on_progress)

    async def _run(self, query: ParticipantQuery, flight: _Flight, fetch: Fetch) -> ParticipantHistory:
        try:
            history = await fetch(flight.report)
            self.put(history)
            return history
        finally:
            self._flights.pop(query, None)

    @property
    def in_flight(self) -> int:
        """Fetches under way (tests use it)."""
        return len(self._flights)
