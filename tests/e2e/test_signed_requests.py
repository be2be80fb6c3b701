"""Only requests Slack signed, recently, reach the app; the health check answers."""

from __future__ import annotations

import time

import aiohttp

from bot.slack_ids import COMMAND
from tests.fixtures.slack import CHANNEL, RunningBot, demo_query


async def test_a_request_with_a_bad_signature_is_refused_with_401_and_nothing_runs(bot: RunningBot) -> None:
    fields = bot.send.command_fields(demo_query("abCDEf12GHIj"), command=COMMAND, channel=CHANNEL)
    response = await bot.send.post_form(fields, signature="v0=" + "0" * 64)
    assert response.status == 401
    await bot.settle()
    assert bot.slack.response_posts == [] and bot.ivs.calls == []


async def test_a_request_signed_ten_minutes_ago_is_refused_with_401(bot: RunningBot) -> None:
    fields = bot.send.command_fields(demo_query("abCDEf12GHIj"), command=COMMAND, channel=CHANNEL)
    response = await bot.send.post_form(fields, timestamp=int(time.time()) - 600)
    assert response.status == 401
    await bot.settle()
    assert bot.slack.response_posts == [] and bot.ivs.calls == []


async def test_the_health_check_answers_ok_with_the_work_in_flight(bot: RunningBot) -> None:
    async with aiohttp.ClientSession() as session, session.get(bot.url + "/healthz") as response:
        assert response.status == 200
        body = await response.json()
    assert body["status"] == "ok" and body["in_flight"] == 0
