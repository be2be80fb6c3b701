"""Many users at once wait their turn: never more than 5 calls per second per operation, account, region."""

from __future__ import annotations

import asyncio

import pytest

from bot.ivs.rate_limit import Priority, PrioritySlots, SlidingWindowLimiter


class FakeTime:
    """A clock that only moves when a caller sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_five_calls_start_at_once_and_the_sixth_waits_for_the_window() -> None:
    time = FakeTime()
    limiter = SlidingWindowLimiter(5, 1.0, margin=0.05, clock=time.clock, sleep=time.sleep)
    waits = [limiter.acquire("acct/us-west-2") for _ in range(6)]
    assert waits[:5] == [0.0] * 5
    assert waits[5] == pytest.approx(1.05)


def test_no_window_of_one_second_ever_holds_more_than_five_starts() -> None:
    time = FakeTime()
    limiter = SlidingWindowLimiter(5, 1.0, margin=0.0, clock=time.clock, sleep=time.sleep)
    starts = []
    for _ in range(50):
        limiter.acquire("k")
        starts.append(time.now)
    for i, start in enumerate(starts):
        assert sum(1 for s in starts[i:] if s - start < 1.0) <= 5
    assert starts[-1] == pytest.approx(9.0)  # 50 calls at 5 per second: the last starts after 9 s


def test_accounts_and_regions_do_not_wait_for_each_other() -> None:
    time = FakeTime()
    limiter = SlidingWindowLimiter(5, 1.0, clock=time.clock, sleep=time.sleep)
    for key in ("111/us-east-1", "111/eu-west-1", "222/us-east-1"):
        for _ in range(5):
            assert limiter.acquire(key) == 0.0


def test_a_rate_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        SlidingWindowLimiter(0)


def test_each_operation_has_its_own_window() -> None:
    time = FakeTime()
    limiter = SlidingWindowLimiter(5, 1.0, clock=time.clock, sleep=time.sleep)
    for operation in ("ListParticipantEvents", "GetParticipant", "GetStageSession"):
        for _ in range(5):
            assert limiter.acquire(("111", "us-west-2", operation)) == 0.0


async def test_a_free_slot_goes_to_an_interactive_call_before_bulk_calls_queued_earlier() -> None:
    slots = PrioritySlots(1)
    order: list[str] = []
    release = asyncio.Event()

    async def hold(name: str, priority: Priority) -> None:
        async with slots.slot("k", priority):
            order.append(name)
            if name == "first":
                await release.wait()

    first = asyncio.ensure_future(hold("first", Priority.BULK))
    await asyncio.sleep(0)
    queued = [asyncio.ensure_future(hold(f"bulk{i}", Priority.BULK)) for i in range(3)]
    await asyncio.sleep(0)
    asked = asyncio.ensure_future(hold("asked", Priority.INTERACTIVE))
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(first, asked, *queued)
    assert order == ["first", "asked", "bulk0", "bulk1", "bulk2"]


async def test_a_cancelled_waiter_gives_up_its_place_and_never_leaks_a_slot() -> None:
    slots = PrioritySlots(1)
    release = asyncio.Event()

    async def hold() -> None:
        async with slots.slot("k"):
            await release.wait()

    holder = asyncio.ensure_future(hold())
    await asyncio.sleep(0)
    waiter = asyncio.ensure_future(hold())
    await asyncio.sleep(0)
    waiter.cancel()
    release.set()
    await asyncio.gather(holder, waiter, return_exceptions=True)
    async with asyncio.timeout(1):
        async with slots.slot("k"):  # the slot is free again
            pass


def test_bulk_calls_are_spaced_evenly_and_a_question_overtakes_them() -> None:
    time = FakeTime()
    limiter = SlidingWindowLimiter(5, 1.0, margin=0.0, clock=time.clock, sleep=time.sleep)
    starts = []
    for _ in range(5):
        limiter.acquire("k", Priority.BULK)
        starts.append(round(time.now, 6))
    assert starts == [0.0, 0.2, 0.4, 0.6, 0.8]  # a fan-out never takes the whole window in one burst
    limiter.acquire("k", Priority.INTERACTIVE)
    assert round(time.now, 6) == 1.0  # the oldest start left the window: no bulk spacing for a question


async def test_bulk_calls_never_take_the_last_slot_so_a_question_gets_one_at_once() -> None:
    slots = PrioritySlots(3)
    release = asyncio.Event()
    entered: list[str] = []

    async def hold(name: str, priority: Priority) -> None:
        async with slots.slot("k", priority):
            entered.append(name)
            await release.wait()

    bulk = [asyncio.ensure_future(hold(f"bulk{i}", Priority.BULK)) for i in range(5)]
    await asyncio.sleep(0)
    assert entered == ["bulk0", "bulk1"]  # one of the three slots stays free
    asked = asyncio.ensure_future(hold("asked", Priority.INTERACTIVE))
    await asyncio.sleep(0)
    assert entered[-1] == "asked"
    release.set()
    await asyncio.gather(asked, *bulk)
