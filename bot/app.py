"""Build the Slack app: the Web API client, the Bolt app and its listeners. No module-level state."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from bot.background import TaskTracker
from bot.config import Settings
from bot.ivs.service import IvsService
from bot.listeners import actions, commands, events, shortcuts
from bot.replies import QueryReplies, slack_retry_handlers
from bot.seen_keys import InProcessSeenKeys, SeenKeys

logger = logging.getLogger(__name__)

# Slack redelivers an event up to 3 times within minutes when the ack is late; an hour covers them.
SEEN_EVENTS_TTL = 3600


def create_slack_client(settings: Settings, *, with_token: bool = True) -> AsyncWebClient:
    """The Web API client: ``SLACK_API_URL``, with retries for connection errors, 429 and 5xx."""
    return AsyncWebClient(
        token=settings.slack_bot_token if with_token else None,
        base_url=settings.slack_api_url,
        retry_handlers=slack_retry_handlers(),
    )


def create_app(
    settings: Settings,
    ivs: IvsService,
    slack_client: AsyncWebClient,
    identity: AuthorizeResult,
    *,
    tasks: TaskTracker | None = None,
    seen_events: SeenKeys | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> AsyncApp:
    """The Bolt app with every listener registered.

    Args:
        settings: validated configuration.
        ivs: the IVS service the listeners ask.
        slack_client: the Web API client the answers are sent with.
        identity: who the bot is, from start-up's ``auth.test``: Bolt is given it for every request, so
            no request waits on (or fails with) a call to Slack's ``auth.test``.
        tasks: tracks the work done after each ack; the server waits for it on shutdown.
        seen_events: remembers Events API ``event_id``s, so a redelivered event is answered once.
        now: the wall clock used by the analysis.
    """

    async def authorize(**_: Any) -> AuthorizeResult:
        return identity

    app = AsyncApp(
        # Bolt copies this client's base URL and retry handlers for each request and adds the token that
        # ``authorize`` returns. A client without a token is what makes Bolt use ``authorize``.
        client=create_slack_client(settings, with_token=False),
        authorize=authorize,
        # HTTP requests are verified before Bolt parses them (bot.request_gate); Socket Mode requests
        # arrive over an authenticated WebSocket and carry no signature.
        request_verification_enabled=False,
    )
    app.error(_one_line_error)
    replies = QueryReplies(ivs, slack_client, tasks or TaskTracker(), now=now)
    commands.register(app, replies)
    actions.register(app, replies)
    shortcuts.register(app, replies)
    events.register(app, replies, seen_events or InProcessSeenKeys(ttl=SEEN_EVENTS_TTL))
    return app


async def _one_line_error(error: Exception) -> None:
    """A (signed) payload Bolt or a listener could not read: one line, no traceback, no payload.

    The work after each ack runs in tracked tasks, which log a real failure with its traceback.
    """
    logger.warning("could not handle a Slack request: %s: %.200s", type(error).__name__, error)
