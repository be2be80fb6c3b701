"""Progress pacing during a fetch: few, spaced-out updates that never slow the pages down."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import suppress

from bot.domain.history import FetchProgress
from bot.replies.targets import AnswerTarget
from bot.views import build_progress_message


class ProgressReporter:
    """The ``on_progress`` callback of a fetch: forwards page counts to the target, rarely.

    Update *n* may go once ``target.progress_schedule[n]`` seconds have passed since the fetch began; a
    target's schedule spreads its few updates over a long fetch (a slash command's 5 response_url posts
    at 1 s, 10 s, 45 s and 2 min), so a long fetch never goes quiet for long and the answer's post is
    kept. Updates never block the fetch: a slow Slack makes the reporter skip updates, not slow pages.
    """

    def __init__(self, target: AnswerTarget, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._target = target
        self._clock = clock
        self._started = clock()
        self._schedule = target.progress_schedule
        self._sent = 0
        self._latest = FetchProgress(0, 0)
        self._shown = target.progress_shown
        self._sending: asyncio.Task[None] | None = None
        self._ticker: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Also show progress when no page arrives (a first page IVS is slow to answer): the asker sees
        "Fetching events…" on schedule, not silence."""
        self._ticker = asyncio.get_running_loop().create_task(self._tick())

    async def __call__(self, progress: FetchProgress) -> None:
        self._latest = progress
        self._send_if_due()

    def _send_if_due(self) -> None:
        if self._sent >= len(self._schedule) or (self._sending and not self._sending.done()):
            return
        if self._clock() - self._started < self._schedule[self._sent]:
            return
        self._sent += 1
        progress = self._latest
        reply = build_progress_message(
            progress.pages, progress.events, examined=progress.examined, participants=progress.participants
        )
        if reply.text == self._shown:  # nothing new to say: keep the post for later
            return
        self._shown = reply.text
        self._sending = asyncio.get_running_loop().create_task(self._target.progress(reply))

    async def _tick(self) -> None:
        while self._sent < len(self._schedule):
            due = self._started + self._schedule[self._sent]
            await asyncio.sleep(max(0.05, due - self._clock()))
            self._send_if_due()

    async def settle(self) -> None:
        """Stop the ticker and wait for an update still on its way, so it cannot land after the answer."""
        await self._stop_ticker()
        if self._sending is not None:
            await asyncio.gather(self._sending, return_exceptions=True)

    async def stop(self) -> None:
        """Cancel an update still on its way (the answer was interrupted: its notice must land last)."""
        await self._stop_ticker()
        if self._sending is not None and not self._sending.done():
            self._sending.cancel()
            with suppress(asyncio.CancelledError):
                await self._sending

    async def _stop_ticker(self) -> None:
        if self._ticker is not None and not self._ticker.done():
            self._ticker.cancel()
            with suppress(asyncio.CancelledError):
                await self._ticker
