"""Escaping for Slack mrkdwn: data from AWS or users must never ping, link or format."""

from __future__ import annotations

# Slack's documented control characters: &, <, >. Escaping them turns <!channel>, <@U123> and <url|label>
# into inert text. Backticks are replaced too, so a value cannot close the inline code span we wrap it in.
_MRKDWN_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: object) -> str:
    """Escape any value for use inside mrkdwn text."""
    return str(text).translate(_MRKDWN_ESCAPES)


def code(text: object) -> str:
    """Render a value as inline code, escaped; backticks inside it become a look-alike so the span holds."""
    return "`" + escape(text).replace("`", "ˋ") + "`"
