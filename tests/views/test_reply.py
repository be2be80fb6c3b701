"""The Slack reply a support engineer reads: who, what went wrong, what to do, when, and the full JSON."""

from __future__ import annotations

import re

from bot.analysis import analyze
from bot.slack_ids import UPLOAD_JSON_ACTION
from bot.views import build_reply
from tests.analysis.factories import (
    NOW,
    QUERY,
    at,
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


def test_the_header_names_the_participant_and_the_verdict() -> None:
    reply = build_reply(analyze(history(_viewer_whose_publisher_left()), now=NOW))

    header = reply.blocks[0]
    assert header["type"] == "header"
    assert header["text"]["text"] == "IVS participant abCDEf12GHIj: 1 problem found"


def test_the_participant_context_shows_user_client_sdk_isp_and_protocol() -> None:
    fields = build_reply(analyze(history([joined(0), left(1)]), now=NOW)).blocks[1]["fields"]
    text = "\n".join(field["text"] for field in fields)

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
    assert "*Likely causes*" in text and "*Next steps*" in text
    assert "<https://docs.aws.amazon.com/ivs/latest/RealTimeAPIReference/API_Event.html|" in text


def test_times_are_slack_date_tokens_with_a_utc_fallback() -> None:
    text = _all_text(build_reply(analyze(history(_viewer_whose_publisher_left()), now=NOW)).blocks)

    tokens = DATE_TOKEN.findall(text)
    assert (str(int(at(21).timestamp())), "2026-03-12 14:21:00 UTC") in tokens


def test_errors_are_grouped_by_code_with_count_and_first_and_last_time() -> None:
    text = _all_text(build_reply(analyze(history(_viewer_whose_publisher_left()), now=NOW)).blocks)

    (line,) = [line for line in text.splitlines() if line.startswith("• `PUBLISHER_NOT_FOUND` ×2")]
    assert "(`SUBSCRIBE_ERROR` ×2)" in line
    assert "first <!date^" in line and "last <!date^" in line


def test_a_reconnect_storm_is_one_timeline_line_not_twenty_eight() -> None:
    reply = build_reply(analyze(history(join_leave_cycles(2, 14)), now=NOW))
    text = _all_text(reply.blocks)

    assert "joined and left 14 times (28 events, no errors): reconnect storm" in text
    assert "*Timeline*: 28 events in total, showing 28" in text


def test_a_long_history_says_how_many_events_it_shows_and_where_the_rest_are() -> None:
    flapping = []
    for n in range(3000):
        flapping += [subscribe_started(n / 60, "pub-1"), subscribe_stopped(n / 60 + 0.01, "pub-1")]
    reply = build_reply(analyze(history([joined(0), *flapping, left(60)]), now=NOW))
    text = _all_text(reply.blocks)

    shown = int(re.search(r"6,002 events in total, showing (\d+)", text)[1])  # type: ignore[index]
    assert 10 < shown < 100
    assert f"⋯ {6002 - shown:,} event(s) not listed here" in text
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
    assert reply.text.startswith(":red_circle: IVS participant abCDEf12GHIj: 1 problem found.")
    assert "PUBLISHER_NOT_FOUND" in reply.text


def test_a_healthy_participant_is_told_no_problems_were_recorded() -> None:
    events = [joined(0), publish_started(0), publish_stopped(40), left(40)]
    reply = build_reply(analyze(history(events), now=NOW))

    assert reply.blocks[0]["text"]["text"].endswith("no problems recorded")
    assert "not proof of health" in _all_text(reply.blocks)


def test_an_empty_history_still_makes_a_valid_reply() -> None:
    reply = build_reply(analyze(history([]), now=NOW))

    assert reply.blocks[0]["text"]["text"].endswith("no events recorded")
    assert_within_slack_limits(reply)


def test_without_participant_details_the_reply_says_so() -> None:
    h = history([joined(0)])
    h = type(h)(h.query, h.events, None, None, h.pages, h.fetched_at)
    text = _all_text(build_reply(analyze(h, now=NOW)).blocks)
    assert "details not available (GetParticipant failed)" in text
