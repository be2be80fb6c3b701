"""Time and recovery: every finding says whether the problem is still going on, and since when."""

from __future__ import annotations

from bot.analysis import Severity, analyze
from tests.analysis.factories import (
    NOW,
    at,
    error,
    history,
    join_leave_cycles,
    joined,
    left,
    participant,
    publish_started,
    publish_stopped,
    subscribe_started,
    subscribe_stopped,
    token_exchanged,
)
from tests.analysis.test_findings import everything, said


def _encoder_fixed_after(code: str, failures: int) -> list[dict]:
    """An encoder refused ``failures`` times, fixed by the operator at minute 10, then publishing 47 min."""
    events = []
    for n in range(failures):
        events += [
            joined(n),
            publish_started(n),
            error("PUBLISH_ERROR", n + 0.1, code),
            publish_stopped(n + 0.2),
            left(n + 0.2),
        ]
    return [*events, joined(10), publish_started(10), publish_stopped(57), left(57)]


def test_a_resolution_error_the_operator_fixed_minutes_later_says_fixed_and_is_not_red() -> None:
    analysis = analyze(history(_encoder_fixed_after("RESOLUTION_EXCEEDED", 3)), now=NOW)
    top = analysis.findings[0]

    assert top.rule == "error:PUBLISH_ERROR:RESOLUTION_EXCEEDED"
    assert top.severity is Severity.WARNING
    assert top.status is not None and top.status.resolved and top.status.since == at(10)
    assert said(top.status.words) == f"fixed at {at(10).isoformat()}; published 47 min 00 s since"
    assert "Nothing to do unless it comes back" in said(top.next_steps[0])


def test_a_failure_still_happening_at_the_end_is_not_fixed() -> None:
    events = _encoder_fixed_after("B_FRAME_PRESENT", 4)[:-4]
    top = analyze(history(events), now=NOW).findings[0]

    assert top.severity is Severity.PROBLEM and top.status is not None
    assert not top.status.resolved and said(top.status.words) == "not fixed"


def test_one_internal_error_followed_by_an_hour_of_publishing_is_information_not_a_red_problem() -> None:
    events = [
        joined(0),
        publish_started(0),
        error("PUBLISH_ERROR", 0.05, "INTERNAL_SERVER_EXCEPTION"),
        publish_stopped(0.1),
        publish_started(0.5),
        publish_stopped(60.5),
        left(61),
    ]
    analysis = analyze(history(events), now=NOW)
    rules = {f.rule: f for f in analysis.findings}

    assert analysis.findings[0].rule == "no_problems"
    assert not [f for f in analysis.findings if f.severity is Severity.PROBLEM]
    one_off = rules["error:PUBLISH_ERROR:INTERNAL_SERVER_EXCEPTION"]
    assert one_off.severity is Severity.INFO
    assert "fixed at" in said(one_off.status.words if one_off.status else ())
    assert said(analysis.findings[0].title) == "No open problem: 1 failure then worked again"


def test_quota_exceeded_at_the_start_of_an_hour_of_publishing_does_not_lead_in_red() -> None:
    events = [
        joined(0),
        error("PUBLISH_ERROR", 0.1, "QUOTA_EXCEEDED"),
        publish_started(2),
        publish_stopped(62),
        left(62),
    ]
    analysis = analyze(history(events), now=NOW)

    assert analysis.findings[0].rule == "no_problems"
    assert all(f.severity is not Severity.PROBLEM for f in analysis.findings)


def test_a_failure_fixed_in_a_live_session_says_publishing_since() -> None:
    events = [joined(0), publish_started(0), error("PUBLISH_ERROR", 0.1, "BITRATE_EXCEEDED")]
    events += [publish_stopped(0.2), publish_started(3)]
    finding = next(f for f in analyze(history(events, live=True), now=NOW).findings if f.status)

    assert finding.status is not None
    assert said(finding.status.words) == f"fixed at {at(3).isoformat()}; publishing since"


def test_join_failures_followed_by_a_join_that_held_say_when_it_got_in() -> None:
    events = [error("JOIN_ERROR", n, "INVALID_STREAM_KEY") for n in range(3)]
    events += [joined(5), publish_started(5), publish_stopped(50), left(50)]
    finding = analyze(history(events), now=NOW).findings[0]

    assert finding.rule == "error:JOIN_ERROR:INVALID_STREAM_KEY"
    assert finding.status is not None and finding.status.resolved
    assert said(finding.status.words) == f"got in at {at(5).isoformat()}; connected 45 min 00 s since"


def test_refused_joins_while_the_participant_stays_connected_are_not_could_not_get_back_in() -> None:
    """A second encoder with the same stream key is refused; this participant kept publishing."""
    events = [joined(0), publish_started(0)]
    events += [error("JOIN_ERROR", 10 + n, "REUSE_OF_STREAM_KEY") for n in range(4)]
    analysis = analyze(history(events, live=True, details=participant(state="CONNECTED")), now=NOW)
    text = "\n".join(everything(f) for f in analysis.findings)

    assert "never_got_in" not in [f.rule for f in analysis.findings]
    assert "every later attempt to rejoin failed" not in text
    top = analysis.findings[0]
    assert top.rule == "error:JOIN_ERROR:REUSE_OF_STREAM_KEY" and top.status is not None
    assert said(top.status.words) == "refused while this participant stayed connected"


def test_a_storm_that_settled_says_stable_since_and_one_that_did_not_says_so() -> None:
    settled = [*join_leave_cycles(0, 6), joined(10), left(40)]
    finding = analyze(history(settled), now=NOW).findings[0]
    assert finding.rule == "storm_without_errors" and finding.status is not None
    assert said(finding.status.words) == f"stable since {at(10).isoformat()}"

    unsettled = join_leave_cycles(0, 6)
    finding = analyze(history(unsettled), now=NOW).findings[0]
    assert finding.status is not None and not finding.status.resolved
    assert said(finding.status.words).startswith("never settled: last left at ")


def test_a_viewer_who_received_the_publisher_again_is_told_so() -> None:
    events = [
        joined(0),
        subscribe_started(1, "HostPub12345"),
        subscribe_stopped(5, "HostPub12345"),
        error("SUBSCRIBE_ERROR", 6, "PUBLISHER_NOT_FOUND", remoteParticipantId="HostPub12345"),
        subscribe_started(8, "HostPub12345"),
        subscribe_stopped(30, "HostPub12345"),
        left(30),
    ]
    finding = next(f for f in analyze(history(events), now=NOW).findings if f.status)

    assert finding.status is not None and finding.status.resolved
    assert said(finding.status.words) == f"received again from {at(8).isoformat()}"
    assert finding.severity is Severity.INFO


def test_a_token_exchange_after_the_failed_publish_is_not_offered_as_its_cause() -> None:
    events = [
        joined(0),
        error("PUBLISH_ERROR", 1, "INSUFFICIENT_CAPABILITIES"),
        token_exchanged(2, ["SUBSCRIBE"], ["SUBSCRIBE"]),
        error("PUBLISH_ERROR", 3, "INSUFFICIENT_CAPABILITIES"),
        left(4),
    ]
    finding = analyze(history(events), now=NOW).findings[0]
    causes = "\n".join(said(c) for c in (*finding.causes, *finding.next_steps))

    assert finding.rule == "error:PUBLISH_ERROR:INSUFFICIENT_CAPABILITIES"
    assert "TOKEN_EXCHANGED" not in causes
    assert "came after the first failure, so it did not cause it" in everything(finding)


def test_a_connected_participant_without_events_is_connected_not_never_reached_ivs() -> None:
    h = history([], details=participant(state="CONNECTED"), live=True)
    (finding,) = analyze(h, now=NOW).findings

    assert finding.rule == "connected_no_events"
    assert "never reached" not in everything(finding)


def test_an_internal_error_on_every_publish_attempt_is_escalated_to_aws_support_not_retried() -> None:
    # An RTMPS encoder retries every 2 minutes for 10 minutes; each publish fails inside IVS within 3 s.
    events = []
    for n in range(6):
        begin = 2 * n
        events += [
            joined(begin),
            publish_started(begin),
            error("PUBLISH_ERROR", begin + 0.05, "INTERNAL_SERVER_EXCEPTION"),
            publish_stopped(begin + 0.05),
            left(begin + 0.05),
        ]
    encoder = participant(browserName=None, browserVersion=None, osName="Linux", protocol="RTMPS")
    top = analyze(history(events, details=encoder), now=NOW).findings[0]

    assert top.rule == "error:PUBLISH_ERROR:INTERNAL_SERVER_EXCEPTION" and top.severity is Severity.PROBLEM
    assert top.status is not None and not top.status.resolved
    assert "AWS Support" in said(top.status.words)
    first_step = said(top.next_steps[0])
    assert first_step.startswith("Open an AWS Support case now")
    assert at(0.05).isoformat() in first_step and at(10.05).isoformat() in first_step
    text = everything(top)
    assert "single occurrence is usually transient" not in text
    assert "without changing its settings" not in text


def test_a_24_7_encoder_back_after_the_24_hour_limit_is_still_told_to_restart_before_24_h() -> None:
    day = 24 * 60
    events = [
        joined(0),
        publish_started(0),
        error("PUBLISH_ERROR", day, "STREAM_DURATION_EXCEEDED"),
        publish_stopped(day),
        left(day),
        joined(day + 10 / 60),
        publish_started(day + 10 / 60),
        publish_stopped(day + 120),
        left(day + 120),
    ]
    encoder = participant(browserName=None, browserVersion=None, osName="Linux", protocol="RTMPS")
    session = {"sessionId": "st-a1b2c3d4e5f6g", "startTime": at(0), "endTime": at(day + 123)}
    findings = analyze(history(events, details=encoder, session=session), now=at(day + 180)).findings

    top = findings[0]
    assert top.rule == "error:PUBLISH_ERROR:STREAM_DURATION_EXCEEDED" and top.severity is Severity.WARNING
    assert "no_problems" not in [f.rule for f in findings]
    assert top.status is not None and "restart before 24 h" in said(top.status.words)
    assert "before 24 hours" in said(top.next_steps[0]) and "Nothing to do" not in said(top.next_steps[0])
    assert top.doc is not None and "network" not in top.doc.url


def _viewer_dropping_every(seconds: int, drops: int, first_drop_minute: float) -> list[dict]:
    """A phone viewer watching since minute 0 whose connection then drops every ``seconds`` and comes back."""
    events = [joined(0), subscribe_started(0, "LiveHost0003")]
    for n in range(drops):
        drop = first_drop_minute + n * seconds / 60
        events += [
            subscribe_stopped(drop, "LiveHost0003"),
            left(drop),
            joined(drop + 5 / 60),
            subscribe_started(drop + 6 / 60, "LiveHost0003"),
        ]
    return events


def test_a_live_storm_that_rejoined_moments_ago_is_not_called_stable() -> None:
    """Drops every 22 s, the last rejoin 37 s before now: the storm may still be going, not stable."""
    now = at(180)
    last_drop = 180 - 42 / 60
    events = _viewer_dropping_every(22, 10, last_drop - 9 * 22 / 60)
    details = participant(state="CONNECTED", osName="iOS", osVersion="18.1", browserName=None)
    finding = analyze(history(events, live=True, details=details), now=now).findings[0]

    assert finding.rule == "storm_without_errors" and finding.status is not None
    assert not finding.status.resolved
    assert said(finding.status.words).startswith("may still be going: last drop 42 s ago")


def test_a_storm_is_stable_only_after_the_last_drop_even_one_outside_the_storm() -> None:
    """A storm, a 3-minute connection, then one more drop: stable starts after that drop, not before it."""
    events = [*_viewer_dropping_every(20, 6, 10), left(15), joined(15.1), left(60)]
    finding = analyze(history(events), now=NOW).findings[0]

    assert finding.rule == "storm_without_errors" and finding.status is not None
    assert said(finding.status.words) == f"stable since {at(15.1).isoformat()}"


def test_a_storm_counts_every_drop_that_came_back_including_the_first() -> None:
    """Watching for 10 min, then 6 drops 40 s apart, each back 4 s later, then watching to the end:
    7 connections, 6 LEFTs that came back, so 6 drops (not the 5 short connections between them)."""
    events = [joined(1), subscribe_started(1, "HostStable0001")]
    for n in range(6):
        drop = 10 + n * 40 / 60
        events += [
            subscribe_stopped(drop, "HostStable0001"),
            left(drop),
            joined(drop + 4 / 60),
            subscribe_started(drop + 5 / 60, "HostStable0001"),
        ]
    events += [subscribe_stopped(55, "HostStable0001"), left(55)]
    analysis = analyze(history(events), now=NOW)
    finding = analysis.findings[0]

    assert analysis.timeline.connections and len(analysis.timeline.connections) == 7
    assert finding.rule == "storm_without_errors"
    assert said(finding.headline).startswith("reconnect storm: 6 drops in 3 min 24 s")
    assert said(finding.title).startswith(
        f"Reconnect storm: dropped and came back 6 times between {at(10).isoformat()}"
    )


def test_a_viewer_that_subscribed_a_moment_early_to_three_publishers_counts_three_failures_not_one() -> None:
    """Three publishers each refused once (PUBLISHER_NOT_FOUND) and received 2 s later: a race, all clear."""
    events = [joined(1)]
    for n, publisher in enumerate(["PubAaaa1", "PubBbbb2", "PubCccc3"]):
        events += [
            error("SUBSCRIBE_ERROR", 1 + (2 + n) / 60, "PUBLISHER_NOT_FOUND", remoteParticipantId=publisher),
            subscribe_started(1 + (4 + n) / 60, publisher),
        ]
    events += [*(subscribe_stopped(25, p) for p in ["PubAaaa1", "PubBbbb2", "PubCccc3"]), left(25)]
    race, all_clear = analyze(history(events, details=participant(published=False)), now=NOW).findings

    assert said(race.headline).startswith("3 publishers had not started publishing yet")
    assert all_clear.rule == "no_problems"
    assert said(all_clear.title) == "No open problem: 3 failures, each followed by success"
    assert said(all_clear.meaning).startswith("3 error events, each followed by success")
