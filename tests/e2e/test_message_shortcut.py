"""The "Diagnose IVS participant" shortcut: ids found anywhere in a message, the answer in its thread."""

from __future__ import annotations

import json

from bot.domain.queries import PARTICIPANT_ID_SHAPE
from bot.local.scenarios import BITRATE_GUEST, CO_HOST, DEMO_SESSION_ID, DEMO_STAGE_ARN, HOST, STRANDED_VIEWER
from bot.slack_ids import DIAGNOSE_SHORTCUT
from tests.fixtures.slack import CHANNEL, RunningBot, add_participant_with_many_events, demo_query

CONSOLE_LINK = (
    "https://us-west-2.console.aws.amazon.com/ivs/home?region=us-west-2#/stages/abcdABCDefgh"
    f"/sessions/{DEMO_SESSION_ID}/participants/{CO_HOST}"
)


async def test_the_shortcut_on_a_top_level_message_answers_in_a_thread_under_it(bot: RunningBot) -> None:
    message = bot.slack.add_message(
        CHANNEL, f"Customer says the host froze: {demo_query(HOST)}", user="U0CUST001"
    )
    ack, _ = await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    assert ack.status == 200
    await bot.settle()
    replies = bot.slack.thread(CHANNEL, message.ts)[1:]
    assert len(replies) == 1 and replies[0].thread_ts == message.ts
    assert HOST in replies[0].text


async def test_the_shortcut_on_a_thread_reply_answers_in_that_thread(bot: RunningBot) -> None:
    parent = bot.slack.add_message(CHANNEL, "Stream issue, details below")
    reply = bot.slack.add_message(
        CHANNEL,
        f"stage {DEMO_STAGE_ARN}, and here is the participant: <{CONSOLE_LINK}|console>",
        thread_ts=parent.ts,
    )
    await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=reply)
    await bot.settle()
    answers = [
        m
        for m in bot.slack.thread(CHANNEL, parent.ts)
        if m.user != "U0ASKER01" and m.ts not in (parent.ts, reply.ts)
    ]
    assert len(answers) == 1 and answers[0].thread_ts == parent.ts and CO_HOST in answers[0].text


async def test_a_message_missing_an_id_gets_a_private_note_of_what_was_found_and_what_is_missing(
    bot: RunningBot,
) -> None:
    message = bot.slack.add_message(CHANNEL, f"participant page: {CONSOLE_LINK}")
    _, response_url = await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    await bot.settle()
    (note,) = bot.slack.posts_to(response_url)
    assert note.body["response_type"] == "ephemeral" and note.body["replace_original"] is False
    text = note.body["text"]
    assert DEMO_SESSION_ID in text and CO_HOST in text and "no stage ARN" in text and "account" in text
    assert bot.ivs.calls == [] and bot.slack.thread(CHANNEL, message.ts)[1:] == []


async def test_the_shortcut_in_a_channel_the_bot_is_not_in_joins_it_and_answers(bot: RunningBot) -> None:
    bot.slack.deny_channel("C0ELSEWHERE", "not_in_channel")
    message = bot.slack.add_message("C0ELSEWHERE", demo_query(HOST))
    await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    await bot.settle()
    assert bot.slack.joined == {"C0ELSEWHERE"}
    assert len(bot.slack.thread("C0ELSEWHERE", message.ts)) == 2


async def test_a_slow_answer_in_a_thread_shows_a_placeholder_that_becomes_the_answer(bot: RunningBot) -> None:
    add_participant_with_many_events(bot.ivs.store, "BuSy1234PaGe", 450)
    bot.ivs.faults.latency = 0.5  # five pages: two and a half seconds
    message = bot.slack.add_message(CHANNEL, demo_query("BuSy1234PaGe"))
    await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    await bot.settle()
    (placeholder,) = bot.slack.calls_to("chat.postMessage")
    assert "Fetching events" in placeholder.body["text"]
    updates = bot.slack.calls_to("chat.update")
    assert updates and all(u.body["ts"] == placeholder.answer["ts"] for u in updates)
    (answer,) = bot.slack.thread(CHANNEL, message.ts)[1:]
    assert "BuSy1234PaGe" in answer.text and "450" in answer.text and "Fetching" not in answer.text


async def test_the_shortcut_on_a_pasted_aws_cli_command_answers_for_its_participant_id(
    bot: RunningBot,
) -> None:
    command = (
        "aws ivs-realtime list-participant-events \\\n"
        f"  --stage-arn={DEMO_STAGE_ARN} \\\n"
        f"  --session-id {DEMO_SESSION_ID} \\\n"
        f"  --participant-id {STRANDED_VIEWER}"
    )
    message = bot.slack.add_message(CHANNEL, command)
    await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    await bot.settle()
    (answer,) = bot.slack.thread(CHANNEL, message.ts)[1:]
    assert STRANDED_VIEWER in answer.text
    fetched = [c.params["participantId"] for c in bot.ivs.calls_to("ListParticipantEvents")]
    # the viewer's own history, then the publisher it could not receive, to say why that one went away
    assert fetched == [STRANDED_VIEWER, "Co8HoSt9Lm0n"]


async def test_a_labelled_participant_id_ivs_would_refuse_is_called_malformed_not_missing(
    bot: RunningBot,
) -> None:
    message = bot.slack.add_message(CHANNEL, f"{DEMO_STAGE_ARN} {DEMO_SESSION_ID} participantId: Kq7~RtU2")
    _, response_url = await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    await bot.settle()
    (note,) = bot.slack.posts_to(response_url)
    assert f"participant id must be {PARTICIPANT_ID_SHAPE}, got `Kq7~RtU2`" in note.body["text"]
    assert "no participant id" not in note.body["text"] and bot.ivs.calls == []


async def test_a_message_with_no_ids_gets_one_plain_sentence_and_how_to_ask(bot: RunningBot) -> None:
    message = bot.slack.add_message(CHANNEL, "nothing here")
    _, response_url = await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    await bot.settle()
    (note,) = bot.slack.posts_to(response_url)
    assert note.body["text"].startswith("I found no IVS ids in that message. Ask with `/ivs-events")


async def test_on_a_thread_reply_the_hint_suggests_mentioning_the_bot_not_the_slash_command(
    bot: RunningBot,
) -> None:
    parent = bot.slack.add_message(CHANNEL, "Stream issue")
    reply = bot.slack.add_message(CHANNEL, f"session {DEMO_SESSION_ID}", thread_ts=parent.ts)
    _, response_url = await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=reply)
    await bot.settle()
    text = bot.slack.posts_to(response_url)[0].body["text"]
    assert "but no stage ARN or participant id" in text
    assert "/ivs-events" not in text and "`@ivs-events &lt;stage-arn&gt;" in text


async def test_a_message_naming_several_participants_is_answered_for_the_first_and_names_the_others(
    bot: RunningBot,
) -> None:
    listing = (
        f'stage {DEMO_STAGE_ARN} session {DEMO_SESSION_ID}\n{{"participants": ['
        f'{{"participantId": "{HOST}", "state": "DISCONNECTED"}}, '
        f'{{"participantId": "{BITRATE_GUEST}", "state": "DISCONNECTED"}}]}}'
    )
    message = bot.slack.add_message(CHANNEL, listing)
    await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    await bot.settle()
    (answer,) = bot.slack.thread(CHANNEL, message.ts)[1:]
    header, notice = answer.blocks[:2]  # the answer's line first, the note right under it
    assert notice["type"] == "context" and header["text"]["text"].startswith(f"{HOST}: ")
    assert notice["elements"][0]["text"] == (
        f"This message also names `{BITRATE_GUEST}`: ask about it with "
        f"`/ivs-events {DEMO_STAGE_ARN} {DEMO_SESSION_ID} {BITRATE_GUEST}`."
    )


async def test_in_a_direct_message_the_bot_is_not_in_the_finished_answer_reaches_the_user_privately(
    bot: RunningBot,
) -> None:
    bot.slack.deny_channel("D0SOMEONE1", "channel_not_found")
    message = bot.slack.add_message("D0SOMEONE1", demo_query(BITRATE_GUEST))
    _, response_url = await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    await bot.settle()
    (answer,) = bot.slack.posts_to(response_url)
    assert answer.body["response_type"] == "ephemeral" and answer.body["replace_original"] is False
    blocks = answer.body["blocks"]
    why = blocks[1]["elements"][0]["text"]
    assert "Only you can see this answer" in why and "direct message" in why and "Invite" not in why
    assert "BITRATE_EXCEEDED" in json.dumps(blocks) and "Upload full JSON" in json.dumps(blocks)
    assert bot.slack.calls_to("conversations.join") == []  # a DM cannot be joined
    assert bot.slack.thread("D0SOMEONE1", message.ts)[1:] == []


async def test_in_a_private_channel_the_bot_cannot_join_it_answers_privately_and_says_why(
    bot: RunningBot,
) -> None:
    bot.slack.deny_channel("C0PRIVATE1", "channel_not_found")
    bot.slack.refuse_join("C0PRIVATE1")
    add_participant_with_many_events(bot.ivs.store, "SloW5678PaGe", 250)
    bot.ivs.faults.latency = 0.5  # slow enough for a progress placeholder to be tried
    message = bot.slack.add_message("C0PRIVATE1", demo_query("SloW5678PaGe"))
    _, response_url = await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    await bot.settle()
    (answer,) = bot.slack.posts_to(response_url)
    why = answer.body["blocks"][1]["elements"][0]["text"]
    assert "I'm not in this channel and can't join it" in why and "`channel_not_found`" in why
    assert "SloW5678PaGe" in answer.body["text"]
    # one attempt to post (the placeholder) and one to join; the answer itself goes straight to the user
    assert len(bot.slack.calls_to("conversations.join")) == 1


async def test_the_shortcut_on_pasted_get_participant_json_asks_ivs_about_the_participant_not_the_key(
    bot: RunningBot,
) -> None:
    message = bot.slack.add_message(
        CHANNEL,
        f"stage {DEMO_STAGE_ARN} session {DEMO_SESSION_ID}\n"
        f'{{"participant": {{"participantId": "{BITRATE_GUEST}", "state": "DISCONNECTED"}}}}',
    )
    await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    await bot.settle()
    assert [c.params["participantId"] for c in bot.ivs.calls_to("ListParticipantEvents")] == [BITRATE_GUEST]


async def test_a_message_naming_several_unlabelled_ids_gets_a_private_question_and_no_aws_call(
    bot: RunningBot,
) -> None:
    message = bot.slack.add_message(
        CHANNEL, f"Stage is {DEMO_STAGE_ARN}, session {DEMO_SESSION_ID}. MacBookPro16 and {HOST} both failed."
    )
    _, response_url = await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    await bot.settle()
    (note,) = bot.slack.posts_to(response_url)
    assert note.body["text"].startswith(
        f"That message names two possible participant ids, `MacBookPro16` and `{HOST}`"
    )
    assert bot.ivs.calls == [] and bot.slack.thread(CHANNEL, message.ts)[1:] == []


async def test_a_console_link_and_a_stage_arn_of_different_stages_are_never_mixed_into_a_query(
    bot: RunningBot,
) -> None:
    other_stage = CONSOLE_LINK.replace("abcdABCDefgh", "zzzzZZZZzzzz")
    message = bot.slack.add_message(CHANNEL, f"<{other_stage}|console> stage {DEMO_STAGE_ARN}")
    _, response_url = await bot.send.message_shortcut(callback_id=DIAGNOSE_SHORTCUT, message=message)
    await bot.settle()
    (note,) = bot.slack.posts_to(response_url)
    assert "a console link and a stage ARN that name different stages" in note.body["text"]
    assert bot.ivs.calls == []
