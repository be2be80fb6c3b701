"""Slack's message limits as one assertion, and a way to read every piece of text in a message."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.views import SlackReply

# Slack rejects messages past these (Block Kit reference); ~13,000 characters of block text has been seen
# to fail with msg_blocks_too_long, so the bot keeps to 12,000.
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_FALLBACK_TEXT = 3000
MAX_TOTAL_TEXT = 12_000


def texts(node: Any) -> Iterator[str]:
    """Every ``text`` string and button ``value`` anywhere in a block structure."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("text", "value") and isinstance(value, str):
                yield value
            else:
                yield from texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from texts(item)


def assert_within_slack_limits(reply: SlackReply) -> None:
    blocks = reply.blocks
    assert len(blocks) <= MAX_BLOCKS
    assert len(reply.text) < MAX_FALLBACK_TEXT
    for block in blocks:
        kind = block["type"]
        if kind == "section":
            if "text" in block:
                assert len(block["text"]["text"]) <= MAX_SECTION_TEXT
            fields = block.get("fields", [])
            assert len(fields) <= MAX_FIELDS
            assert all(len(field["text"]) <= MAX_FIELD_TEXT for field in fields)
        elif kind == "header":
            assert len(block["text"]["text"]) <= MAX_HEADER_TEXT
        elif kind == "context":
            assert len(block["elements"]) <= MAX_CONTEXT_ELEMENTS
        elif kind == "actions":
            assert len(block["elements"]) <= MAX_ACTIONS_ELEMENTS
            for button in block["elements"]:
                assert len(button["text"]["text"]) <= MAX_BUTTON_TEXT
                assert len(button.get("value", "")) <= MAX_BUTTON_VALUE
    assert sum(len(text) for text in texts(blocks)) <= MAX_TOTAL_TEXT
