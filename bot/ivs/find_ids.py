"""Find a stage ARN, a session id and a participant id anywhere in a Slack message.

People paste ids in every shape: the three values as the slash command takes them (in any order), a stage
ARN in one sentence and ``participantId: abCDEf12GHIj`` in the next, the JSON the AWS CLI prints, the CLI
command itself (``--stage-arn A --session-id S --participant-id P``, ``--participant-id=P``, lines
continued with ``\\``), or a link to the participant's page in the IVS console. This module reads all of
those from a message's text, blocks and attachments.

A participant id after an explicit label (``participantId:``, ``participant_id=``, ``--participant-id``) is
taken as written when it matches the API's pattern, and reported as malformed when it does not. Elsewhere
only values shaped like the ids IVS assigns are taken, so ordinary words never are. When a message names
several participants (a pasted list-participants page), the first is the one asked about and the others
are kept so the answer can mention them.

The text is untrusted and can be long, so nothing here uses a regular expression that can backtrack
badly: the text is split into tokens first (one linear pass), and each token is matched with anchored,
bounded patterns.

Console links look like ``https://us-west-2.console.aws.amazon.com/ivs/home?region=us-west-2#/stages/
abcdABCDefgh/sessions/st-a1b2c3d4e5f6g/participants/abCDEf12GHIj`` (newer consoles put ``real-time/``
before ``stages``). They name the region but not the AWS account, except on multi-session console hosts
(``123456789012-abcd1234.us-west-2.console.aws.amazon.com``), so a link alone can give a full stage ARN
only there; otherwise the account has to come from a stage ARN elsewhere in the message.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from bot.ivs.query import PARTICIPANT_ID_RE, SESSION_ID_RE, STAGE_ARN_RE, ParticipantQuery

# Slack messages are at most 40,000 characters; blocks and attachments add more. Past this, ignore.
MAX_SCAN_CHARS = 100_000
_MAX_DEPTH = 12
# A pasted list-participants page can name hundreds of participants; a note lists a few of them.
MAX_OTHER_PARTICIPANTS = 20

# Token separators: whitespace, the characters Slack and JSON wrap values in, and the ``\`` that continues
# a shell line. ``:`` ``/`` ``?`` ``#`` ``&`` ``=`` stay inside tokens (ARNs and URLs need them).
_SEPARATORS = re.compile(r"[\s<>|\"'`()\[\]{},;\\]+")
_EDGES = "*_~"  # mrkdwn emphasis around a token
_TRAILING = ".!?"  # sentence punctuation after one
_STAGE_ID = re.compile(r"[a-zA-Z0-9-]{1,128}")
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+){1,3}-[0-9]{1,2}")
_ACCOUNT_HOST = re.compile(r"([0-9]{12})-[a-z0-9]{1,64}")
_SLACK_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))

# The labels people write before each id: JSON keys, AWS CLI flags, prose. ``remoteParticipantId`` is not
# one: in list-participant-events output it names the other side of a subscription.
PARTICIPANT_LABELS = frozenset(
    {"participantid", "participant-id", "participant_id", "--participant-id", "participant"}
)
STAGE_LABELS = frozenset({"stagearn", "stage-arn", "stage_arn", "--stage-arn", "stage"})
SESSION_LABELS = frozenset({"sessionid", "session-id", "session_id", "--session-id", "session"})
LABEL_WORDS = PARTICIPANT_LABELS | STAGE_LABELS | SESSION_LABELS | {"id"}
# Words after a participant label that say there is no id: "participant id: unknown", "participant: the…".
_NOT_AN_ID = frozenset(
    {"unknown", "none", "null", "nil", "n/a", "tbd", "missing", "the", "a", "an", "is", "was", "of", "not"}
)
# After these words a 12-character token is some other kind of id (a user id, a stage id, a request id…).
_OTHER_ID_WORDS = frozenset(
    {"stage", "session", "user", "userid", "user-id", "user_id", "remoteparticipantid", "id", "request"}
)
# IVS assigns participant ids of 12 letters and digits (every one seen so far).
_ASSIGNED_SHAPE = re.compile(r"[a-zA-Z0-9]{12}")

# Where a participant id was found, most trusted first: the first of the best kind is the one asked about.
_LABELLED, _LINKED, _POSITIONAL, _BARE = range(4)


@dataclass(frozen=True, slots=True)
class FoundIds:
    """What a message holds; any part may be missing.

    Attributes:
        stage_arn: the first stage ARN found (or built from a console link that names the account).
        session_id: the first session id found.
        participant_id: the participant asked about: the first one after a label, else from a console
            link, else the value after ``<arn> <session>``, else the first value shaped like an IVS id.
        stage_without_account: a stage named only by a console link (stage id, region), when no ARN was
            found: the message lacks the AWS account to build the ARN from.
        other_participants: the other participant ids the message names, in the same order of trust.
        malformed_participant: a value after a participant label that IVS would refuse (only when no
            participant id was found), so the asker hears "malformed", not "missing".
    """

    stage_arn: str | None = None
    session_id: str | None = None
    participant_id: str | None = None
    stage_without_account: tuple[str, str] | None = None
    other_participants: tuple[str, ...] = ()
    malformed_participant: str | None = None

    @property
    def complete(self) -> bool:
        """All three ids were found."""
        return not self.missing

    @property
    def anything(self) -> bool:
        """Some id (or a malformed participant id, or a console link's stage) was found."""
        return bool(self.found or self.malformed_participant or self.stage_without_account)

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
        """The query, when every part was found.

        Raises:
            InvalidQueryError: the parts have the right shape but IVS would still refuse them (a stage
                ARN whose region is no AWS region).
        """
        if self.stage_arn and self.session_id and self.participant_id:
            return ParticipantQuery(self.stage_arn, self.session_id, self.participant_id)
        return None

    def merged_with(self, other: FoundIds) -> FoundIds:
        """Fill the parts missing here from ``other`` (what this message says wins).

        A participant id named here, even a malformed one, wins over ``other``'s, and so do the other
        participants named alongside it.
        """
        stage_arn = self.stage_arn or other.stage_arn
        mine = self.participant_id is not None or self.malformed_participant is not None
        participants = self if mine else other
        return FoundIds(
            stage_arn=stage_arn,
            session_id=self.session_id or other.session_id,
            participant_id=participants.participant_id,
            stage_without_account=None
            if stage_arn
            else (self.stage_without_account or other.stage_without_account),
            other_participants=participants.other_participants,
            malformed_participant=participants.malformed_participant,
        )


def find_ids(text: str = "", *, blocks: object = None, attachments: object = None) -> FoundIds:
    """Find the ids in a message's text, blocks and attachments (in that order; the first of each wins).

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
        text = chunk
        for raw, plain in _SLACK_ENTITIES:
            text = text.replace(raw, plain)
        tokens.extend(t.strip(_EDGES + _TRAILING) for t in _SEPARATORS.split(text))
        tokens.append("")  # chunks never run into each other
    return tokens


class _Participants:
    """Participant ids as they are found, each kept with the best (kind, position) it was seen at."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, int]] = {}

    def offer(self, value: str | None, kind: int, position: int) -> None:
        if value is None:
            return
        best = self._seen.get(value)
        if best is None or (kind, position) < best:
            self._seen[value] = (kind, position)

    def ranked(self) -> list[str]:
        return sorted(self._seen, key=self._seen.__getitem__)


def _scan(tokens: list[str]) -> FoundIds:
    arn = session = malformed = None
    participants = _Participants()
    linked_stage: tuple[str, str, str | None] | None = None  # stage id, region, account
    previous, previous_kind = "", ""  # the last non-empty token, and "arn"/"session" when it was one
    for index, token in enumerate(tokens):
        if not token:
            continue
        kind = ""
        if "console.aws.amazon.com" in token:
            link = _console_link(token)
            if link is not None:
                link_stage, link_session, link_participant = link
                linked_stage = linked_stage or link_stage
                session = session or link_session
                participants.offer(link_participant, _LINKED, index)
        else:
            label, value, explicit = _split_label(token)
            if label in PARTICIPANT_LABELS:
                valid, bad = _labelled_participant(tokens, index, label, value, explicit=explicit)
                participants.offer(valid, _LABELLED, index)
                malformed = malformed or bad
            elif STAGE_ARN_RE.fullmatch(value) and len(value) <= 128:
                arn, kind = arn or value, "arn"
            elif SESSION_ID_RE.fullmatch(value):
                session, kind = session or value, "session"
            elif label is None and _looks_assigned(value) and not _names_other_id(previous):
                participants.offer(value, _BARE, index)
            if kind and previous_kind and previous_kind != kind:  # <arn> <session> <participant>, any order
                participants.offer(_participant_after(tokens, index), _POSITIONAL, index + 1)
        previous, previous_kind = token, kind
    stage_without_account = None
    if linked_stage is not None:
        stage_id, region, account = linked_stage
        if arn is None and account is not None:
            arn = f"arn:aws:ivs:{region}:{account}:stage/{stage_id}"
        elif arn is None:
            stage_without_account = (stage_id, region)
    ranked = participants.ranked()
    return FoundIds(
        arn,
        session,
        ranked[0] if ranked else None,
        stage_without_account,
        other_participants=tuple(ranked[1 : MAX_OTHER_PARTICIPANTS + 1]),
        malformed_participant=None if ranked else malformed,
    )


def _split_label(token: str) -> tuple[str | None, str, bool]:
    """(label, value, explicit) of ``participantId:``, ``--stage-arn=arn:…``, ``session``; else (None, token).

    ``explicit`` is true when a ``:`` or ``=`` ties the label to its value.
    """
    bare = token.rstrip(":=")
    if bare.lower() in LABEL_WORDS:
        return bare.lower(), "", bare != token
    cuts = [i for i in (token.find(":"), token.find("=")) if i > 0]
    if cuts and token[: min(cuts)].lower() in LABEL_WORDS:
        return token[: min(cuts)].lower(), token[min(cuts) + 1 :].strip(":="), True
    return None, bare, False


def _labelled_participant(
    tokens: list[str], index: int, label: str, value: str, *, explicit: bool
) -> tuple[str | None, str | None]:
    """(valid id, malformed value) after a participant label.

    After an explicit label (``participantId: X``, ``participant_id=X``, ``--participant-id X``) any value
    the API accepts is taken, and anything else is malformed; after the bare word ``participant`` (prose:
    "the participant was kicked") only a value shaped like an IVS-assigned id is.
    """
    explicit = explicit or label != "participant"
    if not value:
        following = (t for t in tokens[index + 1 : index + 5] if t)
        value = next(following, "")
        if label == "participant" and value.rstrip(":=").lower() == "id":  # "participant id: X"
            explicit = explicit or value.endswith((":", "="))
            value = next(following, "")
        if value and not value.strip(":="):  # "participantId : X"
            explicit, value = True, next(following, "")
        value = value.strip(":=")
    if not value or value.lower() in _NOT_AN_ID:
        return None, None
    if not explicit:
        return _assigned(value), None
    if PARTICIPANT_ID_RE.fullmatch(value):
        return value, None
    if _split_label(value)[0] or STAGE_ARN_RE.match(value) or SESSION_ID_RE.match(value) or "://" in value:
        return None, None  # the label is followed by another id or a link, not by a participant id
    return None, value


def _participant_after(tokens: list[str], index: int) -> str | None:
    """The value after ``<arn> <session>`` (or ``<session> <arn>``), as the slash command takes it."""
    return _assigned(tokens[index + 1] if index + 1 < len(tokens) else "")


def _assigned(candidate: str) -> str | None:
    """``candidate`` when it looks like an IVS-assigned participant id, else None.

    IVS assigns participant ids (random letters and digits, 12 in every id seen so far); requiring a digit
    or two capitals keeps ordinary words ("<arn> <session> please help") from being taken for one.
    """
    if not PARTICIPANT_ID_RE.fullmatch(candidate) or len(candidate) < 8:
        return None
    if any(c.isdigit() for c in candidate) or sum(c.isupper() for c in candidate) >= 2:
        return candidate
    return None


def _looks_assigned(token: str) -> bool:
    """A token on its own taken for a participant id: 12 letters and digits, mixing digits and both cases.

    Stricter than :func:`_assigned`, because nothing around it says it is one (Slack's own ids are upper
    case only, words have no digits).
    """
    return (
        _ASSIGNED_SHAPE.fullmatch(token) is not None
        and any(c.isdigit() for c in token)
        and any(c.isupper() for c in token)
        and any(c.islower() for c in token)
    )


def _names_other_id(previous: str) -> bool:
    """True when the token before says what follows is some other value (``userId:``, ``stage``)."""
    return previous.endswith((":", "=")) or previous.lower() in _OTHER_ID_WORDS


def _console_link(token: str) -> tuple[tuple[str, str, str | None] | None, str | None, str | None] | None:
    """(stage id, region, account or None), session id, participant id from an IVS console URL."""
    try:
        parts = urlsplit(token)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not host.endswith(".console.aws.amazon.com") and host != "console.aws.amazon.com":
        return None
    if not parts.path.startswith("/ivs"):
        return None
    labels = host.split(".")
    region = parse_qs(parts.query).get("region", [""])[0]
    account = None
    if len(labels) >= 5 and _REGION.fullmatch(labels[-5]):
        region = region or labels[-5]
        if len(labels) >= 6 and (match := _ACCOUNT_HOST.fullmatch(labels[-6])):
            account = match.group(1)
    # The console routes in the fragment: #/stages/<id>/sessions/<id>/participants/<id> (or #/real-time/…)
    segments = [unquote(s) for s in parts.fragment.split("?", 1)[0].split("/") if s]
    values: dict[str, str] = {}
    for key, value in itertools.pairwise(segments):
        if key in {"stages", "sessions", "participants"} and key not in values:
            values[key] = value
    stage = values.get("stages")
    session = values.get("sessions")
    participant = values.get("participants")
    linked_stage = None
    if stage and _STAGE_ID.fullmatch(stage) and _REGION.fullmatch(region):
        linked_stage = (stage, region, account)
    return (
        linked_stage,
        session if session and SESSION_ID_RE.fullmatch(session) else None,
        participant if participant and PARTICIPANT_ID_RE.fullmatch(participant) else None,
    )
