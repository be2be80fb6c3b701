"""Find a stage ARN, a session id and a participant id anywhere in a Slack message.

People paste ids in every shape: the three values as the slash command takes them, a stage ARN in one
sentence and ``participantId: abCDEf12GHIj`` in the next, the JSON the AWS CLI prints, or a link to the
participant's page in the IVS console. This module reads all of those from a message's text, blocks and
attachments.

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

# Token separators: whitespace and the characters Slack and JSON wrap values in. ``:`` ``/`` ``?`` ``#``
# ``&`` ``=`` stay inside tokens (ARNs and URLs need them).
_SEPARATORS = re.compile(r"[\s<>|\"'`()\[\]{},;]+")
_EDGES = "*_~"  # mrkdwn emphasis around a token
_TRAILING = ".!?"  # sentence punctuation after one
_STAGE_ID = re.compile(r"[a-zA-Z0-9-]{1,128}")
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+){1,3}-[0-9]{1,2}")
_ACCOUNT_HOST = re.compile(r"([0-9]{12})-[a-z0-9]{1,64}")
_PARTICIPANT_LABELS = frozenset({"participantid", "participant-id", "participant_id", "participant"})
_SLACK_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


@dataclass(frozen=True, slots=True)
class FoundIds:
    """What a message holds; any part may be missing.

    Attributes:
        stage_arn: the first stage ARN found (or built from a console link that names the account).
        session_id: the first session id found.
        participant_id: a participant id, from a console link, a label, or the value after the session id.
        stage_without_account: a stage named only by a console link (stage id, region), when no ARN was
            found: the message lacks the AWS account to build the ARN from.
    """

    stage_arn: str | None = None
    session_id: str | None = None
    participant_id: str | None = None
    stage_without_account: tuple[str, str] | None = None

    @property
    def complete(self) -> bool:
        """All three ids were found."""
        return not self.missing

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
        """The query, when every part was found (they are already valid)."""
        if self.stage_arn and self.session_id and self.participant_id:
            return ParticipantQuery(self.stage_arn, self.session_id, self.participant_id)
        return None

    def merged_with(self, other: FoundIds) -> FoundIds:
        """Fill the parts missing here from ``other`` (what this message says wins)."""
        stage_arn = self.stage_arn or other.stage_arn
        return FoundIds(
            stage_arn=stage_arn,
            session_id=self.session_id or other.session_id,
            participant_id=self.participant_id or other.participant_id,
            stage_without_account=None
            if stage_arn
            else (self.stage_without_account or other.stage_without_account),
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


def _scan(tokens: list[str]) -> FoundIds:
    arn = session = participant = None
    linked_stage: tuple[str, str, str | None] | None = None  # stage id, region, account
    for index, token in enumerate(tokens):
        if not token:
            continue
        if "console.aws.amazon.com" in token:
            link = _console_link(token)
            if link is not None:
                link_stage, link_session, link_participant = link
                linked_stage = linked_stage or link_stage
                session = session or link_session
                participant = participant or link_participant
            continue
        value = token.rstrip(":=")
        if STAGE_ARN_RE.fullmatch(value) and len(value) <= 128:
            arn = arn or value
        elif SESSION_ID_RE.fullmatch(value):
            session = session or value
            follows_arn = index > 0 and STAGE_ARN_RE.fullmatch(tokens[index - 1]) is not None
            if participant is None and follows_arn:
                participant = _participant_after(tokens, index)
        elif participant is None:
            participant = _labelled_participant(tokens, index)
    stage_without_account = None
    if linked_stage is not None:
        stage_id, region, account = linked_stage
        if arn is None and account is not None:
            arn = f"arn:aws:ivs:{region}:{account}:stage/{stage_id}"
        elif arn is None:
            stage_without_account = (stage_id, region)
    return FoundIds(arn, session, participant, stage_without_account)


def _participant_after(tokens: list[str], index: int) -> str | None:
    """The value after ``<arn> <session>``, as the slash command takes it."""
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


def _labelled_participant(tokens: list[str], index: int) -> str | None:
    """``participantId: X``, ``participant id X``, ``participant_id=X``, ``"participantId": "X"``."""
    token = tokens[index]
    cut = min((i for i in (token.find(":"), token.find("=")) if i >= 0), default=len(token))
    label, value = token[:cut].lower(), token[cut + 1 :]
    if label not in _PARTICIPANT_LABELS:
        return None
    if value:
        return _assigned(value)
    following = [t.strip(":=") for t in tokens[index + 1 : index + 4]]
    following = [t for t in following if t]
    if label == "participant" and following[:1] and following[0].lower() == "id":
        following = following[1:]
    return _assigned(following[0]) if following else None


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
