"""``python -m bot console``: talk to the real Slack app in a terminal, no workspace or AWS account needed.

The real app runs in-process, served over real HTTP on loopback; every line you type becomes the signed
request Slack would send (the same path as the end-to-end tests). Its Web API calls go to the local Slack
stand-in and its IVS calls to the local IVS RealTime endpoint with the demo stage. What the app sends
back to "Slack" is printed as text: replies, private notes, edits, buttons (numbered) and uploaded files.

Works from a pipe too: ``printf '/ivs-events <arn> <session> <participant>\\n1\\n' | python -m bot console``.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Self, TextIO

from bot.config import Settings
from bot.ivs.service import create_ivs_service
from bot.local.ivs_endpoint import LocalIvsEndpoint
from bot.local.scenarios import DEMO_PARTICIPANTS, DEMO_SESSION_ID, DEMO_STAGE_ARN
from bot.local.slack_standin import Call, Message, SlackRequests, SlackStandIn
from bot.server import EVENTS_PATH, HttpServer, assemble_bot
from bot.slack_ids import COMMAND, DIAGNOSE_SHORTCUT

CHANNEL = "C0CONSOLE1"
USER = "U0YOU00001"
BOT_TOKEN = "xoxb-console-local-only"
FILE_PREVIEW_LINES = 12
WAIT_SECONDS = 60.0
SPAWN_WAIT = 0.5
# Credentials for the local endpoint only: it checks that calls are signed, not who signed them.
LOCAL_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "AKIDLOCALCONSOLE",
    "AWS_SECRET_ACCESS_KEY": "local-console-secret",
    "AWS_EC2_METADATA_DISABLED": "true",
}
HELP = f"""Type what you would type in Slack:
  {COMMAND} <stage-arn> <session-id> <participant-id> [private]
  {COMMAND} help
  @bot <text with ids>           an @mention in the channel
  shortcut <text with ids>       post a message, then use "Diagnose IVS participant" on it
  1, 2, …                        press a numbered button
  demo                           list the demo participants, with commands to copy
  help, quit"""


@dataclass(frozen=True, slots=True)
class Button:
    """A button seen in a reply, pressable by its number."""

    label: str
    action_id: str
    value: str
    message: Message | None  # None: the button is on an ephemeral message


class Console:
    """The app, the stand-ins and a line-by-line conversation with them.

    Use ``async with Console() as console: print(await console.handle("demo"))``.
    """

    def __init__(self) -> None:
        self.ivs_endpoint = LocalIvsEndpoint()
        self.slack = SlackStandIn(bot_token=BOT_TOKEN)
        self.buttons: list[Button] = []
        self._server: HttpServer | None = None
        self._requests: SlackRequests | None = None

    async def __aenter__(self) -> Self:
        await self.ivs_endpoint.start()
        os.environ.update(LOCAL_AWS_ENVIRONMENT)
        os.environ["AWS_ENDPOINT_URL_IVS_REALTIME"] = self.ivs_endpoint.url
        await self.slack.start()
        secret = secrets.token_hex(16)
        settings = Settings(
            slack_bot_token=BOT_TOKEN, slack_signing_secret=secret, slack_api_url=self.slack.api_url
        )
        self._server = HttpServer(assemble_bot(settings, create_ivs_service()))
        url = await self._server.start("127.0.0.1", 0)
        self._requests = SlackRequests(url + EVENTS_PATH, secret, self.slack)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._requests is not None:
            await self._requests.aclose()
        if self._server is not None:
            await self._server.stop(grace=5)
            await self._server.bot.ivs.aclose()
        await self.slack.close()
        await self.ivs_endpoint.stop()

    @property
    def requests(self) -> SlackRequests:
        """The signed-request sender (after start)."""
        assert self._requests is not None, "use Console as an async context manager"
        return self._requests

    async def handle(self, line: str) -> str:
        """Act on one typed line; returns what to print."""
        line = line.strip()
        if not line:
            return ""
        if line in {"help", "?"}:
            return HELP
        if line == "demo":
            return demo_listing()
        if line.isdigit():
            return await self._press(int(line))
        if line.startswith("/"):
            command, _, text = line.partition(" ")
            return await self._exchange(
                self.requests.command(text, command=command, user=USER, channel=CHANNEL)
            )
        if line.startswith("@"):
            _, _, text = line.partition(" ")
            return await self._exchange(self.requests.mention(text, channel=CHANNEL, user=USER))
        if line.startswith("shortcut "):
            message = self.slack.add_message(CHANNEL, line.removeprefix("shortcut "), user=USER)
            sent = self.requests.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message, user=USER)
            return await self._exchange(sent)
        return f"Not understood: {line!r}. Type `help`."

    async def _press(self, number: int) -> str:
        if not 1 <= number <= len(self.buttons):
            return f"No button {number}." + (" Run a query first." if not self.buttons else "")
        button = self.buttons[number - 1]
        sent = self.requests.click(
            action_id=button.action_id, value=button.value, channel=CHANNEL, message=button.message, user=USER
        )
        return await self._exchange(sent)

    async def _exchange(self, sending: Any) -> str:
        """Send one request, wait for the work it caused, and render everything the app sent to Slack."""
        assert self._server is not None
        tasks = self._server.bot.tasks
        started, seen = tasks.started, len(self.slack.calls)
        response, *_ = await sending
        lines = []
        if response.status != 200:
            lines.append(f"(Slack would show an error: the app answered HTTP {response.status})")
        elif ack := response.json():
            lines.append(self._render_message(ack, prefix="(only you) "))
        # Work caused by the request starts before the ack (commands, clicks) or just after it (events).
        if not await tasks.wait_idle(after=started, within=SPAWN_WAIT) and tasks.started > started:
            await tasks.wait_idle(within=WAIT_SECONDS)
        lines += [text for call in self.slack.calls[seen:] if (text := self._render_call(call))]
        return "\n".join(lines)

    def _render_call(self, call: Call) -> str:
        body = call.body
        if call.method == "response_url":
            if body.get("delete_original") or call.status != 200:
                return ""
            private = body.get("response_type") != "in_channel"
            message = self._message(body, call.answer)
            return self._render_message(body, prefix="(only you) " if private else "", message=message)
        if call.method == "chat.postMessage" and call.answer.get("ok"):
            return self._render_message(
                body, prefix="(in the thread) ", message=self._message(body, call.answer)
            )
        if call.method == "chat.update" and call.answer.get("ok"):
            return self._render_message(body, prefix="(edited) ")
        if call.method == "chat.postEphemeral" and call.answer.get("ok"):
            return "(only you) " + plain(str(body.get("text", "")))
        if call.method == "files.completeUploadExternal" and call.answer.get("ok"):
            return "\n".join(self._render_upload(f["id"]) for f in call.answer.get("files", []))
        return ""

    def _message(self, body: Mapping[str, Any], answer: Mapping[str, Any]) -> Message | None:
        channel, ts = answer.get("channel") or body.get("channel"), answer.get("ts")
        return next((m for m in self.slack.messages if m.channel == channel and m.ts == ts), None)

    def _render_message(self, body: Mapping[str, Any], *, prefix: str, message: Message | None = None) -> str:
        blocks = body.get("blocks") or []
        text = blocks_to_text(blocks) if blocks else plain(str(body.get("text", "")))
        for button in _buttons(blocks, message):
            self.buttons.append(button)
            text += f"\n  [{len(self.buttons)}] {button.label}"
        return prefix + text

    def _render_upload(self, file_id: str) -> str:
        upload = next(u for u in self.slack.uploads if u.file_id == file_id)
        where = f"#{upload.channel}" + (f", thread {upload.thread_ts}" if upload.thread_ts else "")
        lines = upload.text.splitlines()
        preview = "\n".join("    " + line for line in lines[:FILE_PREVIEW_LINES])
        more = (
            f"\n    … {len(lines) - FILE_PREVIEW_LINES} more lines" if len(lines) > FILE_PREVIEW_LINES else ""
        )
        comment = f"\n  {plain(upload.initial_comment)}" if upload.initial_comment else ""
        return (
            f"(file in {where}) {upload.filename} — {len(upload.content):,} bytes{comment}\n{preview}{more}"
        )


def _buttons(blocks: Iterable[Mapping[str, Any]], message: Message | None) -> list[Button]:
    found = []
    for block in blocks:
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        accessory = block.get("accessory")
        for element in [*elements, *([accessory] if accessory else [])]:
            if element.get("type") == "button":
                label = plain(element.get("text", {}).get("text", "button"))
                found.append(Button(label, element.get("action_id", ""), element.get("value", ""), message))
    return found


# Slack's special tokens, as a reader sees them: a date in their time zone, a link's label.
_DATE = re.compile(r"<!date\^[^|>]{0,200}\|([^>]{0,200})>")
_LINK = re.compile(r"<(https?://[^|>\s]{1,2000})\|([^>]{1,300})>")


def plain(text: str) -> str:
    """Slack's mrkdwn as a terminal shows it: dates and links resolved, entities decoded."""
    text = _LINK.sub(r"\2 (\1)", _DATE.sub(r"\1", text))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def blocks_to_text(blocks: Iterable[Mapping[str, Any]]) -> str:
    """Block Kit as plain lines: headers, sections, fields, context, dividers (buttons: listed apart)."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(plain(block["text"]["text"]).upper())
        elif kind == "section":
            if text := block.get("text"):
                lines.append(plain(text["text"]))
            lines.extend("  " + plain(f["text"]).replace("\n", " ") for f in block.get("fields", []))
        elif kind == "context":
            lines.append("  " + "  ".join(plain(e.get("text", "")) for e in block.get("elements", [])))
        elif kind == "divider":
            lines.append("─" * 40)
        elif kind == "rich_text":
            lines.append(plain(_rich_text(block)))
    return "\n".join(lines)


def _rich_text(value: object) -> str:
    if isinstance(value, Mapping):
        if isinstance(value.get("text"), str):
            return str(value["text"])
        return "".join(_rich_text(e) for e in value.get("elements", []))
    return ""


def demo_listing() -> str:
    """The demo participants and the command that asks about each."""
    lines = [f"Demo stage {DEMO_STAGE_ARN}, session {DEMO_SESSION_ID}:"]
    for participant_id, story in DEMO_PARTICIPANTS.items():
        lines.append(f"  {participant_id}  {story}")
        lines.append(f"    {COMMAND} {DEMO_STAGE_ARN} {DEMO_SESSION_ID} {participant_id}")
    return "\n".join(lines)


async def run(stdin: TextIO, stdout: TextIO) -> int:
    """Read lines until EOF or ``quit``, answering each."""
    interactive = stdin.isatty()
    async with Console() as console:
        stdout.write("ivs-events console: the real app, local Slack and IVS stand-ins. Type `help`.\n")
        while True:
            if interactive:
                stdout.write("> ")
                stdout.flush()
            line = await asyncio.to_thread(stdin.readline)
            if not line or line.strip() in {"quit", "exit"}:
                return 0
            if not interactive:
                stdout.write(f"> {line.strip()}\n")
            output = await console.handle(line)
            if output:
                stdout.write(output + "\n")
            stdout.flush()


def main(argv: list[str]) -> int:
    """``python -m bot console``; returns the exit code."""
    if argv and argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0
    try:
        return asyncio.run(run(sys.stdin, sys.stdout))
    except KeyboardInterrupt:
        return 130
