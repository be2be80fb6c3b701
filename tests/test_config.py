"""Settings are read once from the environment; a bad one stops start-up with one line naming it."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings
from bot.server import main as serve_main

BOT_TOKEN = "xoxb-1234-abcd-config-test"
SECRET = "signing-secret-config-test"
APP_TOKEN = "xapp-1-A1-config-test"


def test_http_mode_needs_a_bot_token_and_a_signing_secret_and_defaults_the_rest() -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET})
    assert settings.mode == "http"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.port == 3000
    assert settings.loop_monitor is False


def test_an_app_token_switches_to_socket_mode_where_no_signing_secret_is_needed() -> None:
    settings = Settings.from_env({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN})
    assert settings.mode == "socket"


def test_the_api_url_and_port_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": "http://127.0.0.1:9999/api",
            "PORT": "8080",
            "IVS_EVENTS_LOOP_MONITOR": "1",
        }
    )
    assert (settings.slack_api_url, settings.port, settings.loop_monitor) == (
        "http://127.0.0.1:9999/api/",
        8080,
        True,
    )


@pytest.mark.parametrize(
    ("value", "on"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("no", False),
        ("Off", False),
        ("", False),
    ],
)
def test_the_loop_monitor_switch_takes_every_spelling_its_error_message_lists(value: str, on: bool) -> None:
    environ = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "IVS_EVENTS_LOOP_MONITOR": value}
    assert Settings.from_env(environ).loop_monitor is on


def test_a_loop_monitor_switch_it_does_not_know_is_refused_with_the_spellings_it_takes() -> None:
    environ = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "IVS_EVENTS_LOOP_MONITOR": "maybe",
    }
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(environ)
    assert str(raised.value) == (
        "IVS_EVENTS_LOOP_MONITOR must be 1/true/yes/on to turn it on, or 0/false/no/off (or unset) for off"
    )


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN must be a bot token"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET is required in HTTP mode"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN must be"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "PORT": "http"}, "PORT must be"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "PORT": "70000"}, "PORT must be"),
        (
            {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": "slack.com"},
            "SLACK_API_URL",
        ),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "LOG_LEVEL": "chatty"}, "LOG_LEVEL"),
    ],
)
def test_a_missing_or_invalid_variable_is_named(environ: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(environ)


def test_start_up_stops_with_one_line_and_exit_code_2_without_revealing_values(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-a-user-token-not-a-bot-token")
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    assert serve_main([]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "SLACK_BOT_TOKEN" in err
    assert "xoxp-a-user-token" not in err and "Traceback" not in err


def test_settings_never_show_secrets_in_their_repr() -> None:
    settings = Settings.from_env(
        {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_APP_TOKEN": APP_TOKEN}
    )
    shown = repr(settings)
    assert all(secret not in shown for secret in (BOT_TOKEN, SECRET, APP_TOKEN))
    assert set(settings.secrets) == {BOT_TOKEN, SECRET, APP_TOKEN}


@pytest.mark.parametrize(("value", "expected"), [("", 5), ("5", 5), ("3", 3), (" 1 ", 1)])
def test_ivs_events_max_tps_lowers_the_ceiling_per_operation(value: str, expected: int) -> None:
    environ = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "IVS_EVENTS_MAX_TPS": value}
    assert Settings.from_env(environ).ivs_max_tps == expected


@pytest.mark.parametrize("value", ["0", "6", "2.5", "fast", "-1"])
def test_ivs_events_max_tps_above_the_quota_or_not_a_number_is_refused(value: str) -> None:
    environ = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "IVS_EVENTS_MAX_TPS": value}
    with pytest.raises(ConfigError, match=r"^IVS_EVENTS_MAX_TPS must be a whole number from 1 to 5"):
        Settings.from_env(environ)
