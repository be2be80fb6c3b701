"""Durations read like a person would say them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.analysis.durations import format_duration


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(-5, "0 s"), (45, "45 s"), (185, "3 min 05 s"), (7380, "2 h 03 min"), (93600, "1 d 02 h")],
)
def test_durations_use_the_two_largest_units(seconds: int, text: str) -> None:
    assert format_duration(timedelta(seconds=seconds)) == text
