"""The shared answer flow's rules: response_url budget, progress pacing, what a missing-ids note says."""

from __future__ import annotations

import asyncio

import pytest

from bot.background import TaskTracker
from bot.ivs.find_ids import FoundIds
from bot.ivs.history import FetchProgress
from bot.local.slack_standin import SlackStandIn
from bot.replies import CommandAnswer, ProgressReporter, ResponseUrl, missing_ids_note
from bot.views import SlackReply


class RecordingTarget:
    """An AnswerTarget that remembers the progress it was shown."""

    progress_updates = 3

    def __init__(self) -> None:
        self.shown: list[str] = []

    async def progress(self, reply: SlackReply) -> None:
        self.shown.append(reply.text)

    async def deliver(self, reply: SlackReply) -> bool:
        return True

    async def fail(self, text: str) -> None:
        pass


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_progress_waits_a_second_then_backs_off_and_stays_within_budget() -> None:
    target, clock = RecordingTarget(), FakeClock()
    report = ProgressReporter(target, clock=clock)
    shown_at = []
    for page in range(1, 40):
        clock.now += 0.5
        before = len(target.shown)
        await report(FetchProgress(page, page * 100))
        await report.settle()
        if len(target.shown) > before:
            shown_at.append(clock.now - 100.0)
    assert shown_at == [1.0, 2.0, 4.0]  # first after 1 s, then gaps of 1 s, 2 s; budget of 3 used
    assert "3 pages so far" in target.shown[0] or "2 pages so far" in target.shown[0]


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
        answer = CommandAnswer(ResponseUrl(url), private=False)
        for _ in range(2):
            await answer.progress(SlackReply("Fetching events… 2 pages so far", []))
        assert await answer.deliver(SlackReply("the answer", [])) is True
        bodies = [p.body for p in slack.posts_to(url)]
        assert [b.get("response_type") for b in bodies] == ["ephemeral", "ephemeral", None, "in_channel"]
        assert bodies[2] == {"delete_original": True}
        await answer.fail("one spare post left for a failure")
        assert len(slack.posts_to(url)) == 5


def test_a_missing_ids_note_says_what_was_found_and_what_is_missing_escaped() -> None:
    note = missing_ids_note(
        FoundIds(session_id="st-a1b2c3d4e5f6g", stage_without_account=("abc<d>", "us-west-2"))
    )
    assert "session id `st-a1b2c3d4e5f6g`" in note and "no stage ARN and no participant id" in note
    assert "abc&lt;d&gt;" in note and "<d>" not in note and "account" in note


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
