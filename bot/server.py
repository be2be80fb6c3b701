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
import re
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

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
# Failures a Socket Mode connection meets in normal life (network, Slack restarting, a refused handshake).
EXPECTED_CONNECTION_ERRORS = (aiohttp.ClientError, OSError, TimeoutError, SlackApiError)


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
) -> AsyncSlackResponse:
    """Call ``auth.test`` once, so a wrong token or URL stops start-up instead of failing every request.

    Raises:
        StartupError: Slack rejected ``SLACK_BOT_TOKEN`` or could not be reached within ``within`` s.
    """
    identity = await _ask_slack_at_start_up(
        client, client.auth_test, token_name="SLACK_BOT_TOKEN", api_url=settings.slack_api_url, within=within
    )
    logger.info(
        "Slack accepted the bot token: bot user %s in team %s", identity.get("user_id"), identity.get("team")
    )
    return identity


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


# A Socket Mode URL carries a short-lived connection ticket: a credential, never logged.
_WEBSOCKET_TICKET = re.compile(r"([?&]ticket=)[^&\s'\"]+")


class ConnectionErrorsOnOneLine(logging.Filter):
    """slack_sdk logs every failed Socket Mode connection with a traceback; an expected one gets one line.

    The connection ticket in the WebSocket URL it logs is blanked.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, EXPECTED_CONNECTION_ERRORS):
            record.exc_info, record.exc_text = None, None
        message = record.getMessage()
        cleaned = _WEBSOCKET_TICKET.sub(r"\1…", message.replace("\n", " "))  # a SlackApiError spans 2 lines
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def socket_mode_logger() -> logging.Logger:
    """The logger given to slack_sdk's Socket Mode client, with :class:`ConnectionErrorsOnOneLine`."""
    socket_logger = logging.getLogger(f"{__name__}.socket_mode")
    if not any(isinstance(f, ConnectionErrorsOnOneLine) for f in socket_logger.filters):
        socket_logger.addFilter(ConnectionErrorsOnOneLine())
    return socket_logger


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


async def serve_socket_mode(bot: Bot, stop: asyncio.Event) -> int:
    """Connect out over Socket Mode until ``stop`` is set, then drain like HTTP mode does.

    A connection that fails is retried by slack_sdk (one log line each time) until ``stop`` is set.

    Raises:
        StartupError: Slack rejected ``SLACK_APP_TOKEN`` or could not be reached.
    """
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    try:
        socket_url = await until_stopped(open_socket_mode_url(bot.app.client, bot.settings), stop)
    except Stopped:
        logger.info("stopped before start-up finished")
        return 0
    handler = AsyncSocketModeHandler(bot.app, bot.settings.slack_app_token, logger=socket_mode_logger())
    handler.client.wss_uri = socket_url  # the URL just issued: slack_sdk would otherwise ask for another
    try:
        try:
            await until_stopped(handler.connect_async(), stop)  # type: ignore[no-untyped-call]
        except Stopped:
            logger.info("stopped before the Socket Mode connection was up")
            return 0
        logger.info("connected to Slack over Socket Mode")
        if bot.monitor is not None:
            bot.monitor.start()
        await stop.wait()
        logger.info("stopping: disconnecting; finishing answers in flight (up to %.0f s)", SHUTDOWN_GRACE)
        # Without this slack_sdk reconnects the closed socket and Slack would send new requests.
        handler.client.auto_reconnect_enabled = handler.client.default_auto_reconnect_enabled = False
        await handler.disconnect_async()  # type: ignore[no-untyped-call]
        finished = await bot.tasks.close(grace=SHUTDOWN_GRACE)
        logger.info("shutdown: in-flight work %s", "finished" if finished else "cut short")
        return 0
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        if bot.monitor is not None:
            await bot.monitor.stop()


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
