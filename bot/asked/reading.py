"""What a slash command, an @mention or a message asks: a query (with a note), the usage, or what is wrong.

Pure: text and found ids in, an :class:`Asked` out. Every surface reads the ids the same forgiving way
(:func:`find_ids`); the slash command and a mention of exactly three values also take them as typed, in
any order. Every problem is told precisely: a malformed part with its expected shape, the ids found and
the ones missing or named twice, the words that were not understood.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.asked.find_ids import FoundIds, find_ids, plain_words
from bot.asked.missing_ids import join_words, missing_ids_note, others_note
from bot.asked.participant_candidates import (
    COMPOUND_PARTICIPANT_LABELS,
    LABEL_WORDS,
    PLAIN_PARTICIPANT_LABELS,
    is_never_an_id,
)
from bot.domain.errors import InvalidQueryError
from bot.domain.queries import ParticipantQuery, Question, SessionQuery, StageQuery, UserQuery, parse_query
from bot.slack_ids import COMMAND
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
# user:<id>, userId=<id>, user_id: <id>, --user-id <id> or --user-id=<id>; the id may be quoted. UserId is
# 0-128 characters of anything (botocore's model); bounded quantifiers keep the scan linear.
_USER_ID = re.compile(
    r"(?i)(?<![\w-])(?:user(?:[_-]?id)?[ \t]{0,3}[:=][ \t]{0,3}|--user-id(?:=|[ \t]{1,3}))"
    r"(\"[^\"\n]{1,128}\"|'[^'\n]{1,128}'|`[^`\n]{1,128}`|[^\s\"'`]{1,128})"
)
SHOWN_WORDS = 5  # stray words named in a message; the rest are counted
SHOWN_WORD = 40  # characters of one stray word shown


@dataclass(frozen=True, slots=True)
class Asked:
    """What was asked: a query (and a note to add to its answer), the usage, or a problem to tell.

    ``note`` and ``problem`` are mrkdwn with every untrusted part escaped.
    """

    query: Question | None = None
    note: str | None = None
    problem: str | None = None
    wants_help: bool = False
    # The problem is only that parts are missing (nothing malformed, nothing ambiguous): another message,
    # such as a thread's first one, may fill them in.
    only_missing: bool = False


def split_private(text: str) -> tuple[str, bool]:
    """Strip ``private`` said first or last from the command text; True when it was there."""
    words = text.split()
    if words and words[-1].lower() == PRIVATE_WORD:
        return " ".join(words[:-1]), True
    if words and words[0].lower() == PRIVATE_WORD:
        return " ".join(words[1:]), True
    return " ".join(words), False


def take_user_id(text: str) -> tuple[str, str | None]:
    """``user:<id>``, ``userId=<id>``, ``--user-id <id>`` (quoted when it holds spaces): the text without
    it, and the user id."""
    match = _USER_ID.search(text)
    if match is None:
        return text, None
    return text[: match.start()] + " " + text[match.end() :], match.group(1).strip("\"'`") or None


def read_command(text: str) -> Asked:
    """The slash command's text: three values as typed (any order), then anything :func:`find_ids`
    understands (labels, CLI flags, console links); fewer ids ask about a session, a stage or a user."""
    text, user_id = take_user_id(text)
    words = plain_words(text)
    found = find_ids(text)
    if user_id is not None:
        return _for_user(found, user_id, where="your command", stray=stray_words(words, found))
    if not words or wants_help(words, found):
        return Asked(wants_help=True)
    try:
        typed, malformed = three_values(words), None
    except InvalidQueryError as error:  # three values, one malformed: said after the forgiving reading
        typed, malformed = None, error
    if typed is not None:
        return Asked(query=typed)
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
    if _may_widen(words, stray, malformed) and (wider := _wider_question(found)) is not None:
        return Asked(query=wider)
    malformed = malformed or (None if found.ambiguous else _in_order_problem(text))
    if malformed is not None:
        return Asked(problem=escape(malformed.user_message))
    if found.anything:
        unknown = f"I don't know {_named(stray)}." if stray else ""
        return Asked(problem=missing_ids_note(found, where="your command", also=unknown))
    if not stray:  # only labels: "/ivs-events participant"
        labels = [w for w in words if _is_label(w.strip(_DECORATION))]
        only = f", only {_named(labels, 'and')}" if labels else ""
        return Asked(
            problem="I found no stage ARN, session id or participant id in your command"
            f"{only}. {usage_hint(in_thread=False)}"
        )
    return Asked(
        problem=f"Expected 3 values (stage ARN, session id, participant id), got {len(words)}: "
        f"I don't know {_named(stray)}. {usage_hint(in_thread=False)}"
    )


def read_mention(text: str, found: FoundIds, *, where: str, in_thread: bool) -> Asked:
    """An @mention's text (``found`` is :func:`find_ids` on it and its blocks).

    Read as the slash command reads it: three values are taken as typed, in any order; ``help`` gets the
    usage; otherwise what :func:`read_found` says.
    """
    text, user_id = take_user_id(_MENTION.sub(" ", text))
    if user_id is not None:
        return read_found(found, where=where, in_thread=in_thread, user_id=user_id)
    words = plain_words(text)
    if words and wants_help(words, found):
        return Asked(wants_help=True)
    try:
        typed, malformed = three_values(words), None
    except InvalidQueryError as error:
        typed, malformed = None, error
    if typed is not None:
        return Asked(query=typed)
    # Fewer ids ask about a session or a stage only when nothing else was said ("<arn> <session> xxx" is a
    # participant id left out, not a question about the session).
    wider = _may_widen(words, stray_words(words, found), malformed)
    asked = read_found(found, where=where, in_thread=in_thread, wider=wider)
    if asked.query is None and malformed is not None and not found.ambiguous:
        return Asked(problem=escape(malformed.user_message))
    return asked


def read_found(
    found: FoundIds, *, where: str, in_thread: bool, user_id: str | None = None, wider: bool = True
) -> Asked:
    """Ids found in a message: the query and a note naming the other participants, or what is missing.

    A stage ARN (and session id) without a participant asks about the session (or the stage's latest);
    ``only_missing`` then says another message (a thread's first one) may still name the participant.
    """
    if user_id is not None:
        return _for_user(found, user_id, where=where, stray=[])
    try:
        query = found.query()
        session_or_stage = None if query or not wider else _wider_question(found)
    except InvalidQueryError as error:  # shaped right, but refused (e.g. a region that does not exist)
        return Asked(problem=escape(error.user_message))
    if session_or_stage is not None:
        return Asked(query=session_or_stage, only_missing=True)
    if query is None:
        only_missing = not (found.ambiguous or found.malformed_participant)
        return Asked(
            problem=missing_ids_note(found, where=where, in_thread=in_thread), only_missing=only_missing
        )
    return Asked(query=query, note=others_note(found, in_thread=in_thread))


def _may_widen(words: Sequence[str], stray: Sequence[str], malformed: InvalidQueryError | None) -> bool:
    """Fewer ids ask about the session or the stage only when nothing else was said: not a word that was
    not understood, a malformed id, or a participant label left without its value ("<arn> <session>
    participantId")."""
    labels = {w.strip(_DECORATION).lower().rstrip(":=") for w in words}
    says_participant = bool(labels & (COMPOUND_PARTICIPANT_LABELS | PLAIN_PARTICIPANT_LABELS))
    return not stray and malformed is None and not says_participant


def _wider_question(found: FoundIds) -> SessionQuery | StageQuery | None:
    """A stage ARN (and a session id) and nothing else: the session, or the stage's latest session.

    Raises:
        InvalidQueryError: the stage ARN has the right shape but IVS would refuse it.
    """
    if not found.stage_arn or found.participant_id or found.malformed_participant or found.ambiguous:
        return None
    if found.session_id:
        return SessionQuery(found.stage_arn, found.session_id)
    return StageQuery(found.stage_arn)


def _for_user(found: FoundIds, user_id: str, *, where: str, stray: Sequence[str]) -> Asked:
    """``user:<id>`` with a stage ARN (and maybe a session id): the participant(s) that user id had."""
    if stray:
        return Asked(problem=f"I don't know {_named(stray)}. {usage_hint(in_thread=False)}")
    if found.participant_id:
        return Asked(
            problem=f"Ask about a participant id or a user id, not both: {where} names participant "
            f"{code(found.participant_id)} and user {code(user_id)}."
        )
    if not found.stage_arn or found.ambiguous:
        return Asked(
            problem=f"To find user {code(user_id)} I need the stage ARN (and, if you have it, the session "
            f"id): `{COMMAND} <stage-arn> [<session-id>] user:<userId>`."
        )
    try:
        return Asked(query=UserQuery(found.stage_arn, user_id, found.session_id))
    except InvalidQueryError as error:
        return Asked(problem=escape(error.user_message))


def wants_help(words: Sequence[str], found: FoundIds) -> bool:
    """``help``, ``help?``, ``help me``, ``<arn> <session> help``: the usage, never a lookup of ``help``.

    "Can you help?" in a thread is no request for the usage: the thread's first message may hold the ids.
    """
    if found.complete:
        return False
    return _is_help(words[-1] if found.anything else words[0])


def three_values(words: Sequence[str]) -> ParticipantQuery | None:
    """Exactly three values, each taken for the part its shape says (``arn:…``, ``st-…``, the other).

    The participant id is taken as written (``<session> <arn> lowercaseid``), unless it is a label word,
    a placeholder, a flag or a link.

    Raises:
        InvalidQueryError: naming the malformed part ("session id must be …, got `st-a1b2`").
    """
    if len(words) != 3:
        return None
    parts: dict[str, list[str]] = {"stage": [], "session": [], "participant": []}
    for word in words:
        value = _undecorated(word)
        parts[_part_by_shape(value)].append(value)
    if any(len(values) != 1 for values in parts.values()):
        return None
    (stage_arn,), (session_id,), (participant_id,) = parts.values()
    if is_never_an_id(participant_id) or _is_help(participant_id) or "://" in participant_id:
        return None
    return ParticipantQuery(stage_arn, session_id, participant_id)


def stray_words(words: Sequence[str], found: FoundIds) -> list[str]:
    """The words that are neither an id found (nor hold one) nor a label: what was not understood."""
    values = [value for _, value in found.found]
    values += [*found.other_participants, *filter(None, [found.malformed_participant])]
    values += [*found.possible_participants, *found.other_sessions, *found.other_stage_arns]
    for stage in (found.stage_without_account, found.mismatched_link):
        if stage:
            values.append(stage[0])
    stray = []
    for word in words:
        bare = word.strip(_DECORATION)
        if not bare or bare == "\\" or _is_label(bare):
            continue
        if "console.aws.amazon.com" in bare or any(value in bare for value in values):
            continue
        stray.append(bare)
    return stray


def _in_order_problem(text: str) -> InvalidQueryError | None:
    """What is wrong with the stage ARN or the session id of ``<arn> <session> <participant>`` in order.

    (A malformed participant id there is told by :func:`three_values`, which also knows a placeholder.)
    """
    try:
        parse_query(text)
    except InvalidQueryError as error:
        return error if error.part in ("stage ARN", "session id") else None
    return None


def _undecorated(word: str) -> str:
    """A value without the quotes, backticks and ``<…|…>`` link wrapping it came in."""
    value = word.strip(_DECORATION)
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].split("|", 1)[0]
    return value.strip(_DECORATION)


def _is_label(word: str) -> bool:
    """``stage``, ``participantId:``, ``Guest:``, but not ``guest`` on its own (a word like any other)."""
    label = word.lower().strip(":=")
    return label in LABEL_WORDS or (label in PLAIN_PARTICIPANT_LABELS and word.endswith((":", "=")))


def _part_by_shape(value: str) -> str:
    lower = value.lower()
    if lower.startswith("arn:"):
        return "stage"
    return "session" if lower.startswith("st-") else "participant"


def _is_help(word: str) -> bool:
    lower = word.strip(_DECORATION).lower()
    return lower in HELP_WORDS or lower.rstrip("!?.") in HELP_WORDS


def _named(words: Sequence[str], conjunction: str = "or") -> str:
    """ "`a`", "`a` or `b`", "`a`, `b`, `c`, `d`, `e` or 3 more" (escaped, each cut short)."""
    shown = [code(w if len(w) <= SHOWN_WORD else w[: SHOWN_WORD - 1] + "…") for w in words[:SHOWN_WORDS]]
    if len(words) > SHOWN_WORDS:
        shown.append(f"{len(words) - SHOWN_WORDS} more")
    return join_words(shown, conjunction)
