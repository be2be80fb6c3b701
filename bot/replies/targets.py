"""Where one query's progress, answer or failure goes: a slash command's ``response_url``, or a thread."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from slack_sdk.web.async_client import AsyncWebClient

from bot.replies.response_url import RESPONSE_URL_POSTS, ResponseUrl
from bot.replies.slack_calls import NOT_A_MEMBER, SLACK_FAILURES, as_member, message_body, slack_error
from bot.views import SlackReply, build_error_reply, build_progress_message, with_notice
from bot.views.mrkdwn import code

logger = logging.getLogger(__name__)

# When a slash command's progress may be shown (seconds after the fetch began): spread over a long fetch,
# within response_url's 5 posts, keeping the posts the answer needs (2 for an answer in the channel:
# delete the private note, post the answer; 1 for a private answer, which replaces the note).
COMMAND_PROGRESS_SCHEDULE = (1.0, 10.0, 45.0, 120.0)
# Progress in a thread edits one placeholder message with chat.update (Tier 3, ~50 per minute): often at
# first, then every 15 s for as long as a fetch can last (30 updates: about 6 minutes).
THREAD_PROGRESS_SCHEDULE = (1.0, 2.0, 4.0, 8.0, *(8.0 + 15.0 * n for n in range(1, 27)))


class AnswerTarget(Protocol):
    """Where one query's progress, answer or failure goes."""

    @property
    def progress_schedule(self) -> tuple[float, ...]:
        """When progress updates may be shown: seconds after the fetch began, one entry per update."""

    @property
    def progress_shown(self) -> str | None:
        """The progress text the asker already sees (a command's ack), so the same is not sent again."""

    async def progress(self, reply: SlackReply) -> None:
        """Show how far the fetch got (best effort)."""

    async def deliver(self, reply: SlackReply) -> bool:
        """Post the answer; False when it could not be delivered (the asker has been told if possible)."""

    async def fail(self, text: str, *, urgent: bool = False) -> None:
        """Tell the asker, in one line, why there is no answer (``urgent``: once, no retries: shutdown)."""


class PrivateLine:
    """Messages only one person sees, without a response_url: chat.postEphemeral, else a direct message.

    Where the bot may not post even an ephemeral message (a channel it is not in), a direct message
    (scope ``im:write``) still reaches the asker.
    """

    def __init__(self, client: AsyncWebClient, *, channel: str, user: str, thread_ts: str | None = None):
        self._client = client
        self._channel, self._user, self._thread_ts = channel, user, thread_ts

    async def tell(self, reply: SlackReply, *, urgent: bool = False) -> bool:
        """Send ``reply`` to the user alone; False when nothing got through.

        ``urgent`` (a last notice while shutting down): each call once, without retries.
        """
        client = _without_retries(self._client) if urgent else self._client
        try:
            await client.chat_postEphemeral(
                channel=self._channel, user=self._user, thread_ts=self._thread_ts, **_fields(reply)
            )
            return True
        except SLACK_FAILURES as error:
            logger.warning("could not tell %s privately: %s", self._user, slack_error(error))
        return await self._direct_message(client, reply)

    async def _direct_message(self, client: AsyncWebClient, reply: SlackReply) -> bool:
        notice = "I can't post where you asked me, so here is my reply in a direct message."
        if reply.blocks:
            reply = with_notice(reply, notice)
        else:
            reply = SlackReply(text=f"{notice}\n{reply.text}", blocks=[])
        try:
            opened = await client.conversations_open(users=self._user)
            await client.chat_postMessage(channel=opened["channel"]["id"], **_fields(reply))
        except SLACK_FAILURES as error:
            logger.warning("could not send %s a direct message: %s", self._user, slack_error(error))
            return False
        return True


class CommandAnswer:
    """A slash command's answer, through its ``response_url``.

    The command's ack already shows a private "Fetching events…" note; progress replaces it. The answer
    goes ``in_channel`` (an in_channel message cannot replace an ephemeral one, so the note is deleted
    first), or replaces the note when the asker said ``private``.

    When the response_url keeps failing (Slack down for it, expired, its posts used up), the answer or
    the failure still reaches the asker, privately (:class:`PrivateLine`), saying why it came that way.
    """

    def __init__(self, response_url: ResponseUrl, private_line: PrivateLine, *, private: bool) -> None:
        self._url = response_url
        self._private_line = private_line
        self._private = private
        self._note_shown = True  # the ack's note
        self.progress_shown = build_progress_message(0, 0).text  # what that note says
        answer_posts = 1 if private else 2
        self.progress_schedule = COMMAND_PROGRESS_SCHEDULE[: RESPONSE_URL_POSTS - answer_posts]

    async def progress(self, reply: SlackReply) -> None:
        await self._url.post({"response_type": "ephemeral", "replace_original": True, **message_body(reply)})

    async def deliver(self, reply: SlackReply) -> bool:
        if self._private:
            body = {"response_type": "ephemeral", "replace_original": True, **message_body(reply)}
            return await self._url.post(body) or await self._another_way(reply)
        if await self._url.post({"delete_original": True}):
            self._note_shown = False
        if await self._url.post({"response_type": "in_channel", **message_body(reply)}):
            return True
        return await self._another_way(reply)

    async def fail(self, text: str, *, urgent: bool = False) -> None:
        reply = build_error_reply(text)
        body = {"response_type": "ephemeral", "replace_original": self._note_shown}
        if not await self._url.post({**body, **message_body(reply)}, urgent=urgent):
            await self._another_way(reply, urgent=urgent)

    async def _another_way(self, reply: SlackReply, *, urgent: bool = False) -> bool:
        why = self._url.failure or "Slack refused it"
        notice = f":lock: Only you can see this: I could not answer through the command's reply URL ({why})."
        return await self._private_line.tell(with_notice(reply, notice), urgent=urgent)


class PrivateAnswer:
    """An answer only the asker sees, where they clicked a button on a message only they could see.

    Through the click's ``response_url`` as a new private message (never replacing the one clicked), else
    chat.postEphemeral or a direct message. No progress: there is nothing private to edit.
    """

    progress_schedule: tuple[float, ...] = ()
    progress_shown: str | None = None

    def __init__(self, response_url: ResponseUrl, private_line: PrivateLine) -> None:
        self._url = response_url
        self._private_line = private_line

    async def progress(self, reply: SlackReply) -> None:
        return None

    async def deliver(self, reply: SlackReply, *, urgent: bool = False) -> bool:
        body = {"response_type": "ephemeral", "replace_original": False, **message_body(reply)}
        return await self._url.post(body, urgent=urgent) or await self._private_line.tell(
            reply, urgent=urgent
        )

    async def fail(self, text: str, *, urgent: bool = False) -> None:
        await self.deliver(build_error_reply(text), urgent=urgent)


class ThreadAnswer:
    """An answer in a thread (message shortcut, @mention), with chat.postMessage.

    A fetch that takes a while gets a placeholder message in the thread, edited as pages arrive and
    finally replaced by the answer. A failure goes to the asker privately (``response_url`` for a
    shortcut, chat.postEphemeral for a mention), or into the placeholder once there is one.

    Where the bot cannot post at all (a private channel or a direct message it is not in, after trying to
    join a public channel), the finished answer is not thrown away: it goes to the asker privately, blocks
    and button included, with one line saying why.
    """

    progress_schedule = THREAD_PROGRESS_SCHEDULE
    progress_shown: str | None = None

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        channel: str,
        thread_ts: str,
        user: str,
        response_url: ResponseUrl | None = None,
    ) -> None:
        self._client = client
        self._channel, self._thread_ts, self._user = channel, thread_ts, user
        self._response_url = response_url
        self._private_line = PrivateLine(self._client, channel=channel, user=user, thread_ts=thread_ts)
        self._placeholder: str | None = None
        self._shut_out: str | None = None  # Slack's error once it said the bot may not post here

    async def progress(self, reply: SlackReply) -> None:
        if self._shut_out is not None:
            return
        try:
            await self._post_or_update(reply)
        except SLACK_FAILURES as error:
            logger.warning("progress update failed in %s: %s", self._channel, slack_error(error))
            if slack_error(error) in NOT_A_MEMBER:
                self._shut_out = slack_error(error)

    async def deliver(self, reply: SlackReply) -> bool:
        if self._shut_out is None:
            try:
                await self._post_or_update(reply)
                return True
            except SLACK_FAILURES as error:
                logger.warning("answer refused in %s: %s", self._channel, slack_error(error))
                if slack_error(error) not in NOT_A_MEMBER:
                    said = code(slack_error(error))
                    await self.tell_privately(
                        f"I could not post the answer in this thread (Slack said {said}). Try again later."
                    )
                    return False
                self._shut_out = slack_error(error)
        logger.info(
            "cannot post in %s (%s); answering %s privately", self._channel, self._shut_out, self._user
        )
        return await self.tell_privately(with_notice(reply, self._why_private()))

    async def fail(self, text: str, *, urgent: bool = False) -> None:
        reply = build_error_reply(text)
        if self._placeholder is not None:
            client = _without_retries(self._client) if urgent else self._client
            try:
                await client.chat_update(channel=self._channel, ts=self._placeholder, **message_body(reply))
                return
            except SLACK_FAILURES as error:
                logger.warning("could not show the failure in %s: %s", self._channel, slack_error(error))
        await self.tell_privately(reply.text, urgent=urgent)

    async def _post_or_update(self, reply: SlackReply) -> None:
        if self._placeholder is not None:
            await self._client.chat_update(channel=self._channel, ts=self._placeholder, **message_body(reply))
            return

        async def post() -> Any:
            return await self._client.chat_postMessage(
                channel=self._channel, thread_ts=self._thread_ts, **message_body(reply)
            )

        response = await as_member(self._client, self._channel, post)
        self._placeholder = str(response["ts"])

    def _why_private(self) -> str:
        said = f"Slack said {code(self._shut_out)}"
        if self._channel.startswith("D"):
            return (
                ":lock: Only you can see this answer: I can't post in a direct message "
                f"I'm not part of ({said})."
            )
        return (
            f":lock: Only you can see this answer: I'm not in this channel and can't join it ({said}). "
            "Add me to the channel to get answers in its threads."
        )

    async def tell_privately(self, message: str | SlackReply, *, urgent: bool = False) -> bool:
        """A message only the asker sees, in the thread: a line of mrkdwn, or a whole reply with blocks.

        Through the shortcut's ``response_url`` when there is one (and it works); else chat.postEphemeral;
        and where the bot may not post even that, a direct message (scope ``im:write``). False when nothing
        got through.
        """
        reply = message if isinstance(message, SlackReply) else SlackReply(text=message, blocks=[])
        if self._response_url is not None:
            body = {"response_type": "ephemeral", "replace_original": False, **_fields(reply)}
            if await self._response_url.post(body, urgent=urgent):
                return True
        return await self._private_line.tell(reply, urgent=urgent)


def _without_retries(client: AsyncWebClient) -> AsyncWebClient:
    """The same client (token, base URL), trying each call once: for a last notice while shutting down."""
    return AsyncWebClient(token=client.token, base_url=client.base_url, timeout=client.timeout)


def _fields(reply: SlackReply) -> dict[str, Any]:
    """Message fields for a private message; a one-line note is sent as text only."""
    return message_body(reply) if reply.blocks else {"text": reply.text}
