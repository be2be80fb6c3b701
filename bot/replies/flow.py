"""The query flow: fetch, analyse and deliver an answer or share the JSON file, in tracked background work."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.background import TaskTracker
from bot.domain.errors import IvsQueryError
from bot.domain.history import ParticipantHistory
from bot.domain.queries import ParticipantQuery, Question
from bot.ivs.export import export_filename, history_to_json
from bot.ivs.service import IvsService
from bot.replies.jobs import JobResult, Jobs
from bot.replies.progress import ProgressReporter
from bot.replies.query_log import Asker, log_query
from bot.replies.response_url import ResponseUrl
from bot.replies.slack_calls import NOT_A_MEMBER, SLACK_FAILURES, as_member, slack_error
from bot.replies.targets import AnswerTarget, CommandAnswer, PrivateAnswer, PrivateLine, ThreadAnswer
from bot.views import SlackReply, build_error_reply, with_notice
from bot.views.mrkdwn import code

logger = logging.getLogger(__name__)

T = TypeVar("T")
Clock = Callable[[], datetime]

INTERNAL_ERROR = (
    "Something went wrong inside the bot while answering. Please try again; "
    "if it keeps failing, tell the bot's owners (it is in their logs)."
)
INTERRUPTED = "Interrupted by a restart of the bot before the answer was ready: please ask again in a minute."
# How long the "interrupted" notice may take: shutdown must end within 25 s of SIGTERM, whatever Slack does.
INTERRUPTED_NOTICE_TIMEOUT = 4.0


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
        self.jobs = Jobs(ivs, now=now)
        self.client = client
        self.tasks = tasks
        self._now = now

    # --- starting work (called from listeners, after ack) ---

    def spawn(self, work: Coroutine[Any, Any, None], *, name: str) -> None:
        """Run work after the ack, tracked so shutdown lets it finish."""
        self.tasks.spawn(work, name=name)

    def answer_later(
        self, query: Question, asker: Asker, target: AnswerTarget, *, note: str | None = None
    ) -> None:
        """Fetch, analyse and deliver in the background (``note``: see :meth:`answer`)."""
        self.spawn(self.answer(query, asker, target, note=note), name=f"answer {asker.surface}")

    def upload_later(self, query: ParticipantQuery, share: FileShare) -> None:
        """Share the full JSON in the background."""
        self.spawn(self.upload_json(query, share), name=f"upload {query.participant_id}")

    def note_later(self, response_url: str, text: str) -> None:
        """Send a private note through a response_url in the background."""
        self.spawn(_discard(ResponseUrl(response_url).note(text)), name="note")

    def command_target(self, *, response_url: str, channel: str, user: str, private: bool) -> CommandAnswer:
        """Answer a slash command through its ``response_url`` (privately by other means if it fails)."""
        line = PrivateLine(self.client, channel=channel, user=user)
        return CommandAnswer(ResponseUrl(response_url), line, private=private)

    def click_target(self, share: FileShare) -> AnswerTarget:
        """Answer a button click: in the clicked message's thread, or privately when only the clicker
        could see that message."""
        if share.private or share.thread_ts is None:
            line = PrivateLine(self.client, channel=share.channel_id, user=share.user_id)
            return PrivateAnswer(share.response_url, line)
        return ThreadAnswer(
            self.client,
            channel=share.channel_id,
            thread_ts=share.thread_ts,
            user=share.user_id,
            response_url=share.response_url,
        )

    def thread_target(
        self, *, channel: str, thread_ts: str, user: str, response_url: str | None = None
    ) -> ThreadAnswer:
        """Answer in a thread; ``response_url`` (a shortcut's) carries private notes to the asker."""
        url = ResponseUrl(response_url) if response_url else None
        return ThreadAnswer(self.client, channel=channel, thread_ts=thread_ts, user=user, response_url=url)

    # --- the work ---

    async def answer(
        self, query: Question, asker: Asker, target: AnswerTarget, *, note: str | None = None
    ) -> None:
        """Run the question's job (fetch with progress, analyse, render) and deliver; a failure is one line.

        Args:
            query: what was asked (a participant, a user id, a session or a stage).
            asker: who asked, where, how (for the log line).
            target: where the answer goes.
            note: one line of mrkdwn (escaped) shown above the answer, e.g. the other participants the
                message names.
        """
        started = time.monotonic()
        reporter = ProgressReporter(target)
        reporter.start()
        result: JobResult | None = None
        outcome = "ok"
        try:
            result = await self.jobs.run(query, reporter)
            reply = result.reply
            if note:
                reply = with_notice(reply, note)
            await reporter.settle()
            if not await target.deliver(reply):
                outcome = "not_delivered"
        except IvsQueryError as error:
            outcome = error.kind
            await reporter.settle()
            await target.fail(error.user_message)
        except asyncio.CancelledError:
            outcome = "interrupted"
            await reporter.stop()
            await _within_shutdown(target.fail(INTERRUPTED, urgent=True))
            raise
        except Exception:
            outcome = "internal_error"
            logger.exception("answering %s failed", query)
            await reporter.settle()
            await target.fail(INTERNAL_ERROR)
        finally:
            sizes = (result.pages, result.events) if result else (None, None)
            log_query(asker, query, *sizes, started=started, outcome=outcome)

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
                await self._tell_clicker(share, "Fetching the events again for the JSON file…")
                history = await self.ivs.history(query)
            outcome = await self._share_file(history, share)
        except IvsQueryError as error:
            outcome = error.kind
            await self._tell_clicker(share, build_error_reply(error.user_message).text)
        except SLACK_FAILURES as error:
            outcome = "slack_error"
            logger.warning("uploading JSON for %s failed: %s", query.as_value(), slack_error(error))
            await self._tell_clicker(
                share,
                f"I could not upload the JSON file: Slack said {code(slack_error(error))}. Try again later.",
            )
        except asyncio.CancelledError:
            outcome = "interrupted"
            await _within_shutdown(self._tell_clicker(share, INTERRUPTED, urgent=True))
            raise
        except Exception:
            outcome = "internal_error"
            logger.exception("uploading JSON for %s failed", query.as_value())
            await self._tell_clicker(share, INTERNAL_ERROR)
        finally:
            sizes = (history.pages, len(history.events)) if history else (None, None)
            log_query(asker, query, *sizes, started=started, outcome=outcome)

    async def _tell_clicker(self, share: FileShare, text: str, *, urgent: bool = False) -> bool:
        """A private note to whoever clicked: through the click's response_url, else another way."""
        if await share.response_url.note(text, urgent=urgent):
            return True
        line = PrivateLine(
            self.client, channel=share.channel_id, user=share.user_id, thread_ts=share.thread_ts
        )
        return await line.tell(SlackReply(text=text, blocks=[]))

    async def _share_file(self, history: ParticipantHistory, share: FileShare) -> str:
        query = history.query
        events = len(history.events)
        # Pure but heavy (about 0.4 s for 100,000 events): off the loop, so other users' acks stay fast.
        content, filename = await asyncio.to_thread(history_to_json, history), export_filename(history)

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
                await as_member(
                    self.client, share.channel_id, lambda: upload(share.channel_id, share.thread_ts)
                )
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
        await self._tell_clicker(share, f"{reason}, so I sent {code(filename)} to you in a direct message.")
        return "ok_direct_message"

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


async def _within_shutdown(notice: Awaitable[object]) -> None:
    """Send a last notice while shutting down, giving up after INTERRUPTED_NOTICE_TIMEOUT seconds."""
    try:
        async with asyncio.timeout(INTERRUPTED_NOTICE_TIMEOUT):
            await notice
    except TimeoutError:
        logger.warning(
            "shutdown: Slack did not take the interruption notice within %.0f s", INTERRUPTED_NOTICE_TIMEOUT
        )
    except Exception:
        logger.exception("shutdown: the interruption notice failed")
