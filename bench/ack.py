"""How fast does ``python -m bot`` acknowledge slash commands under a burst, while slow fetches run?

Starts the local IVS RealTime endpoint (1 s latency on every call) and the Slack stand-in in this
process, launches ``python -m bot`` as a subprocess pointed at both, waits for ``/healthz``, then fires
100 signed ``/ivs-events`` commands at once. Prints the ack latency (p50, p99, max), how p99 compares
with a 250 ms target (Slack's hard limit is 3 s), the worst event-loop stall the bot measured
(``IVS_EVENTS_LOOP_MONITOR=1``, read from ``/healthz``), and how long until every command was answered.

Each command asks about a different participant, so each is its own fetch, queued behind IVS's 5 calls
per second per operation (the endpoint enforces that quota and counts what it would have throttled). The
time until every command is answered is compared with the per-operation floor: the busiest operation's
calls at 5 per second, plus one call's latency (target ≤ 1.10x).

Run: ``python bench/ack.py`` (``--commands 40 --latency 0.5`` to change the load).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import signal
import socket
import sys
import time
from typing import Any

import aiohttp

from bot.local.ivs_endpoint import LocalIvsEndpoint
from bot.local.scenarios import DEMO_SESSION_ID, DEMO_STAGE_ARN, add_generated_history
from bot.local.slack_standin import SlackRequests, SlackStandIn
from bot.slack_ids import COMMAND

TARGET_P99 = 0.250
TARGET_FLOOR_RATIO = 1.10
QUOTA = 5
BOT_TOKEN = "xoxb-test-bench-not-real"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def _health(session: aiohttp.ClientSession, url: str) -> dict[str, Any] | None:
    try:
        async with session.get(url + "/healthz") as response:
            body: dict[str, Any] = await response.json()
            return body if response.status == 200 else None
    except aiohttp.ClientConnectionError:
        return None


async def run(commands: int, latency: float) -> int:
    """Run the benchmark; returns the exit code."""
    secret = secrets.token_hex(16)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    async with LocalIvsEndpoint() as ivs, SlackStandIn(bot_token=BOT_TOKEN) as slack:
        ivs.faults.latency = latency
        ivs.faults.tps_limit = 5  # the real quota: the bot's limiter must keep every call under it
        env = {
            **os.environ,
            "PORT": str(port),
            "SLACK_API_URL": slack.api_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": secret,
            "AWS_ENDPOINT_URL_IVS_REALTIME": ivs.url,
            "AWS_ACCESS_KEY_ID": "AKIDBENCHMARK",
            "AWS_SECRET_ACCESS_KEY": "bench-secret-not-real",
            "AWS_EC2_METADATA_DISABLED": "true",
            "IVS_EVENTS_LOOP_MONITOR": "1",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("SLACK_APP_TOKEN", None)
        bot = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", env=env)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            try:
                return await _measure(
                    session=session, slack=slack, ivs=ivs, url=url, secret=secret, commands=commands, bot=bot
                )
            finally:
                if bot.returncode is None:
                    bot.send_signal(signal.SIGTERM)
                    try:
                        await asyncio.wait_for(bot.wait(), timeout=30)
                    except TimeoutError:
                        bot.kill()
                        await bot.wait()


async def _measure(
    *,
    session: aiohttp.ClientSession,
    slack: SlackStandIn,
    ivs: LocalIvsEndpoint,
    url: str,
    secret: str,
    commands: int,
    bot: asyncio.subprocess.Process,
) -> int:
    deadline = time.monotonic() + 30
    while await _health(session, url) is None:
        if bot.returncode is not None or time.monotonic() > deadline:
            print("the bot did not come up", file=sys.stderr)
            return 1
        await asyncio.sleep(0.05)
    send = SlackRequests(url + "/slack/events", secret, slack, session=session)
    await send.command("help", command=COMMAND)  # warm-up: the first request imports and builds lazily

    # Distinct participants: every command is its own fetch (no single flight to hide behind), all queued
    # behind IVS's 5 calls per second while the acks must stay fast.
    texts = [f"{DEMO_STAGE_ARN} {DEMO_SESSION_ID} {who}" for who in _participants(ivs, commands)]
    started = time.monotonic()
    sent = await asyncio.gather(
        *(send.command(text, command=COMMAND, user=f"U{i:08d}") for i, text in enumerate(texts))
    )
    acks = [ack.elapsed for ack, _ in sent]
    failed = sum(ack.status != 200 for ack, _ in sent)

    def answered() -> int:
        return sum(
            any(p.body.get("response_type") == "in_channel" for p in slack.posts_to(response_url))
            for _, response_url in sent
        )

    with contextlib.suppress(TimeoutError):
        await slack.wait_for(lambda: answered() == commands, within=60 + commands)
    all_answered = time.monotonic() - started
    health = await _health(session, url) or {}

    p50, p99, worst = _percentile(acks, 0.50), _percentile(acks, 0.99), max(acks)
    print(f"{commands} signed {COMMAND} commands at once; IVS latency {ivs.faults.latency:.1f} s per call")
    print(f"ack latency  p50 {p50 * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms   max {worst * 1000:7.1f} ms")
    print(f"p99 / {TARGET_P99 * 1000:.0f} ms target = {p99 / TARGET_P99:.2f}   (Slack's limit: 3000 ms)")
    print(f"largest event-loop stall in the bot: {health.get('loop_max_stall_ms', '?')} ms")
    per_operation = {op: sum(c.operation == op for c in ivs.calls) for op in {c.operation for c in ivs.calls}}
    busiest = max(per_operation.values(), default=0)
    floor = max(busiest - 1, 0) / QUOTA + ivs.faults.latency  # the last call starts at (n-1)/5 s
    print(f"answered {answered()}/{commands} in {all_answered:.1f} s; non-200 acks: {failed}")
    print(
        f"per-operation floor {floor:.1f} s (busiest operation: {busiest} calls at {QUOTA}/s + one call's "
        f"latency); ratio {all_answered / floor:.2f} (target <= {TARGET_FLOOR_RATIO:.2f})"
    )
    shown = ", ".join(
        f"{op} {n} (max {ivs.max_calls_in_any_second(op)}/s)" for op, n in sorted(per_operation.items())
    )
    print(
        f"IVS calls: {shown}; quota {QUOTA}/s per operation; throttled by the endpoint: {ivs.tps_throttled}"
    )
    return 0 if failed == 0 and answered() == commands else 1


def _participants(ivs: LocalIvsEndpoint, count: int) -> list[str]:
    """``count`` distinct participants of the demo session, each with a one-page history of 80 events."""
    names = [f"benchAck{i:04d}" for i in range(count)]
    for i, name in enumerate(names):
        add_generated_history(ivs.store, DEMO_STAGE_ARN, DEMO_SESSION_ID, name, 80, seed=i)
    return names


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--commands", type=int, default=100)
    parser.add_argument("--latency", type=float, default=1.0, help="seconds added to every IVS call")
    args = parser.parse_args(argv)
    return asyncio.run(run(args.commands, args.latency))


if __name__ == "__main__":
    sys.exit(main())
