"""One redaction layer for every log record of the process: ours, Bolt's, slack_sdk's, botocore's, aiohttp's.

It is a log record factory, so it sees each record that any logger emits, whatever handler later writes
it, and blanks what must never be written down:

- Slack tokens (``xoxb-``, ``xapp-``, …), request signatures, the signing secret;
- ``response_url``s (anyone holding one can post in the channel for 30 minutes), Socket Mode tickets and
  file upload URLs;
- AWS access key ids, secret keys, session tokens and SigV4 signatures (botocore logs its request
  headers and canonical request at DEBUG).

Known secret values (the configured tokens, the AWS credentials in the environment) are blanked
wherever they appear; the patterns catch values the process learns later (a refreshed session token, a
response_url from a payload). Tracebacks are rendered and redacted too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

REDACTED = "[redacted]"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Slack tokens: bot, user, app-level, refresh, configuration.
    (re.compile(r"\bx(?:ox[a-z]|app)-[A-Za-z0-9-]{4,}"), REDACTED),
    # X-Slack-Signature values.
    (re.compile(r"\bv0=[0-9a-f]{64}\b"), REDACTED),
    # response_urls (hooks.slack.com/commands|actions|app|workflows/…, any host) and upload URLs:
    # credentials in a URL. Anything on hooks.slack.com is one.
    (
        re.compile(
            r"https?://(?:hooks\.slack\.com/|[^\s\"'<>]*?/(?:commands|actions|app|workflows|triggers|upload)/)"
            r"[^\s\"'<>]+"
        ),
        "[response_url]",
    ),
    (re.compile(r"([?&]ticket=)[^&\s\"']+"), rf"\1{REDACTED}"),
    # AWS: access key ids, and SigV4's Credential=<key id>/… and Signature=<hex>.
    (re.compile(r"\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b"), REDACTED),
    (re.compile(r"(Credential=)[^/\s,\"']+"), rf"\1{REDACTED}"),
    (re.compile(r"(Signature=)[0-9a-f]{16,}"), rf"\1{REDACTED}"),
    # botocore.auth at DEBUG: "Signature:\n<hex>".
    (re.compile(r"(Signature:\s*)[0-9a-f]{64}"), rf"\1{REDACTED}"),
    # Session tokens, as a header ('X-Amz-Security-Token': b'…') or a canonical-request line (…:value).
    (
        re.compile(r"(?i)(x-amz-security-token['\"]?\s*[:=]\s*b?['\"]?)[^'\"\s,}]+"),
        rf"\1{REDACTED}",
    ),
    (
        re.compile(
            r"(?i)(aws_secret_access_key|aws_session_token|secret_?access_?key)(['\"]?\s*[:=]\s*['\"]?)[^'\"\s,}]+"
        ),
        rf"\1\2{REDACTED}",
    ),
)
# A value shorter than this is not treated as a secret (it would blank ordinary words).
_MIN_SECRET_LENGTH = 8


class Redactor:
    """Blanks secrets in text: the known values given, and everything :data:`_PATTERNS` matches."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets = tuple(
            sorted({s for s in secrets if s and len(s) >= _MIN_SECRET_LENGTH}, key=len, reverse=True)
        )

    def __call__(self, text: str) -> str:
        if "\\/" in text:  # a JSON payload written with escaped slashes: http:\/\/hooks…
            text = text.replace("\\/", "/")
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text


_formatter = logging.Formatter()


def install_redaction(redact: Redactor) -> Callable[[], None]:
    """Redact every log record created from now on, by any logger; returns a function that undoes it."""
    previous = logging.getLogRecordFactory()

    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let logging report it as it would
            return record
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(_formatter.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    logging.setLogRecordFactory(make_record)

    def undo() -> None:
        logging.setLogRecordFactory(previous)

    return undo
