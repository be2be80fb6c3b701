"""Findings that are not error events: what the situation shows when IVS recorded no failure at all."""

from __future__ import annotations

from bot.analysis import Severity, analyze
from bot.ivs.fetch import sort_oldest_first
from tests.analysis.factories import (
    NOW,
    STAGE_ARN,
    at,
    error,
    event,
    history,
    joined,
    left,
    participant,
    publish_started,
    publish_stopped,
    subscribe_started,
    subscribe_stopped,
    token,
    token_exchanged,
)
from tests.analysis.test_findings import everything, said


def test_replication_that_stopped_long_before_the_host_stopped_publishing_is_a_finding() -> None:
    destination = "arn:aws:ivs:us-west-2:123456789012:stage/ReplicaStage1"
    events = [
        joined(0),
        publish_started(0),
        event(
            "REPLICATION_STARTED", 1, destinationStageArn=destination, destinationSessionId="st-replica12345"
        ),
        event(
            "REPLICATION_STOPPED", 20, destinationStageArn=destination, destinationSessionId="st-replica12345"
        ),
        publish_stopped(60),
        left(60),
    ]
    findings = analyze(history(events), now=NOW).findings

    assert findings[0].rule == "replication_stopped_early"
    text = everything(findings[0])
    assert destination in text and "40 min 00 s" in text and "StopParticipantReplication" in text


def test_a_remote_publisher_that_keeps_dropping_is_named_with_the_command_to_look_it_up() -> None:
    events = [joined(0), subscribe_started(0.1, "Flaky1234567")]
    for n in range(5):
        events += [subscribe_stopped(2 + n, "Flaky1234567"), subscribe_started(2 + n + 0.05, "Flaky1234567")]
    events += [subscribe_stopped(30, "Flaky1234567"), left(30)]
    findings = analyze(history(events), now=NOW).findings

    assert findings[0].rule == "flapping_publisher" and findings[0].severity is Severity.WARNING
    text = everything(findings[0])
    assert "stopped and came back 5 times" in text and "gone 3 s at the shortest" in text
    assert f"/ivs-events {STAGE_ARN} st-a1b2c3d4e5f6g Flaky1234567" in text
    assert "No problems recorded" not in "\n".join(said(f.title) for f in findings)


def test_a_viewer_receiving_12_publishers_is_told_the_stage_was_full() -> None:
    events = [joined(0)]
    events += [subscribe_started(1 + n / 10, f"Pub{n:02d}aBcDeFgH") for n in range(12)]
    events += [subscribe_stopped(40, f"Pub{n:02d}aBcDeFgH") for n in range(12)]
    events.append(left(40))
    (finding,) = [f for f in analyze(history(events), now=NOW).findings if f.rule == "stage_full"]

    assert "received 12 publishers at once from " + at(2.1).isoformat() in said(finding.title)
    assert "QUOTA_EXCEEDED" in everything(finding)


def test_a_host_who_left_right_after_the_token_expired_is_told_so_not_no_problems() -> None:
    expiring = {**token(["PUBLISH", "SUBSCRIBE"]), "expirationTime": at(45)}
    events = [
        joined(0),
        publish_started(0),
        event("TOKEN_EXCHANGED", 5, previousToken=token(["PUBLISH", "SUBSCRIBE"]), newToken=expiring),
        publish_stopped(45.5),
        left(45.5),
    ]
    findings = analyze(history(events), now=NOW).findings

    assert findings[0].rule == "left_at_token_expiry"
    assert said(findings[0].title) == f"Left at {at(45.5).isoformat()}, 30 s after its token expired"
    assert "no_problems" not in [f.rule for f in findings]


def test_one_token_on_two_devices_is_not_blamed_on_the_network() -> None:
    events = [joined(0)]
    for n in range(1, 9):  # each join takes over the other device's connection in the same second
        events += [joined(n / 3), left(n / 3)]
    events.append(left(3.5))
    findings = analyze(history(events), now=NOW).findings

    assert findings[0].rule == "one_token_two_devices"
    assert "storm_without_errors" not in [f.rule for f in findings]
    (line,) = analyze(history(events), now=NOW).compact.entries
    assert line.takeovers  # the timeline does not call it a reconnect storm either
    assert "same token" in everything(findings[0])


def test_a_failed_recording_reported_by_getparticipant_is_a_finding_though_no_event_says_so() -> None:
    details = participant(recordingState="FAILED", recordingS3BucketName="show-recordings")
    events = [joined(0), publish_started(0), publish_stopped(30), left(30)]
    findings = analyze(history(events, details=details), now=NOW).findings

    assert findings[0].rule == "recording_failed"
    assert "s3://show-recordings" in said(findings[0].title)


def _own_reconnects_with_their_subscriptions(publisher: str) -> list[dict[str, object]]:
    """An iPhone guest walking out of the house (Wi-Fi to LTE): three drops 14 s apart, each rejoined 6 s
    later, and every drop stops what it received at the same moment (SUBSCRIBE_STOPPED with the LEFT)."""
    events = [joined(0), publish_started(1 / 60), subscribe_started(2 / 60, publisher)]
    for n in range(3):
        drop = 12 + n * 14 / 60
        events += [
            subscribe_stopped(drop, publisher),
            publish_stopped(drop),
            left(drop),
            joined(drop + 6 / 60),
            publish_started(drop + 7 / 60),
            subscribe_started(drop + 8 / 60, publisher),
        ]
    events += [subscribe_stopped(48, publisher), publish_stopped(48), left(48)]
    return events


def test_own_reconnects_that_stopped_the_feeds_are_not_blamed_on_a_flapping_publisher() -> None:
    iphone = participant(browserName=None, browserVersion=None, osName="iOS", osVersion="18.3")
    events = _own_reconnects_with_their_subscriptions("HostWeb00003")
    findings = analyze(history(events, details=iphone), now=NOW).findings

    assert "flapping_publisher" not in [f.rule for f in findings]
    assert not any("kept dropping" in said(f.short) for f in findings)


def test_a_co_host_who_left_a_live_session_minutes_ago_is_told_left_and_not_back() -> None:
    ipad = participant(browserName=None, browserVersion=None, osName="iPadOS", osVersion="18.1")
    events = [joined(0), publish_started(1 / 60), publish_stopped(25), left(25)]
    findings = analyze(history(events, details=ipad, live=True), now=at(27)).findings

    assert findings[0].rule == "left_live_session"
    assert said(findings[0].short) == f"left at {at(25).isoformat()}"
    status = findings[0].status
    assert status is not None and said(status.words) == "not back (session still live)"
    assert "2 min 00 s ago" in everything(findings[0])


def test_a_participant_who_left_an_ended_session_is_not_told_it_is_not_back() -> None:
    events = [joined(0), publish_started(1 / 60), publish_stopped(25), left(25)]
    findings = analyze(history(events), now=NOW).findings

    assert "left_live_session" not in [f.rule for f in findings]


def test_three_quick_drops_on_a_phone_are_named_a_network_handover_not_no_problems() -> None:
    iphone = participant(browserName=None, browserVersion=None, osName="iOS", osVersion="18.3")
    events = [joined(0), publish_started(1 / 60)]
    for n in range(3):
        drop = 12 + n * 14 / 60
        events += [publish_stopped(drop), left(drop), joined(drop + 6 / 60), publish_started(drop + 7 / 60)]
    events += [publish_stopped(48), left(48)]
    findings = analyze(history(events, details=iphone), now=NOW).findings

    burst = findings[0]
    assert burst.rule == "rejoin_burst" and burst.severity is Severity.WARNING
    assert said(burst.short) == "3 quick drops in 34 s, no error events (mobile network handover)"
    assert (
        burst.status is not None
        and said(burst.status.words) == f"stable since {at(12 + 34 / 60).isoformat()}"
    )
    assert "no_problems" not in [f.rule for f in findings]


def test_own_reconnects_that_stopped_the_feeds_lead_with_the_burst_of_drops() -> None:
    iphone = participant(browserName=None, browserVersion=None, osName="iOS", osVersion="18.3")
    events = _own_reconnects_with_their_subscriptions("HostWeb00003")
    findings = analyze(history(events, details=iphone), now=NOW).findings

    assert findings[0].rule == "rejoin_burst"


def test_two_page_reloads_are_not_a_burst_of_drops() -> None:
    events = [joined(0), publish_started(0.1)]
    for drop in (10, 10.5):
        events += [publish_stopped(drop), left(drop), joined(drop + 0.1), publish_started(drop + 0.15)]
    events += [publish_stopped(40), left(40)]
    findings = analyze(history(events), now=NOW).findings

    assert "rejoin_burst" not in [f.rule for f in findings]
    assert findings[0].rule == "no_problems"


def _events_sorted_like_ivs(events: list[dict[str, object]]) -> list[dict[str, object]]:
    """Oldest first, ties in the order the fetcher puts them (JOINED before the old connection's LEFT)."""
    return sort_oldest_first(events[::-1])


def test_one_token_on_two_devices_counts_every_takeover_and_keeps_the_last_join_in_the_timeline() -> None:
    # A host's token opened on a laptop, then on a phone: six takeovers 31 s apart, the laptop keeps it.
    events = [joined(0), publish_started(1 / 60)]
    for n in range(6):
        t = 20 + n * 31 / 60
        events += [publish_stopped(t), left(t), joined(t), publish_started(t + 1 / 60)]
    events += [publish_stopped(45), left(45)]
    analysis = analyze(history(_events_sorted_like_ivs(events)), now=NOW)

    top = analysis.findings[0]
    assert top.rule == "one_token_two_devices" and "6 takeovers" in said(top.short)
    assert said(top.title).startswith("One token on two devices: 6 takeovers")
    storm_line = next(e for e in analysis.compact.entries if e.takeovers)
    after = analysis.compact.entries[analysis.compact.entries.index(storm_line) + 1]
    assert after.name != "LEFT"  # the last takeover's LEFT is inside the storm line, with its JOINED
    assert storm_line.repeats == 6


def test_the_demo_two_devices_story_counts_eight_takeovers_for_eight_same_second_joins() -> None:
    events = [joined(0)]
    for n in range(1, 9):
        events += [joined(n / 3), left(n / 3)]
    events.append(left(3 + 1 / 6))
    top = analyze(history(_events_sorted_like_ivs(events)), now=NOW).findings[0]

    assert "8 takeovers" in said(top.short)


def test_a_replica_that_left_when_replication_stopped_points_at_its_source_stage_and_session() -> None:
    source_stage = "arn:aws:ivs:us-west-2:123456789012:stage/SourceStage1"
    details = participant(
        replicationType="REPLICA",
        replicationState="STOPPED",
        sourceStageArn=source_stage,
        sourceSessionId="st-Src0Session12",
    )
    events = [
        event("JOINED", 0, replica=True),
        event("PUBLISH_STARTED", 0, replica=True),
        event("PUBLISH_STOPPED", 6, replica=True),
        event("LEFT", 6, replica=True),
    ]
    findings = analyze(history(events, details=details), now=NOW).findings

    top = findings[0]
    assert top.rule == "replica_participant" and top.severity is Severity.WARNING
    assert (
        said(top.short) == f"replica: replication from its source stage stopped; left at {at(6).isoformat()}"
    )
    assert said(top.next_steps[0]).endswith(f"/ivs-events {source_stage} st-Src0Session12 abCDEf12GHIj")
    assert "no_problems" not in [f.rule for f in findings]


def test_a_live_encoder_refused_in_its_open_publish_is_not_said_to_be_publishing() -> None:
    encoder = participant(browserName=None, browserVersion=None, osName="Windows", protocol="RTMPS")
    events = [joined(0), publish_started(0), event("PUBLISH_ERROR", 0.2, errorCode="BITRATE_EXCEEDED")]
    findings = analyze(history(events, details=encoder, live=True), now=at(0.5)).findings
    (connected,) = [f for f in findings if f.rule == "still_connected"]

    assert "it is publishing" not in said(connected.meaning)
    assert "last attempt was refused" in said(connected.meaning)


def test_a_viewer_of_twelve_whose_thirteenth_subscription_fails_leads_with_the_full_stage() -> None:
    """Receiving 12 panelists; a 13th id, never seen publishing, fails PUBLISHER_NOT_FOUND 8 times."""
    panel = [f"Panelist{n:02d}x" for n in range(1, 13)]
    events = [joined(1), *(subscribe_started(1 + (2 + n) / 60, p) for n, p in enumerate(panel))]
    events += [
        error("SUBSCRIBE_ERROR", 5 + n + 1 / 6, "PUBLISHER_NOT_FOUND", remoteParticipantId="Panelist13x")
        for n in range(8)
    ]
    events += [*(subscribe_stopped(35, p) for p in panel), left(35)]
    findings = analyze(history(events, details=participant(published=False)), now=NOW).findings
    first = findings[0]

    assert first.rule == "stage_full:thirteenth"
    assert said(first.headline) == (
        "stage full: received 12 publishers, so Panelist13x likely could not publish (PUBLISHER_NOT_FOUND ×8)"
    )
    assert "Panelist13x" in said(first.next_steps[0])
    assert any(f.rule == "error:SUBSCRIBE_ERROR:PUBLISHER_NOT_FOUND" for f in findings[1:])


def test_a_cohost_demoted_by_a_token_exchange_who_stopped_publishing_cleanly_is_told_so_first() -> None:
    """The app swapped the co-host's token for a SUBSCRIBE-only one; the client unpublished just before."""
    events = [
        joined(2),
        publish_started(2),
        subscribe_started(2, "MainHost0001"),
        publish_stopped(30),
        token_exchanged(30 + 1 / 60, ["PUBLISH", "SUBSCRIBE"], ["SUBSCRIBE"]),
        subscribe_stopped(60, "MainHost0001"),
        left(60),
    ]
    first = analyze(history(events), now=NOW).findings[0]

    assert first.rule == "demoted_by_token_exchange" and first.severity is Severity.INFO
    assert said(first.headline) == (
        f"moved to viewer by a token exchange at {at(30 + 1 / 60).isoformat()} (PUBLISH removed), "
        "stopped publishing cleanly; no errors"
    )
