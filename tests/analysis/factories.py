"""Payload factories: IVS events and histories shaped exactly like boto3 returns them.

A test states its story in minutes from a fixed start ("joined at 0, left at 5") and gets real-looking data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain.history import ParticipantHistory
from bot.domain.queries import ParticipantQuery

STAGE_ARN = "arn:aws:ivs:us-west-2:123456789012:stage/abcdABCDefgh"
SESSION_ID = "st-a1b2c3d4e5f6g"
PARTICIPANT_ID = "abCDEf12GHIj"
QUERY = ParticipantQuery(STAGE_ARN, SESSION_ID, PARTICIPANT_ID)
START = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """A moment, in minutes after START."""
    return START + timedelta(minutes=minutes)


def event(name: str, minutes: float, **fields: Any) -> dict[str, Any]:
    """One event as boto3 returns it, ``minutes`` after START; extra fields as keywords."""
    return {"name": name, "participantId": PARTICIPANT_ID, "eventTime": at(minutes), **fields}


def joined(minutes: float) -> dict[str, Any]:
    return event("JOINED", minutes)


def left(minutes: float) -> dict[str, Any]:
    return event("LEFT", minutes)


def publish_started(minutes: float) -> dict[str, Any]:
    return event("PUBLISH_STARTED", minutes)


def publish_stopped(minutes: float) -> dict[str, Any]:
    return event("PUBLISH_STOPPED", minutes)


def subscribe_started(minutes: float, publisher: str) -> dict[str, Any]:
    return event("SUBSCRIBE_STARTED", minutes, remoteParticipantId=publisher)


def subscribe_stopped(minutes: float, publisher: str) -> dict[str, Any]:
    return event("SUBSCRIBE_STOPPED", minutes, remoteParticipantId=publisher)


def error(name: str, minutes: float, code: str | None, **fields: Any) -> dict[str, Any]:
    extra = {} if code is None else {"errorCode": code}
    return event(name, minutes, **extra, **fields)


def token(
    capabilities: Iterable[str], *, user_id: str = "alice", attributes: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """An ExchangedParticipantToken (botocore shape)."""
    return {
        "capabilities": list(capabilities),
        "attributes": dict(attributes or {}),
        "userId": user_id,
        "expirationTime": at(600),
    }


def token_exchanged(
    minutes: float, before: Iterable[str], after: Iterable[str], **fields: Any
) -> dict[str, Any]:
    return event("TOKEN_EXCHANGED", minutes, previousToken=token(before), newToken=token(after), **fields)


def join_leave_cycles(start_minute: float, cycles: int, *, every_seconds: float = 30) -> list[dict[str, Any]]:
    """Quick reconnects: JOINED then LEFT ``every_seconds / 2`` later, ``cycles`` times."""
    events: list[dict[str, Any]] = []
    for n in range(cycles):
        begin = start_minute + n * every_seconds / 60
        events += [joined(begin), left(begin + every_seconds / 120)]
    return events


def participant(**overrides: Any) -> dict[str, Any]:
    """GetParticipant's participant dict for a Chrome-on-macOS web client."""
    details: dict[str, Any] = {
        "participantId": PARTICIPANT_ID,
        "userId": "alice",
        "state": "DISCONNECTED",
        "firstJoinTime": START,
        "attributes": {"role": "host"},
        "published": True,
        "ispName": "Comcast",
        "osName": "macOS",
        "osVersion": "14.4",
        "browserName": "Chrome",
        "browserVersion": "122.0",
        "sdkVersion": "1.14.0",
        "protocol": "WHIP",
    }
    details.update(overrides)
    return details


def ended_session(end_minute: float = 120) -> dict[str, Any]:
    return {"sessionId": SESSION_ID, "startTime": START, "endTime": at(end_minute)}


def live_session() -> dict[str, Any]:
    return {"sessionId": SESSION_ID, "startTime": START}


def history(
    events: Iterable[Mapping[str, Any]],
    *,
    details: Mapping[str, Any] | None = None,
    session: Mapping[str, Any] | None = None,
    live: bool = False,
) -> ParticipantHistory:
    """A fetched history; ended two hours after START unless ``live`` or an explicit ``session``."""
    if session is None:
        session = live_session() if live else ended_session()
    return ParticipantHistory(
        query=QUERY,
        events=tuple(events),
        participant=participant() if details is None else details,
        session=session,
        pages=1,
        fetched_at=at(180),
    )


NOW = at(180)
