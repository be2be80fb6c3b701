"""The catalogue explains every event name and error code IVS can send, with the real limits."""

from __future__ import annotations

import re

import botocore.session
import pytest

from bot.analysis.catalogue import ERROR_CODES, EVENT_NAMES, describe_error_code, describe_event_name


def _event_enum(member: str) -> list[str]:
    model = botocore.session.get_session().get_service_model("ivs-realtime")
    return list(model.shape_for("Event").members[member].enum)


def test_every_event_name_botocore_knows_is_explained() -> None:
    missing = set(_event_enum("name")) - set(EVENT_NAMES)
    assert not missing, f"add these event names to bot/analysis/catalogue.py: {sorted(missing)}"


def test_every_error_code_botocore_knows_is_explained() -> None:
    missing = set(_event_enum("errorCode")) - set(ERROR_CODES)
    assert not missing, f"add these error codes to bot/analysis/catalogue.py: {sorted(missing)}"


@pytest.mark.parametrize("code", sorted(ERROR_CODES))
def test_each_code_says_what_it_means_why_and_what_to_do_with_an_aws_link(code: str) -> None:
    info = ERROR_CODES[code]
    assert info.meaning.endswith(".")
    assert info.causes and info.next_steps
    assert info.doc.url.startswith("https://docs.aws.amazon.com/ivs/latest/")


@pytest.mark.parametrize(
    ("code", "facts"),
    [
        ("QUOTA_EXCEEDED", ["12 publishers", "not adjustable", "10,000"]),
        ("BITRATE_EXCEEDED", ["8.5 Mbps", "160 Kbps"]),
        ("RESOLUTION_EXCEEDED", ["720p", "160p"]),
        ("STREAM_DURATION_EXCEEDED", ["24 hours", "not adjustable"]),
        ("INVALID_VIDEO_CODEC", ["H.264 Baseline", "1 or 2 s", "B-frames 0"]),
        ("INVALID_AUDIO_CODEC", ["AAC-LC", "Opus", "WHIP", "RTMP"]),
        ("B_FRAME_PRESENT", ["1.25.0", "-bf 0"]),
        ("INVALID_PROTOCOL", ["rtmps://"]),
        ("INSUFFICIENT_CAPABILITIES", ["PUBLISH", "SUBSCRIBE", "TOKEN_EXCHANGED"]),
    ],
)
def test_next_steps_quote_the_real_limits(code: str, facts: list[str]) -> None:
    info = ERROR_CODES[code]
    text = " ".join((info.meaning, *info.causes, *info.next_steps))
    for fact in facts:
        assert fact in text


def test_a_code_newer_than_the_bot_is_kept_as_sent_and_marked_not_recognised() -> None:
    info = describe_error_code("FUTURE_LIMIT_HIT")
    assert info.code == "FUTURE_LIMIT_HIT"
    assert not info.recognised
    assert "not recognised" in info.meaning
    assert info.doc.url.endswith("API_Event.html")


def test_an_event_name_newer_than_the_bot_is_kept_as_sent_and_marked_not_recognised() -> None:
    info = describe_event_name("PARTICIPANT_TELEPORTED")
    assert info.name == "PARTICIPANT_TELEPORTED"
    assert not info.recognised


_CAPABILITIES = ("PUBLISH", "SUBSCRIBE")


@pytest.mark.parametrize("code", sorted(ERROR_CODES))
def test_ids_codes_and_event_names_in_the_explanations_are_marked_as_code(code: str) -> None:
    """Marked with backticks, they read as code in Slack like every other id (and plain in a terminal)."""
    info = ERROR_CODES[code]
    for text in (info.headline, info.meaning, *info.causes, *info.next_steps):
        prose = re.sub(r"`[^`]*`", "", text)
        assert prose.count("`") == 0, text
        for word in (*EVENT_NAMES, *ERROR_CODES, *_CAPABILITIES):
            assert not re.search(rf"\b{word}\b", prose), (word, text)
