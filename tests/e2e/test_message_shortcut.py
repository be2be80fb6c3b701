"""The "Diagnose IVS participant" shortcut: ids found anywhere in a message, the answer in its thread."""

from __future__ import annotations

from bot.local.scenarios import CO_HOST, DEMO_SESSION_ID, DEMO_STAGE_ARN, HOST
from bot.slack_ids import DIAGNOSE_SHORTCUT
from tests.fixtures.slack import CHANNEL, RunningBot, add_participant_with_many_events, demo_query

CONSOLE_LINK = (
    "https://us-west-2.console.aws.amazon.com/ivs/home?region=us-west-2#/stages/abcdABCDefgh"
    f"/sessions/{DEMO_SESSION_ID}/participants/{CO_HOST}"
)


async def test_the_shortcut_on_a_top_level_message_answers_in_a_thread_under_it(bot: RunningBot) -> None:
    message = bot.slack.add_message(
        CHANNEL, f"Customer says the host froze: {demo_query(HOST)}", user="U0CUST001"
    )
    ack, _ = await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    assert ack.status == 200
    await bot.settle()
    replies = bot.slack.thread(CHANNEL, message.ts)[1:]
    assert len(replies) == 1 and replies[0].thread_ts == message.ts
    assert HOST in replies[0].text


async def test_the_shortcut_on_a_thread_reply_answers_in_that_thread(bot: RunningBot) -> None:
    parent = bot.slack.add_message(CHANNEL, "Stream issue, details below")
    reply = bot.slack.add_message(
        CHANNEL,
        f"stage {DEMO_STAGE_ARN}, and here is the participant: <{CONSOLE_LINK}|console>",
        thread_ts=parent.ts,
    )
    await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=reply)
    await bot.settle()
    answers = [
        m
        for m in bot.slack.thread(CHANNEL, parent.ts)
        if m.user != "U0ASKER01" and m.ts not in (parent.ts, reply.ts)
    ]
    assert len(answers) == 1 and answers[0].thread_ts == parent.ts and CO_HOST in answers[0].text


async def test_a_message_missing_an_id_gets_a_private_note_of_what_was_found_and_what_is_missing(
    bot: RunningBot,
) -> None:
    message = bot.slack.add_message(CHANNEL, f"participant page: {CONSOLE_LINK}")
    _, response_url = await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    await bot.settle()
    (note,) = bot.slack.posts_to(response_url)
    assert note.body["response_type"] == "ephemeral" and note.body["replace_original"] is False
    text = note.body["text"]
    assert DEMO_SESSION_ID in text and CO_HOST in text and "no stage ARN" in text and "account" in text
    assert bot.ivs.calls == [] and bot.slack.thread(CHANNEL, message.ts)[1:] == []


async def test_the_shortcut_in_a_channel_the_bot_is_not_in_joins_it_and_answers(bot: RunningBot) -> None:
    bot.slack.deny_channel("C0ELSEWHERE", "not_in_channel")
    message = bot.slack.add_message("C0ELSEWHERE", demo_query(HOST))
    await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    await bot.settle()
    assert bot.slack.joined == {"C0ELSEWHERE"}
    assert len(bot.slack.thread("C0ELSEWHERE", message.ts)) == 2


async def test_a_slow_answer_in_a_thread_shows_a_placeholder_that_becomes_the_answer(bot: RunningBot) -> None:
    add_participant_with_many_events(bot.ivs.store, "BuSy1234PaGe", 450)
    bot.ivs.faults.latency = 0.5  # five pages: two and a half seconds
    message = bot.slack.add_message(CHANNEL, demo_query("BuSy1234PaGe"))
    await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    await bot.settle()
    (placeholder,) = bot.slack.calls_to("chat.postMessage")
    assert "Fetching events" in placeholder.body["text"]
    updates = bot.slack.calls_to("chat.update")
    assert updates and all(u.body["ts"] == placeholder.answer["ts"] for u in updates)
    (answer,) = bot.slack.thread(CHANNEL, message.ts)[1:]
    assert "BuSy1234PaGe" in answer.text and "450" in answer.text and "Fetching" not in answer.text
