"""boto3 clients: one per region and credentials, and timestamps parsed fast but exactly as botocore does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore.utils import parse_timestamp as botocore_parse_timestamp

from bot.domain.errors import CredentialsError
from bot.ivs.clients import IvsClientFactory, parse_timestamp


@pytest.mark.parametrize(
    "wire",
    [
        "2026-03-12T18:00:05Z",
        "2026-03-12T18:00:05.250Z",
        "2026-03-12T20:00:05+02:00",
        1773338405,
        "1773338405.5",
    ],
)
def test_timestamps_parse_to_the_same_instant_as_botocore_and_in_utc(wire: str | float) -> None:
    ours = parse_timestamp(wire)
    assert ours == botocore_parse_timestamp(wire)  # type: ignore[arg-type]
    assert ours.tzinfo is UTC


def test_one_client_per_region_is_created_and_reused() -> None:
    factory = IvsClientFactory()
    first = factory.client_for("us-west-2")
    assert factory.client_for("us-west-2") is first
    assert factory.client_for("eu-west-1") is not first
    assert factory.client_count == 2
    assert first.meta.region_name == "us-west-2"


def test_no_credentials_anywhere_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(CredentialsError, match="no AWS credentials"):
        IvsClientFactory().client_for("us-west-2")


def test_a_parsed_time_is_a_real_datetime() -> None:
    assert parse_timestamp("2026-03-12T18:00:05Z") == datetime(2026, 3, 12, 18, 0, 5, tzinfo=UTC)
