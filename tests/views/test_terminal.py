"""The terminal report says everything the Slack reply says, in plain text."""

from __future__ import annotations

from bot.analysis import analyze
from bot.views import render_terminal
from tests.analysis.factories import NOW, error, history, join_leave_cycles, joined, left


def test_the_terminal_report_has_the_diagnosis_errors_chart_and_timeline() -> None:
    events = [joined(0), error("PUBLISH_ERROR", 1, "QUOTA_EXCEEDED"), left(2), *join_leave_cycles(10, 6)]
    text = render_terminal(analyze(history(events), now=NOW))

    assert text.startswith("IVS participant abCDEf12GHIj: 2 problems found")
    assert "1. [problem] Reconnect storm: joined and left 6 times" in text
    assert "Publishing failed: the stage already had 12 publishers (QUOTA_EXCEEDED)" in text
    assert "Docs: https://docs.aws.amazon.com/ivs/latest/RealTimeUserGuide/service-quotas.html" in text
    assert "Errors by code (1 error events)" in text
    assert "Session at a glance" in text and "connected       |" in text
    assert "Timeline (UTC): 15 events in total, showing 15" in text
    assert "2026-03-12 14:10:00 → 14:12:45  joined and left 6 times (12 events, no errors)" in text


def test_terminal_times_are_utc() -> None:
    text = render_terminal(analyze(history([joined(0), left(1)]), now=NOW))
    assert "First joined: 2026-03-12 14:00:00 UTC" in text
    assert "  2026-03-12 14:00:00  JOINED" in text


def test_the_lookup_command_for_a_missing_publisher_stays_on_one_line_to_copy() -> None:
    events = [
        joined(0),
        error("SUBSCRIBE_ERROR", 1, "PUBLISHER_NOT_FOUND", remoteParticipantId="Gone12345678"),
    ]
    text = render_terminal(analyze(history(events), now=NOW))
    assert (
        "/ivs-events arn:aws:ivs:us-west-2:123456789012:stage/abcdABCDefgh st-a1b2c3d4e5f6g Gone12345678"
        in text
    )
