"""Shortening mrkdwn never leaves half an entity, half a date token or an unclosed code span."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.views.mrkdwn import clip, date_token, escape


def test_short_text_is_left_alone() -> None:
    assert clip("fine", 10) == "fine"


def test_a_cut_never_splits_an_escaped_character() -> None:
    text = escape("ab<<<<<<<<")  # ab&lt;&lt;...
    for limit in range(3, len(text)):
        cut = clip(text, limit)
        assert len(cut) <= limit
        assert cut.rstrip("…").count("&") == cut.rstrip("…").count(";")


def test_a_cut_never_splits_a_date_token() -> None:
    text = "at " + date_token(datetime(2026, 3, 12, 14, 0, tzinfo=UTC)) + " then more"
    for limit in range(4, len(text)):
        cut = clip(text, limit)
        assert cut.count("<") == cut.count(">")


def test_a_cut_never_leaves_an_inline_code_span_open() -> None:
    cut = clip("see `a-very-long-identifier-value` here", 20)
    assert cut.count("`") % 2 == 0 and len(cut) <= 20
