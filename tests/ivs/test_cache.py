"""Answers are remembered (ended sessions long, live ones briefly) and identical queries share a fetch."""

from __future__ import annotations

import asyncio
import gc
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain.errors import ThrottledError
from bot.domain.history import FetchProgress, ParticipantHistory, ProgressCallback
from bot.domain.queries import ParticipantQuery
from bot.ivs.cache import HistoryCache
from tests.ivs.stubbing import QUERY, T0

ENDED = ParticipantHistory(
    query=QUERY,
    events=(),
    participant=None,
    session={"sessionId": QUERY.session_id, "startTime": T0, "endTime": T0 + timedelta(hours=1)},
    pages=1,
    fetched_at=T0,
)
LIVE = replace(ENDED, session={"sessionId": QUERY.session_id, "startTime": T0})


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def returning(history: ParticipantHistory, calls: list[int]):  # type: ignore[no-untyped-def]
    async def fetch(report: ProgressCallback) -> ParticipantHistory:
        calls.append(1)
        await report(FetchProgress(1, 0))
        await asyncio.sleep(0.01)
        return history

    return fetch


@pytest.mark.parametrize(("history", "ttl"), [(ENDED, 3600.0), (LIVE, 30.0)])
async def test_an_answer_is_reused_until_its_session_kind_expires(
    history: ParticipantHistory, ttl: float
) -> None:
    clock = Clock()
    cache = HistoryCache(clock=clock)
    calls: list[int] = []
    await cache.get_or_fetch(QUERY, returning(history, calls))
    clock.now = ttl - 0.1
    assert await cache.get_or_fetch(QUERY, returning(history, calls)) is history
    assert len(calls) == 1
    clock.now = ttl + 0.1
    assert cache.get(QUERY) is None
    await cache.get_or_fetch(QUERY, returning(history, calls))
    assert len(calls) == 2


async def test_twenty_identical_queries_at_once_share_one_fetch_and_all_see_progress() -> None:
    cache = HistoryCache()
    calls: list[int] = []
    seen: list[FetchProgress] = []

    async def on_progress(progress: FetchProgress) -> None:
        seen.append(progress)

    results = await asyncio.gather(
        *(cache.get_or_fetch(QUERY, returning(ENDED, calls), on_progress) for _ in range(20))
    )
    assert len(calls) == 1
    assert all(r is ENDED for r in results)
    assert len(seen) == 20
    assert cache.in_flight == 0


async def test_a_failure_is_shared_by_the_waiters_but_not_cached() -> None:
    cache = HistoryCache()
    attempts: list[int] = []

    async def failing(report: ProgressCallback) -> ParticipantHistory:
        attempts.append(1)
        await asyncio.sleep(0.01)
        raise ThrottledError("slow down")

    outcomes = await asyncio.gather(
        *(cache.get_or_fetch(QUERY, failing) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(o, ThrottledError) for o in outcomes)
    assert len(attempts) == 1
    calls: list[int] = []
    assert await cache.get_or_fetch(QUERY, returning(ENDED, calls)) is ENDED


async def test_a_waiter_that_gives_up_does_not_cancel_the_others_fetch() -> None:
    cache = HistoryCache()
    calls: list[int] = []
    first = asyncio.create_task(cache.get_or_fetch(QUERY, returning(ENDED, calls)))
    second = asyncio.create_task(cache.get_or_fetch(QUERY, returning(ENDED, calls)))
    await asyncio.sleep(0)
    first.cancel()
    assert await second is ENDED
    assert len(calls) == 1


async def test_a_failure_nobody_waits_for_any_more_is_not_reported_as_unretrieved(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache = HistoryCache()

    async def failing_session() -> dict[str, object]:
        await asyncio.sleep(0.01)
        raise ThrottledError("slow down")

    waiter = asyncio.create_task(cache.session_or_fetch(QUERY, failing_session))
    await asyncio.sleep(0)
    waiter.cancel()
    await asyncio.sleep(0.05)
    del waiter  # nothing references the failed lookup any more: it is collected now
    gc.collect()
    assert "never retrieved" not in caplog.text


async def test_concurrent_session_lookups_share_one_call_and_an_ended_one_is_remembered() -> None:
    cache = HistoryCache()
    calls: list[int] = []

    async def lookup() -> dict[str, object]:
        calls.append(1)
        await asyncio.sleep(0.01)
        return dict(ENDED.session or {})

    results = await asyncio.gather(*(cache.session_or_fetch(QUERY, lookup) for _ in range(5)))
    assert all(r == ENDED.session for r in results)
    assert await cache.session_or_fetch(QUERY, lookup) == ENDED.session
    assert len(calls) == 1


async def test_the_cache_is_bounded_by_events_not_entries() -> None:
    cache = HistoryCache(max_events=150)
    other = ParticipantQuery(QUERY.stage_arn, QUERY.session_id, "someoneElse")
    event = {"name": "JOINED", "participantId": "p", "eventTime": T0}
    big = replace(ENDED, events=(event,) * 100)
    cache.put(big)
    cache.put(replace(big, query=other))
    assert cache.get(QUERY) is None  # evicted to make room
    assert cache.get(other) is not None
    cache.put(replace(ENDED, events=(event,) * 151))  # larger than the cache: not kept, no error
    assert cache.get(QUERY) is None
