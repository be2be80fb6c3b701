"""Proportional cause weighting: the root cause is the one that explains most of what happened."""

from __future__ import annotations

from bot.analysis import Severity, analyze
from tests.analysis.factories import (
    NOW,
    ended_session,
    error,
    history,
    joined,
    left,
    participant,
    publish_started,
    publish_stopped,
    subscribe_started,
    subscribe_stopped,
)
from tests.analysis.test_findings import everything, said


def _encoder_cycles(refused: list[bool]) -> list[dict]:
    """OBS reconnecting every 15 s; the cycles marked True end in BITRATE_EXCEEDED, the others just drop."""
    events = []
    for n, fails in enumerate(refused):
        start = n / 4
        events += [joined(start), publish_started(start)]
        if fails:
            events.append(error("PUBLISH_ERROR", start + 4 / 60, "BITRATE_EXCEEDED"))
        events += [publish_stopped(start + 5 / 60), left(start + 5 / 60)]
    return events


def test_a_storm_whose_cycles_mostly_end_in_one_failure_is_that_failures_retry_loop() -> None:
    analysis = analyze(history(_encoder_cycles([True, True, False, True, True, False, True])), now=NOW)

    assert [f.rule for f in analysis.findings] == ["error:PUBLISH_ERROR:BITRATE_EXCEEDED"]
    text = everything(analysis.findings[0])
    assert "In 5 of the 7 quick reconnects between" in text
    assert "network" not in text


def test_a_stale_subscribe_error_inside_a_network_storm_does_not_outrank_the_storm() -> None:
    events = []
    for n in range(8):
        events += [joined(n / 2), subscribe_started(n / 2, "Host12345678")]
        if n == 5:
            events.append(
                error(
                    "SUBSCRIBE_ERROR", n / 2 + 0.1, "PUBLISHER_NOT_FOUND", remoteParticipantId="Gone12345678"
                )
            )
        events += [subscribe_stopped(n / 2 + 0.3, "Host12345678"), left(n / 2 + 0.3)]
    analysis = analyze(history(events), now=NOW)
    top, *rest = analysis.findings

    assert top.rule == "storm_with_errors" and top.severity is Severity.PROBLEM
    assert "only 0 of the 7 drops came after a join or publish failure" in everything(top)
    (stale,) = [f for f in rest if f.rule == "error:SUBSCRIBE_ERROR:PUBLISHER_NOT_FOUND"]
    assert stale.severity is Severity.WARNING
    assert "side effect of the drops, not their cause" in everything(stale)


def test_missing_publishers_hours_apart_are_separate_incidents_not_a_retry_loop() -> None:
    events = [joined(0)]
    for n, publisher in enumerate(("PubA12345678", "PubB12345678", "PubC12345678")):
        events += [
            subscribe_started(60 * n, publisher),
            subscribe_stopped(60 * n + 30, publisher),
            error("SUBSCRIBE_ERROR", 60 * n + 31, "PUBLISHER_NOT_FOUND", remoteParticipantId=publisher),
        ]
    events.append(left(200))
    text = everything(analyze(history(events, session=ended_session(240)), now=NOW).findings[0])

    assert "kept repeating" not in text
    assert "Against 3 different publishers: separate incidents, not one retry loop." in text


def test_a_publish_error_outranks_a_more_frequent_subscribe_error_of_equal_weight() -> None:
    events = [joined(0), publish_started(0), error("PUBLISH_ERROR", 1, "INVALID_VIDEO_CODEC")]
    events += [
        error("SUBSCRIBE_ERROR", 2 + n, "INVALID_INPUT", remoteParticipantId="PubA12345678") for n in range(3)
    ]
    events += [publish_stopped(5), left(5)]
    rules = [f.rule for f in analyze(history(events), now=NOW).findings]

    assert rules.index("error:PUBLISH_ERROR:INVALID_VIDEO_CODEC") < rules.index(
        "error:SUBSCRIBE_ERROR:INVALID_INPUT"
    )


def test_a_storm_that_settled_ranks_below_the_failure_that_ended_the_stream_later() -> None:
    """An Android host: 8 quick drops at minute 5, stable for 37 min, then INVALID_INPUT ends the publish."""
    events = [joined(1), publish_started(1)]
    for n in range(8):
        drop = 5 + n / 4
        events += [publish_stopped(drop), left(drop), joined(drop + 0.05), publish_started(drop + 0.05)]
    events += [publish_stopped(44), error("PUBLISH_ERROR", 44, "INVALID_INPUT"), left(44.05)]
    android = participant(osName="Android", osVersion="14", browserName=None, protocol="UNKNOWN")
    first, second, *_ = analyze(history(events, details=android), now=NOW).findings

    assert first.rule == "error:PUBLISH_ERROR:INVALID_INPUT" and not first.resolved
    assert second.rule == "storm_without_errors" and second.resolved
    assert second.severity is Severity.WARNING
    advice = "\n".join(said(step) for step in (*first.next_steps, *first.causes))
    assert "encoder" not in advice and "IVS SDK" in advice
