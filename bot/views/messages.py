"""The short messages around a reply: progress while fetching, a one-line error, usage help, notices."""

from __future__ import annotations

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject, SectionBlock

from bot.domain.queries import EXAMPLE, USAGE
from bot.slack_ids import BOT_MENTION, COMMAND, SHORTCUT_NAME
from bot.views.mrkdwn import clip, code, escape
from bot.views.reply import SlackReply

ERROR_LIMIT = 2000
# A notice on top of an answer ("only you can see this…", "this message also names…"): one short line,
# so the answer stays under Slack's ~12,000 characters of blocks (bot/views/reply.py keeps a margin).
NOTICE_LIMIT = 400
MAX_BLOCKS = 50  # Slack: at most 50 blocks per message
SECTION_TEXT_LIMIT = 3000  # Slack: a section's text
# The bot user's display name and the shortcut's name, as the manifests in manifests/ set them.
# Slash commands cannot be used in threads: there, people mention the bot instead.
MENTION_USAGE = f"{BOT_MENTION} <stage-arn> <session-id> <participant-id>"
MENTION_EXAMPLE = EXAMPLE.replace(COMMAND, BOT_MENTION, 1)


def build_progress_message(
    pages: int, events: int, *, examined: int | None = None, participants: int | None = None
) -> SlackReply:
    """ "Fetching events… 3 pages so far (250 events)", or for a session "Examined 12 of 40 participants…
    (31 pages, 2,400 events)": posted, then updated while pages arrive."""
    noun = "page" if pages == 1 else "pages"
    if participants is not None:
        text = (
            f":hourglass_flowing_sand: Examined {examined or 0:,} of {participants:,} participants… "
            f"({pages:,} {noun}, {events:,} events)"
        )
        return SlackReply(
            text=text, blocks=[ContextBlock(elements=[MarkdownTextObject(text=text)]).to_dict()]
        )
    so_far = f" {pages:,} {noun} so far ({events:,} events)" if pages else ""
    text = f":hourglass_flowing_sand: Fetching events…{so_far}"
    return SlackReply(text=text, blocks=[ContextBlock(elements=[MarkdownTextObject(text=text)]).to_dict()])


def build_error_reply(message: str) -> SlackReply:
    """One escaped line with a warning sign; the message may hold text from AWS or from the user."""
    return build_problem_reply(escape(message))


def build_problem_reply(mrkdwn: str) -> SlackReply:
    """One line with a warning sign, from mrkdwn whose untrusted parts are already escaped."""
    line = ":warning: " + clip(" ".join(mrkdwn.split()), ERROR_LIMIT)
    return SlackReply(text=line, blocks=[SectionBlock(text=MarkdownTextObject(text=line)).to_dict()])


def build_usage_reply() -> SlackReply:
    """How to ask, on every surface: the command (and ``private``), @mentions in threads, the shortcut."""
    text = (
        "Explain what happened to one Amazon IVS Real-Time participant, or to a whole session.\n"
        f"*Usage:* {code(USAGE)}; add `private` at the end to keep the answer to yourself.\n"
        f"*Example:* {code(EXAMPLE)}\n"
        f"*With fewer ids:* {code(f'{COMMAND} <stage-arn> <session-id>')} (the session overview: "
        f"problems first, each with a Diagnose button), {code(f'{COMMAND} <stage-arn>')} (its latest "
        f"session, a live one first), {code(f'{COMMAND} <stage-arn> [<session-id>] user:<userId>')} (the "
        "participant that user id had, in the stage's 5 latest sessions).\n"
        f"*In a thread* (slash commands don't work there): {code(MENTION_USAGE)}, or just "
        f"{code(BOT_MENTION)} when the thread's first message holds the ids. The answer goes in the thread.\n"
        f"*On any message* that holds the ids (typed, pasted CLI JSON, or an IVS console link plus the "
        f"stage ARN): *More actions* (⋮) → *{SHORTCUT_NAME}*. The answer goes in its thread.\n"
        "All three ids are on the participant's page in the IVS console."
    )
    return SlackReply(
        text=f"Usage: {escape(USAGE)}",
        blocks=[SectionBlock(text=MarkdownTextObject(text=text)).to_dict()],
    )


def usage_hint(*, in_thread: bool) -> str:
    """One sentence on how to ask (mrkdwn); in a thread it never suggests the slash command."""
    if in_thread:
        return f"Ask in the thread with {code(MENTION_USAGE)}, for example {code(MENTION_EXAMPLE)}."
    return (
        f"Ask with {code(USAGE)}, for example {code(EXAMPLE)} (in a thread, mention me instead: "
        f"{code(MENTION_USAGE)})."
    )


def with_notice(reply: SlackReply, notice: str) -> SlackReply:
    """The reply with a one-line notice (mrkdwn, untrusted parts already escaped) right under its header
    (the answer's first line stays first), or above everything when it has none.

    The notification ``text`` is kept. A reply already at Slack's 50 blocks loses nothing: the notice
    goes into its ``text`` instead.
    """
    line = clip(" ".join(notice.split()), NOTICE_LIMIT)
    if len(reply.blocks) >= MAX_BLOCKS:
        return SlackReply(text=clip(f"{line} {reply.text}", ERROR_LIMIT), blocks=reply.blocks)
    block = ContextBlock(elements=[MarkdownTextObject(text=line)]).to_dict()
    at = 1 if reply.blocks and reply.blocks[0].get("type") == "header" else 0  # the answer's line stays first
    return SlackReply(text=reply.text, blocks=[*reply.blocks[:at], block, *reply.blocks[at:]])


def with_section(reply: SlackReply, mrkdwn: str, *, after: int = 2) -> SlackReply:
    """The reply with one more section (mrkdwn, untrusted parts already escaped) after its first blocks.

    A reply already at Slack's 50 blocks gets the text as a notice instead.
    """
    if len(reply.blocks) >= MAX_BLOCKS:
        return with_notice(reply, mrkdwn)
    block = SectionBlock(text=MarkdownTextObject(text=clip(mrkdwn, SECTION_TEXT_LIMIT))).to_dict()
    return SlackReply(text=reply.text, blocks=[*reply.blocks[:after], block, *reply.blocks[after:]])
