"""Start-up asks Slack once whether it takes the tokens; a refusal or silence is one line, no traceback."""

from __future__ import annotations

import asyncio
import logging
import sys

import aiohttp
import pytest
from slack_bolt.authorization import AuthorizeResult

from bot.app import create_slack_client
from bot.config import Settings
from bot.local.slack_standin import BOT_USER_ID, SlackStandIn
from bot.socket_mode import ConnectionErrorsOnOneLine
from bot.startup_checks import StartupError, Stopped, check_bot_token, open_socket_mode_url, until_stopped
from tests.fixtures.slack import BOT_TOKEN

APP_TOKEN = "xapp-1-A1-server-test-not-real"
WRONG_TOKEN = "xoxb-wrong-0000-token-not-real"


def _settings(api_url: str, *, bot_token: str = BOT_TOKEN, app_token: str | None = None) -> Settings:
    return Settings(
        slack_bot_token=bot_token,
        slack_signing_secret="secret",
        slack_app_token=app_token,
        slack_api_url=api_url,
    )


async def _check(settings: Settings, *, within: float = 15.0) -> AuthorizeResult:
    return await check_bot_token(create_slack_client(settings), settings, within=within)


async def test_a_token_slack_accepts_passes_the_check_and_names_the_bot_user(slack: SlackStandIn) -> None:
    identity = await _check(_settings(slack.api_url))
    assert identity.bot_user_id == BOT_USER_ID and identity.bot_token == BOT_TOKEN
    assert len(slack.calls_to("auth.test")) == 1


async def test_a_token_slack_rejects_stops_start_up_with_one_line_that_names_the_variable(
    slack: SlackStandIn,
) -> None:
    with pytest.raises(StartupError) as raised:
        await _check(_settings(slack.api_url, bot_token=WRONG_TOKEN))
    assert str(raised.value) == "Slack rejected SLACK_BOT_TOKEN (invalid_auth): check the token"
    assert WRONG_TOKEN not in str(raised.value)


@pytest.mark.parametrize("error", ["not_authed", "account_inactive", "token_revoked"])
async def test_every_way_slack_refuses_a_token_reads_as_a_rejected_token(
    slack: SlackStandIn, error: str
) -> None:
    slack.fail_next("auth.test", status=200, error=error)
    with pytest.raises(StartupError, match=rf"^Slack rejected SLACK_BOT_TOKEN \({error}\): check the token$"):
        await _check(_settings(slack.api_url))


async def test_an_unreachable_api_url_is_named_on_one_line() -> None:
    refused = "http://127.0.0.1:9/api/"  # the discard port on loopback refuses connections
    with pytest.raises(StartupError) as raised:
        await _check(_settings(refused))
    message = str(raised.value)
    assert message.startswith(f"cannot reach Slack at SLACK_API_URL {refused}: Cannot connect to host")
    assert "\n" not in message


async def test_a_web_api_that_never_answers_fails_the_check_when_its_time_is_up(slack: SlackStandIn) -> None:
    slack.stall()
    with pytest.raises(StartupError, match=r"SLACK_API_URL .*: no answer within 0\.5 s$"):
        await _check(_settings(slack.api_url), within=0.5)


async def test_a_url_that_is_not_slacks_web_api_is_named_with_what_it_answered(slack: SlackStandIn) -> None:
    wrong_path = slack.url + "/"
    with pytest.raises(StartupError) as raised:
        await _check(_settings(wrong_path))
    assert (
        str(raised.value) == f"Slack's Web API at SLACK_API_URL {wrong_path} answered HTTP 404: check the URL"
    )


@pytest.mark.parametrize(
    ("status", "error"), [(500, "fatal_error"), (429, "ratelimited"), (200, "internal_error")]
)
async def test_slack_in_trouble_at_start_up_is_not_blamed_on_the_url(
    slack: SlackStandIn, status: int, error: str
) -> None:
    slack.fail_next("auth.test", 10, status=status, error=error)
    with pytest.raises(StartupError) as raised:
        await _check(_settings(slack.api_url))
    assert "trouble on Slack's side" in str(raised.value) and "check the URL" not in str(raised.value)


async def test_the_retries_of_the_check_are_not_logged_one_by_one(
    all_logs: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(StartupError):
        await _check(_settings("http://127.0.0.1:9/api/"))
    assert not [r for r in all_logs.records if r.getMessage().startswith("A retry handler found")]
    later = logging.LogRecord(
        "slack_sdk.web.async_base_client", logging.INFO, "", 1, "A retry handler found", (), None
    )
    assert logging.getLogger("slack_sdk.web.async_base_client").filter(later), "the filter outlived the check"


async def test_an_app_token_slack_rejects_stops_socket_mode_start_up_with_one_line() -> None:
    async with SlackStandIn(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as slack:
        wrong = _settings(slack.api_url, app_token="xapp-1-A1-wrong-not-real")
        with pytest.raises(StartupError) as raised:
            await open_socket_mode_url(create_slack_client(wrong), wrong)
        right = _settings(slack.api_url, app_token=APP_TOKEN)
        url = await open_socket_mode_url(create_slack_client(right), right)
    assert str(raised.value) == "Slack rejected SLACK_APP_TOKEN (invalid_auth): check the token"
    assert url.startswith("ws://") and url.endswith("/socket")


async def test_a_start_up_step_finishes_when_nothing_stops_it() -> None:
    assert await until_stopped(asyncio.sleep(0, result="done"), asyncio.Event()) == "done"


async def test_a_start_up_step_is_cancelled_when_the_stop_event_is_set() -> None:
    stop = asyncio.Event()
    step = asyncio.get_running_loop().create_future()  # a step that would never end by itself
    asyncio.get_running_loop().call_soon(stop.set)
    with pytest.raises(Stopped):
        await until_stopped(step, stop)
    assert step.cancelled()


def _record_with(error: BaseException) -> logging.LogRecord:
    try:
        raise error
    except BaseException:
        exc_info = sys.exc_info()
    return logging.LogRecord("socket", logging.ERROR, "", 1, "Failed to connect (%s)", ("x",), exc_info)


def test_an_expected_connection_failure_is_logged_on_one_line_and_a_bug_keeps_its_traceback() -> None:
    one_line = ConnectionErrorsOnOneLine()
    refused = _record_with(aiohttp.ClientConnectionError("refused"))
    bug = _record_with(KeyError("envelope_id"))
    assert one_line.filter(refused) and one_line.filter(bug)
    assert refused.exc_info is None and logging.Formatter().format(refused) == "Failed to connect (x)"
    assert bug.exc_info is not None and "Traceback" in logging.Formatter().format(bug)


def test_a_socket_mode_envelope_logged_at_debug_keeps_only_its_size() -> None:
    body = '{"envelope_id": "e1", "payload": {"user_id": "U0ASKER01", "text": "secret customer words"}}'
    record = logging.LogRecord(
        "socket", logging.DEBUG, "", 1, "Received message (type: TEXT, data: %r)", (body,), None
    )
    assert ConnectionErrorsOnOneLine().filter(record)
    line = record.getMessage()
    assert (
        line.startswith("Received message (body not logged")
        and "customer" not in line
        and "U0ASKER01" not in line
    )
