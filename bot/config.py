"""Settings from the environment, validated once at start-up.

A missing or malformed variable stops start-up with one line naming it (``ConfigError``); the token and
secret values never appear in a message, a log line or a ``repr``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from bot.ivs.rate_limit import IVS_CALLS_PER_SECOND
from bot.log_redaction import Redactor, install_redaction

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_PORT = 3000
# AWS credentials the standard chain may read from the environment: blanked in every log line.
AWS_SECRET_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
)
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# The spellings a yes/no variable accepts (any case); the error message lists them all, in this order.
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class ConfigError(Exception):
    """One environment variable is missing or invalid; the message names it (never its value)."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What the bot needs from its environment.

    Attributes:
        slack_bot_token: ``SLACK_BOT_TOKEN`` (xoxb-…), always required.
        slack_signing_secret: ``SLACK_SIGNING_SECRET``, required in HTTP mode (Slack signs every request).
        slack_app_token: ``SLACK_APP_TOKEN`` (xapp-…); when set the bot connects over Socket Mode.
        slack_api_url: ``SLACK_API_URL``, the Web API base URL (a local stand-in in tests and the console).
        port: ``PORT`` for HTTP mode.
        log_level: ``LOG_LEVEL`` (DEBUG, INFO, WARNING, ERROR).
        loop_monitor: ``IVS_EVENTS_LOOP_MONITOR`` (1/true/yes/on; unset or 0/false/no/off is off): measure
            event-loop stalls and show the worst at /healthz.
        ivs_max_tps: ``IVS_EVENTS_MAX_TPS`` (1-5, default 5): calls per second per IVS operation, account
            and region; lower than IVS's 5 leaves room for the customer's own application.
    """

    slack_bot_token: str = field(repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    port: int = DEFAULT_PORT
    log_level: str = "INFO"
    loop_monitor: bool = False
    ivs_max_tps: int = IVS_CALLS_PER_SECOND

    @property
    def mode(self) -> Literal["socket", "http"]:
        """Socket Mode when an app-level token is configured, HTTP otherwise."""
        return "socket" if self.slack_app_token else "http"

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret value held, so tests (and log filters) can prove none leaks."""
        values = (self.slack_bot_token, self.slack_signing_secret, self.slack_app_token)
        return tuple(v for v in values if v)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        """Read and validate every variable.

        Raises:
            ConfigError: naming the first missing or invalid variable and what it should look like.
        """
        bot_token = _required(environ, "SLACK_BOT_TOKEN")
        if not bot_token.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")
        app_token = environ.get("SLACK_APP_TOKEN", "").strip() or None
        if app_token is not None and not app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp- (or unset)")
        signing_secret = environ.get("SLACK_SIGNING_SECRET", "").strip() or None
        if app_token is None and signing_secret is None:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is required in HTTP mode "
                "(or set SLACK_APP_TOKEN to connect over Socket Mode)"
            )
        return cls(
            slack_bot_token=bot_token,
            slack_signing_secret=signing_secret,
            slack_app_token=app_token,
            slack_api_url=_api_url(environ.get("SLACK_API_URL", "").strip() or DEFAULT_SLACK_API_URL),
            port=_port(environ.get("PORT", "").strip()),
            log_level=_log_level(environ.get("LOG_LEVEL", "").strip()),
            loop_monitor=_flag(environ, "IVS_EVENTS_LOOP_MONITOR"),
            ivs_max_tps=_max_tps(environ.get("IVS_EVENTS_MAX_TPS", "").strip()),
        )


def _required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set")
    return value


def _api_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_SLACK_API_URL}")
    return value if value.endswith("/") else value + "/"


def _port(value: str) -> int:
    if not value:
        return DEFAULT_PORT
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise ConfigError("PORT must be a number from 0 to 65535")
    return int(value)


def _max_tps(value: str) -> int:
    if not value:
        return IVS_CALLS_PER_SECOND
    if not value.isdigit() or not 1 <= int(value) <= IVS_CALLS_PER_SECOND:
        raise ConfigError(
            f"IVS_EVENTS_MAX_TPS must be a whole number from 1 to {IVS_CALLS_PER_SECOND} "
            f"(IVS allows {IVS_CALLS_PER_SECOND} calls per second per operation)"
        )
    return int(value)


def _log_level(value: str) -> str:
    level = value.upper() or "INFO"
    if level not in _LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}")
    return level


def _flag(environ: Mapping[str, str], name: str) -> bool:
    value = environ.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if not value or value in _FALSE:
        return False
    raise ConfigError(
        f"{name} must be {'/'.join(_TRUE)} to turn it on, or {'/'.join(_FALSE)} (or unset) for off"
    )


def configure_logging(settings: Settings, environ: Mapping[str, str]) -> None:
    """Log to stderr at the configured level, through the one redaction layer every logger shares."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    install_redaction(Redactor([*settings.secrets, *(environ.get(name) for name in AWS_SECRET_VARIABLES)]))
    # Bolt reads SLACK_BOT_TOKEN itself and warns "token will be unused" because the app is given a
    # client: that client holds the very same token, so the warning only misleads whoever reads the logs.
    logging.getLogger("slack_bolt.AsyncApp").addFilter(
        lambda record: "`token` will be unused" not in record.getMessage()
    )
