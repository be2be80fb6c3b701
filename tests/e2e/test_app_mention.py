"""@mentions: ids in the mention or in the thread's first message; each event answered once."""

from __future__ import annotations

from bot.local.scenarios import BITRATE_GUEST, HOST
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
    assert hint.body["user"] == "U0ASKER01" and "stage ARN" in hint.body["text"]
    assert bot.slack.calls_to("chat.postMessage") == [] and bot.ivs.calls == []
