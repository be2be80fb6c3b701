"""The ``/ivs-events`` slash command: ack within Slack's 3 s, then fetch and answer in the background."""

from __future__ import annotations

from typing import Any, Final

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.asked import read_command, split_private
from bot.replies import Asker, QueryReplies, message_body
from bot.slack_ids import COMMAND
from bot.views import build_problem_reply, build_progress_message, build_usage_reply

COMMANDS: Final = (COMMAND,)


def register(app: AsyncApp, replies: QueryReplies) -> None:
    """Listen for the slash command."""

    async def ivs_events_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        text, private = split_private(str(command.get("text") or ""))
        asked = read_command(text)
        if asked.wants_help:
            await ack(**message_body(build_usage_reply()))
            return
        if asked.query is None:  # nothing was sent to AWS
            await ack(**message_body(build_problem_reply(asked.problem or "")))
            return
        await ack(**message_body(build_progress_message(0, 0)))
        asker = Asker(command["user_id"], command["channel_id"], "command")
        target = replies.command_target(
            response_url=command["response_url"],
            channel=command["channel_id"],
            user=command["user_id"],
            private=private,
        )
        replies.answer_later(asked.query, asker, target, note=asked.note)

    app.command(COMMAND)(ivs_events_command)
