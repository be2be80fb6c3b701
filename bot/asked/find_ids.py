"""Find a stage ARN, a session id and a participant id anywhere in a Slack message.

People paste ids in every shape: the three values as the slash command takes them (in any order), a stage
ARN in one sentence and ``participantId: abCDEf12GHIj`` in the next, the JSON the AWS CLI prints, the CLI
command itself (``--stage-arn A --session-id S --participant-id P``, ``--participant-id=P``, lines
continued with ``\\``), a ticket template (``Stage: … / Session: … / Guest: …``), Japanese text with no
spaces around the ids, or a link to the participant's page in the IVS console. This module reads all of
those from a message's text, blocks and attachments.

It never guesses: which participant is meant is ranked in :mod:`bot.asked.participant_candidates`, and a
message that names two session ids, two stage ARNs, or a console link and a stage ARN of different stages
is reported as such (:attr:`FoundIds.ambiguous`) rather than answered with a mix of them.

The text is untrusted and can be long, so nothing here uses a regular expression that can backtrack
badly: the text is split into tokens first (one linear pass), and each token is matched with anchored,
bounded patterns.

Console links are read by :mod:`bot.asked.console_links`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.asked.console_links import LinkedStage, names_stage, parse_console_link
from bot.asked.participant_candidates import (
    COMPOUND_PARTICIPANT_LABELS,
    EXPLICIT,
    LABEL_WORDS,
    LINKED,
    PLAIN,
    PLAIN_PARTICIPANT_LABELS,
    POSITIONAL,
    ParticipantCandidates,
    introduction,
    judge_labelled,
    looks_assigned,
)
from bot.domain.queries import SESSION_ID_RE, STAGE_ARN_RE, ParticipantQuery

# Slack messages are at most 40,000 characters; blocks and attachments add more. Past this, ignore.
MAX_SCAN_CHARS = 100_000
_MAX_DEPTH = 12
# A pasted list-participants page can name hundreds of participants; a note lists a few of them.
MAX_OTHER_PARTICIPANTS = 20

# Token separators: whitespace, the characters Slack and JSON wrap values in, and the ``\`` that continues
# a shell line. ``:`` ``/`` ``?`` ``#`` ``&`` ``=`` stay inside tokens (ARNs and URLs need them).
_SEPARATORS = re.compile(r"[\s<>|\"'`()\[\]{},;\\]+")
# Separators Python's str.split does not see: zero-width spaces and joiners, smart quotes, and CJK
# punctuation (``ステージ：arn:…、セッション：st-…``). A full-width colon still ties a label to its value.
_WORD_BREAKS = str.maketrans(
    {**dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff“”‘’、。，；（）「」『』【】", " "), "：": ": "}
)
# <!channel>, <@U123|name>, <#C123|general>: Slack's mentions never hold an IVS id.
_SLACK_SPECIALS = re.compile(r"<[!@#][^<>\s]{0,200}>")
# "participant `guest_1`": a value in code right after the word is the participant id, whatever its shape.
_CODE_AFTER_PARTICIPANT = re.compile(r"\b[Pp]articipant[ \t]{0,3}`([^`\s]{1,64})`")
_EDGES = "*_~"  # mrkdwn emphasis around a token
_TRAILING = ".!?"  # sentence punctuation after one
_EMOJI_NAME = re.compile(r"[a-z0-9_+-]{1,50}")  # the name in :rotating_light:, stuck to an id by Slack
_SLACK_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


@dataclass(frozen=True, slots=True)
class FoundIds:
    """What a message holds; any part may be missing.

    Attributes:
        stage_arn: the first stage ARN found (or built from a console link that names the account).
        session_id: the first session id found.
        participant_id: the participant asked about, ranked by :mod:`bot.asked.participant_candidates`.
        stage_without_account: a stage named only by a console link (stage id, region), when no ARN was
            found: the message lacks the AWS account to build the ARN from.
        other_participants: the other participant ids the message names, in the same order of trust.
        malformed_participant: a value after a participant label that IVS would refuse (only when no
            participant id was found), so the asker hears "malformed", not "missing".
        possible_participants: several values shaped like participant ids, none labelled or introduced:
            nothing says which is meant, so none is the participant id.
        other_sessions: more session ids after the first: the message does not say which one is meant.
        other_stage_arns: more stage ARNs after the first, likewise.
        mismatched_link: (stage id, region) of a console link naming another stage than the stage ARN.
    """

    stage_arn: str | None = None
    session_id: str | None = None
    participant_id: str | None = None
    stage_without_account: tuple[str, str] | None = None
    other_participants: tuple[str, ...] = ()
    malformed_participant: str | None = None
    possible_participants: tuple[str, ...] = ()
    other_sessions: tuple[str, ...] = ()
    other_stage_arns: tuple[str, ...] = ()
    mismatched_link: tuple[str, str] | None = None

    @property
    def complete(self) -> bool:
        """All three ids were found, and nothing says another stage, session or participant is meant."""
        return not self.missing and not self.ambiguous

    @property
    def ambiguous(self) -> bool:
        """The message names two stages or two sessions, or several possible participants: ask which."""
        return bool(
            self.other_stage_arns or self.other_sessions or self.mismatched_link or self.possible_participants
        )

    @property
    def anything(self) -> bool:
        """Some id (or a malformed participant id, or a console link's stage) was found."""
        return bool(
            self.found
            or self.malformed_participant
            or self.stage_without_account
            or self.possible_participants
            or self.mismatched_link
        )

    @property
    def missing(self) -> list[str]:
        """Human names of the parts not found, in command order."""
        names = [
            ("stage ARN", self.stage_arn),
            ("session id", self.session_id),
            ("participant id", self.participant_id),
        ]
        return [name for name, value in names if value is None]

    @property
    def found(self) -> list[tuple[str, str]]:
        """(name, value) of the parts found, in command order."""
        names = [
            ("stage ARN", self.stage_arn),
            ("session id", self.session_id),
            ("participant id", self.participant_id),
        ]
        return [(name, value) for name, value in names if value is not None]

    def query(self) -> ParticipantQuery | None:
        """The query, when every part was found and the message does not also name others.

        Raises:
            InvalidQueryError: the parts have the right shape but IVS would still refuse them (a stage
                ARN whose region is no AWS region).
        """
        if self.stage_arn and self.session_id and self.participant_id and not self.ambiguous:
            return ParticipantQuery(self.stage_arn, self.session_id, self.participant_id)
        return None

    def merged_with(self, other: FoundIds) -> FoundIds:
        """Fill the parts missing here from ``other`` (what this message says wins).

        A participant id named here, even a malformed one, wins over ``other``'s, and so do the other
        participants named alongside it; likewise for the stage and the session. A console link on one
        side and a stage ARN of another stage on the other side are not mixed: that is a mismatch.
        """
        stages = self if self.stage_arn or self.stage_without_account else other
        stage_arn = self.stage_arn or other.stage_arn
        sessions = self if self.session_id else other
        mine = self.participant_id or self.malformed_participant or self.possible_participants
        participants = self if mine else other
        links = filter(None, (self.stage_without_account, other.stage_without_account))
        mismatched = self.mismatched_link or stages.mismatched_link
        if stage_arn is not None:
            mismatched = mismatched or next(
                (link for link in links if not names_stage((*link, None), stage_arn, None)), None
            )
        return FoundIds(
            stage_arn=stage_arn,
            session_id=sessions.session_id,
            participant_id=participants.participant_id,
            stage_without_account=None
            if stage_arn
            else (self.stage_without_account or other.stage_without_account),
            other_participants=participants.other_participants,
            malformed_participant=participants.malformed_participant,
            possible_participants=participants.possible_participants,
            other_sessions=sessions.other_sessions,
            other_stage_arns=stages.other_stage_arns,
            mismatched_link=mismatched,
        )


def find_ids(text: str = "", *, blocks: object = None, attachments: object = None) -> FoundIds:
    """Find the ids in a message's text, blocks and attachments.

    Args:
        text: the message's ``text`` (Slack mrkdwn: ``<url|label>`` links, ``&amp;`` entities).
        blocks: the message's ``blocks``, any JSON shape; every string inside is read.
        attachments: the message's ``attachments``, likewise.
    """
    chunks = [text, *_strings(blocks), *_strings(attachments)]
    budget, kept = MAX_SCAN_CHARS, []
    for chunk in chunks:
        if budget <= 0:
            break
        kept.append(chunk[:budget])
        budget -= len(chunk)
    return _scan(_tokens(kept))


def find_ids_in_message(message: Mapping[str, Any]) -> FoundIds:
    """:func:`find_ids` on a Slack message object (as in shortcut payloads and conversations.replies)."""
    return find_ids(
        str(message.get("text") or ""),
        blocks=message.get("blocks"),
        attachments=message.get("attachments"),
    )


def plain_words(text: str) -> list[str]:
    """The words of ``text`` split where a person sees a break (zero-width spaces, ``、``, smart quotes)."""
    return text.translate(_WORD_BREAKS).split()


def _strings(value: object, depth: int = 0) -> Iterator[str]:
    """Every string inside a JSON value, depth-first, bounded in depth."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item, depth + 1)


def _tokens(chunks: Iterable[str]) -> list[str]:
    tokens: list[str] = []
    for chunk in chunks:
        text = _SLACK_SPECIALS.sub(" ", chunk.translate(_WORD_BREAKS))
        text = _CODE_AFTER_PARTICIPANT.sub(r" participantId: \1 ", text)
        for raw, plain in _SLACK_ENTITIES:
            text = text.replace(raw, plain)
        for piece in _SEPARATORS.split(text):
            token = _without_emoji(piece.strip(_EDGES + _TRAILING)).strip(_EDGES + _TRAILING)
            tokens.extend(_split_label(token))
        tokens.append("")  # chunks never run into each other
    return tokens


def _without_emoji(token: str) -> str:
    """``token`` without the emoji shortcodes stuck to it (``:rotating_light:arn:…``, ``P:fire:``).

    Each step looks at most 52 characters and moves past what it looked at, so this stays linear.
    """
    start, end = 0, len(token)
    while start < end and token[start] == ":":
        close = token.find(":", start + 1, min(end, start + 52))
        if close == -1 or not _EMOJI_NAME.fullmatch(token, start + 1, close):
            break
        start = close + 1
    while end - start > 2 and token[end - 1] == ":":
        opening = token.rfind(":", max(start, end - 52), end - 1)
        name = (opening + 1, end - 1)
        if opening == -1 or not _EMOJI_NAME.fullmatch(token, *name) or SESSION_ID_RE.fullmatch(token, *name):
            break
        end = opening
    return token[start:end]


def _split_label(token: str) -> list[str]:
    """``participantId:P`` as two tokens, ``participantId:`` and ``P`` (``--stage-arn=arn:…`` likewise)."""
    cuts = [i for i in (token.find(":"), token.find("=")) if i > 0]
    label = token[: min(cuts)].lower() if cuts else ""
    if label not in LABEL_WORDS and label not in PLAIN_PARTICIPANT_LABELS:
        return [token]
    cut = min(cuts) + 1
    return [token[:cut], token[cut:]] if cut < len(token) else [token]


def _scan(tokens: list[str]) -> FoundIds:
    arns: dict[str, None] = {}  # distinct, in the order found
    sessions: dict[str, None] = {}
    links: dict[LinkedStage, None] = {}
    participants = ParticipantCandidates()
    malformed: str | None = None
    unusable_label = False  # an explicit participant label followed by a placeholder or a malformed id
    previous_kind = ""  # "arn" or "session" when the last non-empty token was one
    for index, token in enumerate(tokens):
        if not token:
            continue
        kind = ""
        label = token.lower().rstrip(":=")
        if "console.aws.amazon.com" in token:
            stage, session, participant = parse_console_link(token)
            links.update(dict.fromkeys(filter(None, [stage])))
            sessions.update(dict.fromkeys(filter(None, [session])))
            participants.offer(participant, LINKED, index)
        elif label in COMPOUND_PARTICIPANT_LABELS or label in PLAIN_PARTICIPANT_LABELS:
            valid, bad, evidence = _labelled_participant(tokens, index)
            participants.offer(valid, evidence, index)
            malformed = malformed or bad
            unusable_label = unusable_label or (evidence == EXPLICIT and valid is None)
        elif STAGE_ARN_RE.fullmatch(token) and len(token) <= 128:
            arns[token], kind = None, "arn"
        elif SESSION_ID_RE.fullmatch(token):
            sessions[token], kind = None, "session"
        elif looks_assigned(token):
            participants.offer(token, introduction(tokens, index), index)
        if kind and previous_kind and previous_kind != kind:  # <arn> <session> <participant>, any order
            participants.offer(_positional(tokens, index + 1), POSITIONAL, index + 1)
        previous_kind = kind
    choice = participants.choose(MAX_OTHER_PARTICIPANTS, strong_only=unusable_label)
    stage_arn = next(iter(arns), None) or next(
        (f"arn:aws:ivs:{region}:{account}:stage/{stage}" for stage, region, account in links if account), None
    )
    stage_without_account = None if stage_arn or not links else next(iter(links))[:2]
    return FoundIds(
        stage_arn,
        next(iter(sessions), None),
        choice.participant,
        stage_without_account,
        other_participants=choice.others,
        malformed_participant=None if choice.participant or choice.possible else malformed,
        possible_participants=choice.possible,
        other_sessions=tuple(itertools.islice(sessions, 1, MAX_OTHER_PARTICIPANTS + 1)),
        other_stage_arns=tuple(itertools.islice(arns, 1, MAX_OTHER_PARTICIPANTS + 1)),
        mismatched_link=next(
            (link[:2] for link in links if not names_stage(link, stage_arn, stage_without_account)), None
        ),
    )


def _positional(tokens: Sequence[str], index: int) -> str | None:
    """The value after ``<arn> <session>`` (either order): any value the API takes when it ends the text, as
    the slash command's third value does; otherwise only one shaped like an IVS-assigned id (prose goes on
    after the ids: "… st-a1b2c3d4e5f6g failed twice")."""
    value = tokens[index] if index < len(tokens) else ""
    if looks_assigned(value):
        return value
    ends = not any(tokens[index + 1 :])
    valid, _ = judge_labelled(value)
    return valid if ends and valid and SESSION_ID_RE.fullmatch(value) is None else None


def _labelled_participant(tokens: Sequence[str], index: int) -> tuple[str | None, str | None, int | None]:
    """(id, malformed value, kind of evidence) after the participant label ``tokens[index]``.

    After an explicit compound label tied to its value (``participantId: X``, ``participant_id=X``,
    ``--participant-id X``, ``participant id: X``, ``participant=X``) any value the API accepts is taken
    as written (EXPLICIT). After a plain one (``Guest: X``), or a compound label in prose ("the
    participantId in the console"), only a value shaped like an IVS-assigned id is (PLAIN). The kind is
    None when the word is no label here ("the guest froze").
    """
    token = tokens[index].lower()
    label = token.rstrip(":=")
    tied = label != token or label.startswith("--")
    following = (t for t in tokens[index + 1 : index + 8] if t)
    value = next(following, "")
    if value and not value.strip(":="):  # "participantId : X"
        tied, value = True, next(following, "")
    # "participant: X" and "participant=X" introduce the participant id itself; "Guest: X" may name a person.
    explicit = label in COMPOUND_PARTICIPANT_LABELS or (label == "participant" and tied)
    if label == "participant" and not tied and value.lower().rstrip(":=") == "id":  # "participant id: X"
        explicit, tied, value = True, value.endswith((":", "=")), next(following, "")
        if value and not value.strip(":="):
            tied, value = True, next(following, "")
        elif not tied and value.lower() == "of":  # "participant id of the guest: X"
            for word in itertools.islice(following, 3):
                if word.endswith(":"):
                    tied, value = True, next(following, "")
                    break
        if not tied:  # "participant id guest_1": any value the API takes; anything else is prose
            valid, _ = judge_labelled(value)
            return (valid, None, EXPLICIT) if valid else (None, None, None)
    if explicit and tied:
        return (*judge_labelled(value), EXPLICIT)
    if explicit or tied:
        return (value if looks_assigned(value) else None), None, PLAIN
    return None, None, None
