"""``python -m bot demo``: the bot's main job on a built-in demo stage, no Slack workspace or AWS account.

It starts the local IVS RealTime endpoint with the demo stage, points boto3 at it the standard way
(``AWS_ENDPOINT_URL_IVS_REALTIME``) and runs the real data path for each demo participant: parse the ids,
fetch every page through the rate limiter and the cache, sort, analyse, render.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections import Counter

from bot.ivs.errors import IvsQueryError
from bot.ivs.history import ParticipantHistory
from bot.ivs.query import parse_query
from bot.ivs.service import IvsService, create_ivs_service
from bot.local.ivs_endpoint import LocalIvsEndpoint
from bot.local.scenarios import DEMO_PARTICIPANTS, DEMO_SESSION_ID, DEMO_STAGE_ARN

# Credentials for the local endpoint only: it checks that calls are signed, not who signed them.
DEMO_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "AKIDLOCALDEMO",
    "AWS_SECRET_ACCESS_KEY": "local-demo-secret",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def render(history: ParticipantHistory) -> str:
    """What was fetched for one participant, for the terminal."""
    counts = Counter(str(e.get("name")) for e in history.events)
    errors = Counter(str(e.get("errorCode")) for e in history.events if e.get("errorCode"))
    details = history.participant or {}
    lines = [
        f"{history.query.participant_id}  userId={details.get('userId', '?')}  "
        f"{len(history.events)} events in {history.pages} page(s)",
        "  events: " + ", ".join(f"{name}×{n}" for name, n in counts.most_common()),
    ]
    if errors:
        lines.append("  errors: " + ", ".join(f"{code}×{n}" for code, n in errors.most_common()))
    if history.events:
        first, last = history.events[0]["eventTime"], history.events[-1]["eventTime"]
        lines.append(f"  from {first:%H:%M:%S} to {last:%H:%M:%S} UTC")
    return "\n".join(lines)


async def run_demo(service: IvsService, participant_ids: list[str]) -> list[str]:
    """Fetch every participant's history at once (the limiter keeps the calls under 5 per second)."""

    async def one(participant_id: str) -> str:
        try:
            query = parse_query(f"{DEMO_STAGE_ARN} {DEMO_SESSION_ID} {participant_id}")
            history = await service.history(query)
        except IvsQueryError as error:
            return f"{participant_id}: {error.user_message}"
        return render(history)

    try:
        return list(await asyncio.gather(*(one(pid) for pid in participant_ids)))
    finally:
        await service.aclose()


def main(argv: list[str]) -> int:
    """Run the demo; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m bot demo", description=__doc__.splitlines()[0])
    parser.add_argument("participants", nargs="*", help="demo participant ids (default: all of them)")
    args = parser.parse_args(argv)
    participant_ids = args.participants or list(DEMO_PARTICIPANTS)

    with LocalIvsEndpoint().running_in_thread() as endpoint:
        os.environ.update(DEMO_ENVIRONMENT)
        os.environ["AWS_ENDPOINT_URL_IVS_REALTIME"] = endpoint.url
        print(f"Demo stage {DEMO_STAGE_ARN}, session {DEMO_SESSION_ID}")
        print(f"Local IVS RealTime endpoint: {endpoint.url}\n")
        for participant_id in participant_ids:
            print(f"- {participant_id}: {DEMO_PARTICIPANTS.get(participant_id, '(not a demo participant)')}")
        print()
        reports = asyncio.run(run_demo(create_ivs_service(), participant_ids))
    print("\n\n".join(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
