"""The one object the Slack app talks to: cached, single-flight, rate-limited IVS queries."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from botocore.config import Config

from bot.domain.history import (
    ParticipantHistory,
    ParticipantSummary,
    ProgressCallback,
    SessionSummary,
    StageSession,
    UserMatches,
)
from bot.domain.queries import OnStage, ParticipantQuery, SessionQuery, UserQuery
from bot.ivs.cache import HistoryCache
from bot.ivs.clients import DEFAULT_CONFIG, IvsClientFactory
from bot.ivs.fetch import IvsFetcher
from bot.ivs.rate_limit import IVS_CALLS_PER_SECOND, Priority, SlidingWindowLimiter

logger = logging.getLogger(__name__)

# boto3 calls block, and wait for the quota, in these threads. Pages of one query are sequential (each
# needs the previous token) and at most 5 calls per (account, region, operation) are handed over at once:
# five operations' worth for one account, with room for a second.
DEFAULT_WORKERS = 32
# Sessions listed for a stage (the latest first), and how many a user id is looked for in without one.
RECENT_SESSIONS = 10
USER_SEARCH_SESSIONS = 5


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
        details: bool = True,
    ) -> ParticipantHistory:
        """Every event of the participant, oldest first, with details; from the cache when fresh.

        ``priority`` is BULK for a fan-out over many participants: interactive questions go first.
        ``details=False`` skips GetParticipant; a later question about the same participant (from the
        cache) fetches the details then.

        Raises:
            IvsQueryError: a subclass saying what went wrong and what to do.
        """

        async def shared_session() -> StageSession:
            return await self._cache.session_or_fetch(query, lambda: self._fetcher.get_stage_session(query))

        async def fetch(report: ProgressCallback) -> ParticipantHistory:
            return await self._fetcher.fetch_history(
                query, report, session_lookup=shared_session, priority=priority, details=details
            )

        history = await self._cache.get_or_fetch(query, fetch, on_progress)
        if details and not history.details_fetched:
            participant, error = await self._fetcher.details(query, priority)
            history = replace(history, participant=participant, participant_error=error, details_fetched=True)
            self._cache.put(history)
        return history

    async def session(self, query: SessionQuery) -> StageSession:
        """GetStageSession's ``stageSession``: remembered once ended, shared by everyone asking now."""
        return await self._cache.session_or_fetch(query, lambda: self._fetcher.get_stage_session(query))

    async def recent_sessions(self, stage: OnStage, *, limit: int = RECENT_SESSIONS) -> list[SessionSummary]:
        """The stage's latest sessions, newest first (ListStageSessions' first page)."""
        return await self._fetcher.list_stage_sessions(stage, limit=limit)

    async def participants(
        self, session: SessionQuery, *, user_id: str | None = None, published: bool | None = None
    ) -> list[ParticipantSummary]:
        """Every participant of a session (ListParticipants, all pages), or those with one user id, or
        those that published (the API takes one filter at a time)."""
        if user_id is not None:
            return await self._fetcher.list_participants(session, filterByUserId=user_id)
        if published is not None:
            return await self._fetcher.list_participants(session, filterByPublished=published)
        return await self._fetcher.list_participants(session)

    async def find_user(self, query: UserQuery) -> UserMatches:
        """The participants a user id had: in the given session, or in the stage's latest sessions.

        Raises:
            NotFoundError: the stage has no session at all (or the session does not exist).
        """
        if query.session_id is not None:
            session_ids = [query.session_id]
        else:
            recent = await self.recent_sessions(query, limit=USER_SEARCH_SESSIONS)
            session_ids = [str(s["sessionId"]) for s in recent if s.get("sessionId")]
        found = await asyncio.gather(
            *(
                self.participants(SessionQuery(query.stage_arn, sid), user_id=query.user_id)
                for sid in session_ids
            )
        )
        matches = tuple(
            (sid, p) for sid, participants in zip(session_ids, found, strict=True) for p in participants
        )
        return UserMatches(sessions=tuple(session_ids), participants=matches)

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
