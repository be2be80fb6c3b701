"""The buttons: "Upload full JSON" on an answer, "Diagnose" on an overview's participant, and the stage
overview's other sessions. Each answers where the clicked message is (its thread, or privately)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.domain.errors import InvalidQueryError
from bot.domain.queries import ParticipantQuery, Question, SessionQuery
from bot.replies import Asker, FileShare, QueryReplies, ResponseUrl
from bot.slack_ids import DIAGNOSE_ACTION, OPEN_SESSION_ACTION, UPLOAD_JSON_ACTION

ACTIONS: Final = (UPLOAD_JSON_ACTION, DIAGNOSE_ACTION, OPEN_SESSION_ACTION)
# The other sessions' buttons share one block, so each has its own action_id: "open_session:<n>".
_OPEN_SESSION = re.compile(rf"^{OPEN_SESSION_ACTION}(?::(?:\d+|next))?$")


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

    def answer_click(body: dict[str, Any], value: str, read: Callable[[str], Question], surface: str) -> None:
        """A button whose value carries the ids (stateless): answer where the clicked message is."""
        share = file_share(body)
        try:
            query = read(value)
        except InvalidQueryError as error:
            replies.note_later(body["response_url"], error.user_message)
            return
        asker = Asker(share.user_id, share.channel_id, surface, share.thread_ts)
        replies.answer_later(query, asker, replies.click_target(share))

    async def diagnose_from_overview(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        answer_click(body, str(action.get("value") or ""), ParticipantQuery.from_value, "overview_button")

    async def open_session(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        answer_click(body, str(action.get("value") or ""), SessionQuery.from_value, "session_button")

    app.action(UPLOAD_JSON_ACTION)(upload_full_json)
    app.action(DIAGNOSE_ACTION)(diagnose_from_overview)
    app.action(_OPEN_SESSION)(open_session)
