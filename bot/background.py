"""Work that runs after Slack has been acknowledged, tracked so shutdown can let it finish.

Bolt runs the code after ``ack()`` as an untracked task (slack_bolt's asyncio listener runner): a SIGTERM
would drop a half-sent answer. Listeners hand that work to a :class:`TaskTracker` instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger(__name__)


class TaskTracker:
    """A set of background tasks that shutdown awaits (a TaskGroup that does not cancel its siblings).

    A task that fails is logged with its traceback; it never takes the others down.
    """

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self._started = 0

    @property
    def active(self) -> int:
        """Tasks still running."""
        return len(self._tasks)

    @property
    def closed(self) -> bool:
        """True once shutdown's grace period is over: no new work is taken."""
        return self._closed

    @property
    def started(self) -> int:
        """Tasks started since creation (lets a caller wait for work its request caused)."""
        return self._started

    def spawn(self, work: Coroutine[Any, Any, None], *, name: str) -> bool:
        """Run ``work`` in the background; False (and the coroutine is closed) once shutdown began."""
        if self._closed:
            work.close()
            logger.warning("shutting down: dropped background work %s", name)
            return False
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._tasks.add(task)
        self._started += 1
        task.add_done_callback(self._finished)
        return True

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            logger.error("background work %s failed", task.get_name(), exc_info=error)

    async def wait_idle(self, *, after: int = -1, within: float = 30.0) -> bool:
        """Wait until more than ``after`` tasks were ever started and none is running.

        For the console and the tests, which need to know when the work their request caused is done
        (Bolt may start an event listener after the HTTP response went out).

        Returns:
            False when ``within`` seconds passed first.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while self._started <= after or self._tasks:
            if loop.time() >= deadline:
                return False
            if self._tasks:
                await asyncio.wait(set(self._tasks), timeout=deadline - loop.time())
            else:
                await asyncio.sleep(0.01)
        return True

    async def close(self, *, grace: float, after_cancel: float = 5.0) -> bool:
        """Let running work finish for up to ``grace`` seconds, then refuse new work and cancel the rest.

        Work started during the grace period (a request accepted just before the listener stopped) is
        waited for too. Cancelled work gets ``after_cancel`` more seconds to tell its asker (the answer
        flow sends "interrupted by a restart"); whatever is still running after that is abandoned.

        Returns:
            True when everything finished within the grace period.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while self._tasks and (remaining := deadline - loop.time()) > 0:
            await asyncio.wait(set(self._tasks), timeout=remaining)
        self._closed = True
        pending = set(self._tasks)
        for task in pending:
            task.cancel()
        if pending:
            logger.warning("shutdown: cancelled %d background task(s) after %.0f s", len(pending), grace)
            _, stuck = await asyncio.wait(pending, timeout=after_cancel)
            if stuck:
                logger.warning("shutdown: %d background task(s) did not end after cancelling", len(stuck))
        return not pending
