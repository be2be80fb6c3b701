"""The "Upload full JSON" button: share the whole history as a file where the answer is."""

from __future__ import annotations

from typing import Any, Final

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.domain.errors import InvalidQueryError
from bot.domain.queries import ParticipantQuery
from bot.replies import FileShare, QueryReplies, ResponseUrl
from bot.slack_ids import UPLOAD_JSON_ACTION

ACTIONS: Final = (UPLOAD_JSON_ACTION,)


def file_share(body: dict[str, Any]) -> FileShare:
    """Where the clicked message is: its channel, and the thread it starts or belongs to.

    A button on an ephemeral message (a ``private`` answer) arrives without ``message``: the channel
    then comes from the payload's ``channel`` or ``container``, and the file goes to the channel itself.
    """
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
    message = body.get("message")
    thread_ts = (message.get("thread_ts") or message.get("ts")) if message else container.get("thread_ts")
    return FileShare(
        channel_id=channel,
        thread_ts=thread_ts or None,
        user_id=body["user"]["id"],
        response_url=ResponseUrl(body["response_url"]),
        private=bool(container.get("is_ephemeral")) or message is None,
    )


def register(app: AsyncApp, replies: QueryReplies) -> None:
    """Listen for the upload button."""

    async def upload_full_json(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        share = file_share(body)
        try:  # stateless: the button's value carries the query, so any instance can serve the click
            query = ParticipantQuery.from_value(str(action.get("value") or ""))
        except InvalidQueryError as error:
            replies.note_later(body["response_url"], error.user_message)
            return
        replies.upload_later(query, share)

    app.action(UPLOAD_JSON_ACTION)(upload_full_json)
