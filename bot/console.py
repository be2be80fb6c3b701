"""``python -m bot console``: talk to the real Slack app in a terminal, no workspace or AWS account needed.

The real app runs in-process, served over real HTTP on loopback; every line you type becomes the signed
request Slack would send (the same path as the end-to-end tests). Its Web API calls go to the local Slack
stand-in and its IVS calls to the local IVS RealTime endpoint with the demo stage. What the app sends
back to "Slack" is printed as text: replies, private notes, edits, buttons (numbered) and uploaded files.

Works from a pipe too: ``printf '/ivs-events <arn> <session> <participant>\\n1\\n' | python -m bot console``.
The app's own log lines (a warning that GetParticipant was denied, say) go to a file named at start-up
(``--log-file PATH``; by default ``ivs-events-console.log`` in the temporary directory), so the terminal
shows only what Slack would.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import secrets
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self, TextIO

from bot.config import Settings
from bot.ivs.service import create_ivs_service
from bot.local.ivs_endpoint import LocalIvsEndpoint
from bot.local.scenarios import DEMO_PARTICIPANTS, DEMO_SESSION_ID, DEMO_STAGE_ARN
from bot.local.slack_standin import Call, Message, SlackRequests, SlackStandIn
from bot.log_redaction import Redactor, install_redaction
from bot.running_bot import start_bot
from bot.server import EVENTS_PATH, HttpServer
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
LOG_FILE = os.path.join(tempfile.gettempdir(), "ivs-events-console.log")
HEREDOC = "<<"  # ``shortcut <<``: the message is the lines that follow, up to a line holding only "."
END_OF_TEXT = "."
CONTINUED = "\\"  # a line ending in a backslash goes on, as in a shell
HELP = f"""Type what you would type in Slack:
  {COMMAND} <stage-arn> <session-id> <participant-id> [private]
  {COMMAND} help
  @bot <text with ids>           an @mention in the channel; the answer goes in a thread under it
  post <text>                    post a message in the channel (say, the customer's report), numbered
  thread [n] @bot [text]         an @mention in the thread of message n (default: the last one posted);
                                 a bare `thread @bot` reads the ids from the thread's first message
  shortcut <text>                post a message, then use "Diagnose IVS participant" on it
  shortcut <<   or   post <<     a message of several lines (pasted CLI JSON): type them, then a line
                                 with just "."
  <line ending in \\>             continues on the next line, kept as typed (a pasted shell command)
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


@dataclass(slots=True)
class _Pending:
    """A message being typed over several lines: a ``<<`` block up to ".", or lines ending in ``\\``."""

    prefix: str
    heredoc: bool
    lines: list[str] = field(default_factory=list)

    def take(self, line: str) -> str | None:
        """Add a line; the whole text once it is complete, else None."""
        if self.heredoc:
            if line.strip() == END_OF_TEXT:
                return self.prefix + "\n".join(self.lines)
            self.lines.append(line)
            return None
        self.lines.append(line)
        if line.rstrip().endswith(CONTINUED):
            return None
        return "\n".join(self.lines).strip()


class Console:
    """The app, the stand-ins and a line-by-line conversation with them.

    Use ``async with Console() as console: print(await console.handle("demo"))``.
    """

    def __init__(self, *, log_file: str | None = None) -> None:
        self.ivs_endpoint = LocalIvsEndpoint()
        self.slack = SlackStandIn(bot_token=BOT_TOKEN)
        self.buttons: list[Button] = []
        self.posted: list[Message] = []  # your messages, numbered from 1 for ``thread <n>``
        self.log_file = log_file
        self._server: HttpServer | None = None
        self._requests: SlackRequests | None = None
        self._pending: _Pending | None = None

    async def __aenter__(self) -> Self:
        await self.ivs_endpoint.start()
        os.environ.update(LOCAL_AWS_ENVIRONMENT)
        os.environ["AWS_ENDPOINT_URL_IVS_REALTIME"] = self.ivs_endpoint.url
        await self.slack.start()
        secret = secrets.token_hex(16)
        settings = Settings(
            slack_bot_token=BOT_TOKEN, slack_signing_secret=secret, slack_api_url=self.slack.api_url
        )
        self._server = HttpServer(await start_bot(settings, create_ivs_service()))
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

    @property
    def wants_more(self) -> bool:
        """True while a message of several lines is being typed (``shortcut <<``, a trailing ``\\``)."""
        return self._pending is not None

    async def handle(self, line: str) -> str:
        """Act on one typed line; returns what to print."""
        line = line.rstrip("\r\n")
        if self._pending is not None:
            text = self._pending.take(line)
            if text is None:
                return ""
            self._pending = None
            return await self._dispatch(text)
        line = line.strip()
        head, _, rest = line.partition(" ")
        if head in {"shortcut", "post"} and rest.strip() == HEREDOC:
            self._pending = _Pending(head + " ", heredoc=True)
            return f'(type the message; end it with a line holding only "{END_OF_TEXT}")'
        if line.endswith(CONTINUED):
            self._pending = _Pending("", heredoc=False)
            self._pending.take(line)
            return ""
        return await self._dispatch(line)

    async def _dispatch(self, text: str) -> str:
        if not text:
            return ""
        if text in {"help", "?"}:
            return HELP + (f"\nThe app's log: {self.log_file}" if self.log_file else "")
        if text == "demo":
            return demo_listing()
        if text.isdigit():
            return await self._press(int(text))
        verb, rest = [*text.split(maxsplit=1), ""][:2]
        rest = rest.strip()
        if text.startswith("/"):
            if verb != COMMAND:
                return f"Only {COMMAND} is available here."
            return await self._exchange(
                self.requests.command(rest, command=COMMAND, user=USER, channel=CHANNEL)
            )
        if text.startswith("@"):
            return await self._exchange(self.requests.mention(rest, channel=CHANNEL, user=USER))
        if verb == "thread":
            return await self._thread_mention(rest)
        if verb == "post" and rest:
            self._post(rest)
            return f"(posted as message {len(self.posted)}; `thread @bot` mentions me in its thread)"
        if verb == "shortcut" and rest:
            message = self._post(rest)
            sent = self.requests.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message, user=USER)
            return f"(posted as message {len(self.posted)})\n" + await self._exchange(sent)
        return f"Not understood: {text!r}. Type `help`."

    def _post(self, text: str) -> Message:
        message = self.slack.add_message(CHANNEL, text, user=USER)
        self.posted.append(message)
        return message

    async def _thread_mention(self, rest: str) -> str:
        """``thread [n] @bot [text]``: an @mention in the thread of your message n (or the last one)."""
        number, _, mention = rest.partition(" ")
        if not number.isdigit():
            number, mention = str(len(self.posted)), rest
        if not mention.startswith("@"):
            return "Usage: thread [n] @bot [text]"
        if not self.posted:
            return "No thread yet: post a message first (`post <text>`), then mention me in its thread."
        if not 1 <= int(number) <= len(self.posted):
            return f"No message {number}: messages 1 to {len(self.posted)} are yours."
        parent = self.posted[int(number) - 1]
        _, _, text = mention.partition(" ")
        sent = self.requests.mention(text.strip(), channel=CHANNEL, user=USER, thread_ts=parent.ts)
        return await self._exchange(sent)

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
            channel = str(body.get("channel", ""))
            where = "in the thread" if body.get("thread_ts") else "in the channel"
            prefix = "(direct message) " if channel.startswith("D") else f"({where}) "
            return self._render_message(body, prefix=prefix, message=self._message(body, call.answer))
        if call.method == "chat.update" and call.answer.get("ok"):
            return self._render_message(body, prefix="(edited) ")
        if call.method == "chat.postEphemeral" and call.answer.get("ok"):
            return self._render_message(body, prefix="(only you) ")
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


async def run(stdin: TextIO, stdout: TextIO, *, log_file: str | None = None) -> int:
    """Read lines until EOF or ``quit``, answering each."""
    interactive = stdin.isatty()
    async with Console(log_file=log_file) as console:
        stdout.write("ivs-events console: the real app, local Slack and IVS stand-ins. Type `help`.\n")
        if log_file:
            stdout.write(f"The app's log goes to {log_file}\n")
        while True:
            prompt = "… " if console.wants_more else "> "
            if interactive:
                stdout.write(prompt)
                stdout.flush()
            line = await asyncio.to_thread(stdin.readline)
            if not line or (not console.wants_more and line.strip() in {"quit", "exit"}):
                return 0
            if not interactive:
                stdout.write(f"{prompt}{line.rstrip()}\n")
            output = await console.handle(line)
            if output:
                stdout.write(output + "\n")
            stdout.flush()


def log_to_file(path: str) -> None:
    """Send every log line (INFO and up) to ``path`` instead of the terminal, where replies are shown."""
    install_redaction(Redactor())  # the same layer as `python -m bot`: no credential in any log line
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def main(argv: list[str]) -> int:
    """``python -m bot console [--log-file PATH]``; returns the exit code."""
    if argv and argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0
    log_file = LOG_FILE
    if argv[:1] == ["--log-file"] and len(argv) == 2:
        log_file = argv[1]
    elif argv:
        print(f"usage: python -m bot console [--log-file PATH]  (default {LOG_FILE})", file=sys.stderr)
        return 2
    log_to_file(log_file)
    try:
        return asyncio.run(run(sys.stdin, sys.stdout, log_file=log_file))
    except KeyboardInterrupt:
        return 130
