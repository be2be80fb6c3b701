"""The shapes a support engineer looks for first: storms, never joined, idle, still connected, retries."""

from __future__ import annotations

from bot.analysis import analyze
from tests.analysis.factories import (
    NOW,
    at,
    error,
    history,
    join_leave_cycles,
    joined,
    left,
    publish_started,
)


def test_quick_join_leave_cycles_are_a_reconnect_storm_even_without_errors() -> None:
    patterns = analyze(history(join_leave_cycles(2, 14)), now=NOW).patterns

    (storm,) = patterns.storms
    assert storm.cycles == 14
    assert (storm.start, storm.errors) == (at(2), 0)


def test_a_couple_of_page_reloads_are_not_a_storm() -> None:
    assert not analyze(history(join_leave_cycles(2, 3)), now=NOW).patterns.storms


def test_long_stays_between_reconnects_are_not_a_storm() -> None:
    events = [e for n in range(6) for e in (joined(n * 10), left(n * 10 + 8))]
    assert not analyze(history(events), now=NOW).patterns.storms


def test_a_participant_whose_joins_all_failed_never_got_in() -> None:
    events = [error("JOIN_ERROR", n, "INSUFFICIENT_CAPABILITIES") for n in range(3)]
    patterns = analyze(history(events), now=NOW).patterns

    assert patterns.never_joined and patterns.never_got_in
    assert patterns.repeated_failures[0].count == 3


def test_a_join_error_followed_by_a_successful_join_is_not_never_got_in() -> None:
    patterns = analyze(history([error("JOIN_ERROR", 0, "QUOTA_EXCEEDED"), joined(1)]), now=NOW).patterns
    assert not patterns.never_got_in


def test_someone_who_joined_but_never_sent_or_received_media_is_idle() -> None:
    assert analyze(history([joined(0), left(30)]), now=NOW).patterns.joined_but_idle
    assert not analyze(history([joined(0), publish_started(1), left(30)]), now=NOW).patterns.joined_but_idle


def test_only_a_live_session_can_have_someone_still_connected() -> None:
    assert analyze(history([joined(0)], live=True), now=at(5)).patterns.still_connected
    assert not analyze(history([joined(0)]), now=NOW).patterns.still_connected
