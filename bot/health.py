"""What ``GET /healthz`` reports, and the optional event-loop stall monitor behind it."""

from __future__ import annotations

import asyncio
import time
from contextlib import suppress
from dataclasses import dataclass, field

from aiohttp import web

from bot.background import TaskTracker

LOOP_MONITOR_INTERVAL = 0.05


class LoopLagMonitor:
    """Measures how late the event loop wakes a sleeping task: the longest stall shows blocking code.

    Cheap (one wake-up every 50 ms) but off by default; ``IVS_EVENTS_LOOP_MONITOR=1`` turns it on and
    ``/healthz`` then reports the worst stall seen.
    """

    def __init__(self, interval: float = LOOP_MONITOR_INTERVAL) -> None:
        self.interval = interval
        self.max_stall = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Begin measuring on the running loop."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="loop-lag-monitor")

    async def stop(self) -> None:
        """Stop measuring."""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.interval)
            self.max_stall = max(self.max_stall, time.perf_counter() - before - self.interval)


@dataclass(slots=True)
class Health:
    """What ``GET /healthz`` reports: 200 while serving, 503 once draining for shutdown."""

    tasks: TaskTracker
    monitor: LoopLagMonitor | None = None
    draining: bool = False
    started: float = field(default_factory=time.monotonic)

    async def handle(self, request: web.Request) -> web.Response:
        """Serve the health check."""
        body: dict[str, object] = {
            "status": "draining" if self.draining else "ok",
            "in_flight": self.tasks.active,
            "uptime_s": round(time.monotonic() - self.started, 1),
        }
        if self.monitor is not None:
            body["loop_max_stall_ms"] = round(self.monitor.max_stall * 1000, 1)
        return web.json_response(body, status=503 if self.draining else 200)
