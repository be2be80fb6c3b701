"""Run a participant query for someone in Slack and deliver what it finds: the flow every surface shares.

A listener acknowledges Slack, works out *what* was asked (a :class:`ParticipantQuery`), *who* asked and
*where* (an :class:`Asker`), and *how* to answer (an :class:`AnswerTarget`: a slash command's
``response_url``, or a thread). :class:`QueryReplies` does the rest in tracked background work: fetch
through the IVS service with progress, analyse, render, deliver, and write one structured log line.

Slack quirks handled here, once:
- ``response_url`` accepts 5 posts in 30 minutes and answers HTTP errors without raising in the SDK:
  :class:`ResponseUrl` budgets and checks every post.
- A bot that is not a member of a channel cannot post or share files there (``not_in_channel``): join the
  public channel and retry; otherwise tell the asker privately, or send the file as a direct message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.analysis import analyze
from bot.background import TaskTracker
from bot.ivs.errors import IvsQueryError
from bot.ivs.export import export_filename, history_to_json
from bot.ivs.find_ids import FoundIds
from bot.ivs.history import FetchProgress, ParticipantHistory
from bot.ivs.query import EXAMPLE, USAGE, ParticipantQuery
from bot.ivs.service import IvsService
from bot.views import SlackReply, build_error_reply, build_progress_message, build_reply
from bot.views.mrkdwn import code, escape

logger = logging.getLogger(__name__)
query_log = logging.getLogger("bot.queries")

T = TypeVar("T")
Clock = Callable[[], datetime]

# Slack: "use response_url up to 5 times within 30 minutes".
RESPONSE_URL_POSTS = 5
# Progress on a slash command: two updates, so the answer (delete the note + post in_channel) and one
# failure notice still fit in the five posts.
COMMAND_PROGRESS_UPDATES = 2
# Progress in a thread edits one placeholder message with chat.update (Tier 3, ~50 per minute).
THREAD_PROGRESS_UPDATES = 30
# The first progress update waits this long (a cached or one-page answer needs none), and updates are
# at least this far apart; the gap doubles after each update, up to PROGRESS_MAX_GAP.
PROGRESS_FIRST_AFTER = 1.0
PROGRESS_MAX_GAP = 8.0
NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})
SLACK_FAILURES = (SlackClientError, aiohttp.ClientError, TimeoutError)
INTERNAL_ERROR = (
    "Something went wrong inside the bot while answering. Please try again; "
    "if it keeps failing, tell the bot's owners (it is in their logs)."
)


def slack_retry_handlers(*, max_retries: int = 2) -> list[AsyncRetryHandler]:
    """Retry what is worth retrying: connection errors, 429 (after Retry-After) and Slack's 500/503."""
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=max_retries),
        AsyncRateLimitErrorRetryHandler(max_retry_count=max_retries),
        AsyncServerErrorRetryHandler(max_retry_count=max_retries),
    ]


def message_body(reply: SlackReply) -> dict[str, Any]:
    """A rendered reply as message fields (``text`` is the notification and fallback)."""
    return {"text": reply.text, "blocks": list(reply.blocks)}


def slack_error(error: BaseException) -> str:
    """Slack's error code (``not_in_channel``) or the exception's class name, for messages and logs."""
    if isinstance(error, SlackApiError):
        data = error.response.data
        code = data.get("error") if isinstance(data, dict) else None
        return str(code or f"HTTP {error.response.status_code}")
    return type(error).__name__


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asked, where, and through which surface (for the log line and for private notes)."""

    user_id: str
    channel_id: str
    surface: str
    thread_ts: str | None = None


# --- response_url -----------------------------------------------------------------------------------


class ResponseUrl:
    """One ``response_url``: posts JSON within Slack's budget and reports whether Slack took it.

    slack_sdk's webhook client (like Bolt's ``respond()``) returns HTTP errors instead of raising; every
    post's status is checked here and a failure is logged (without the URL, which is a credential).
    """

    def __init__(self, url: str, *, budget: int = RESPONSE_URL_POSTS) -> None:
        self._client = AsyncWebhookClient(url, retry_handlers=slack_retry_handlers())
        self._left = budget

    @property
    def posts_left(self) -> int:
        """Posts Slack still accepts on this URL."""
        return self._left

    async def post(self, body: dict[str, Any]) -> bool:
        """Send one message body; False (and a log line) when over budget or Slack refused it."""
        if self._left <= 0:
            logger.warning("response_url budget used up; dropped a post (%s)", _shape(body))
            return False
        self._left -= 1
        try:
            response = await self._client.send_dict(body)
        except SLACK_FAILURES as error:
            logger.warning("response_url post failed: %s (%s)", slack_error(error), _shape(body))
            return False
        if response.status_code != 200:
            logger.warning(
                "response_url post refused: HTTP %s %r (%s)",
                response.status_code,
                (response.body or "")[:200],
                _shape(body),
            )
            return False
        return True

    async def note(self, text: str) -> bool:
        """A private (ephemeral) note to the person who used the command, shortcut or button.

        Never ``replace_original``: for a shortcut or a button the original is somebody's message.
        """
        return await self.post({"response_type": "ephemeral", "replace_original": False, "text": text})


def _shape(body: dict[str, Any]) -> str:
    flags = [k for k in ("replace_original", "delete_original") if body.get(k)]
    return " ".join([str(body.get("response_type", "-")), *flags])


# --- where answers go --------------------------------------------------------------------------------


class AnswerTarget(Protocol):
    """Where one query's progress, answer or failure goes."""

    progress_updates: int

    async def progress(self, reply: SlackReply) -> None:
        """Show how far the fetch got (best effort)."""

    async def deliver(self, reply: SlackReply) -> bool:
        """Post the answer; False when it could not be delivered (the asker has been told if possible)."""

    async def fail(self, text: str) -> None:
        """Tell the asker, in one line, why there is no answer."""


class CommandAnswer:
    """A slash command's answer, through its ``response_url``.

    The command's ack already shows a private "Fetching events…" note; progress replaces it. The answer
    goes ``in_channel`` (an in_channel message cannot replace an ephemeral one, so the note is deleted
    first), or replaces the note when the asker said ``private``.
    """

    progress_updates = COMMAND_PROGRESS_UPDATES

    def __init__(self, response_url: ResponseUrl, *, private: bool) -> None:
        self._url = response_url
        self._private = private
        self._note_shown = True  # the ack's note

    async def progress(self, reply: SlackReply) -> None:
        await self._url.post({"response_type": "ephemeral", "replace_original": True, **message_body(reply)})

    async def deliver(self, reply: SlackReply) -> bool:
        if self._private:
            return await self._url.post(
                {"response_type": "ephemeral", "replace_original": True, **message_body(reply)}
            )
        if await self._url.post({"delete_original": True}):
            self._note_shown = False
        if await self._url.post({"response_type": "in_channel", **message_body(reply)}):
            return True
        await self.fail("I could not post the answer in this channel (Slack refused it). Try again later.")
        return False

    async def fail(self, text: str) -> None:
        body = {"response_type": "ephemeral", "replace_original": self._note_shown}
        await self._url.post({**body, **message_body(build_error_reply(text))})


class ThreadAnswer:
    """An answer in a thread (message shortcut, @mention), with chat.postMessage.

    A fetch that takes a while gets a placeholder message in the thread, edited as pages arrive and
    finally replaced by the answer. A failure goes to the asker privately (``response_url`` for a
    shortcut, chat.postEphemeral for a mention), or into the placeholder once there is one.
    """

    progress_updates = THREAD_PROGRESS_UPDATES

    def __init__(
        self,
        replies: QueryReplies,
        *,
        channel: str,
        thread_ts: str,
        user: str,
        response_url: ResponseUrl | None = None,
    ) -> None:
        self._replies = replies
        self._client = replies.client
        self._channel, self._thread_ts, self._user = channel, thread_ts, user
        self._response_url = response_url
        self._placeholder: str | None = None

    async def progress(self, reply: SlackReply) -> None:
        try:
            await self._post_or_update(reply)
        except SLACK_FAILURES as error:
            logger.warning("progress update failed in %s: %s", self._channel, slack_error(error))

    async def deliver(self, reply: SlackReply) -> bool:
        try:
            await self._post_or_update(reply)
        except SLACK_FAILURES as error:
            logger.warning("answer refused in %s: %s", self._channel, slack_error(error))
            await self.tell_privately(
                f"I could not post the answer in this thread (Slack said `{escape(slack_error(error))}`). "
                "Invite me to the channel, or use the slash command."
            )
            return False
        return True

    async def fail(self, text: str) -> None:
        reply = build_error_reply(text)
        if self._placeholder is not None:
            try:
                await self._client.chat_update(
                    channel=self._channel, ts=self._placeholder, **message_body(reply)
                )
                return
            except SLACK_FAILURES as error:
                logger.warning("could not show the failure in %s: %s", self._channel, slack_error(error))
        await self.tell_privately(reply.text)

    async def _post_or_update(self, reply: SlackReply) -> None:
        if self._placeholder is not None:
            await self._client.chat_update(channel=self._channel, ts=self._placeholder, **message_body(reply))
            return

        async def post() -> Any:
            return await self._client.chat_postMessage(
                channel=self._channel, thread_ts=self._thread_ts, **message_body(reply)
            )

        response = await self._replies.as_member(self._channel, post)
        self._placeholder = str(response["ts"])

    async def tell_privately(self, text: str) -> None:
        """A note only the asker sees, in the thread."""
        if self._response_url is not None:
            await self._response_url.note(text)
            return
        try:
            await self._client.chat_postEphemeral(
                channel=self._channel, user=self._user, thread_ts=self._thread_ts, text=text
            )
        except SLACK_FAILURES as error:
            logger.warning("could not tell %s privately: %s", self._user, slack_error(error))


# --- progress -----------------------------------------------------------------------------------------


class ProgressReporter:
    """The ``on_progress`` callback of a fetch: forwards page counts to the target, rarely.

    Updates wait :data:`PROGRESS_FIRST_AFTER` seconds, are at least a second apart (the gap doubles up to
    :data:`PROGRESS_MAX_GAP`), stay within the target's budget and never block the fetch: a slow Slack
    makes the reporter skip updates, not slow the pages down.
    """

    def __init__(self, target: AnswerTarget, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._target = target
        self._clock = clock
        self._next_at = clock() + PROGRESS_FIRST_AFTER
        self._gap = PROGRESS_FIRST_AFTER
        self._left = target.progress_updates
        self._sending: asyncio.Task[None] | None = None

    async def __call__(self, progress: FetchProgress) -> None:
        now = self._clock()
        if self._left <= 0 or now < self._next_at or (self._sending and not self._sending.done()):
            return
        self._left -= 1
        self._next_at = now + self._gap
        self._gap = min(self._gap * 2, PROGRESS_MAX_GAP)
        reply = build_progress_message(progress.pages, progress.events)
        self._sending = asyncio.get_running_loop().create_task(self._target.progress(reply))

    async def settle(self) -> None:
        """Wait for an update still on its way, so it cannot land after the answer."""
        if self._sending is not None:
            await asyncio.gather(self._sending, return_exceptions=True)


# --- the flow -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileShare:
    """Where a button click wants the full JSON: the clicked message's channel and thread.

    ``private`` is a click on an answer only the clicker could see: the file goes to them alone.
    """

    channel_id: str
    thread_ts: str | None
    user_id: str
    response_url: ResponseUrl
    private: bool = False


class QueryReplies:
    """Answers participant queries in Slack; owns the background work that does it.

    Args:
        ivs: the IVS service (cached, rate-limited fetches).
        client: the Slack Web API client.
        tasks: where background work is tracked (shutdown waits for it).
        now: the wall clock, for the analysis ("ended 5 minutes ago").
    """

    def __init__(
        self,
        ivs: IvsService,
        client: AsyncWebClient,
        tasks: TaskTracker,
        *,
        now: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self.ivs = ivs
        self.client = client
        self.tasks = tasks
        self._now = now

    # --- starting work (called from listeners, after ack) ---

    def spawn(self, work: Coroutine[Any, Any, None], *, name: str) -> None:
        """Run work after the ack, tracked so shutdown lets it finish."""
        self.tasks.spawn(work, name=name)

    def answer_later(self, query: ParticipantQuery, asker: Asker, target: AnswerTarget) -> None:
        """Fetch, analyse and deliver in the background."""
        self.spawn(self.answer(query, asker, target), name=f"answer {asker.surface} {query.participant_id}")

    def upload_later(self, query: ParticipantQuery, share: FileShare) -> None:
        """Share the full JSON in the background."""
        self.spawn(self.upload_json(query, share), name=f"upload {query.participant_id}")

    def note_later(self, response_url: str, text: str) -> None:
        """Send a private note through a response_url in the background."""
        self.spawn(_discard(ResponseUrl(response_url).note(text)), name="note")

    def thread_target(
        self, *, channel: str, thread_ts: str, user: str, response_url: str | None = None
    ) -> ThreadAnswer:
        """Answer in a thread; ``response_url`` (a shortcut's) carries private notes to the asker."""
        url = ResponseUrl(response_url) if response_url else None
        return ThreadAnswer(self, channel=channel, thread_ts=thread_ts, user=user, response_url=url)

    # --- the work ---

    async def answer(self, query: ParticipantQuery, asker: Asker, target: AnswerTarget) -> None:
        """Fetch every page (with progress), analyse, render and deliver; failures become one line."""
        started = time.monotonic()
        reporter = ProgressReporter(target)
        history: ParticipantHistory | None = None
        outcome = "ok"
        try:
            history = await self.ivs.history(query, on_progress=reporter)
            reply = build_reply(analyze(history, now=self._now()))
            await reporter.settle()
            if not await target.deliver(reply):
                outcome = "not_delivered"
        except IvsQueryError as error:
            outcome = error.kind
            await reporter.settle()
            await target.fail(error.user_message)
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        except Exception:
            outcome = "internal_error"
            logger.exception("answering %s failed", query.as_value())
            await reporter.settle()
            await target.fail(INTERNAL_ERROR)
        finally:
            log_query(asker, query, history, started=started, outcome=outcome)

    async def upload_json(self, query: ParticipantQuery, share: FileShare) -> None:
        """Share the full history as a JSON file in the clicked message's channel and thread.

        Served from the service's cache when it still holds the history (any instance can serve the
        click: the button's value carries the query); fetched again otherwise.
        """
        started = time.monotonic()
        asker = Asker(share.user_id, share.channel_id, "button", share.thread_ts)
        history: ParticipantHistory | None = None
        outcome = "ok"
        try:
            history = self.ivs.cached(query)
            if history is None:
                await share.response_url.note("Fetching the events again for the JSON file…")
                history = await self.ivs.history(query)
            outcome = await self._share_file(history, share)
        except IvsQueryError as error:
            outcome = error.kind
            await share.response_url.note(build_error_reply(error.user_message).text)
        except SLACK_FAILURES as error:
            outcome = "slack_error"
            logger.warning("uploading JSON for %s failed: %s", query.as_value(), slack_error(error))
            await share.response_url.note(
                f"I could not upload the JSON file: Slack said {code(slack_error(error))}. Try again later."
            )
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        except Exception:
            outcome = "internal_error"
            logger.exception("uploading JSON for %s failed", query.as_value())
            await share.response_url.note(INTERNAL_ERROR)
        finally:
            log_query(asker, query, history, started=started, outcome=outcome)

    async def _share_file(self, history: ParticipantHistory, share: FileShare) -> str:
        query = history.query
        events = len(history.events)
        content, filename = history_to_json(history), export_filename(history)

        async def upload(channel: str, thread_ts: str | None) -> Any:
            return await self.client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts,
                content=content,
                filename=filename,
                title=f"IVS events: participant {query.participant_id}, session {query.session_id}",
                initial_comment=(
                    f"All {events} event{'' if events == 1 else 's'} of participant "
                    f"{code(query.participant_id)} in session {code(query.session_id)}, as JSON "
                    f"(asked by <@{share.user_id}>)."
                ),
            )

        if share.private:
            reason = "The answer was private"
        else:
            try:
                await self.as_member(share.channel_id, lambda: upload(share.channel_id, share.thread_ts))
                return "ok"
            except SlackApiError as error:
                if slack_error(error) not in NOT_A_MEMBER:
                    raise
                logger.info(
                    "cannot share files in %s (%s); sending a DM", share.channel_id, slack_error(error)
                )
            reason = "I can't share files in this channel"
        opened = await self.client.conversations_open(users=share.user_id)
        await upload(opened["channel"]["id"], None)
        await share.response_url.note(f"{reason}, so I sent {code(filename)} to you in a direct message.")
        return "ok_direct_message"

    async def as_member(self, channel: str, call: Callable[[], Awaitable[T]]) -> T:
        """Run a Web API call in ``channel``; if Slack says the bot is not in it, join and try once more.

        Joining needs the ``channels:join`` scope and only works for public channels; otherwise the
        original error is raised for the caller to fall back.
        """
        try:
            return await call()
        except SlackApiError as error:
            if slack_error(error) not in NOT_A_MEMBER or not await self._join(channel):
                raise
        return await call()

    async def _join(self, channel: str) -> bool:
        if channel.startswith("D"):  # a direct message: nothing to join
            return False
        try:
            await self.client.conversations_join(channel=channel)
        except SLACK_FAILURES as error:
            logger.info("could not join %s: %s", channel, slack_error(error))
            return False
        logger.info("joined %s to answer there", channel)
        return True

    async def thread_parent(self, channel: str, thread_ts: str) -> dict[str, Any] | None:
        """The first message of a thread (conversations.replies), or None when Slack will not say."""
        try:
            response = await self.client.conversations_replies(channel=channel, ts=thread_ts, limit=1)
        except SLACK_FAILURES as error:
            logger.warning("could not read thread %s in %s: %s", thread_ts, channel, slack_error(error))
            return None
        messages = response.get("messages") or []
        return dict(messages[0]) if messages else None


async def _discard(work: Awaitable[object]) -> None:
    await work


def log_query(
    asker: Asker,
    query: ParticipantQuery,
    history: ParticipantHistory | None,
    *,
    started: float,
    outcome: str,
) -> None:
    """The one structured line per query: who, where, what, how much, how long, how it ended."""
    fields = {
        "event": "ivs_query",
        "surface": asker.surface,
        "user": asker.user_id,
        "channel": asker.channel_id,
        "thread_ts": asker.thread_ts,
        "stage_arn": query.stage_arn,
        "session_id": query.session_id,
        "participant_id": query.participant_id,
        "pages": history.pages if history else None,
        "events": len(history.events) if history else None,
        "duration_ms": round((time.monotonic() - started) * 1000),
        "outcome": outcome,
    }
    query_log.info(json.dumps(fields, sort_keys=True))


def missing_ids_note(found: FoundIds, *, where: str = "that message") -> str:
    """Tell the asker what ``where`` held and what is missing to answer (mrkdwn, escaped)."""
    parts = [f"{name} {code(value)}" for name, value in found.found]
    seen = "I found " + ", ".join(parts) if parts else "I found no IVS ids"
    missing = found.missing
    line = f"{seen} in {where}, but no {' and no '.join(missing)}."
    if found.stage_without_account:
        stage_id, region = found.stage_without_account
        line += (
            f" The console link names stage {code(stage_id)} in {code(region)} but not its AWS account: "
            f"paste the stage ARN (`arn:aws:ivs:{escape(region)}:<account>:stage/{escape(stage_id)}`)."
        )
    return f"{line} Usage: {code(USAGE)}, for example {code(EXAMPLE)}."
