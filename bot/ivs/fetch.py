"""Fetch a participant's whole history from IVS Real-Time, page by page, off the event loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping
from concurrent.futures import Executor
from datetime import UTC, datetime
from typing import Any, TypeVar

from bot.domain.errors import IvsQueryError, NotFoundError, UnexpectedIvsError
from bot.domain.history import Event, FetchProgress, ParticipantHistory, ProgressCallback, StageSession
from bot.domain.queries import OnStage, ParticipantQuery, SessionQuery
from bot.ivs.clients import ClientSource
from bot.ivs.rate_limit import IVS_CALLS_PER_SECOND, Priority, PrioritySlots, calls_with_priority
from bot.ivs.translate import translate_error

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The API's maximum page size (the default is 50): half the calls, half the wait at 5 TPS.
PAGE_SIZE = 100
# No real history comes near this (it would be 500,000 events); it stops a service that never ends a
# pagination from holding a user, a thread and our quota forever.
MAX_PAGES = 5000

# Events that share one timestamp are put in the order they must have happened: a participant joins
# before it publishes, and stops publishing before it leaves. Unknown names sit in the middle.
_TIE_RANK = {
    "JOINED": 0,
    "JOIN_ERROR": 1,
    "TOKEN_EXCHANGED": 2,
    "PUBLISH_STARTED": 3,
    "SUBSCRIBE_STARTED": 3,
    "REPLICATION_STARTED": 3,
    "PUBLISH_ERROR": 5,
    "SUBSCRIBE_ERROR": 5,
    "REPLICATION_STOPPED": 6,
    "SUBSCRIBE_STOPPED": 7,
    "PUBLISH_STOPPED": 7,
    "LEFT": 9,
}
_UNKNOWN_RANK = 4
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def sort_oldest_first(events_newest_first: list[Event]) -> list[Event]:
    """Order events oldest first; ties broken by the natural order of names, then reverse API order."""
    events = events_newest_first[::-1]
    events.sort(
        key=lambda e: (e.get("eventTime") or _EPOCH, _TIE_RANK.get(str(e.get("name")), _UNKNOWN_RANK))
    )
    return events


class IvsFetcher:
    """Calls IVS for one query at a time; every call runs in ``executor``, never on the event loop.

    The clients' rate limiter (see ``rate_limit.py``) makes calls wait in their worker thread; here at
    most ``per_key_in_flight`` calls per (account, region, operation) may be handed to the pool at once,
    interactive ones first, so one busy account or operation cannot occupy every worker while others wait.

    Args:
        clients: where boto3 clients come from (one per region and credentials).
        executor: a bounded thread pool; boto3 is blocking.
        clock: returns "now" (UTC) for ``fetched_at``.
    """

    def __init__(
        self,
        clients: ClientSource,
        executor: Executor,
        *,
        per_key_in_flight: int = IVS_CALLS_PER_SECOND,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._clients = clients
        self._executor = executor
        self._in_flight = PrioritySlots(per_key_in_flight)
        self._clock = clock

    async def _call(
        self,
        query: OnStage,
        operation: str,
        params: Mapping[str, Any],
        priority: Priority = Priority.INTERACTIVE,
    ) -> dict[str, Any]:
        """One API call: wait for a slot, run boto3 in the pool, translate any failure."""
        key = (query.account, query.region, operation)
        loop = asyncio.get_running_loop()

        def run() -> dict[str, Any]:
            client = self._clients.client_for(query.region)
            method: Callable[..., dict[str, Any]] = getattr(client, _snake(operation))
            with calls_with_priority(priority):  # the quota's turns, in this worker thread
                return method(**params)

        try:
            async with self._in_flight.slot(key, priority):
                return await loop.run_in_executor(self._executor, run)
        except Exception as exc:
            raise translate_error(
                exc, operation=operation, resource=query.stage_arn, region=query.region
            ) from exc

    async def list_participant_events(
        self,
        query: ParticipantQuery,
        on_progress: ProgressCallback | None = None,
        priority: Priority = Priority.INTERACTIVE,
    ) -> tuple[list[Event], int]:
        """Every event of the participant, oldest first, and the number of pages it took.

        boto3 has no paginator for ListParticipantEvents, so we follow ``nextToken`` until it is absent.
        """
        collected: list[Event] = []
        seen_tokens: set[str] = set()
        token: str | None = None
        pages = 0
        while True:
            params: dict[str, Any] = {
                "stageArn": query.stage_arn,
                "sessionId": query.session_id,
                "participantId": query.participant_id,
                "maxResults": PAGE_SIZE,
            }
            if token:
                params["nextToken"] = token
            page = await self._call(query, "ListParticipantEvents", params, priority)
            pages += 1
            collected.extend(page.get("events", []))
            if on_progress is not None:
                await on_progress(FetchProgress(pages=pages, events=len(collected)))
            token = page.get("nextToken") or None
            if token is None:
                return sort_oldest_first(collected), pages
            if token in seen_tokens or pages >= MAX_PAGES:
                raise UnexpectedIvsError(
                    f"IVS kept returning more pages (stopped after {pages} pages and "
                    f"{len(collected)} events to avoid an endless loop). Try again; if it repeats, "
                    "contact AWS Support."
                )
            seen_tokens.add(token)

    async def get_participant(
        self, query: ParticipantQuery, priority: Priority = Priority.INTERACTIVE
    ) -> Mapping[str, Any]:
        """GetParticipant's ``participant``."""
        params = {
            "stageArn": query.stage_arn,
            "sessionId": query.session_id,
            "participantId": query.participant_id,
        }
        answer = await self._call(query, "GetParticipant", params, priority)
        return dict(answer.get("participant") or {})

    async def get_stage_session(self, query: SessionQuery | ParticipantQuery) -> Mapping[str, Any]:
        """GetStageSession's ``stageSession`` (``endTime`` is absent while the session is live)."""
        params = {"stageArn": query.stage_arn, "sessionId": query.session_id}
        answer = await self._call(query, "GetStageSession", params)
        return dict(answer.get("stageSession") or {})

    async def list_participants(
        self, query: SessionQuery | ParticipantQuery, *, limit: int | None = None, **filters: Any
    ) -> list[Mapping[str, Any]]:
        """The participants of the query's session (all pages, or the first ``limit``); ``filters`` are the
        API's filterBy* (one at a time)."""
        params = {"stageArn": query.stage_arn, "sessionId": query.session_id, **filters}
        return await self._all_pages(query, "ListParticipants", "participants", params, limit=limit)

    async def list_stage_sessions(
        self, query: OnStage, *, limit: int | None = None
    ) -> list[Mapping[str, Any]]:
        """The sessions of the query's stage, newest first (all pages, or the first ``limit``)."""
        params = {"stageArn": query.stage_arn}
        return await self._all_pages(query, "ListStageSessions", "stageSessions", params, limit=limit)

    async def _all_pages(
        self, query: OnStage, operation: str, key: str, params: Mapping[str, Any], *, limit: int | None
    ) -> list[Mapping[str, Any]]:
        items: list[Mapping[str, Any]] = []
        seen_tokens: set[str] = set()
        token: str | None = None
        page_size = min(PAGE_SIZE, limit) if limit else PAGE_SIZE
        for _ in range(MAX_PAGES):
            extra = {"nextToken": token} if token else {}
            page = await self._call(query, operation, {"maxResults": page_size, **params, **extra})
            items.extend(page.get(key, []))
            token = page.get("nextToken") or None
            if limit is not None and len(items) >= limit:
                return items[:limit]
            if token is None:
                return items
            if token in seen_tokens:
                break
            seen_tokens.add(token)
        raise UnexpectedIvsError(f"IVS kept returning more {operation} pages; stopped to avoid a loop.")

    async def fetch_history(
        self,
        query: ParticipantQuery,
        on_progress: ProgressCallback | None = None,
        *,
        session_lookup: Callable[[], Coroutine[Any, Any, StageSession]] | None = None,
        priority: Priority = Priority.INTERACTIVE,
        details: bool = True,
    ) -> ParticipantHistory:
        """Events, participant details and session times for one query, fetched concurrently.

        The events are required: their failure is the query's failure. The details only enrich the
        answer, so their failure is logged and the answer goes on without them, except when there are no
        events and IVS says the participant or session does not exist: then that is the answer.
        ``session_lookup`` replaces the GetStageSession call (the cache shares one lookup per session).
        ``priority`` orders the calls against others of the same operation (see :class:`Priority`).
        ``details=False`` skips GetParticipant (a session overview fetches it only for participants with
        problems).
        """
        events_task = asyncio.create_task(self.list_participant_events(query, on_progress, priority))
        participant_task = asyncio.create_task(
            self.get_participant(query, priority) if details else _no_details()
        )
        lookup = session_lookup or (lambda: self.get_stage_session(query))
        session_task = asyncio.create_task(lookup())
        try:
            events, pages = await events_task
        except BaseException:
            participant_task.cancel()
            session_task.cancel()
            await asyncio.gather(participant_task, session_task, return_exceptions=True)
            raise
        participant = await _outcome(participant_task)
        session = await _outcome(session_task)
        if not events:
            for detail in (session, participant):
                if isinstance(detail, NotFoundError):
                    raise detail
        return ParticipantHistory(
            query=query,
            events=tuple(events),
            participant=_optional(participant, "GetParticipant", query),
            session=_optional(session, "GetStageSession", query),
            pages=pages,
            fetched_at=self._clock(),
            participant_error=_reason(participant),
            session_error=_reason(session),
            details_fetched=details,
        )

    async def details(
        self, query: ParticipantQuery, priority: Priority = Priority.INTERACTIVE
    ) -> tuple[Mapping[str, Any] | None, str | None]:
        """GetParticipant alone, for a history fetched without it: (details, why they are missing)."""
        outcome = await _outcome(asyncio.create_task(self.get_participant(query, priority)))
        return _optional(outcome, "GetParticipant", query), _reason(outcome)


async def _no_details() -> Mapping[str, Any]:
    return {}


async def _outcome(task: asyncio.Task[Mapping[str, Any]]) -> Mapping[str, Any] | IvsQueryError:
    """A detail call's result, or the user-facing error it failed with (anything else propagates)."""
    try:
        return await task
    except IvsQueryError as error:
        return error


def _optional(
    result: Mapping[str, Any] | IvsQueryError, operation: str, query: ParticipantQuery
) -> Mapping[str, Any] | None:
    if isinstance(result, IvsQueryError):
        logger.warning("%s failed for %s: %s", operation, query.as_value(), result.user_message)
        return None
    return result or None


def _reason(result: Mapping[str, Any] | IvsQueryError) -> str | None:
    return result.user_message if isinstance(result, IvsQueryError) else None


def _snake(operation: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")
