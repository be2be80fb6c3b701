"""Links that open a message in Slack's Block Kit Builder, for demos and bug reports."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

BLOCK_KIT_BUILDER = "https://app.slack.com/block-kit-builder/#"


def block_kit_builder_url(blocks: Sequence[dict[str, Any]]) -> str:
    """The Block Kit Builder URL that previews ``blocks`` (the JSON travels in the URL fragment)."""
    payload = json.dumps({"blocks": list(blocks)}, separators=(",", ":"), ensure_ascii=False)
    return BLOCK_KIT_BUILDER + quote(payload, safe="")
