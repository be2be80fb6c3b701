"""The local IVS RealTime endpoint, exercised through real boto3 over real HTTP.

If these pass, what the bot learns from the endpoint is what it would learn from AWS: the same
validation, errors, status codes, pagination and wire format, as parsed by botocore itself.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from botocore import UNSIGNED
from botocore.exceptions import ClientError, ParamValidationError

from bot.local import scenarios as demo
from bot.local.ivs_endpoint import (
    LocalIvsEndpoint,
    max_calls_in_window,
    service_model,
    validate,
)
from bot.local.scenarios import (
    DEMO_PARTICIPANTS,
    DEMO_SESSION_ID,
    DEMO_STAGE_ARN,
    ScenarioStore,
    add_generated_history,
    demo_store,
)
from tests.fixtures.ivs import IvsClientFactory

ARN, SESSION = DEMO_STAGE_ARN, DEMO_SESSION_ID
NO_RETRY = {"retries": {"total_max_attempts": 1}}
TOKEN_RE = re.compile(r"[a-zA-Z0-9+/=_-]*")
FAKE_SIGV4 = (
    "AWS4-HMAC-SHA256 Credential=AKIDRAW/20260312/us-west-2/ivs/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0123abcd"
)


def fetch_all(client: Any, participant_id: str, **kwargs: Any) -> tuple[list[dict[str, Any]], int]:
    """Every event of a demo participant, pages concatenated as served; and the number of pages."""
    events: list[dict[str, Any]] = []
    params = {"stageArn": ARN, "sessionId": SESSION, "participantId": participant_id, **kwargs}
    pages = 0
    while True:
        page = client.list_participant_events(**params)
        pages += 1
        events += page["events"]
        if "nextToken" not in page:
            return events, pages
        assert TOKEN_RE.fullmatch(page["nextToken"])
        params["nextToken"] = page["nextToken"]


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    return code_and_status(excinfo.value)


def code_and_status(error: ClientError) -> tuple[str, int]:
    response: Any = error.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def ep(ivs_endpoint_thread: LocalIvsEndpoint) -> LocalIvsEndpoint:
    return ivs_endpoint_thread


@pytest.fixture
def client(ep: LocalIvsEndpoint, ivs_client_factory: IvsClientFactory) -> Any:
    return ivs_client_factory("us-west-2", **NO_RETRY)


@pytest.fixture
def unvalidated(ep: LocalIvsEndpoint, ivs_client_factory: IvsClientFactory) -> Any:
    """A client with boto3's own parameter validation off: proves the server validates too."""
    return ivs_client_factory("us-west-2", parameter_validation=False, **NO_RETRY)


# --- reaching it ------------------------------------------------------------------------------------


def test_boto3_finds_the_endpoint_through_the_environment_and_signs_for_its_region(
    ep: LocalIvsEndpoint, client: Any
) -> None:
    assert client.meta.endpoint_url == ep.url

    response = client.get_stage(arn=ARN)

    (call,) = ep.calls
    assert (call.operation, call.region, call.access_key_id) == ("GetStage", "us-west-2", "AKIDTESTINGONLY")
    assert call.params == {"arn": ARN}
    assert response["ResponseMetadata"]["RequestId"] == call.request_id


def test_a_call_signed_for_another_region_does_not_see_the_stage(
    ep: LocalIvsEndpoint, ivs_client_factory: IvsClientFactory
) -> None:
    east = ivs_client_factory("us-east-1", **NO_RETRY)

    with pytest.raises(ClientError) as excinfo:
        east.get_stage(arn=ARN)
    events = east.list_participant_events(stageArn=ARN, sessionId=SESSION, participantId=demo.HOST)

    assert error_of(excinfo) == ("ResourceNotFoundException", 404)
    assert events["events"] == []
    assert ep.calls[0].region == "us-east-1"


async def test_the_async_fixture_serves_on_the_test_loop(
    ivs_endpoint: LocalIvsEndpoint, ivs_client_factory: IvsClientFactory
) -> None:
    client = ivs_client_factory("us-west-2")

    stage = await asyncio.to_thread(client.get_stage, arn=ARN)

    assert stage["stage"]["name"] == "weekly-live-show"
    assert ivs_endpoint.calls_to("GetStage")[0].region == "us-west-2"


def test_the_thread_runner_stops_cleanly() -> None:
    endpoint = LocalIvsEndpoint()
    with endpoint.running_in_thread() as running:
        url = running.url
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "/GetStage", data=b"{}", timeout=2)


def test_it_runs_standalone_and_prints_the_export_line() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.local.ivs_endpoint", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert any(
        re.fullmatch(r"export AWS_ENDPOINT_URL_IVS_REALTIME=http://127\.0\.0\.1:\d+\n", x) for x in lines
    )


# --- pagination and wire format -------------------------------------------------------------------


def test_events_come_newest_first_across_pages_with_tied_pairs(ep: LocalIvsEndpoint, client: Any) -> None:
    events, pages = fetch_all(client, demo.HOST, maxResults=2)

    assert pages == 3
    assert [e["name"] for e in events] == [
        "LEFT", "PUBLISH_STOPPED", "SUBSCRIBE_STOPPED", "SUBSCRIBE_STARTED", "JOINED", "PUBLISH_STARTED",
    ]  # fmt: skip
    times = [e["eventTime"] for e in events]
    assert times == sorted(times, reverse=True)
    assert times[0] == times[1] and times[4] == times[5]  # LEFT+PUBLISH_STOPPED, JOINED+PUBLISH_STARTED


def test_the_default_page_is_50_events(ep: LocalIvsEndpoint, client: Any) -> None:
    add_generated_history(ep.store, ARN, "st-GeNeRaTeD0001", "Gen1Part0001", 120)

    first = client.list_participant_events(
        stageArn=ARN, sessionId="st-GeNeRaTeD0001", participantId="Gen1Part0001"
    )

    assert len(first["events"]) == 50
    assert "maxResults" not in ep.calls[0].params


def test_ten_thousand_events_take_a_hundred_pages_of_a_hundred(ep: LocalIvsEndpoint, client: Any) -> None:
    expected = add_generated_history(ep.store, ARN, "st-GeNeRaTeD0002", "Gen2Part0002", 10_000)
    params = {"stageArn": ARN, "sessionId": "st-GeNeRaTeD0002", "participantId": "Gen2Part0002"}

    events: list[dict[str, Any]] = []
    token: dict[str, str] = {}
    while True:
        page = client.list_participant_events(**params, **token, maxResults=100)
        events += page["events"]
        if "nextToken" not in page:
            break
        token = {"nextToken": page["nextToken"]}

    assert len(ep.calls) == 100
    assert len(events) == 10_000
    assert {(e["name"], e["eventTime"]) for e in events} == {(e["name"], e["eventTime"]) for e in expected}


def test_a_next_token_only_works_for_the_query_it_came_from(client: Any) -> None:
    token = client.list_participant_events(
        stageArn=ARN, sessionId=SESSION, participantId=demo.HOST, maxResults=1
    )["nextToken"]

    with pytest.raises(ClientError) as excinfo:
        client.list_participant_events(
            stageArn=ARN, sessionId=SESSION, participantId=demo.CO_HOST, maxResults=1, nextToken=token
        )

    assert error_of(excinfo) == ("ValidationException", 400)


def test_timestamps_parse_to_timezone_aware_datetimes(client: Any) -> None:
    participant = client.get_participant(stageArn=ARN, sessionId=SESSION, participantId=demo.HOST)[
        "participant"
    ]
    session = client.get_stage_session(stageArn=ARN, sessionId=SESSION)["stageSession"]
    events, _ = fetch_all(client, demo.TOKEN_EXCHANGED)
    exchange = next(e for e in events if e["name"] == "TOKEN_EXCHANGED")

    stamps = [
        participant["firstJoinTime"],
        session["startTime"],
        session["endTime"],
        exchange["eventTime"],
        exchange["newToken"]["expirationTime"],
    ]
    assert all(s.utcoffset() == timedelta(0) for s in stamps)  # aware (utcoffset of naive is None), UTC
    assert session["endTime"] - session["startTime"] == timedelta(hours=1, minutes=2, seconds=41)


def test_sub_second_times_survive_the_round_trip(ep: LocalIvsEndpoint, client: Any) -> None:
    expected = add_generated_history(ep.store, ARN, "st-GeNeRaTeD0003", "Gen3Part0003", 40)

    served = client.list_participant_events(
        stageArn=ARN, sessionId="st-GeNeRaTeD0003", participantId="Gen3Part0003", maxResults=100
    )["events"]

    assert sorted(e["eventTime"] for e in served) == sorted(e["eventTime"] for e in expected)
    assert any(e["eventTime"].microsecond for e in served)


# --- validation -------------------------------------------------------------------------------------

GOOD: dict[str, Any] = {"stageArn": ARN, "sessionId": SESSION, "participantId": demo.HOST}
# A character the installed model's participantId pattern refuses (botocore 1.44 allows `_`, 1.43 not).
_PARTICIPANT_PATTERN = re.compile(service_model().shape_for("ParticipantId").metadata["pattern"])
FORBIDDEN_IN_PARTICIPANT_ID = next(c for c in "_.!~" if not _PARTICIPANT_PATTERN.fullmatch(c))


@pytest.mark.parametrize(
    ("change", "field", "constraint"),
    [
        ({"stageArn": "arn:aws:ivs:us-west-2:123456789012:channel/abc"}, "stageArn", "regular expression"),
        (
            {"stageArn": "arn:aws:ivs:us-west-2:123456789012:stage/" + "a" * 90},
            "stageArn",
            "less than or equal to 128",
        ),
        ({"sessionId": "st-a1b2c3d4e5f6"}, "sessionId", "greater than or equal to 16"),
        ({"sessionId": "st-a1b2c3d4e5f6gh"}, "sessionId", "less than or equal to 16"),
        ({"sessionId": "xx-a1b2c3d4e5f6g"}, "sessionId", "regular expression"),
        (
            {"participantId": "has" + FORBIDDEN_IN_PARTICIPANT_ID + "char"},
            "participantId",
            "regular expression",
        ),
        ({"participantId": "a" * 65}, "participantId", "less than or equal to 64"),
        ({"maxResults": 0}, "maxResults", "greater than or equal to 1"),
        ({"maxResults": 101}, "maxResults", "less than or equal to 100"),
        ({"maxResults": "ten"}, "maxResults", "of type integer"),
        ({"nextToken": "not a token!"}, "nextToken", "regular expression"),
        ({"participantId": None}, "participantId", "must not be null"),
    ],
)
def test_the_server_rejects_what_the_model_forbids(
    unvalidated: Any, change: dict[str, Any], field: str, constraint: str
) -> None:
    params = {k: v for k, v in (GOOD | change).items() if v is not None}

    with pytest.raises(ClientError) as excinfo:
        unvalidated.list_participant_events(**params)

    assert error_of(excinfo) == ("ValidationException", 400)
    response: Any = excinfo.value.response
    assert response["Error"]["Message"].startswith("1 validation error detected: ")
    assert constraint in response["Error"]["Message"]
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"].startswith("ValidationException:")
    assert response["exceptionMessage"] == response["Error"]["Message"]  # the model's member, parsed too


@pytest.mark.parametrize(
    ("change", "rejected_by_boto3"),
    [
        ({"sessionId": "st-a1b2c3d4e5f6"}, True),  # botocore checks min length ...
        ({"maxResults": 0}, True),  # ... and min value ...
        ({"maxResults": 101}, False),  # ... but not max, pattern or enum: only the service catches these
        ({"stageArn": "arn:aws:ivs:us-west-2:123456789012:channel/abc"}, False),
    ],
)
def test_what_boto3_checks_itself_and_what_only_the_server_catches(
    ep: LocalIvsEndpoint, client: Any, change: dict[str, Any], rejected_by_boto3: bool
) -> None:
    expected: type[Exception] = ParamValidationError if rejected_by_boto3 else ClientError

    with pytest.raises(expected):
        client.list_participant_events(**(GOOD | change))

    assert len(ep.calls) == (0 if rejected_by_boto3 else 1)


def test_several_violations_are_reported_together_with_a_field_list(
    ep: LocalIvsEndpoint, unvalidated: Any
) -> None:
    with pytest.raises(ClientError) as excinfo:
        unvalidated.list_participant_events(
            stageArn="nope", sessionId="st-short", participantId="ok", maxResults=0
        )

    response: Any = excinfo.value.response
    assert response["Error"]["Message"].startswith("3 validation errors detected: ")
    assert ep.calls[0].error_code == "ValidationException"


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("get_participant", {"stageArn": "bad", "sessionId": SESSION, "participantId": "x"}),
        ("get_stage_session", {"stageArn": ARN, "sessionId": "st-1"}),
        ("list_participants", {"stageArn": ARN, "sessionId": SESSION, "filterByState": "GONE"}),
        ("list_participants", {"stageArn": ARN, "sessionId": SESSION, "filterByUserId": "u" * 129}),
        ("list_stage_sessions", {"stageArn": ARN, "maxResults": 500}),
        ("get_stage", {"arn": "arn:aws:ivs:us-west-2:123456789012:stage/"}),
    ],
)
def test_every_operation_is_validated_from_the_model(
    unvalidated: Any, operation: str, params: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as excinfo:
        getattr(unvalidated, operation)(**params)

    assert error_of(excinfo) == ("ValidationException", 400)


def test_list_participants_accepts_only_one_filter(client: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        client.list_participants(
            stageArn=ARN, sessionId=SESSION, filterByPublished=True, filterByState="CONNECTED"
        )

    assert error_of(excinfo) == ("ValidationException", 400)


# --- not found and the protocol's own errors --------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("get_participant", {"stageArn": ARN, "sessionId": SESSION, "participantId": "nobodyHere01"}),
        ("get_stage_session", {"stageArn": ARN, "sessionId": "st-0000000000000"}),
        ("get_stage", {"arn": "arn:aws:ivs:us-west-2:123456789012:stage/doesNotExist"}),
    ],
)
def test_unknown_resources_are_404_for_get_operations(
    client: Any, operation: str, params: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as excinfo:
        getattr(client, operation)(**params)

    assert error_of(excinfo) == ("ResourceNotFoundException", 404)


def test_unknown_ids_give_empty_lists_like_the_real_api(client: Any) -> None:
    other = "arn:aws:ivs:us-west-2:123456789012:stage/doesNotExist"

    events = client.list_participant_events(stageArn=ARN, sessionId=SESSION, participantId="nobodyHere01")
    participants = client.list_participants(stageArn=ARN, sessionId="st-0000000000000")
    sessions = client.list_stage_sessions(stageArn=other)

    assert (events["events"], participants["participants"], sessions["stageSessions"]) == ([], [], [])
    assert "nextToken" not in events


def test_an_unsigned_request_is_refused(ep: LocalIvsEndpoint, ivs_client_factory: IvsClientFactory) -> None:
    unsigned = ivs_client_factory("us-west-2", signature_version=UNSIGNED, **NO_RETRY)

    with pytest.raises(ClientError) as excinfo:
        unsigned.get_stage(arn=ARN)

    assert error_of(excinfo) == ("MissingAuthenticationTokenException", 403)
    assert ep.calls[0].region is None


async def _raw_post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as response:
        return response.status, dict(response.headers), await response.json(content_type=None)


@pytest.mark.parametrize(
    ("path", "body", "authorization", "expected"),
    [
        ("/DeleteStage", b"{}", FAKE_SIGV4, (404, "UnknownOperationException")),
        ("/GetStage", b"{not json", FAKE_SIGV4, (400, "SerializationException")),
        ("/GetStage", b"{}", "Bearer abc", (403, "IncompleteSignatureException")),
        ("/GetStage", b"{}", FAKE_SIGV4.replace("/ivs/", "/s3/"), (403, "InvalidSignatureException")),
        ("/GetStage", b"{}", "", (403, "MissingAuthenticationTokenException")),
    ],
)
async def test_protocol_errors_are_aws_shaped(
    ivs_endpoint: LocalIvsEndpoint, path: str, body: bytes, authorization: str, expected: tuple[int, str]
) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    status, response_headers, payload = await _raw_post(ivs_endpoint.url + path, body, headers)

    assert (status, response_headers["x-amzn-ErrorType"].split(":", 1)[0]) == expected
    assert response_headers["x-amzn-RequestId"] == ivs_endpoint.calls[0].request_id
    assert isinstance(payload["message"], str) and payload["message"]


def test_a_bug_in_the_endpoint_reaches_boto3_as_a_500_not_an_unparseable_page(
    ep: LocalIvsEndpoint, client: Any
) -> None:
    ep.store.add_events(ARN, SESSION, "brokenData01", [{"name": "JOINED"}])  # no eventTime: cannot sort

    with pytest.raises(ClientError) as excinfo:
        client.list_participant_events(**GOOD | {"participantId": "brokenData01"})

    assert error_of(excinfo) == ("InternalServerException", 500)


# --- injected faults --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("AccessDeniedException", 403),
        ("InternalServerException", 500),
        ("ThrottlingException", 429),
        ("UnrecognizedClientException", 403),
        ("ExpiredTokenException", 403),
        ("ResourceNotFoundException", 404),
        ("ServiceQuotaExceededException", 402),
    ],
)
def test_an_injected_error_reaches_boto3_with_its_code_and_status(
    ep: LocalIvsEndpoint, client: Any, code: str, status: int
) -> None:
    ep.faults.fail_next(code)

    with pytest.raises(ClientError) as excinfo:
        client.list_participant_events(**GOOD)
    client.list_participant_events(**GOOD)  # only the next call failed

    assert error_of(excinfo) == (code, status)
    assert excinfo.value.response["Error"]["Message"]
    assert [c.status for c in ep.calls] == [status, 200]


def test_access_denied_names_the_action_and_the_stage(ep: LocalIvsEndpoint, client: Any) -> None:
    ep.faults.fail_next("AccessDeniedException", operation="GetParticipant", count=2)

    client.list_participant_events(**GOOD)
    with pytest.raises(ClientError) as excinfo:
        client.get_participant(**GOOD)

    message = excinfo.value.response["Error"]["Message"]
    assert "ivs:GetParticipant" in message and ARN in message
    assert ep.faults.errors[0].remaining == 1


def test_a_custom_error_uses_the_given_status_and_message(client: Any, ep: LocalIvsEndpoint) -> None:
    ep.faults.fail_next("SlowDown", status=503, message="Please slow down")

    with pytest.raises(ClientError) as excinfo:
        client.get_stage(arn=ARN)

    assert error_of(excinfo) == ("SlowDown", 503)
    assert excinfo.value.response["Error"]["Message"] == "Please slow down"


def test_throttling_the_next_calls(ep: LocalIvsEndpoint, client: Any) -> None:
    ep.faults.throttle_next = 2

    outcomes: list[object] = []
    for _ in range(3):
        try:
            client.get_stage(arn=ARN)
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(code_and_status(error))

    assert outcomes == [("ThrottlingException", 429), ("ThrottlingException", 429), "ok"]


def test_boto3_retries_a_throttled_call_by_itself(
    ep: LocalIvsEndpoint, ivs_client_factory: IvsClientFactory
) -> None:
    # Worth knowing for the bot's rate limiter: each of botocore's retries is one more call against 5 TPS.
    default = ivs_client_factory("us-west-2")
    ep.faults.throttle_next = 1

    response = default.get_stage(arn=ARN)

    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert [c.error_code for c in ep.calls] == ["ThrottlingException", None]


def test_a_tps_limit_throttles_calls_above_it_and_counts_them(ep: LocalIvsEndpoint, client: Any) -> None:
    ep.faults.tps_limit = 5

    outcomes = []
    for _ in range(8):
        try:
            client.get_stage(arn=ARN)
            outcomes.append(200)
        except ClientError as error:
            outcomes.append(error.response["ResponseMetadata"]["HTTPStatusCode"])

    assert outcomes == [200] * 5 + [429] * 3
    assert ep.tps_throttled == 3
    assert ep.max_calls_in_any_second() == 8


def test_calls_paced_at_five_per_second_are_never_throttled(ep: LocalIvsEndpoint, client: Any) -> None:
    ep.faults.tps_limit = 5

    for _ in range(7):
        started = time.monotonic()
        client.get_participant(**GOOD)
        time.sleep(max(0.0, 0.205 - (time.monotonic() - started)))

    assert ep.tps_throttled == 0
    assert ep.max_calls_in_any_second("GetParticipant") <= 5


def test_the_tps_limit_is_per_region(ep: LocalIvsEndpoint, ivs_client_factory: IvsClientFactory) -> None:
    ep.faults.tps_limit = 1
    west, east = ivs_client_factory("us-west-2", **NO_RETRY), ivs_client_factory("us-east-1", **NO_RETRY)

    west.list_participant_events(**GOOD)
    east.list_participant_events(**GOOD)
    with pytest.raises(ClientError):
        west.list_participant_events(**GOOD)

    assert ep.tps_throttled == 1


async def test_latency_delays_each_call_without_blocking_the_others(
    ivs_endpoint: LocalIvsEndpoint, ivs_client_factory: IvsClientFactory
) -> None:
    client = ivs_client_factory("us-west-2")
    ivs_endpoint.faults.latency = 0.3

    started = time.monotonic()
    await asyncio.gather(*(asyncio.to_thread(client.get_stage, arn=ARN) for _ in range(5)))
    elapsed = time.monotonic() - started

    assert 0.3 <= elapsed < 1.0
    assert ivs_endpoint.max_calls_in_any_second() == 5


def test_a_next_token_that_repeats_forever(ep: LocalIvsEndpoint, client: Any) -> None:
    ep.faults.repeat_next_token = True

    first = client.list_participant_events(**GOOD, maxResults=2)
    second = client.list_participant_events(**GOOD, maxResults=2, nextToken=first["nextToken"])
    third = client.list_participant_events(**GOOD, maxResults=2, nextToken=second["nextToken"])

    assert first["nextToken"] == second["nextToken"] == third["nextToken"]


def test_reset_forgets_calls_and_faults(ep: LocalIvsEndpoint, client: Any) -> None:
    ep.faults.tps_limit, ep.faults.throttle_next = 1, 3
    with pytest.raises(ClientError):
        client.get_stage(arn=ARN)
    ep.reset()

    client.get_stage(arn=ARN)
    client.get_stage(arn=ARN)

    assert [c.status for c in ep.calls] == [200, 200]


def test_max_calls_in_window_counts_a_sliding_second() -> None:
    assert max_calls_in_window([]) == 0
    assert max_calls_in_window([0.0, 0.5, 0.99, 1.0, 1.5]) == 3
    assert max_calls_in_window([5.0, 0.1, 0.2, 5.1]) == 2


# --- the demo stage tells its stories ---------------------------------------------------------------


def test_demo_ids_are_valid_for_the_real_api() -> None:
    shape = service_model().operation_model("ListParticipantEvents").input_shape
    assert shape is not None
    for participant_id in DEMO_PARTICIPANTS:
        assert re.fullmatch(r"[a-zA-Z0-9]{12}", participant_id)
        assert validate(shape, GOOD | {"participantId": participant_id}) == []


def test_demo_data_fits_the_model_except_the_deliberate_unknowns() -> None:
    store = demo_store()
    model = service_model()
    event_shape, participant_shape = model.shape_for("Event"), model.shape_for("Participant")
    problems: list[str] = []
    for session in store.sessions(ARN):
        for participant in store.participants(ARN, session["sessionId"]):
            pid = participant["participantId"]
            problems += [e.message for e in validate(participant_shape, participant)]
            for event in store.events_newest_first(ARN, session["sessionId"], pid):
                problems += [e.message for e in validate(event_shape, event)]
    problems += [e.message for e in validate(model.shape_for("Stage"), store.stage(ARN))]

    assert len(problems) == 2
    assert any("'SOME_FUTURE_EVENT' at 'name'" in p for p in problems)
    assert any("'SOME_FUTURE_CODE' at 'errorCode'" in p for p in problems)


def test_hostile_text_and_future_values_pass_through_untouched(client: Any) -> None:
    participant = client.get_participant(**GOOD | {"participantId": demo.HOSTILE_TEXT})["participant"]
    events, _ = fetch_all(client, demo.HOSTILE_TEXT)

    assert participant["userId"] == "<!channel> <https://evil.example|click me>"
    assert participant["attributes"]["note"] == "<https://evil.example|click me> & `x`"
    assert "SOME_FUTURE_EVENT" in {e["name"] for e in events}
    assert "SOME_FUTURE_CODE" in {e.get("errorCode") for e in events}


def _oldest_first(client: Any, participant_id: str) -> list[dict[str, Any]]:
    return list(reversed(fetch_all(client, participant_id, maxResults=100)[0]))


def test_story_bitrate_guest_fails_every_publish_over_rtmps(client: Any) -> None:
    events = _oldest_first(client, demo.BITRATE_GUEST)
    participant = client.get_participant(**GOOD | {"participantId": demo.BITRATE_GUEST})["participant"]

    errors = [e for e in events if e["name"] == "PUBLISH_ERROR"]
    assert len(errors) >= 3 and {e["errorCode"] for e in errors} == {"BITRATE_EXCEEDED"}
    assert sum(e["name"] == "PUBLISH_STARTED" for e in events) == len(errors)
    assert participant["protocol"] == "RTMPS"


def test_story_viewer_subscribes_to_a_co_host_who_had_left(client: Any) -> None:
    viewer = _oldest_first(client, demo.STRANDED_VIEWER)
    co_host = _oldest_first(client, demo.CO_HOST)

    co_host_left = next(e["eventTime"] for e in co_host if e["name"] == "LEFT")
    stopped = next(e["eventTime"] for e in co_host if e["name"] == "PUBLISH_STOPPED")
    not_found = [e for e in viewer if e.get("errorCode") == "PUBLISHER_NOT_FOUND"]
    assert stopped == co_host_left
    assert not_found and all(e["remoteParticipantId"] == demo.CO_HOST for e in not_found)
    assert all(e["eventTime"] > co_host_left for e in not_found)
    assert any(
        e["name"] == "SUBSCRIBE_STARTED" and e.get("remoteParticipantId") == demo.CO_HOST for e in viewer
    )


def test_story_thirteenth_publisher_hits_the_quota_while_twelve_publish() -> None:
    store = demo_store()
    events = store.events_newest_first(ARN, SESSION, demo.THIRTEENTH_PUBLISHER)
    refused_at = min(e["eventTime"] for e in events if e.get("errorCode") == "QUOTA_EXCEEDED")

    publishing = 0
    for participant in store.participants(ARN, SESSION):
        history = store.events_newest_first(ARN, SESSION, participant["participantId"])
        started = [
            e["eventTime"] for e in history if e["name"] == "PUBLISH_STARTED" and e["eventTime"] <= refused_at
        ]
        stopped = [
            e["eventTime"] for e in history if e["name"] == "PUBLISH_STOPPED" and e["eventTime"] <= refused_at
        ]
        publishing += len(started) > len(stopped)
    assert publishing == 12


def test_story_reconnect_storm_has_many_cycles_and_no_errors(client: Any) -> None:
    events = _oldest_first(client, demo.RECONNECT_STORM)

    joins = [e["eventTime"] for e in events if e["name"] == "JOINED"]
    assert len(joins) >= 15 and sum(e["name"] == "LEFT" for e in events) >= 15
    assert joins[-1] - joins[0] < timedelta(minutes=5)
    assert not any("errorCode" in e for e in events)


def test_story_token_exchange_removed_publish(client: Any) -> None:
    events = _oldest_first(client, demo.TOKEN_EXCHANGED)

    exchange = next(e for e in events if e["name"] == "TOKEN_EXCHANGED")
    assert exchange["previousToken"]["capabilities"] == ["PUBLISH", "SUBSCRIBE"]
    assert exchange["newToken"]["capabilities"] == ["SUBSCRIBE"]
    after = [e for e in events if e["eventTime"] > exchange["eventTime"]]
    assert any(e.get("errorCode") == "INSUFFICIENT_CAPABILITIES" for e in after)


def test_story_never_joined(client: Any) -> None:
    events = _oldest_first(client, demo.NEVER_JOINED)

    assert {e["name"] for e in events} == {"JOIN_ERROR"}
    assert all(e["errorCode"] in service_model().shape_for("EventErrorCode").metadata["enum"] for e in events)


def test_story_healthy_host_has_no_errors_and_others_subscribe_to_them(client: Any) -> None:
    host = _oldest_first(client, demo.HOST)
    viewer = _oldest_first(client, demo.STRANDED_VIEWER)

    assert not any("errorCode" in e for e in host)
    assert {host[0]["name"], host[1]["name"]} == {"JOINED", "PUBLISH_STARTED"}
    assert any(e.get("remoteParticipantId") == demo.HOST for e in viewer)


def test_list_participants_pages_and_filters(client: Any) -> None:
    first = client.list_participants(stageArn=ARN, sessionId=SESSION, maxResults=10)
    rest: list[dict[str, Any]] = []
    token = first["nextToken"]
    while token:
        page = client.list_participants(stageArn=ARN, sessionId=SESSION, maxResults=10, nextToken=token)
        rest += page["participants"]
        token = page.get("nextToken")
    published = client.list_participants(stageArn=ARN, sessionId=SESSION, filterByPublished=True)

    everyone = first["participants"] + rest
    assert {p["participantId"] for p in everyone} >= set(DEMO_PARTICIPANTS)
    assert len(everyone) == len(DEMO_PARTICIPANTS) + len(demo.PANELISTS)
    assert "browserName" not in everyone[0]  # a summary, not GetParticipant's details
    assert all(p["published"] for p in published["participants"])
    assert demo.THIRTEENTH_PUBLISHER not in {p["participantId"] for p in published["participants"]}


def test_stage_sessions_newest_first_and_the_live_one_has_no_end(client: Any) -> None:
    first = client.list_stage_sessions(stageArn=ARN, maxResults=1)
    second = client.list_stage_sessions(stageArn=ARN, maxResults=1, nextToken=first["nextToken"])
    stage = client.get_stage(arn=ARN)["stage"]
    live = client.list_participant_events(
        stageArn=ARN, sessionId=demo.DEMO_LIVE_SESSION_ID, participantId=demo.LIVE_VIEWER
    )

    (live_session,) = first["stageSessions"]
    assert live_session["sessionId"] == stage["activeSessionId"] == demo.DEMO_LIVE_SESSION_ID
    assert "endTime" not in live_session
    assert second["stageSessions"][0]["sessionId"] == SESSION and "nextToken" not in second
    assert live["events"]


# --- synthetic histories ----------------------------------------------------------------------------


def test_generated_history_is_fast_deterministic_and_plausible() -> None:
    store_a, store_b = ScenarioStore(), ScenarioStore()

    started = time.perf_counter()
    events = add_generated_history(store_a, ARN, "st-GeNeRaTeD0004", "Gen4Part0004", 10_000)
    elapsed = time.perf_counter() - started
    again = add_generated_history(store_b, ARN, "st-GeNeRaTeD0004", "Gen4Part0004", 10_000)

    assert elapsed < 0.5
    assert events == again and len(events) == 10_000
    assert [e["name"] for e in events[:2]] == ["JOINED", "PUBLISH_STARTED"]
    assert events[0]["eventTime"] == events[1]["eventTime"]
    assert {e["name"] for e in events} >= {"LEFT", "SUBSCRIBE_STARTED", "PUBLISH_ERROR", "SUBSCRIBE_ERROR"}
    session = store_a.session(ARN, "st-GeNeRaTeD0004")
    assert session is not None and session["endTime"] > events[-1]["eventTime"]
    assert store_a.participant(ARN, "st-GeNeRaTeD0004", "Gen4Part0004") is not None


def test_the_tps_limit_is_per_operation_as_ivs_quotas_are(ep: LocalIvsEndpoint, client: Any) -> None:
    ep.faults.tps_limit = 1

    client.list_participant_events(**GOOD)
    client.get_participant(**GOOD)  # its own quota: not throttled by the call before
    client.get_stage_session(stageArn=ARN, sessionId=SESSION)
    with pytest.raises(ClientError):
        client.list_participant_events(**GOOD)

    assert ep.tps_throttled == 1
