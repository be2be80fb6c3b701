"""The one object the Slack app talks to: cached, single-flight, rate-limited IVS queries."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from bot.ivs.cache import HistoryCache
from bot.ivs.clients import IvsClientFactory
from bot.ivs.fetch import IvsFetcher
from bot.ivs.history import ParticipantHistory, ProgressCallback
from bot.ivs.query import ParticipantQuery
from bot.ivs.rate_limit import RateLimiter, SlidingWindowLimiter

logger = logging.getLogger(__name__)

# boto3 calls block; they run here. Pages of one query are sequential (each needs the previous token) and
# the quota allows 5 calls per second per account and region, so a few threads are plenty.
DEFAULT_WORKERS = 8


class IvsService:
    """Answers "what happened to this participant" with the whole history.

    Args:
        fetcher: does the calls.
        cache: remembers answers and merges identical concurrent queries.
    """

    def __init__(self, fetcher: IvsFetcher, cache: HistoryCache, executor: ThreadPoolExecutor | None = None):
        self._fetcher = fetcher
        self._cache = cache
        self._executor = executor

    @property
    def fetcher(self) -> IvsFetcher:
        """The underlying fetcher, for the enrichment calls (ListParticipants, ListStageSessions)."""
        return self._fetcher

    async def history(
        self, query: ParticipantQuery, *, on_progress: ProgressCallback | None = None
    ) -> ParticipantHistory:
        """Every event of the participant, oldest first, with details; from the cache when fresh.

        Raises:
            IvsQueryError: a subclass saying what went wrong and what to do.
        """

        async def fetch(report: ProgressCallback) -> ParticipantHistory:
            return await self._fetcher.fetch_history(query, report)

        return await self._cache.get_or_fetch(query, fetch, on_progress)

    def cached(self, query: ParticipantQuery) -> ParticipantHistory | None:
        """The cached history, without calling AWS."""
        return self._cache.get(query)

    async def aclose(self) -> None:
        """Release the thread pool (waits for calls already running)."""
        if self._executor is not None:
            await asyncio.to_thread(self._executor.shutdown, wait=True, cancel_futures=True)


def create_ivs_service(
    *,
    limiter: RateLimiter | None = None,
    cache: HistoryCache | None = None,
    workers: int = DEFAULT_WORKERS,
) -> IvsService:
    """The production service: standard credential chain, 5 TPS per account and region, TTL cache.

    ``AWS_ENDPOINT_URL_IVS_REALTIME`` (read by boto3 itself) points it at another endpoint.
    """
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ivs")
    fetcher = IvsFetcher(IvsClientFactory(), limiter or SlidingWindowLimiter(), executor)
    return IvsService(fetcher, cache or HistoryCache(), executor)
