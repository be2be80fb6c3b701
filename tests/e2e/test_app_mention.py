"""@mentions: ids in the mention or in the thread's first message; each event answered once."""

from __future__ import annotations

import json

from bot.local.scenarios import BITRATE_GUEST, DEMO_SESSION_ID, DEMO_STAGE_ARN, HOST
from tests.fixtures.slack import CHANNEL, RunningBot, demo_query


async def test_a_mention_with_the_ids_is_answered_in_a_thread_under_it(bot: RunningBot) -> None:
    ack, envelope = await bot.send.mention(f"what happened to {demo_query(HOST)}?")
    assert ack.status == 200
    await bot.settle(after=0)
    ts = envelope["event"]["ts"]
    (answer,) = bot.slack.thread(CHANNEL, ts)[1:]
    assert answer.thread_ts == ts and HOST in answer.text


async def test_a_bare_mention_in_a_thread_reads_the_ids_from_the_threads_first_message(
    bot: RunningBot,
) -> None:
    parent = bot.slack.add_message(
        CHANNEL, f"Guest can't publish: {demo_query(BITRATE_GUEST)}", user="U0CUST001"
    )
    await bot.send.mention("can you look?", thread_ts=parent.ts)
    await bot.settle(after=0)
    replies = bot.slack.calls_to("conversations.replies")
    assert [c.body["ts"] for c in replies] == [parent.ts]
    answers = [m for m in bot.slack.thread(CHANNEL, parent.ts) if m.user == "U0BOT0001"]
    assert len(answers) == 1 and "BITRATE_EXCEEDED" in answers[0].text and answers[0].thread_ts == parent.ts


async def test_a_retried_event_is_answered_once(bot: RunningBot) -> None:
    _, envelope = await bot.send.mention(demo_query(HOST))
    for retry in (1, 2):
        response = await bot.send.deliver(envelope, retry_num=retry)
        assert response.status == 200
    await bot.settle(after=0)
    assert len(bot.slack.calls_to("chat.postMessage")) == 1


async def test_a_mention_without_ids_gets_a_private_hint(bot: RunningBot) -> None:
    await bot.send.mention("hello there")
    await bot.settle(after=0)
    (hint,) = bot.slack.calls_to("chat.postEphemeral")
    assert hint.body["user"] == "U0ASKER01"
    assert hint.body["text"].startswith("I found no IVS ids in your mention. Ask with `/ivs-events")
    assert bot.slack.calls_to("chat.postMessage") == [] and bot.ivs.calls == []


async def test_help_in_a_mention_gets_the_usage_privately_in_the_thread(bot: RunningBot) -> None:
    parent = bot.slack.add_message(CHANNEL, f"Guest can't publish: {demo_query(BITRATE_GUEST)}")
    await bot.send.mention("help", thread_ts=parent.ts)
    await bot.settle(after=0)
    (usage,) = bot.slack.calls_to("chat.postEphemeral")
    assert usage.body["thread_ts"] == parent.ts and usage.body["user"] == "U0ASKER01"
    assert "Usage" in usage.body["text"] and "Diagnose IVS participant" in json.dumps(usage.body["blocks"])
    assert bot.ivs.calls == [] and bot.slack.calls_to("chat.postMessage") == []


async def test_a_bare_mention_in_a_thread_without_the_ids_hints_at_the_mention_not_the_slash_command(
    bot: RunningBot,
) -> None:
    parent = bot.slack.add_message(CHANNEL, f"session {DEMO_SESSION_ID}, which stage was it?")
    await bot.send.mention("", thread_ts=parent.ts)
    await bot.settle(after=0)
    (hint,) = bot.slack.calls_to("chat.postEphemeral")
    text = hint.body["text"]
    assert text.startswith(
        f"I found the session id `{DEMO_SESSION_ID}` in your mention or the thread's first message, "
        "but no stage ARN or participant id."
    )
    assert "/ivs-events" not in text and "@ivs-events" in text


async def test_a_mention_with_a_lower_case_participant_id_after_a_label_asks_ivs_about_it(
    bot: RunningBot,
) -> None:
    await bot.send.mention(f"participantId: abcdefghijkl {DEMO_STAGE_ARN} {DEMO_SESSION_ID}")
    await bot.settle(after=0)
    (call,) = bot.ivs.calls_to("ListParticipantEvents")
    assert call.params["participantId"] == "abcdefghijkl"


async def test_where_the_bot_may_not_post_a_mention_is_answered_privately_in_the_thread(
    bot: RunningBot,
) -> None:
    bot.slack.fail_next("chat.postMessage", 2, status=200, error="not_in_channel")
    _, envelope = await bot.send.mention(demo_query(HOST))
    await bot.settle(after=0)
    (answer,) = bot.slack.calls_to("chat.postEphemeral")
    assert answer.body["user"] == "U0ASKER01" and answer.body["thread_ts"] == envelope["event"]["ts"]
    blocks = answer.body["blocks"]
    assert "Only you can see this answer" in blocks[1]["elements"][0]["text"]
    assert HOST in json.dumps(blocks[1:])


async def test_where_the_bot_may_not_even_whisper_the_answer_comes_by_direct_message(bot: RunningBot) -> None:
    bot.slack.deny_channel("C0ELSEWHERE", "channel_not_found")
    bot.slack.refuse_join("C0ELSEWHERE")
    await bot.send.mention(demo_query(HOST), channel="C0ELSEWHERE")
    await bot.settle(after=0)
    (opened,) = bot.slack.calls_to("conversations.open")
    assert opened.body["users"] == "U0ASKER01"
    direct = [c for c in bot.slack.calls_to("chat.postMessage") if c.answer.get("ok")]
    assert len(direct) == 1 and direct[0].body["channel"].startswith("D")
    assert "direct message" in json.dumps(direct[0].body["blocks"][1]) and HOST in direct[0].body["text"]


async def test_a_mention_with_the_three_values_in_another_order_is_read_as_the_command_reads_them(
    bot: RunningBot,
) -> None:
    await bot.send.mention(f"{DEMO_SESSION_ID} {DEMO_STAGE_ARN} myguest")
    await bot.settle(after=0)
    (call,) = bot.ivs.calls_to("ListParticipantEvents")
    assert call.params["participantId"] == "myguest"


async def test_a_mention_in_japanese_with_no_spaces_around_the_ids_is_answered(bot: RunningBot) -> None:
    await bot.send.mention(
        f"ステージ：{DEMO_STAGE_ARN}、セッション：{DEMO_SESSION_ID}、参加者：{BITRATE_GUEST}"
    )
    await bot.settle(after=0)
    (call,) = bot.ivs.calls_to("ListParticipantEvents")
    assert call.params["participantId"] == BITRATE_GUEST


async def test_a_malformed_session_in_a_thread_mention_is_named_not_filled_in_from_the_first_message(
    bot: RunningBot,
) -> None:
    parent = bot.slack.add_message(
        CHANNEL, f"Guest can't publish: {demo_query(BITRATE_GUEST)}", user="U0CUST001"
    )
    await bot.send.mention(f"{DEMO_STAGE_ARN} st-bad {HOST}", thread_ts=parent.ts)
    await bot.settle(after=0)
    (note,) = bot.slack.calls_to("chat.postEphemeral")
    assert "session id must be `st-` followed by 13 letters or digits, got `st-bad`" in note.body["text"]
    assert bot.ivs.calls == []  # neither the parent's session nor anything else was looked up
