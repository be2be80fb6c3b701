"""One running bot's parts (app, IVS service, tracked work, health), shared by serve, console and tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import create_app, create_slack_client
from bot.background import TaskTracker
from bot.config import Settings
from bot.health import Health, LoopLagMonitor
from bot.ivs.service import IvsService
from bot.request_gate import SIGNATURE_MAX_AGE, SlackRequestGate
from bot.seen_keys import InProcessSeenKeys, SeenKeys
from bot.startup_checks import STARTUP_CHECK_TIMEOUT, check_bot_token

# Heroku-style platforms send SIGKILL 30 s after SIGTERM, and the process must be gone within 25 s of
# SIGTERM: answers in flight get this long to finish, then the rest are told to ask again.
SHUTDOWN_GRACE = 17.0


@dataclass(slots=True)
class Bot:
    """One running bot's parts, as :func:`assemble_bot` builds them (shared by serve, console and tests)."""

    settings: Settings
    ivs: IvsService
    app: AsyncApp
    client: AsyncWebClient
    tasks: TaskTracker
    health: Health
    monitor: LoopLagMonitor | None
    seen_requests: SeenKeys = field(default_factory=lambda: InProcessSeenKeys(ttl=2 * SIGNATURE_MAX_AGE))

    def request_gate(self) -> SlackRequestGate:
        """The gate HTTP requests pass before the app (signature, size, replays, shape)."""
        return SlackRequestGate(self.app, self.settings.slack_signing_secret or "", self.seen_requests)


async def start_bot(settings: Settings, ivs: IvsService, *, within: float = STARTUP_CHECK_TIMEOUT) -> Bot:
    """Ask Slack who the bot is (``auth.test``, once), then assemble the bot around that identity.

    Raises:
        StartupError: Slack rejected ``SLACK_BOT_TOKEN`` or could not be reached within ``within`` s.
    """
    client = create_slack_client(settings)
    identity = await check_bot_token(client, settings, within=within)
    return assemble_bot(settings, ivs, client, identity)


def assemble_bot(
    settings: Settings, ivs: IvsService, client: AsyncWebClient, identity: AuthorizeResult
) -> Bot:
    """Create the app and the bookkeeping around it (call on the running loop)."""
    tasks = TaskTracker()
    monitor = LoopLagMonitor() if settings.loop_monitor else None
    app = create_app(settings, ivs, client, identity, tasks=tasks)
    return Bot(settings, ivs, app, client, tasks, Health(tasks, monitor), monitor)
