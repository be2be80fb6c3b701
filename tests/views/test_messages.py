"""The small messages: progress while fetching, a one-line error, usage help, a Block Kit Builder link."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

from bot.domain.queries import EXAMPLE
from bot.slack_ids import BOT_MENTION, SHORTCUT_NAME
from bot.views import (
    SlackReply,
    block_kit_builder_url,
    build_error_reply,
    build_progress_message,
    build_usage_reply,
)
from bot.views.messages import build_problem_reply, usage_hint, with_notice
from tests.views.hostile import assert_inert
from tests.views.slack_limits import assert_within_slack_limits, texts

MANIFESTS = Path(__file__).parents[2] / "manifests"


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


def test_usage_covers_private_the_shortcut_and_mentions_in_threads_within_slack_limits() -> None:
    reply = build_usage_reply()
    text = "\n".join(texts(reply.blocks))

    assert "add `private` at the end" in text
    assert f"*{SHORTCUT_NAME}*" in text
    assert "`@ivs-events &lt;stage-arn&gt; &lt;session-id&gt; &lt;participant-id&gt;`" in text
    assert "slash commands don't work there" in text
    assert_within_slack_limits(reply)


def test_the_names_shown_to_people_are_the_manifests() -> None:
    for manifest in sorted(MANIFESTS.glob("manifest.*.json")):
        features = json.loads(manifest.read_text())["features"]
        assert "@" + features["bot_user"]["display_name"] == BOT_MENTION
        assert [s["name"] for s in features["shortcuts"]] == [SHORTCUT_NAME]


def test_the_usage_hint_in_a_thread_never_suggests_the_slash_command() -> None:
    assert "/ivs-events" not in usage_hint(in_thread=True)
    assert "@ivs-events" in usage_hint(in_thread=True)
    assert "/ivs-events" in usage_hint(in_thread=False)


def test_a_notice_goes_under_the_header_as_one_short_line_and_never_past_50_blocks() -> None:
    header = {"type": "header", "text": {"type": "plain_text", "text": "P: the cause, not fixed"}}
    with_header = with_notice(SlackReply("the answer", [header]), "note")
    assert with_header.blocks[0] == header and with_header.blocks[1]["type"] == "context"
    answer = SlackReply("the answer", [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}])
    noticed = with_notice(answer, "Only you can see this\nanswer " + "y" * 1000)
    assert noticed.text == "the answer" and noticed.blocks[1:] == answer.blocks
    (element,) = noticed.blocks[0]["elements"]
    assert "\n" not in element["text"] and len(element["text"]) <= 400
    full = SlackReply("full", [{"type": "divider"}] * 50)
    assert with_notice(full, "note").blocks == full.blocks


def test_a_problem_reply_keeps_the_mrkdwn_it_is_given_on_one_line() -> None:
    reply = build_problem_reply("I found `a` and\n`b`")
    assert reply.text == ":warning: I found `a` and `b`"
    assert_within_slack_limits(reply)


def test_the_block_kit_builder_link_carries_the_blocks() -> None:
    blocks = build_usage_reply().blocks
    url = block_kit_builder_url(blocks)

    assert url.startswith("https://app.slack.com/block-kit-builder/#")
    assert json.loads(unquote(url.split("#", 1)[1])) == {"blocks": blocks}
