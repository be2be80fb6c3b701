"""A bounded TTL cache of histories, with single flight: concurrent identical queries share one fetch."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from cachetools import TLRUCache, TTLCache

from bot.domain.history import FetchProgress, ParticipantHistory, ProgressCallback, StageSession
from bot.domain.queries import ParticipantQuery, SessionQuery

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
        self._session_flights: dict[tuple[str, str], asyncio.Task[StageSession]] = {}

    def get(self, query: ParticipantQuery) -> ParticipantHistory | None:
        """The cached history if it has not expired."""
        return self._entries.get(query)

    async def session_or_fetch(
        self, query: ParticipantQuery | SessionQuery, fetch: Callable[[], Awaitable[StageSession]]
    ) -> StageSession:
        """The query's session: remembered if it has ended, else one lookup shared by everyone asking now.

        People investigating one incident ask about several participants of the same session at once;
        they need its start and end only once.
        """
        key = (query.stage_arn, query.session_id)
        known = self._ended_sessions.get(key)
        if known is not None:
            return known
        flight = self._session_flights.get(key)
        if flight is None:
            flight = asyncio.create_task(self._run_session(key, fetch))
            flight.add_done_callback(_consume_outcome)
            self._session_flights[key] = flight
        return await asyncio.shield(flight)

    async def _run_session(
        self, key: tuple[str, str], fetch: Callable[[], Awaitable[StageSession]]
    ) -> StageSession:
        try:
            session = await fetch()
            if session.get("endTime"):
                self._ended_sessions[key] = session
            return session
        finally:
            self._session_flights.pop(key, None)

    def put(self, history: ParticipantHistory) -> None:
        """Store a history (one larger than the whole cache is simply not kept)."""
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
            flight.task.add_done_callback(_consume_outcome)
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


def _consume_outcome(task: asyncio.Task[Any]) -> None:
    """Mark a shared fetch's failure as seen: its waiters may all have given up (they get it if not)."""
    if not task.cancelled():
        task.exception()
