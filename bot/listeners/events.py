"""``@ivs-events <arn> <session> <participant>``, or a bare @mention in a thread whose parent has the ids."""

from __future__ import annotations

from typing import Any, Final

from slack_bolt.async_app import AsyncApp

from bot.asked import read_found, read_mention
from bot.asked.find_ids import find_ids, find_ids_in_message
from bot.replies import Asker, QueryReplies
from bot.seen_keys import SeenKeys
from bot.views import build_usage_reply

APP_MENTION = "app_mention"
EVENTS: Final = (APP_MENTION,)


def register(app: AsyncApp, replies: QueryReplies, seen_events: SeenKeys) -> None:
    """Listen for @mentions; ``seen_events`` makes Slack's redeliveries of one event_id answer once."""

    async def app_mention(body: dict[str, Any], event: dict[str, Any]) -> None:
        event_id = body.get("event_id")
        if event_id and not await seen_events.first_time(f"event:{event_id}"):
            return
        channel, user = event["channel"], event.get("user", "")
        parent_ts = event.get("thread_ts") if event.get("thread_ts") != event["ts"] else None
        thread_ts = parent_ts or event["ts"]
        in_thread = parent_ts is not None

        async def work() -> None:
            text = str(event.get("text") or "")
            found = find_ids(text, blocks=event.get("blocks"))
            asked = read_mention(text, found, where="your mention", in_thread=in_thread)
            if asked.only_missing and parent_ts:  # never fill in around a malformed or ambiguous mention
                parent = await replies.thread_parent(channel, parent_ts)
                merged = found.merged_with(find_ids_in_message(parent or {}))
                where = "your mention or the thread's first message"
                asked = read_found(merged, where=where, in_thread=True)
            target = replies.thread_target(channel=channel, thread_ts=thread_ts, user=user)
            if asked.wants_help:
                await target.tell_privately(build_usage_reply())
            elif asked.query is None:
                await target.tell_privately(asked.problem or "")
            else:
                await replies.answer(
                    asked.query, Asker(user, channel, "mention", thread_ts), target, note=asked.note
                )

        replies.spawn(work(), name=f"mention {body.get('event_id')}")

    app.event(APP_MENTION)(app_mention)
