"""The one structured log line per query (``bot.queries``), and the :class:`Asker` it records."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

from bot.domain.queries import Question

query_log = logging.getLogger("bot.queries")


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asked, where, and through which surface (for the log line and for private notes)."""

    user_id: str
    channel_id: str
    surface: str
    thread_ts: str | None = None


def log_query(
    asker: Asker,
    query: Question,
    pages: int | None,
    events: int | None,
    *,
    started: float,
    outcome: str,
) -> None:
    """The one structured line per query: who, where, what, how much, how long, how it ended."""
    fields = {
        "event": "ivs_query",
        "surface": asker.surface,
        "user": asker.user_id,
        "channel": asker.channel_id,
        "thread_ts": asker.thread_ts,
        "asked": type(query).__name__.removesuffix("Query").lower(),
        "stage_arn": query.stage_arn,
        "session_id": getattr(query, "session_id", None),
        "participant_id": getattr(query, "participant_id", None),
        "user_id": getattr(query, "user_id", None),
        "pages": pages,
        "events": events,
        "duration_ms": round((time.monotonic() - started) * 1000),
        "outcome": outcome,
    }
    query_log.info(json.dumps(fields, sort_keys=True))
