"""How close does a session overview's fan-out come to IVS's per-operation quota, and does a question
asked in the middle of it still get answered at once?

Builds a session of 40 participants x 250 events (3 pages each at 100 per page) on the local IVS endpoint,
which adds 50 ms to every call and enforces 5 calls per second *per operation* (like IVS), then runs the
real overview job (ListParticipants, every history without GetParticipant, details for the troubled ones).
Five seconds in, one interactive question about another participant is asked in the same account.

Prints:
- the overview's wall time against the per-operation floor: the busiest operation's calls at 5 per
  second, plus one call's latency (target <= 1.10x);
- the throttles the endpoint served (target 0);
- how long the interactive question took while the fan-out was running (target <= 2 s).

    python bench/session.py [--participants 40] [--events 250] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections import Counter
from datetime import UTC, datetime

from bot.domain.history import FetchProgress
from bot.domain.queries import SessionQuery
from bot.ivs.service import create_ivs_service
from bot.local.ivs_endpoint import LocalIvsEndpoint
from bot.local.scenarios import ScenarioStore, add_generated_history
from bot.replies.jobs import Jobs

STAGE = "arn:aws:ivs:us-west-2:123456789012:stage/benchSession1"
SESSION = "st-BenchSession1"
OTHER_SESSION = "st-BenchSession2"  # the interactive question: same account and region, another session
QUOTA = 5
TARGET_RATIO = 1.10
TARGET_INTERACTIVE_S = 2.0
ASK_AFTER_S = 5.0


def _store(participants: int, events: int) -> ScenarioStore:
    store = ScenarioStore()
    start = datetime(2026, 3, 12, 18, tzinfo=UTC)
    store.add_session(STAGE, SESSION, start, start.replace(hour=22))
    store.add_session(STAGE, OTHER_SESSION, start, start.replace(hour=22))
    for n in range(participants):
        add_generated_history(store, STAGE, SESSION, f"benchP{n:04d}", events, start=start, seed=n)
    add_generated_history(store, STAGE, OTHER_SESSION, "benchAsked01", events, start=start, seed=999)
    return store


async def run(participants: int, events: int, latency: float) -> int:
    async with LocalIvsEndpoint(_store(participants, events)) as endpoint:
        os.environ.update(
            {
                "AWS_ENDPOINT_URL_IVS_REALTIME": endpoint.url,
                "AWS_ACCESS_KEY_ID": "AKIDBENCHSESSION",
                "AWS_SECRET_ACCESS_KEY": "bench-secret-not-real",
                "AWS_EC2_METADATA_DISABLED": "true",
            }
        )
        endpoint.faults.latency, endpoint.faults.tps_limit = latency, QUOTA
        ivs = create_ivs_service()
        jobs = Jobs(ivs, now=lambda: datetime.now(UTC))
        query = SessionQuery(STAGE, SESSION)
        examined: list[int] = []

        async def progress(update: FetchProgress) -> None:
            examined.append(update.examined or 0)

        async def interactive() -> float:
            await asyncio.sleep(ASK_AFTER_S)
            asked = time.perf_counter()
            await ivs.history(SessionQuery(STAGE, OTHER_SESSION).participant("benchAsked01"))
            return time.perf_counter() - asked

        try:
            started = time.perf_counter()
            overview_task = asyncio.ensure_future(jobs.session(query, progress))
            waited = await interactive()
            result = await overview_task
            wall = time.perf_counter() - started
        finally:
            await ivs.aclose()
        calls = Counter(c.operation for c in endpoint.calls if c.params.get("sessionId") != OTHER_SESSION)
        busiest_op, busiest = calls.most_common(1)[0]
        floor = (busiest - 1) / QUOTA + latency
        print(
            f"session overview: {participants} participants x {events} events, {latency * 1000:.0f} ms "
            f"per call, quota {QUOTA}/s per operation"
        )
        print(f"calls: {dict(sorted(calls.items()))}")
        print(
            f"overview wall time {wall:.2f} s; per-operation floor {floor:.2f} s ({busiest_op}: {busiest} "
            f"calls at {QUOTA}/s + one call's latency); ratio {wall / floor:.2f} (target <= {TARGET_RATIO})"
        )
        print(f"throttles served by the endpoint: {endpoint.tps_throttled} (target 0)")
        print(
            f"interactive question asked {ASK_AFTER_S:.0f} s into the fan-out answered in {waited:.2f} s "
            f"(target <= {TARGET_INTERACTIVE_S:.0f} s); progress updates: {len(examined)}; "
            f"pages fetched by the overview: {result.pages}"
        )
        ok = wall / floor <= TARGET_RATIO and endpoint.tps_throttled == 0 and waited <= TARGET_INTERACTIVE_S
        return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--participants", type=int, default=40)
    parser.add_argument("--events", type=int, default=250)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args(argv)
    return asyncio.run(run(args.participants, args.events, args.latency_ms / 1000))


if __name__ == "__main__":
    sys.exit(main())
