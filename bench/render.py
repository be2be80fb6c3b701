"""How long analysis + rendering take for 1,000, 10,000 and 100,000 events (target: 100,000 in < 300 ms).

Run: ``python bench/render.py``. The histories are synthetic and built in-process before any timing: a
participant who joins, publishes, receives a rotating set of publishers, hits the odd error, and now and then
goes through a reconnect storm, like the worst real sessions but longer.

Time and memory are measured in separate runs: tracemalloc slows Python allocation down several times, so
its runs are never the ones timed.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Runnable as `python bench/render.py` from a checkout, installed or not.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.analysis import analyze
from bot.domain.history import ParticipantHistory
from bot.domain.queries import ParticipantQuery
from bot.views import build_reply, render_terminal

SIZES = (1_000, 10_000, 100_000)
TARGET_MS = 300.0
RUNS = 7
QUERY = ParticipantQuery(
    "arn:aws:ivs:us-west-2:123456789012:stage/abcdABCDefgh", "st-a1b2c3d4e5f6g", "abCDEf12GHIj"
)
START = datetime(2026, 3, 12, 8, 0, tzinfo=UTC)
PUBLISHERS = [f"Pub{n:02d}aBcDeFgH" for n in range(16)]


def synthetic_events(count: int) -> list[dict[str, Any]]:
    """A long, busy history of ``count`` events, oldest first."""
    events: list[dict[str, Any]] = []
    clock = START
    episode = 0

    def add(name: str, **fields: Any) -> None:
        nonlocal clock
        clock += timedelta(milliseconds=700)
        events.append({"name": name, "participantId": QUERY.participant_id, "eventTime": clock, **fields})

    while len(events) < count:
        episode += 1
        if episode % 10 == 0:  # a reconnect storm: quick join/leave cycles, no errors
            for _ in range(6):
                add("JOINED")
                add("LEFT")
            continue
        add("JOINED")
        add("PUBLISH_STARTED")
        for n in range(4):
            publisher = PUBLISHERS[(episode + n) % len(PUBLISHERS)]
            add("SUBSCRIBE_STARTED", remoteParticipantId=publisher)
        if episode % 3 == 0:
            gone = PUBLISHERS[(episode + 7) % len(PUBLISHERS)]
            add("SUBSCRIBE_ERROR", remoteParticipantId=gone, errorCode="PUBLISHER_NOT_FOUND")
        if episode % 7 == 0:
            add("PUBLISH_ERROR", errorCode="BITRATE_EXCEEDED")
        for n in range(4):
            publisher = PUBLISHERS[(episode + n) % len(PUBLISHERS)]
            add("SUBSCRIBE_STOPPED", remoteParticipantId=publisher)
        add("PUBLISH_STOPPED")
        add("LEFT")
    return events[:count]


def _at(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def adversarial_shapes(count: int) -> dict[str, list[dict[str, Any]]]:
    """Histories shaped to hurt: every event a cycle, a failed cycle, an error, a new publisher, a token, a
    new name, a new error code."""
    pid = QUERY.participant_id
    cycles: list[dict[str, Any]] = []
    publishers: list[dict[str, Any]] = [{"name": "JOINED", "participantId": pid, "eventTime": START}]
    for n in range(count // 2):
        cycles += [
            {"name": "JOINED", "participantId": pid, "eventTime": _at(4 * n)},
            {"name": "LEFT", "participantId": pid, "eventTime": _at(4 * n + 1)},
        ]
        remote = f"R{n:08d}"
        publishers += [
            {
                "name": "SUBSCRIBE_STARTED",
                "participantId": pid,
                "eventTime": _at(n),
                "remoteParticipantId": remote,
            },
            {
                "name": "SUBSCRIBE_STOPPED",
                "participantId": pid,
                "eventTime": _at(n + 1),
                "remoteParticipantId": remote,
            },
        ]
    publishers.sort(key=lambda e: e["eventTime"])
    retries: list[dict[str, Any]] = []
    for n in range(count // 3):  # an encoder retrying a refused publish: each cycle holds a failure
        retries += [
            {"name": "JOINED", "participantId": pid, "eventTime": _at(6 * n)},
            {
                "name": "PUBLISH_ERROR",
                "participantId": pid,
                "eventTime": _at(6 * n + 2),
                "errorCode": "BITRATE_EXCEEDED",
            },
            {"name": "LEFT", "participantId": pid, "eventTime": _at(6 * n + 3)},
        ]
    return {
        "one storm of 50,000 join/leave cycles": cycles,
        "33,333 cycles, each refused a publish": retries,
        "100,000 errors from 100,000 publishers": [
            {
                "name": "SUBSCRIBE_ERROR",
                "participantId": pid,
                "eventTime": _at(n),
                "errorCode": "PUBLISHER_NOT_FOUND",
                "remoteParticipantId": f"R{n:08d}",
            }
            for n in range(count)
        ],
        "50,000 distinct publishers received": publishers[:count],
        "100,000 token exchanges": [
            {
                "name": "TOKEN_EXCHANGED",
                "participantId": pid,
                "eventTime": _at(n),
                "previousToken": {"capabilities": ["PUBLISH", "SUBSCRIBE"]},
                "newToken": {"capabilities": ["SUBSCRIBE"]},
            }
            for n in range(count)
        ],
        "100,000 distinct unknown event names": [
            {"name": f"FUTURE_{n}", "participantId": pid, "eventTime": _at(n)} for n in range(count)
        ],
        "100,000 distinct error codes": [
            {"name": "PUBLISH_ERROR", "participantId": pid, "eventTime": _at(n), "errorCode": f"FUTURE_{n}"}
            for n in range(count)
        ],
    }


def history_of(events: list[dict[str, Any]], count: int) -> ParticipantHistory:
    end = events[-1]["eventTime"] + timedelta(minutes=3)
    return ParticipantHistory(
        query=QUERY,
        events=tuple(events),
        participant={"participantId": QUERY.participant_id, "userId": "bench", "state": "DISCONNECTED"},
        session={"sessionId": QUERY.session_id, "startTime": START, "endTime": end},
        pages=(count + 99) // 100,
        fetched_at=end,
    )


def synthetic_history(count: int) -> ParticipantHistory:
    return history_of(synthetic_events(count), count)


def analyse_and_render(history: ParticipantHistory, now: datetime) -> None:
    """The Slack path: analysis, then the Block Kit reply."""
    build_reply(analyze(history, now=now))


def analyse_and_render_both(history: ParticipantHistory, now: datetime) -> None:
    """One analysis, then both renderings: the Block Kit reply and the terminal report."""
    analysis = analyze(history, now=now)
    build_reply(analysis)
    render_terminal(analysis)


def time_ms(history: ParticipantHistory, now: datetime, work: Any) -> float:
    """Median of RUNS timed runs (one warm-up first), with the garbage collector as in production."""
    work(history, now)
    samples = []
    for _ in range(RUNS):
        gc.collect()
        began = time.perf_counter()
        work(history, now)
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def peak_kib(history: ParticipantHistory, now: datetime) -> float:
    """Peak memory allocated by one analysis + reply (the history itself is not counted)."""
    gc.collect()
    tracemalloc.start()
    analyse_and_render(history, now)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1024


def main() -> None:
    print(f"Python {sys.version.split()[0]}; median of {RUNS} runs; target {TARGET_MS:.0f} ms for 100,000")
    columns = ("events", "analyse+reply", "per 1k", "terminal", "peak mem", "vs target")
    print("{:>8} | {:>13} | {:>8} | {:>8} | {:>10} | {}".format(*columns))
    for size in SIZES:
        history = synthetic_history(size)
        now = history.fetched_at
        total = time_ms(history, now, analyse_and_render)
        terminal = time_ms(history, now, lambda h, n: render_terminal(analyze(h, now=n)))
        peak = peak_kib(history, now)
        ratio = f"{total / TARGET_MS:.2f}x of 300 ms" if size == 100_000 else ""
        print(
            f"{size:>8,} | {total:>10.1f} ms | {total / size * 1000:>5.2f} ms | {terminal:>5.1f} ms | "
            f"{peak:>7.0f} KiB | {ratio}"
        )
    print("\nAdversarial shapes, 100,000 events each (one analysis + reply + terminal, median):")
    for name, events in adversarial_shapes(100_000).items():
        history = history_of(events, len(events))
        total = time_ms(history, history.fetched_at, analyse_and_render_both)
        print(f"  {name:<42} {total:>7.1f} ms  ({total / TARGET_MS:.2f}x of 300 ms)")


if __name__ == "__main__":
    main()
