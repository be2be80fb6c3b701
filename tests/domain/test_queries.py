"""A user types or pastes three ids; bad ones are named, with the expected shape, before any AWS call."""

from __future__ import annotations

import re

import botocore.session
import pytest
from botocore.validate import ParamValidator
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import InvalidQueryError
from bot.domain.queries import PARTICIPANT_ID_RE, ParticipantQuery, known_regions, parse_query

ARN = "arn:aws:ivs:us-west-2:123456789012:stage/abcdABCDefgh"
SESSION = "st-a1b2c3d4e5f6g"
PARTICIPANT = "abCDEf12GHIj"


def test_three_valid_ids_make_a_query_with_region_and_account_from_the_arn() -> None:
    query = parse_query(f"  {ARN}   {SESSION} {PARTICIPANT} ")
    assert query == ParticipantQuery(ARN, SESSION, PARTICIPANT)
    assert (query.region, query.account, query.stage_id) == ("us-west-2", "123456789012", "abcdABCDefgh")


def test_ids_pasted_from_formatted_slack_text_are_unwrapped() -> None:
    assert parse_query(f"<{ARN}> `{SESSION}` '{PARTICIPANT}',") == ParticipantQuery(ARN, SESSION, PARTICIPANT)


def test_a_short_session_id_is_named_with_the_expected_shape() -> None:
    with pytest.raises(InvalidQueryError) as raised:
        parse_query(f"{ARN} st-short {PARTICIPANT}")
    assert raised.value.part == "session id"
    assert raised.value.user_message == (
        "session id must be `st-` followed by 13 letters or digits, got `st-short`"
    )


@pytest.mark.parametrize(
    ("text", "part"),
    [
        (f"arn:aws:ivs:us-west-2:1234:stage/abc {SESSION} {PARTICIPANT}", "stage ARN"),
        (f"arn:aws:ivs:us-west-2:123456789012:channel/abc {SESSION} {PARTICIPANT}", "stage ARN"),
        (f"arn:aws:ivs:us-west-2:123456789012:stage/{'a' * 120} {SESSION} {PARTICIPANT}", "stage ARN"),
        (f"arn:aws:ivs:mars-west-9:123456789012:stage/abc {SESSION} {PARTICIPANT}", "stage ARN"),
        (f"{ARN} st-a1b2c3d4e5f6g7 {PARTICIPANT}", "session id"),
        (f"{ARN} xx-a1b2c3d4e5f6g {PARTICIPANT}", "session id"),
        (f"{ARN} {SESSION} bad_participant!", "participant id"),
        (f"{ARN} {SESSION} {'p' * 65}", "participant id"),
        (f"{ARN} {SESSION}", "arguments"),
        ("", "arguments"),
        (f"{ARN} {SESSION} {PARTICIPANT} extra", "arguments"),
    ],
)
def test_each_malformed_part_is_named(text: str, part: str) -> None:
    with pytest.raises(InvalidQueryError) as raised:
        parse_query(text)
    assert raised.value.part == part
    assert "\n" not in raised.value.user_message


def test_a_huge_value_is_cut_in_the_message() -> None:
    with pytest.raises(InvalidQueryError) as raised:
        parse_query(f"{ARN} {SESSION} {'x' * 5000}")
    assert len(raised.value.user_message) < 200


def test_the_button_value_round_trips_and_fits_slack() -> None:
    query = ParticipantQuery(ARN, SESSION, PARTICIPANT)
    assert ParticipantQuery.from_value(query.as_value()) == query
    assert len(query.as_value()) <= 2000


_MODEL = botocore.session.get_session().get_service_model("ivs-realtime")
_INPUT = _MODEL.operation_model("ListParticipantEvents").input_shape


def test_a_region_that_is_not_an_aws_region_is_named_before_any_call() -> None:
    with pytest.raises(InvalidQueryError, match="`mars-west-9`, which is not an AWS region"):
        parse_query(f"arn:aws:ivs:mars-west-9:123456789012:stage/abc {SESSION} {PARTICIPANT}")


@pytest.mark.parametrize("region", ["us-west-2", "eu-central-1", "ap-northeast-2", "ap-south-2"])
def test_real_regions_are_accepted(region: str) -> None:
    assert (
        parse_query(f"arn:aws:ivs:{region}:123456789012:stage/abc {SESSION} {PARTICIPANT}").region == region
    )


@pytest.mark.parametrize("region", ["us-foo-1", "eu-north-9", "ap-moon-1", "aws-global", "cn-north-1"])
def test_a_region_shaped_name_that_botocore_does_not_know_is_refused_before_any_call(region: str) -> None:
    assert region not in known_regions()
    with pytest.raises(InvalidQueryError, match=f"`{region}`, which is not an AWS region"):
        parse_query(f"arn:aws:ivs:{region}:123456789012:stage/abc {SESSION} {PARTICIPANT}")


def test_the_participant_id_rule_is_the_installed_models() -> None:
    model = _MODEL.shape_for("ParticipantId").metadata
    allowed = re.compile(model["pattern"])
    for char in "-_.!~ ":
        candidate = f"ab{char}cd"
        assert bool(PARTICIPANT_ID_RE.fullmatch(candidate)) == bool(allowed.fullmatch(candidate)), char
    assert PARTICIPANT_ID_RE.fullmatch("a" * model["max"]) and not PARTICIPANT_ID_RE.fullmatch(
        "a" * (model["max"] + 1)
    )
    assert not PARTICIPANT_ID_RE.fullmatch("")  # the model allows it; it names nobody


@given(
    region=st.sampled_from(sorted(r for r in known_regions() if re.fullmatch(r"[a-z0-9-]+", r))),
    account=st.from_regex(r"[0-9]{12}", fullmatch=True),
    stage=st.from_regex(r"[a-zA-Z0-9-]{1,80}", fullmatch=True),
    session=st.from_regex(r"st-[a-zA-Z0-9]{13}", fullmatch=True),
    participant=st.from_regex(PARTICIPANT_ID_RE, fullmatch=True),
)
def test_every_query_we_accept_is_one_botocore_accepts(
    region: str, account: str, stage: str, session: str, participant: str
) -> None:
    query = parse_query(f"arn:aws:ivs:{region}:{account}:stage/{stage} {session} {participant}")
    params = {
        "stageArn": query.stage_arn,
        "sessionId": query.session_id,
        "participantId": query.participant_id,
    }
    report = ParamValidator().validate(params, _INPUT)
    assert not report.has_errors(), report.generate_report()
    assert query.region == region
