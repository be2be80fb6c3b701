"""What every Slack call here shares: retries, the failures to catch, Slack's error code, a message body."""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)

from bot.views import SlackReply

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
