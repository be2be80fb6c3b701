"""The Slack reply a support engineer reads: who, what went wrong, what to do, when, and the full JSON."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.analysis import analyze
from bot.domain.history import ParticipantHistory
from bot.slack_ids import UPLOAD_JSON_ACTION
from bot.views import build_reply
from bot.views.reply import timeline_text
from tests.analysis.factories import (
    NOW,
    QUERY,
    STAGE_ARN,
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
from tests.views.hostile import LINK, PING_CHANNEL, assert_inert
from tests.views.slack_limits import assert_within_slack_limits, texts

DATE_TOKEN = re.compile(
    r"<!date\^(\d+)\^\{date_short_pretty\} \{time_secs\}\|(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC)>"
)


def _all_text(blocks: list[dict]) -> str:
    return "\n".join(texts(blocks))


def _viewer_whose_publisher_left() -> list[dict]:
    return [
        joined(0),
        subscribe_started(1, "HostPub12345"),
        subscribe_stopped(20, "HostPub12345"),
        error("SUBSCRIBE_ERROR", 21, "PUBLISHER_NOT_FOUND", remoteParticipantId="HostPub12345"),
        error("SUBSCRIBE_ERROR", 22, "PUBLISHER_NOT_FOUND", remoteParticipantId="HostPub12345"),
        left(30),
    ]


def _viewer_with_two_codes() -> list[dict]:
    return [
        *_viewer_whose_publisher_left()[:-1],
        error("SUBSCRIBE_ERROR", 23, "QUOTA_EXCEEDED", remoteParticipantId="OtherPub1234"),
        left(30),
    ]


def test_the_header_names_the_participant_the_root_cause_with_its_code_and_whether_it_is_fixed() -> None:
    reply = build_reply(analyze(history(_viewer_whose_publisher_left()), now=NOW))

    header = reply.blocks[0]
    assert header["type"] == "header"
    assert header["text"]["text"] == (
        "abCDEf12GHIj: subscribing failed: publisher HostPub12345 was not there (PUBLISHER_NOT_FOUND ×2), "
        "not received again"
    )


def test_the_answer_comes_first_then_the_participant_facts_in_a_compact_context_line() -> None:
    blocks = build_reply(analyze(history(_viewer_whose_publisher_left()), now=NOW)).blocks

    assert [b["type"] for b in blocks[:4]] == ["header", "section", "context", "context"]
    answer = blocks[1]["text"]["text"].splitlines()
    assert answer[0].startswith(":red_circle: *1. Subscribing failed: publisher `HostPub12345` was not there")
    assert answer[1].startswith("*Next step:* See what happened to `HostPub12345`: `/ivs-events ")
    assert answer[2].startswith("› `SUBSCRIBE_ERROR` `PUBLISHER_NOT_FOUND` 2 times between")
    assert len(blocks[2]["elements"]) == 2  # who, then where and how long


def test_the_participant_context_shows_user_client_sdk_isp_and_protocol() -> None:
    context = build_reply(analyze(history([joined(0), left(1)]), now=NOW)).blocks[2]
    text = "\n".join(element["text"] for element in context["elements"])

    for expected in (
        "`alice`",
        "`Chrome 122.0` on `macOS 14.4`",
        "`1.14.0`",
        "`Comcast`",
        "`WHIP`",
        "`role=host`",
    ):
        assert expected in text


def test_the_diagnosis_explains_the_finding_with_next_steps_and_a_doc_link() -> None:
    text = _all_text(build_reply(analyze(history(_viewer_whose_publisher_left()), now=NOW)).blocks)

    assert "publisher `HostPub12345` was not there" in text
    assert "*Likely causes*" in text and "*Next step:*" in text
    assert "<https://docs.aws.amazon.com/ivs/latest/RealTimeAPIReference/API_Event.html|" in text


def test_times_are_slack_date_tokens_with_a_utc_fallback() -> None:
    text = _all_text(build_reply(analyze(history(_viewer_whose_publisher_left()), now=NOW)).blocks)

    tokens = DATE_TOKEN.findall(text)
    assert (str(int(at(21).timestamp())), "2026-03-12 14:21:00 UTC") in tokens


def test_errors_are_grouped_by_code_with_count_and_first_and_last_time() -> None:
    text = _all_text(build_reply(analyze(history(_viewer_with_two_codes()), now=NOW)).blocks)

    (line,) = [line for line in text.splitlines() if line.startswith("• `PUBLISHER_NOT_FOUND` ×2")]
    assert "(`SUBSCRIBE_ERROR` ×2)" in line
    assert "first <!date^" in line and "last <!date^" in line


def test_errors_by_code_is_left_out_when_it_would_only_repeat_the_answer() -> None:
    events = [joined(0), error("PUBLISH_ERROR", 1, "B_FRAME_PRESENT"), left(2)]
    text = _all_text(build_reply(analyze(history(events), now=NOW)).blocks)

    assert "*Errors by code*" not in text
    assert "(`B_FRAME_PRESENT`)" in text


def test_a_reconnect_storm_is_one_timeline_line_not_twenty_eight() -> None:
    reply = build_reply(analyze(history(join_leave_cycles(2, 14)), now=NOW))
    text = _all_text(reply.blocks)

    assert "joined and left 14 times (28 events, no errors): reconnect storm" in text
    assert "*Timeline*: 28 events in total, summarised in 1 line" in text


def test_a_long_history_says_how_many_events_it_shows_and_where_the_rest_are() -> None:
    flapping = []
    for n in range(3000):
        flapping += [subscribe_started(n / 60, "pub-1"), subscribe_stopped(n / 60 + 0.01, "pub-1")]
    reply = build_reply(analyze(history([joined(0), *flapping, left(60)]), now=NOW))
    text = _all_text(reply.blocks)

    found = re.search(r"6,002 events in total, (\d+) of them summarised in (\d+) lines", text)
    assert found is not None
    shown, lines = int(found[1]), int(found[2])
    assert 10 < shown < 100 and lines == shown
    assert f"⋯ {6002 - shown:,} events not listed here" in text
    assert_within_slack_limits(reply)


def test_the_upload_button_carries_the_query_so_a_click_needs_nothing_else() -> None:
    actions = build_reply(analyze(history([joined(0)]), now=NOW)).blocks[-1]

    (button,) = actions["elements"]
    assert button["action_id"] == UPLOAD_JSON_ACTION
    assert button["value"] == QUERY.as_value()
    assert button["text"]["text"] == "Upload full JSON"


def test_the_fallback_text_is_one_short_line_with_the_top_finding() -> None:
    reply = build_reply(analyze(history(_viewer_whose_publisher_left()), now=NOW))

    assert "\n" not in reply.text and len(reply.text) <= 400
    assert reply.text.startswith(":red_circle: IVS participant abCDEf12GHIj: subscribing failed: publisher ")
    assert "(PUBLISHER_NOT_FOUND ×2), not received again (6 events)" in reply.text


def test_a_healthy_participant_is_told_no_problems_were_recorded() -> None:
    events = [joined(0), publish_started(0), publish_stopped(40), left(40)]
    reply = build_reply(analyze(history(events), now=NOW))

    assert reply.blocks[0]["text"]["text"] == "abCDEf12GHIj: no problems recorded; published 40 min 00 s"
    assert "not proof of health" in _all_text(reply.blocks)


def test_an_empty_history_still_makes_a_valid_reply() -> None:
    # GetParticipant did not find the participant either (with it, the reply goes by its facts instead).
    unknown = replace(history([]), participant=None, participant_error="Participant not found")
    reply = build_reply(analyze(unknown, now=NOW))

    assert reply.blocks[0]["text"]["text"] == "abCDEf12GHIj: no events recorded in this session"
    assert_within_slack_limits(reply)


DENIED = (
    "Access denied: the bot's AWS role may not call `ivs:GetParticipant` on `{arn}`. Ask an AWS admin to "
    "allow `ivs:GetParticipant` on that stage for the bot's role. (AWS request id 1234abcd-12ab-34cd)"
)


def _without_details(
    events: list[dict], participant_error: str | None = None, session_error: str | None = None
) -> ParticipantHistory:
    return replace(
        history(events),
        participant=None,
        session=None,
        participant_error=participant_error,
        session_error=session_error,
    )


def test_denied_participant_details_show_the_reason_naming_the_iam_action() -> None:
    h = _without_details([joined(0), left(1)], DENIED.format(arn=STAGE_ARN))
    reply = build_reply(analyze(h, now=NOW))
    text = _all_text(reply.blocks)

    assert "*Participant* details not available (see below)" in text
    (note,) = [t for t in texts(reply.blocks) if t.startswith(":warning: Participant details are missing")]
    assert "may not call `ivs:GetParticipant` on " in note and "(AWS request id 1234abcd-12ab-34cd)" in note
    assert f"`{STAGE_ARN}`" in note
    assert_within_slack_limits(reply)


def test_a_denied_session_lookup_says_why_too() -> None:
    reason = "Access denied: the bot's AWS role may not call `ivs:GetStageSession` on `x`."
    text = _all_text(build_reply(analyze(_without_details([joined(0)], None, reason), now=NOW)).blocks)

    assert "*Session* details not available (see below)" in text
    assert ":warning: Session details are missing: Access denied: the bot's AWS role may not call " in text
    assert "`ivs:GetStageSession`" in text


def test_a_hostile_reason_from_aws_is_escaped_and_kept_on_one_line() -> None:
    reason = f"IVS answered Oops to GetParticipant: {PING_CHANNEL} `{LINK}` and a stray ` tick\nsecond line"
    reply = build_reply(analyze(_without_details([joined(0)], reason), now=NOW))

    (note,) = [t for t in texts(reply.blocks) if "Participant details are missing" in t]
    assert "&lt;!channel&gt;" in note and "\n" not in note
    assert note.count("`") % 2 == 0  # the stray backtick cannot open a code span
    assert_inert([*texts(reply.blocks), reply.text])


def test_without_a_reason_the_failed_call_is_still_named() -> None:
    text = _all_text(build_reply(analyze(_without_details([joined(0)]), now=NOW)).blocks)
    assert "details not available (`GetParticipant` failed)" in text


def test_recording_replication_and_redundant_ingest_are_shown_when_they_are_on() -> None:
    details = participant(
        recordingState="ACTIVE",
        recordingS3BucketName="recordings",
        recordingS3Prefix="stage-1/alice",
        replicationType="SOURCE",
        replicationState="ACTIVE",
        redundantIngest=True,
    )
    reply = build_reply(analyze(history([joined(0), left(1)], details=details), now=NOW))
    who, where = (element["text"] for element in reply.blocks[2]["elements"])

    assert "*User id* `alice`" in who and "*ISP* `Comcast`" in who
    assert "*Session* ended" in where and "*Events* 2 in 1 page" in where
    assert "*Recording* `ACTIVE` to `s3://recordings/stage-1/alice`" in where
    assert "*Replication* `SOURCE`, `ACTIVE`" in where
    assert "*Redundant ingest* on" in where
    assert_within_slack_limits(reply)


def test_recording_and_redundant_ingest_that_are_off_are_not_worth_a_line() -> None:
    details = participant(recordingState="DISABLED", redundantIngest=False)
    text = _all_text(build_reply(analyze(history([joined(0), left(1)], details=details), now=NOW)).blocks)

    assert "Recording" not in text and "Redundant ingest" not in text


def test_a_participant_that_is_not_replicated_gets_no_replication_field() -> None:
    details = participant(replicationType="NONE")
    text = _all_text(build_reply(analyze(history([joined(0)], details=details), now=NOW)).blocks)
    assert "Replication" not in text


def test_a_participant_who_never_got_in_is_not_said_to_have_connected_for_0_s() -> None:
    events = [error("JOIN_ERROR", n, "INVALID_PROTOCOL") for n in range(4)]
    text = _all_text(build_reply(analyze(history(events), now=NOW)).blocks)

    assert "Never connected (4 join attempts failed)." in text
    assert "0 time" not in text and "(s)" not in text


def test_counts_are_in_the_right_number() -> None:
    events = [joined(0), error("PUBLISH_ERROR", 1, "B_FRAME_PRESENT"), left(2)]
    text = _all_text(build_reply(analyze(history(events), now=NOW)).blocks)

    assert "Connected 2 min 00 s over 1 connection;" in text
    assert "(`B_FRAME_PRESENT`)* — not fixed" in text
    assert "Fetched in 1 page;" in text and "(s)" not in text


def test_the_notification_text_is_plain_without_code_marks() -> None:
    reply = build_reply(analyze(history(_viewer_whose_publisher_left()), now=NOW))
    assert "`" not in reply.text and "publisher HostPub12345 was not there" in reply.text


def test_ordinary_findings_are_shown_whole_in_a_busy_reply() -> None:
    events = [
        joined(0),
        publish_started(0),
        error("PUBLISH_ERROR", 1, "BITRATE_EXCEEDED"),
        token_exchanged(5, ["PUBLISH", "SUBSCRIBE"], ["SUBSCRIBE"]),
        error("PUBLISH_ERROR", 5.1, "INSUFFICIENT_CAPABILITIES"),
        error("SUBSCRIBE_ERROR", 6, "PUBLISHER_NOT_FOUND", remoteParticipantId="Gone12345678"),
        left(7),
        *join_leave_cycles(10, 8),
    ]
    analysis = analyze(history(events), now=NOW)
    reply = build_reply(analysis)
    findings = [t for t in texts(reply.blocks) if re.match(r":\w+: \*\d\. ", t)]

    assert [f.rule for f in analysis.findings[:2]] == [
        "error:PUBLISH_ERROR:INSUFFICIENT_CAPABILITIES:after_token_exchange",
        "storm_without_errors",
    ]
    assert len(findings[1]) > 1000  # the old fixed share of a second finding
    assert not [t for t in texts(reply.blocks) if "shortened to fit" in t]
    assert all("*Next step:*" in t and ":book:" in t for t in findings)
    assert_within_slack_limits(reply)


def test_a_timeline_too_long_for_date_tokens_falls_back_to_plain_utc_times() -> None:
    events = [joined(0)]
    for n in range(6):
        events += [
            subscribe_started(1 + n, f"Pub{n:02d}aBcDeFgH"),
            subscribe_stopped(1.5 + n, f"Pub{n:02d}aBcDeFgH"),
        ]
    analysis = analyze(history([*events, left(30)]), now=NOW)

    short = timeline_text(analysis, 1200)
    assert short.startswith("*Timeline* (UTC): 14 events in total") and "<!date^" not in short
    assert "• 2026-03-12 14:00:00  `JOINED`" in short and "• 2026-03-12 14:30:00  `LEFT`" in short
    assert timeline_text(analysis).startswith("*Timeline*: ")  # with room, times are date tokens


def test_the_timeline_shows_the_failure_in_the_middle_of_a_long_history_between_omission_notes() -> None:
    events = [joined(0), publish_started(0)]
    for n in range(60):
        events += [
            subscribe_started(1 + n / 2, f"Pub{n:02d}aBcDeFgH"),
            subscribe_stopped(1.2 + n / 2, f"Pub{n:02d}aBcDeFgH"),
        ]
    events.append(error("PUBLISH_ERROR", 31.1, "INVALID_VIDEO_CODEC"))
    for n in range(60):
        events += [
            subscribe_started(32 + n / 2, f"Puc{n:02d}aBcDeFgH"),
            subscribe_stopped(32.2 + n / 2, f"Puc{n:02d}aBcDeFgH"),
        ]
    events += [publish_stopped(70), left(70)]
    text = timeline_text(analyze(history(events), now=NOW))
    lines = text.splitlines()

    (failure,) = [n for n, line in enumerate(lines) if "`INVALID_VIDEO_CODEC`" in line]
    assert any(line.startswith("⋯ ") for line in lines[:failure])
    assert any(line.startswith("⋯ ") for line in lines[failure:])
    assert "`LEFT`" in lines[-1]
