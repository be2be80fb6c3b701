"""Slack or AWS misbehaving, load, and shutdown: every asker still hears back, and nothing crashes."""

from __future__ import annotations

import asyncio
import json
import logging

import aiohttp
import pytest

from bot.local.scenarios import DEMO_PARTICIPANTS, HOST
from bot.slack_ids import COMMAND, DIAGNOSE_SHORTCUT
from tests.fixtures.slack import CHANNEL, RunningBot, add_participant_with_many_events, demo_query

ACK_DEADLINE = 3.0  # Slack shows operation_timeout after 3 s: the product requirement


async def test_slack_answering_429_is_retried_after_retry_after_and_the_answer_arrives(
    bot: RunningBot,
) -> None:
    bot.slack.fail_next("chat.postMessage", 2, status=429, retry_after=0)
    message = bot.slack.add_message(CHANNEL, demo_query(HOST))
    await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    await bot.settle()
    statuses = [c.status for c in bot.slack.calls_to("chat.postMessage")]
    assert statuses == [429, 429, 200]
    assert len(bot.slack.thread(CHANNEL, message.ts)) == 2


async def test_forty_commands_at_once_are_all_acked_within_3_s_and_all_answered(bot: RunningBot) -> None:
    participants = list(DEMO_PARTICIPANTS)[:4]  # four real fetches (5 TPS), the rest share them
    texts = [demo_query(participants[i % len(participants)]) for i in range(40)]
    sent = await asyncio.gather(
        *(bot.send.command(t, command=COMMAND, user=f"U{i:08d}") for i, t in enumerate(texts))
    )
    assert all(ack.status == 200 for ack, _ in sent)
    assert max(ack.elapsed for ack, _ in sent) < ACK_DEADLINE
    await bot.settle(within=60)
    for _, response_url in sent:
        posts = bot.slack.posts_to(response_url)
        assert posts[-1].status == 200 and posts[-1].body["response_type"] == "in_channel", response_url
    # identical queries share one fetch (the service's cache and single flight)
    assert len(bot.ivs.calls_to("ListParticipantEvents")) == len(participants)


async def test_when_the_response_url_is_refused_the_answer_comes_privately_saying_why(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    fields = bot.send.command_fields(demo_query(HOST), command=COMMAND, channel=CHANNEL)
    async with aiohttp.ClientSession() as session:
        for _ in range(5):  # someone used up the URL's five posts
            async with session.post(fields["response_url"], json={"text": "x"}) as response:
                assert response.status == 200
    with caplog.at_level(logging.INFO):
        await bot.send.post_form(fields)
        await bot.settle()
    assert any("response_url post refused: HTTP 404" in r.getMessage() for r in caplog.records)
    (private,) = bot.slack.ephemerals
    assert (private["channel"], private["user"]) == (CHANNEL, fields["user_id"])
    notice = private["blocks"][1]["elements"][0]["text"]
    assert "could not answer through the command's reply URL (Slack refused it: HTTP 404)" in notice
    assert any(HOST in json.dumps(block) for block in private["blocks"])  # the whole answer, not a stub
    assert any('"outcome": "ok"' in r.getMessage() for r in caplog.records)


async def test_slack_being_unreachable_is_logged_not_crashed(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.slack.fail_next("chat.postMessage", 10, status=500, error="internal_error")
    bot.slack.fail_next("chat.postEphemeral", 10, status=500, error="internal_error")
    message = bot.slack.add_message(CHANNEL, demo_query(HOST))
    with caplog.at_level(logging.WARNING):
        await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
        await bot.settle()
    assert any("answer refused" in r.getMessage() for r in caplog.records)
    assert len(bot.slack.calls_to("chat.postMessage")) == 3  # the first try and two retries


async def test_shutdown_stops_taking_requests_but_lets_answers_in_flight_finish(bot: RunningBot) -> None:
    bot.ivs.faults.latency = 0.5
    ack, response_url = await bot.send.command(demo_query(HOST), command=COMMAND)
    assert ack.status == 200
    await bot.server.stop(grace=10)
    assert bot.slack.posts_to(response_url)[-1].body["response_type"] == "in_channel"
    with pytest.raises(aiohttp.ClientConnectionError):
        await bot.send.command(demo_query(HOST), command=COMMAND)


async def test_a_thread_answer_cut_short_by_shutdown_replaces_its_public_progress_with_ask_again(
    bot: RunningBot,
) -> None:
    add_participant_with_many_events(bot.ivs.store, "Kq7Many0Page", 3000)  # 31 pages
    bot.ivs.faults.latency = 0.3
    message = bot.slack.add_message(CHANNEL, demo_query("Kq7Many0Page"))
    await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    await bot.slack.wait_for(lambda: "so far" in bot.slack.thread(CHANNEL, message.ts)[-1].text, within=20)
    await bot.server.stop(grace=0.5)
    _, placeholder = bot.slack.thread(CHANNEL, message.ts)
    assert "Interrupted by a restart of the bot" in placeholder.text  # not a progress note left forever
    assert "so far" not in placeholder.text


async def test_a_request_after_the_grace_period_is_refused_with_503_not_dropped(bot: RunningBot) -> None:
    await bot.parts.tasks.close(grace=0)
    ack, response_url = await bot.send.command(demo_query(HOST), command=COMMAND)
    assert ack.status == 503  # Slack shows the asker that the app did not answer; nothing half-done
    assert bot.slack.posts_to(response_url) == [] and bot.ivs.calls == []
