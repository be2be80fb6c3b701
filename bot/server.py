"""``python -m bot [serve]``: serve Slack over HTTP on ``$PORT`` or over Socket Mode, and shut down gently.

Start-up first asks Slack's ``auth.test`` whether it accepts ``SLACK_BOT_TOKEN`` (and, in Socket Mode,
``apps.connections.open`` whether it accepts ``SLACK_APP_TOKEN``): a token Slack rejects, or a
``SLACK_API_URL`` that cannot be reached, stops start-up with one line and exit code 2.

HTTP mode serves ``POST /slack/events`` (commands, interactivity and events share one URL; every request
passes :class:`~bot.request_gate.SlackRequestGate` first) and ``GET /healthz``. With ``SLACK_APP_TOKEN``
set the bot connects out over Socket Mode instead and opens no port.

On SIGTERM or SIGINT it stops listening, lets the answers already being worked on finish (at most
:data:`SHUTDOWN_GRACE` seconds; a request that still arrives on an open connection is answered too), then
tells each asker whose answer could not finish to ask again, and exits: within :data:`EXIT_WITHIN`
seconds of the signal whatever IVS or Slack are doing. A signal during start-up stops it at once (exit 0).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
import time

from aiohttp import web

from bot.config import ConfigError, Settings, configure_logging
from bot.ivs.service import create_ivs_service
from bot.request_gate import MAX_BODY_BYTES, OneLineServerErrors
from bot.running_bot import SHUTDOWN_GRACE, Bot, start_bot
from bot.socket_mode import serve_socket_mode
from bot.startup_checks import StartupError, Stopped, until_stopped

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


# Most platforms send SIGKILL 30 s after SIGTERM: the process is gone well before.
EXIT_WITHIN = 25.0
# How long idle worker threads get to notice the pool is shut down before the rest count as stuck.
IDLE_THREADS_EXIT_WITHIN = 1.0


def build_web_app(bot: Bot) -> web.Application:
    """What ``python -m bot`` serves: ``/slack/events`` (the gate, then Bolt) and ``/healthz``."""
    gate = bot.request_gate()

    async def slack_events(request: web.Request) -> web.StreamResponse:
        if bot.tasks.closed:  # past the grace period: say so rather than accept work that cannot run
            return web.Response(status=503, text="restarting: try again in a minute")
        return await gate.handle(request)

    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app.router.add_post(EVENTS_PATH, slack_events)
    web_app.router.add_get(HEALTH_PATH, bot.health.handle)
    return web_app


class HttpServer:
    """Serves a bot's web app with aiohttp; stops listening first, then drains, then closes."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self._runner = web.AppRunner(build_web_app(bot), access_log=None, shutdown_timeout=1)
        self._site: web.TCPSite | None = None
        self.url = ""

    async def start(self, host: str, port: int) -> str:
        """Listen; returns the base URL (``port=0`` picks a free port)."""
        server_log = logging.getLogger("aiohttp.server")
        if not any(isinstance(f, OneLineServerErrors) for f in server_log.filters):
            server_log.addFilter(OneLineServerErrors())
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
    ivs = create_ivs_service(calls_per_second=settings.ivs_max_tps)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        bot = await until_stopped(start_bot(settings, ivs), stop)
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
        await ivs.aclose()


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
    configure_logging(settings, os.environ)
    code = asyncio.run(serve(settings))
    exit_without_waiting_for_stuck_calls(code)
    return code


def exit_without_waiting_for_stuck_calls(code: int) -> None:
    """Exit now if AWS calls are still stuck in worker threads (a hung endpoint, botocore retrying).

    Python would wait for every worker thread at exit: 41 s with hung IVS calls, past the platform's
    SIGKILL. Their askers were already told, so the threads are abandoned: logs flushed, then ``os._exit``.
    """
    deadline = time.monotonic() + IDLE_THREADS_EXIT_WITHIN
    stuck = []
    for thread in threading.enumerate():
        if thread is threading.main_thread() or thread.daemon:
            continue
        thread.join(timeout=max(0.0, deadline - time.monotonic()))  # idle workers end at once
        if thread.is_alive():
            stuck.append(thread.name)
    if not stuck:
        return
    logger.warning("exiting with %d call(s) still stuck in worker threads", len(stuck))
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
