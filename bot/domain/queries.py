"""Parse and validate the three ids that name one participant's history.

The patterns are the service's own (botocore's ``ivs-realtime`` model): anything that would be rejected
by IVS is rejected here first, so invalid input never costs an AWS call.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import botocore.loaders

from bot.domain.errors import InvalidQueryError
from bot.slack_ids import COMMAND

# botocore ivs-realtime model: stageArn 1-128 chars, pattern arn:aws:ivs:[a-z0-9-]+:[0-9]+:stage/[a-zA-Z0-9-]+
# (a real account id is 12 digits; IVS's own docs and console always show 12).
STAGE_ARN_RE = re.compile(
    r"arn:aws:ivs:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):stage/(?P<stage>[a-zA-Z0-9-]+)"
)
# sessionId: exactly 16 chars, st- + alphanumerics.
SESSION_ID_RE = re.compile(r"st-[a-zA-Z0-9]{13}")


@functools.cache
def _model_shape(name: str) -> dict[str, object]:
    """One shape of the installed botocore's ``ivs-realtime`` model (no call, no network)."""
    model = botocore.loaders.create_loader().load_service_model("ivs-realtime", "service-2")
    return dict(model["shapes"][name])


def _participant_id_pattern() -> tuple[str, str]:
    """participantId's pattern and its shape in words, as the installed model has them.

    botocore 1.43 allows ``[a-zA-Z0-9-]``, 1.44 also ``_``: we accept exactly what IVS would. The model
    allows 0 characters; an empty id is useless to us, so at least one.
    """
    shape = _model_shape("ParticipantId")
    body = str(shape["pattern"]).removesuffix("*").removesuffix("+")
    longest = int(str(shape.get("max", 64)))
    allows = re.compile(body)
    extras = [name for char, name in (("-", "hyphens"), ("_", "underscores")) if allows.fullmatch(char)]
    words = (
        ", ".join(["letters", "digits", *extras[:-1]]) + f" or {extras[-1]}"
        if extras
        else "letters or digits"
    )
    return f"{body}{{1,{longest}}}", f"1-{longest} {words}"


_PARTICIPANT_PATTERN, PARTICIPANT_ID_SHAPE = _participant_id_pattern()
PARTICIPANT_ID_RE = re.compile(_PARTICIPANT_PATTERN)

# ListParticipants' filterByUserId: the model's UserId shape allows 0-128 characters of anything.
USER_ID_MAX = int(str(_model_shape("UserId").get("max", 128)))
STAGE_ARN_SHAPE = "`arn:aws:ivs:<region>:<12-digit account>:stage/<stage id>`"
SESSION_ID_SHAPE = "`st-` followed by 13 letters or digits"
USAGE = f"{COMMAND} <stage-arn> <session-id> <participant-id>"
EXAMPLE = f"{COMMAND} arn:aws:ivs:us-west-2:123456789012:stage/abcdABCDefgh st-a1b2c3d4e5f6g abCDEf12GHIj"


@functools.cache
def known_regions() -> frozenset[str]:
    """Every region of the ``aws`` partition that the installed botocore knows (no call, no network).

    A name that merely looks like a region (``us-foo-1``) would cost DNS lookups and retries before
    failing, so it is refused up front. A region launched after this botocore was released is refused
    too, with a hint to upgrade boto3.
    """
    loader = botocore.loaders.create_loader()
    regions: set[str] = set()
    for data in ("partitions", "endpoints"):
        for partition in loader.load_data(data)["partitions"]:
            # A stage ARN is ``arn:aws:ivs:…``: only the ``aws`` partition's regions, and no pseudo-region
            # (``aws-global``) that would send the calls to a global endpoint IVS does not have.
            if partition.get("id", partition.get("partition")) == "aws":
                regions.update(r for r in partition.get("regions", {}) if not r.endswith("-global"))
    return frozenset(regions)


def is_aws_region(region: str) -> bool:
    """True when ``region`` is an AWS region the installed botocore knows."""
    return region in known_regions()


def _shown(value: str, limit: int = 80) -> str:
    """Cut a user value for display in an error message (the message itself is escaped later)."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _check_stage_arn(stage_arn: str) -> None:
    if len(stage_arn) > 128 or not STAGE_ARN_RE.fullmatch(stage_arn):
        raise InvalidQueryError(
            "stage ARN", f"stage ARN must look like {STAGE_ARN_SHAPE}, got `{_shown(stage_arn)}`"
        )
    region = _arn_parts(stage_arn)["region"]
    if not is_aws_region(region):
        raise InvalidQueryError(
            "stage ARN",
            f"stage ARN names region `{_shown(region)}`, which is not an AWS region "
            "(for example `us-west-2`)",
        )


def _check_session_id(session_id: str) -> None:
    if not SESSION_ID_RE.fullmatch(session_id):
        raise InvalidQueryError(
            "session id", f"session id must be {SESSION_ID_SHAPE}, got `{_shown(session_id)}`"
        )


def _arn_parts(stage_arn: str) -> re.Match[str]:
    match = STAGE_ARN_RE.fullmatch(stage_arn)
    assert match is not None  # validated when the query was made
    return match


class OnStage:
    """What every question shares: the stage ARN, and the region, account and stage id it names."""

    __slots__ = ()
    stage_arn: str

    @property
    def region(self) -> str:
        """The AWS region in the stage ARN: every call for this stage is signed for it."""
        return _arn_parts(self.stage_arn)["region"]

    @property
    def account(self) -> str:
        """The 12-digit AWS account that owns the stage."""
        return _arn_parts(self.stage_arn)["account"]

    @property
    def stage_id(self) -> str:
        """The stage's resource id (the part after ``stage/``)."""
        return _arn_parts(self.stage_arn)["stage"]


@dataclass(frozen=True, slots=True)
class StageQuery(OnStage):
    """A stage: "what happened on this stage lately" (its latest session, live first)."""

    stage_arn: str

    def __post_init__(self) -> None:
        _check_stage_arn(self.stage_arn)

    def session(self, session_id: str) -> SessionQuery:
        """One session of this stage."""
        return SessionQuery(self.stage_arn, session_id)


@dataclass(frozen=True, slots=True)
class SessionQuery(OnStage):
    """One stage session: the key of the session overview and of GetStageSession.

    ``skip`` continues a huge session's overview: the participants examined start after that many (in the
    overview's order: publishers, then connected ones).
    """

    stage_arn: str
    session_id: str
    skip: int = 0

    def __post_init__(self) -> None:
        _check_stage_arn(self.stage_arn)
        _check_session_id(self.session_id)
        if self.skip < 0:
            raise InvalidQueryError("arguments", f"cannot skip {self.skip} participants")

    def participant(self, participant_id: str) -> ParticipantQuery:
        """One participant of this session."""
        return ParticipantQuery(self.stage_arn, self.session_id, participant_id)

    def as_value(self) -> str:
        """Encode for a Slack button value: the two ids (and how many to skip), space-separated."""
        return f"{self.stage_arn} {self.session_id}" + (f" {self.skip}" if self.skip else "")

    @classmethod
    def from_value(cls, value: str) -> SessionQuery:
        """Decode :meth:`as_value` output.

        Raises:
            InvalidQueryError: not two valid ids.
        """
        parts = value.split()
        if len(parts) not in (2, 3) or (len(parts) == 3 and not parts[2].isdigit()):
            raise InvalidQueryError(
                "arguments", f"expected a stage ARN and a session id, got {len(parts)} values"
            )
        return cls(parts[0], parts[1], int(parts[2]) if len(parts) == 3 else 0)


@dataclass(frozen=True, slots=True)
class UserQuery(OnStage):
    """A participant named by the ``userId`` the customer's application gave it, in one session or in the
    stage's recent sessions (ListParticipants ``filterByUserId``)."""

    stage_arn: str
    user_id: str
    session_id: str | None = None

    def __post_init__(self) -> None:
        _check_stage_arn(self.stage_arn)
        if self.session_id is not None:
            _check_session_id(self.session_id)
        if not 1 <= len(self.user_id) <= USER_ID_MAX:
            raise InvalidQueryError(
                "user id", f"user id must be 1-{USER_ID_MAX} characters, got `{_shown(self.user_id)}`"
            )


@dataclass(frozen=True, slots=True)
class ParticipantQuery(OnStage):
    """One participant in one stage session: the key of everything the bot fetches about it."""

    stage_arn: str
    session_id: str
    participant_id: str

    def __post_init__(self) -> None:
        _check_stage_arn(self.stage_arn)
        _check_session_id(self.session_id)
        if not PARTICIPANT_ID_RE.fullmatch(self.participant_id):
            raise InvalidQueryError(
                "participant id",
                f"participant id must be {PARTICIPANT_ID_SHAPE}, got `{_shown(self.participant_id)}`",
            )

    @property
    def session(self) -> SessionQuery:
        """The stage session this participant belongs to."""
        return SessionQuery(self.stage_arn, self.session_id)

    def as_value(self) -> str:
        """Encode for a Slack button value (≤2000 chars): the three ids, space-separated."""
        return f"{self.stage_arn} {self.session_id} {self.participant_id}"

    @classmethod
    def from_value(cls, value: str) -> ParticipantQuery:
        """Decode :meth:`as_value` output (or any ``<arn> <session> <participant>`` text)."""
        return parse_query(value)


# Everything the bot can be asked: a stage, a session, a user id, or a participant.
Question = StageQuery | SessionQuery | UserQuery | ParticipantQuery


def parse_query(text: str) -> ParticipantQuery:
    """Parse ``<stage-arn> <session-id> <participant-id>`` as typed after the slash command.

    Args:
        text: the command text; surrounding whitespace, Slack's ``<...>`` link wrapping and backticks are
            tolerated, because people paste ids from formatted messages.

    Raises:
        InvalidQueryError: naming the missing or malformed part and the expected shape.
    """
    parts = [_strip_decoration(p) for p in text.split()]
    parts = [p for p in parts if p]
    if len(parts) != 3:
        raise InvalidQueryError(
            "arguments",
            f"expected 3 values (stage ARN, session id, participant id), got {len(parts)}. Usage: `{USAGE}`",
        )
    return ParticipantQuery(*parts)


def _strip_decoration(token: str) -> str:
    token = token.strip().strip("`'\"")
    if token.startswith("<") and token.endswith(">"):
        token = token[1:-1].split("|", 1)[0]
    return token.strip("`'\",;")
