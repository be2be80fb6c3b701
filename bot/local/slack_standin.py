"""A local stand-in for Slack, both ways: the Web API the bot calls, and the signed requests Slack sends.

``SlackStandIn`` is an aiohttp server (port 0 by default) that answers the Web API methods the bot uses,
gives out ``response_url`` and upload URLs under its own address, and records every call (method, body,
headers) so tests can assert what the bot sent. Failures are scriptable: 429 with Retry-After for the next
N calls of a method, ``not_in_channel`` for a channel, a join that is refused, a wrong bot or app token
(``invalid_auth``), a Web API that never answers, a Socket Mode WebSocket that is refused.

``SlackRequests`` plays Slack's other half: it builds the payloads of a slash command, a button click, a
message shortcut and an Events API delivery, signs them like Slack does and POSTs them to the app.

Used by the console, the end-to-end tests and the benchmark; never in production.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import parse_qsl, urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

BOT_USER_ID = "U0BOT0001"
BOT_ID = "B0BOT0001"
TEAM_ID = "T0TEAM001"
# response_url accepts 5 posts within 30 minutes (Slack's docs); a sixth is refused here as Slack would.
RESPONSE_URL_POST_LIMIT = 5
_JSON_FIELDS = ("blocks", "attachments", "files", "metadata")


@dataclass(frozen=True, slots=True)
class Call:
    """One request the stand-in received: a Web API method, an upload, or a response_url post."""

    method: str
    body: dict[str, Any]
    headers: Mapping[str, str]
    at: float
    status: int = 200
    answer: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Message:
    """A message that exists in the stand-in's workspace (posted by the bot or seeded by a test)."""

    channel: str
    ts: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    user: str = BOT_USER_ID
    response_type: str = "in_channel"

    def as_payload(self) -> dict[str, Any]:
        """The message as Slack puts it in payloads and conversations.replies."""
        out: dict[str, Any] = {"type": "message", "ts": self.ts, "text": self.text, "user": self.user}
        if self.blocks:
            out["blocks"] = self.blocks
        if self.attachments:
            out["attachments"] = self.attachments
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        return out


@dataclass(frozen=True, slots=True)
class Upload:
    """A file the bot completed uploading."""

    file_id: str
    filename: str
    title: str
    channel: str
    thread_ts: str | None
    initial_comment: str | None
    content: bytes

    @property
    def text(self) -> str:
        """The content, decoded."""
        return self.content.decode()


@dataclass(frozen=True, slots=True)
class ResponseUrlPost:
    """One post to a response_url the stand-in gave out."""

    hook: str
    body: dict[str, Any]
    status: int


@dataclass(slots=True)
class _Fault:
    remaining: int
    status: int
    error: str | None
    retry_after: int


class SlackStandIn:
    """The Slack Web API, on loopback, recording everything.

    Usage::

        async with SlackStandIn() as slack:
            client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url)
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_token: str | None = None,
        app_token: str | None = None,
    ) -> None:
        self._host, self._port = host, port
        self._bot_token = bot_token
        self._app_token = app_token
        self._sockets_refused = False
        self._stalled = False
        self._unstall = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.calls: list[Call] = []
        self.messages: list[Message] = []
        self.uploads: list[Upload] = []
        self.response_posts: list[ResponseUrlPost] = []
        self.ephemerals: list[dict[str, Any]] = []
        self.joined: set[str] = set()
        self._faults: dict[str, _Fault] = {}
        self._denied: dict[str, str] = {}
        self._join_refused: dict[str, str] = {}
        self._pending_files: dict[str, tuple[str, bytes | None]] = {}
        self._hook_channels: dict[str, str] = {}
        self._hook_ids = itertools.count(1_000_000_001)
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_acks: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.socket_connected = asyncio.Event()
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._changed = asyncio.Event()
        self.on_change: Callable[[Call], None] | None = None

    # --- lifecycle ----------------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Bind and serve; ``url`` is then the stand-in's base address."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)  # slack_sdk GETs some methods
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_post("/commands/{team}/{hook_id}/{hook}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def close(self) -> None:
        """Stop serving."""
        self._unstall.set()
        for socket in self._sockets:
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def api_url(self) -> str:
        """The Web API base URL (``SLACK_API_URL``)."""
        return f"{self.url}/api/"

    def new_response_url(self) -> str:
        """A fresh response_url, as Slack puts in every command, shortcut and click payload."""
        return f"{self.url}/commands/{TEAM_ID}/{next(self._hook_ids)}/{secrets.token_urlsafe(18)}"

    # --- scripting failures ------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        times: int = 1,
        *,
        status: int = 429,
        error: str = "ratelimited",
        retry_after: int = 0,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (``"response_url"``: posts to any response_url) with
        ``status`` (429 carries Retry-After)."""
        self._faults[method] = _Fault(times, status, error, retry_after)

    def deny_channel(self, channel: str, error: str = "not_in_channel") -> None:
        """Refuse posts and file shares in ``channel`` with ``error`` until the bot joins it."""
        self._denied[channel] = error

    def stall(self) -> None:
        """Leave every Web API call unanswered (recorded on arrival, status 0) until the stand-in closes."""
        self._stalled = True

    def refuse_sockets(self) -> None:
        """Answer every Socket Mode WebSocket handshake with 503 (recorded as ``socket_refused``)."""
        self._sockets_refused = True

    def refuse_join(self, channel: str, error: str = "method_not_supported_for_channel_type") -> None:
        """Make conversations.join fail for ``channel`` (a private channel, say)."""
        self._join_refused[channel] = error

    # --- seeding and reading -----------------------------------------------------------------------

    def next_ts(self) -> str:
        """A new, increasing message timestamp."""
        return f"{1_770_000_000 + next(self._ts)}.000100"

    def add_message(self, channel: str, text: str = "", **fields: Any) -> Message:
        """Put a message (written by a person, say) into a channel, for shortcuts and threads."""
        message = Message(channel=channel, ts=fields.pop("ts", None) or self.next_ts(), text=text, **fields)
        self.messages.append(message)
        return message

    def calls_to(self, method: str) -> list[Call]:
        """Every recorded call of one Web API method (``"upload"`` and ``"response_url"`` included)."""
        return [c for c in self.calls if c.method == method]

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        """The messages of a thread: its parent first, then the replies."""
        return [m for m in self.messages if m.channel == channel and (thread_ts in (m.ts, m.thread_ts))]

    def posts_to(self, response_url: str) -> list[ResponseUrlPost]:
        """Everything posted to one response_url, in order."""
        hook = response_url.rsplit("/", 1)[-1]
        return [p for p in self.response_posts if p.hook == hook]

    async def wait_for(self, condition: Callable[[], object], *, within: float = 10.0) -> None:
        """Wait until ``condition()`` is true, re-checking after every call the stand-in receives.

        Raises:
            TimeoutError: with how many calls were seen, when it never became true.
        """
        try:
            async with asyncio.timeout(within):
                while not condition():
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            raise TimeoutError(f"condition not met after {within} s; {len(self.calls)} calls seen") from None

    # --- handlers -----------------------------------------------------------------------------------

    def _record(
        self, method: str, body: dict[str, Any], request: web.Request, status: int, answer: Mapping[str, Any]
    ) -> None:
        call = Call(method, body, dict(request.headers), time.monotonic(), status, answer)
        self.calls.append(call)
        self._changed.set()
        if self.on_change is not None:
            self.on_change(call)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await _read_body(request)
        if self._stalled:
            self._record(method, body, request, 0, {})
            await self._unstall.wait()
            return web.Response(status=503, text="stalled")
        status, headers, answer = self._answer(method, body, request)
        self._record(method, body, request, status, answer)
        return web.json_response(answer, status=status, headers=headers)

    def _answer(
        self, method: str, body: dict[str, Any], request: web.Request
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        fault = self._faults.get(method)
        if fault is not None and fault.remaining > 0:
            fault.remaining -= 1
            headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
            return fault.status, headers, {"ok": False, "error": fault.error}
        authorization = request.headers.get("Authorization", "")
        if method == "apps.connections.open":  # Socket Mode: called with the app-level token
            if not authorization.startswith("Bearer xapp-"):
                return 200, {}, {"ok": False, "error": "not_allowed_token_type"}
            if self._app_token is not None and authorization != f"Bearer {self._app_token}":
                return 200, {}, {"ok": False, "error": "invalid_auth"}
        elif self._bot_token is not None and authorization != f"Bearer {self._bot_token}":
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        answer: dict[str, Any] = handler(body)
        return 200, {}, answer

    def _denied_error(self, channel: str) -> str | None:
        if channel in self.joined:
            return None
        return self._denied.get(channel)

    def _m_auth_test(self, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://standin.example/",
            "team": "Stand-in",
            "user": "ivs-events",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
        }

    def _m_apps_connections_open(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.url.replace("http://", "ws://") + "/socket"}

    def _m_chat_postMessage(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel", ""))
        if error := self._denied_error(channel):
            return {"ok": False, "error": error}
        message = Message(
            channel=channel,
            ts=self.next_ts(),
            text=str(body.get("text", "")),
            blocks=list(body.get("blocks") or []),
            thread_ts=body.get("thread_ts") or None,
        )
        self.messages.append(message)
        return {"ok": True, "channel": channel, "ts": message.ts, "message": message.as_payload()}

    def _m_chat_postEphemeral(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel", ""))
        if error := self._denied_error(channel):
            return {"ok": False, "error": error}
        self.ephemerals.append(body)
        return {"ok": True, "message_ts": self.next_ts()}

    def _m_chat_update(self, body: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(body.get("channel", "")), str(body.get("ts", ""))
        for message in self.messages:
            if message.channel == channel and message.ts == ts:
                message.text = str(body.get("text", ""))
                message.blocks = list(body.get("blocks") or [])
                return {"ok": True, "channel": channel, "ts": ts, "text": message.text}
        return {"ok": False, "error": "message_not_found"}

    def _m_conversations_join(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel", ""))
        if error := self._join_refused.get(channel):
            return {"ok": False, "error": error}
        self.joined.add(channel)
        return {"ok": True, "channel": {"id": channel, "is_member": True}}

    def _m_conversations_open(self, body: dict[str, Any]) -> dict[str, Any]:
        users = str(body.get("users", ""))
        return {"ok": True, "channel": {"id": "D" + users.lstrip("UW")[:10]}}

    def _m_conversations_replies(self, body: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(body.get("channel", "")), str(body.get("ts", ""))
        thread = self.thread(channel, ts)
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        limit = int(body.get("limit") or 1000)
        return {
            "ok": True,
            "messages": [m.as_payload() for m in thread[:limit]],
            "has_more": len(thread) > limit,
        }

    def _m_files_getUploadURLExternal(self, body: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ids):08d}"
        self._pending_files[file_id] = (str(body.get("filename", "")), None)
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _m_files_completeUploadExternal(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel_id", ""))
        if error := self._denied_error(channel):
            return {"ok": False, "error": error}
        shared = []
        for item in body.get("files") or []:
            filename, content = self._pending_files.pop(item["id"], ("", None))
            if content is None:
                return {"ok": False, "error": "file_upload_not_found"}
            self.uploads.append(
                Upload(
                    file_id=item["id"],
                    filename=filename,
                    title=str(item.get("title") or filename),
                    channel=channel,
                    thread_ts=body.get("thread_ts") or None,
                    initial_comment=body.get("initial_comment"),
                    content=content,
                )
            )
            shared.append({"id": item["id"], "title": item.get("title"), "name": filename})
        return {"ok": True, "files": shared}

    async def _upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        content = await request.read()
        known = file_id in self._pending_files
        self._record(
            "upload", {"file_id": file_id, "length": len(content)}, request, 200 if known else 404, {}
        )
        if not known:
            return web.Response(status=404, text="unknown upload")
        self._pending_files[file_id] = (self._pending_files[file_id][0], content)
        return web.Response(text=f"OK - {len(content)}")

    async def _response_url(self, request: web.Request) -> web.Response:
        hook = request.match_info["hook"]
        body = await _read_body(request)
        used = sum(1 for p in self.response_posts if p.hook == hook and p.status == 200)
        status = 404 if used >= RESPONSE_URL_POST_LIMIT else 200
        fault = self._faults.get("response_url")  # fail_next("response_url", …): every response_url
        if fault is not None and fault.remaining > 0:
            fault.remaining -= 1
            status = fault.status
        self.response_posts.append(ResponseUrlPost(hook, body, status))
        answer: dict[str, Any] = {}
        if status == 200 and body.get("response_type") == "in_channel" and not body.get("delete_original"):
            message = Message(
                channel=self._hook_channels.get(hook, ""),
                ts=self.next_ts(),
                text=str(body.get("text", "")),
                blocks=list(body.get("blocks") or []),
                thread_ts=body.get("thread_ts"),
            )
            self.messages.append(message)
            answer = {"channel": message.channel, "ts": message.ts}
        self._record("response_url", {"hook": hook, **body}, request, status, answer)
        return web.Response(status=status, text="ok" if status == 200 else "used_url")

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        """Socket Mode: say hello, then relay envelopes to the app and collect its acks."""
        if self._sockets_refused:
            self._record("socket_refused", {}, request, 503, {})
            return web.Response(status=503, text="sockets refused")
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_json(
            {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0APP0001"}}
        )
        self.socket_connected.set()
        async for frame in socket:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(frame.data)
            self._record("socket_ack", data, request, 200, {})
            waiter = self._socket_acks.pop(str(data.get("envelope_id")), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(data)
        self._sockets.remove(socket)
        return socket

    async def socket_request(
        self, kind: str, payload: Mapping[str, Any], *, within: float = 10.0
    ) -> dict[str, Any]:
        """Send one Socket Mode envelope (``slash_commands``, ``interactive``, ``events_api``) to the
        connected app and return its ack (``{"envelope_id": ..., "payload": ...}``)."""
        await asyncio.wait_for(self.socket_connected.wait(), within)
        envelope_id = secrets.token_hex(8)
        waiter = asyncio.get_running_loop().create_future()
        self._socket_acks[envelope_id] = waiter
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": dict(payload),
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
        }
        await self._sockets[-1].send_json(envelope)
        ack: dict[str, Any] = await asyncio.wait_for(waiter, within)
        return ack

    def bind_response_url(self, response_url: str, channel: str) -> None:
        """Remember which channel a response_url belongs to (so in_channel answers become messages)."""
        self._hook_channels[response_url.rsplit("/", 1)[-1]] = channel


async def _read_body(request: web.Request) -> dict[str, Any]:
    """The call's arguments: slack_sdk sends some as JSON, some as a form, some in the query string."""
    body: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        data = await request.json()
        body.update(data if isinstance(data, dict) else {"_": data})
    else:
        body.update(parse_qsl(await request.text(), keep_blank_values=True))
    for name in _JSON_FIELDS:
        if isinstance(body.get(name), str):
            with contextlib.suppress(ValueError):
                body[name] = json.loads(body[name])
    return body


@dataclass(frozen=True, slots=True)
class AppResponse:
    """What the app answered to one signed request."""

    status: int
    text: str
    elapsed: float

    def json(self) -> Any:
        """The body as JSON (an ack with a message), or None for an empty ack."""
        return json.loads(self.text) if self.text.strip() else None


class SlackRequests:
    """Sends the app what Slack would: signed slash commands, clicks, shortcuts and events.

    Args:
        app_url: the app's ``/slack/events`` URL.
        signing_secret: the secret shared with the app.
        slack: the stand-in that hands out response URLs.
        session: an aiohttp session to send with (created on first use otherwise).
    """

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        slack: SlackStandIn,
        *,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.app_url = app_url
        self.slack = slack
        self._verifier = SignatureVerifier(signing_secret)
        self._session = session
        self._own_session = session is None
        self._events = itertools.count(1)

    async def session(self) -> aiohttp.ClientSession:
        """The HTTP session requests go out on (for a test that builds a raw request itself)."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def aclose(self) -> None:
        """Close the session this object created."""
        if self._own_session and self._session is not None:
            await self._session.close()

    async def post(
        self,
        body: str,
        *,
        content_type: str,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> AppResponse:
        """POST one raw body, signed for ``timestamp`` (now by default) unless ``signature`` is given."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        signed = signature or self._verifier.generate_signature(timestamp=ts, body=body) or ""
        all_headers: dict[str, str] = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signed,
            **(headers or {}),
        }
        session = await self.session()
        started = time.monotonic()
        async with session.post(self.app_url, data=body.encode(), headers=all_headers) as response:
            text = await response.text()
        return AppResponse(response.status, text, time.monotonic() - started)

    async def post_form(self, fields: Mapping[str, str], **kwargs: Any) -> AppResponse:
        """POST form fields, as Slack sends commands."""
        return await self.post(urlencode(fields), content_type="application/x-www-form-urlencoded", **kwargs)

    async def post_payload(self, payload: Mapping[str, Any], **kwargs: Any) -> AppResponse:
        """POST ``payload=<json>``, as Slack sends interactivity (clicks, shortcuts)."""
        return await self.post_form({"payload": json.dumps(payload)}, **kwargs)

    def command_fields(
        self, text: str, *, command: str, user: str = "U0ASKER01", channel: str = "C0CHANNEL1"
    ) -> dict[str, str]:
        """A slash command's form fields, with a fresh response_url."""
        response_url = self.slack.new_response_url()
        self.slack.bind_response_url(response_url, channel)
        return {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "standin",
            "channel_id": channel,
            "channel_name": "support",
            "user_id": user,
            "user_name": "asker",
            "command": command,
            "text": text,
            "api_app_id": "A0APP0001",
            "response_url": response_url,
            "trigger_id": f"1.{next(self._events)}.trigger",
        }

    async def command(self, text: str, *, command: str, **kwargs: Any) -> tuple[AppResponse, str]:
        """Run a slash command; returns the app's ack and the command's response_url."""
        fields = self.command_fields(text, command=command, **kwargs)
        return await self.post_form(fields), fields["response_url"]

    async def click(
        self,
        *,
        action_id: str,
        value: str,
        channel: str,
        message: Message | None,
        user: str = "U0ASKER01",
        block_id: str = "actions",
        response_url: str | None = None,
    ) -> tuple[AppResponse, str]:
        """Click a button; ``message=None`` is a button on an ephemeral message (no ``message`` key).

        ``response_url`` reuses a URL already given out (e.g. one whose posts are used up).
        """
        response_url = response_url or self.slack.new_response_url()
        self.slack.bind_response_url(response_url, channel)
        container: dict[str, Any] = {"type": "message", "channel_id": channel}
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": TEAM_ID, "domain": "standin"},
            "user": {"id": user, "username": "asker", "team_id": TEAM_ID},
            "api_app_id": "A0APP0001",
            "channel": {"id": channel, "name": "support"},
            "container": container,
            "response_url": response_url,
            "trigger_id": f"2.{next(self._events)}.trigger",
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        if message is None:
            container.update(message_ts=self.slack.next_ts(), is_ephemeral=True)
        else:
            container.update(message_ts=message.ts, is_ephemeral=False)
            if message.thread_ts:
                container["thread_ts"] = message.thread_ts
            payload["message"] = message.as_payload()
        return await self.post_payload(payload), response_url

    async def message_shortcut(
        self, *, callback_id: str, message: Message, user: str = "U0ASKER01"
    ) -> tuple[AppResponse, str]:
        """Use a message shortcut on ``message``."""
        response_url = self.slack.new_response_url()
        self.slack.bind_response_url(response_url, message.channel)
        payload = {
            "type": "message_action",
            "callback_id": callback_id,
            "team": {"id": TEAM_ID, "domain": "standin"},
            "user": {"id": user, "name": "asker", "team_id": TEAM_ID},
            "channel": {"id": message.channel, "name": "support"},
            "message": message.as_payload(),
            "message_ts": message.ts,
            "response_url": response_url,
            "trigger_id": f"3.{next(self._events)}.trigger",
            "action_ts": f"{time.time():.6f}",
        }
        return await self.post_payload(payload), response_url

    def event_envelope(self, event: Mapping[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
        """An Events API ``event_callback`` around ``event``."""
        return {
            "token": "legacy-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": "A0APP0001",
            "event": dict(event),
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._events):010d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        }

    async def mention(
        self,
        text: str,
        *,
        channel: str = "C0CHANNEL1",
        user: str = "U0ASKER01",
        thread_ts: str | None = None,
        event_id: str | None = None,
        retry_num: int | None = None,
    ) -> tuple[AppResponse, dict[str, Any]]:
        """Deliver an ``app_mention`` (the message is added to the channel first, as Slack would).

        ``retry_num`` marks a redelivery (X-Slack-Retry-Num), which carries the same event_id.
        """
        message = self.slack.add_message(channel, f"<@{BOT_USER_ID}> {text}", user=user, thread_ts=thread_ts)
        event: dict[str, Any] = {
            "type": "app_mention",
            "user": user,
            "text": message.text,
            "ts": message.ts,
            "channel": channel,
            "event_ts": message.ts,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        envelope = self.event_envelope(event, event_id=event_id)
        return await self.deliver(envelope, retry_num=retry_num), envelope

    async def deliver(self, envelope: Mapping[str, Any], *, retry_num: int | None = None) -> AppResponse:
        """POST an Events API envelope as JSON, optionally as Slack's Nth retry."""
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post(json.dumps(envelope), content_type="application/json", headers=headers)
