"""Any history, from 0 to 100,000 events, gives a message Slack accepts and that names every error code."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import botocore.session
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.analysis import analyze
from bot.views import build_reply
from tests.analysis.factories import NOW, START, history, participant
from tests.views.hostile import HOSTILE, assert_inert, shown_as
from tests.views.slack_limits import assert_within_slack_limits, texts

_MODEL = botocore.session.get_session().get_service_model("ivs-realtime").shape_for("Event")
KNOWN_NAMES = list(_MODEL.members["name"].enum)
KNOWN_CODES = list(_MODEL.members["errorCode"].enum)
UNKNOWN_NAMES = ["FUTURE_EVENT", "PARTICIPANT_TELEPORTED", *HOSTILE[:3]]
UNKNOWN_CODES = ["NEW_CODE_2027", "X" * 30, *HOSTILE[:5]]
REMOTES = ["PubA12345678", "PubB12345678", "PubC12345678", *HOSTILE]
MAX_EVENTS = 100_000

names = st.sampled_from(KNOWN_NAMES + UNKNOWN_NAMES)
codes = st.none() | st.sampled_from(KNOWN_CODES + UNKNOWN_CODES)
token = st.fixed_dictionaries(
    {
        "capabilities": st.lists(st.sampled_from(["PUBLISH", "SUBSCRIBE", *HOSTILE[:2]]), max_size=3),
        "attributes": st.dictionaries(st.sampled_from(HOSTILE), st.sampled_from(HOSTILE), max_size=2),
        "userId": st.sampled_from(HOSTILE),
    }
)


@st.composite
def event_pattern(draw: st.DrawFn) -> list[tuple[int, dict[str, Any]]]:
    """A short run of events with second offsets (0 repeats a timestamp: ties)."""
    pattern = []
    for _ in range(draw(st.integers(1, 40))):
        name = draw(names)
        fields: dict[str, Any] = {"name": name, "participantId": "abCDEf12GHIj"}
        code = draw(codes) if name.endswith("_ERROR") or name in UNKNOWN_NAMES else None
        if code is not None:
            fields["errorCode"] = code
        if name.startswith("SUBSCRIBE") or draw(st.booleans()):
            fields["remoteParticipantId"] = draw(st.sampled_from(REMOTES))
        if name == "TOKEN_EXCHANGED":
            fields["previousToken"], fields["newToken"] = draw(token), draw(token)
        pattern.append((draw(st.sampled_from([0, 0, 1, 5, 30, 200])), fields))
    return pattern


@st.composite
def histories(draw: st.DrawFn) -> Any:
    """A pattern repeated up to 100,000 events (cheap to generate, realistic to analyse)."""
    pattern = draw(event_pattern())
    repeats = draw(st.integers(1, MAX_EVENTS // len(pattern)) | st.integers(1, 5))
    events, clock = [], START
    for _ in range(repeats):
        for offset, fields in pattern:
            clock += timedelta(seconds=offset)
            events.append({**fields, "eventTime": clock})
    details = draw(
        st.none()
        | st.builds(
            participant,
            userId=st.sampled_from(HOSTILE),
            attributes=st.dictionaries(st.sampled_from(HOSTILE), st.sampled_from(HOSTILE), max_size=3),
            browserName=st.sampled_from(HOSTILE),
            state=st.sampled_from(["CONNECTED", "DISCONNECTED", *HOSTILE[:1]]),
        )
    )
    return history(events, details=details, live=draw(st.booleans()))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(histories())
def test_any_history_fits_slack_and_names_every_error_code_it_contains(h: Any) -> None:
    reply = build_reply(analyze(h, now=NOW + timedelta(days=30)))

    assert_within_slack_limits(reply)
    everything = "\n".join(texts(reply.blocks))
    codes_in_input = {event["errorCode"] for event in h.events if "errorCode" in event}
    for code in codes_in_input:
        assert shown_as(code) in everything, code
    assert_inert([*texts(reply.blocks), reply.text])


def test_an_empty_history_fits_slack() -> None:
    assert_within_slack_limits(build_reply(analyze(history([]), now=NOW)))


def test_the_worst_100000_event_history_fits_slack_and_names_every_code() -> None:
    """Every code and name, thousands of distinct publishers, hostile strings everywhere, no time gaps."""
    all_codes = KNOWN_CODES + UNKNOWN_CODES
    events = []
    for n in range(MAX_EVENTS):
        name = (KNOWN_NAMES + UNKNOWN_NAMES)[n % len(KNOWN_NAMES + UNKNOWN_NAMES)]
        fields: dict[str, Any] = {"name": name, "participantId": "abCDEf12GHIj", "eventTime": START}
        fields["remoteParticipantId"] = f"Pub{n % 5000:05d}" if n % 3 else HOSTILE[n % len(HOSTILE)]
        if name.endswith("_ERROR"):
            fields["errorCode"] = all_codes[n % len(all_codes)]
        events.append(fields)
    h = history(events, details=participant(userId=HOSTILE[0], attributes={HOSTILE[1]: HOSTILE[2]}))
    reply = build_reply(analyze(h, now=NOW))

    assert_within_slack_limits(reply)
    everything = "\n".join(texts(reply.blocks))
    for code in all_codes:
        assert shown_as(code) in everything, code
    assert_inert([*texts(reply.blocks), reply.text])


def test_100000_distinct_error_codes_fit_slack_with_the_most_frequent_named_and_the_rest_counted() -> None:
    events = [{"name": "PUBLISH_ERROR", "eventTime": START, "errorCode": "BITRATE_EXCEEDED"}] * 3
    events += [
        {"name": "PUBLISH_ERROR", "eventTime": START + timedelta(seconds=n), "errorCode": f"FUTURE_{n:06d}"}
        for n in range(MAX_EVENTS)
    ]
    reply = build_reply(analyze(history(events), now=NOW))

    assert_within_slack_limits(reply)
    everything = "\n".join(texts(reply.blocks))
    assert shown_as("BITRATE_EXCEEDED") + " ×3" in everything
    assert "100,001 codes" in everything and "more codes" in everything
