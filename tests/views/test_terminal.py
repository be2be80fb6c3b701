"""The terminal report says everything the Slack reply says, in plain text."""

from __future__ import annotations

from dataclasses import replace

from bot.analysis import analyze
from bot.views import render_terminal
from tests.analysis.factories import (
    NOW,
    error,
    history,
    join_leave_cycles,
    joined,
    left,
    publish_started,
    publish_stopped,
)


def test_the_terminal_report_has_the_diagnosis_errors_chart_and_timeline() -> None:
    events = [joined(0), error("PUBLISH_ERROR", 1, "QUOTA_EXCEEDED"), left(2), *join_leave_cycles(10, 6)]
    text = render_terminal(analyze(history(events), now=NOW))

    assert text.startswith(
        "abCDEf12GHIj: reconnect storm: 5 drops in 2 min 45 s, no error events (client network), never "
        "settled: last left at 14:12 UTC\n"
    )
    assert "\n1. [problem] Reconnect storm: dropped and came back 5 times" in text
    assert "\n   Next step: Run the IVS network test" in text
    assert "Publishing failed: the stage already had its 12 publishers (QUOTA_EXCEEDED)" in text
    assert "Docs: https://docs.aws.amazon.com/ivs/latest/RealTimeUserGuide/service-quotas.html" in text
    assert "Errors by code (1 error event)" in text
    assert "Session at a glance" in text and "connected        |" in text
    assert "Timeline (UTC): 15 events in total, summarised in 4 lines" in text
    assert "2026-03-12 14:10:00 → 14:12:45  joined and left 6 times (12 events, no errors)" in text


def test_terminal_times_are_utc() -> None:
    text = render_terminal(analyze(history([joined(0), left(1)]), now=NOW))
    assert "First joined: 2026-03-12 14:00:00 UTC" in text
    assert "Session: ended 2026-03-12 16:00:00 UTC · Events: 2 in 1 page" in text
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


def test_a_denied_getparticipant_is_explained_with_the_iam_action_in_plain_text() -> None:
    reason = (
        "Access denied: the bot's AWS role may not call `ivs:GetParticipant` on `arn:aws:ivs:x`. Ask an "
        "AWS admin to allow `ivs:GetParticipant` on that stage for the bot's role."
    )
    h = replace(history([joined(0), left(1)]), participant=None, participant_error=reason)
    text = render_terminal(analyze(h, now=NOW))

    assert "  Participant: details not available (see below)" in text
    assert "  Note: Participant details are missing: Access denied: the bot's AWS role may not call" in text
    assert "ivs:GetParticipant on arn:aws:ivs:x." in text and "`" not in text


def test_every_publish_attempt_failing_is_not_reported_as_time_spent_publishing() -> None:
    events = []
    for n in range(5):
        events += [
            joined(n),
            publish_started(n),
            error("PUBLISH_ERROR", n + 0.1, "BITRATE_EXCEEDED"),
            publish_stopped(n + 0.2),
            left(n + 0.2),
        ]
    text = render_terminal(analyze(history(events), now=NOW))

    assert "Connected 1 min 00 s over 5 connections; tried to publish 5 times, each failed;" in text
    assert "published 1 min" not in text


def test_a_participant_who_never_joined_never_connected() -> None:
    events = [error("JOIN_ERROR", n, "INVALID_PROTOCOL") for n in range(4)]
    text = render_terminal(analyze(history(events), now=NOW))

    assert "\nNever connected (4 join attempts failed).\n" in text
    assert "Timeline (UTC): 4 events in total, summarised in 1 line" in text


def test_a_history_with_thousands_of_error_codes_lists_the_most_frequent_and_counts_the_rest() -> None:
    events = [joined(0)]
    events += [error("PUBLISH_ERROR", 1, "BITRATE_EXCEEDED") for _ in range(5)]
    events += [error("PUBLISH_ERROR", 2 + n / 1000, f"FUTURE_{n:05d}") for n in range(2_000)]
    events += [error("JOIN_ERROR", 5, "FUTURE_01999")]  # a counted-only code seen under a second name
    text = render_terminal(analyze(history(events), now=NOW))

    assert "- BITRATE_EXCEEDED ×5 (PUBLISH_ERROR ×5)" in text
    assert "- FUTURE_01999 (not recognised) ×2 (PUBLISH_ERROR ×1, JOIN_ERROR ×1)" in text
    assert "  ... and 1,951 more codes (1,951 events): see the full JSON" in text
    assert "more kinds of error" in text and "not detailed here" in text
    assert text.count("Publishing failed:") <= 12
