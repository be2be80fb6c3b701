"""What every Slack call here shares: retries, the failures to catch, Slack's error code, a message body."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.views import SlackReply

logger = logging.getLogger(__name__)
T = TypeVar("T")

SLACK_FAILURES = (SlackClientError, aiohttp.ClientError, TimeoutError)
# Slack's answers when the bot is not a member of the conversation (or may not see it at all).
NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})


def slack_retry_handlers(*, max_retries: int = 2) -> list[AsyncRetryHandler]:
    """Retry what is worth retrying: connection errors, 429 (after Retry-After) and Slack's 500/503."""
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=max_retries),
        AsyncRateLimitErrorRetryHandler(max_retry_count=max_retries),
        AsyncServerErrorRetryHandler(max_retry_count=max_retries),
    ]


def message_body(reply: SlackReply) -> dict[str, Any]:
    """A rendered reply as message fields (``text`` is the notification and fallback)."""
    return {"text": reply.text, "blocks": list(reply.blocks)}


def slack_error(error: BaseException) -> str:
    """Slack's error code (``not_in_channel``) or the exception's class name, for messages and logs."""
    if isinstance(error, SlackApiError):
        data = error.response.data
        code = data.get("error") if isinstance(data, dict) else None
        return str(code or f"HTTP {error.response.status_code}")
    return type(error).__name__


async def as_member(client: AsyncWebClient, channel: str, call: Callable[[], Awaitable[T]]) -> T:
    """Run a Web API call in ``channel``; if Slack says the bot is not in it, join and try once more.

    Joining needs the ``channels:join`` scope and only works for public channels; otherwise the original
    error is raised for the caller to fall back.
    """
    try:
        return await call()
    except SlackApiError as error:
        if slack_error(error) not in NOT_A_MEMBER or not await _join(client, channel):
            raise
    return await call()


async def _join(client: AsyncWebClient, channel: str) -> bool:
    if channel.startswith("D"):  # a direct message: nothing to join
        return False
    try:
        await client.conversations_join(channel=channel)
    except SLACK_FAILURES as error:
        logger.info("could not join %s: %s", channel, slack_error(error))
        return False
    logger.info("joined %s to answer there", channel)
    return True
