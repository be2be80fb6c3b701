"""The "Diagnose IVS participant" message shortcut: find the ids in a message, answer in its thread."""

from __future__ import annotations

from typing import Any, Final

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.asked import read_found, take_user_id
from bot.asked.find_ids import find_ids_in_message
from bot.replies import Asker, QueryReplies
from bot.slack_ids import DIAGNOSE_SHORTCUT

SHORTCUTS: Final = (DIAGNOSE_SHORTCUT,)


def register(app: AsyncApp, replies: QueryReplies) -> None:
    """Listen for the message shortcut."""

    async def diagnose_participant(ack: AsyncAck, shortcut: dict[str, Any]) -> None:
        await ack()
        message = shortcut.get("message") or {}
        channel, user = shortcut["channel"]["id"], shortcut["user"]["id"]
        # Slack: reply in the thread the message belongs to, or start one under it.
        ts = str(message.get("ts") or shortcut.get("message_ts"))
        thread_ts = str(message.get("thread_ts") or ts)
        _, user_id = take_user_id(str(message.get("text") or ""))
        found = find_ids_in_message(message)
        asked = read_found(found, where="that message", in_thread=thread_ts != ts, user_id=user_id)
        if asked.query is None:
            replies.note_later(shortcut["response_url"], asked.problem or "")
            return
        target = replies.thread_target(
            channel=channel, thread_ts=thread_ts, user=user, response_url=shortcut["response_url"]
        )
        replies.answer_later(
            asked.query, Asker(user, channel, "shortcut", thread_ts), target, note=asked.note
        )

    app.shortcut(DIAGNOSE_SHORTCUT)(diagnose_participant)
