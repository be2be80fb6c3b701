"""Error-code advice that depends on the client: an encoder's settings page, or the app's IVS SDK.

The catalogue's causes and next steps fit any client. When GetParticipant says what the client is, the
advice here replaces them, so an OBS user is never told to update the IVS SDK and an iPhone app is never
told to change ffmpeg flags. Numbers are the catalogue's (IVS Real-Time service quotas and stream ingest).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.analysis.catalogue import STREAM_INGEST_DOC, DocLink, ErrorCodeInfo
from bot.analysis.client_kind import ClientKind


@dataclass(frozen=True, slots=True)
class Advice:
    """Causes, next steps and the page to read for one kind of client (None keeps the catalogue's)."""

    causes: tuple[str, ...] | None = None
    next_steps: tuple[str, ...] | None = None
    doc: DocLink | None = None


_ENCODERS = (ClientKind.RTMP_ENCODER, ClientKind.WHIP_ENCODER)
_SDKS = (ClientKind.WEB_SDK, ClientKind.MOBILE_SDK)

_BITRATE_ENCODER = Advice(
    causes=(
        "The encoder's video bitrate is above 8.5 Mbps, or its audio above 160 Kbps.",
        "Variable bitrate: peaks overshoot the limit even when the average is below it.",
    ),
    next_steps=(
        "In the encoder, set constant bitrate (CBR) video of at most 8.5 Mbps (6 Mbps leaves room for "
        "peaks) and audio of at most 160 Kbps.",
        "OBS: Settings → Output → Rate Control `CBR`, Bitrate ≤ 8500 Kbps; ffmpeg: "
        "`-b:v 6M -maxrate 8M -bufsize 8M -b:a 128k`.",
    ),
)
_BITRATE_SDK = Advice(
    causes=("The app sets a maximum bitrate above 8.5 Mbps (video) or 160 Kbps (audio) in the IVS SDK.",),
    next_steps=(
        "Lower the maximum bitrate in the app's IVS SDK configuration to at most 8.5 Mbps for video and "
        "160 Kbps for audio.",
    ),
)
_RESOLUTION_ENCODER = Advice(
    causes=(
        "The encoder's output (scaled) resolution is above 720p, for example a 1080p canvas sent as is.",
    ),
    next_steps=(
        "In the encoder, set the output resolution to 1280x720 or less and at least 160p (OBS: Settings → "
        "Video → Output (Scaled) Resolution; ffmpeg: `-vf scale=-2:720`).",
    ),
)
_RESOLUTION_SDK = Advice(
    causes=("The app publishes the camera's native size (often 1080p) instead of 720p or less.",),
    next_steps=("Set the app's IVS SDK video configuration to 720p or less (and at least 160p).",),
)
_B_FRAMES_ENCODER = Advice(
    causes=("The encoder has B-frames on, which is often its default (x264 presets, hardware encoders).",),
    next_steps=("Set B-frames to 0 in the encoder (ffmpeg: `-bf 0`; OBS x264: `bframes=0`).",),
)
# A WHIP encoder gets the stream ingest page (what WHIP takes), not the RTMP publishing page.
_B_FRAMES_WHIP = Advice(
    causes=_B_FRAMES_ENCODER.causes, next_steps=_B_FRAMES_ENCODER.next_steps, doc=STREAM_INGEST_DOC
)
_B_FRAMES_SDK = Advice(
    causes=("An IVS broadcast SDK older than 1.25.0 (1.25.0 and later turn B-frames off for stages).",),
    next_steps=("Update the app's IVS broadcast SDK to 1.25.0 or later.",),
    doc=STREAM_INGEST_DOC,
)
_VIDEO_CODEC_SDK = Advice(
    causes=("The app overrides the SDK's video codec, profile, keyframe interval or frame rate.",),
    next_steps=(
        "Use the IVS SDK's default video codec settings (H.264 Baseline, keyframe interval 1 or 2 s, "
        "10-60 fps), or update the SDK.",
    ),
)
# An app on the IVS SDK has no encoder settings page: the SDK encodes, so an invalid input is a custom
# source the app feeds it, or the SDK itself.
_INPUT_SDK = Advice(
    causes=(
        "A custom video or audio source the app feeds the IVS SDK (screen share, image or audio "
        "buffers) in a format the SDK cannot encode for a stage.",
        "A fault in the IVS SDK version the app ships.",
    ),
    next_steps=(
        "Check whether the app published a custom source at that time; try again with the SDK's default "
        "camera and microphone.",
        "Update the app's IVS SDK; if it persists, open an AWS Support case with the stage ARN, session id, "
        "participant id and the error time.",
    ),
)
_DURATION_ENCODER = Advice(
    next_steps=("Stop and restart the stream in the encoder before 24 hours, for example on a schedule.",),
)

_ADVICE: dict[tuple[str, ClientKind], Advice] = {
    **{("BITRATE_EXCEEDED", kind): _BITRATE_ENCODER for kind in _ENCODERS},
    **{("BITRATE_EXCEEDED", kind): _BITRATE_SDK for kind in _SDKS},
    **{("RESOLUTION_EXCEEDED", kind): _RESOLUTION_ENCODER for kind in _ENCODERS},
    **{("RESOLUTION_EXCEEDED", kind): _RESOLUTION_SDK for kind in _SDKS},
    ("B_FRAME_PRESENT", ClientKind.RTMP_ENCODER): _B_FRAMES_ENCODER,
    ("B_FRAME_PRESENT", ClientKind.WHIP_ENCODER): _B_FRAMES_WHIP,
    **{("B_FRAME_PRESENT", kind): _B_FRAMES_SDK for kind in _SDKS},
    **{("INVALID_VIDEO_CODEC", kind): _VIDEO_CODEC_SDK for kind in _SDKS},
    **{("INVALID_INPUT", kind): _INPUT_SDK for kind in _SDKS},
    **{("STREAM_DURATION_EXCEEDED", kind): _DURATION_ENCODER for kind in _ENCODERS},
    ("INVALID_AUDIO_CODEC", ClientKind.RTMP_ENCODER): Advice(
        causes=(
            "Over RTMP(S) audio must be AAC-LC (not HE-AAC, MP3 or Opus).",
            "Unsupported channel layout or sample rate: 1-2 channels at 44.1 or 48 kHz.",
        ),
        next_steps=(
            "Set the encoder's audio to AAC-LC, mono or stereo, 44.1 or 48 kHz, at most 160 Kbps "
            "(ffmpeg: `-c:a aac -b:a 128k -ar 48000`).",
        ),
    ),
    ("INVALID_AUDIO_CODEC", ClientKind.WHIP_ENCODER): Advice(
        causes=(
            "Over WHIP audio must be Opus (not AAC).",
            "Unsupported channel layout or sample rate: 1-2 channels at 48 kHz.",
        ),
        next_steps=("Set the WHIP encoder's audio to Opus, mono or stereo, 48 kHz, at most 160 Kbps.",),
    ),
    ("INTERNAL_SERVER_EXCEPTION", ClientKind.RTMP_ENCODER): Advice(
        next_steps=(
            "Restart the stream in the encoder; a single occurrence is usually transient.",
            "If it repeats, open an AWS Support case with the stage ARN, session id, participant id and the "
            "error times.",
        ),
    ),
}


def advice_for(info: ErrorCodeInfo, client: ClientKind) -> ErrorCodeInfo:
    """The catalogue entry with causes and next steps that fit ``client`` (unchanged when none differ)."""
    advice = _ADVICE.get((info.code, client))
    if advice is None:
        return info
    return replace(
        info,
        causes=info.causes if advice.causes is None else advice.causes,
        next_steps=info.next_steps if advice.next_steps is None else advice.next_steps,
        doc=info.doc if advice.doc is None else advice.doc,
    )
