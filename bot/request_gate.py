"""The door of ``POST /slack/events``: Slack's signature first, then size, replays and shape, then Bolt.

Bolt parses the body (and runs ``int()`` on the timestamp) before it checks the signature, and logs the
whole body of a request it refuses. Here nothing is parsed or logged before the signature holds:

1. The timestamp and signature headers must be well formed and the timestamp within Slack's 5 minutes
   (401 otherwise; the body is not even read).
2. The body is read up to :data:`MAX_BODY_BYTES` (413 past it), and its HMAC-SHA256 must match (401).
3. A request whose timestamp and signature were already seen is a replay: answered 200 with nothing
   done, so a genuine duplicate delivery is not retried by Slack and a replay posts nothing.
4. The body must be UTF-8 and a JSON object, or a form whose ``payload`` (if any) is a JSON object (400).
5. Bolt handles it, with its own verification off. A signed payload that Bolt or a listener cannot read
   gets 400 and one short log line, never a 500.

Every refusal writes one short line (never the body, never a header value), at most
:data:`REFUSALS_LOGGED_PER_MINUTE` a minute, so a flood of junk cannot flood the log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import aiohttp.http_exceptions
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.seen_keys import SeenKeys

logger = logging.getLogger(__name__)

# Slack's bodies are far smaller (a message shortcut carries one message: 40,000 characters at most).
MAX_BODY_BYTES = 1024 * 1024
# Slack: "verify that the request timestamp is within five minutes of the local time".
SIGNATURE_MAX_AGE = 5 * 60
REFUSALS_LOGGED_PER_MINUTE = 20
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_FORM = "application/x-www-form-urlencoded"


class RefusedRequest(Exception):
    """A request that goes no further; ``status`` is the HTTP answer, the message the log line."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


class SlackRequestGate:
    """Checks each request from Slack, then hands it to the Bolt app.

    Args:
        app: the Bolt app (built with ``request_verification_enabled=False``: this gate verifies).
        signing_secret: ``SLACK_SIGNING_SECRET``.
        seen: remembers (timestamp, signature) pairs for :data:`SIGNATURE_MAX_AGE`, to refuse replays.
        clock: wall-clock seconds (Slack's timestamps are Unix time).
    """

    def __init__(
        self,
        app: AsyncApp,
        signing_secret: str,
        seen: SeenKeys,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._app = app
        self._secret = signing_secret.encode()
        self._seen = seen
        self._clock = clock
        self._log = RefusalLog(clock=time.monotonic)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """aiohttp handler for ``POST /slack/events``."""
        try:
            body = await self._verified_body(request)
            if not await self._seen.first_time(_replay_key(request)):
                self._log.refused("a replayed request (same timestamp and signature): ignored", request)
                return web.Response(status=200)
            text = _readable(body, request.content_type)
        except RefusedRequest as refused:
            self._log.refused(str(refused), request)
            return web.Response(status=refused.status, text=_STATUS_TEXT.get(refused.status, ""))
        try:
            bolt_request = AsyncBoltRequest(
                body=text, query=request.query_string, headers=dict(request.headers)
            )
            response = await self._app.async_dispatch(bolt_request)
        except Exception as error:  # Bolt's own parsing of a payload of an unexpected shape
            self._log.refused(f"a payload Bolt could not read ({type(error).__name__})", request)
            return web.Response(status=400, text=_STATUS_TEXT[400])
        if response.status >= 500:
            # Bolt answers 500 when a listener cannot read a (signed) payload; its error handler logged it.
            return web.Response(status=400, text=_STATUS_TEXT[400])
        return await to_aiohttp_response(response)

    async def _verified_body(self, request: web.Request) -> bytes:
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
            raise RefusedRequest(401, "missing or malformed signature headers")
        if abs(self._clock() - int(timestamp)) > SIGNATURE_MAX_AGE:
            raise RefusedRequest(401, "a stale or future timestamp (more than 5 minutes off)")
        if (request.content_length or 0) > MAX_BODY_BYTES:
            raise RefusedRequest(413, f"a body of {request.content_length} bytes")
        try:
            body = await _read_bounded(request)
        except (ConnectionError, aiohttp.ClientPayloadError, aiohttp.http_exceptions.HttpProcessingError):
            raise RefusedRequest(400, "a body cut off or malformed in transit") from None
        signed = b"v0:%s:%s" % (timestamp.encode(), body)
        expected = "v0=" + hmac.new(self._secret, signed, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise RefusedRequest(401, "a bad signature")
        return body


async def _read_bounded(request: web.Request) -> bytes:
    """The body, or RefusedRequest(413) as soon as it grows past MAX_BODY_BYTES (chunked bodies too)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(64 * 1024):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise RefusedRequest(413, f"a body over {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _replay_key(request: web.Request) -> str:
    return (
        "replay:" + request.headers["X-Slack-Request-Timestamp"] + ":" + request.headers["X-Slack-Signature"]
    )


def _readable(body: bytes, content_type: str) -> str:
    """The body as text Bolt can parse without failing; RefusedRequest(400) says why not."""
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise RefusedRequest(400, "a body that is not UTF-8") from None
    if content_type == _FORM and not text.startswith("{"):
        payload = dict(parse_qsl(text, keep_blank_values=True)).get("payload") if "payload" in text else None
        if payload is not None:
            _json_object(payload, "a form whose payload is not a JSON object")
        return text
    if content_type == "application/json" or text.startswith("{"):
        _json_object(text, "a body that is not a JSON object")
        return text
    raise RefusedRequest(400, "a body that is neither a form nor JSON")


def _json_object(text: str, problem: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise RefusedRequest(400, problem) from None
    if not isinstance(value, dict):
        raise RefusedRequest(400, problem)
    return value


_STATUS_TEXT = {400: "malformed request", 401: "invalid request signature", 413: "request too large"}


class RefusalLog:
    """One short line per refused request, at most :data:`REFUSALS_LOGGED_PER_MINUTE` a minute.

    The rest are counted and summed up in one line when the next minute begins.
    """

    def __init__(self, *, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._window_start = clock()
        self._logged = 0
        self._suppressed = 0

    def refused(self, reason: str, request: web.Request) -> None:
        now = self._clock()
        if now - self._window_start >= 60:
            if self._suppressed:
                logger.warning("refused %d more Slack requests in the last minute", self._suppressed)
            self._window_start, self._logged, self._suppressed = now, 0, 0
        if self._logged >= REFUSALS_LOGGED_PER_MINUTE:
            self._suppressed += 1
            return
        self._logged += 1
        logger.warning("refused a request to %s from %s: %s", request.path, request.remote, reason)


class OneLineServerErrors(logging.Filter):
    """aiohttp's own server logs each malformed HTTP request (bad headers, a cut connection) at ERROR with
    a traceback: a stranger could flood the log that way. Those become one short line, counted against
    the same per-minute bound as the gate's refusals; anything else passes as it is."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._clock = clock
        self._window_start = clock()
        self._logged = 0

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, _TRANSPORT_ERRORS):
            return True
        now = self._clock()
        if now - self._window_start >= 60:
            self._window_start, self._logged = now, 0
        if self._logged >= REFUSALS_LOGGED_PER_MINUTE:
            return False
        self._logged += 1
        record.msg, record.args = f"refused a malformed HTTP request: {type(error).__name__}", None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info, record.exc_text = None, None
        return True


_TRANSPORT_ERRORS = (aiohttp.http_exceptions.HttpProcessingError, ConnectionError, aiohttp.ClientPayloadError)
