"""The one object the Slack app talks to: cached, single-flight, rate-limited IVS queries."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from botocore.config import Config

from bot.domain.history import ParticipantHistory, ProgressCallback, StageSession
from bot.domain.queries import ParticipantQuery
from bot.ivs.cache import HistoryCache
from bot.ivs.clients import DEFAULT_CONFIG, IvsClientFactory
from bot.ivs.fetch import IvsFetcher
from bot.ivs.rate_limit import IVS_CALLS_PER_SECOND, Priority, SlidingWindowLimiter

logger = logging.getLogger(__name__)

# boto3 calls block, and wait for the quota, in these threads. Pages of one query are sequential (each
# needs the previous token) and at most 5 calls per (account, region, operation) are handed over at once:
# five operations' worth for one account, with room for a second.
DEFAULT_WORKERS = 32


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

    async def history(
        self,
        query: ParticipantQuery,
        *,
        on_progress: ProgressCallback | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> ParticipantHistory:
        """Every event of the participant, oldest first, with details; from the cache when fresh.

        ``priority`` is BULK for a fan-out over many participants: interactive questions go first.

        Raises:
            IvsQueryError: a subclass saying what went wrong and what to do.
        """

        async def shared_session() -> StageSession:
            return await self._cache.session_or_fetch(query, lambda: self._fetcher.get_stage_session(query))

        async def fetch(report: ProgressCallback) -> ParticipantHistory:
            return await self._fetcher.fetch_history(
                query, report, session_lookup=shared_session, priority=priority
            )

        return await self._cache.get_or_fetch(query, fetch, on_progress)

    def cached(self, query: ParticipantQuery) -> ParticipantHistory | None:
        """The cached history, without calling AWS."""
        return self._cache.get(query)

    async def aclose(self) -> None:
        """Release the thread pool: queued calls are dropped, running ones are not waited for.

        A call stuck in botocore (a hung endpoint, retries) must not hold up shutdown; the process exits
        without it (``bot.server.exit_without_waiting_for_stuck_calls``).
        """
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)


def create_ivs_service(
    *,
    calls_per_second: int | None = IVS_CALLS_PER_SECOND,
    cache: HistoryCache | None = None,
    workers: int = DEFAULT_WORKERS,
    config: Config = DEFAULT_CONFIG,
) -> IvsService:
    """The production service: standard credential chain, 5 TPS per operation, account and region, TTL cache.

    ``AWS_ENDPOINT_URL_IVS_REALTIME`` (read by boto3 itself) points it at another endpoint.

    Args:
        calls_per_second: the ceiling per (account, region, operation) (``IVS_EVENTS_MAX_TPS``, at most
            IVS's 5); None only for benchmarks that measure the
            fetch's own overhead.
    """
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ivs")
    limiter = SlidingWindowLimiter(calls_per_second) if calls_per_second else None
    in_flight = calls_per_second or IVS_CALLS_PER_SECOND
    fetcher = IvsFetcher(
        IvsClientFactory(config=config, limiter=limiter), executor, per_key_in_flight=in_flight
    )
    return IvsService(fetcher, cache or HistoryCache(), executor)
