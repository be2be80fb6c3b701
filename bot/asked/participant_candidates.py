"""Which participant id a message asks about: the words that label one, and the ranking of the candidates.

Precision over recall: looking up the wrong participant costs the asker a wrong diagnosis, while "I found
the stage ARN and the session id but no participant id" costs them one more message. So a value is taken
only when something says it is a participant id, and when several values could be and nothing says which,
none is taken and the asker is asked.

Evidence, most trusted first (:data:`EXPLICIT` … :data:`BARE`):
- an explicit compound label (``participantId:``, ``participant_id=``, ``--participant-id``,
  ``participant id:``): any value the API accepts is taken as written;
- the participant of an IVS console link;
- a plain label (``Participant:``, ``Guest:``, ``Host:``…): only a value shaped like an id IVS assigns
  ("Participant: Jane" names a person, not an id);
- the value right after ``<arn> <session>`` (as the slash command takes them), when shaped like an id IVS
  assigns;
- any other value shaped like one, preferably one a participant-like word introduces ("the participant
  was …"). Several of these and nothing else: no guess.
A label word, a placeholder (``<participant-id>``, ``REDACTED``, ``xxx``, ``TBD``), a CLI flag and a
session id or stage ARN are never participant ids.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.queries import PARTICIPANT_ID_RE

# Labels that can only mean a participant id: JSON keys, AWS CLI flags (参加者 is Japanese for participant).
COMPOUND_PARTICIPANT_LABELS = frozenset(
    {"participantid", "participant-id", "participant_id", "--participant-id", "参加者id"}
)
# Words that label a participant in prose and tickets ("Guest: …").
PLAIN_PARTICIPANT_LABELS = frozenset({"participant", "guest", "host", "viewer", "publisher", "pid", "参加者"})
STAGE_LABELS = frozenset({"stagearn", "stage-arn", "stage_arn", "--stage-arn", "stage"})
SESSION_LABELS = frozenset({"sessionid", "session-id", "session_id", "--session-id", "session"})
# Words that are labels wherever they stand (a plain participant label is one only before ``:`` or ``=``).
LABEL_WORDS = COMPOUND_PARTICIPANT_LABELS | STAGE_LABELS | SESSION_LABELS | {"participant", "id"}

# After these words a 12-character value is some other kind of id: a user id, a stage id, a request id, or
# (in list-participant-events output) the other side of a subscription.
_USER_ID_WORDS = frozenset({"user", "userid", "user-id", "user_id"})
_OTHER_ID_WORDS = _USER_ID_WORDS | {"stage", "session", "remoteparticipantid", "request", "requestid"}
# Keys of the IVS CLI output, placeholders, and words that say there is no id: never a participant id.
_CLI_KEYS = frozenset({"attributes", "state", "name", "events", "participants", "errorcode", "nexttoken"})
_PLACEHOLDERS = frozenset({"unknown", "none", "null", "nil", "n/a", "na", "tbd", "tba", "todo", "redacted"})
_PROSE = frozenset({"missing", "the", "a", "an", "is", "was", "of", "not", "help"})  # "participant id: the …"
_NOT_IDS = LABEL_WORDS | PLAIN_PARTICIPANT_LABELS | _OTHER_ID_WORDS | _CLI_KEYS | _PLACEHOLDERS | _PROSE
# Words skipped when looking back from a value for the word that introduces it ("the participant was …").
_FILLER = frozenset({"is", "was", "-", "–", "—", "the", "a", "an", "of", "their", "his", "her", "its", "our"})
_LOOK_BACK = 6  # tokens looked at before a value, so a hostile message costs a bounded amount per token
# IVS assigns participant ids of 12 letters and digits (every one seen so far).
_ASSIGNED_SHAPE = re.compile(r"[a-zA-Z0-9]{12}")

# Kinds of evidence, most trusted first: the first value of the best kind is the one asked about.
EXPLICIT, LINKED, PLAIN, POSITIONAL, INTRODUCED, BARE = range(6)


def looks_assigned(token: str) -> bool:
    """Shaped like an id IVS assigns: 12 letters and digits, mixing digits and both cases.

    Slack's own ids are upper case only, words have no digits: neither is taken for a participant id.
    """
    return (
        _ASSIGNED_SHAPE.fullmatch(token) is not None
        and any(c.isdigit() for c in token)
        and any(c.isupper() for c in token)
        and any(c.islower() for c in token)
        and not is_never_an_id(token)
    )


def is_never_an_id(value: str) -> bool:
    """A label word, a placeholder or a CLI flag: whatever follows a label, this is not an id."""
    lower = value.lower()
    return (
        lower in _NOT_IDS
        or "participant" in lower  # <participant-id>, your-participant-id, remoteParticipantId
        or not lower.strip("x-")  # xxx, XXXX-XXXX
        or value.startswith("-")  # --participant-id --max-results 100: the flag has no value
    )


def judge_labelled(value: str) -> tuple[str | None, str | None]:
    """(id, malformed value) for the value after an explicit label: taken as written if the API accepts it.

    A session id, a stage ARN, a link, a label word or a placeholder there means the id is missing, not
    malformed.
    """
    lower = value.lower()
    if not value or is_never_an_id(value) or lower.startswith(("st-", "arn:")) or "://" in value:
        return None, None
    if PARTICIPANT_ID_RE.fullmatch(value):
        return value, None
    return None, value


def introduction(tokens: Sequence[str], index: int) -> int | None:
    """What the words before ``tokens[index]`` say of it: INTRODUCED, BARE, or None for another kind of id.

    Looks back past filler ("the participant *was* …") to the first real word: a participant-like word
    ("participant", "guest", "pid", "ID") introduces a participant id; "stage", "userId", "request id"
    introduce some other id, and so does any other label (``name: …``).
    """
    labelled = False
    start = max(0, index - _LOOK_BACK)
    for position in range(index - 1, start - 1, -1):
        word = tokens[position].lower()
        bare = word.rstrip(":=")
        labelled = labelled or bare != word
        if not bare or bare in _FILLER:
            continue
        if bare == "id":  # "participant id", "the ID is …" but not "user id", "request ID"
            before = next((t for t in reversed(tokens[start:position]) if t), "").lower().rstrip(":=")
            return None if before in _OTHER_ID_WORDS else INTRODUCED
        if bare in _OTHER_ID_WORDS:
            return None
        if bare in PLAIN_PARTICIPANT_LABELS or bare in COMPOUND_PARTICIPANT_LABELS:
            return INTRODUCED
        return None if labelled else BARE
    return None if labelled else BARE


@dataclass(frozen=True, slots=True)
class Choice:
    """The participant asked about, the others named, or (when nothing says which) the possible ones."""

    participant: str | None = None
    others: tuple[str, ...] = ()
    possible: tuple[str, ...] = ()


class ParticipantCandidates:
    """Participant ids as they are found, each kept with the best (kind, position) it was seen at."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, int]] = {}

    def offer(self, value: str | None, kind: int | None, position: int) -> None:
        """Note ``value`` as a candidate of ``kind`` (nothing when either is None)."""
        if value is None or kind is None:
            return
        best = self._seen.get(value)
        if best is None or (kind, position) < best:
            self._seen[value] = (kind, position)

    def choose(self, limit: int, *, strong_only: bool = False) -> Choice:
        """The candidate asked about and the others (at most ``limit``), or the possible ones if unsure.

        Args:
            limit: how many other (or possible) participants to keep.
            strong_only: an explicit label named no usable id (malformed, a placeholder): only another
                explicit label or a console link may then say which participant is meant.
        """
        ranked = sorted(self._seen, key=self._seen.__getitem__)
        if strong_only:
            ranked = [value for value in ranked if self._seen[value][0] <= LINKED]
        if not ranked:
            return Choice()
        if self._seen[ranked[0]][0] == BARE and len(ranked) > 1:  # several, and nothing says which
            return Choice(possible=tuple(ranked[:limit]))
        return Choice(ranked[0], others=tuple(ranked[1 : limit + 1]))
