"""The short messages around a reply: progress while fetching, a one-line error, usage help."""

from __future__ import annotations

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from bot.ivs.query import EXAMPLE, USAGE
from bot.views.mrkdwn import clip, code, escape
from bot.views.reply import SlackReply

ERROR_LIMIT = 2000


def build_progress_message(pages: int, events: int) -> SlackReply:
    """ "Fetching events… 3 pages so far (250 events)": posted, then updated while pages arrive."""
    noun = "page" if pages == 1 else "pages"
    so_far = f" {pages:,} {noun} so far ({events:,} events)" if pages else ""
    text = f":hourglass_flowing_sand: Fetching events…{so_far}"
    return SlackReply(text=text, blocks=[ContextBlock(elements=[MarkdownTextObject(text=text)]).to_dict()])


def build_error_reply(message: str) -> SlackReply:
    """One escaped line with a warning sign; the message may hold text from AWS or from the user."""
    line = ":warning: " + clip(escape(" ".join(message.split())), ERROR_LIMIT)
    return SlackReply(text=line, blocks=[SectionBlock(text=MarkdownTextObject(text=line)).to_dict()])


def build_usage_reply() -> SlackReply:
    """How to ask: the command's shape and a working example."""
    text = (
        "Explain what happened to one Amazon IVS Real-Time participant.\n"
        f"*Usage:* {code(USAGE)}\n*Example:* {code(EXAMPLE)}\n"
        "All three ids are on the participant's page in the IVS console."
    )
    return SlackReply(
        text=f"Usage: {escape(USAGE)}",
        blocks=[SectionBlock(text=MarkdownTextObject(text=text)).to_dict()],
    )
