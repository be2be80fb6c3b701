"""The whole data path through real boto3, real HTTP and SigV4 to the local IVS RealTime endpoint."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from botocore.config import Config

from bot.domain.errors import (
    AccessDeniedError,
    CredentialsError,
    EndpointError,
    NotFoundError,
    ServiceValidationError,
    ThrottledError,
    UnexpectedIvsError,
)
from bot.domain.queries import ParticipantQuery
from bot.ivs.fetch import _TIE_RANK
from bot.ivs.rate_limit import Priority
from bot.ivs.service import IvsService, create_ivs_service
from bot.local.ivs_endpoint import LocalIvsEndpoint
from bot.local.scenarios import (
    BITRATE_GUEST,
    DEMO_SESSION_ID,
    DEMO_STAGE_ARN,
    HOSTILE_TEXT,
    ScenarioStore,
    add_generated_history,
)

# Two attempts and short timeouts keep failure tests fast; production uses four (bot/ivs/clients.py).
FAST = Config(retries={"mode": "standard", "total_max_attempts": 2}, connect_timeout=1, read_timeout=5)


def demo_query(participant_id: str) -> ParticipantQuery:
    return ParticipantQuery(DEMO_STAGE_ARN, DEMO_SESSION_ID, participant_id)


@pytest.fixture
async def service() -> AsyncIterator[IvsService]:
    svc = create_ivs_service(calls_per_second=None, config=FAST)
    yield svc
    await svc.aclose()


@pytest.mark.parametrize("count", [0, 1, 100, 101, 10_000])
async def test_every_page_is_fetched_and_merged_oldest_first(
    ivs_endpoint: LocalIvsEndpoint, service: IvsService, count: int
) -> None:
    participant = f"generated{count}"
    add_generated_history(ivs_endpoint.store, DEMO_STAGE_ARN, DEMO_SESSION_ID, participant, count)
    history = await service.history(demo_query(participant))

    assert len(history.events) == count
    assert history.pages == max(1, math.ceil(count / 100))
    assert all(c.params.get("maxResults") == 100 for c in ivs_endpoint.calls_to("ListParticipantEvents"))
    keys = [(e["eventTime"], _TIE_RANK.get(e["name"], 4)) for e in history.events]
    assert keys == sorted(keys)
    assert history.session is not None and history.session_ended


async def test_known_problems_arrive_with_participant_details_and_untouched_unknown_codes(
    ivs_endpoint: LocalIvsEndpoint, service: IvsService
) -> None:
    guest = await service.history(demo_query(BITRATE_GUEST))
    assert any(e.get("errorCode") == "BITRATE_EXCEEDED" for e in guest.events)
    assert guest.participant is not None and guest.participant["participantId"] == BITRATE_GUEST

    hostile = await service.history(demo_query(HOSTILE_TEXT))
    known = set(_TIE_RANK)
    assert any(e["name"] not in known for e in hostile.events)  # an event name newer than botocore


async def test_the_call_is_signed_for_the_region_in_the_stage_arn(ivs_endpoint: LocalIvsEndpoint) -> None:
    store = ivs_endpoint.store
    assert isinstance(store, ScenarioStore)
    arn = "arn:aws:ivs:eu-central-1:210987654321:stage/frankfurtStage"
    store.add_stage(arn, name="frankfurt")
    store.add_session(arn, "st-Frankfurt0001", datetime(2026, 5, 1, tzinfo=UTC))
    add_generated_history(store, arn, "st-Frankfurt0001", "p1", 3)
    svc = create_ivs_service(calls_per_second=None, config=FAST)
    try:
        history = await svc.history(ParticipantQuery(arn, "st-Frankfurt0001", "p1"))
    finally:
        await svc.aclose()
    assert len(history.events) == 3
    assert {c.region for c in ivs_endpoint.calls} == {"eu-central-1"}


async def test_a_second_identical_query_is_served_from_the_cache(
    ivs_endpoint: LocalIvsEndpoint, service: IvsService
) -> None:
    await service.history(demo_query(BITRATE_GUEST))
    calls = len(ivs_endpoint.calls)
    await service.history(demo_query(BITRATE_GUEST))
    assert len(ivs_endpoint.calls) == calls
    assert service.cached(demo_query(BITRATE_GUEST)) is not None


async def test_a_second_participant_of_an_ended_session_skips_get_stage_session(
    ivs_endpoint: LocalIvsEndpoint, service: IvsService
) -> None:
    first = await service.history(demo_query(BITRATE_GUEST))
    second = await service.history(demo_query(HOSTILE_TEXT))
    assert second.session == first.session
    assert len(ivs_endpoint.calls_to("GetStageSession")) == 1


async def test_concurrent_queries_about_one_session_share_one_get_stage_session(
    ivs_endpoint: LocalIvsEndpoint, service: IvsService
) -> None:
    for n in range(5):
        add_generated_history(ivs_endpoint.store, DEMO_STAGE_ARN, DEMO_SESSION_ID, f"team{n}", 5)
    histories = await asyncio.gather(*(service.history(demo_query(f"team{n}")) for n in range(5)))
    assert all(h.session_ended for h in histories)
    assert len(ivs_endpoint.calls_to("GetStageSession")) == 1


async def test_a_repeating_page_token_stops_with_a_clear_error(
    ivs_endpoint: LocalIvsEndpoint, service: IvsService
) -> None:
    add_generated_history(ivs_endpoint.store, DEMO_STAGE_ARN, DEMO_SESSION_ID, "loopy", 250)
    ivs_endpoint.faults.repeat_next_token = True
    with pytest.raises(UnexpectedIvsError, match="endless loop"):
        await service.history(demo_query("loopy"))
    assert len(ivs_endpoint.calls_to("ListParticipantEvents")) == 2


@pytest.mark.parametrize(
    ("code", "expected", "text"),
    [
        ("AccessDeniedException", AccessDeniedError, "`ivs:ListParticipantEvents`"),
        ("ValidationException", ServiceValidationError, "rejected"),
        ("ExpiredTokenException", CredentialsError, "refresh"),
        ("InternalServerException", UnexpectedIvsError, "internal error"),
    ],
)
async def test_each_aws_error_becomes_a_one_line_answer_with_the_request_id(
    ivs_endpoint: LocalIvsEndpoint,
    service: IvsService,
    code: str,
    expected: type[Exception],
    text: str,
) -> None:
    ivs_endpoint.faults.fail_next(code, count=2, operation="ListParticipantEvents")
    with pytest.raises(expected) as raised:
        await service.history(demo_query(BITRATE_GUEST))
    message = raised.value.user_message  # type: ignore[attr-defined]
    assert text in message
    assert "(AWS request id " in message


async def test_denied_participant_details_do_not_stop_the_answer_but_say_which_permission_is_missing(
    ivs_endpoint: LocalIvsEndpoint, service: IvsService
) -> None:
    ivs_endpoint.faults.fail_next("AccessDeniedException", count=5, operation="GetParticipant")
    history = await service.history(demo_query(BITRATE_GUEST))
    assert history.events and history.participant is None
    assert history.participant_error is not None and "`ivs:GetParticipant`" in history.participant_error
    assert history.session is not None and history.session_error is None


async def test_an_unknown_participant_is_reported_as_not_found(
    ivs_endpoint: LocalIvsEndpoint, service: IvsService
) -> None:
    with pytest.raises(NotFoundError, match="Check the ids"):
        await service.history(demo_query("nobodyHere"))


async def test_an_unknown_session_is_reported_as_not_found(
    ivs_endpoint: LocalIvsEndpoint, service: IvsService
) -> None:
    with pytest.raises(NotFoundError):
        await service.history(ParticipantQuery(DEMO_STAGE_ARN, "st-NoSuchSessio1", BITRATE_GUEST))


async def test_throttling_then_success_is_invisible_to_the_user(
    ivs_endpoint: LocalIvsEndpoint, service: IvsService
) -> None:
    ivs_endpoint.faults.throttle_next = 1
    history = await service.history(demo_query(BITRATE_GUEST))
    assert history.events
    assert any(c.status == 429 for c in ivs_endpoint.calls)


async def test_throttling_that_outlasts_the_retries_says_so(
    ivs_endpoint: LocalIvsEndpoint, service: IvsService
) -> None:
    ivs_endpoint.faults.throttle_next = 10
    with pytest.raises(ThrottledError, match="Try again in a minute"):
        await service.history(demo_query(BITRATE_GUEST))


async def test_no_credentials_is_explained_and_costs_no_call(
    ivs_endpoint: LocalIvsEndpoint, service: IvsService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(CredentialsError, match="no AWS credentials"):
        await service.history(demo_query(BITRATE_GUEST))
    assert ivs_endpoint.calls == []


async def test_an_unreachable_endpoint_is_explained(service: IvsService) -> None:
    # tests/conftest.py points AWS_ENDPOINT_URL_IVS_REALTIME at a refused loopback port.
    with pytest.raises(EndpointError, match="Could not reach"):
        await service.history(demo_query(BITRATE_GUEST))


async def test_fifty_concurrent_queries_stay_under_five_calls_per_second_per_operation(
    ivs_endpoint: LocalIvsEndpoint,
) -> None:
    """The endpoint enforces the real quota, per operation; the bot's limiter keeps every call under it."""
    for n in range(50):
        add_generated_history(ivs_endpoint.store, DEMO_STAGE_ARN, DEMO_SESSION_ID, f"crowd{n}", 20)
    ivs_endpoint.faults.tps_limit = 5
    svc = create_ivs_service(config=FAST)
    try:
        histories = await asyncio.gather(*(svc.history(demo_query(f"crowd{n}")) for n in range(50)))
    finally:
        await svc.aclose()
    assert all(len(h.events) == 20 for h in histories)
    assert ivs_endpoint.tps_throttled == 0
    for operation in ("ListParticipantEvents", "GetParticipant", "GetStageSession"):
        assert ivs_endpoint.max_calls_in_any_second(operation) <= 5
    # each operation has its own 5 per second: the two busy ones ran side by side, not one after the other
    assert ivs_endpoint.max_calls_in_any_second() > 5


async def test_a_question_asked_during_a_bulk_fan_out_goes_ahead_of_it(
    ivs_endpoint: LocalIvsEndpoint,
) -> None:
    for n in range(30):
        add_generated_history(ivs_endpoint.store, DEMO_STAGE_ARN, DEMO_SESSION_ID, f"bulk{n}", 20)
    ivs_endpoint.faults.tps_limit = 5
    ivs_endpoint.faults.latency = 0.05
    svc = create_ivs_service(config=FAST)
    try:
        bulk = [
            asyncio.ensure_future(svc.history(demo_query(f"bulk{n}"), priority=Priority.BULK))
            for n in range(30)
        ]
        await asyncio.sleep(0.3)  # the fan-out is under way, most of it still queued
        asked = await svc.history(demo_query(BITRATE_GUEST))
        await asyncio.gather(*bulk)
    finally:
        await svc.aclose()
    events_calls = [c.params["participantId"] for c in ivs_endpoint.calls_to("ListParticipantEvents")]
    position = events_calls.index(BITRATE_GUEST)
    assert asked.events and position < 12, events_calls  # not behind the 30 bulk fetches
    assert ivs_endpoint.tps_throttled == 0
