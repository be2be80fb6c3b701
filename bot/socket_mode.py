"""Socket Mode: connect out to Slack until told to stop, then drain; quiet logs, no connection ticket."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.running_bot import SHUTDOWN_GRACE, Bot
from bot.startup_checks import Stopped, open_socket_mode_url, until_stopped

logger = logging.getLogger(__name__)

# Failures a Socket Mode connection meets in normal life (network, Slack restarting, a refused handshake).
DISCONNECT_TIMEOUT = 2.0
_BODY_LINES = ("Received message", "Sending a message")
EXPECTED_CONNECTION_ERRORS = (aiohttp.ClientError, OSError, TimeoutError, SlackApiError)


class ConnectionErrorsOnOneLine(logging.Filter):
    """slack_sdk logs every failed Socket Mode connection with a traceback; an expected one gets one line.

    (The connection ticket in the WebSocket URL it logs is blanked by ``bot.log_redaction``, like every
    other credential.)
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, EXPECTED_CONNECTION_ERRORS):
            record.exc_info, record.exc_text = None, None
        message = record.getMessage()
        cleaned = message.replace("\n", " ")  # a SlackApiError spans 2 lines
        # At DEBUG slack_sdk writes every envelope it receives or sends: a request body (user ids, text,
        # response_url). Its size is all an operator needs.
        for opening in _BODY_LINES:
            if cleaned.startswith(opening):
                cleaned = f"{opening} (body not logged, {len(message)} characters)"
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def socket_mode_logger() -> logging.Logger:
    """The logger given to slack_sdk's Socket Mode client, with :class:`ConnectionErrorsOnOneLine`."""
    socket_logger = logging.getLogger(f"{__name__}.client")  # slack_sdk's Socket Mode client logs here
    if not any(isinstance(f, ConnectionErrorsOnOneLine) for f in socket_logger.filters):
        socket_logger.addFilter(ConnectionErrorsOnOneLine())
    return socket_logger


async def serve_socket_mode(bot: Bot, stop: asyncio.Event) -> int:
    """Connect out over Socket Mode until ``stop`` is set, then drain like HTTP mode does.

    A connection that fails is retried by slack_sdk (one log line each time) until ``stop`` is set.

    Raises:
        StartupError: Slack rejected ``SLACK_APP_TOKEN`` or could not be reached.
    """
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    try:
        socket_url = await until_stopped(open_socket_mode_url(bot.client, bot.settings), stop)
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
        with suppress(TimeoutError):  # a Slack that does not answer must not hold up the exit
            async with asyncio.timeout(DISCONNECT_TIMEOUT):
                await handler.disconnect_async()  # type: ignore[no-untyped-call]
        finished = await bot.tasks.close(grace=SHUTDOWN_GRACE)
        logger.info("shutdown: in-flight work %s", "finished" if finished else "cut short")
        return 0
    finally:
        with suppress(TimeoutError):
            async with asyncio.timeout(DISCONNECT_TIMEOUT):
                await handler.close_async()  # type: ignore[no-untyped-call]
        if bot.monitor is not None:
            await bot.monitor.stop()
