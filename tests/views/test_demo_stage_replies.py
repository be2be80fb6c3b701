"""Every demo participant's reply names its root cause first (the stories of bot/local/scenarios.py).

The histories come straight from the scenario store, ordered by the fetcher's own sort, so this checks the
analysis and the reply against the same data ``python -m bot demo`` fetches through the local endpoint.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.analysis import Analysis, analyze
from bot.domain.history import ParticipantHistory
from bot.domain.queries import ParticipantQuery
from bot.ivs.fetch import sort_oldest_first
from bot.local import scenarios as demo
from bot.views import build_reply
from tests.views.hostile import assert_inert
from tests.views.slack_limits import assert_within_slack_limits, texts

NOW = datetime(2026, 3, 12, 21, 0, tzinfo=UTC)
STORE = demo.demo_store(now=NOW)


def _analysis(participant_id: str, session_id: str = demo.DEMO_SESSION_ID) -> Analysis:
    query = ParticipantQuery(demo.DEMO_STAGE_ARN, session_id, participant_id)
    events = sort_oldest_first(
        list(STORE.events_newest_first(demo.DEMO_STAGE_ARN, session_id, participant_id))
    )
    history = ParticipantHistory(
        query=query,
        events=tuple(events),
        participant=STORE.participant(demo.DEMO_STAGE_ARN, session_id, participant_id),
        session=STORE.session(demo.DEMO_STAGE_ARN, session_id),
        pages=1,
        fetched_at=NOW,
    )
    return analyze(history, now=NOW)


ROOT_CAUSES = {
    demo.HOST: ("no_problems", "No problems recorded"),
    demo.CO_HOST: ("no_problems", "No problems recorded"),
    demo.BITRATE_GUEST: ("error:PUBLISH_ERROR:BITRATE_EXCEEDED", "bitrate above the maximum"),
    demo.STRANDED_VIEWER: (
        "error:SUBSCRIBE_ERROR:PUBLISHER_NOT_FOUND",
        f"publisher `{demo.CO_HOST}` was not there",
    ),
    demo.THIRTEENTH_PUBLISHER: (
        "error:PUBLISH_ERROR:QUOTA_EXCEEDED",
        "the stage already had its 12 publishers",
    ),
    demo.RECONNECT_STORM: ("storm_without_errors", "dropped and came back 15 times"),
    demo.TOKEN_EXCHANGED: (
        "error:PUBLISH_ERROR:INSUFFICIENT_CAPABILITIES:after_token_exchange",
        "A token exchange removed `PUBLISH`",
    ),
    demo.NEVER_JOINED: ("never_got_in", "Never got into the stage: 4 join attempts failed"),
    demo.HOSTILE_TEXT: ("error:SUBSCRIBE_ERROR:SOME_FUTURE_CODE", "not recognised"),
    demo.FIXED_ENCODER: ("error:PUBLISH_ERROR:RESOLUTION_EXCEEDED", "resolution above the maximum"),
    demo.ONE_OFF_GLITCH: ("no_problems", "No open problem: 1 failure then worked again"),
    demo.TWO_DEVICES: ("one_token_two_devices", "One token on two devices"),
    demo.REPLICATED_HOST: ("replication_stopped_early", "stopped at"),
}


def test_every_demo_participant_has_a_root_cause_here() -> None:
    assert set(ROOT_CAUSES) == set(demo.DEMO_PARTICIPANTS)


@pytest.mark.parametrize("participant_id", sorted(ROOT_CAUSES))
def test_each_demo_participants_reply_names_its_root_cause_first(participant_id: str) -> None:
    rule, words = ROOT_CAUSES[participant_id]
    analysis = _analysis(participant_id)
    reply = build_reply(analysis)

    assert analysis.findings[0].rule == rule
    first_finding = next(text for text in texts(reply.blocks) if "*1. " in text)
    assert words in first_finding.splitlines()[0]
    assert_within_slack_limits(reply)
    assert_inert([*texts(reply.blocks), reply.text])


def test_the_stranded_viewer_is_told_when_the_co_host_was_last_received() -> None:
    text = "\n".join(texts(build_reply(_analysis(demo.STRANDED_VIEWER)).blocks))
    assert "until <!date^" in text and "|2026-03-12 18:24:31 UTC>" in text


def test_the_live_sessions_host_is_still_connected_and_publishing() -> None:
    analysis = _analysis(demo.LIVE_HOST, demo.DEMO_LIVE_SESSION_ID)

    assert analysis.patterns.still_connected and analysis.timeline.still_publishing
    assert any(f.rule == "still_connected" for f in analysis.findings)


@pytest.mark.parametrize("participant_id", sorted(ROOT_CAUSES))
def test_no_demo_reply_is_shortened(participant_id: str) -> None:
    text = "\n".join(texts(build_reply(_analysis(participant_id)).blocks))
    assert "shortened to fit" not in text and "(s)" not in text


def test_the_bitrate_guests_drops_are_told_as_encoder_retries_not_a_network_storm() -> None:
    analysis = _analysis(demo.BITRATE_GUEST)
    text = "\n".join(texts(build_reply(analysis).blocks))

    assert [f.rule for f in analysis.findings] == ["error:PUBLISH_ERROR:BITRATE_EXCEEDED"]
    assert "Each failure was followed by the client leaving and rejoining: 5 times in 1 min 05 s" in text
    assert "tried to publish 5 times, each failed" in text and "published 25 s" not in text
    assert "1 column ≈ 1.5 s" in text


def test_the_mobile_viewers_storm_is_about_its_network_not_publishing() -> None:
    text = "\n".join(texts(build_reply(_analysis(demo.RECONNECT_STORM)).blocks))

    assert "mobile network handover" in text and "TCP fallback" not in text
    assert "firewall" not in text  # an iPhone on cellular is not behind the office firewall
    (joins,) = [line for line in text.splitlines() if line.startswith("joins")]
    assert "11" not in joins and "••" in joins


def test_the_token_exchange_title_formats_every_code_alike() -> None:
    reply = build_reply(_analysis(demo.TOKEN_EXCHANGED))
    first = next(text for text in texts(reply.blocks) if "*1. " in text).splitlines()[0]

    assert "`PUBLISH`" in first and "(`INSUFFICIENT_CAPABILITIES`)" in first
    assert "`" not in reply.text and "INSUFFICIENT_CAPABILITIES" in reply.text


@pytest.mark.parametrize(
    ("participant_id", "session_id", "header"),
    [
        (
            demo.FIXED_ENCODER,
            demo.DEMO_SESSION_ID,
            "F1xEdEnC0dEr: publishing failed: resolution above the maximum (RESOLUTION_EXCEEDED ×2), "
            "fixed at 18:29 UTC; published 3 min 50 s since",
        ),
        (
            demo.ONE_OFF_GLITCH,
            demo.DEMO_SESSION_ID,
            "Gl1tChOnCe26: no open problem: INTERNAL_SERVER_EXCEPTION once, fixed at 18:56 UTC; "
            "published 5 min 36 s since",
        ),
        (demo.LIVE_NEWCOMER, demo.DEMO_LIVE_SESSION_ID, "L1veNewC0mer: connected now, no events yet"),
    ],
)
def test_the_new_demo_stories_lead_with_their_cause_and_status(
    participant_id: str, session_id: str, header: str
) -> None:
    reply = build_reply(_analysis(participant_id, session_id))

    assert reply.blocks[0]["text"]["text"] == header
    assert_within_slack_limits(reply)


ALL_DEMO = [(pid, demo.DEMO_SESSION_ID) for pid in demo.DEMO_PARTICIPANTS] + [
    (pid, demo.DEMO_LIVE_SESSION_ID) for pid in demo.DEMO_LIVE_PARTICIPANTS
]


@pytest.mark.parametrize(("participant_id", "session_id"), ALL_DEMO)
def test_no_demo_reply_contradicts_the_facts_it_shows(participant_id: str, session_id: str) -> None:
    analysis = _analysis(participant_id, session_id)
    text = "\n".join(texts(build_reply(analysis).blocks))
    details = analysis.participant or {}
    steps = "\n".join(
        str(part) for finding in analysis.findings for step in finding.next_steps for part in step
    )

    if details.get("state") == "CONNECTED":
        assert "Never connected" not in text and "never reached" not in text
    if details.get("protocol") in ("RTMP", "RTMPS"):
        assert "UDP" not in text and "IVS broadcast SDK" not in steps and "token" not in steps
    if details.get("protocol") == "WHIP" and not details.get("browserName") and not details.get("sdkVersion"):
        assert "AAC" not in steps
    if analysis.timeline.still_connected:
        assert "every later attempt to rejoin failed" not in text
