"""Advice fits the client GetParticipant describes: an encoder, a WHIP encoder, a browser or a phone app."""

from __future__ import annotations

import pytest

from bot.analysis import analyze
from bot.analysis.client_kind import ClientKind, client_kind
from tests.analysis.factories import (
    NOW,
    error,
    history,
    join_leave_cycles,
    joined,
    left,
    participant,
    publish_started,
    publish_stopped,
)
from tests.analysis.test_findings import everything

OBS_OVER_RTMPS = participant(
    protocol="RTMPS", browserName=None, browserVersion=None, sdkVersion=None, osName="Windows", osVersion="10"
)
OBS_OVER_WHIP = participant(
    protocol="WHIP", browserName="", browserVersion="", sdkVersion="", osName="Windows"
)
IPHONE_APP = participant(
    protocol="WHIP", browserName="", osName="iOS", osVersion="17.6.1", sdkVersion="1.25.0"
)


@pytest.mark.parametrize(
    ("details", "kind"),
    [
        (OBS_OVER_RTMPS, ClientKind.RTMP_ENCODER),
        (OBS_OVER_WHIP, ClientKind.WHIP_ENCODER),
        (IPHONE_APP, ClientKind.MOBILE_SDK),
        (participant(), ClientKind.WEB_SDK),
        (None, ClientKind.UNKNOWN),
    ],
)
def test_the_client_kind_comes_from_protocol_browser_os_and_sdk(
    details: dict | None, kind: ClientKind
) -> None:
    assert client_kind(details) is kind


def _refused(code: str, times: int = 3) -> list[dict]:
    events = []
    for n in range(times):
        events += [joined(n), publish_started(n), error("PUBLISH_ERROR", n + 0.1, code)]
        events += [publish_stopped(n + 0.2), left(n + 0.2)]
    return events


def test_an_rtmps_encoder_in_a_storm_is_not_told_about_udp_firewalls() -> None:
    text = everything(analyze(history(join_leave_cycles(0, 8), details=OBS_OVER_RTMPS), now=NOW).findings[0])

    assert "UDP" not in text and "firewall is unlikely" in text
    assert "stream key" in text and "token" not in text


def test_an_iphone_in_a_storm_is_told_about_network_handover_not_udp() -> None:
    text = everything(analyze(history(join_leave_cycles(0, 8), details=IPHONE_APP), now=NOW).findings[0])

    assert "mobile network handover" in text and "UDP" not in text


def test_a_whip_encoder_sending_the_wrong_audio_codec_is_told_opus_only() -> None:
    finding = analyze(history(_refused("INVALID_AUDIO_CODEC"), details=OBS_OVER_WHIP), now=NOW).findings[0]
    text = everything(finding)

    assert "Opus" in text and "AAC" not in text.replace("not AAC", "")


def test_an_rtmps_encoder_sending_the_wrong_audio_codec_is_told_aac_lc_only() -> None:
    text = everything(
        analyze(history(_refused("INVALID_AUDIO_CODEC"), details=OBS_OVER_RTMPS), now=NOW).findings[0]
    )

    assert "AAC-LC" in text and "Opus" not in text.replace("MP3 or Opus", "")


def test_an_rtmps_encoder_over_the_24_hour_limit_is_not_told_to_get_a_fresh_token() -> None:
    text = everything(
        analyze(history(_refused("STREAM_DURATION_EXCEEDED", 1), details=OBS_OVER_RTMPS), now=NOW).findings[0]
    )

    assert "token" not in text and "restart the stream in the encoder" in text


@pytest.mark.parametrize("code", ["BITRATE_EXCEEDED", "RESOLUTION_EXCEEDED", "B_FRAME_PRESENT"])
def test_an_encoder_gets_encoder_settings_and_an_sdk_app_gets_sdk_settings(code: str) -> None:
    encoder = everything(analyze(history(_refused(code), details=OBS_OVER_RTMPS), now=NOW).findings[0])
    app = everything(analyze(history(_refused(code), details=IPHONE_APP), now=NOW).findings[0])

    assert "SDK" not in encoder and "encoder" in encoder
    assert "OBS" not in app and "ffmpeg" not in app and "SDK" in app


def test_a_storm_on_a_phone_names_the_mobile_network_and_the_carrier() -> None:
    details = {**IPHONE_APP, "ispName": "T-Mobile USA"}
    finding = analyze(history(join_leave_cycles(0, 8), details=details), now=NOW).findings[0]

    assert "no error events (mobile network)" in "".join(str(p) for p in finding.headline)
    assert "ISP T-Mobile USA (the IVS iOS/Android SDK)" in everything(finding)


@pytest.mark.parametrize("details", [OBS_OVER_WHIP, participant(), IPHONE_APP])
def test_b_frames_from_a_client_that_is_not_an_rtmp_encoder_never_link_the_rtmp_publishing_page(
    details: dict,
) -> None:
    finding = analyze(history(_refused("B_FRAME_PRESENT"), details=details), now=NOW).findings[0]

    assert finding.doc is not None and "rtmp" not in finding.doc.url


def test_b_frames_from_an_rtmps_encoder_still_link_the_rtmp_publishing_page() -> None:
    finding = analyze(history(_refused("B_FRAME_PRESENT"), details=OBS_OVER_RTMPS), now=NOW).findings[0]

    assert finding.doc is not None and "rtmp-publishing" in finding.doc.url
