"""botocore Stubber helpers: pinned params, and a failure when an expected call never happened."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.stub import Stubber

from bot.domain.queries import ParticipantQuery

QUERY = ParticipantQuery(
    "arn:aws:ivs:eu-west-1:123456789012:stage/abcdABCDefgh", "st-a1b2c3d4e5f6g", "abCDEf12GHIj"
)
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class StubbedIvs:
    """A real boto3 client whose HTTP layer is a Stubber queue, served to the fetcher for any region."""

    client: Any
    stubber: Stubber
    regions_asked: list[str] = field(default_factory=list)

    def client_for(self, region: str) -> Any:
        self.regions_asked.append(region)
        return self.client

    def expect_events_page(
        self, events: list[dict[str, Any]], *, token: str | None = None, next_token: str | None = None
    ) -> None:
        expected = {
            "stageArn": QUERY.stage_arn,
            "sessionId": QUERY.session_id,
            "participantId": QUERY.participant_id,
            "maxResults": 100,
        }
        if token:
            expected["nextToken"] = token
        response: dict[str, Any] = {"events": events}
        if next_token:
            response["nextToken"] = next_token
        self.stubber.add_response("list_participant_events", response, expected)


def events_newest_first(count: int, *, start: datetime = T0) -> list[dict[str, Any]]:
    """``count`` JOINED/LEFT events one second apart, newest first as the API answers."""
    events = [
        {
            "name": "JOINED" if i % 2 == 0 else "LEFT",
            "participantId": QUERY.participant_id,
            "eventTime": start + timedelta(seconds=i),
        }
        for i in range(count)
    ]
    return events[::-1]
