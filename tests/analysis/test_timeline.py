"""Spans, totals and counts: how long the participant was connected, publishing and receiving whom."""

from __future__ import annotations

from datetime import timedelta

from bot.analysis import analyze
from bot.analysis.timeline import SpanEnd
from tests.analysis.factories import (
    NOW,
    at,
    ended_session,
    error,
    event,
    history,
    joined,
    left,
    live_session,
    participant,
    publish_started,
    publish_stopped,
    subscribe_started,
    subscribe_stopped,
    token_exchanged,
)


def test_a_host_who_joined_published_and_left_has_one_connection_and_one_publish_span() -> None:
    timeline = analyze(
        history([joined(0), publish_started(0), publish_stopped(30), left(31)]), now=NOW
    ).timeline

    (connection,) = timeline.connections
    (publish,) = timeline.publishes
    assert (connection.start, connection.end, connection.ended_by) == (at(0), at(31), SpanEnd.EVENT)
    assert publish.duration == timedelta(minutes=30)
    assert timeline.connected_time == timedelta(minutes=31)
    assert timeline.publishing_time == timedelta(minutes=30)


def test_someone_still_connected_in_a_live_session_is_connected_until_now() -> None:
    analysis = analyze(history([joined(10), publish_started(11)], live=True), now=at(40))

    connection = analysis.timeline.connections[-1]
    assert connection.is_open and connection.end == at(40)
    assert analysis.timeline.connected_time == timedelta(minutes=30)
    assert analysis.timeline.still_publishing
    assert analysis.patterns.still_connected


def test_a_connection_open_when_the_session_ended_is_closed_at_the_session_end() -> None:
    analysis = analyze(history([joined(0)], session=ended_session(45)), now=NOW)

    connection = analysis.timeline.connections[-1]
    assert (connection.end, connection.ended_by) == (at(45), SpanEnd.SESSION_END)
    assert not analysis.patterns.still_connected


def test_without_session_details_a_connected_participant_is_treated_as_live() -> None:
    h = history([joined(0)], details=participant(state="CONNECTED"), session=live_session())
    h = type(h)(h.query, h.events, h.participant, None, h.pages, h.fetched_at)
    assert analyze(h, now=at(20)).timeline.connections[-1].is_open


def test_leaving_ends_publishing_and_every_subscription_even_without_their_stop_events() -> None:
    timeline = analyze(
        history([joined(0), publish_started(1), subscribe_started(2, "pub-1"), left(10)]), now=NOW
    ).timeline

    assert timeline.publishes[-1].ended_by is SpanEnd.LEFT
    assert timeline.subscriptions.spans_of("pub-1")[-1].end == at(10)


def test_time_receiving_two_overlapping_publishers_is_counted_once() -> None:
    timeline = analyze(
        history(
            [
                joined(0),
                subscribe_started(1, "pub-1"),
                subscribe_started(2, "pub-2"),
                subscribe_stopped(5, "pub-1"),
                subscribe_stopped(6, "pub-2"),
                left(7),
            ]
        ),
        now=NOW,
    ).timeline

    assert timeline.subscribed_time == timedelta(minutes=5)
    assert set(timeline.received_time) == {"pub-1", "pub-2"}
    assert timeline.received_time["pub-1"] == timedelta(minutes=4)


def test_events_sharing_a_timestamp_give_the_same_spans_in_either_order() -> None:
    left_first = [joined(0), publish_started(0), left(9), publish_stopped(9)]
    stop_first = [publish_started(0), joined(0), publish_stopped(9), left(9)]

    for events in (left_first, stop_first):
        timeline = analyze(history(events), now=NOW).timeline
        assert timeline.connected_time == timedelta(minutes=9)
        assert timeline.publishing_time == timedelta(minutes=9)
        assert len(timeline.publishes) == 1


def test_counts_per_name_include_names_the_bot_does_not_know() -> None:
    analysis = analyze(
        history([joined(0), event("FUTURE_EVENT", 1), event("FUTURE_EVENT", 2), left(3)]), now=NOW
    )

    assert analysis.timeline.counts == {"JOINED": 1, "FUTURE_EVENT": 2, "LEFT": 1}
    assert analysis.first_event is not None and analysis.first_event["name"] == "JOINED"
    assert analysis.last_event is not None and analysis.last_event["name"] == "LEFT"


def test_malformed_or_surprising_events_never_crash_the_analysis() -> None:
    events = [
        {"participantId": "x", "eventTime": at(0)},  # no name
        {"name": "LEFT", "participantId": "x", "eventTime": at(1)},  # LEFT without JOINED
        {"name": "PUBLISH_STOPPED", "participantId": "x"},  # no time
        {"name": "SUBSCRIBE_STARTED", "participantId": "x", "eventTime": at(2)},  # no publisher
        {"name": "TOKEN_EXCHANGED", "participantId": "x", "eventTime": at(3), "newToken": "nonsense"},
        error("JOIN_ERROR", 4, None),
        error("MYSTERY_ERROR", 5, "MYSTERY_CODE"),
    ]
    analysis = analyze(history(events), now=NOW)

    assert analysis.event_count == 7
    assert {g.code for g in analysis.timeline.error_groups} == {None, "MYSTERY_CODE"}


def test_a_token_exchange_records_which_capabilities_it_removed() -> None:
    timeline = analyze(
        history([joined(0), token_exchanged(1, ["PUBLISH", "SUBSCRIBE"], ["SUBSCRIBE"])]), now=NOW
    ).timeline

    (exchange,) = timeline.token_exchanges
    assert exchange.dropped == {"PUBLISH"}
    assert not exchange.added


def test_a_reconnect_within_one_second_is_not_mistaken_for_leaving() -> None:
    """Ties sort JOINED before LEFT, so a same-second reconnect arrives as JOINED (new), LEFT (old)."""
    events = [
        joined(0),
        publish_started(0),
        subscribe_started(0, "pub-1"),
        joined(10),
        publish_started(10),
        subscribe_started(10, "pub-1"),
        publish_stopped(10),
        subscribe_stopped(10, "pub-1"),
        left(10),
    ]
    analysis = analyze(history(events, live=True), now=at(20))
    timeline = analysis.timeline

    assert [(s.start, s.end, s.ended_by) for s in timeline.connections] == [
        (at(0), at(10), SpanEnd.EVENT),
        (at(10), at(20), SpanEnd.OPEN),
    ]
    assert timeline.still_publishing and timeline.publishing_time == timedelta(minutes=20)
    assert timeline.subscriptions.spans_of("pub-1")[-1].is_open
    assert analysis.patterns.still_connected


def test_joining_and_leaving_within_the_same_second_is_a_zero_length_connection() -> None:
    timeline = analyze(history([joined(0), left(5), joined(10), left(10)]), now=NOW).timeline
    assert [s.duration for s in timeline.connections] == [timedelta(minutes=5), timedelta(0)]


def test_a_publish_span_that_ended_in_a_publish_error_counts_as_a_failed_attempt() -> None:
    events = [
        joined(0),
        publish_started(0),
        error("PUBLISH_ERROR", 1, "BITRATE_EXCEEDED"),
        publish_stopped(1),
        publish_started(2),
        publish_stopped(10),
        error("PUBLISH_ERROR", 11, "INSUFFICIENT_CAPABILITIES"),  # after the span: not this span's failure
        left(12),
    ]
    timeline = analyze(history(events), now=NOW).timeline

    assert len(timeline.publishes) == 2 and timeline.failed_publishes == 1


def test_each_storm_cycle_remembers_the_join_or_publish_failures_that_came_while_connected() -> None:
    events = []
    for n in range(5):
        events += [
            joined(n),
            error("PUBLISH_ERROR", n + 0.1, "BITRATE_EXCEEDED"),
            error("SUBSCRIBE_ERROR", n + 0.2, "PUBLISHER_NOT_FOUND", remoteParticipantId="p"),
            left(n + 0.3),
        ]
    (storm,) = analyze(history(events), now=NOW).timeline.storms

    assert (storm.cycles, storm.failed_cycles, storm.errors) == (5, 5, 10)
    assert [(c.event_name, c.code, c.cycles) for c in storm.causes] == [
        ("PUBLISH_ERROR", "BITRATE_EXCEEDED", 5)
    ]
    assert storm.explained_by_errors
