"""What every IVS Real-Time event name and error code means, why it happens and what to do next.

One entry per value of botocore's ``ivs-realtime`` ``Event.name`` and ``Event.errorCode`` enums (12 names and
14 codes in botocore 1.43); tests/analysis/test_catalogue.py fails when botocore learns a value this file does
not cover. Unknown values (newer than this catalogue) are described as "not recognised", never dropped.

Numbers come from the IVS Real-Time user guide (Service Quotas, Stream Ingest, RTMP Publishing, Network
Requirements pages) and the API reference; re-check them there before quoting them to a customer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class DocLink:
    """An AWS documentation page to read next."""

    title: str
    url: str


_GUIDE = "https://docs.aws.amazon.com/ivs/latest/RealTimeUserGuide/"
_API = "https://docs.aws.amazon.com/ivs/latest/RealTimeAPIReference/"

SERVICE_QUOTAS_DOC = DocLink("IVS Real-Time service quotas", _GUIDE + "service-quotas.html")
STREAM_INGEST_DOC = DocLink("IVS stream ingest (supported media)", _GUIDE + "rt-stream-ingest.html")
RTMP_PUBLISHING_DOC = DocLink("IVS RTMP publishing", _GUIDE + "rt-rtmp-publishing.html")
NETWORK_REQUIREMENTS_DOC = DocLink(
    "IVS Real-Time network requirements", _GUIDE + "real-time-network-requirements.html"
)
EVENT_API_DOC = DocLink("ListParticipantEvents Event (API reference)", _API + "API_Event.html")
CREATE_TOKEN_API_DOC = DocLink(
    "CreateParticipantToken capabilities (API reference)", _API + "API_CreateParticipantToken.html"
)


class EventKind(StrEnum):
    """What part of a participant's life an event belongs to."""

    CONNECTION = "connection"
    PUBLISH = "publish"
    SUBSCRIBE = "subscribe"
    ERROR = "error"
    REPLICATION = "replication"
    TOKEN = "token"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class EventNameInfo:
    """The meaning of one ``Event.name``."""

    name: str
    kind: EventKind
    meaning: str
    recognised: bool = True


@dataclass(frozen=True, slots=True)
class ErrorCodeInfo:
    """The explanation of one ``Event.errorCode``: plain text, rendered (and escaped) by the views.

    Ids, codes, event names and API names are marked with backticks; findings turn them into quoted parts
    (see :func:`~bot.analysis.phrases.marked`), so they read as code in Slack and plain in a terminal.

    Attributes:
        headline: a few words for titles ("the stage already had 12 publishers").
        meaning: one plain-language sentence.
        causes: likely causes, most likely first.
        next_steps: concrete actions, with the real limits.
        doc: the AWS page that explains the limit or setting.
        score: how likely this code is the root cause when several problems are present (higher first):
            client configuration errors outrank races such as PUBLISHER_NOT_FOUND.
        recognised: False for a code this catalogue does not know.
    """

    code: str
    headline: str
    meaning: str
    causes: tuple[str, ...]
    next_steps: tuple[str, ...]
    doc: DocLink
    score: int
    recognised: bool = True


_NAMES = (
    EventNameInfo("JOINED", EventKind.CONNECTION, "connected to the stage session"),
    EventNameInfo("LEFT", EventKind.CONNECTION, "disconnected from the stage session"),
    EventNameInfo("PUBLISH_STARTED", EventKind.PUBLISH, "started publishing its media"),
    EventNameInfo("PUBLISH_STOPPED", EventKind.PUBLISH, "stopped publishing its media"),
    EventNameInfo(
        "SUBSCRIBE_STARTED", EventKind.SUBSCRIBE, "started receiving a publisher (remoteParticipantId)"
    ),
    EventNameInfo(
        "SUBSCRIBE_STOPPED", EventKind.SUBSCRIBE, "stopped receiving a publisher (remoteParticipantId)"
    ),
    EventNameInfo("JOIN_ERROR", EventKind.ERROR, "failed to join the stage; errorCode says why"),
    EventNameInfo("PUBLISH_ERROR", EventKind.ERROR, "failed to publish; errorCode says why"),
    EventNameInfo("SUBSCRIBE_ERROR", EventKind.ERROR, "failed to subscribe; errorCode says why"),
    EventNameInfo(
        "REPLICATION_STARTED",
        EventKind.REPLICATION,
        "started being replicated into another stage (destinationStageArn)",
    ),
    EventNameInfo(
        "REPLICATION_STOPPED", EventKind.REPLICATION, "stopped being replicated into another stage"
    ),
    EventNameInfo(
        "TOKEN_EXCHANGED",
        EventKind.TOKEN,
        "swapped its token in-session without reconnecting (capabilities or attributes may change)",
    ),
)

EVENT_NAMES: Mapping[str, EventNameInfo] = MappingProxyType({info.name: info for info in _NAMES})

_INGEST_SPECS = (
    "video H.264 Baseline, keyframe (IDR) interval 1 or 2 s, 10-60 fps, B-frames 0, 160p to 720p, "
    "at most 8.5 Mbps; audio AAC-LC over RTMP or Opus over WHIP, 1-2 channels, 44.1 or 48 kHz, "
    "at most 160 Kbps"
)

_CODES = (
    ErrorCodeInfo(
        code="INSUFFICIENT_CAPABILITIES",
        headline="the token does not allow it",
        meaning="The participant tried to do something its token does not allow.",
        causes=(
            "The token was created without the capability this client needs: `PUBLISH` to send media, "
            "`SUBSCRIBE` to receive it (`CreateParticipantToken` `capabilities`).",
            "A `TOKEN_EXCHANGED` event swapped in a token with fewer capabilities.",
            "The app handed a viewer's token to a host (or the other way round).",
        ),
        next_steps=(
            "Check the `capabilities` the backend puts in the token: `PUBLISH` and/or `SUBSCRIBE`.",
            "If a `TOKEN_EXCHANGED` came just before, compare its `previousToken` and `newToken` "
            "capabilities in the full JSON.",
            "Issue a token with the right capabilities and rejoin.",
        ),
        doc=CREATE_TOKEN_API_DOC,
        score=80,
    ),
    ErrorCodeInfo(
        code="QUOTA_EXCEEDED",
        headline="the stage was full",
        meaning="More participants wanted to publish or subscribe than the stage allows.",
        causes=(
            "On publish: the stage already had its 12 publishers (a stage allows 12 publishers and "
            "this quota is not adjustable).",
            "On subscribe: the stage reached its subscriber quota (10,000 per stage by default; "
            "adjustable through Service Quotas).",
        ),
        next_steps=(
            "Count who was publishing at that moment (`ListParticipants` with `filterByPublished`).",
            "Keep at most 12 publishers per stage: unpublish idle hosts or split them over stages.",
            "For more than 10,000 viewers, request a subscriber quota increase before the event.",
        ),
        doc=SERVICE_QUOTAS_DOC,
        score=80,
    ),
    ErrorCodeInfo(
        code="PUBLISHER_NOT_FOUND",
        headline="the publisher was not there",
        meaning="The participant tried to subscribe to a publisher that was not publishing any more "
        "(or not yet).",
        causes=(
            "The publisher stopped publishing or left just before the subscribe request (a race).",
            "The client kept a stale participant list and retried subscribing to someone who had gone.",
        ),
        next_steps=(
            "Look at the publisher's own history to see when and why it stopped publishing.",
            "Subscribe only to participants the SDK currently reports as publishing, and stop retrying "
            "once a publisher leaves.",
        ),
        doc=EVENT_API_DOC,
        score=50,
    ),
    ErrorCodeInfo(
        code="BITRATE_EXCEEDED",
        headline="bitrate above the maximum",
        meaning="The participant sent media above the maximum supported bitrate.",
        causes=(
            "Encoder video bitrate above 8.5 Mbps, or audio above 160 Kbps.",
            "A third-party encoder (OBS, ffmpeg, hardware) whose peaks overshoot its target bitrate.",
        ),
        next_steps=(
            "Set video to at most 8.5 Mbps and audio to at most 160 Kbps, with headroom for peaks "
            "(constant bitrate).",
            "With the IVS broadcast SDK, check the configured maximum bitrate.",
        ),
        doc=SERVICE_QUOTAS_DOC,
        score=85,
    ),
    ErrorCodeInfo(
        code="RESOLUTION_EXCEEDED",
        headline="resolution above the maximum",
        meaning="The participant published video larger than the maximum supported resolution.",
        causes=(
            "Encoder output above 720p (for example a 1080p camera or canvas sent as is).",
            "Output outside the supported range: IVS accepts 160p to 720p.",
        ),
        next_steps=("Scale the output to 720p or less (for example 1280x720) and no smaller than 160p.",),
        doc=SERVICE_QUOTAS_DOC,
        score=85,
    ),
    ErrorCodeInfo(
        code="STREAM_DURATION_EXCEEDED",
        headline="published or subscribed for more than 24 hours",
        meaning="The participant published or subscribed longer than the maximum duration, so IVS ended it.",
        causes=(
            "Publish and subscribe sessions are limited to 24 hours; this is not adjustable.",
            "An always-on encoder or a forgotten browser tab kept going.",
        ),
        next_steps=(
            "Republish (or resubscribe) before 24 hours, for example a scheduled rejoin with a fresh "
            "token at a quiet moment.",
        ),
        doc=SERVICE_QUOTAS_DOC,
        score=75,
    ),
    ErrorCodeInfo(
        code="INVALID_AUDIO_CODEC",
        headline="audio codec not supported",
        meaning="The participant sent audio in a codec IVS does not accept.",
        causes=(
            "Over RTMP(S) audio must be AAC-LC; over WHIP it must be Opus.",
            "Unsupported channel layout or sample rate: 1-2 channels at 44.1 or 48 kHz.",
        ),
        next_steps=(
            "Set the encoder to AAC-LC (RTMP) or Opus (WHIP), mono or stereo, 44.1 or 48 kHz, "
            "at most 160 Kbps.",
        ),
        doc=STREAM_INGEST_DOC,
        score=85,
    ),
    ErrorCodeInfo(
        code="INVALID_VIDEO_CODEC",
        headline="video codec not supported",
        meaning="The participant sent video IVS does not accept.",
        causes=(
            "Not H.264, or an H.264 profile other than Baseline (Main or High).",
            "Keyframe (IDR) interval other than 1 or 2 s, or a frame rate outside 10-60 fps.",
        ),
        next_steps=(
            "Set H.264 Baseline, keyframe interval 1 or 2 s, 10-60 fps, B-frames 0.",
            "ffmpeg example: `-c:v libx264 -profile:v baseline -bf 0 -g 60` (60 frames = 2 s at 30 fps).",
        ),
        doc=STREAM_INGEST_DOC,
        score=85,
    ),
    ErrorCodeInfo(
        code="INVALID_PROTOCOL",
        headline="plain RTMP where RTMPS is required",
        meaning="The ingest configuration requires RTMPS but the participant streamed with plain RTMP.",
        causes=(
            "The encoder URL starts with `rtmp://` instead of `rtmps://`.",
            "The ingest configuration does not allow insecure ingest.",
        ),
        next_steps=(
            "Use the `rtmps://` ingest URL of the ingest configuration.",
            "Only if plain RTMP is intended: allow insecure ingest on the ingest configuration.",
        ),
        doc=RTMP_PUBLISHING_DOC,
        score=85,
    ),
    ErrorCodeInfo(
        code="INVALID_STREAM_KEY",
        headline="stream key not valid",
        meaning="The participant used a stream key IVS does not accept for this stage.",
        causes=(
            "A typo, or a key from another ingest configuration, stage or region.",
            "The ingest configuration was deleted or recreated, so its key changed.",
        ),
        next_steps=(
            "Copy the key again from the ingest configuration attached to this stage, in the stage's "
            "region (`GetIngestConfiguration`).",
        ),
        doc=RTMP_PUBLISHING_DOC,
        score=85,
    ),
    ErrorCodeInfo(
        code="REUSE_OF_STREAM_KEY",
        headline="stream key already in use",
        meaning="The stream key is already used by another active stage session.",
        causes=(
            "Two encoders push with the same key, or a restarted encoder's old connection is still open.",
            "The same ingest configuration is used for two stages at once.",
        ),
        next_steps=(
            "Stop the other encoder, or give each simultaneous encoder its own ingest configuration "
            "(one active session per key).",
        ),
        doc=RTMP_PUBLISHING_DOC,
        score=85,
    ),
    ErrorCodeInfo(
        code="B_FRAME_PRESENT",
        headline="the video contains B-frames",
        meaning="The participant's video contains B-frames, which IVS real-time does not accept.",
        causes=(
            "A third-party encoder (OBS, ffmpeg, hardware) with B-frames on, which is often its default.",
            "An IVS broadcast SDK older than 1.25.0 (1.25.0 and later turn B-frames off for stages).",
        ),
        next_steps=(
            "Set B-frames to 0 in the encoder (ffmpeg: `-bf 0`; OBS x264: `bframes=0`).",
            "Update the IVS broadcast SDK to 1.25.0 or later.",
        ),
        doc=RTMP_PUBLISHING_DOC,
        score=85,
    ),
    ErrorCodeInfo(
        code="INVALID_INPUT",
        headline="the input stream is invalid",
        meaning="IVS could not use the participant's input stream.",
        causes=("Media outside the supported specifications, or a malformed stream from the encoder.",),
        next_steps=(
            f"Check the encoder against the supported media: {_INGEST_SPECS}.",
            "Try the IVS broadcast SDK or a known-good encoder profile to tell encoder from network.",
        ),
        doc=STREAM_INGEST_DOC,
        score=80,
    ),
    ErrorCodeInfo(
        code="INTERNAL_SERVER_EXCEPTION",
        headline="an internal error in IVS",
        meaning="Publishing failed because of an error inside IVS, not because of the client.",
        causes=("A transient fault on AWS's side.",),
        next_steps=(
            "Retry publishing; a single occurrence is usually transient.",
            "If it repeats, open an AWS Support case with the stage ARN, session id, participant id "
            "and the error times.",
        ),
        doc=EVENT_API_DOC,
        score=60,
    ),
)

ERROR_CODES: Mapping[str, ErrorCodeInfo] = MappingProxyType({info.code: info for info in _CODES})


def describe_event_name(name: str) -> EventNameInfo:
    """Look up an event name; an unknown one is described as not recognised (and kept as is)."""
    known = EVENT_NAMES.get(name)
    if known is not None:
        return known
    return EventNameInfo(
        name,
        EventKind.UNKNOWN,
        "not recognised by this bot (probably newer than its AWS SDK); shown as IVS sent it",
        recognised=False,
    )


def describe_error_code(code: str) -> ErrorCodeInfo:
    """Look up an error code; an unknown one gets a "not recognised" entry instead of an exception."""
    known = ERROR_CODES.get(code)
    if known is not None:
        return known
    return ErrorCodeInfo(
        code=code,
        headline="error code not recognised",
        meaning="This error code is not recognised by this bot (probably newer than its AWS SDK); "
        "it is shown exactly as IVS sent it.",
        causes=("A failure type AWS added after this bot's catalogue was written.",),
        next_steps=(
            "Look the code up in the `Event.errorCode` list of the IVS Real-Time API reference.",
            "Update the bot's AWS SDK (botocore) and its catalogue.",
        ),
        doc=EVENT_API_DOC,
        score=45,
        recognised=False,
    )
