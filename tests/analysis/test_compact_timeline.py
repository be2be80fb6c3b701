"""The short timeline: storms, departures and repeats become one line; a long history keeps its start,
its end, and the lines around what went wrong in between."""

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
    publish_started,
    publish_stopped,
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


def test_a_departure_with_several_subscriptions_is_one_line() -> None:
    pubs = ["PubA12345678", "PubB12345678", "PubC12345678"]
    events = [joined(0), publish_started(0), *(subscribe_started(1, p) for p in pubs)]
    events += [*(subscribe_stopped(30, p) for p in pubs), publish_stopped(30), left(30)]
    entries = analyze(history(events), now=NOW).compact.entries

    assert [e.kind for e in entries][-1] is EntryKind.DEPARTURE
    departure = entries[-1]
    assert (departure.events, departure.repeats) == (5, 3)
    assert departure.detail == ("(stopped publishing and receiving 3 publishers)",)


def test_the_middle_of_a_long_history_shows_the_lines_around_the_failure() -> None:
    events = [joined(0), publish_started(0)]
    for n in range(40):
        events += [
            subscribe_started(1 + n, f"Pub{n:02d}aBcDeFgH"),
            subscribe_stopped(1.5 + n, f"Pub{n:02d}aBcDeFgH"),
        ]
    failure = len(events) + 1
    events += [subscribe_started(41, "PubXXaBcDeFgH"), error("PUBLISH_ERROR", 41.1, "INVALID_VIDEO_CODEC")]
    for n in range(40):
        events += [
            subscribe_started(42 + n, f"Puc{n:02d}aBcDeFgH"),
            subscribe_stopped(42.5 + n, f"Puc{n:02d}aBcDeFgH"),
        ]
    events += [publish_stopped(90), left(90)]
    compact = analyze(history(events), now=NOW).compact

    assert compact.anomalies == (failure,)
    (excerpt,) = compact.excerpts
    assert any(entry.code == "INVALID_VIDEO_CODEC" for entry in excerpt)
    assert excerpt[0].first_index == failure - 2  # a line of context before it
