"""Strings a customer's application (or an attacker) could put in ids, userId, attributes or codes."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.views.mrkdwn import code
from bot.views.phrase_text import sanitize

PING_CHANNEL = "<!channel>"
PING_USER = "<@U123>"
LINK = "<https://x|y>"
HOSTILE = (
    PING_CHANNEL,
    PING_USER,
    LINK,
    "<!here> & <!everyone>",
    "`code` *bold* ~strike~ _it_",
    "```block```",
    "line\nbreak\tand\x1b[31mANSI\u202eRTL",
)

# The only "<" the bot itself writes: Slack date tokens and links to AWS documentation.
OWN_ANGLE_BRACKETS = re.compile(r"<(?!!date\^\d+\^|https://docs\.aws\.amazon\.com/)")


def unsafe_markup(text: str) -> list[str]:
    """Any "<" that is not one of the bot's own tokens or doc links (each one could ping or link)."""
    return [text[m.start() : m.start() + 20] for m in OWN_ANGLE_BRACKETS.finditer(text)]


def shown_as(value: str) -> str:
    """How an untrusted value appears in mrkdwn (escaped, in inline code)."""
    return code(sanitize(value))


def assert_inert(texts: Iterable[str]) -> None:
    for text in texts:
        assert PING_CHANNEL not in text and PING_USER not in text and LINK not in text
        assert "<!here>" not in text and "<!everyone>" not in text
        assert not unsafe_markup(text), unsafe_markup(text)
