"""One redaction layer: no credential reaches a log line, whichever library logs it and however."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.log_redaction import Redactor, install_redaction

BOT_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
APP_TOKEN = "xapp-1-A0123456789-1234567890123-abcdef0123456789"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+session+token=="
RESPONSE_URL = "https://hooks.slack.com/commands/T0TEAM001/1234567890123/AbCdEf0123456789abcdEFGH"


@pytest.fixture
def redacted_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    undo = install_redaction(Redactor([SECRET_KEY, SESSION_TOKEN, "short"]))
    try:
        with caplog.at_level(logging.DEBUG):
            yield caplog
    finally:
        undo()


@pytest.mark.parametrize(
    ("logger", "message", "args"),
    [
        (
            "slack_sdk.web.base_client",
            "Sending a request - headers: %s",
            ({"Authorization": f"Bearer {BOT_TOKEN}"},),
        ),
        ("slack_sdk.webhook.async_client", "Sending a request - url: %s, body: {}", (RESPONSE_URL,)),
        (
            "slack_sdk.socket_mode",
            "Failed to connect (url: %s)",
            ("wss://x.slack.com/link/?ticket=abc-123&app_id=A1",),
        ),
        ("slack_bolt.App", "token: %s", (APP_TOKEN,)),
        (
            "botocore.endpoint",
            "Sending http request: <AWSPreparedRequest headers=%s>",
            (
                {
                    "Authorization": "AWS4-HMAC-SHA256 "
                    "Credential=ASIAEXAMPLEKEY123456/20261201/us-west-2/ivs/aws4_request, "
                    "SignedHeaders=host;x-amz-date, Signature=" + "ab12" * 16,
                    "X-Amz-Security-Token": SESSION_TOKEN.encode(),
                },
            ),
        ),
        (
            "botocore.auth",
            "CanonicalRequest:\nPOST\n/ListParticipantEvents\n\nx-amz-security-token:%s\n",
            (SESSION_TOKEN,),
        ),
        ("botocore.credentials", "aws_secret_access_key = %s", (SECRET_KEY,)),
        ("aiohttp.access", "signature %s", ("v0=" + "0f" * 32,)),
        ("bot.replies", "upload_url %s", ("https://files.slack.com/upload/v1/CwABAAAAXAoAAWAHHAUwbBbbVAA",)),
        (
            "slack_sdk.webhook.async_client",
            "retry for POST %s",
            (RESPONSE_URL.replace("/commands/", "/app/"),),
        ),
        (
            "bot.socket_mode.client",
            "data: %s",
            ('{"response_url": "' + RESPONSE_URL.replace("/", "\\/") + '"}',),
        ),
        ("botocore.auth", "Signature:\n%s", ("db7d" * 16,)),
    ],
)
def test_credentials_any_library_logs_are_blanked(
    redacted_logs: pytest.LogCaptureFixture, logger: str, message: str, args: tuple[object, ...]
) -> None:
    logging.getLogger(logger).debug(message, *args)
    line = redacted_logs.records[-1].getMessage()
    for secret in (
        BOT_TOKEN,
        APP_TOKEN,
        SECRET_KEY,
        SESSION_TOKEN,
        RESPONSE_URL,
        "ticket=abc-123",
        "ASIAEXAMPLEKEY123456",
        "ab12" * 16,
        "0f" * 32,
        "CwABAAAAXAoAAWAHHAUwbBbbVAA",
        RESPONSE_URL.rsplit("/", 1)[-1],  # the secret part of any response_url shape
        "db7d" * 16,
    ):
        assert secret not in line, (secret, line)


def test_a_traceback_is_redacted_too(redacted_logs: pytest.LogCaptureFixture) -> None:
    try:
        raise ValueError(f"bad url {RESPONSE_URL} with {BOT_TOKEN}")
    except ValueError:
        logging.getLogger("anything").exception("failed")
    text = redacted_logs.text
    assert "Traceback" in text and "ValueError" in text
    assert RESPONSE_URL not in text and BOT_TOKEN not in text


def test_ordinary_words_and_ids_survive(redacted_logs: pytest.LogCaptureFixture) -> None:
    logging.getLogger("bot.queries").info(
        "participant %s in %s said short", "Kq7RtU2vWx9Z", "st-a1b2c3d4e5f6g"
    )
    assert redacted_logs.records[-1].getMessage() == "participant Kq7RtU2vWx9Z in st-a1b2c3d4e5f6g said short"


def test_undo_restores_the_previous_factory() -> None:
    before = logging.getLogRecordFactory()
    undo = install_redaction(Redactor())
    assert logging.getLogRecordFactory() is not before
    undo()
    assert logging.getLogRecordFactory() is before
