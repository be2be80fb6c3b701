"""The answer first: the reply's first line names the root cause and its status, the next step follows."""

from __future__ import annotations

from bot.analysis import analyze
from bot.views import build_reply, render_terminal
from bot.views.reply import header_text
from tests.analysis.factories import (
    NOW,
    at,
    error,
    history,
    joined,
    left,
    participant,
    publish_started,
    publish_stopped,
)
from tests.views.slack_limits import assert_within_slack_limits, texts


def _refused_then_fixed(code: str, failures: int, fixed_at: float) -> list[dict]:
    events = []
    for n in range(failures):
        events += [
            joined(n),
            publish_started(n),
            error("PUBLISH_ERROR", n + 0.1, code),
            publish_stopped(n + 0.2),
            left(n + 0.2),
        ]
    return [*events, joined(fixed_at), publish_started(fixed_at), publish_stopped(fixed_at + 47), left(70)]


def test_an_encoder_still_refused_gets_its_cause_code_and_not_fixed_in_the_header() -> None:
    events = _refused_then_fixed("BITRATE_EXCEEDED", 5, 0)[:-4]
    analysis = analyze(history(events, details=participant(protocol="RTMPS")), now=NOW)

    assert header_text(analysis) == (
        "abCDEf12GHIj: publishing failed: bitrate above the maximum (BITRATE_EXCEEDED ×5), not fixed"
    )


def test_a_fixed_problem_says_when_it_was_fixed_and_what_happened_since() -> None:
    analysis = analyze(history(_refused_then_fixed("RESOLUTION_EXCEEDED", 2, 12)), now=NOW)

    assert header_text(analysis) == (
        "abCDEf12GHIj: publishing failed: resolution above the maximum (RESOLUTION_EXCEEDED ×2), "
        "fixed at 14:12 UTC; published 47 min 00 s since"
    )


def test_a_connected_participant_with_no_events_yet_is_told_so_and_never_never_connected() -> None:
    h = history([], details=participant(state="CONNECTED"), live=True)
    reply = build_reply(analyze(h, now=NOW))
    text = "\n".join(texts(reply.blocks))

    assert reply.blocks[0]["text"]["text"] == "abCDEf12GHIj: connected now, no events yet"
    assert "Never connected" not in text and "never reached" not in text
    assert_within_slack_limits(reply)


def test_a_participant_getparticipant_saw_join_but_with_no_events_is_never_called_never_connected() -> None:
    details = participant(firstJoinTime=at(2), state="DISCONNECTED", published=False)
    reply = build_reply(analyze(history([], details=details), now=NOW))
    text = "\n".join(texts(reply.blocks))

    assert reply.blocks[0]["text"]["text"] == (
        "abCDEf12GHIj: joined at 14:02 UTC (GetParticipant), disconnected now; no events recorded"
    )
    assert "Never connected" not in text and "never reached" not in text and "another session" not in text
    assert_within_slack_limits(reply)


def test_a_single_internal_error_then_an_hour_of_publishing_leads_with_no_open_problem() -> None:
    events = [
        joined(0),
        publish_started(0),
        error("PUBLISH_ERROR", 0.05, "INTERNAL_SERVER_EXCEPTION"),
        publish_stopped(0.1),
        publish_started(0.5),
        publish_stopped(60.5),
        left(61),
    ]
    reply = build_reply(analyze(history(events), now=NOW))

    header = reply.blocks[0]["text"]["text"]
    assert header == (
        "abCDEf12GHIj: no open problem: INTERNAL_SERVER_EXCEPTION once, fixed at 14:00 UTC; "
        "published 1 h 00 min since"
    )
    assert ":red_circle:" not in "\n".join(texts(reply.blocks)) and not reply.text.startswith(":red_circle:")


def test_the_conclusion_is_within_the_first_fifteen_lines_of_the_reply_and_the_terminal() -> None:
    events = _refused_then_fixed("BITRATE_EXCEEDED", 5, 0)[:-4]
    analysis = analyze(history(events), now=NOW)
    lines = "\n".join(texts(build_reply(analysis).blocks)).splitlines()
    terminal = render_terminal(analysis).splitlines()

    for shown in (lines, terminal):
        top = "\n".join(shown[:15])
        assert "BITRATE_EXCEEDED" in shown[0] and "not fixed" in shown[0]
        assert "Next step" in top and "8.5 Mbps" in top


def test_a_whip_encoder_refused_one_layer_while_publishing_went_on_is_not_called_a_failed_publish() -> None:
    """OBS over WHIP with simulcast: RESOLUTION_EXCEEDED every 2 min for 38 min, publishing all the while."""
    events = [joined(1), publish_started(1)]
    events += [error("PUBLISH_ERROR", 2 + 2 * n, "RESOLUTION_EXCEEDED") for n in range(20)]
    events += [publish_stopped(45), left(45)]
    details = participant(
        protocol="WHIP", osName="Windows", osVersion="11", browserName=None, sdkVersion=None
    )
    analysis = analyze(history(events, details=details), now=NOW)
    reply = build_reply(analysis)
    shown = "\n".join(texts(reply.blocks))

    assert header_text(analysis) == (
        "abCDEf12GHIj: IVS refused part of the stream: resolution above the maximum "
        "(RESOLUTION_EXCEEDED ×20) though publishing went on, not fixed"
    )
    assert "publishing failed" not in shown.lower()
    assert "tried to publish once and it failed" not in shown
    assert "published 44 min 00 s" in shown
    assert "the client retries without changing anything" not in shown
    first = next(text for text in texts(reply.blocks) if "*1. " in text)
    assert "simulcast" in first


def test_an_unknown_code_while_publishing_went_on_says_when_it_stopped() -> None:
    events = [joined(1), publish_started(1)]
    events += [error("PUBLISH_ERROR", 5 + n, "NETWORK_CONGESTION_DETECTED") for n in range(3)]
    events += [publish_stopped(20), left(20)]
    analysis = analyze(history(events), now=NOW)

    assert header_text(analysis) == (
        "abCDEf12GHIj: IVS refused part of the stream (NETWORK_CONGESTION_DETECTED ×3) though publishing "
        "went on, stopped after 14:07 UTC"
    )
    assert "published 19 min 00 s" in "\n".join(texts(build_reply(analysis).blocks))


def test_a_publish_that_ended_at_its_error_is_still_a_failed_publish() -> None:
    events = [
        joined(1),
        publish_started(1),
        error("PUBLISH_ERROR", 2, "RESOLUTION_EXCEEDED"),
        publish_stopped(2),
    ]
    analysis = analyze(history([*events, left(3)]), now=NOW)

    assert header_text(analysis).startswith("abCDEf12GHIj: publishing failed: resolution above the maximum")


def test_a_live_host_refused_two_minutes_ago_is_told_how_long_ago_and_that_it_is_not_publishing() -> None:
    """A 3-hour live show: publishing stopped with INTERNAL_SERVER_EXCEPTION 2 min ago; the host is in."""
    events = [
        joined(0),
        publish_started(0),
        publish_stopped(178),
        error("PUBLISH_ERROR", 178, "INTERNAL_SERVER_EXCEPTION"),
    ]
    details = participant(
        state="CONNECTED", osName="iOS", osVersion="18.1", browserName=None, protocol="UNKNOWN"
    )
    analysis = analyze(history(events, live=True, details=details), now=NOW)

    assert header_text(analysis) == (
        "abCDEf12GHIj: publishing failed: an internal error in IVS (INTERNAL_SERVER_EXCEPTION), "
        "2 min 00 s ago; still connected, not publishing since"
    )
