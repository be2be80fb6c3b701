"""The app manifests are valid for Slack and agree with the listeners the app registers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.app import create_app, create_slack_client
from bot.config import Settings
from bot.listeners import actions, commands, events, shortcuts
from bot.slack_ids import COMMAND, DIAGNOSE_ACTION, DIAGNOSE_SHORTCUT, OPEN_SESSION_ACTION, UPLOAD_JSON_ACTION

ROOT = Path(__file__).parents[1]
MANIFESTS = sorted((ROOT / "manifests").glob("manifest.*.json"))
SCHEMAS = sorted((ROOT / "tests" / "data").glob("slack-manifest.schema.*.json"))


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _manifest_ids(manifest: dict[str, Any]) -> dict[str, set[str]]:
    features, settings = manifest["features"], manifest["settings"]
    return {
        "commands": {c["command"] for c in features.get("slash_commands", [])},
        "shortcuts": {s["callback_id"] for s in features.get("shortcuts", [])},
        "events": set(settings.get("event_subscriptions", {}).get("bot_events", [])),
    }


DECLARED = {
    "commands": set(commands.COMMANDS),
    "shortcuts": set(shortcuts.SHORTCUTS),
    "events": set(events.EVENTS),
}


def test_there_is_a_socket_mode_and_an_http_manifest() -> None:
    assert [p.name for p in MANIFESTS] == ["manifest.http.json", "manifest.socket-mode.json"]
    assert len(SCHEMAS) == 2


@pytest.mark.parametrize("schema_path", SCHEMAS, ids=lambda p: p.name)
@pytest.mark.parametrize("manifest_path", MANIFESTS, ids=lambda p: p.name)
def test_each_manifest_is_valid_against_slacks_schema(manifest_path: Path, schema_path: Path) -> None:
    errors = [e.message for e in Draft7Validator(_load(schema_path)).iter_errors(_load(manifest_path))]
    assert errors == []


def test_socket_mode_manifest_has_no_request_urls_and_http_manifest_points_every_surface_at_one_url() -> None:
    socket, http = (
        _load(ROOT / "manifests/manifest.socket-mode.json"),
        _load(ROOT / "manifests/manifest.http.json"),
    )
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "url" not in json.dumps(socket["features"]) and "request_url" not in json.dumps(socket["settings"])
    assert http["settings"]["socket_mode_enabled"] is False
    urls = {
        http["settings"]["interactivity"]["request_url"],
        http["settings"]["event_subscriptions"]["request_url"],
        *(c["url"] for c in http["features"]["slash_commands"]),
    }
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")


def test_both_manifests_ask_for_the_same_features_and_scopes() -> None:
    socket, http = (
        _load(ROOT / "manifests/manifest.socket-mode.json"),
        _load(ROOT / "manifests/manifest.http.json"),
    )
    assert _manifest_ids(socket) == _manifest_ids(http)
    assert socket["oauth_config"] == http["oauth_config"]
    assert (
        socket["settings"]["interactivity"]["is_enabled"] and http["settings"]["interactivity"]["is_enabled"]
    )


def test_scopes_are_exactly_what_the_bot_uses() -> None:
    scopes = set(_load(MANIFESTS[0])["oauth_config"]["scopes"]["bot"])
    assert scopes == {
        "commands",  # the slash command and the message shortcut
        "chat:write",  # answers in threads, progress edits, ephemeral notes
        "files:write",  # files_upload_v2
        "app_mentions:read",  # the app_mention event
        "channels:history",  # conversations.replies: the parent of a thread in a public channel
        "groups:history",  # ... and in a private channel the bot was invited to
        "channels:join",  # join a public channel on not_in_channel, then retry
        "im:write",  # conversations.open: send the file by DM when the channel refuses it
    }


@pytest.mark.parametrize("manifest_path", MANIFESTS, ids=lambda p: p.name)
def test_every_command_shortcut_and_event_in_the_manifest_has_a_listener_and_the_reverse(
    manifest_path: Path,
) -> None:
    assert _manifest_ids(_load(manifest_path)) == DECLARED


def _requests() -> dict[tuple[str, str], AsyncBoltRequest]:
    """One minimal request per Slack id the listener modules declare."""

    def request(body: dict[str, Any]) -> AsyncBoltRequest:
        return AsyncBoltRequest(body=body, mode="socket_mode")

    return {
        ("commands", COMMAND): request({"command": COMMAND, "text": "", "user_id": "U1", "channel_id": "C1"}),
        ("shortcuts", DIAGNOSE_SHORTCUT): request(
            {"type": "message_action", "callback_id": DIAGNOSE_SHORTCUT, "message": {"ts": "1.2"}}
        ),
        ("actions", UPLOAD_JSON_ACTION): request(
            {"type": "block_actions", "actions": [{"action_id": UPLOAD_JSON_ACTION, "block_id": "b"}]}
        ),
        ("actions", DIAGNOSE_ACTION): request(
            {"type": "block_actions", "actions": [{"action_id": DIAGNOSE_ACTION, "block_id": "b"}]}
        ),
        ("actions", OPEN_SESSION_ACTION): request(
            {"type": "block_actions", "actions": [{"action_id": f"{OPEN_SESSION_ACTION}:2", "block_id": "b"}]}
        ),
        ("events", "app_mention"): request(
            {"type": "event_callback", "event": {"type": "app_mention", "text": "hi"}, "event_id": "Ev1"}
        ),
    }


@pytest.fixture
def app() -> AsyncApp:
    settings = Settings(slack_bot_token="xoxb-manifest-test", slack_signing_secret="secret-for-tests")
    identity = AuthorizeResult(
        enterprise_id=None, team_id="T0TEAM001", bot_user_id="U0BOT", bot_token="xoxb-x"
    )
    return create_app(settings, None, create_slack_client(settings), identity)  # type: ignore[arg-type]


async def test_each_declared_id_is_really_registered_and_nothing_else_is(app: AsyncApp) -> None:
    requests = _requests()
    declared = {("commands", c) for c in commands.COMMANDS} | {("actions", a) for a in actions.ACTIONS}
    declared |= {("shortcuts", s) for s in shortcuts.SHORTCUTS} | {("events", e) for e in events.EVENTS}
    assert set(requests) == declared
    listeners = app._async_listeners
    for key, request in requests.items():
        matching = [
            lis for lis in listeners if await lis.async_matches(req=request, resp=BoltResponse(status=200))
        ]
        assert len(matching) == 1, key
    assert len(listeners) == len(declared)


SHARED_REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.mark.skipif(
    not SHARED_REFERENCE.is_dir(), reason="the team's shared/reference folder is not beside the repo"
)
@pytest.mark.parametrize("schema_path", SCHEMAS, ids=lambda p: p.name)
def test_the_vendored_schemas_are_slacks_published_ones_unchanged(schema_path: Path) -> None:
    assert schema_path.read_bytes() == (SHARED_REFERENCE / schema_path.name).read_bytes()
