"""From what the engineer has (a stage, a session, a userId) to the right participant's diagnosis, in at most
two clicks; the overview explains participants through each other and fans out under the quotas."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.local.scenarios import (
    BITRATE_GUEST,
    CO_HOST,
    DEMO_LIVE_SESSION_ID,
    DEMO_SESSION_ID,
    DEMO_STAGE_ARN,
    STRANDED_VIEWER,
    THIRTEENTH_PUBLISHER,
)
from bot.local.slack_standin import Message
from bot.replies import jobs
from bot.slack_ids import COMMAND, DIAGNOSE_ACTION, OPEN_SESSION_ACTION
from tests.fixtures.slack import CHANNEL, RunningBot


def _buttons(message: Message) -> list[dict[str, object]]:
    found = []
    for block in message.blocks:
        if block.get("accessory", {}).get("type") == "button":
            found.append(block["accessory"])
        found += [e for e in block.get("elements", []) if e.get("type") == "button"]
    return found


async def _overview(bot: RunningBot, text: str) -> Message:
    _, response_url = await bot.send.command(text, command=COMMAND, channel=CHANNEL)
    await bot.settle(within=60)
    assert bot.slack.posts_to(response_url)[-1].body["response_type"] == "in_channel"
    return bot.slack.messages[-1]


async def test_a_stage_and_a_session_get_the_overview_with_problems_first_and_a_diagnose_button_each(
    bot: RunningBot,
) -> None:
    overview = await _overview(bot, f"{DEMO_STAGE_ARN} {DEMO_SESSION_ID}")
    header = overview.blocks[0]["text"]["text"]
    assert header.startswith(f"{DEMO_SESSION_ID}: ") and "with problems" in header
    text = json.dumps(overview.blocks, ensure_ascii=False)
    for problem in (BITRATE_GUEST, STRANDED_VIEWER, THIRTEENTH_PUBLISHER):
        assert problem in text
    assert "publishing at peak" in text and "`QUOTA_EXCEEDED` ×" in text
    diagnose = [b for b in _buttons(overview) if b["action_id"] == DIAGNOSE_ACTION]
    assert {b["value"].split()[-1] for b in diagnose} >= {
        BITRATE_GUEST,
        STRANDED_VIEWER,
        THIRTEENTH_PUBLISHER,
    }
    assert "with no problems" in text  # the healthy ones, collapsed into a count with their ids
    # who held the 12 slots when the 13th publisher was refused
    assert "Stage full" in text and CO_HOST in text


async def test_the_overview_fetches_details_only_for_participants_that_look_troubled(bot: RunningBot) -> None:
    await _overview(bot, f"{DEMO_STAGE_ARN} {DEMO_SESSION_ID}")
    participants = len(bot.ivs.calls_to("ListParticipantEvents"))
    details = len(bot.ivs.calls_to("GetParticipant"))
    assert participants > 10 and 0 < details < participants
    assert len(bot.ivs.calls_to("ListParticipants")) == 1


async def test_diagnose_posts_that_participants_full_answer_in_the_overviews_thread(bot: RunningBot) -> None:
    overview = await _overview(bot, f"{DEMO_STAGE_ARN} {DEMO_SESSION_ID}")
    button = next(b for b in _buttons(overview) if str(b["value"]).endswith(BITRATE_GUEST))
    await bot.send.click(
        action_id=DIAGNOSE_ACTION, value=str(button["value"]), channel=CHANNEL, message=overview
    )
    await bot.settle()
    (answer,) = bot.slack.thread(CHANNEL, overview.ts)[1:]
    assert answer.blocks[0]["text"]["text"].startswith(f"{BITRATE_GUEST}: ")
    assert "BITRATE_EXCEEDED" in answer.blocks[0]["text"]["text"]


async def test_a_stage_alone_gets_its_live_session_first_named_with_buttons_for_the_others(
    bot: RunningBot,
) -> None:
    overview = await _overview(bot, DEMO_STAGE_ARN)
    assert overview.blocks[0]["text"]["text"].startswith(f"{DEMO_LIVE_SESSION_ID}: ")
    assert "the live session" in json.dumps(overview.blocks[1])
    sessions = [b for b in _buttons(overview) if str(b["action_id"]).startswith(OPEN_SESSION_ACTION)]
    assert [b["value"] for b in sessions] == [f"{DEMO_STAGE_ARN} {DEMO_SESSION_ID}"]
    await bot.send.click(
        action_id=str(sessions[0]["action_id"]),
        value=str(sessions[0]["value"]),
        channel=CHANNEL,
        message=overview,
    )
    await bot.settle(within=60)
    (older,) = bot.slack.thread(CHANNEL, overview.ts)[1:]
    assert older.blocks[0]["text"]["text"].startswith(f"{DEMO_SESSION_ID}: ")


async def test_a_user_id_finds_the_participant_across_the_recent_sessions(bot: RunningBot) -> None:
    _, response_url = await bot.send.command(
        f"{DEMO_STAGE_ARN} user:guest-lena", command=COMMAND, channel=CHANNEL
    )
    await bot.settle(within=60)
    answer = bot.slack.posts_to(response_url)[-1].body
    assert answer["response_type"] == "in_channel"
    assert answer["blocks"][0]["text"]["text"].startswith(f"{THIRTEENTH_PUBLISHER}: ")
    assert {c.params.get("filterByUserId") for c in bot.ivs.calls_to("ListParticipants")} == {"guest-lena"}


async def test_the_cli_and_key_value_spellings_of_the_user_id_work_too(bot: RunningBot) -> None:
    for text in (
        f"{DEMO_STAGE_ARN} {DEMO_SESSION_ID} --user-id guest-lena",
        f"{DEMO_STAGE_ARN} userId=guest-lena",
    ):
        _, response_url = await bot.send.command(text, command=COMMAND, channel=CHANNEL)
        await bot.settle(within=60)
        assert THIRTEENTH_PUBLISHER in bot.slack.posts_to(response_url)[-1].body["text"], text


async def test_an_unknown_user_id_is_named_with_the_sessions_searched(bot: RunningBot) -> None:
    _, response_url = await bot.send.command(
        f"{DEMO_STAGE_ARN} user:nobody-here", command=COMMAND, channel=CHANNEL
    )
    await bot.settle(within=60)
    text = bot.slack.posts_to(response_url)[-1].body["text"]
    assert "No participant had user id nobody-here" in text
    assert DEMO_SESSION_ID in text and DEMO_LIVE_SESSION_ID in text


async def test_a_user_with_several_participant_ids_gets_the_one_with_problems_named_with_the_others(
    bot: RunningBot,
) -> None:
    store = bot.ivs.store
    start = datetime(2026, 3, 12, 18, 30, tzinfo=UTC)
    for pid, failing in (("ReJoin0Good1", False), ("ReJoin0Bad02", True)):
        store.add_participant(
            DEMO_STAGE_ARN, DEMO_SESSION_ID, pid, userId="guest-rejoin", state="DISCONNECTED"
        )
        events = [{"name": "JOINED", "eventTime": start}, {"name": "PUBLISH_STARTED", "eventTime": start}]
        if failing:
            events.append(
                {
                    "name": "PUBLISH_ERROR",
                    "eventTime": start + timedelta(seconds=5),
                    "errorCode": "B_FRAME_PRESENT",
                }
            )
        events.append({"name": "LEFT", "eventTime": start + timedelta(minutes=1)})
        store.add_events(DEMO_STAGE_ARN, DEMO_SESSION_ID, pid, events)
    _, response_url = await bot.send.command(f"{DEMO_STAGE_ARN} user:guest-rejoin", command=COMMAND)
    await bot.settle(within=60)
    answer = bot.slack.posts_to(response_url)[-1].body
    assert answer["blocks"][0]["text"]["text"].startswith("ReJoin0Bad02: ")  # the answer stays first
    assert answer["blocks"][1]["elements"][0]["text"].startswith("User `guest-rejoin` had 2 participant ids")


async def test_a_participant_whose_history_cannot_be_fetched_is_named_and_the_rest_is_answered(
    bot: RunningBot,
) -> None:
    bot.ivs.faults.fail_next("AccessDeniedException", count=2, operation="ListParticipantEvents")
    overview = await _overview(bot, f"{DEMO_STAGE_ARN} {DEMO_SESSION_ID}")
    text = json.dumps(overview.blocks, ensure_ascii=False)
    assert "Could not fetch" in text and "with problems" in overview.blocks[0]["text"]["text"]


async def test_a_session_that_does_not_exist_is_said_to_be_missing_not_shown_empty(bot: RunningBot) -> None:
    _, response_url = await bot.send.command(
        f"{DEMO_STAGE_ARN} st-NoSuchSessin1", command=COMMAND, channel=CHANNEL
    )
    await bot.settle(within=30)
    text = bot.slack.posts_to(response_url)[-1].body["text"]
    assert "IVS found nothing for these ids" in text and "no participants yet" not in text


async def test_help_teaches_the_forms_with_fewer_ids(bot: RunningBot) -> None:
    ack, _ = await bot.send.command("help", command=COMMAND)
    body = json.dumps(ack.json())
    assert "session overview" in body and "user:&lt;userId&gt;" in body


async def test_a_huge_session_names_who_was_not_examined_and_a_button_examines_the_next_ones(
    bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "MAX_EXAMINED", 5)  # the demo session has 23 participants
    overview = await _overview(bot, f"{DEMO_STAGE_ARN} {DEMO_SESSION_ID}")
    assert "Not examined (18" in json.dumps(overview.blocks)
    (button,) = [b for b in _buttons(overview) if str(b["action_id"]).endswith(":next")]
    assert button["value"] == f"{DEMO_STAGE_ARN} {DEMO_SESSION_ID} 5"
    await bot.send.click(
        action_id=str(button["action_id"]), value=str(button["value"]), channel=CHANNEL, message=overview
    )
    await bot.settle(within=60)
    (following,) = bot.slack.thread(CHANNEL, overview.ts)[1:]
    assert following.blocks[0]["text"]["text"].startswith(f"{DEMO_SESSION_ID} (participants 6-10): ")
    assert "Not examined (13" in json.dumps(following.blocks)
