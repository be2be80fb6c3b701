"""The short timeline: storms and repeats become one line; a long history keeps its start and its end."""

from __future__ import annotations

from bot.analysis import analyze
from bot.analysis.compact_timeline import HEAD_ENTRIES, TAIL_ENTRIES, EntryKind
from bot.analysis.phrases import Quoted
from tests.analysis.factories import (
    NOW,
    error,
    history,
    join_leave_cycles,
    joined,
    left,
    subscribe_started,
    subscribe_stopped,
)


def test_a_reconnect_storm_is_one_line_with_its_cycle_count() -> None:
    compact = analyze(history([*join_leave_cycles(2, 14), joined(20), left(40)]), now=NOW).compact

    storm, rejoin, leave = compact.entries
    assert (storm.kind, storm.repeats, storm.events) == (EntryKind.STORM, 14, 28)
    assert (rejoin.name, leave.name) == ("JOINED", "LEFT")
    assert compact.omitted_events == 0


def test_identical_errors_in_a_row_are_one_line_with_a_count() -> None:
    errors = [
        error("SUBSCRIBE_ERROR", 1 + n / 60, "PUBLISHER_NOT_FOUND", remoteParticipantId="p")
        for n in range(40)
    ]
    compact = analyze(history([joined(0), *errors, left(5)]), now=NOW).compact

    assert [e.repeats for e in compact.entries] == [1, 40, 1]
    assert compact.entries[1].kind is EntryKind.REPEAT


def test_a_long_history_keeps_its_first_and_last_lines_and_counts_the_middle() -> None:
    flapping = []
    for n in range(500):
        flapping += [subscribe_started(n / 10, "pub-1"), subscribe_stopped(n / 10 + 0.05, "pub-1")]
    compact = analyze(history([joined(0), *flapping, left(60)]), now=NOW).compact

    assert len(compact.head) == HEAD_ENTRIES and len(compact.tail) == TAIL_ENTRIES
    assert compact.entries[0].name == "JOINED" and compact.entries[-1].name == "LEFT"
    assert compact.omitted_events == 1002 - HEAD_ENTRIES - TAIL_ENTRIES


def test_an_empty_history_has_an_empty_timeline() -> None:
    compact = analyze(history([]), now=NOW).compact
    assert compact.entries == () and compact.omitted_events == 0


def test_a_storm_line_names_the_errors_inside_it() -> None:
    events = []
    for n in range(5):
        events += [joined(n), error("PUBLISH_ERROR", n + 0.05, "BITRATE_EXCEEDED"), left(n + 0.1)]
    (storm,) = analyze(history(events), now=NOW).compact.entries

    assert storm.kind is EntryKind.STORM and storm.errors == 5
    assert storm.detail == ("errors:", " ", Quoted("BITRATE_EXCEEDED"), " ×5")


def test_a_storm_of_retries_after_failures_is_marked_as_such() -> None:
    events = []
    for n in range(5):
        events += [joined(n), error("PUBLISH_ERROR", n + 0.05, "BITRATE_EXCEEDED"), left(n + 0.1)]
    retries = analyze(history(events), now=NOW).compact.entries[0]
    storm = analyze(history(join_leave_cycles(0, 5)), now=NOW).compact.entries[0]

    assert retries.retries and not storm.retries
