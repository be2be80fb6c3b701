"""The data the local IVS RealTime endpoint serves: stages, sessions, participants and their events.

Everything is held in boto3's output form (``eventTime`` and friends as timezone-aware ``datetime``), so
what a test puts in is exactly what boto3 hands back after a round trip through the endpoint. The store
deliberately does not validate what it holds: real IVS sends event names and error codes newer than the
installed botocore, and hostile ``userId`` / ``attributes`` text, and all of it must reach the bot intact.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

# Events sort newest first, then by name: this reproduces the AWS CLI example for ListParticipantEvents
# exactly (LEFT before PUBLISH_STOPPED, JOINED before PUBLISH_STARTED within one timestamp), which means
# reversing a page does NOT give the logical order of tied events.
_EventKey = tuple[str, str, str]


def event_sort_key(event: Mapping[str, Any]) -> tuple[float, str]:
    """Newest-first order of ListParticipantEvents, with the tie-break real answers show."""
    return (-event["eventTime"].timestamp(), str(event.get("name", "")))


@dataclass(slots=True)
class StageSessionRecord:
    """One stage session; ``end_time`` is None while it is live."""

    session_id: str
    start_time: datetime
    end_time: datetime | None = None

    def as_boto3(self) -> dict[str, Any]:
        """GetStageSession's ``stageSession`` (also ListStageSessions' summary): no ``endTime`` while live."""
        out: dict[str, Any] = {"sessionId": self.session_id, "startTime": self.start_time}
        if self.end_time is not None:
            out["endTime"] = self.end_time
        return out


@dataclass(slots=True)
class StageRecord:
    """One stage and its sessions."""

    arn: str
    name: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    sessions: dict[str, StageSessionRecord] = field(default_factory=dict)

    def as_boto3(self) -> dict[str, Any]:
        """GetStage's ``stage``; ``activeSessionId`` is the live session, when there is one."""
        out: dict[str, Any] = {"arn": self.arn, "name": self.name, "tags": dict(self.tags), **self.extra}
        live = [s for s in self.sessions.values() if s.end_time is None]
        if live:
            out["activeSessionId"] = max(live, key=lambda s: s.start_time).session_id
        return out


class ScenarioStore:
    """In-memory IVS RealTime data, keyed the way the API is: stage ARN, session id, participant id."""

    def __init__(self) -> None:
        self.stages: dict[str, StageRecord] = {}
        self._participants: dict[_EventKey, dict[str, Any]] = {}
        self._events: dict[_EventKey, list[dict[str, Any]]] = {}
        self._newest_first: dict[_EventKey, tuple[dict[str, Any], ...]] = {}

    # --- adding data -------------------------------------------------------------------------------

    def add_stage(
        self, arn: str, *, name: str = "", tags: Mapping[str, str] | None = None, **extra: Any
    ) -> StageRecord:
        """Add (or return the existing) stage; ``extra`` goes into GetStage as is (endpoints, recording)."""
        stage = self.stages.get(arn)
        if stage is None:
            stage = self.stages[arn] = StageRecord(arn, name, dict(tags or {}), dict(extra))
        return stage

    def add_session(
        self, stage_arn: str, session_id: str, start_time: datetime, end_time: datetime | None = None
    ) -> StageSessionRecord:
        """Add a session (creating the stage if needed); ``end_time=None`` means it is still live."""
        record = StageSessionRecord(session_id, start_time, end_time)
        self.add_stage(stage_arn).sessions[session_id] = record
        return record

    def add_participant(
        self, stage_arn: str, session_id: str, participant_id: str, **details: Any
    ) -> dict[str, Any]:
        """Add GetParticipant details (boto3 names and types); the session must exist."""
        self._require_session(stage_arn, session_id)
        participant = {"participantId": participant_id, **details}
        self._participants[(stage_arn, session_id, participant_id)] = participant
        return participant

    def add_events(
        self, stage_arn: str, session_id: str, participant_id: str, events: Iterable[Mapping[str, Any]]
    ) -> None:
        """Append events (any order); ``participantId`` is filled in when missing."""
        self._require_session(stage_arn, session_id)
        key = (stage_arn, session_id, participant_id)
        bucket = self._events.setdefault(key, [])
        bucket.extend({"participantId": participant_id, **e} for e in events)
        self._newest_first.pop(key, None)

    def _require_session(self, stage_arn: str, session_id: str) -> None:
        stage = self.stages.get(stage_arn)
        if stage is None or session_id not in stage.sessions:
            raise KeyError(f"add the session first: {stage_arn} {session_id}")

    # --- reading, in the shapes the API answers with ---------------------------------------------

    def stage(self, arn: str) -> dict[str, Any] | None:
        """GetStage's ``stage``, or None when the stage is unknown."""
        stage = self.stages.get(arn)
        return stage.as_boto3() if stage else None

    def sessions(self, stage_arn: str) -> list[dict[str, Any]]:
        """ListStageSessions' summaries, newest first (unknown stage: empty)."""
        stage = self.stages.get(stage_arn)
        records = sorted(stage.sessions.values(), key=lambda s: s.start_time, reverse=True) if stage else []
        return [r.as_boto3() for r in records]

    def session(self, stage_arn: str, session_id: str) -> dict[str, Any] | None:
        """GetStageSession's ``stageSession``, or None when unknown."""
        stage = self.stages.get(stage_arn)
        record = stage.sessions.get(session_id) if stage else None
        return record.as_boto3() if record else None

    def participant(self, stage_arn: str, session_id: str, participant_id: str) -> dict[str, Any] | None:
        """GetParticipant's ``participant``, or None when unknown."""
        return self._participants.get((stage_arn, session_id, participant_id))

    def participants(self, stage_arn: str, session_id: str) -> list[dict[str, Any]]:
        """Every participant of a session (full details), in the order they were added."""
        return [p for (arn, sid, _), p in self._participants.items() if (arn, sid) == (stage_arn, session_id)]

    def events_newest_first(
        self, stage_arn: str, session_id: str, participant_id: str
    ) -> Sequence[dict[str, Any]]:
        """One participant's events as ListParticipantEvents pages them (cached: pages re-read it)."""
        key = (stage_arn, session_id, participant_id)
        cached = self._newest_first.get(key)
        if cached is None:
            cached = self._newest_first[key] = tuple(sorted(self._events.get(key, ()), key=event_sort_key))
        return cached


# --- the demo stage -----------------------------------------------------------------------------------

DEMO_STAGE_ARN = "arn:aws:ivs:us-west-2:123456789012:stage/abcdABCDefgh"
DEMO_SESSION_ID = "st-a1b2c3d4e5f6g"
DEMO_LIVE_SESSION_ID = "st-Z9y8X7w6V5u4t"

HOST = "abCDEf12GHIj"
BITRATE_GUEST = "Kq7RtU2vWx9Z"
STRANDED_VIEWER = "Vw3xYz4AbC5d"
CO_HOST = "Co8HoSt9Lm0n"
THIRTEENTH_PUBLISHER = "Q13pUbLsHr0x"
RECONNECT_STORM = "Rc0nNeCt5tRm"
TOKEN_EXCHANGED = "Tk6eXcHaNg3d"
NEVER_JOINED = "N0tInJ01nEd7"
HOSTILE_TEXT = "HoStIlE8mRkD"
PANELISTS = tuple(f"Panel{n:02d}Spkr0" for n in range(1, 11))
LIVE_HOST = "L1veHoSt2026"
LIVE_VIEWER = "L1veVwEr2026"
LIVE_NEWCOMER = "L1veNewC0mer"
FIXED_ENCODER = "F1xEdEnC0dEr"
ONE_OFF_GLITCH = "Gl1tChOnCe26"
TWO_DEVICES = "Tw0DeV1cEs26"
REPLICATED_HOST = "RepL1caHoSt7"
REPLICA_STAGE_ARN = "arn:aws:ivs:us-west-2:123456789012:stage/ReplicaStage01"

DEMO_PARTICIPANTS: dict[str, str] = {
    HOST: "healthy host: joined, published the whole hour, others subscribed to them",
    BITRATE_GUEST: "OBS guest over RTMPS: every publish attempt fails with BITRATE_EXCEEDED",
    STRANDED_VIEWER: f"viewer kept subscribing to co-host {CO_HOST} after they left: PUBLISHER_NOT_FOUND",
    CO_HOST: "co-host who stopped publishing and left at 18:24:30, 24 minutes in",
    THIRTEENTH_PUBLISHER: "13th publisher: PUBLISH_ERROR QUOTA_EXCEEDED while 12 others were publishing",
    RECONNECT_STORM: "mobile viewer in a reconnect storm: 16 JOINED/LEFT cycles in 4 minutes, no errors",
    TOKEN_EXCHANGED: "guest whose token exchange removed PUBLISH: PUBLISH_ERROR INSUFFICIENT_CAPABILITIES",
    NEVER_JOINED: "ffmpeg over plain RTMP to an RTMPS-only ingest: JOIN_ERROR INVALID_PROTOCOL, never joined",
    HOSTILE_TEXT: "hostile userId/attributes (<!channel>, links), an unknown event name and error code",
    FIXED_ENCODER: "OBS over RTMPS refused twice (RESOLUTION_EXCEEDED), fixed by its operator, published on",
    ONE_OFF_GLITCH: "one INTERNAL_SERVER_EXCEPTION, then publishing normally to the end",
    TWO_DEVICES: "viewer with one token on a laptop and a phone: every drop in the same second as a join",
    REPLICATED_HOST: "host replicated into another stage; the replication stopped 10 minutes before they did",
}

# The second, live session (started 20 minutes before the demo runs; no end time yet).
DEMO_LIVE_PARTICIPANTS: dict[str, str] = {
    LIVE_HOST: "host of the live session: still connected and publishing",
    LIVE_VIEWER: "viewer of the live session: still connected and watching the host",
    LIVE_NEWCOMER: "just connected to the live session: GetParticipant says CONNECTED, no events yet",
}

_DEMO_DAY = datetime(2026, 3, 12, tzinfo=UTC)


def _at(clock: str) -> datetime:
    """A time on the demo day, from ``HH:MM:SS``."""
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    return _DEMO_DAY + timedelta(hours=hours, minutes=minutes, seconds=seconds)


def _ev(
    name: str, when: datetime | str, remote: str | None = None, code: str | None = None, **extra: Any
) -> dict[str, Any]:
    """One event in boto3 form; publish/join events carry no remoteParticipantId, like real ones."""
    event: dict[str, Any] = {"name": name, "eventTime": _at(when) if isinstance(when, str) else when}
    if remote is not None:
        event["remoteParticipantId"] = remote
    if code is not None:
        event["errorCode"] = code
    event.update(extra)
    return event


def _web(
    browser: str, version: str, os_name: str, os_version: str, *, isp: str, sdk: str = "1.18.0"
) -> dict[str, Any]:
    """GetParticipant client fields of a browser using the IVS Web Broadcast SDK over WHIP."""
    return {
        "browserName": browser,
        "browserVersion": version,
        "osName": os_name,
        "osVersion": os_version,
        "ispName": isp,
        "sdkVersion": sdk,
        "protocol": "WHIP",
    }


def _details(user_id: str, first_join: datetime | None, published: bool, **fields: Any) -> dict[str, Any]:
    """The GetParticipant fields every demo participant shares (ended session: all DISCONNECTED)."""
    details: dict[str, Any] = {
        "userId": user_id,
        "state": "DISCONNECTED",
        "published": published,
        "recordingState": "DISABLED",
        "replicationType": "NONE",
        "redundantIngest": False,
        **fields,
    }
    if first_join is not None:
        details["firstJoinTime"] = first_join
    return details


def demo_store(now: datetime | None = None) -> ScenarioStore:
    """The built-in demo stage: one ended hour-long session with one story per participant, and a live one.

    Args:
        now: the clock for the live session (it started 20 minutes before ``now``); the ended session is
            always 2026-03-12 18:00-19:02 UTC so its data never changes.
    """
    now = now or datetime.now(UTC)
    store = ScenarioStore()
    store.add_stage(
        DEMO_STAGE_ARN,
        name="weekly-live-show",
        tags={"team": "live-events"},
        endpoints={
            "events": "wss://global.events.live-video.net",
            "whip": "https://f99084460c35.global-bm.whip.live-video.net",
            "rtmp": "rtmp://f99084460c35.global-contribute-staging.live-video.net/app/",
            "rtmps": "rtmps://f99084460c35.global-contribute-staging.live-video.net:443/app/",
        },
        autoParticipantRecordingConfiguration={"storageConfigurationArn": "", "mediaTypes": ["AUDIO_VIDEO"]},
    )
    store.add_session(DEMO_STAGE_ARN, DEMO_SESSION_ID, _at("18:00:00"), _at("19:02:41"))
    for add in (
        _add_host_and_panel,
        _add_bitrate_guest,
        _add_stranded_viewer,
        _add_thirteenth_publisher,
        _add_reconnect_storm,
        _add_token_exchange,
        _add_never_joined,
        _add_hostile_text,
        _add_fixed_encoder,
        _add_one_off_glitch,
        _add_two_devices,
        _add_replicated_host,
    ):
        add(store)
    _add_live_session(store, now)
    return store


def _put(store: ScenarioStore, pid: str, details: dict[str, Any], events: list[dict[str, Any]]) -> None:
    store.add_participant(DEMO_STAGE_ARN, DEMO_SESSION_ID, pid, **details)
    store.add_events(DEMO_STAGE_ARN, DEMO_SESSION_ID, pid, events)


def _add_host_and_panel(store: ScenarioStore) -> None:
    _put(
        store,
        HOST,
        _details(
            "host-maria",
            _at("18:00:05"),
            True,
            attributes={"role": "host", "displayName": "Maria"},
            **_web("Chrome", "131.0.6778.86", "macOS", "14.6.1", isp="Comcast Cable"),
        ),
        [
            _ev("JOINED", "18:00:05"),
            _ev("PUBLISH_STARTED", "18:00:05"),
            _ev("SUBSCRIBE_STARTED", "18:01:10", CO_HOST),
            _ev("SUBSCRIBE_STOPPED", "18:24:31", CO_HOST),
            _ev("PUBLISH_STOPPED", "19:00:12"),
            _ev("LEFT", "19:00:12"),
        ],
    )
    _put(
        store,
        CO_HOST,
        _details(
            "cohost-james",
            _at("18:01:08"),
            True,
            attributes={"role": "cohost", "displayName": "James"},
            **_web("Safari", "17.6", "macOS", "14.6.1", isp="Verizon Fios"),
        ),
        [
            _ev("JOINED", "18:01:08"),
            _ev("PUBLISH_STARTED", "18:01:08"),
            _ev("SUBSCRIBE_STARTED", "18:01:09", HOST),
            _ev("SUBSCRIBE_STOPPED", "18:24:30", HOST),
            _ev("PUBLISH_STOPPED", "18:24:30"),
            _ev("LEFT", "18:24:30"),
        ],
    )
    # Ten panelists publish from 18:03 to ~18:56: with host and co-host that is the stage's 12-publisher
    # quota (IVS Real-Time service quotas: 12 publishers per stage, not adjustable) until the co-host leaves.
    for n, pid in enumerate(PANELISTS):
        joined = _at("18:03:00") + timedelta(seconds=20 * n)
        left = _at("18:55:00") + timedelta(seconds=10 * n)
        _put(
            store,
            pid,
            _details(
                f"panelist-{n + 1:02d}",
                joined,
                True,
                attributes={"role": "panelist"},
                **_web("Chrome", "131.0.6778.86", "Windows", "10", isp="ATT Services Inc"),
            ),
            [
                _ev("JOINED", joined),
                _ev("PUBLISH_STARTED", joined),
                _ev("SUBSCRIBE_STARTED", joined + timedelta(seconds=1), HOST),
                _ev("SUBSCRIBE_STOPPED", left, HOST),
                _ev("PUBLISH_STOPPED", left),
                _ev("LEFT", left),
            ],
        )


def _add_bitrate_guest(store: ScenarioStore) -> None:
    # OBS reconnects by itself ~10 s after each drop; each attempt is rejected a few seconds in because the
    # encoder sends ~12 Mbps (IVS Real-Time: video max 8.5 Mbps).
    events: list[dict[str, Any]] = []
    start = _at("18:26:02")
    for attempt in range(5):
        t = start + timedelta(seconds=15 * attempt)
        events += [
            _ev("JOINED", t),
            _ev("PUBLISH_STARTED", t),
            _ev("PUBLISH_ERROR", t + timedelta(seconds=4), code="BITRATE_EXCEEDED"),
            _ev("PUBLISH_STOPPED", t + timedelta(seconds=5)),
            _ev("LEFT", t + timedelta(seconds=5)),
        ]
    _put(
        store,
        BITRATE_GUEST,
        _details(
            "guest-dan-obs",
            start,
            True,
            attributes={"role": "guest", "displayName": "Dan (OBS)"},
            osName="Windows",
            osVersion="10",
            ispName="Spectrum",
            protocol="RTMPS",
            ingestConfigurationArn="arn:aws:ivs:us-west-2:123456789012:ingest-configuration/Kq7RtU2vWx9Z",
        ),
        events,
    )


def _add_stranded_viewer(store: ScenarioStore) -> None:
    # The viewer app kept a stale participant list and retried the co-host with backoff after they left.
    _put(
        store,
        STRANDED_VIEWER,
        _details(
            "viewer-4412",
            _at("18:02:00"),
            False,
            attributes={"role": "viewer"},
            **_web("Firefox", "133.0", "Windows", "10", isp="Deutsche Telekom AG"),
        ),
        [
            _ev("JOINED", "18:02:00"),
            _ev("SUBSCRIBE_STARTED", "18:02:01", HOST),
            _ev("SUBSCRIBE_STARTED", "18:02:01", CO_HOST),
            _ev("SUBSCRIBE_STOPPED", "18:24:31", CO_HOST),
            _ev("SUBSCRIBE_ERROR", "18:25:02", CO_HOST, "PUBLISHER_NOT_FOUND"),
            _ev("SUBSCRIBE_ERROR", "18:25:12", CO_HOST, "PUBLISHER_NOT_FOUND"),
            _ev("SUBSCRIBE_ERROR", "18:25:32", CO_HOST, "PUBLISHER_NOT_FOUND"),
            _ev("SUBSCRIBE_ERROR", "18:26:12", CO_HOST, "PUBLISHER_NOT_FOUND"),
            _ev("SUBSCRIBE_STOPPED", "18:58:40", HOST),
            _ev("LEFT", "18:58:40"),
        ],
    )


def _add_thirteenth_publisher(store: ScenarioStore) -> None:
    _put(
        store,
        THIRTEENTH_PUBLISHER,
        _details(
            "guest-lena",
            _at("18:10:00"),
            False,
            attributes={"role": "guest", "displayName": "Lena"},
            **_web("Chrome", "131.0.6778.86", "Android", "14", isp="Vodafone GmbH"),
        ),
        [
            _ev("JOINED", "18:10:00"),
            _ev("PUBLISH_ERROR", "18:10:01", code="QUOTA_EXCEEDED"),
            _ev("SUBSCRIBE_STARTED", "18:10:01", HOST),
            _ev("PUBLISH_ERROR", "18:11:30", code="QUOTA_EXCEEDED"),
            _ev("SUBSCRIBE_STOPPED", "18:15:00", HOST),
            _ev("LEFT", "18:15:00"),
        ],
    )


def _add_reconnect_storm(store: ScenarioStore) -> None:
    # Connected 5-15 s, gone 2-8 s, 16 times: the pattern of a flaky mobile network (no error events:
    # network failures never become events).
    rng = random.Random(5)
    t = _at("18:44:00")
    events: list[dict[str, Any]] = []
    for _ in range(16):
        events += [_ev("JOINED", t), _ev("SUBSCRIBE_STARTED", t + timedelta(seconds=1), HOST)]
        t += timedelta(seconds=rng.randint(5, 15))
        events += [_ev("SUBSCRIBE_STOPPED", t, HOST), _ev("LEFT", t)]
        t += timedelta(seconds=rng.randint(2, 8))
    _put(
        store,
        RECONNECT_STORM,
        _details(
            "viewer-commuter-77",
            _at("18:44:00"),
            False,
            attributes={"role": "viewer"},
            browserName="",
            osName="iOS",
            osVersion="17.6.1",
            ispName="T-Mobile USA",
            sdkVersion="1.25.0",
            protocol="WHIP",
        ),
        events,
    )


def _add_token_exchange(store: ScenarioStore) -> None:
    # The moderator app demoted the guest by exchanging their token; their client still tried to publish.
    expiry = _at("23:59:59")
    previous = {
        "capabilities": ["PUBLISH", "SUBSCRIBE"],
        "userId": "guest-priya",
        "expirationTime": expiry,
        "attributes": {"role": "guest", "displayName": "Priya"},
    }
    new = {
        "capabilities": ["SUBSCRIBE"],
        "userId": "guest-priya",
        "expirationTime": expiry,
        "attributes": {"role": "audience", "displayName": "Priya"},
    }
    _put(
        store,
        TOKEN_EXCHANGED,
        _details(
            "guest-priya",
            _at("18:33:00"),
            True,
            attributes={"role": "audience", "displayName": "Priya"},
            **_web("Edge", "131.0.2903.70", "Windows", "11", isp="BT Group"),
        ),
        [
            _ev("JOINED", "18:33:00"),
            _ev("PUBLISH_STARTED", "18:33:00"),
            _ev("SUBSCRIBE_STARTED", "18:33:01", HOST),
            _ev("TOKEN_EXCHANGED", "18:40:00", previousToken=previous, newToken=new),
            _ev("PUBLISH_STOPPED", "18:40:00"),
            _ev("PUBLISH_ERROR", "18:40:03", code="INSUFFICIENT_CAPABILITIES"),
            _ev("PUBLISH_ERROR", "18:40:09", code="INSUFFICIENT_CAPABILITIES"),
            _ev("SUBSCRIBE_STOPPED", "18:52:10", HOST),
            _ev("LEFT", "18:52:10"),
        ],
    )


def _add_never_joined(store: ScenarioStore) -> None:
    # ffmpeg pointed at rtmp:// while the ingest configuration requires RTMPS; ffmpeg's retry loop doubles.
    _put(
        store,
        NEVER_JOINED,
        _details(
            "restream-bot",
            None,
            False,
            attributes={"role": "restream"},
            osName="Linux",
            ispName="Hetzner Online GmbH",
            protocol="RTMP",
            ingestConfigurationArn="arn:aws:ivs:us-west-2:123456789012:ingest-configuration/N0tInJ01nEd7",
        ),
        [
            _ev("JOIN_ERROR", _at("18:20:00") + timedelta(seconds=s), code="INVALID_PROTOCOL")
            for s in (0, 5, 15, 35)
        ],
    )


HOSTILE_USER_ID = "<!channel> <https://evil.example|click me>"


def _add_hostile_text(store: ScenarioStore) -> None:
    _put(
        store,
        HOSTILE_TEXT,
        _details(
            HOSTILE_USER_ID,
            _at("18:15:00"),
            False,
            attributes={
                "displayName": "*bold* <!here> <@U012AB3CD>",
                "note": "<https://evil.example|click me> & `x`",
            },
            **_web("Chrome", "131.0.6778.86", "Linux", "6.8", isp="OVH SAS"),
        ),
        [
            _ev("JOINED", "18:15:00"),
            _ev("SUBSCRIBE_STARTED", "18:15:01", HOST),
            _ev("SOME_FUTURE_EVENT", "18:16:00"),
            _ev("SUBSCRIBE_ERROR", "18:16:30", HOST, "SOME_FUTURE_CODE"),
            _ev("SUBSCRIBE_STOPPED", "18:17:00", HOST),
            _ev("LEFT", "18:17:00"),
        ],
    )


# The stories below publish only while the stage has a free slot (after the co-host leaves at 18:24:30 and
# between the other guests), so the 12-publisher story above stays true at every moment.


def _add_fixed_encoder(store: ScenarioStore) -> None:
    # An OBS canvas sent at 1080p is refused twice; the operator scales it to 720p and it publishes.
    events: list[dict[str, Any]] = []
    for attempt in ("18:27:30", "18:28:00"):
        t = _at(attempt)
        events += [
            _ev("JOINED", t),
            _ev("PUBLISH_STARTED", t),
            _ev("PUBLISH_ERROR", t + timedelta(seconds=3), code="RESOLUTION_EXCEEDED"),
            _ev("PUBLISH_STOPPED", t + timedelta(seconds=4)),
            _ev("LEFT", t + timedelta(seconds=4)),
        ]
    events += [
        _ev("JOINED", "18:29:00"),
        _ev("PUBLISH_STARTED", "18:29:00"),
        _ev("PUBLISH_STOPPED", "18:32:50"),
        _ev("LEFT", "18:32:50"),
    ]
    _put(
        store,
        FIXED_ENCODER,
        _details(
            "guest-omar-obs",
            _at("18:27:30"),
            True,
            attributes={"role": "guest", "displayName": "Omar (OBS)"},
            osName="macOS",
            osVersion="14.6.1",
            ispName="Sonic",
            protocol="RTMPS",
        ),
        events,
    )


def _add_one_off_glitch(store: ScenarioStore) -> None:
    _put(
        store,
        ONE_OFF_GLITCH,
        _details(
            "closing-speaker",
            _at("18:56:40"),
            True,
            attributes={"role": "speaker"},
            **_web("Chrome", "131.0.6778.86", "Windows", "11", isp="Orange"),
        ),
        [
            _ev("JOINED", "18:56:40"),
            _ev("PUBLISH_STARTED", "18:56:40"),
            _ev("PUBLISH_ERROR", "18:56:41", code="INTERNAL_SERVER_EXCEPTION"),
            _ev("PUBLISH_STOPPED", "18:56:41"),
            _ev("PUBLISH_STARTED", "18:56:44"),
            _ev("PUBLISH_STOPPED", "19:02:20"),
            _ev("LEFT", "19:02:20"),
        ],
    )


def _add_two_devices(store: ScenarioStore) -> None:
    # The same viewer token opened on a laptop and a phone: each join pushes the other device out, which
    # rejoins at once (IVS sorts the new JOINED before the old LEFT within one second).
    start = _at("18:30:00")
    events = [_ev("JOINED", start)]
    for n in range(1, 9):
        t = start + timedelta(seconds=20 * n)
        events += [_ev("JOINED", t), _ev("LEFT", t)]
    events.append(_ev("LEFT", start + timedelta(seconds=190)))
    _put(
        store,
        TWO_DEVICES,
        _details(
            "viewer-sam",
            start,
            False,
            attributes={"role": "viewer"},
            **_web("Safari", "17.6", "iOS", "17.6.1", isp="Verizon Wireless"),
        ),
        events,
    )


def _add_replicated_host(store: ScenarioStore) -> None:
    destination = {"destinationStageArn": REPLICA_STAGE_ARN, "destinationSessionId": "st-R3pl1caSess12"}
    _put(
        store,
        REPLICATED_HOST,
        _details(
            "host-kenji",
            _at("18:41:00"),
            True,
            attributes={"role": "host", "displayName": "Kenji"},
            replicationType="SOURCE",
            replicationState="STOPPED",
            **_web("Chrome", "131.0.6778.86", "macOS", "15.1", isp="Comcast Cable"),
        ),
        [
            _ev("JOINED", "18:41:00"),
            _ev("PUBLISH_STARTED", "18:41:00"),
            _ev("REPLICATION_STARTED", "18:41:05", **destination),
            _ev("REPLICATION_STOPPED", "18:44:30", **destination),
            _ev("PUBLISH_STOPPED", "18:54:50"),
            _ev("LEFT", "18:54:50"),
        ],
    )


def _add_live_session(store: ScenarioStore, now: datetime) -> None:
    start = (now - timedelta(minutes=20)).replace(microsecond=0)
    store.add_session(DEMO_STAGE_ARN, DEMO_LIVE_SESSION_ID, start)
    joined = start + timedelta(seconds=4)
    for pid, user, role, published, first_join in (
        (LIVE_HOST, "host-maria", "host", True, joined),
        (LIVE_VIEWER, "viewer-0193", "viewer", False, joined + timedelta(seconds=30)),
    ):
        store.add_participant(
            DEMO_STAGE_ARN,
            DEMO_LIVE_SESSION_ID,
            pid,
            **_details(
                user,
                first_join,
                published,
                attributes={"role": role},
                **_web("Chrome", "131.0.6778.86", "macOS", "14.6.1", isp="Comcast Cable"),
            )
            | {"state": "CONNECTED"},
        )
    store.add_events(
        DEMO_STAGE_ARN,
        DEMO_LIVE_SESSION_ID,
        LIVE_HOST,
        [_ev("JOINED", joined), _ev("PUBLISH_STARTED", joined)],
    )
    # Connected a moment ago: GetParticipant knows, ListParticipantEvents has nothing yet.
    store.add_participant(
        DEMO_STAGE_ARN,
        DEMO_LIVE_SESSION_ID,
        LIVE_NEWCOMER,
        **_details(
            "guest-ana",
            now.replace(microsecond=0),
            False,
            attributes={"role": "guest"},
            **_web("Firefox", "133.0", "Windows", "11", isp="Telefonica"),
        )
        | {"state": "CONNECTED"},
    )
    store.add_events(
        DEMO_STAGE_ARN,
        DEMO_LIVE_SESSION_ID,
        LIVE_VIEWER,
        [
            _ev("JOINED", joined + timedelta(seconds=30)),
            _ev("SUBSCRIBE_STARTED", joined + timedelta(seconds=31), LIVE_HOST),
        ],
    )


# --- synthetic histories ------------------------------------------------------------------------------

_PUBLISH_ERRORS = ("BITRATE_EXCEEDED", "RESOLUTION_EXCEEDED", "B_FRAME_PRESENT", "INVALID_VIDEO_CODEC")


def add_generated_history(
    store: ScenarioStore,
    stage_arn: str,
    session_id: str,
    participant_id: str,
    n_events: int,
    *,
    start: datetime | None = None,
    seed: int = 0,
    remotes: Sequence[str] = ("Remote1Pub0a", "Remote2Pub0b", "Remote3Pub0c"),
) -> list[dict[str, Any]]:
    """Add a deterministic, plausible history of exactly ``n_events`` events (for tests and benchmarks).

    Cycles of JOINED+PUBLISH_STARTED (one timestamp), subscriptions to ``remotes``, the odd publish or
    subscribe error, then PUBLISH_STOPPED+LEFT (one timestamp), a few seconds apart. The stage, session
    (ended 3 minutes after the last event) and GetParticipant details are created when missing; an
    existing session's end is moved later if the history outlasts it.

    Returns:
        The events added, oldest first.
    """
    rng = random.Random(seed)
    if start is None:
        existing = store.session(stage_arn, session_id)
        start = existing["startTime"] if existing else datetime(2026, 3, 1, 12, tzinfo=UTC)
    t = start
    events: list[dict[str, Any]] = []

    def emit(name: str, remote: str | None = None, code: str | None = None) -> None:
        events.append(_ev(name, t, remote, code))

    while len(events) < n_events:
        t += timedelta(seconds=rng.randint(1, 5), milliseconds=rng.randrange(0, 1000, 250))
        emit("JOINED")
        emit("PUBLISH_STARTED")
        subscribed = []
        for remote in remotes:
            t += timedelta(seconds=rng.randint(0, 2))
            if rng.random() < 0.08:
                emit("SUBSCRIBE_ERROR", remote, "PUBLISHER_NOT_FOUND")
            else:
                emit("SUBSCRIBE_STARTED", remote)
                subscribed.append(remote)
        if rng.random() < 0.15:
            t += timedelta(seconds=rng.randint(1, 30))
            emit("PUBLISH_ERROR", code=rng.choice(_PUBLISH_ERRORS))
        t += timedelta(seconds=rng.randint(5, 120))
        for remote in subscribed:
            emit("SUBSCRIBE_STOPPED", remote)
        emit("PUBLISH_STOPPED")
        emit("LEFT")
    del events[n_events:]

    last = events[-1]["eventTime"] if events else start
    stage = store.add_stage(stage_arn)
    record = stage.sessions.get(session_id)
    if record is None:
        store.add_session(stage_arn, session_id, start, last + timedelta(minutes=3))
    elif record.end_time is not None and record.end_time < last:
        record.end_time = last + timedelta(minutes=3)
    if store.participant(stage_arn, session_id, participant_id) is None:
        store.add_participant(
            stage_arn,
            session_id,
            participant_id,
            **_details(
                f"generated-{participant_id}",
                events[0]["eventTime"] if events else None,
                True,
                attributes={"generated": "true"},
                **_web("Chrome", "131.0.6778.86", "Linux", "6.8", isp="Example ISP"),
            ),
        )
    store.add_events(stage_arn, session_id, participant_id, events)
    return events
