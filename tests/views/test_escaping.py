"""Text chosen by a customer's app or sent by AWS can neither ping nor link anyone, anywhere in a reply."""

from __future__ import annotations

from bot.analysis import analyze
from bot.views import build_reply, render_terminal
from tests.analysis.factories import (
    NOW,
    error,
    event,
    history,
    joined,
    left,
    participant,
    subscribe_started,
    subscribe_stopped,
    token,
)
from tests.views.hostile import LINK, PING_CHANNEL, PING_USER, assert_inert
from tests.views.slack_limits import texts

EVIL = f"{PING_CHANNEL} {PING_USER} {LINK}"


def _hostile_history() -> object:
    events = [
        joined(0),
        subscribe_started(1, EVIL),
        subscribe_stopped(2, EVIL),
        error("SUBSCRIBE_ERROR", 3, "PUBLISHER_NOT_FOUND", remoteParticipantId=EVIL),
        event(
            "TOKEN_EXCHANGED",
            4,
            previousToken=token([PING_CHANNEL, "PUBLISH"], user_id=EVIL, attributes={EVIL: EVIL}),
            newToken=token([PING_USER], user_id=EVIL, attributes={LINK: PING_CHANNEL}),
        ),
        error("PUBLISH_ERROR", 5, EVIL),
        error(EVIL, 6, LINK),
        event(PING_USER, 7),
        left(8),
    ]
    details = participant(
        userId=EVIL, attributes={EVIL: EVIL}, browserName=PING_CHANNEL, ispName=LINK, sdkVersion=PING_USER
    )
    return history(events, details=details)


def test_hostile_ids_attributes_tokens_names_and_codes_cannot_ping_or_link_in_the_blocks() -> None:
    reply = build_reply(analyze(_hostile_history(), now=NOW))  # type: ignore[arg-type]

    assert_inert([*texts(reply.blocks), reply.text])


def test_hostile_values_are_still_shown_escaped_so_the_engineer_sees_what_was_sent() -> None:
    reply = build_reply(analyze(_hostile_history(), now=NOW))  # type: ignore[arg-type]
    everything = "\n".join(texts(reply.blocks))

    assert "`&lt;!channel&gt; &lt;@U123&gt; &lt;https://x|y&gt;`" in everything
    assert "(not recognised)" in everything


def test_the_terminal_report_strips_escape_sequences_and_line_breaks_from_untrusted_text() -> None:
    details = participant(userId="evil\x1b[2J\x1b[31mred\nsecond line\u202e")
    text = render_terminal(analyze(history([joined(0), left(1)], details=details), now=NOW))

    assert "\x1b" not in text and "\u202e" not in text
    assert "User id: evil\ufffd[2J\ufffd[31mred second line\ufffd" in text


def test_event_names_in_the_terminal_summary_cannot_move_the_cursor_or_flip_text() -> None:
    events = [joined(0), event("FUTURE\x1b[2J\x1b[31mRED\u202eEVENT", 1), left(2)]
    text = render_terminal(analyze(history(events), now=NOW))

    assert "\x1b" not in text and "\u202e" not in text
    assert "Events by name: FUTURE\ufffd[2J\ufffd[31mRED\ufffdEVENT 1, JOINED 1, LEFT 1" in text


def test_joiners_in_names_and_emoji_survive_while_bidi_overrides_do_not() -> None:
    persian = "می\u200cخواهم"  # a zero-width non-joiner between two Persian words
    coder = "\U0001f469\u200d\U0001f4bb"  # woman technologist: woman, ZWJ, laptop
    details = participant(userId=f"{persian} {coder}\u202e\u2066")
    h = history([joined(0), left(1)], details=details)
    reply = build_reply(analyze(h, now=NOW))
    text = render_terminal(analyze(h, now=NOW))

    shown = f"{persian} {coder}\ufffd\ufffd"
    assert f"User id: {shown}" in text
    assert f"`{shown}`" in "\n".join(texts(reply.blocks))
