"""The "Upload full JSON" button: the whole history as a file, next to the answer, whatever Slack says."""

from __future__ import annotations

import json

import aiohttp

from bot.local.scenarios import BITRATE_GUEST, DEMO_SESSION_ID, HOST
from bot.local.slack_standin import Message
from bot.slack_ids import COMMAND, UPLOAD_JSON_ACTION
from tests.fixtures.slack import CHANNEL, USER, RunningBot, demo_query


async def _answer_in_channel(bot: RunningBot, participant: str) -> Message:
    await bot.send.command(demo_query(participant), command=COMMAND, channel=CHANNEL)
    await bot.settle()
    return bot.slack.messages[-1]


async def test_command_to_json_upload_happy_path_holds_every_event_in_the_answers_thread(
    bot: RunningBot,
) -> None:
    answer = await _answer_in_channel(bot, BITRATE_GUEST)
    pages_before = len(bot.ivs.calls_to("ListParticipantEvents"))

    ack, response_url = await bot.send.click(
        action_id=UPLOAD_JSON_ACTION, value=demo_query(BITRATE_GUEST), channel=CHANNEL, message=answer
    )
    assert ack.status == 200
    await bot.settle()

    (upload,) = bot.slack.uploads
    assert upload.filename == f"ivs-events-{BITRATE_GUEST}-{DEMO_SESSION_ID}.json"
    assert (upload.channel, upload.thread_ts) == (CHANNEL, answer.ts)
    assert BITRATE_GUEST in upload.title and f"<@{USER}>" in (upload.initial_comment or "")
    document = json.loads(upload.text)
    stored = bot.ivs.store.events_newest_first(document["query"]["stageArn"], DEMO_SESSION_ID, BITRATE_GUEST)
    assert len(document["events"]) == len(stored) > 0
    assert {e["eventTime"] for e in document["events"]} == {e["eventTime"].isoformat() for e in stored}
    assert len(bot.ivs.calls_to("ListParticipantEvents")) == pages_before  # served from the cache
    assert bot.slack.posts_to(response_url) == []  # nothing to say: the file is the answer


async def test_a_click_on_a_private_answer_has_no_message_and_the_file_stays_private_in_a_dm(
    bot: RunningBot,
) -> None:
    await bot.send.command(demo_query(HOST) + " private", command=COMMAND, channel=CHANNEL)
    await bot.settle()
    _, response_url = await bot.send.click(
        action_id=UPLOAD_JSON_ACTION, value=demo_query(HOST), channel=CHANNEL, message=None
    )
    await bot.settle()
    (upload,) = bot.slack.uploads
    (opened,) = bot.slack.calls_to("conversations.open")
    assert opened.body["users"] == USER
    assert upload.channel != CHANNEL and upload.thread_ts is None
    assert "The answer was private" in bot.slack.posts_to(response_url)[0].body["text"]


async def test_any_instance_can_serve_a_click_it_never_saw_by_fetching_again(bot: RunningBot) -> None:
    message = bot.slack.add_message(CHANNEL, "an answer from another instance")
    _, response_url = await bot.send.click(
        action_id=UPLOAD_JSON_ACTION, value=demo_query(HOST), channel=CHANNEL, message=message
    )
    await bot.settle()
    assert len(bot.ivs.calls_to("ListParticipantEvents")) == 1
    assert bot.slack.uploads[0].thread_ts == message.ts
    assert "Fetching the events again" in bot.slack.posts_to(response_url)[0].body["text"]


async def test_not_in_channel_makes_the_bot_join_the_public_channel_and_retry(bot: RunningBot) -> None:
    answer = await _answer_in_channel(bot, HOST)
    bot.slack.deny_channel(CHANNEL, "not_in_channel")
    await bot.send.click(
        action_id=UPLOAD_JSON_ACTION, value=demo_query(HOST), channel=CHANNEL, message=answer
    )
    await bot.settle()
    assert [c.body["channel"] for c in bot.slack.calls_to("conversations.join")] == [CHANNEL]
    (upload,) = bot.slack.uploads
    assert upload.channel == CHANNEL


async def test_where_the_bot_cannot_join_the_file_goes_to_the_clicker_by_dm_and_they_are_told(
    bot: RunningBot,
) -> None:
    private_channel = "C0PRIVATE1"
    message = bot.slack.add_message(private_channel, "answer")
    bot.slack.deny_channel(private_channel, "channel_not_found")
    bot.slack.refuse_join(private_channel)
    _, response_url = await bot.send.click(
        action_id=UPLOAD_JSON_ACTION, value=demo_query(HOST), channel=private_channel, message=message
    )
    await bot.settle()
    (upload,) = bot.slack.uploads
    assert upload.channel.startswith("D") and upload.thread_ts is None
    assert bot.slack.calls_to("conversations.open")[0].body["users"] == USER
    note = bot.slack.posts_to(response_url)[-1].body
    assert note["response_type"] == "ephemeral" and note["replace_original"] is False
    assert "direct message" in note["text"]


async def test_a_tampered_button_value_gets_a_private_error_and_no_aws_call(bot: RunningBot) -> None:
    message = bot.slack.add_message(CHANNEL, "answer")
    _, response_url = await bot.send.click(
        action_id=UPLOAD_JSON_ACTION, value="<!channel> nonsense", channel=CHANNEL, message=message
    )
    await bot.settle()
    (note,) = bot.slack.posts_to(response_url)
    assert note.body["response_type"] == "ephemeral" and "expected 3 values" in note.body["text"]
    assert bot.ivs.calls == [] and bot.slack.uploads == []


async def test_when_the_clicks_response_url_fails_too_the_clicker_still_hears_why_privately(
    bot: RunningBot,
) -> None:
    message = bot.slack.add_message(CHANNEL, "answer")
    bot.slack.fail_next("files.getUploadURLExternal", 10, status=200, error="restricted_action")
    used_up = bot.slack.new_response_url()
    async with aiohttp.ClientSession() as session:
        for _ in range(5):  # the response_url's five posts are gone (or Slack refuses it)
            async with session.post(used_up, json={"text": "x"}):
                pass
    value = demo_query(HOST)
    await bot.send.click(
        action_id=UPLOAD_JSON_ACTION, value=value, channel=CHANNEL, message=message, response_url=used_up
    )
    await bot.settle()
    texts = [e["text"] for e in bot.slack.ephemerals]
    assert any("could not upload the JSON file" in t and "restricted_action" in t for t in texts), texts
    assert all(e["user"] == USER and e["channel"] == CHANNEL for e in bot.slack.ephemerals)
