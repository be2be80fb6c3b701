"""Start-up checks: does Slack accept our tokens? One line and exit code 2 if not; SIGTERM stops a wait."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from functools import partial
from typing import TypeVar

import aiohttp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.config import Settings

logger = logging.getLogger(__name__)

# The start-up checks, retries included, give up after this long: long enough for the client's two
# retries of a refused connection, short enough that a platform's boot timeout (60 s on Heroku) is not hit.
STARTUP_CHECK_TIMEOUT = 15.0
# What Slack answers for a token it will never accept (the auth.test and apps.connections.open docs);
# any other failure is about reaching Slack, not about the token.
REJECTED_TOKEN_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
    }
)

# Slack's answers that say Slack itself is in trouble or busy, whatever the token and URL.
SLACK_TROUBLE = frozenset(
    {"fatal_error", "internal_error", "service_unavailable", "ratelimited", "request_timeout"}
)

T = TypeVar("T")


class StartupError(Exception):
    """Start-up cannot go on: Slack rejects a token or cannot be reached. The message is the line shown."""


class Stopped(Exception):
    """SIGTERM or SIGINT arrived before the awaited start-up step finished."""


async def until_stopped(work: Awaitable[T], stop: asyncio.Event) -> T:
    """Await ``work``, unless ``stop`` is set first: then cancel it and raise :class:`Stopped`.

    Start-up steps can take long (slack_sdk retries a Socket Mode connection forever); a signal must
    still end the process promptly.
    """
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        done, _ = await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
        if not task.done():
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
    if task in done:
        return task.result()
    raise Stopped


class HideRetryNotices(logging.Filter):
    """Holds back slack_sdk's "A retry handler found" notices: a start-up check ends in one line anyway."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A retry handler found")


async def _ask_slack_at_start_up(
    client: AsyncWebClient,
    call: Callable[[], Awaitable[AsyncSlackResponse]],
    *,
    token_name: str,
    api_url: str,
    within: float,
) -> AsyncSlackResponse:
    """Make one Web API call (retries included) and turn each way it fails into a one-line StartupError."""
    quiet = HideRetryNotices()
    client.logger.addFilter(quiet)
    try:
        async with asyncio.timeout(within):
            return await call()
    except SlackApiError as error:
        code = error.response.get("error") if isinstance(error.response.data, dict) else None
        if code in REJECTED_TOKEN_ERRORS:
            raise StartupError(f"Slack rejected {token_name} ({code}): check the token") from None
        answer = code or f"HTTP {error.response.status_code}"
        if error.response.status_code >= 500 or error.response.status_code == 429 or code in SLACK_TROUBLE:
            raise StartupError(
                f"Slack's Web API at SLACK_API_URL {api_url} answered {answer} (trouble on Slack's side, "
                "not a wrong token or URL): start again in a minute"
            ) from None
        raise StartupError(
            f"Slack's Web API at SLACK_API_URL {api_url} answered {answer}: check the URL"
        ) from None
    except TimeoutError:
        raise StartupError(
            f"cannot reach Slack at SLACK_API_URL {api_url}: no answer within {within:g} s"
        ) from None
    except (aiohttp.ClientError, OSError) as error:
        raise StartupError(
            f"cannot reach Slack at SLACK_API_URL {api_url}: {error or type(error).__name__}"
        ) from None
    finally:
        client.logger.removeFilter(quiet)


async def check_bot_token(
    client: AsyncWebClient, settings: Settings, *, within: float = STARTUP_CHECK_TIMEOUT
) -> AuthorizeResult:
    """Call ``auth.test`` once, so a wrong token or URL stops start-up instead of failing every request.

    Returns:
        Who the bot is, as Bolt wants it for every request (so no request ever calls ``auth.test``).

    Raises:
        StartupError: Slack rejected ``SLACK_BOT_TOKEN`` or could not be reached within ``within`` s.
    """
    identity = await _ask_slack_at_start_up(
        client, client.auth_test, token_name="SLACK_BOT_TOKEN", api_url=settings.slack_api_url, within=within
    )
    logger.info(
        "Slack accepted the bot token: bot user %s in team %s", identity.get("user_id"), identity.get("team")
    )
    return AuthorizeResult.from_auth_test_response(
        auth_test_response=identity, bot_token=settings.slack_bot_token
    )


async def open_socket_mode_url(
    client: AsyncWebClient, settings: Settings, *, within: float = STARTUP_CHECK_TIMEOUT
) -> str:
    """Ask ``apps.connections.open`` for a WebSocket URL: the one check of ``SLACK_APP_TOKEN`` there is.

    Raises:
        StartupError: Slack rejected ``SLACK_APP_TOKEN`` or could not be reached within ``within`` s.
    """
    answer = await _ask_slack_at_start_up(
        client,
        partial(client.apps_connections_open, app_token=settings.slack_app_token or ""),
        token_name="SLACK_APP_TOKEN",
        api_url=settings.slack_api_url,
        within=within,
    )
    return str(answer["url"])
