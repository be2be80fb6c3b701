"""Fetching every page, with the exact parameters IVS expects (botocore Stubber)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.errors import AccessDeniedError, ThrottledError, UnexpectedIvsError
from bot.domain.history import FetchProgress
from bot.ivs.fetch import IvsFetcher
from tests.ivs.stubbing import QUERY, T0, StubbedIvs, events_newest_first


async def test_no_events_is_one_page_and_an_empty_history(
    stubbed_ivs: StubbedIvs, fetcher: IvsFetcher
) -> None:
    stubbed_ivs.expect_events_page([])
    events, pages = await fetcher.list_participant_events(QUERY)
    assert (events, pages) == ([], 1)


async def test_one_event_is_returned_as_is(stubbed_ivs: StubbedIvs, fetcher: IvsFetcher) -> None:
    stubbed_ivs.expect_events_page(events_newest_first(1))
    events, pages = await fetcher.list_participant_events(QUERY)
    assert pages == 1
    assert [e["name"] for e in events] == ["JOINED"]


async def test_101_events_take_two_pages_of_100_following_the_token(
    stubbed_ivs: StubbedIvs, fetcher: IvsFetcher
) -> None:
    newest_first = events_newest_first(101)
    stubbed_ivs.expect_events_page(newest_first[:100], next_token="page-2")
    stubbed_ivs.expect_events_page(newest_first[100:], token="page-2")
    progress: list[FetchProgress] = []

    async def record(p: FetchProgress) -> None:
        progress.append(p)

    events, pages = await fetcher.list_participant_events(QUERY, record)
    assert pages == 2
    assert len(events) == 101
    assert [e["eventTime"] for e in events] == sorted(e["eventTime"] for e in events)
    assert progress == [FetchProgress(1, 100), FetchProgress(2, 101)]


async def test_events_sharing_a_timestamp_are_ordered_as_they_must_have_happened(
    stubbed_ivs: StubbedIvs, fetcher: IvsFetcher
) -> None:
    # The documented CLI example: newest first, LEFT+PUBLISH_STOPPED and JOINED+PUBLISH_STARTED tied.
    later = T0 + timedelta(minutes=6)
    pid = QUERY.participant_id
    stubbed_ivs.expect_events_page(
        [
            {"eventTime": later, "name": "LEFT", "participantId": pid},
            {"eventTime": later, "name": "PUBLISH_STOPPED", "participantId": pid},
            {"eventTime": T0, "name": "PUBLISH_STARTED", "participantId": pid},
            {"eventTime": T0, "name": "JOINED", "participantId": pid},
        ]
    )
    events, _ = await fetcher.list_participant_events(QUERY)
    assert [e["name"] for e in events] == ["JOINED", "PUBLISH_STARTED", "PUBLISH_STOPPED", "LEFT"]


async def test_event_names_and_codes_newer_than_botocore_pass_through_untouched(
    stubbed_ivs: StubbedIvs, fetcher: IvsFetcher
) -> None:
    future = {"eventTime": T0, "name": "SOMETHING_NEW", "participantId": QUERY.participant_id}
    error = {
        "eventTime": T0 + timedelta(seconds=1),
        "name": "PUBLISH_ERROR",
        "errorCode": "A_FUTURE_CODE",
        "participantId": QUERY.participant_id,
    }
    stubbed_ivs.expect_events_page([error, future])
    events, _ = await fetcher.list_participant_events(QUERY)
    assert events == [future, error]


async def test_a_token_that_repeats_stops_the_loop_with_a_clear_error(
    stubbed_ivs: StubbedIvs, fetcher: IvsFetcher
) -> None:
    page = events_newest_first(2)
    stubbed_ivs.expect_events_page(page, next_token="same")
    stubbed_ivs.expect_events_page(page, token="same", next_token="same")
    with pytest.raises(UnexpectedIvsError, match="stopped after 2 pages"):
        await fetcher.list_participant_events(QUERY)


async def test_access_denied_names_the_iam_action_the_resource_and_the_request_id(
    stubbed_ivs: StubbedIvs, fetcher: IvsFetcher
) -> None:
    stubbed_ivs.stubber.add_client_error(
        "list_participant_events",
        service_error_code="AccessDeniedException",
        service_message="User is not authorized",
        http_status_code=403,
        response_meta={"RequestId": "req-123"},
    )
    with pytest.raises(AccessDeniedError) as raised:
        await fetcher.list_participant_events(QUERY)
    message = raised.value.user_message
    assert "`ivs:ListParticipantEvents`" in message
    assert QUERY.stage_arn in message
    assert message.endswith("(AWS request id req-123)")


async def test_throttling_that_outlasts_retries_says_to_wait(
    stubbed_ivs: StubbedIvs, fetcher: IvsFetcher
) -> None:
    stubbed_ivs.stubber.add_client_error(
        "list_participant_events", service_error_code="ThrottlingException", http_status_code=429
    )
    with pytest.raises(ThrottledError, match="5 per second per operation"):
        await fetcher.list_participant_events(QUERY)


async def test_the_client_is_asked_for_the_region_in_the_stage_arn(
    stubbed_ivs: StubbedIvs, fetcher: IvsFetcher
) -> None:
    stubbed_ivs.stubber.add_response(
        "get_stage_session",
        {"stageSession": {"sessionId": QUERY.session_id, "startTime": T0}},
        {"stageArn": QUERY.stage_arn, "sessionId": QUERY.session_id},
    )
    session = await fetcher.get_stage_session(QUERY)
    assert session["startTime"] == T0
    assert stubbed_ivs.regions_asked == ["eu-west-1"]


async def test_list_participants_follows_every_page(stubbed_ivs: StubbedIvs, fetcher: IvsFetcher) -> None:
    base = {"stageArn": QUERY.stage_arn, "sessionId": QUERY.session_id, "maxResults": 100}
    stubbed_ivs.stubber.add_response(
        "list_participants", {"participants": [{"participantId": "a"}], "nextToken": "t2"}, base
    )
    stubbed_ivs.stubber.add_response(
        "list_participants", {"participants": [{"participantId": "b"}]}, {**base, "nextToken": "t2"}
    )
    participants = await fetcher.list_participants(QUERY)
    assert [p["participantId"] for p in participants] == ["a", "b"]


async def test_list_stage_sessions_follows_every_page(stubbed_ivs: StubbedIvs, fetcher: IvsFetcher) -> None:
    base = {"stageArn": QUERY.stage_arn, "maxResults": 100}
    stubbed_ivs.stubber.add_response(
        "list_stage_sessions", {"stageSessions": [{"sessionId": QUERY.session_id}], "nextToken": "n"}, base
    )
    stubbed_ivs.stubber.add_response("list_stage_sessions", {"stageSessions": []}, {**base, "nextToken": "n"})
    sessions = await fetcher.list_stage_sessions(QUERY)
    assert [s["sessionId"] for s in sessions] == [QUERY.session_id]
