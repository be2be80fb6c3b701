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
