"""Pure rendering: analysis results -> Block Kit and plain text. No I/O, no Slack client."""

from bot.views.block_kit_builder import block_kit_builder_url
from bot.views.messages import (
    build_error_reply,
    build_problem_reply,
    build_progress_message,
    build_usage_reply,
    usage_hint,
    with_notice,
)
from bot.views.reply import SlackReply, build_fallback_text, build_reply
from bot.views.session_chart import render_session_chart
from bot.views.terminal import render_terminal

__all__ = [
    "SlackReply",
    "block_kit_builder_url",
    "build_error_reply",
    "build_fallback_text",
    "build_problem_reply",
    "build_progress_message",
    "build_reply",
    "build_usage_reply",
    "render_session_chart",
    "render_terminal",
    "usage_hint",
    "with_notice",
]
