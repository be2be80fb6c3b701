"""Diagnosis stories: what a support engineer is told, most likely root cause first."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.analysis import Analysis, Finding, Severity, analyze
from bot.analysis.phrases import Phrase, Quoted
from tests.analysis.factories import (
    NOW,
    STAGE_ARN,
    at,
    error,
    event,
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


def said(parts: Phrase | tuple[Phrase, ...]) -> str:
    """A phrase (or several) as plain text: ids verbatim, times in ISO form."""
    out = []
    for part in parts:
        if isinstance(part, tuple):
            out.append(said(part) + "\n")
        elif isinstance(part, Quoted):
            out.append(part.value)
        elif isinstance(part, datetime):
            out.append(part.isoformat())
        else:
            out.append(part)
    return "".join(out)


def everything(finding: Finding) -> str:
    return "\n".join(
        said(p)
        for p in (finding.title, finding.meaning, *finding.evidence, *finding.causes, *finding.next_steps)
    )


def top(analysis: Analysis) -> Finding:
    return analysis.findings[0]


def test_a_viewer_whose_publisher_left_is_told_who_left_and_when() -> None:
    events = [
        joined(0),
        subscribe_started(1, "HostPub12345"),
        subscribe_stopped(20, "HostPub12345"),
        error("SUBSCRIBE_ERROR", 21, "PUBLISHER_NOT_FOUND", remoteParticipantId="HostPub12345"),
        left(30),
    ]
    finding = top(analyze(history(events), now=NOW))

    assert finding.rule == "error:SUBSCRIBE_ERROR:PUBLISHER_NOT_FOUND"
    text = everything(finding)
    assert "publisher HostPub12345 was not there" in said(finding.title)
    assert f"until {at(20).isoformat()}" in text
    assert "1 min 00 s before the first failure" in text
    assert f"/ivs-events {STAGE_ARN} st-a1b2c3d4e5f6g HostPub12345" in text


def test_a_viewer_who_never_saw_the_publisher_is_sent_to_that_publishers_own_history() -> None:
    events = [
        joined(0),
        error("SUBSCRIBE_ERROR", 1, "PUBLISHER_NOT_FOUND", remoteParticipantId="Ghost1234567"),
    ]
    text = everything(top(analyze(history(events), now=NOW)))

    assert "never shows this participant receiving it" in text
    assert "/ivs-events" in text and "Ghost1234567" in text


def test_a_host_whose_token_exchange_dropped_publish_is_told_the_exchange_caused_the_failure() -> None:
    events = [
        joined(0),
        publish_started(0),
        subscribe_started(0, "Other1234567"),
        error("SUBSCRIBE_ERROR", 3, "PUBLISHER_NOT_FOUND", remoteParticipantId="Gone12345678"),
        token_exchanged(5, ["PUBLISH", "SUBSCRIBE"], ["SUBSCRIBE"]),
        error("PUBLISH_ERROR", 5.1, "INSUFFICIENT_CAPABILITIES"),
    ]
    finding = top(analyze(history(events), now=NOW))

    assert finding.rule.endswith(":after_token_exchange")
    assert "token exchange removed PUBLISH" in said(finding.title)
    assert "6 s later" in said(finding.meaning)
    assert "PUBLISH, SUBSCRIBE → SUBSCRIBE" in everything(finding)


def test_insufficient_capabilities_without_a_token_exchange_gets_the_general_explanation() -> None:
    finding = top(
        analyze(history([joined(0), error("PUBLISH_ERROR", 1, "INSUFFICIENT_CAPABILITIES")]), now=NOW)
    )

    assert finding.rule == "error:PUBLISH_ERROR:INSUFFICIENT_CAPABILITIES"
    assert "capabilities" in everything(finding)


def test_a_thirteenth_publisher_is_told_about_the_12_publisher_limit_that_cannot_be_raised() -> None:
    finding = top(
        analyze(history([joined(0), error("PUBLISH_ERROR", 1, "QUOTA_EXCEEDED"), left(2)]), now=NOW)
    )

    assert "the stage already had its 12 publishers" in said(finding.title)
    assert "not adjustable" in said(finding.meaning)
    # What the code means, not something this history observed.
    assert "others were publishing" not in everything(finding)
    assert finding.doc is not None and finding.doc.url.endswith("service-quotas.html")


def test_a_viewer_refused_by_a_full_stage_hears_about_the_adjustable_subscriber_quota() -> None:
    finding = top(analyze(history([joined(0), error("SUBSCRIBE_ERROR", 1, "QUOTA_EXCEEDED")]), now=NOW))
    assert "10,000" in said(finding.meaning) and "adjustable" in said(finding.meaning)


def test_a_join_leave_storm_with_no_errors_points_at_the_clients_network() -> None:
    finding = top(analyze(history(join_leave_cycles(2, 14)), now=NOW))

    assert finding.rule == "storm_without_errors"
    assert "dropped and came back 13 times" in said(finding.title)
    assert "never appear as IVS events" in said(finding.meaning)
    assert "UDP" in everything(finding)
    assert finding.doc is not None and "network-requirements" in finding.doc.url


def test_a_participant_whose_every_join_failed_is_told_it_never_got_in_once() -> None:
    events = [error("JOIN_ERROR", n, "INSUFFICIENT_CAPABILITIES") for n in range(5)]
    analysis = analyze(history(events), now=NOW)

    finding = top(analysis)
    assert finding.rule == "never_got_in"
    assert "Never got into the stage: 5 join attempts failed" in said(finding.title)
    assert finding.codes == ("INSUFFICIENT_CAPABILITIES",)
    assert not [f for f in analysis.findings if f.rule.startswith("error:JOIN_ERROR")]


def test_a_participant_who_was_in_once_but_could_not_rejoin_is_told_so() -> None:
    events = [
        joined(0),
        left(5),
        error("JOIN_ERROR", 6, "QUOTA_EXCEEDED"),
        error("JOIN_ERROR", 7, "QUOTA_EXCEEDED"),
    ]
    assert "Could not get back in" in said(top(analyze(history(events), now=NOW)).title)


def test_a_clean_history_says_no_problems_but_that_this_is_not_proof_of_health() -> None:
    events = [joined(0), publish_started(0), publish_stopped(50), left(50)]
    (finding,) = analyze(history(events), now=NOW).findings

    assert finding.severity is Severity.OK
    assert said(finding.title) == "No problems recorded"
    assert "not proof of health" in everything(finding)


def test_an_empty_history_explains_that_token_and_network_failures_leave_no_events() -> None:
    # GetParticipant does not know the participant either: it may never have reached IVS.
    unknown = replace(history([]), participant=None, participant_error="Participant not found")
    (finding,) = analyze(unknown, now=NOW).findings
    assert finding.rule == "no_events"
    assert "never recorded as events" in said(finding.meaning)


def test_an_unknown_code_is_shown_as_sent_and_marked_not_recognised() -> None:
    finding = top(analyze(history([joined(0), error("PUBLISH_ERROR", 1, "NEW_CODE_2027")]), now=NOW))

    assert "NEW_CODE_2027" in said(finding.title) and "not recognised" in said(finding.title)
    assert finding.codes == ("NEW_CODE_2027",)


def test_an_encoder_misconfiguration_outranks_a_publisher_race() -> None:
    events = [
        joined(0),
        error("SUBSCRIBE_ERROR", 1, "PUBLISHER_NOT_FOUND", remoteParticipantId="Race12345678"),
        error("PUBLISH_ERROR", 2, "B_FRAME_PRESENT"),
    ]
    rules = [f.rule for f in analyze(history(events), now=NOW).findings]
    assert rules.index("error:PUBLISH_ERROR:B_FRAME_PRESENT") < rules.index(
        "error:SUBSCRIBE_ERROR:PUBLISHER_NOT_FOUND"
    )


def test_repeated_identical_failures_are_called_a_retry_loop() -> None:
    events = [joined(0), *(error("PUBLISH_ERROR", 1 + n, "BITRATE_EXCEEDED") for n in range(4))]
    finding = top(analyze(history(events), now=NOW))

    assert "×4" in said(finding.title)
    assert "kept repeating" in everything(finding)


def test_hitting_the_24_hour_limit_shows_how_long_publishing_had_lasted() -> None:
    events = [joined(0), publish_started(0), error("PUBLISH_ERROR", 24 * 60, "STREAM_DURATION_EXCEEDED")]
    analysis = analyze(history(events, live=True), now=at(24 * 60 + 1))
    assert "1 d 00 h" in everything(top(analysis))


def test_a_joined_but_idle_participant_gets_an_informational_note() -> None:
    rules = [f.rule for f in analyze(history([joined(0), left(10)]), now=NOW).findings]
    assert "joined_but_idle" in rules


def test_events_newer_than_the_bot_are_counted_not_dropped() -> None:
    findings = analyze(history([joined(0), event("HOLOGRAM_STARTED", 1), left(2)]), now=NOW).findings
    (unknown,) = [f for f in findings if f.rule == "unknown_event_names"]
    assert "HOLOGRAM_STARTED ×1" in everything(unknown)


def _encoder_retry_loop(cycles: int = 5) -> list[dict]:
    """OBS-style: join, publish, refused 4 s in, dropped, rejoin 10 s later (the demo's bitrate guest)."""
    events: list[dict] = []
    for n in range(cycles):
        start = n * 0.25
        events += [
            joined(start),
            publish_started(start),
            error("PUBLISH_ERROR", start + 4 / 60, "BITRATE_EXCEEDED"),
            publish_stopped(start + 5 / 60),
            left(start + 5 / 60),
        ]
    return events


def test_drops_that_each_follow_a_publish_failure_are_the_encoder_retrying_not_a_network_storm() -> None:
    analysis = analyze(history(_encoder_retry_loop()), now=NOW)

    assert [f.rule for f in analysis.findings] == ["error:PUBLISH_ERROR:BITRATE_EXCEEDED"]
    text = everything(top(analysis))
    assert (
        "Each failure was followed by the client leaving and rejoining: 5 times in 1 min 05 s; the encoder "
        "retries without changing its settings." in text
    )
    assert "kept repeating" not in text  # said once, by the storm line
    assert "network test" not in text


def test_a_storm_with_only_subscribe_errors_still_points_at_the_network() -> None:
    events = []
    for n in range(6):
        events += [
            joined(n),
            error("SUBSCRIBE_ERROR", n + 0.1, "PUBLISHER_NOT_FOUND", remoteParticipantId="Gone12345678"),
            left(n + 0.5),
        ]
    rules = [f.rule for f in analyze(history(events), now=NOW).findings]
    assert "storm_with_errors" in rules  # a failed subscription does not drop a connection


def test_a_storm_where_most_cycles_had_no_failure_keeps_its_own_finding() -> None:
    events = _encoder_retry_loop(2) + join_leave_cycles(0.5, 6)
    analysis = analyze(history(events), now=NOW)

    assert "storm_with_errors" in [f.rule for f in analysis.findings]
    (storm,) = analysis.timeline.storms
    assert (storm.cycles, storm.failed_cycles) == (8, 2) and not storm.explained_by_errors


def test_a_viewers_storm_does_not_talk_about_publishing() -> None:
    events = [e for n in range(16) for e in (joined(n / 4), subscribe_started(n / 4, "Host12345678"))]
    events = sorted(events + [left(n / 4 + 0.2) for n in range(16)], key=lambda e: e["eventTime"])
    viewer = top(analyze(history(events), now=NOW))
    host = top(analyze(history([*join_leave_cycles(0, 6), publish_started(0.1)]), now=NOW))

    assert viewer.rule == "storm_without_errors"
    assert "UDP" in everything(viewer) and "publishing has no TCP fallback" not in everything(viewer)
    assert "publishing has no TCP fallback" in everything(host)


def test_ids_codes_and_event_names_are_quoted_parts_so_every_renderer_formats_them_alike() -> None:
    events = [
        joined(0),
        publish_started(0),
        token_exchanged(5, ["PUBLISH", "SUBSCRIBE"], ["SUBSCRIBE"]),
        error("PUBLISH_ERROR", 5.1, "INSUFFICIENT_CAPABILITIES"),
    ]
    finding = top(analyze(history(events), now=NOW))

    assert Quoted("INSUFFICIENT_CAPABILITIES") in finding.title
    assert Quoted("TOKEN_EXCHANGED") in finding.meaning
    assert Quoted("TOKEN_EXCHANGED") in finding.next_steps[1]
    bare = [
        part
        for phrase in (finding.title, finding.meaning, *finding.causes, *finding.next_steps)
        for part in phrase
        if isinstance(part, str) and ("TOKEN_EXCHANGED" in part or "`" in part)
    ]
    assert not bare


def test_counts_and_event_names_read_right() -> None:
    findings = analyze(history([joined(0), event("HOLOGRAM_STARTED", 1)]), now=NOW).findings
    (unknown,) = [f for f in findings if f.rule == "unknown_event_names"]
    no_join = top(analyze(history([event("HOLOGRAM_STARTED", 1)]), now=NOW))
    (healthy,) = analyze(
        history([joined(0), publish_started(0), publish_stopped(5), left(5)]), now=NOW
    ).findings

    assert said(unknown.title) == "1 event with a name this bot does not recognise"
    assert no_join.title == ("No ", Quoted("JOINED"), " event in this history")
    assert "connected 5 min 00 s over 1 connection, published 5 min 00 s, received no publisher" in said(
        healthy.meaning
    )


def test_no_events_for_a_participant_getparticipant_knows_uses_its_facts_not_never_reached_ivs() -> None:
    # A guest joined at 14:02 and left; GetParticipant has it, but ListParticipantEvents returns nothing.
    details = participant(firstJoinTime=at(2), state="DISCONNECTED", published=False)
    (finding,) = analyze(history([], details=details), now=NOW).findings

    text = everything(finding)
    assert "joined at " + at(2).isoformat() in said(finding.short)
    assert "never published" in text and "did reach IVS" in text
    assert "never reached IVS" not in text and "another session" not in text


def test_a_subscribe_just_after_the_publisher_left_is_the_normal_race_not_a_red_failure() -> None:
    # The host's feed stopped at 12:30:00 (it left); the viewer's SDK retried 2 s later and got
    # PUBLISHER_NOT_FOUND. The host never came back; the viewer watched another publisher to the end.
    events = [
        joined(0),
        subscribe_started(0.1, "HostPub12345"),
        subscribe_started(0.1, "Guest1234567"),
        subscribe_stopped(30, "HostPub12345"),
        error("SUBSCRIBE_ERROR", 30 + 2 / 60, "PUBLISHER_NOT_FOUND", remoteParticipantId="HostPub12345"),
        subscribe_stopped(60, "Guest1234567"),
        left(60),
    ]
    findings = analyze(history(events), now=NOW).findings
    finding = findings[0]

    assert finding.rule.startswith("error:SUBSCRIBE_ERROR:PUBLISHER_NOT_FOUND")
    assert finding.severity is Severity.INFO
    assert (
        said(finding.short)
        == f"publisher HostPub12345 had just left at {at(30).isoformat()} (PUBLISHER_NOT_FOUND)"
    )
    assert not [f for f in findings if f.severity in (Severity.PROBLEM, Severity.WARNING)]
    assert "/ivs-events" in said(finding.next_steps[0])


def test_a_subscribe_just_before_the_host_published_is_a_race_and_never_says_it_was_never_received() -> None:
    events = [
        joined(0),
        error("SUBSCRIBE_ERROR", 2 / 60, "PUBLISHER_NOT_FOUND", remoteParticipantId="LateHost0027"),
        subscribe_started(5 / 60, "LateHost0027"),
        subscribe_stopped(60, "LateHost0027"),
        left(60),
    ]
    finding = top(analyze(history(events), now=NOW))
    text = everything(finding)

    assert finding.severity is Severity.INFO
    assert "had not started publishing yet" in said(finding.short)
    assert "never shows this participant receiving it" not in text
    assert f"received it from {at(5 / 60).isoformat()}" in text


def test_a_token_without_subscribe_failing_against_two_publishers_is_one_cause_not_separate_incidents() -> (
    None
):
    events = [joined(0), publish_started(0)]
    for n, publisher in enumerate(("Guest1234567", "Guest7654321", "Guest1234567")):
        events.append(
            error("SUBSCRIBE_ERROR", 2 + 1.5 * n, "INSUFFICIENT_CAPABILITIES", remoteParticipantId=publisher)
        )
    events += [publish_stopped(30), left(30)]
    text = everything(top(analyze(history(events), now=NOW)))

    assert "separate incidents" not in text
    assert "one cause on this participant's side" in text


def test_the_all_clear_beside_a_publisher_race_never_says_there_were_no_error_events() -> None:
    events = [
        joined(0),
        subscribe_started(0.1, "HostPub12345"),
        subscribe_stopped(30, "HostPub12345"),
        error("SUBSCRIBE_ERROR", 30 + 2 / 60, "PUBLISHER_NOT_FOUND", remoteParticipantId="HostPub12345"),
        left(60),
    ]
    (clear,) = [f for f in analyze(history(events), now=NOW).findings if f.rule == "no_problems"]

    assert "No error events" not in said(clear.meaning)
    assert "1 error event, none an open problem here" in said(clear.meaning)


def test_a_viewer_refused_a_fifth_hd_publisher_for_bitrate_is_told_about_its_download_not_its_upload() -> (
    None
):
    """A web viewer receiving four 1080p publishers fails BITRATE_EXCEEDED on the fifth and sixth."""
    publishers = [f"Hd1080Pub{n}" for n in range(1, 7)]
    events = [joined(1), *(subscribe_started(1 + n / 60, p) for n, p in enumerate(publishers[:4]))]
    events += [
        error("SUBSCRIBE_ERROR", 2 + n, "BITRATE_EXCEEDED", remoteParticipantId=publishers[4 + n % 2])
        for n in range(5)
    ]
    events += [*(subscribe_stopped(35, p) for p in publishers[:4]), left(35)]
    finding = top(analyze(history(events, details=participant(published=False)), now=NOW))
    text = everything(finding)

    assert finding.rule == "error:SUBSCRIBE_ERROR:BITRATE_EXCEEDED:download"
    assert "download above the 8.5 Mbps total" in said(finding.headline)
    assert "sent media above" not in text and "maximum bitrate in the app" not in text
    assert "already receiving 4 publishers" in text
    assert "fewer publishers" in said(finding.next_steps[0]) and "lower layers" in said(finding.next_steps[0])
