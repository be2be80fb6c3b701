"""With SLACK_APP_TOKEN the same app connects out over Socket Mode: no port, no signature."""

from __future__ import annotations

import asyncio

import pytest

from bot.config import Settings
from bot.ivs.service import create_ivs_service
from bot.local.ivs_endpoint import LocalIvsEndpoint
from bot.local.scenarios import HOST
from bot.local.slack_standin import SlackRequests, SlackStandIn
from bot.running_bot import start_bot
from bot.slack_ids import COMMAND
from bot.socket_mode import serve_socket_mode
from bot.startup_checks import StartupError
from tests.fixtures.slack import BOT_TOKEN, demo_query


async def test_a_slash_command_over_socket_mode_is_acked_on_the_socket_and_answered_in_channel(
    slack: SlackStandIn, ivs_endpoint: LocalIvsEndpoint
) -> None:
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": "xapp-1-socket-test",
            "SLACK_API_URL": slack.api_url,
        }
    )
    bot = await start_bot(settings, create_ivs_service())
    stop = asyncio.Event()
    running = asyncio.create_task(serve_socket_mode(bot, stop))
    try:
        fields = SlackRequests("unused", "unused", slack).command_fields(demo_query(HOST), command=COMMAND)
        ack = await slack.socket_request("slash_commands", fields)
        assert "Fetching events" in ack["payload"]["text"]
        await bot.tasks.wait_idle(within=20)
        assert slack.posts_to(fields["response_url"])[-1].body["response_type"] == "in_channel"
    finally:
        stop.set()
        assert await asyncio.wait_for(running, 20) == 0
        await bot.ivs.aclose()


async def test_a_bot_that_cannot_open_its_socket_keeps_retrying_until_told_to_stop(
    slack: SlackStandIn, all_logs: pytest.LogCaptureFixture
) -> None:
    slack.refuse_sockets()
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_APP_TOKEN": "xapp-1-socket-test",
            "SLACK_API_URL": slack.api_url,
        }
    )
    bot = await start_bot(settings, create_ivs_service())
    stop = asyncio.Event()
    running = asyncio.create_task(serve_socket_mode(bot, stop))
    try:
        await slack.wait_for(lambda: slack.calls_to("socket_refused"), within=20)
    finally:
        stop.set()
        assert await asyncio.wait_for(running, 20) == 0
        await bot.ivs.aclose()
    failures = [r for r in all_logs.records if r.getMessage().startswith("Failed to connect")]
    assert failures and all(r.exc_info is None for r in failures)


async def test_an_app_token_slack_rejects_ends_socket_mode_start_up_without_retrying() -> None:
    async with SlackStandIn(bot_token=BOT_TOKEN, app_token="xapp-1-the-right-one") as slack:
        settings = Settings.from_env(
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_APP_TOKEN": "xapp-1-a-wrong-one",
                "SLACK_API_URL": slack.api_url,
            }
        )
        bot = await start_bot(settings, create_ivs_service())
        try:
            with pytest.raises(StartupError, match=r"^Slack rejected SLACK_APP_TOKEN \(invalid_auth\)"):
                await asyncio.wait_for(serve_socket_mode(bot, asyncio.Event()), 20)
        finally:
            await bot.ivs.aclose()
        assert len(slack.calls_to("apps.connections.open")) == 1
