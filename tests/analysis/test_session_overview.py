"""The whole session, explained through each other: incidents, the 12-publisher ceiling, departures."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.analysis.correlation import explain_remote
from bot.analysis.participant_analysis import analyze
from bot.analysis.session_overview import analyze_session, examination_order
from bot.domain.history import ParticipantHistory
from bot.domain.queries import SessionQuery
from tests.analysis.factories import (
    NOW,
    SESSION_ID,
    STAGE_ARN,
    at,
    ended_session,
    error,
    history,
    joined,
    left,
    participant,
    publish_started,
    publish_stopped,
    subscribe_started,
    subscribe_stopped,
)

SESSION = SessionQuery(STAGE_ARN, SESSION_ID)


def _of(pid: str, events: list[dict[str, Any]], **details: Any) -> ParticipantHistory:
    base = history(
        [{**e, "participantId": pid} for e in events], details=participant(participantId=pid, **details)
    )
    return replace(base, query=SESSION.participant(pid))


def _summary(pid: str, *, published: bool = False, user: str | None = None) -> dict[str, Any]:
    return {
        "participantId": pid,
        "userId": user or f"user-{pid}",
        "published": published,
        "state": "DISCONNECTED",
    }


def _overview(histories: dict[str, ParticipantHistory], **kwargs: Any) -> Any:
    summaries = [
        _summary(pid, published=bool(h.events and any(e["name"] == "PUBLISH_STARTED" for e in h.events)))
        for pid, h in histories.items()
    ]
    details = {pid: h.participant for pid, h in histories.items() if h.participant}
    return analyze_session(SESSION, ended_session(), summaries, histories, details=details, now=NOW, **kwargs)


def test_viewers_on_one_isp_dropping_in_the_same_minute_are_one_incident_naming_what_they_share() -> None:
    histories = {}
    for n in range(4):
        pid = f"Viewer{n:06d}"
        histories[pid] = _of(
            pid,
            [joined(0), left(30 + n * 0.1), joined(31), left(90)],
            ispName="Acme Fiber",
            sdkVersion=f"1.{n}.0",
        )
    histories["Steady000001"] = _of("Steady000001", [joined(0), left(90)], ispName="Other ISP")
    overview = _overview(histories)
    (incident,) = overview.incidents
    assert set(incident.participant_ids) == {f"Viewer{n:06d}" for n in range(4)}
    # what the whole session has in common (the same browser, OS, protocol) explains nothing
    assert incident.start == at(30) and incident.shared == ("ISP Acme Fiber",)


def test_leaving_at_the_end_of_the_session_together_is_no_incident() -> None:
    histories = {f"Viewer{n:06d}": _of(f"Viewer{n:06d}", [joined(0), left(119.9)]) for n in range(6)}
    assert _overview(histories).incidents == ()


def test_a_refused_thirteenth_publisher_names_the_twelve_who_held_the_slots() -> None:
    histories = {
        f"Panel{n:07d}": _of(f"Panel{n:07d}", [joined(0), publish_started(0), publish_stopped(60), left(60)])
        for n in range(12)
    }
    histories["Late13thPub0"] = _of(
        "Late13thPub0", [joined(10), error("PUBLISH_ERROR", 10.1, "QUOTA_EXCEEDED"), left(11)]
    )
    overview = _overview(histories)
    (hit,) = overview.ceilings
    assert hit.refused == "Late13thPub0" and set(hit.holders) == {f"Panel{n:07d}" for n in range(12)}
    assert overview.publishers_at_peak == 12
    assert overview.with_problems[0].participant_id == "Late13thPub0"


def test_a_publisher_whose_departure_broke_several_subscribers_is_named_as_the_cause() -> None:
    host = "HostLeft0001"
    histories = {host: _of(host, [joined(0), publish_started(1), publish_stopped(30), left(30)])}
    for n in range(3):
        pid = f"Sub{n:09d}"
        histories[pid] = _of(
            pid,
            [
                joined(0),
                subscribe_started(2, host),
                subscribe_stopped(30, host),
                error("SUBSCRIBE_ERROR", 30.5, "PUBLISHER_NOT_FOUND", remoteParticipantId=host),
                left(60),
            ],
        )
    (departure,) = _overview(histories).departures
    assert departure.publisher == host and departure.time == at(30) and len(departure.subscribers) == 3


def test_problems_come_first_and_healthy_ones_are_collapsed() -> None:
    histories = {
        "Healthy00001": _of("Healthy00001", [joined(0), left(60)]),
        "Bitrate00001": _of(
            "Bitrate00001",
            [joined(5), publish_started(5), error("PUBLISH_ERROR", 6, "BITRATE_EXCEEDED"), left(7)],
        ),
    }
    overview = _overview(histories, failed={"Unfetched001": "access denied"})
    assert [r.participant_id for r in overview.with_problems] == ["Bitrate00001"]
    assert [r.participant_id for r in overview.healthy] == ["Healthy00001"]
    assert overview.failed == (("Unfetched001", "access denied"),)
    assert dict(overview.errors_by_code) == {"BITRATE_EXCEEDED": 1}


def test_a_huge_session_examines_publishers_then_connected_participants_first() -> None:
    summaries = [
        {"participantId": "viewerGone01", "published": False, "state": "DISCONNECTED"},
        {"participantId": "viewerHere01", "published": False, "state": "CONNECTED"},
        {"participantId": "publisher001", "published": True, "state": "DISCONNECTED"},
    ]
    assert [s["participantId"] for s in examination_order(summaries)] == [
        "publisher001",
        "viewerHere01",
        "viewerGone01",
    ]


def test_a_viewer_is_told_the_publisher_it_could_not_receive_had_left() -> None:
    host = _of("HostLeft0001", [joined(0), publish_started(1), publish_stopped(30), left(30.1)])
    phrase = explain_remote("HostLeft0001", analyze(host, now=NOW), at(30.5))
    text = "".join(str(p) for p in phrase)
    assert "HostLeft0001" in text and "and left at" in text and "no error" in text


def test_a_publisher_that_was_publishing_then_puts_the_failure_on_the_viewers_side() -> None:
    host = _of("HostStays001", [joined(0), publish_started(1), publish_stopped(90), left(90)])
    phrase = explain_remote("HostStays001", analyze(host, now=NOW), at(30))
    assert "was publishing then" in "".join(str(p) for p in phrase)
