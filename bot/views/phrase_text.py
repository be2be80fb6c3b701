"""Render analysis phrases as Slack mrkdwn, as a notification line, or as terminal text.

Untrusted values (:class:`~bot.analysis.phrases.Quoted`) are made single-line, stripped of invisible and
control characters (bidi overrides, ANSI escapes) and shortened before they reach any output; in mrkdwn they
are also escaped and wrapped in inline code, so they can neither ping, link nor format.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.analysis.phrases import MAX_SHOWN, Phrase, Quoted
from bot.views.mrkdwn import code, date_token, escape, utc_text

# Invisible characters that carry meaning and cannot reorder or hide text: the zero-width non-joiner and
# joiner (Persian, Indic scripts, emoji sequences such as 👩‍💻) and the emoji tag characters (subdivision
# flags). Every other invisible or control character (ANSI escapes, bidi overrides and isolates) is replaced.
_MEANINGFUL_INVISIBLES = frozenset("\u200c\u200d" + "".join(chr(c) for c in range(0xE0020, 0xE0080)))


def _shown(char: str) -> str:
    if char.isprintable() or char in _MEANINGFUL_INVISIBLES:
        return char
    return " " if char.isspace() else "\ufffd"


def sanitize(value: object, limit: int = MAX_SHOWN) -> str:
    """One printable line of at most ``limit`` characters: whitespace becomes a space, other invisible or
    control characters become U+FFFD (joiners and emoji tags are kept: see _MEANINGFUL_INVISIBLES)."""
    text = str(value)
    if len(text) <= limit and text.isprintable():
        return text
    text = text[: limit + 1]
    cleaned = "".join(map(_shown, text))
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def _render(
    parts: Phrase, text: Callable[[str], str], quoted: Callable[[str], str], when: Callable[[datetime], str]
) -> str:
    out = []
    for part in parts:
        if isinstance(part, Quoted):
            out.append(quoted(sanitize(part.value, part.limit)))
        elif isinstance(part, datetime):
            out.append(when(part))
        else:
            out.append(text(part))
    return "".join(out)


def to_mrkdwn(parts: Phrase, when: Callable[[datetime], str] = date_token) -> str:
    """Slack message text: escaped, untrusted values in inline code, times as date tokens.

    Args:
        when: how a time reads; a date token (the reader's own time zone) unless room is short.
    """
    return _render(parts, escape, code, when)


def to_notification(parts: Phrase, when: Callable[[datetime], str] = utc_text) -> str:
    """Slack's fallback ``text`` (notifications): escaped but plain (notifications show no markup, so no
    backticks), times in UTC (tokens do not render there)."""
    return _render(parts, escape, escape, when)


def to_plain(
    parts: Phrase, quoted: Callable[[str], str] = str, when: Callable[[datetime], str] = utc_text
) -> str:
    """Terminal text: no markup; untrusted values still sanitised (no escape sequences reach the tty).

    Args:
        quoted: applied to each (sanitised) untrusted value, e.g. to keep it from being line-wrapped.
        when: how a time reads (full UTC unless said otherwise).
    """
    return _render(parts, str, quoted, when)


def short_utc(moment: datetime) -> str:
    """ "14:12 UTC": a time short enough for a one-line answer (Slack headers cannot hold date tokens)."""
    return moment.astimezone(UTC).strftime("%H:%M UTC")


def to_headline(parts: Phrase) -> str:
    """Plain text for a first line (a Slack header, a notification, a terminal title): short UTC times."""
    return to_plain(parts, when=short_utc)
