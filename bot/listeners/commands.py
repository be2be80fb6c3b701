"""The ``/ivs-events`` slash command: ack within Slack's 3 s, then fetch and answer in the background."""

from __future__ import annotations

from typing import Any, Final

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.ivs.errors import InvalidQueryError
from bot.ivs.query import parse_query
from bot.replies import Asker, CommandAnswer, QueryReplies, ResponseUrl, message_body
from bot.slack_ids import COMMAND
from bot.views import build_error_reply, build_progress_message, build_usage_reply

COMMANDS: Final = (COMMAND,)
# ``/ivs-events <arn> <session> <participant> private`` keeps the answer visible to the asker only.
PRIVATE_WORD = "private"
HELP_WORDS = frozenset({"", "help", "-h", "--help"})


def split_private(text: str) -> tuple[str, bool]:
    """Strip a trailing ``private`` from the command text; True when it was there."""
    words = text.split()
    if words and words[-1].lower() == PRIVATE_WORD:
        return " ".join(words[:-1]), True
    return " ".join(words), False


def register(app: AsyncApp, replies: QueryReplies) -> None:
    """Listen for the slash command."""

    async def ivs_events_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        text, private = split_private(str(command.get("text") or ""))
        if text.lower() in HELP_WORDS:
            await ack(**message_body(build_usage_reply()))
            return
        try:
            query = parse_query(text)
        except InvalidQueryError as error:  # nothing was sent to AWS
            await ack(**message_body(build_error_reply(error.user_message)))
            return
        await ack(**message_body(build_progress_message(0, 0)))
        asker = Asker(command["user_id"], command["channel_id"], "command")
        target = CommandAnswer(ResponseUrl(command["response_url"]), private=private)
        replies.answer_later(query, asker, target)

    app.command(COMMAND)(ivs_events_command)
