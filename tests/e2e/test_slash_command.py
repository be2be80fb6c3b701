"""/ivs-events: acked at once, answered in the channel through response_url, one clear line on failure."""

from __future__ import annotations

import itertools
import json
import logging

import pytest

from bot.local.scenarios import BITRATE_GUEST, DEMO_SESSION_ID, DEMO_STAGE_ARN, HOST, HOSTILE_TEXT
from bot.slack_ids import COMMAND, UPLOAD_JSON_ACTION
from tests.fixtures.slack import (
    BOT_TOKEN,
    SIGNING_SECRET,
    RunningBot,
    add_participant_with_many_events,
    demo_query,
)

SLOW_PARTICIPANT = "SloW1234PaGe"


def _buttons(blocks: list[dict[str, object]]) -> list[dict[str, object]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]  # type: ignore[attr-defined]


async def test_help_or_an_empty_command_gets_private_usage_with_an_example(bot: RunningBot) -> None:
    for text in ("", "help"):
        ack, _ = await bot.send.command(text, command=COMMAND)
        assert ack.status == 200
        body = ack.json()
        assert body.get("response_type", "ephemeral") == "ephemeral"
        assert "Usage" in json.dumps(body) and DEMO_STAGE_ARN in json.dumps(body)
    assert bot.ivs.calls == []


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (f"{DEMO_STAGE_ARN} st-bad {HOST}", "session id"),
        (f"arn:aws:ivs:us-west-2:12:stage/x {DEMO_SESSION_ID} {HOST}", "stage ARN"),
        (f"{DEMO_STAGE_ARN} {DEMO_SESSION_ID} <!channel>", "participant id"),
    ],
)
async def test_invalid_input_gets_a_private_error_naming_the_bad_part_and_makes_no_aws_call(
    bot: RunningBot, text: str, named: str
) -> None:
    ack, response_url = await bot.send.command(text, command=COMMAND)
    body = ack.json()
    assert ack.status == 200 and named in body["text"]
    assert "<!channel>" not in json.dumps(body)  # escaped: no ping
    await bot.settle()
    assert bot.ivs.calls == [] and bot.slack.posts_to(response_url) == []


async def test_a_command_is_acked_at_once_then_answered_in_the_channel(bot: RunningBot) -> None:
    ack, response_url = await bot.send.command(demo_query(BITRATE_GUEST), command=COMMAND)
    assert ack.status == 200 and ack.elapsed < 3.0
    assert "Fetching events" in ack.json()["text"]
    await bot.settle()
    posts = bot.slack.posts_to(response_url)
    assert [p.status for p in posts] == [200, 200]
    assert posts[0].body == {"delete_original": True}  # the private "Fetching…" note goes away
    answer = posts[1].body
    assert answer["response_type"] == "in_channel" and "BITRATE_EXCEEDED" in answer["text"]
    button = _buttons(answer["blocks"])[0]
    assert button["action_id"] == UPLOAD_JSON_ACTION and button["value"] == demo_query(BITRATE_GUEST)
    assert len(bot.ivs.calls_to("ListParticipantEvents")) == 1


async def test_private_keeps_the_answer_visible_to_the_asker_only(bot: RunningBot) -> None:
    _, response_url = await bot.send.command(demo_query(HOST) + " private", command=COMMAND)
    await bot.settle()
    (post,) = bot.slack.posts_to(response_url)
    assert post.body["response_type"] == "ephemeral" and post.body["replace_original"] is True
    assert _buttons(post.body["blocks"])


async def test_a_long_fetch_shows_progress_at_most_once_a_second_within_response_urls_budget(
    bot: RunningBot,
) -> None:
    add_participant_with_many_events(bot.ivs.store, SLOW_PARTICIPANT, 450)
    bot.ivs.faults.latency = 0.6  # 5 pages and two detail calls: several seconds

    _, response_url = await bot.send.command(demo_query(SLOW_PARTICIPANT), command=COMMAND)
    await bot.settle()

    posts = bot.slack.posts_to(response_url)
    progress = [p for p in posts if "Fetching events" in p.body.get("text", "")]
    assert 1 <= len(progress) <= 2
    assert all(
        p.body["replace_original"] is True and p.body["response_type"] == "ephemeral" for p in progress
    )
    assert "pages so far" in progress[-1].body["text"] or "page so far" in progress[-1].body["text"]
    calls = [c for c in bot.slack.calls_to("response_url") if "Fetching events" in c.body.get("text", "")]
    assert all(later.at - earlier.at >= 0.9 for earlier, later in itertools.pairwise(calls))
    assert len(posts) <= 5 and all(p.status == 200 for p in posts)
    assert posts[-1].body["response_type"] == "in_channel"
    assert "450" in posts[-1].body["text"]


async def test_an_aws_failure_reaches_the_asker_as_one_private_line(bot: RunningBot) -> None:
    bot.ivs.faults.fail_next("AccessDeniedException", operation="ListParticipantEvents")
    _, response_url = await bot.send.command(demo_query(HOST), command=COMMAND)
    await bot.settle()
    (post,) = bot.slack.posts_to(response_url)
    assert post.body["response_type"] == "ephemeral" and post.body["replace_original"] is True
    assert post.body["text"].startswith(":warning:") and "\n" not in post.body["text"]
    assert "ivs:ListParticipantEvents" in post.body["text"] or "denied" in post.body["text"].lower()


async def test_hostile_text_from_aws_is_escaped_before_it_reaches_slack(bot: RunningBot) -> None:
    _, response_url = await bot.send.command(demo_query(HOSTILE_TEXT), command=COMMAND)
    await bot.settle()
    answer = bot.slack.posts_to(response_url)[-1].body
    assert "<!channel>" not in json.dumps(answer) and "<https://evil" not in json.dumps(answer)


async def test_each_query_writes_one_structured_log_line_and_no_secret_is_ever_logged(
    bot: RunningBot, all_logs: pytest.LogCaptureFixture
) -> None:
    await bot.send.command(demo_query(HOST), command=COMMAND, user="U0WHO0001", channel="C0WHERE01")
    await bot.settle()
    lines = [json.loads(r.getMessage()) for r in all_logs.records if r.name == "bot.queries"]
    assert len(lines) == 1
    line = lines[0]
    assert line["user"] == "U0WHO0001" and line["channel"] == "C0WHERE01" and line["surface"] == "command"
    assert line["participant_id"] == HOST and line["outcome"] == "ok"
    assert line["pages"] == 1 and line["events"] > 0 and line["duration_ms"] >= 0
    everything = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in all_logs.records)
    assert all_logs.records and BOT_TOKEN not in everything and SIGNING_SECRET not in everything
    assert logging.getLogger().level <= logging.DEBUG or all_logs.handler.level <= logging.DEBUG


CONSOLE_LINK = (
    "https://us-west-2.console.aws.amazon.com/ivs/home?region=us-west-2#/stages/abcdABCDefgh"
    f"/sessions/{DEMO_SESSION_ID}/participants/{BITRATE_GUEST}"
)


@pytest.mark.parametrize(
    "text",
    [
        f"{DEMO_SESSION_ID} {DEMO_STAGE_ARN} {BITRATE_GUEST}",
        f"stage={DEMO_STAGE_ARN} session={DEMO_SESSION_ID} participant={BITRATE_GUEST}",
        f"{CONSOLE_LINK} {DEMO_STAGE_ARN}",
        f"participantId: {BITRATE_GUEST} {DEMO_STAGE_ARN} {DEMO_SESSION_ID}",
    ],
)
async def test_the_command_understands_the_ids_in_the_forms_the_shortcut_does(
    bot: RunningBot, text: str
) -> None:
    ack, response_url = await bot.send.command(text, command=COMMAND)
    assert "Fetching events" in ack.json()["text"]
    await bot.settle()
    answer = bot.slack.posts_to(response_url)[-1].body
    assert answer["response_type"] == "in_channel" and "BITRATE_EXCEEDED" in answer["text"]


async def test_an_option_instead_of_the_private_word_is_named_with_the_fix_and_nothing_is_posted(
    bot: RunningBot,
) -> None:
    ack, response_url = await bot.send.command(demo_query(HOST) + " --private", command=COMMAND)
    assert "I don't know `--private`: add `private` as the last word" in ack.json()["text"]
    await bot.settle()
    assert bot.ivs.calls == [] and bot.slack.posts_to(response_url) == []


async def test_help_with_more_words_still_gets_the_usage(bot: RunningBot) -> None:
    ack, _ = await bot.send.command("help me", command=COMMAND)
    body = json.dumps(ack.json())
    assert "Usage" in body and "private" in body and "Diagnose IVS participant" in body


async def test_words_the_command_does_not_understand_are_named(bot: RunningBot) -> None:
    ack, _ = await bot.send.command(f"{DEMO_STAGE_ARN} {DEMO_SESSION_ID} guest please", command=COMMAND)
    text = ack.json()["text"]
    assert "but no participant id" in text and "I don't know `guest` or `please`" in text


async def test_a_command_naming_two_participants_answers_the_first_and_names_the_other(
    bot: RunningBot,
) -> None:
    _, response_url = await bot.send.command(f"{demo_query(HOST)} {BITRATE_GUEST}", command=COMMAND)
    await bot.settle()
    answer = bot.slack.posts_to(response_url)[-1].body
    assert answer["blocks"][1]["elements"][0]["text"].startswith(f"Your command also names `{BITRATE_GUEST}`")
    assert HOST in answer["text"]


async def test_a_command_naming_two_session_ids_asks_which_one_and_makes_no_aws_call(bot: RunningBot) -> None:
    text = f"{DEMO_STAGE_ARN} st-AAAAAAAAAAAAA {DEMO_SESSION_ID} {HOST}"
    ack, response_url = await bot.send.command(text, command=COMMAND)
    assert "names two session ids" in ack.json()["text"] and "Which one did you mean?" in ack.json()["text"]
    await bot.settle()
    assert bot.ivs.calls == [] and bot.slack.posts_to(response_url) == []


@pytest.mark.parametrize(
    "text",
    [
        f"{DEMO_STAGE_ARN} {DEMO_SESSION_ID} --participant-id --max-results 100",
        f"{DEMO_STAGE_ARN} {DEMO_SESSION_ID} participantId: [REDACTED]",
        f"{DEMO_STAGE_ARN} {DEMO_SESSION_ID} xxx",
    ],
)
async def test_a_placeholder_for_the_participant_id_is_never_looked_up(bot: RunningBot, text: str) -> None:
    ack, _ = await bot.send.command(text, command=COMMAND)
    assert "but no participant id" in ack.json()["text"]
    await bot.settle()
    assert bot.ivs.calls == []


async def test_help_after_the_arn_and_the_session_gets_the_usage_not_a_lookup_of_help(
    bot: RunningBot,
) -> None:
    ack, _ = await bot.send.command(f"{DEMO_STAGE_ARN} {DEMO_SESSION_ID} help", command=COMMAND)
    assert "Usage" in json.dumps(ack.json())
    await bot.settle()
    assert bot.ivs.calls == []
