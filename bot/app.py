"""Build the Slack app: the Web API client, the Bolt app and its listeners. No module-level state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.background import TaskTracker
from bot.config import Settings
from bot.ivs.service import IvsService
from bot.listeners import actions, commands, events, shortcuts
from bot.replies import QueryReplies, slack_retry_handlers


def create_slack_client(settings: Settings) -> AsyncWebClient:
    """The Web API client: ``SLACK_API_URL``, with retries for connection errors, 429 and 5xx."""
    return AsyncWebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        retry_handlers=slack_retry_handlers(),
    )


def create_app(
    settings: Settings,
    ivs: IvsService,
    slack_client: AsyncWebClient,
    *,
    tasks: TaskTracker | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> AsyncApp:
    """The Bolt app with every listener registered.

    Args:
        settings: validated configuration.
        ivs: the IVS service the listeners ask.
        slack_client: the Web API client (Bolt copies its base URL and retry handlers per request).
        tasks: tracks the work done after each ack; the server waits for it on shutdown.
        now: the wall clock used by the analysis.
    """
    app = AsyncApp(
        client=slack_client,
        signing_secret=settings.slack_signing_secret or "",
        # Socket Mode requests arrive over an authenticated WebSocket and carry no signature.
        request_verification_enabled=settings.mode == "http",
    )
    replies = QueryReplies(ivs, slack_client, tasks or TaskTracker(), now=now)
    commands.register(app, replies)
    actions.register(app, replies)
    shortcuts.register(app, replies)
    events.register(app, replies)
    return app
