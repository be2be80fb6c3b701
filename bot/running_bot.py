"""One running bot's parts (app, IVS service, tracked work, health), shared by serve, console and tests."""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt.async_app import AsyncApp

from bot.app import create_app, create_slack_client
from bot.background import TaskTracker
from bot.config import Settings
from bot.health import Health, LoopLagMonitor
from bot.ivs.service import IvsService

# Heroku-style platforms send SIGKILL 30 s after SIGTERM; finish in-flight answers well before that.
SHUTDOWN_GRACE = 20.0


@dataclass(slots=True)
class Bot:
    """One running bot's parts, as :func:`assemble_bot` builds them (shared by serve, console and tests)."""

    settings: Settings
    ivs: IvsService
    app: AsyncApp
    tasks: TaskTracker
    health: Health
    monitor: LoopLagMonitor | None


def assemble_bot(settings: Settings, ivs: IvsService) -> Bot:
    """Create the client, the app and the bookkeeping around them (call on the running loop)."""
    tasks = TaskTracker()
    monitor = LoopLagMonitor() if settings.loop_monitor else None
    app = create_app(settings, ivs, create_slack_client(settings), tasks=tasks)
    return Bot(settings, ivs, app, tasks, Health(tasks, monitor), monitor)
