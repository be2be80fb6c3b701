"""Escaping for Slack mrkdwn: data from AWS or users must never ping, link or format."""

from __future__ import annotations

from datetime import UTC, datetime

# Slack's documented control characters: &, <, >. Escaping them turns <!channel>, <@U123> and <url|label>
# into inert text. Backticks are replaced too, so a value cannot close the inline code span we wrap it in.
_MRKDWN_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: object) -> str:
    """Escape any value for use inside mrkdwn text."""
    return str(text).translate(_MRKDWN_ESCAPES)


def code(text: object) -> str:
    """Render a value as inline code, escaped; backticks inside it become a look-alike so the span holds."""
    return "`" + escape(text).replace("`", "ˋ") + "`"


def date_token(moment: datetime) -> str:
    """A Slack date token: shows ``moment`` in each reader's own time zone, UTC text as the fallback."""
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time_secs}}|{utc_text(moment)}>"


def utc_text(moment: datetime) -> str:
    """``2026-03-12 14:02:11 UTC``: unambiguous for a terminal, a notification or a log."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def clip(text: str, limit: int) -> str:
    """Cut mrkdwn to at most ``limit`` characters without breaking an entity, a token or a code span.

    A last resort (views size their text to fit): never leaves half of ``&amp;`` or of ``<!date^…>``, and
    drops an inline code span the cut would leave unclosed.
    """
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 2)]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    lt = cut.rfind("<")
    if lt != -1 and ">" not in cut[lt:]:
        cut = cut[:lt]
    if cut.count("`") % 2:
        cut = cut[: cut.rfind("`")]
    return cut + "…"
