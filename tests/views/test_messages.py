"""The small messages: progress while fetching, a one-line error, usage help, a Block Kit Builder link."""

from __future__ import annotations

import json
from urllib.parse import unquote

from bot.ivs.query import EXAMPLE
from bot.views import block_kit_builder_url, build_error_reply, build_progress_message, build_usage_reply
from tests.views.hostile import assert_inert
from tests.views.slack_limits import assert_within_slack_limits, texts


def test_progress_says_how_many_pages_and_events_so_far() -> None:
    reply = build_progress_message(3, 250)

    assert "Fetching events… 3 pages so far (250 events)" in reply.text
    assert "1 page so far" in build_progress_message(1, 50).text
    assert build_progress_message(0, 0).text.endswith("Fetching events…")  # before the first page
    assert_within_slack_limits(reply)


def test_an_error_is_one_escaped_line_with_a_warning_sign() -> None:
    reply = build_error_reply("Stage <!channel> not found\nin   us-west-2 <@U123>")

    assert reply.text == ":warning: Stage &lt;!channel&gt; not found in us-west-2 &lt;@U123&gt;"
    assert_inert([*texts(reply.blocks), reply.text])
    assert_within_slack_limits(reply)


def test_a_very_long_error_still_fits_in_one_section() -> None:
    assert_within_slack_limits(build_error_reply("x" * 10_000))


def test_usage_shows_the_command_and_a_working_example_safely() -> None:
    reply = build_usage_reply()
    text = "\n".join(texts(reply.blocks))

    assert "`/ivs-events &lt;stage-arn&gt; &lt;session-id&gt; &lt;participant-id&gt;`" in text
    assert f"`{EXAMPLE}`" in text
    assert_inert([*texts(reply.blocks), reply.text])


def test_the_block_kit_builder_link_carries_the_blocks() -> None:
    blocks = build_usage_reply().blocks
    url = block_kit_builder_url(blocks)

    assert url.startswith("https://app.slack.com/block-kit-builder/#")
    assert json.loads(unquote(url.split("#", 1)[1])) == {"blocks": blocks}
