"""Read an IVS console link: its stage (id, region, account when the host names it), session, participant.

Console links look like ``https://us-west-2.console.aws.amazon.com/ivs/home?region=us-west-2#/stages/
abcdABCDefgh/sessions/st-a1b2c3d4e5f6g/participants/abCDEf12GHIj`` (newer consoles put ``real-time/``
before ``stages``). They name the region but not the AWS account, except on multi-session console hosts
(``123456789012-abcd1234.us-west-2.console.aws.amazon.com``), so a link alone can give a full stage ARN
only there; otherwise the account has to come from a stage ARN elsewhere in the message.
"""

from __future__ import annotations

import itertools
import re
from urllib.parse import parse_qs, unquote, urlsplit

from bot.domain.queries import PARTICIPANT_ID_RE, SESSION_ID_RE, STAGE_ARN_RE

_STAGE_ID = re.compile(r"[a-zA-Z0-9-]{1,128}")
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+){1,3}-[0-9]{1,2}")
_ACCOUNT_HOST = re.compile(r"([0-9]{12})-[a-z0-9]{1,64}")

LinkedStage = tuple[str, str, str | None]  # a console link's stage id, region, and account when it names one


def names_stage(
    link: LinkedStage, stage_arn: str | None, stage_without_account: tuple[str, str] | None
) -> bool:
    """True when a console link's stage is the stage ARN's (or the stage the first link names)."""
    stage_id, region, account = link
    if stage_arn is None:
        return stage_without_account in (None, (stage_id, region))
    match = STAGE_ARN_RE.fullmatch(stage_arn)
    return (
        match is not None
        and (match["stage"], match["region"]) == (stage_id, region)
        and account in (None, match["account"])
    )


def parse_console_link(token: str) -> tuple[LinkedStage | None, str | None, str | None]:
    """(stage id, region, account or None), session id, participant id from an IVS console URL."""
    try:
        parts = urlsplit(token)
    except ValueError:
        return None, None, None
    host = (parts.hostname or "").lower()
    if not host.endswith(".console.aws.amazon.com") and host != "console.aws.amazon.com":
        return None, None, None
    if not parts.path.startswith("/ivs"):
        return None, None, None
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
