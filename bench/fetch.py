"""Benchmark: fetch a 10,000-event history with 50 ms of latency per call on the local IVS endpoint.

Prints the wall time, the limit ceil(N/100) x latency (pages are sequential: each needs the previous
page's token, so no client can beat it), their ratio (target: within 1.10x), and the same for a naive loop
at the API's default page size, which is what a CLI user gets.

The client-side 5 TPS limiter is off for the main figure: it measures our own overhead, not AWS's quota.
``--with-limiter`` adds a run at IVS's real 5 calls per second (its floor is about N/100/5 seconds).

    python bench/fetch.py [--events 10000] [--latency-ms 50] [--repeat 3] [--with-limiter]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import sys
import time

import boto3

from bot.ivs.cache import HistoryCache
from bot.ivs.query import ParticipantQuery
from bot.ivs.service import create_ivs_service
from bot.local.ivs_endpoint import LocalIvsEndpoint
from bot.local.scenarios import DEMO_SESSION_ID, DEMO_STAGE_ARN, add_generated_history

PARTICIPANT = "benchTenThousand"


async def fetch_with_bot(query: ParticipantQuery, *, limited: bool) -> tuple[float, int, int]:
    service = create_ivs_service(calls_per_second=5 if limited else None, cache=HistoryCache())
    try:
        started = time.perf_counter()
        history = await service.history(query)
        return time.perf_counter() - started, history.pages, len(history.events)
    finally:
        await service.aclose()


def fetch_naively(query: ParticipantQuery) -> tuple[float, int, int]:
    """What a CLI user's loop does: the default page size, one call after another."""
    client = boto3.client("ivs-realtime", region_name=query.region)
    started = time.perf_counter()
    events: list[object] = []
    pages, token = 0, None
    while True:
        extra = {"nextToken": token} if token else {}
        page = client.list_participant_events(
            stageArn=query.stage_arn, sessionId=query.session_id, participantId=query.participant_id, **extra
        )
        pages += 1
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            return time.perf_counter() - started, pages, len(events)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--with-limiter", action="store_true")
    args = parser.parse_args()

    endpoint = LocalIvsEndpoint()
    add_generated_history(endpoint.store, DEMO_STAGE_ARN, DEMO_SESSION_ID, PARTICIPANT, args.events)
    query = ParticipantQuery(DEMO_STAGE_ARN, DEMO_SESSION_ID, PARTICIPANT)
    latency = args.latency_ms / 1000
    limit = math.ceil(args.events / 100) * latency

    with endpoint.running_in_thread() as ep:
        os.environ.update(
            AWS_ENDPOINT_URL_IVS_REALTIME=ep.url,
            AWS_ACCESS_KEY_ID="AKIDBENCH",
            AWS_SECRET_ACCESS_KEY="bench-secret",
            AWS_EC2_METADATA_DISABLED="true",
        )
        asyncio.run(fetch_with_bot(query, limited=False))  # warm-up: imports, connection pool
        ep.faults.latency = latency
        runs = [asyncio.run(fetch_with_bot(query, limited=False)) for _ in range(args.repeat)]
        wall = statistics.median(r[0] for r in runs)
        _, pages, events = runs[0]
        print(f"{events} events, {args.latency_ms:.0f} ms per call, median of {args.repeat} runs")
        print(f"ivs-events: {wall:.3f} s in {pages} pages; limit {limit:.3f} s")
        print(f"ratio {wall / limit:.3f} (target ≤ 1.10)")

        naive_wall, naive_pages, _ = fetch_naively(query)
        print(
            f"naive loop at the default page size: {naive_wall:.3f} s in {naive_pages} pages; "
            f"ratio to the limit {naive_wall / limit:.3f}"
        )
        if args.with_limiter:
            limited_wall, limited_pages, _ = asyncio.run(fetch_with_bot(query, limited=True))
            floor = (limited_pages + 2 - 5) / 5  # 5 calls at once, then 5 per second (+2 detail calls)
            print(
                f"with the 5 TPS limiter: {limited_wall:.3f} s in {limited_pages} pages "
                f"(quota floor {floor:.1f} s; ratio {limited_wall / floor:.3f})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
