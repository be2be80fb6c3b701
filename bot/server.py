"""``python -m bot [serve]``: serve Slack over HTTP on ``$PORT`` or over Socket Mode, and shut down gently.

Start-up first asks Slack's ``auth.test`` whether it accepts ``SLACK_BOT_TOKEN`` (and, in Socket Mode,
``apps.connections.open`` whether it accepts ``SLACK_APP_TOKEN``): a token Slack rejects, or a
``SLACK_API_URL`` that cannot be reached, stops start-up with one line and exit code 2.

HTTP mode serves ``POST /slack/events`` (commands, interactivity and events share one URL) and
``GET /healthz``. With ``SLACK_APP_TOKEN`` set the bot connects out over Socket Mode instead and opens no
port. On SIGTERM or SIGINT it stops taking new requests, lets the answers already being worked on finish
(at most :data:`SHUTDOWN_GRACE` seconds), then closes; a signal during start-up stops it at once (exit 0).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

from aiohttp import web
from slack_bolt.async_app import AsyncApp

from bot.config import ConfigError, Settings, configure_logging
from bot.health import Health
from bot.ivs.service import create_ivs_service
from bot.running_bot import SHUTDOWN_GRACE, Bot, assemble_bot
from bot.socket_mode import serve_socket_mode
from bot.startup_checks import StartupError, Stopped, check_bot_token, until_stopped

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def build_web_app(app: AsyncApp, health: Health) -> web.Application:
    """The aiohttp application ``python -m bot`` serves: Bolt's ``/slack/events`` plus ``/healthz``."""
    web_app = app.web_app(path=EVENTS_PATH)
    web_app.router.add_get(HEALTH_PATH, health.handle)
    return web_app


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
    """Check the tokens, then serve until SIGTERM or SIGINT; returns the exit code."""
    bot = assemble_bot(settings, create_ivs_service())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await until_stopped(check_bot_token(bot.app.client, settings), stop)
        if settings.mode == "socket":
            return await serve_socket_mode(bot, stop)
        return await _serve_http(bot, stop)
    except StartupError as error:
        print(f"ivs-events: {error}", file=sys.stderr)
        return 2
    except Stopped:
        logger.info("stopped before start-up finished")
        return 0
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
