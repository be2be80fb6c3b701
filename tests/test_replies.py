"""The shared answer flow's rules: response_url budget, progress pacing, what a missing-ids note says."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.app import create_slack_client
from bot.asked import missing_ids_note, others_note, read_command, read_found, read_mention, split_private
from bot.asked.find_ids import FoundIds, find_ids
from bot.background import TaskTracker
from bot.config import Settings
from bot.domain.history import FetchProgress
from bot.domain.queries import PARTICIPANT_ID_SHAPE
from bot.ivs.service import create_ivs_service
from bot.local.slack_standin import SlackStandIn
from bot.replies import (
    COMMAND_PROGRESS_SCHEDULE,
    THREAD_PROGRESS_SCHEDULE,
    CommandAnswer,
    PrivateLine,
    ProgressReporter,
    QueryReplies,
    ResponseUrl,
)
from bot.views import SlackReply

ARN = "arn:aws:ivs:us-west-2:123456789012:stage/abcdABCDefgh"
SESSION = "st-a1b2c3d4e5f6g"
PARTICIPANT = "abCDEf12GHIj"
BOT_TOKEN = "xoxb-replies-test-not-real"


class RecordingTarget:
    """An AnswerTarget that remembers the progress it was shown."""

    def __init__(self, schedule: tuple[float, ...] = (1.0, 10.0, 45.0)) -> None:
        self.progress_schedule = schedule
        self.progress_shown: str | None = None
        self.shown: list[str] = []

    async def progress(self, reply: SlackReply) -> None:
        self.shown.append(reply.text)

    async def deliver(self, reply: SlackReply) -> bool:
        return True

    async def fail(self, text: str) -> None:
        pass


def _settings(slack: SlackStandIn) -> Settings:
    return Settings(
        slack_bot_token=BOT_TOKEN, slack_signing_secret="secret-0123456789", slack_api_url=slack.api_url
    )


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def _shown_at(target: RecordingTarget, *, pages: int, seconds_per_page: float) -> list[float]:
    clock = FakeClock()
    report = ProgressReporter(target, clock=clock)
    shown_at = []
    for page in range(1, pages + 1):
        clock.now += seconds_per_page
        before = len(target.shown)
        await report(FetchProgress(page, page * 100))
        await report.settle()
        if len(target.shown) > before:
            shown_at.append(round(clock.now - 100.0, 6))
    return shown_at


async def test_a_long_fetch_shows_progress_spread_over_its_whole_length_within_the_budget() -> None:
    target = RecordingTarget()
    shown_at = await _shown_at(target, pages=1000, seconds_per_page=0.25)  # a 250 s fetch
    assert shown_at == [1.0, 10.0, 45.0]  # never a burst at the start, then silence
    assert "4 pages so far" in target.shown[0]


async def test_a_slash_commands_progress_keeps_the_posts_its_answer_needs() -> None:
    async with SlackStandIn() as slack:
        replies = QueryReplies(create_ivs_service(), create_slack_client(_settings(slack)), TaskTracker())
        public = replies.command_target(
            response_url=slack.new_response_url(), channel="C1", user="U1", private=False
        )
        private = replies.command_target(
            response_url=slack.new_response_url(), channel="C1", user="U1", private=True
        )
    assert public.progress_schedule == COMMAND_PROGRESS_SCHEDULE[:3]  # + delete the note + the answer = 5
    assert private.progress_schedule == COMMAND_PROGRESS_SCHEDULE  # + the answer replacing the note = 5
    assert COMMAND_PROGRESS_SCHEDULE == (1.0, 10.0, 45.0, 120.0)
    assert THREAD_PROGRESS_SCHEDULE[-1] > 6 * 60 and len(THREAD_PROGRESS_SCHEDULE) == 30


async def test_a_fast_fetch_shows_no_progress_at_all() -> None:
    target = RecordingTarget()
    report = ProgressReporter(target, clock=FakeClock())
    await report(FetchProgress(1, 42))
    await report.settle()
    assert target.shown == []


async def test_response_url_refuses_to_post_past_slacks_five_posts_and_reports_http_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with SlackStandIn() as slack:
        url = slack.new_response_url()
        poster = ResponseUrl(url)
        assert [await poster.post({"text": str(i)}) for i in range(6)] == [True] * 5 + [False]
        assert len(slack.posts_to(url)) == 5
        assert "budget used up" in caplog.text
        used = ResponseUrl(url)  # another instance does not know: Slack's 404 tells it
        assert await used.post({"text": "late"}) is False
        assert "HTTP 404" in caplog.text and url not in caplog.text


async def test_a_command_answer_in_channel_removes_the_private_note_first_and_fits_the_budget() -> None:
    async with SlackStandIn() as slack:
        url = slack.new_response_url()
        client = create_slack_client(_settings(slack))
        answer = CommandAnswer(ResponseUrl(url), PrivateLine(client, channel="C1", user="U1"), private=False)
        for _ in answer.progress_schedule:
            await answer.progress(SlackReply("Fetching events… 2 pages so far", []))
        assert await answer.deliver(SlackReply("the answer", [])) is True
        bodies = [p.body for p in slack.posts_to(url)]
        assert [b.get("response_type") for b in bodies] == ["ephemeral"] * 3 + [None, "in_channel"]
        assert bodies[3] == {"delete_original": True}
        assert slack.ephemerals == []


async def test_a_failure_after_the_budget_is_spent_still_reaches_the_asker_privately() -> None:
    async with SlackStandIn() as slack:
        url = slack.new_response_url()
        client = create_slack_client(_settings(slack))
        answer = CommandAnswer(ResponseUrl(url), PrivateLine(client, channel="C1", user="U1"), private=True)
        for _ in range(5):
            await answer.progress(SlackReply("Fetching events…", []))
        await answer.fail("IVS is throttling")
        (private,) = slack.ephemerals
        assert (private["channel"], private["user"]) == ("C1", "U1")
        assert "IVS is throttling" in private["text"]
        assert "reply URL (its 5 posts were used up)" in json.dumps(private["blocks"])


def test_a_missing_ids_note_says_what_was_found_and_what_is_missing_escaped() -> None:
    note = missing_ids_note(
        FoundIds(session_id="st-a1b2c3d4e5f6g", stage_without_account=("abc<d>", "us-west-2"))
    )
    assert "session id `st-a1b2c3d4e5f6g`" in note and "but no stage ARN or participant id." in note
    assert "abc&lt;d&gt;" in note and "<d>" not in note and "account" in note


def test_a_message_with_no_ids_says_so_in_one_sentence_then_how_to_ask() -> None:
    note = missing_ids_note(find_ids("hello there"), where="your mention")
    assert note.startswith("I found no IVS ids in your mention. Ask with `/ivs-events")
    assert " but " not in note


def test_what_was_found_is_listed_naturally_and_what_is_missing_once() -> None:
    note = missing_ids_note(find_ids(f"{ARN} {SESSION}"))
    found = f"I found the stage ARN `{ARN}` and the session id `{SESSION}` in that message"
    assert note.startswith(f"{found}, but no participant id.")


def test_in_a_thread_the_hint_suggests_mentioning_the_bot_never_the_slash_command() -> None:
    note = missing_ids_note(find_ids(SESSION), in_thread=True)
    assert "/ivs-events" not in note and "`@ivs-events &lt;stage-arn&gt; &lt;session-id&gt;" in note


def test_a_malformed_labelled_participant_id_is_named_with_the_expected_shape() -> None:
    note = missing_ids_note(find_ids(f"{ARN} {SESSION} participantId: Kq7~RtU2"))
    assert f"participant id must be {PARTICIPANT_ID_SHAPE}, got `Kq7~RtU2`" in note
    assert "no participant id" not in note


def test_the_other_participants_a_message_names_get_a_one_line_note_with_a_ready_question() -> None:
    found = find_ids(f"{ARN} {SESSION} {PARTICIPANT} and Kq7RtU2vWx9Z")
    ask = f"@ivs-events {ARN} {SESSION} Kq7RtU2vWx9Z"
    assert others_note(found, in_thread=True) == (
        f"This message also names `Kq7RtU2vWx9Z`: ask about it with `{ask}`."
    )
    many = find_ids(" ".join(f"participantId: P{i:011d}" for i in range(9)) + f" {ARN} {SESSION}")
    note = others_note(many, source="Your command")
    assert note is not None and note.startswith("Your command also names `P00000000001`")
    assert "and 3 more: ask about another with `/ivs-events" in note
    assert others_note(find_ids(f"{ARN} {SESSION} {PARTICIPANT}")) is None


@pytest.mark.parametrize(
    "text",
    [
        f"{ARN} {SESSION} {PARTICIPANT}",
        f"{SESSION} {ARN} {PARTICIPANT}",
        f"{PARTICIPANT} {SESSION} {ARN}",
        f"stage={ARN} session={SESSION} participant={PARTICIPANT}",
        f"participantId: {PARTICIPANT} {ARN} {SESSION}",
        f"https://us-west-2.console.aws.amazon.com/ivs/home?region=us-west-2#/stages/abcdABCDefgh"
        f"/sessions/{SESSION}/participants/{PARTICIPANT} {ARN}",
        f"--stage-arn {ARN} --session-id {SESSION} --participant-id {PARTICIPANT} --region us-west-2",
    ],
)
def test_the_command_takes_the_ids_in_any_form_the_shortcut_understands(text: str) -> None:
    asked = read_command(text)
    assert asked.query is not None and asked.problem is None
    assert (asked.query.stage_arn, asked.query.session_id, asked.query.participant_id) == (
        ARN,
        SESSION,
        PARTICIPANT,
    )


def test_three_values_in_another_order_take_the_third_as_written_or_say_why_not() -> None:
    asked = read_command(f"{SESSION} {ARN} lowercaseid")
    assert asked.query is not None and asked.query.participant_id == "lowercaseid"
    bad = read_command(f"{SESSION} {ARN} Kq7~RtU2")
    assert bad.problem == f"participant id must be {PARTICIPANT_ID_SHAPE}, got `Kq7~RtU2`"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            f"{ARN} {SESSION} {PARTICIPANT} --private",
            "I don't know `--private`: add `private` as the last word to keep the answer to yourself.",
        ),
        (
            f"{ARN} st-bad {PARTICIPANT}",
            "session id must be `st-` followed by 13 letters or digits, got `st-bad`",
        ),
        (f"{ARN} {SESSION} lowercase extra", "but no participant id. I don't know `lowercase` or `extra`."),
        ("what <!channel> is this", "Expected 3 values (stage ARN, session id, participant id), got 4: "),
    ],
)
def test_a_command_that_cannot_be_answered_says_precisely_why(text: str, said: str) -> None:
    asked = read_command(text)
    assert asked.query is None and asked.problem is not None
    assert said in asked.problem
    assert "<!channel>" not in asked.problem


def test_help_in_any_form_and_an_empty_command_ask_for_the_usage() -> None:
    assert all(read_command(text).wants_help for text in ("", "help", "help me", "--help", "usage"))
    assert not read_command(f"help {ARN} {SESSION} {PARTICIPANT}").wants_help


def test_private_said_first_or_last_keeps_the_answer_private() -> None:
    assert split_private(f"private {ARN}") == (ARN, True)
    assert split_private(f"{ARN} PRIVATE") == (ARN, True)


def test_a_mention_with_the_three_values_takes_them_as_typed_and_help_asks_for_the_usage() -> None:
    text = f"<@U0BOT0001> {ARN} {SESSION} lowercaseid"
    asked = read_mention(text, find_ids(text), where="your mention", in_thread=False)
    assert asked.query is not None and asked.query.participant_id == "lowercaseid"
    for text in ("<@U0BOT0001> help", "help <@U0BOT0001>", "<@U0BOT0001|ivs-events> help!"):
        assert read_mention(text, find_ids(text), where="your mention", in_thread=True).wants_help


def test_a_message_naming_several_participants_is_answered_for_the_first_with_a_note() -> None:
    asked = read_found(find_ids(f"{ARN} {SESSION} {PARTICIPANT} Kq7RtU2vWx9Z"), where="x", in_thread=False)
    assert asked.query is not None and asked.query.participant_id == PARTICIPANT
    assert asked.note is not None and "Kq7RtU2vWx9Z" in asked.note


def test_a_command_naming_two_session_ids_asks_which_one_instead_of_guessing() -> None:
    asked = read_command(f"{ARN} st-AAAAAAAAAAAAA {SESSION} Kq7RtU2vWx9Z")
    assert asked.query is None and asked.problem == (
        f"Your command names two session ids, `st-AAAAAAAAAAAAA` and `{SESSION}`. Which one did you mean? "
        f"Ask with `/ivs-events {ARN} &lt;session-id&gt; Kq7RtU2vWx9Z`."
    )
    assert read_command(f"{ARN} {SESSION} st-AAAAAAAAAAAAA").query is None


def test_several_possible_participants_in_a_message_get_a_note_listing_them_and_no_lookup() -> None:
    found = find_ids(f"Stage is {ARN}, session {SESSION}. MacBookPro16 and Kq7RtU2vWx9Z both failed.")
    asked = read_found(found, where="that message", in_thread=True)
    assert asked.query is None and asked.problem == (
        "That message names two possible participant ids, `MacBookPro16` and `Kq7RtU2vWx9Z`, and nothing "
        "says which one is the participant. Which one did you mean? Ask with "
        f"`@ivs-events {ARN} {SESSION} &lt;participant-id&gt;`."
    )


def test_a_console_link_and_a_stage_arn_of_different_stages_get_a_note_saying_so_escaped() -> None:
    link = (
        "https://eu-west-1.console.aws.amazon.com/ivs/home?region=eu-west-1#/stages/abcdABCDefgh"
        f"/sessions/{SESSION}/participants/{PARTICIPANT}"
    )
    asked = read_found(find_ids(f"{link} stage {ARN}"), where="that message", in_thread=False)
    assert asked.query is None and asked.problem is not None
    assert asked.problem.startswith(
        "That message has a console link and a stage ARN that name different stages: stage "
        f"`abcdABCDefgh` in `eu-west-1`, and `{ARN}`. Which one did you mean? "
        f"Ask with `/ivs-events &lt;stage-arn&gt; {SESSION} {PARTICIPANT}`."
    )


@pytest.mark.parametrize(
    "text",
    [
        f"{ARN} {SESSION} xxx",
        f"{ARN} {SESSION} REDACTED",
        f"{ARN} {SESSION} TBD",
        f"{ARN} {SESSION} N/A",
        f"{ARN} {SESSION} &lt;participant-id&gt;",
        f"{ARN} {SESSION} participantId",
        f"{ARN} {SESSION} --max-results",
        f"{ARN} {SESSION} --participant-id --max-results 100",
        f"{ARN} {SESSION} --participant-id=<participant-id>",
    ],
)
def test_a_placeholder_where_the_participant_id_goes_is_never_looked_up(text: str) -> None:
    for asked in (
        read_command(text),
        read_mention(f"<@U0BOT0001> {text}", find_ids(text), where="your mention", in_thread=False),
    ):
        assert asked.query is None and asked.problem is not None
        assert "but no participant id" in asked.problem


def test_a_command_of_only_a_label_says_what_is_missing() -> None:
    asked = read_command("participant")
    assert asked.problem is not None and "I don't know ." not in asked.problem
    assert asked.problem.startswith(
        "I found no stage ARN, session id or participant id in your command, only `participant`. Ask with"
    )


def test_three_values_in_the_wrong_order_name_the_malformed_part_by_its_shape() -> None:
    expected = "session id must be `st-` followed by 13 letters or digits, got `st-a1b2c3d4e5f6`"
    text = f"Kq7RtU2vWx9Z st-a1b2c3d4e5f6 {ARN}"
    assert read_command(text).problem == expected
    mention = f"<@U0BOT0001> {text}"
    assert read_mention(mention, find_ids(mention), where="your mention", in_thread=False).problem == expected


@pytest.mark.parametrize("text", [f"{ARN} {SESSION} help", "help?", f"{SESSION} {ARN} help!", "?"])
def test_help_as_the_last_word_or_with_a_question_mark_gets_the_usage_not_a_lookup(text: str) -> None:
    assert read_command(text).wants_help
    mention = f"<@U0BOT0001> {text}"
    assert read_mention(mention, find_ids(mention), where="your mention", in_thread=False).wants_help
    asking = "<@U0BOT0001> can you help?"  # in a thread whose first message holds the ids
    assert not read_mention(asking, find_ids(asking), where="your mention", in_thread=True).wants_help


@pytest.mark.parametrize(
    "text",
    [f"{SESSION} {ARN} myguest", f"myguest {ARN} {SESSION}", f"`{ARN}` <{SESSION}> myguest"],
)
def test_a_mention_of_three_values_in_any_order_is_read_as_the_slash_command_reads_it(text: str) -> None:
    mention = f"<@U0BOT0001> {text}"
    for asked in (
        read_command(text),
        read_mention(mention, find_ids(mention), where="your mention", in_thread=True),
    ):
        assert asked.query is not None
        assert (asked.query.stage_arn, asked.query.session_id, asked.query.participant_id) == (
            ARN,
            SESSION,
            "myguest",
        )


def test_pasted_get_participant_json_is_answered_for_its_participant() -> None:
    text = f'{{"participant": {{"participantId": "Kq7RtU2vWx9Z", "state": "CONNECTED"}}}} {ARN} {SESSION}'
    asked = read_found(find_ids(text), where="that message", in_thread=False)
    assert asked.query is not None and asked.query.participant_id == "Kq7RtU2vWx9Z" and asked.note is None


def test_a_ticket_template_is_answered_for_the_guest_and_names_the_host() -> None:
    text = f"Stage: {ARN}\nSession: {SESSION}\nGuest: Kq7RtU2vWx9Z\nHost: Co8HoSt9Lm0n"
    asked = read_found(find_ids(text), where="that message", in_thread=True)
    assert asked.query is not None and asked.query.participant_id == "Kq7RtU2vWx9Z"
    ask = f"@ivs-events {ARN} {SESSION} Co8HoSt9Lm0n"
    assert asked.note == f"This message also names `Co8HoSt9Lm0n`: ask about it with `{ask}`."


async def test_tracked_work_finishes_within_the_grace_period_and_late_work_is_refused() -> None:
    tasks, done = TaskTracker(), []

    async def work(delay: float) -> None:
        await asyncio.sleep(delay)
        done.append(delay)

    tasks.spawn(work(0.05), name="quick")
    tasks.spawn(work(10), name="slow")
    assert await tasks.close(grace=0.3) is False
    assert done == [0.05] and tasks.active == 0
    assert tasks.spawn(work(0), name="late") is False


async def test_a_failing_background_task_is_logged_and_does_not_stop_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tasks = TaskTracker()

    async def boom() -> None:
        raise RuntimeError("kaput")

    async def fine() -> None:
        await asyncio.sleep(0.01)

    tasks.spawn(boom(), name="boom")
    tasks.spawn(fine(), name="fine")
    assert await tasks.wait_idle(within=5)
    assert "background work boom failed" in caplog.text and "kaput" in caplog.text


@pytest.mark.parametrize("region", ["us-west", "uswest2", "eu-central"])
def test_an_arn_whose_region_is_no_aws_region_gets_a_precise_note_from_every_surface(region: str) -> None:
    arn = f"arn:aws:ivs:{region}:123456789012:stage/abcdABCDefgh"
    expected = f"region `{region}`, which is not an AWS region"
    for text in (
        f"{arn} {SESSION} Kq7RtU2vWx9Z",
        f"{SESSION} {arn} Kq7RtU2vWx9Z",
        f"stage={arn} session={SESSION} participant=Kq7RtU2vWx9Z",
    ):
        asked = read_command(text)
        assert asked.query is None and asked.problem is not None and expected in asked.problem
    found = find_ids(f"Stage {arn}, session {SESSION}, participantId: Kq7RtU2vWx9Z")
    asked = read_found(found, where="that message", in_thread=True)
    assert asked.query is None and asked.problem is not None and expected in asked.problem


async def test_an_urgent_post_tries_the_response_url_once_then_reaches_the_asker_another_way() -> None:
    async with SlackStandIn() as slack:
        url = slack.new_response_url()
        slack.fail_next("response_url", 10, status=500)
        client = create_slack_client(_settings(slack))
        answer = CommandAnswer(ResponseUrl(url), PrivateLine(client, channel="C1", user="U1"), private=False)
        await answer.fail("Interrupted by a restart", urgent=True)
        assert [p.status for p in slack.posts_to(url)] == [500]  # no retries: the notice must be quick
        (private,) = slack.ephemerals
        assert "Interrupted by a restart" in private["text"]


async def test_when_slack_refuses_the_ephemeral_for_any_reason_the_asker_gets_a_direct_message() -> None:
    async with SlackStandIn() as slack:
        slack.fail_next("chat.postEphemeral", 10, status=500, error="internal_error")
        client = create_slack_client(_settings(slack))
        assert await PrivateLine(client, channel="C1", user="U1").tell(
            SlackReply("the answer", []), urgent=True
        )
        (opened,) = slack.calls_to("conversations.open")
        assert opened.body["users"] == "U1" and any(
            c.status == 200 for c in slack.calls_to("chat.postMessage")
        )
