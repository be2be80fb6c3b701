"""What listeners read from Slack payloads: pure functions, no server."""

from __future__ import annotations

import pytest

from bot.asked import split_private
from bot.listeners.actions import file_share


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a b c", ("a b c", False)),
        ("a b c private", ("a b c", True)),
        ("  a  b c PRIVATE ", ("a b c", True)),
        ("private", ("", True)),
        ("", ("", False)),
    ],
)
def test_a_trailing_private_word_keeps_the_answer_private(text: str, expected: tuple[str, bool]) -> None:
    assert split_private(text) == expected


def _click(**extra: object) -> dict[str, object]:
    return {"user": {"id": "U1"}, "response_url": "https://hooks.example/1", **extra}


def test_a_click_on_a_channel_message_targets_its_thread_or_starts_one() -> None:
    top = file_share(_click(channel={"id": "C1"}, message={"ts": "1.1"}, container={"channel_id": "C1"}))
    threaded = file_share(_click(channel={"id": "C1"}, message={"ts": "1.2", "thread_ts": "1.0"}))
    assert (top.channel_id, top.thread_ts, top.user_id) == ("C1", "1.1", "U1")
    assert threaded.thread_ts == "1.0"


def test_a_click_on_an_ephemeral_message_has_no_message_and_takes_the_channel_from_the_container() -> None:
    share = file_share(_click(container={"type": "message", "channel_id": "C9", "is_ephemeral": True}))
    assert (share.channel_id, share.thread_ts) == ("C9", None)
