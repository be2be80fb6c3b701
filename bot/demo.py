"""``python -m bot demo``: the bot's main job on a built-in demo stage, no Slack workspace or AWS account.

It starts the local IVS RealTime endpoint with the demo stage, points boto3 at it the standard way
(``AWS_ENDPOINT_URL_IVS_REALTIME``) and runs the real data path for each demo participant: parse the ids,
fetch every page through the rate limiter and the cache, sort, analyse, render. Each participant's report
is printed as the terminal would show it; the Slack reply is saved as Block Kit JSON under ``demo-output/``
with a Block Kit Builder link to preview it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.analysis import analyze
from bot.domain.errors import IvsQueryError
from bot.domain.history import ParticipantHistory
from bot.domain.queries import ParticipantQuery
from bot.ivs.service import IvsService, create_ivs_service
from bot.local.ivs_endpoint import LocalIvsEndpoint
from bot.local.scenarios import (
    DEMO_LIVE_PARTICIPANTS,
    DEMO_LIVE_SESSION_ID,
    DEMO_PARTICIPANTS,
    DEMO_SESSION_ID,
    DEMO_STAGE_ARN,
)
from bot.views import block_kit_builder_url, build_reply, render_terminal

# Credentials for the local endpoint only: it checks that calls are signed, not who signed them.
DEMO_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "AKIDLOCALDEMO",
    "AWS_SECRET_ACCESS_KEY": "local-demo-secret",
    "AWS_EC2_METADATA_DISABLED": "true",
}


# Where each reply's Block Kit JSON goes (gitignored).
DEMO_OUTPUT = Path("demo-output")


# Every demo participant and the session it is in.
DEMO_SESSIONS = {pid: DEMO_SESSION_ID for pid in DEMO_PARTICIPANTS} | {
    pid: DEMO_LIVE_SESSION_ID for pid in DEMO_LIVE_PARTICIPANTS
}
DEMO_STORIES = DEMO_PARTICIPANTS | DEMO_LIVE_PARTICIPANTS


@dataclass(frozen=True, slots=True)
class DemoReport:
    """One participant's terminal report, and where its Slack reply was saved."""

    text: str
    saved: Path | None = None
    builder_url: str | None = None


def render(history: ParticipantHistory, now: datetime, output: Path = DEMO_OUTPUT) -> DemoReport:
    """One participant's report for the terminal; its Slack reply is saved as Block Kit JSON in ``output``."""
    analysis = analyze(history, now=now)
    reply = build_reply(analysis)
    output.mkdir(parents=True, exist_ok=True)
    path = output / f"{history.query.participant_id}.json"
    path.write_text(json.dumps({"text": reply.text, "blocks": reply.blocks}, indent=2, ensure_ascii=False))
    text = f"{render_terminal(analysis)}\n\nSlack reply: {path} ({len(reply.blocks)} blocks)"
    return DemoReport(text, path, block_kit_builder_url(reply.blocks))


async def run_demo(
    service: IvsService, participant_ids: list[str], now: datetime | None = None, output: Path = DEMO_OUTPUT
) -> list[DemoReport]:
    """Fetch every participant's history at once (the limiter keeps the calls under 5 per second)."""
    now = now or datetime.now(UTC)

    async def one(participant_id: str) -> DemoReport:
        query = ParticipantQuery(DEMO_STAGE_ARN, DEMO_SESSIONS[participant_id], participant_id)
        try:
            history = await service.history(query)
        except IvsQueryError as error:
            return DemoReport(f"{participant_id}: {error.user_message.replace('`', '')}")
        return render(history, now, output)

    try:
        return list(await asyncio.gather(*(one(pid) for pid in participant_ids)))
    finally:
        await service.aclose()


def main(argv: list[str]) -> int:
    """Run the demo; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m bot demo", description=__doc__.splitlines()[0])
    parser.add_argument("participants", nargs="*", help="demo participant ids (default: all of them)")
    parser.add_argument(
        "--output", type=Path, default=DEMO_OUTPUT, help="where to save each Slack reply's Block Kit JSON"
    )
    args = parser.parse_args(argv)
    participant_ids = args.participants or list(DEMO_STORIES)
    unknown = [pid for pid in participant_ids if pid not in DEMO_SESSIONS]
    if unknown:
        choices = "\n".join(f"  {pid}  {story}" for pid, story in DEMO_STORIES.items())
        print(f"not a demo participant: {', '.join(unknown)}. Choose from:\n{choices}", file=sys.stderr)
        return 2

    with LocalIvsEndpoint().running_in_thread() as endpoint:
        os.environ.update(DEMO_ENVIRONMENT)
        os.environ["AWS_ENDPOINT_URL_IVS_REALTIME"] = endpoint.url
        print(f"Demo stage {DEMO_STAGE_ARN}")
        print(f"Sessions {DEMO_SESSION_ID} (ended) and {DEMO_LIVE_SESSION_ID} (live)")
        print(f"Local IVS RealTime endpoint: {endpoint.url}\n")
        for participant_id in participant_ids:
            print(f"- {participant_id} ({DEMO_SESSIONS[participant_id]}): {DEMO_STORIES[participant_id]}")
        print()
        reports = asyncio.run(run_demo(create_ivs_service(), participant_ids, output=args.output))
    print(f"\n\n{'=' * 100}\n\n".join(report.text for report in reports))
    previews = [r for r in reports if r.builder_url]
    if previews:
        print(f"\n\n{'=' * 100}\nWhat Slack would show: paste a saved file into Block Kit Builder, or open")
        for report in previews:
            print(f"\n{report.saved}:\n{report.builder_url}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
