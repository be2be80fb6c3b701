"""``python -m bot demo``: the bot's main job on a built-in demo stage, no Slack workspace or AWS account.

It starts the local IVS RealTime endpoint with the demo stage, points boto3 at it the standard way
(``AWS_ENDPOINT_URL_IVS_REALTIME``) and runs the real data path for each demo participant: parse the ids,
fetch every page through the rate limiter and the cache, sort, analyse, render. It opens with one screen:
one line per participant, the answer its reply leads with. The full reports follow, as the terminal shows
them; each Slack reply is saved as Block Kit JSON under ``demo-output/``, and the Block Kit Builder links
that preview them go to one file there (each is several kilobytes long).
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
from bot.analysis.session_overview import SessionOverview
from bot.domain.errors import IvsQueryError
from bot.domain.history import FetchProgress, ParticipantHistory
from bot.domain.queries import ParticipantQuery, SessionQuery
from bot.ivs.service import IvsService, create_ivs_service
from bot.local.ivs_endpoint import LocalIvsEndpoint
from bot.local.scenarios import (
    DEMO_LIVE_PARTICIPANTS,
    DEMO_LIVE_SESSION_ID,
    DEMO_PARTICIPANTS,
    DEMO_SESSION_ID,
    DEMO_STAGE_ARN,
)
from bot.replies.jobs import Jobs
from bot.views import block_kit_builder_url, build_reply, render_terminal
from bot.views.session_overview import build_session_overview, render_overview_terminal

# Credentials for the local endpoint only: it checks that calls are signed, not who signed them.
DEMO_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "AKIDLOCALDEMO",
    "AWS_SECRET_ACCESS_KEY": "local-demo-secret",
    "AWS_EC2_METADATA_DISABLED": "true",
}


# Where each reply's Block Kit JSON goes (gitignored).
DEMO_OUTPUT = Path("demo-output")
BUILDER_LINKS = "block-kit-builder-links.txt"


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

    @property
    def answer(self) -> str:
        """The report's first line: the participant id and the answer (or why there is none)."""
        return self.text.split("\n", 1)[0]


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
    service: IvsService,
    participant_ids: list[str],
    now: datetime | None = None,
    output: Path = DEMO_OUTPUT,
    *,
    overview: bool = False,
) -> list[DemoReport]:
    """Fetch every participant's history at once (the limiter keeps the calls under 5 per second); with
    ``overview``, the ended session's overview first (the whole session, as `/ivs-events <arn> <session>`
    shows it)."""
    now = now or datetime.now(UTC)
    reports: list[DemoReport] = []
    if overview:
        reports.append(await _overview_report(service, now, output))

    async def one(participant_id: str) -> DemoReport:
        query = ParticipantQuery(DEMO_STAGE_ARN, DEMO_SESSIONS[participant_id], participant_id)
        try:
            history = await service.history(query)
        except IvsQueryError as error:
            return DemoReport(f"{participant_id}: {error.user_message.replace('`', '')}")
        return render(history, now, output)

    try:
        return reports + list(await asyncio.gather(*(one(pid) for pid in participant_ids)))
    finally:
        await service.aclose()


async def _overview_report(service: IvsService, now: datetime, output: Path) -> DemoReport:
    query = SessionQuery(DEMO_STAGE_ARN, DEMO_SESSION_ID)

    async def no_progress(_: FetchProgress) -> None:
        return None

    overview = await Jobs(service, now=lambda: now).overview(query, no_progress)
    return _overview_saved(overview, output / f"session-{DEMO_SESSION_ID}.json")


def _overview_saved(overview: SessionOverview, path: Path) -> DemoReport:
    reply = build_session_overview(overview)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"text": reply.text, "blocks": reply.blocks}, indent=2, ensure_ascii=False))
    text = f"{render_overview_terminal(overview)}\n\nSlack reply: {path} ({len(reply.blocks)} blocks)"
    return DemoReport(text, path, block_kit_builder_url(reply.blocks))


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
        whole = not args.participants  # the session overview too, unless participants were named
        reports = asyncio.run(
            run_demo(create_ivs_service(), participant_ids, output=args.output, overview=whole)
        )
    print(
        f"Demo stage {DEMO_STAGE_ARN}, sessions {DEMO_SESSION_ID} (ended) and {DEMO_LIVE_SESSION_ID} (live)"
    )
    print(
        "The answer for the session and each participant (its reply's first line); the full reports follow.\n"
    )
    for report in reports:
        print(f"  {report.answer}")
    links = _save_links(reports, args.output)
    if links is not None:
        print(f"\nSlack replies: {args.output}/<participant>.json; Block Kit Builder links: {links}")
    titles = [f"The whole session {DEMO_SESSION_ID}: /ivs-events <stage-arn> <session-id>"] if whole else []
    titles += [f"{pid} ({DEMO_SESSIONS[pid]}): {DEMO_STORIES[pid]}" for pid in participant_ids]
    for title, report in zip(titles, reports, strict=True):
        print(f"\n\n{'=' * 100}\n{title}\n{'=' * 100}\n\n{report.text}")
    return 0


def _save_links(reports: list[DemoReport], output: Path) -> Path | None:
    """Write every Block Kit Builder link to one file (each is kilobytes long); returns where, if any."""
    previews = [r for r in reports if r.builder_url]
    if not previews:
        return None
    path = output / BUILDER_LINKS
    path.write_text("".join(f"{r.saved}:\n{r.builder_url}\n\n" for r in previews))
    return path


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
