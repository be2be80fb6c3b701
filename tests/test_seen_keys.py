"""Keys seen recently (redelivered events, replayed requests) are acted on once, in bounded memory."""

from __future__ import annotations

from bot.seen_keys import InProcessSeenKeys


async def test_a_key_is_new_once_and_the_memory_is_bounded() -> None:
    seen = InProcessSeenKeys(ttl=60, maxsize=2)
    assert await seen.first_time("Ev1") and not await seen.first_time("Ev1")
    assert await seen.first_time("Ev2") and await seen.first_time("Ev3")
    assert await seen.first_time("Ev1")  # evicted: the memory never grows past maxsize


async def test_a_key_is_forgotten_after_its_time() -> None:
    now = [0.0]
    seen = InProcessSeenKeys(ttl=300, clock=lambda: now[0])
    assert await seen.first_time("replay:1:v0=ab")
    now[0] = 299
    assert not await seen.first_time("replay:1:v0=ab")
    now[0] = 301
    assert await seen.first_time("replay:1:v0=ab")
