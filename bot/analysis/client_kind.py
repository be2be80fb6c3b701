"""What kind of client a participant is, from GetParticipant's protocol, browser, OS and SDK fields.

Advice has to fit the client: an OBS encoder over RTMPS has no token to refresh and no UDP to unblock, a
WHIP encoder sends Opus rather than AAC, and an iPhone app is tuned through the IVS broadcast SDK rather
than an encoder's settings page.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

MOBILE_SYSTEMS = frozenset({"ios", "ipados", "android"})


class ClientKind(StrEnum):
    """The kinds of client whose advice differs."""

    RTMP_ENCODER = "an RTMP(S) encoder"  # OBS, ffmpeg, a hardware encoder: stream key, TCP, AAC-LC
    WHIP_ENCODER = "a WHIP encoder"  # OBS or another WHIP client without the IVS SDK: WebRTC, Opus
    WEB_SDK = "the IVS web SDK in a browser"
    MOBILE_SDK = "the IVS iOS/Android SDK"
    UNKNOWN = "an unknown client"

    @property
    def is_encoder(self) -> bool:
        """An encoder configured by hand (settings page or command line), not an app on the IVS SDK."""
        return self in (ClientKind.RTMP_ENCODER, ClientKind.WHIP_ENCODER)

    @property
    def uses_udp(self) -> bool:
        """Media over WebRTC (UDP 443 and 3478); RTMP(S) is TCP."""
        return self is not ClientKind.RTMP_ENCODER


def _text(details: Mapping[str, Any], key: str) -> str:
    value = details.get(key)
    return value.strip() if isinstance(value, str) else ""


def client_kind(details: Mapping[str, Any] | None) -> ClientKind:
    """Classify a participant's client (UNKNOWN without details)."""
    if details is None:
        return ClientKind.UNKNOWN
    protocol = _text(details, "protocol").upper()
    if protocol in ("RTMP", "RTMPS"):
        return ClientKind.RTMP_ENCODER
    if _text(details, "browserName"):
        return ClientKind.WEB_SDK
    if _text(details, "osName").lower() in MOBILE_SYSTEMS and _text(details, "sdkVersion"):
        return ClientKind.MOBILE_SDK
    if protocol == "WHIP" and not _text(details, "sdkVersion"):
        return ClientKind.WHIP_ENCODER
    return ClientKind.UNKNOWN


def is_mobile(details: Mapping[str, Any] | None) -> bool:
    """An iPhone, iPad or Android device (app or browser): its network changes as the user moves."""
    return details is not None and _text(details, "osName").lower() in MOBILE_SYSTEMS
