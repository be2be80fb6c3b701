"""Where one query's progress, answer or failure goes: a slash command's ``response_url``, or a thread."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from bot.replies.response_url import ResponseUrl
from bot.replies.slack_calls import SLACK_FAILURES, message_body, slack_error
from bot.views import SlackReply, build_error_reply
from bot.views.mrkdwn import escape

if TYPE_CHECKING:
    from bot.replies.flow import QueryReplies

logger = logging.getLogger(__name__)

# Progress on a slash command: two updates, so the answer (delete the note + post in_channel) and one
# failure notice still fit in the five posts.
COMMAND_PROGRESS_UPDATES = 2
# Progress in a thread edits one placeholder message with chat.update (Tier 3, ~50 per minute).
THREAD_PROGRESS_UPDATES = 30


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
