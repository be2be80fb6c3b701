"""``python -m bot`` as a process: start-up checks, health check, a real command, and SIGTERM at any time.

A token Slack rejects, or a Slack that cannot be reached, ends start-up with one line and exit code 2; a
SIGTERM always ends the process (exit 0), letting an answer in flight finish first.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from urllib.parse import urlencode

import aiohttp

from bot.local.ivs_endpoint import LocalIvsEndpoint
from bot.local.scenarios import HOST
from bot.local.slack_standin import SlackRequests, SlackStandIn
from bot.slack_ids import COMMAND, DIAGNOSE_SHORTCUT, UPLOAD_JSON_ACTION
from tests.fixtures.slack import BOT_TOKEN, SIGNING_SECRET, demo_query

APP_TOKEN = "xapp-1-A1-process-test-not-real"


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


def _env(slack_api_url: str, **variables: str) -> dict[str, str]:
    return {**os.environ, "SLACK_API_URL": slack_api_url, "SLACK_BOT_TOKEN": BOT_TOKEN, **variables}


async def _run_to_the_end(env: dict[str, str]) -> tuple[int, str]:
    """Run ``python -m bot`` until it exits by itself (waiting at most 60 s); returns its code and stderr."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def _stop_once(slack: SlackStandIn, started: str, env: dict[str, str]) -> tuple[int, str]:
    """Start ``python -m bot``, wait until the stand-in has seen the ``started`` call, then SIGTERM it.

    Returns the exit code and stderr; fails if the bot is still running 10 s after SIGTERM.
    """
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        exited = asyncio.ensure_future(process.wait())
        seen = asyncio.ensure_future(slack.wait_for(lambda: slack.calls_to(started), within=30))
        await asyncio.wait({exited, seen}, return_when=asyncio.FIRST_COMPLETED)
        seen.cancel()
        assert process.returncode is None, "the bot exited before SIGTERM"
        await seen  # the stand-in saw the call (a TimeoutError here says it never came)
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=10)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_a_bot_token_slack_rejects_stops_start_up_with_one_line_and_exit_code_2(
    slack: SlackStandIn,
) -> None:
    wrong = "xoxb-0000-a-token-slack-rejects"
    code, stderr = await _run_to_the_end(
        _env(
            slack.api_url, SLACK_BOT_TOKEN=wrong, SLACK_SIGNING_SECRET=SIGNING_SECRET, PORT=str(_free_port())
        )
    )
    assert code == 2
    assert stderr == "ivs-events: Slack rejected SLACK_BOT_TOKEN (invalid_auth): check the token\n"
    assert len(slack.calls_to("auth.test")) == 1


async def test_an_unreachable_slack_stops_start_up_with_one_line_naming_the_api_url() -> None:
    refused = "http://127.0.0.1:9/api/"  # the discard port on loopback refuses connections
    code, stderr = await _run_to_the_end(
        _env(refused, SLACK_SIGNING_SECRET=SIGNING_SECRET, PORT=str(_free_port()))
    )
    assert code == 2
    assert stderr.count("\n") == 1 and stderr.startswith(
        f"ivs-events: cannot reach Slack at SLACK_API_URL {refused}"
    )
    assert "Traceback" not in stderr and BOT_TOKEN not in stderr


async def test_an_app_token_slack_rejects_stops_socket_mode_start_up_with_exit_code_2() -> None:
    async with SlackStandIn(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as slack:
        code, stderr = await _run_to_the_end(_env(slack.api_url, SLACK_APP_TOKEN="xapp-1-A1-a-wrong-one"))
    assert code == 2
    assert (
        stderr.splitlines()[-1]
        == "ivs-events: Slack rejected SLACK_APP_TOKEN (invalid_auth): check the token"
    )
    assert "Traceback" not in stderr and "xapp-1-A1-a-wrong-one" not in stderr


async def test_sigterm_stops_socket_mode_while_it_cannot_connect(slack: SlackStandIn) -> None:
    slack.refuse_sockets()
    code, stderr = await _stop_once(slack, "socket_refused", _env(slack.api_url, SLACK_APP_TOKEN=APP_TOKEN))
    assert code == 0, stderr
    assert "Failed to connect" in stderr and "Traceback" not in stderr
    assert BOT_TOKEN not in stderr and APP_TOKEN not in stderr


async def test_sigterm_stops_start_up_while_slack_does_not_answer(slack: SlackStandIn) -> None:
    slack.stall()
    code, stderr = await _stop_once(
        slack, "auth.test", _env(slack.api_url, SLACK_SIGNING_SECRET=SIGNING_SECRET, PORT=str(_free_port()))
    )
    assert code == 0, stderr
    assert "stopped before start-up finished" in stderr and "Traceback" not in stderr


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


def _served_env(
    slack: SlackStandIn, ivs_endpoint: LocalIvsEndpoint, port: int, **variables: str
) -> dict[str, str]:
    return {
        **os.environ,
        "PORT": str(port),
        "SLACK_API_URL": slack.api_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "AWS_ENDPOINT_URL_IVS_REALTIME": ivs_endpoint.url,
        **variables,
    }


async def test_sigterm_while_ivs_hangs_tells_every_asker_to_ask_again_and_exits_within_25_s(
    slack: SlackStandIn, ivs_endpoint: LocalIvsEndpoint
) -> None:
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=_served_env(slack, ivs_endpoint, port),
        stderr=asyncio.subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await _wait_healthy(url, process)
        ivs_endpoint.faults.latency = 300  # IVS never answers: botocore times out and retries, for minutes
        send = SlackRequests(url + "/slack/events", SIGNING_SECRET, slack)
        ack, command_url = await send.command(demo_query(HOST), command=COMMAND)
        message = slack.add_message("C0CHANNEL1", demo_query(HOST))
        shortcut_ack, shortcut_url = await send.message_shortcut(
            callback_id=DIAGNOSE_SHORTCUT, message=message
        )
        await send.aclose()
        assert ack.status == shortcut_ack.status == 200
        for _ in range(100):  # both fetches are under way (their first calls hang)
            if len(ivs_endpoint.calls) >= 2:
                break
            await asyncio.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        # The contract: gone within 25 s of SIGTERM (platforms SIGKILL at 30 s), whatever IVS is doing.
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=25)
        took = time.monotonic() - signalled
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stderr.decode()
    assert process.returncode == 0, log
    assert took < 25, took
    last = slack.posts_to(command_url)[-1].body
    assert last["response_type"] == "ephemeral" and last["replace_original"] is True  # replaces "Fetching…"
    assert "Interrupted by a restart of the bot" in last["text"]
    # the thread showed "Fetching events…" from the first second, though no page had come; that message,
    # public in the thread, now says to ask again
    (_, placeholder) = slack.thread("C0CHANNEL1", message.ts)
    assert "Interrupted by a restart of the bot" in placeholder.text
    assert slack.posts_to(shortcut_url) == []
    assert '"outcome": "interrupted"' in log and "Traceback" not in log


async def test_at_debug_no_log_line_holds_a_credential_a_response_url_or_a_request_body(
    slack: SlackStandIn, ivs_endpoint: LocalIvsEndpoint
) -> None:
    aws = {
        "AWS_ACCESS_KEY_ID": "ASIAQUERYLOGTEST0001",
        "AWS_SECRET_ACCESS_KEY": "logtestSecretKey/0123456789abcdefghijklmnopq",
        "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjELogTestSessionToken//////////wEaCXVzLXdlc3QtMiJHMEUCIQ==",
    }
    port = _free_port()
    env = _served_env(slack, ivs_endpoint, port, LOG_LEVEL="DEBUG", **aws)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=env, stderr=asyncio.subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await _wait_healthy(url, process)
        send = SlackRequests(url + "/slack/events", SIGNING_SECRET, slack)
        fields = send.command_fields(demo_query(HOST), command=COMMAND, channel="C0CHANNEL1")
        assert (await send.post_form(fields)).status == 200
        await slack.wait_for(lambda: slack.messages)
        _, click_url = await send.click(
            action_id=UPLOAD_JSON_ACTION,
            value=demo_query(HOST),
            channel="C0CHANNEL1",
            message=slack.messages[-1],
        )
        await slack.wait_for(lambda: slack.uploads)
        stale = send.command_fields(demo_query(HOST), command=COMMAND, channel="C0CHANNEL1")
        assert (await send.post_form(stale, timestamp=int(time.time()) - 600)).status == 401
        await send.aclose()
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stderr.decode()
    assert "DEBUG botocore" in log and "DEBUG slack_sdk" in log  # really at DEBUG, libraries included
    assert '"outcome": "ok"' in log
    secrets = [BOT_TOKEN, SIGNING_SECRET, *aws.values()]
    response_urls = [fields["response_url"], click_url, stale["response_url"]]
    hooks = [u.rsplit("/", 1)[-1] for u in response_urls]  # the secret part alone, too
    bodies = [fields["trigger_id"], stale["trigger_id"], urlencode(fields)[:60]]
    for forbidden in [*secrets, *response_urls, *hooks, *bodies]:
        assert forbidden not in log, forbidden
