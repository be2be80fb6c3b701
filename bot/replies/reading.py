"""What a slash command, an @mention or a message asks: a query (with a note), the usage, or what is wrong.

Pure: text and found ids in, an :class:`Asked` out. Every surface reads the ids the same forgiving way
(:func:`find_ids`), and every problem is told precisely: a malformed part with its expected shape, the
ids found and the ones missing, the words that were not understood.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.ivs.errors import InvalidQueryError
from bot.ivs.find_ids import LABEL_WORDS, FoundIds, find_ids
from bot.ivs.query import ParticipantQuery, parse_query
from bot.replies.missing_ids import join_words, missing_ids_note, others_note
from bot.views import usage_hint
from bot.views.mrkdwn import code, escape

HELP_WORDS = frozenset({"help", "-h", "--help", "usage", "?"})
# ``/ivs-events <arn> <session> <participant> private`` keeps the answer visible to the asker only.
PRIVATE_WORD = "private"
# Options people try instead of the trailing word; Slack turns "--" into a dash on some clients.
_PRIVATE_LIKE = frozenset({"private", "privately", "priv", "p", "ephemeral", "quiet", "dm", "hidden"})
_DASHES = "-\u2013\u2014"  # a hyphen, an en dash, an em dash
_DECORATION = "`'\",;"
_MENTION = re.compile(r"<@[A-Za-z0-9]{1,32}(?:\|[^>]{0,100})?>")
SHOWN_WORDS = 5  # stray words named in a message; the rest are counted
SHOWN_WORD = 40  # characters of one stray word shown


@dataclass(frozen=True, slots=True)
class Asked:
    """What was asked: a query (and a note to add to its answer), the usage, or a problem to tell.

    ``note`` and ``problem`` are mrkdwn with every untrusted part escaped.
    """

    query: ParticipantQuery | None = None
    note: str | None = None
    problem: str | None = None
    wants_help: bool = False


def split_private(text: str) -> tuple[str, bool]:
    """Strip ``private`` said first or last from the command text; True when it was there."""
    words = text.split()
    if words and words[-1].lower() == PRIVATE_WORD:
        return " ".join(words[:-1]), True
    if words and words[0].lower() == PRIVATE_WORD:
        return " ".join(words[1:]), True
    return " ".join(words), False


def read_command(text: str) -> Asked:
    """The slash command's text: the strict ``<arn> <session> <participant>`` first, then anything
    :func:`find_ids` understands (other orders, labels, CLI flags, console links)."""
    words = text.split()
    if not words:
        return Asked(wants_help=True)
    try:
        return Asked(query=parse_query(text))
    except InvalidQueryError as error:
        strict = error
    found = find_ids(text)
    if not found.anything and words[0].lower() in HELP_WORDS:
        return Asked(wants_help=True)
    stray = stray_words(words, found)
    options = [w for w in stray if w[:1] in _DASHES]
    if any(w.lstrip(_DASHES).lower() in _PRIVATE_LIKE for w in options):
        return Asked(
            problem=f"I don't know {_named(options)}: add `private` as the last word to keep the "
            "answer to yourself."
        )
    try:
        query = found.query()
    except InvalidQueryError as error:  # shaped right, but refused (e.g. a region that does not exist)
        return Asked(problem=escape(error.user_message))
    if query is not None:
        return Asked(query=query, note=others_note(found, source="Your command"))
    try:
        query = _three_values_in_any_order(words, found)
    except InvalidQueryError as error:
        return Asked(problem=escape(error.user_message))
    if query is not None:
        return Asked(query=query)
    if strict.part != "arguments":  # three values, one malformed: parse_query said which and how
        return Asked(problem=escape(strict.user_message))
    if found.anything:
        unknown = f"I don't know {_named(stray)}." if stray else ""
        return Asked(problem=missing_ids_note(found, where="your command", also=unknown))
    return Asked(
        problem=f"Expected 3 values (stage ARN, session id, participant id), got {len(words)}: "
        f"I don't know {_named(stray)}. {usage_hint(in_thread=False)}"
    )


def read_mention(text: str, found: FoundIds, *, where: str, in_thread: bool) -> Asked:
    """An @mention's text (``found`` is :func:`find_ids` on it and its blocks).

    The three values as the slash command takes them are accepted as typed; ``help`` gets the usage;
    otherwise what :func:`read_found` says.
    """
    rest = _MENTION.sub(" ", text)
    words = rest.split()
    if len(words) == 3:
        try:
            return Asked(query=parse_query(rest))
        except InvalidQueryError:
            pass
    if words and not found.anything and words[0].lower().rstrip("!.") in HELP_WORDS:
        return Asked(wants_help=True)
    return read_found(found, where=where, in_thread=in_thread)


def read_found(found: FoundIds, *, where: str, in_thread: bool) -> Asked:
    """Ids found in a message: the query and a note naming the other participants, or what is missing."""
    try:
        query = found.query()
    except InvalidQueryError as error:  # shaped right, but refused (e.g. a region that does not exist)
        return Asked(problem=escape(error.user_message))
    if query is None:
        return Asked(problem=missing_ids_note(found, where=where, in_thread=in_thread))
    return Asked(query=query, note=others_note(found, in_thread=in_thread))


def stray_words(words: Sequence[str], found: FoundIds) -> list[str]:
    """The words that are neither an id found (nor hold one) nor a label: what was not understood."""
    values = [value for _, value in found.found]
    values += [*found.other_participants, *filter(None, [found.malformed_participant])]
    if found.stage_without_account:
        values.append(found.stage_without_account[0])
    stray = []
    for word in words:
        bare = word.strip(_DECORATION)
        if not bare or bare == "\\" or bare.lower().strip(":=") in LABEL_WORDS:
            continue
        if "console.aws.amazon.com" in bare or any(value in bare for value in values):
            continue
        stray.append(bare)
    return stray


def _three_values_in_any_order(words: Sequence[str], found: FoundIds) -> ParticipantQuery | None:
    """``<session> <arn> <participant>`` and the like: with the ARN and the session id among exactly
    three values, the third is the participant id, whatever it looks like (malformed: raises)."""
    if len(words) != 3 or found.stage_arn is None or found.session_id is None:
        return None
    bare = [w.strip(_DECORATION) for w in words]
    rest = [w for w in bare if w not in (found.stage_arn, found.session_id)]
    if len(rest) != 1:
        return None
    return ParticipantQuery(found.stage_arn, found.session_id, rest[0])


def _named(words: Sequence[str]) -> str:
    """ "`a`", "`a` or `b`", "`a`, `b`, `c`, `d`, `e` or 3 more" (escaped, each cut short)."""
    shown = [code(w if len(w) <= SHOWN_WORD else w[: SHOWN_WORD - 1] + "…") for w in words[:SHOWN_WORDS]]
    if len(words) > SHOWN_WORDS:
        shown.append(f"{len(words) - SHOWN_WORDS} more")
    return join_words(shown, "or")
