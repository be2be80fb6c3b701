"""Benchmark: fetch a 10,000-event history with 50 ms of latency per call on the local IVS endpoint.

Prints the wall time, the limit ceil(N/100) x latency (pages are sequential: each needs the previous
page's token, so no client can beat it), their ratio (target: within 1.10x), and the same for a naive loop
at the API's default page size, which is what a CLI user gets.

The endpoint runs in its own process, as AWS would: it must not share the bot's interpreter lock.
The client-side 5 TPS limiter is off for the main figure: it measures our own overhead, not AWS's quota.
``--with-limiter`` adds a run at IVS's real 5 calls per second (its floor is about N/100/5 seconds).

    python bench/fetch.py [--events 10000] [--latency-ms 50] [--repeat 3] [--with-limiter]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import os
import statistics
import sys
import time
from multiprocessing.connection import Connection

import boto3

from bot.domain.queries import ParticipantQuery
from bot.ivs.cache import HistoryCache
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


def fetch_raw(query: ParticipantQuery, page_size: int | None) -> tuple[float, int, int]:
    """A bare boto3 loop, one call after another. ``page_size=None`` is the API's default (50): what a
    CLI user's loop gets. At 100 it is the floor for any Python client on this machine: the same HTTP
    round trips and parsing, with no cache, limiter, thread hand-off or sorting.
    """
    client = boto3.client("ivs-realtime", region_name=query.region)
    started = time.perf_counter()
    events: list[object] = []
    pages, token = 0, None
    while True:
        extra: dict[str, object] = {"nextToken": token} if token else {}
        if page_size:
            extra["maxResults"] = page_size
        page = client.list_participant_events(
            stageArn=query.stage_arn, sessionId=query.session_id, participantId=query.participant_id, **extra
        )
        pages += 1
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            return time.perf_counter() - started, pages, len(events)


def serve_endpoint(conn: Connection, events: int) -> None:
    """Child process: the local endpoint with a generated history; obeys latency settings until None."""
    endpoint = LocalIvsEndpoint()
    add_generated_history(endpoint.store, DEMO_STAGE_ARN, DEMO_SESSION_ID, PARTICIPANT, events)
    with endpoint.running_in_thread() as ep:
        conn.send(ep.url)
        while (latency := conn.recv()) is not None:
            ep.faults.latency = latency
            conn.send("ok")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--with-limiter", action="store_true")
    args = parser.parse_args()

    query = ParticipantQuery(DEMO_STAGE_ARN, DEMO_SESSION_ID, PARTICIPANT)
    latency = args.latency_ms / 1000
    limit = math.ceil(args.events / 100) * latency

    conn, child_conn = multiprocessing.get_context("spawn").Pipe()
    child = multiprocessing.get_context("spawn").Process(
        target=serve_endpoint, args=(child_conn, args.events), daemon=True
    )
    child.start()
    try:
        os.environ.update(
            AWS_ENDPOINT_URL_IVS_REALTIME=conn.recv(),
            AWS_ACCESS_KEY_ID="AKIDBENCH",
            AWS_SECRET_ACCESS_KEY="bench-secret",
            AWS_EC2_METADATA_DISABLED="true",
        )
        asyncio.run(fetch_with_bot(query, limited=False))  # warm-up: imports, connection pool
        conn.send(latency)
        conn.recv()
        runs = [asyncio.run(fetch_with_bot(query, limited=False)) for _ in range(args.repeat)]
        wall = statistics.median(r[0] for r in runs)
        _, pages, events = runs[0]
        print(f"{events} events, {args.latency_ms:.0f} ms per call, median of {args.repeat} runs")
        print(f"ivs-events: {wall:.3f} s in {pages} pages; limit {limit:.3f} s")
        print(f"ratio {wall / limit:.3f} (target ≤ 1.10)")

        raw_wall, raw_pages, _ = fetch_raw(query, 100)
        print(
            f"bare boto3 loop at 100 per page: {raw_wall:.3f} s in {raw_pages} pages; ratio to the limit "
            f"{raw_wall / limit:.3f} (our overhead over it: {(wall - raw_wall) / pages * 1000:.2f} ms/page)"
        )
        naive_wall, naive_pages, _ = fetch_raw(query, None)
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
    finally:
        conn.send(None)
        child.join(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
