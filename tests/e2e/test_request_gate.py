"""What a stranger (or a broken proxy) can send: never a 500, never a flood in the log, never an answer.

Every request goes over real HTTP to the served app; "signed" means signed with the app's secret, as
Slack signs, so these also cover a malformed body that Slack itself (or someone holding the secret) sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.local.scenarios import HOST
from bot.request_gate import MAX_BODY_BYTES, REFUSALS_LOGGED_PER_MINUTE
from bot.slack_ids import COMMAND
from tests.fixtures.slack import CHANNEL, SIGNING_SECRET, RunningBot, demo_query

FORM = "application/x-www-form-urlencoded"


def _signature(body: bytes, timestamp: str) -> str:
    signed = b"v0:%s:%s" % (timestamp.encode(), body)
    return "v0=" + hmac.new(SIGNING_SECRET.encode(), signed, hashlib.sha256).hexdigest()


async def _post_raw(
    bot: RunningBot, body: bytes, *, content_type: str, timestamp: str | None = None, signed: bool = True
) -> int:
    ts = timestamp if timestamp is not None else str(int(time.time()))
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": _signature(body, ts) if signed else "v0=" + "0" * 64,
    }
    session = await bot.send.session()
    async with session.post(bot.send.app_url, data=body, headers=headers) as response:
        await response.read()
        return response.status


def _refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.request_gate"]


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b'{"type": "event_callback", "event": ', "application/json", 400),
        (b"[1, 2, 3]", "application/json", 400),
        (b'"just a string"', "application/json", 400),
        (b"payload=%7Bnot+json", FORM, 400),
        (b"payload=%5B1%5D", FORM, 400),
        (b"\xff\xfe not utf-8", FORM, 400),
        (b"<xml/>", "text/xml", 400),
        (b'{"type": "block_actions", "actions": ["x"], "team": [1]}', "application/json", 400),
    ],
)
async def test_a_signed_malformed_body_gets_400_and_one_short_line_never_a_500_or_traceback(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str, expected: int
) -> None:
    with caplog.at_level(logging.DEBUG):
        status = await _post_raw(bot, body, content_type=content_type)
        await bot.settle()
    assert status == expected
    assert "Traceback" not in caplog.text
    assert all(r.levelno < logging.ERROR for r in caplog.records)
    assert body.decode(errors="replace") not in caplog.text  # the body is never logged
    assert bot.ivs.calls == [] and [c.method for c in bot.slack.calls] == ["auth.test"]  # start-up's


@pytest.mark.parametrize("timestamp", ["not-a-number", "", "1e9", "-5", str(int(time.time()) - 301)])
async def test_a_timestamp_that_is_not_a_recent_number_gets_401_before_the_body_is_read(
    bot: RunningBot, timestamp: str
) -> None:
    fields = bot.send.command_fields(demo_query(HOST), command=COMMAND, channel=CHANNEL)
    response = await bot.send.post_form(
        fields,
        timestamp=int(timestamp) if timestamp.isdigit() else None,
        headers={"X-Slack-Request-Timestamp": timestamp},
    )
    assert response.status == 401
    await bot.settle()
    assert bot.slack.response_posts == [] and bot.ivs.calls == []


async def test_a_huge_body_is_refused_and_costs_one_short_log_line(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    huge = b"text=" + b"A" * (MAX_BODY_BYTES + 10)
    with caplog.at_level(logging.DEBUG):
        unsigned = await _post_raw(bot, huge, content_type=FORM, signed=False)
        signed = await _post_raw(bot, huge, content_type=FORM)
    assert (unsigned, signed) == (413, 413)  # refused on its size, before any HMAC over a megabyte
    lines = _refusals(caplog)
    assert len(lines) == 2 and all(len(line) < 200 for line in lines)
    assert len(caplog.text) < 2000


async def test_a_flood_of_junk_writes_a_bounded_number_of_log_lines(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        for i in range(REFUSALS_LOGGED_PER_MINUTE * 3):
            assert await _post_raw(bot, f"junk {i}".encode(), content_type=FORM, signed=False) == 401
    assert len(_refusals(caplog)) == REFUSALS_LOGGED_PER_MINUTE


async def test_a_replayed_signed_command_is_answered_once(bot: RunningBot) -> None:
    fields = bot.send.command_fields(demo_query(HOST), command=COMMAND, channel=CHANNEL)
    timestamp = int(time.time())
    first = await bot.send.post_form(fields, timestamp=timestamp)
    await bot.settle()
    replay = await bot.send.post_form(fields, timestamp=timestamp)  # same body, timestamp and signature
    await bot.settle()
    assert (first.status, replay.status) == (200, 200)
    assert replay.text == ""  # no second "Fetching events…" note
    answers = [
        p for p in bot.slack.posts_to(fields["response_url"]) if p.body.get("response_type") == "in_channel"
    ]
    assert len(answers) == 1
    assert len(bot.slack.messages) == 1  # one public answer in the channel


async def test_no_request_waits_on_slacks_auth_test(bot: RunningBot) -> None:
    bot.slack.fail_next("auth.test", 10, status=500, error="internal_error")
    ack, response_url = await bot.send.command(demo_query(HOST), command=COMMAND, channel=CHANNEL)
    await bot.settle()
    assert ack.status == 200 and "reinstall" not in ack.text
    assert bot.slack.posts_to(response_url)[-1].body["response_type"] == "in_channel"
    assert bot.slack.calls_to("auth.test") == [c for c in bot.slack.calls_to("auth.test") if c.status == 200]
    assert len(bot.slack.calls_to("auth.test")) == 1  # start-up's, and no other


async def test_a_region_shaped_like_a_real_one_costs_no_aws_call(bot: RunningBot) -> None:
    text = demo_query(HOST).replace("us-west-2", "us-foo-1")
    ack, _ = await bot.send.command(text, command=COMMAND, channel=CHANNEL)
    await bot.settle()
    assert ack.status == 200 and "`us-foo-1`, which is not an AWS region" in json.loads(ack.text)["text"]
    assert bot.ivs.calls == []


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
_SLACK_SHAPED = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["event_callback", "block_actions", "message_action", "url_verification", "shortcut", "x"]
        )
    },
    optional={
        "event": _JSON_VALUES,
        "actions": _JSON_VALUES,
        "user": _JSON_VALUES,
        "channel": _JSON_VALUES,
        "team": _JSON_VALUES,
        "message": _JSON_VALUES,
        "callback_id": _JSON_VALUES,
        "response_url": _JSON_VALUES,
        "challenge": _JSON_VALUES,
        "event_id": _JSON_VALUES,
    },
)


@st.composite
def _bodies(draw: st.DrawFn) -> tuple[bytes, str]:
    kind = draw(st.sampled_from(["bytes", "json", "payload", "form"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200)), draw(st.sampled_from([FORM, "application/json", "text/plain"]))
    if kind == "json":
        return json.dumps(draw(_SLACK_SHAPED | _JSON_VALUES)).encode(), "application/json"
    if kind == "payload":
        payload = json.dumps(draw(_SLACK_SHAPED | _JSON_VALUES))
        return b"payload=" + payload.encode().replace(b"%", b"%25").replace(b"&", b"%26"), FORM
    fields = draw(
        st.dictionaries(
            st.sampled_from(["command", "text", "user_id", "channel_id", "response_url", "x"]),
            st.text(max_size=30),
            max_size=5,
        )
    )
    return "&".join(f"{k}={v}" for k, v in fields.items()).encode(), FORM


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_bodies(), signed=st.booleans())
async def test_no_body_signed_or_not_makes_the_server_answer_500(
    bot: RunningBot, body: tuple[bytes, str], signed: bool
) -> None:
    raw, content_type = body
    status = await _post_raw(bot, raw, content_type=content_type, signed=signed)
    assert status < 500
    assert status in {200, 400, 404, 413} if signed else status == 401


async def _raw_http(url: str, request: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(request)
    await writer.drain()
    answer = await reader.read(200)
    writer.close()
    return answer


async def test_malformed_http_is_refused_with_one_short_line_each_and_no_flood_of_tracebacks(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bad_header = (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: \x01\r\nContent-Length: 2\r\n\r\n{}"
    )
    huge_header = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Junk: " + b"a" * 9000 + b"\r\n\r\n"
    with caplog.at_level(logging.INFO):
        answers = [await _raw_http(bot.url, junk) for junk in [bad_header, huge_header] * 30]
    assert all(answer.split(b" ")[1].startswith(b"4") for answer in answers if answer), answers[:2]
    assert "Traceback" not in caplog.text and all(r.levelno < logging.ERROR for r in caplog.records)
    assert len([r for r in caplog.records if r.name == "aiohttp.server"]) <= REFUSALS_LOGGED_PER_MINUTE
