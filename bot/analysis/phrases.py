"""Sentences whose parts keep their kind, so each renderer can format them safely.

A finding says things like "subscribing to `pub-2` failed at 14:10". The id came from AWS (untrusted) and the
time should become a Slack date token in Slack but plain UTC in a terminal. So analysis never bakes them into
a string: it builds a :data:`Phrase` (a tuple of parts) and the views decide how each part looks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Longest untrusted value shown inline: ids are at most 64 characters, but userId, attributes and codes
# newer than this bot can be anything (token attributes go up to 1 KB).
MAX_SHOWN = 80


@dataclass(frozen=True, slots=True)
class Quoted:
    """A value that came from AWS or from a customer's application (ids, userId, codes): shown verbatim,
    never interpreted as markup, shortened to ``limit`` characters."""

    value: str
    limit: int = MAX_SHOWN


PhrasePart = str | Quoted | datetime
# Trusted text (str), untrusted values (Quoted) and moments (datetime), in reading order.
Phrase = tuple[PhrasePart, ...]


def phrase(*parts: PhrasePart | None) -> Phrase:
    """Build a phrase, dropping ``None`` parts (handy for optional pieces)."""
    return tuple(part for part in parts if part is not None)


def marked(text: str, limit: int | None = None) -> Phrase:
    """Turn text that marks identifiers with backticks ("a `TOKEN_EXCHANGED` event") into a phrase.

    Each backticked span becomes a :class:`Quoted` part, so identifiers read as code in Slack and plain in a
    terminal or a notification, like every other id and code. A stray backtick is kept as a look-alike so it
    can never open a code span.

    Args:
        limit: the longest a marked span may be shown; None keeps it whole (trusted catalogue text).
    """
    if "`" not in text:
        return (text,)
    pieces = text.split("`")
    if len(pieces) % 2 == 0:  # an odd number of backticks: the last one opens nothing
        pieces[-2:] = [pieces[-2] + "ˋ" + pieces[-1]]
    parts: list[PhrasePart] = []
    for position, piece in enumerate(pieces):
        if position % 2:
            parts.append(Quoted(piece, max(len(piece), MAX_SHOWN) if limit is None else limit))
        elif piece:
            parts.append(piece)
    return tuple(parts)


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """ "1 event", "2 events", "1,234 join attempts": a count with its noun in the right number."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def times(count: int) -> str:
    """ "once", "twice", "5 times"."""
    return {1: "once", 2: "twice"}.get(count, f"{count:,} times")
