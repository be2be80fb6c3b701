"""``python -m bot`` as a process: health check, a real command, and SIGTERM letting the answer finish."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

import aiohttp

from bot.local.ivs_endpoint import LocalIvsEndpoint
from bot.local.scenarios import HOST
from bot.local.slack_standin import SlackRequests, SlackStandIn
from bot.slack_ids import COMMAND
from tests.fixtures.slack import BOT_TOKEN, SIGNING_SECRET, demo_query


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _wait_healthy(url: str, process: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(600):  # up to 30 s: a cold start on a loaded 2-core CI machine
            assert process.returncode is None, "the bot exited"
            try:
                async with session.get(url + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError("the bot never became healthy")


async def test_sigterm_stops_the_server_after_the_answer_in_flight_is_delivered(
    slack: SlackStandIn, ivs_endpoint: LocalIvsEndpoint
) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "SLACK_API_URL": slack.api_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "AWS_ENDPOINT_URL_IVS_REALTIME": ivs_endpoint.url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, stderr=asyncio.subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await _wait_healthy(url, process)
        ivs_endpoint.faults.latency = 0.5  # the answer is still being fetched when SIGTERM arrives
        send = SlackRequests(url + "/slack/events", SIGNING_SECRET, slack)
        ack, response_url = await send.command(demo_query(HOST), command=COMMAND)
        await send.aclose()
        assert ack.status == 200
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()
    assert slack.posts_to(response_url)[-1].body["response_type"] == "in_channel"
    log = stderr.decode()
    assert "in-flight work finished" in log
    assert BOT_TOKEN not in log and SIGNING_SECRET not in log
