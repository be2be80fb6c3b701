"""Progress pacing during a fetch: few, spaced-out updates that never slow the pages down."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from bot.ivs.history import FetchProgress
from bot.replies.targets import AnswerTarget
from bot.views import build_progress_message

# The first progress update waits this long (a cached or one-page answer needs none), and updates are
# at least this far apart; the gap doubles after each update, up to PROGRESS_MAX_GAP.
PROGRESS_FIRST_AFTER = 1.0
PROGRESS_MAX_GAP = 8.0


class ProgressReporter:
    """The ``on_progress`` callback of a fetch: forwards page counts to the target, rarely.

    Updates wait :data:`PROGRESS_FIRST_AFTER` seconds, are at least a second apart (the gap doubles up to
    :data:`PROGRESS_MAX_GAP`), stay within the target's budget and never block the fetch: a slow Slack
    makes the reporter skip updates, not slow the pages down.
    """

    def __init__(self, target: AnswerTarget, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._target = target
        self._clock = clock
        self._next_at = clock() + PROGRESS_FIRST_AFTER
        self._gap = PROGRESS_FIRST_AFTER
        self._left = target.progress_updates
        self._sending: asyncio.Task[None] | None = None

    async def __call__(self, progress: FetchProgress) -> None:
        now = self._clock()
        if self._left <= 0 or now < self._next_at or (self._sending and not self._sending.done()):
            return
        self._left -= 1
        self._next_at = now + self._gap
        self._gap = min(self._gap * 2, PROGRESS_MAX_GAP)
        reply = build_progress_message(progress.pages, progress.events)
        self._sending = asyncio.get_running_loop().create_task(self._target.progress(reply))

    async def settle(self) -> None:
        """Wait for an update still on its way, so it cannot land after the answer."""
        if self._sending is not None:
            await asyncio.gather(self._sending, return_exceptions=True)
