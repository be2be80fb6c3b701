"""``python -m bot [serve]``: serve Slack over HTTP on ``$PORT`` or over Socket Mode, and shut down gently.

HTTP mode serves ``POST /slack/events`` (commands, interactivity and events share one URL) and
``GET /healthz``. With ``SLACK_APP_TOKEN`` set the bot connects out over Socket Mode instead and opens no
port. On SIGTERM or SIGINT it stops taking new requests, lets the answers already being worked on finish
(at most :data:`SHUTDOWN_GRACE` seconds), then closes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from contextlib import suppress
from dataclasses import dataclass, field

from aiohttp import web
from slack_bolt.async_app import AsyncApp

from bot.app import create_app, create_slack_client
from bot.background import TaskTracker
from bot.config import ConfigError, Settings, configure_logging
from bot.ivs.service import IvsService, create_ivs_service

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Heroku-style platforms send SIGKILL 30 s after SIGTERM; finish in-flight answers well before that.
SHUTDOWN_GRACE = 20.0
LOOP_MONITOR_INTERVAL = 0.05


class LoopLagMonitor:
    """Measures how late the event loop wakes a sleeping task: the longest stall shows blocking code.

    Cheap (one wake-up every 50 ms) but off by default; ``IVS_EVENTS_LOOP_MONITOR=1`` turns it on and
    ``/healthz`` then reports the worst stall seen.
    """

    def __init__(self, interval: float = LOOP_MONITOR_INTERVAL) -> None:
        self.interval = interval
        self.max_stall = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin measuring on the running loop."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="loop-lag-monitor")

    async def stop(self) -> None:
        """Stop measuring."""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.interval)
            self.max_stall = max(self.max_stall, time.perf_counter() - before - self.interval)


@dataclass(slots=True)
class Health:
    """What ``GET /healthz`` reports: 200 while serving, 503 once draining for shutdown."""

    tasks: TaskTracker
    monitor: LoopLagMonitor | None = None
    draining: bool = False
    started: float = field(default_factory=time.monotonic)

    async def handle(self, request: web.Request) -> web.Response:
        """Serve the health check."""
        body: dict[str, object] = {
            "status": "draining" if self.draining else "ok",
            "in_flight": self.tasks.active,
            "uptime_s": round(time.monotonic() - self.started, 1),
        }
        if self.monitor is not None:
            body["loop_max_stall_ms"] = round(self.monitor.max_stall * 1000, 1)
        return web.json_response(body, status=503 if self.draining else 200)


def build_web_app(app: AsyncApp, health: Health) -> web.Application:
    """The aiohttp application ``python -m bot`` serves: Bolt's ``/slack/events`` plus ``/healthz``."""
    web_app = app.web_app(path=EVENTS_PATH)
    web_app.router.add_get(HEALTH_PATH, health.handle)
    return web_app


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


class HttpServer:
    """Serves a bot's web app with aiohttp; stops listening first, then drains, then closes."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._runner = web.AppRunner(build_web_app(bot.app, bot.health), access_log=None, shutdown_timeout=5)
        self._site: web.TCPSite | None = None
        self.url = ""

    async def start(self, host: str, port: int) -> str:
        """Listen; returns the base URL (``port=0`` picks a free port)."""
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, host, port)
        await self._site.start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.url = f"http://{bound_host}:{bound_port}"
        if self.bot.monitor is not None:
            self.bot.monitor.start()
        return self.url

    async def stop(self, *, grace: float = SHUTDOWN_GRACE) -> None:
        """Stop accepting requests, let tracked work finish (up to ``grace`` s), close everything."""
        if self._site is None:
            return
        self.bot.health.draining = True
        site, self._site = self._site, None
        await site.stop()
        finished = await self.bot.tasks.close(grace=grace)
        logger.info("shutdown: in-flight work %s", "finished" if finished else "cut short")
        await self._runner.cleanup()
        if self.bot.monitor is not None:
            await self.bot.monitor.stop()


async def serve(settings: Settings) -> int:
    """Serve until SIGTERM or SIGINT; returns the exit code."""
    bot = assemble_bot(settings, create_ivs_service())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        if settings.mode == "socket":
            return await serve_socket_mode(bot, stop)
        return await _serve_http(bot, stop)
    finally:
        await bot.ivs.aclose()


async def _serve_http(bot: Bot, stop: asyncio.Event) -> int:
    server = HttpServer(bot)
    try:
        url = await server.start("0.0.0.0", bot.settings.port)
    except OSError as error:
        print(f"ivs-events: cannot listen on PORT {bot.settings.port}: {error.strerror}", file=sys.stderr)
        return 1
    logger.info("serving Slack over HTTP at %s%s (health: %s)", url, EVENTS_PATH, HEALTH_PATH)
    await stop.wait()
    logger.info("stopping: no new requests; finishing answers in flight (up to %.0f s)", SHUTDOWN_GRACE)
    await server.stop()
    return 0


async def serve_socket_mode(bot: Bot, stop: asyncio.Event) -> int:
    """Connect out over Socket Mode until ``stop`` is set, then drain like HTTP mode does."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(bot.app, bot.settings.slack_app_token)
    if bot.monitor is not None:
        bot.monitor.start()
    await handler.connect_async()  # type: ignore[no-untyped-call]
    logger.info("connected to Slack over Socket Mode")
    await stop.wait()
    logger.info("stopping: disconnecting; finishing answers in flight (up to %.0f s)", SHUTDOWN_GRACE)
    await handler.disconnect_async()  # type: ignore[no-untyped-call]
    await bot.tasks.close(grace=SHUTDOWN_GRACE)
    await handler.close_async()  # type: ignore[no-untyped-call]
    if bot.monitor is not None:
        await bot.monitor.stop()
    return 0


def main(argv: list[str]) -> int:
    """``python -m bot serve``: validate the environment once, then serve; returns the exit code."""
    if argv and argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0
    try:
        settings = Settings.from_env(os.environ)
    except ConfigError as error:
        print(f"ivs-events: {error}", file=sys.stderr)
        return 2
    configure_logging(settings)
    return asyncio.run(serve(settings))
