"""The full history as a JSON document: the shape the AWS CLI prints, every page merged."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from bot.domain.history import ParticipantHistory


def _json_value(value: object) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()  # as the AWS CLI prints it: 2023-04-26T20:36:28+00:00
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# A lone UTF-16 surrogate (from a hostile or corrupt field) cannot be encoded as UTF-8, so the upload would
# fail. JSON can carry it as an escape ("\\ud800"), which every JSON reader turns back into the same value.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogate(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def history_to_json(history: ParticipantHistory) -> str:
    """``{"events": [...]}`` as ``aws ivs-realtime list-participant-events`` prints it, but with every page
    merged and sorted oldest first, plus the query, participant details and session times as extra keys.

    The text always encodes as UTF-8: a lone surrogate in any field is written as its JSON escape.
    """
    document = {
        "events": [dict(event) for event in history.events],
        "query": {
            "stageArn": history.query.stage_arn,
            "sessionId": history.query.session_id,
            "participantId": history.query.participant_id,
        },
        "participant": dict(history.participant) if history.participant else None,
        "stageSession": dict(history.session) if history.session else None,
        "pages": history.pages,
        "eventCount": len(history.events),
        "fetchedAt": history.fetched_at,
    }
    text = json.dumps(document, indent=2, default=_json_value, ensure_ascii=False)
    return _LONE_SURROGATE.sub(_escape_surrogate, text)


def export_filename(history: ParticipantHistory) -> str:
    """``ivs-events-<participant>-<session>.json``: ids are [A-Za-z0-9-], safe in any file name."""
    return f"ivs-events-{history.query.participant_id}-{history.query.session_id}.json"
