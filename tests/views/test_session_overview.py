"""The session overview message: within Slack's limits for any session size, problems first, escaped."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.analysis.session_overview import analyze_session
from bot.domain.history import ParticipantHistory
from bot.domain.queries import ParticipantQuery, SessionQuery
from bot.slack_ids import DIAGNOSE_ACTION
from bot.views.session_overview import build_session_overview
from tests.analysis.factories import (
    NOW,
    SESSION_ID,
    STAGE_ARN,
    ended_session,
    error,
    history,
    joined,
    left,
    participant,
    publish_started,
)
from tests.views.slack_limits import assert_within_slack_limits, texts

SESSION = SessionQuery(STAGE_ARN, SESSION_ID)
HOSTILE = "<!channel> <https://evil.example|click> *bold*"


def _of(pid: str, events: list[dict[str, Any]], **details: Any) -> ParticipantHistory:
    base = history(
        [{**e, "participantId": pid} for e in events], details=participant(participantId=pid, **details)
    )
    return replace(base, query=SESSION.participant(pid))


def _session(problems: int, healthy: int) -> Any:
    histories: dict[str, ParticipantHistory] = {}
    summaries = []
    for n in range(problems):
        pid = f"Bad{n:09d}"
        histories[pid] = _of(
            pid, [joined(1), publish_started(1), error("PUBLISH_ERROR", 2, "BITRATE_EXCEEDED"), left(3)]
        )
        summaries.append({"participantId": pid, "userId": HOSTILE, "published": True})
    for n in range(healthy):
        pid = f"Good{n:08d}"
        histories[pid] = _of(pid, [joined(0), left(100)])
        summaries.append({"participantId": pid, "userId": f"viewer-{n}", "published": False})
    summaries.append({"participantId": "NotLooked001", "published": False})
    return analyze_session(SESSION, ended_session(), summaries, histories, now=NOW)


def test_the_overview_leads_with_the_answer_and_gives_each_problem_a_diagnose_button() -> None:
    reply = build_session_overview(_session(problems=3, healthy=5))
    header = reply.blocks[0]["text"]["text"]
    assert (
        header.startswith(f"{SESSION_ID}: 3 of 8 with problems; Bad000000000: ")
        and "BITRATE_EXCEEDED" in header
    )
    buttons = [
        b["accessory"] for b in reply.blocks if b.get("accessory", {}).get("action_id") == DIAGNOSE_ACTION
    ]
    assert [ParticipantQuery.from_value(b["value"]).participant_id for b in buttons] == [
        "Bad000000000",
        "Bad000000001",
        "Bad000000002",
    ]
    text = " ".join(texts(reply.blocks))
    assert "5 participants with no problems" in text and "Good00000004" in text
    assert "Not examined (1" in text and "NotLooked001" in text
    assert_within_slack_limits(reply)


def test_a_huge_session_stays_within_slacks_limits_and_names_what_it_could_not_show() -> None:
    reply = build_session_overview(_session(problems=120, healthy=300))
    assert_within_slack_limits(reply)
    text = " ".join(texts(reply.blocks))
    assert "more with problems" in text and "and 260 more" in text


def test_customer_text_in_the_overview_can_neither_ping_nor_link() -> None:
    reply = build_session_overview(_session(problems=2, healthy=1))
    for text in texts(reply.blocks):
        assert "<!channel>" not in text and "<https://evil" not in text
    assert "&lt;!channel&gt;" in " ".join(texts(reply.blocks))


def test_when_no_history_could_be_fetched_the_header_says_so() -> None:
    overview = analyze_session(
        SESSION,
        ended_session(),
        [{"participantId": "Unfetched001"}],
        {},
        failed={"Unfetched001": "IVS is throttling"},
        now=NOW,
    )
    reply = build_session_overview(overview)
    assert reply.blocks[0]["text"]["text"] == f"{SESSION_ID}: none of its 1 participants could be fetched"
    assert "Could not fetch 1" in " ".join(texts(reply.blocks))
