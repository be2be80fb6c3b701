"""``python -m bot console``: the real app over real HTTP, typed at from a terminal or a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.console import Console
from bot.local.scenarios import BITRATE_GUEST, DEMO_SESSION_ID, DEMO_STAGE_ARN, HOST
from tests.fixtures.slack import demo_query


async def test_a_command_shows_the_answer_and_pressing_its_button_shows_the_upload() -> None:
    async with Console() as console:
        answer = await console.handle(f"/ivs-events {demo_query(BITRATE_GUEST)}")
        assert (
            "Fetching events" in answer and "BITRATE_EXCEEDED" in answer and "[1] Upload full JSON" in answer
        )
        upload = await console.handle("1")
    assert f"ivs-events-{BITRATE_GUEST}-{DEMO_SESSION_ID}.json" in upload and '"events": [' in upload


async def test_demo_help_mentions_and_shortcuts_work_and_nonsense_is_explained() -> None:
    async with Console() as console:
        assert HOST in await console.handle("demo")
        assert "shortcut" in await console.handle("help")
        assert "(in the thread)" in await console.handle(f"@bot {demo_query(HOST)}")
        assert "(in the thread)" in await console.handle(f"shortcut please look at {demo_query(HOST)}")
        assert "No button 7" in await console.handle("7")
        assert "Not understood" in await console.handle("hello")


async def test_a_multi_line_message_can_be_typed_for_the_shortcut_as_a_block_or_with_backslashes() -> None:
    async with Console() as console:
        assert "end it with a line holding only" in await console.handle("shortcut <<")
        pasted = ["{", f'  "participantId": "{BITRATE_GUEST}",', f'  "stageArn": "{DEMO_STAGE_ARN}",']
        for line in [*pasted, f'  "sessionId": "{DEMO_SESSION_ID}"', "}"]:
            assert await console.handle(line) == "" and console.wants_more
        answer = await console.handle(".")
        assert not console.wants_more and "(in the thread)" in answer and "BITRATE_EXCEEDED" in answer
        assert console.posted[-1].text.count("\n") == 4

        for line in [
            "shortcut aws ivs-realtime list-participant-events \\",
            f"  --stage-arn {DEMO_STAGE_ARN} \\",
        ]:
            assert await console.handle(line) == ""
        await console.handle(f"  --session-id {DEMO_SESSION_ID} \\")
        answer = await console.handle(f"  --participant-id {HOST}")
    assert "(in the thread)" in answer and f"participant `{HOST}`" in answer


async def test_a_mention_inside_a_thread_and_a_bare_one_read_the_threads_first_message() -> None:
    async with Console() as console:
        assert "post a message first" in await console.handle("thread @bot")
        assert "posted as message 1" in await console.handle(f"post Guest can't publish: {demo_query(HOST)}")
        await console.handle("post another message")
        bare = await console.handle("thread 1 @bot")
        assert "(in the thread)" in bare and HOST in bare
        asked = await console.handle(f"thread @bot {demo_query(BITRATE_GUEST)}")
        assert "BITRATE_EXCEEDED" in asked
        replies = console.slack.calls_to("conversations.replies")
        assert [c.body["ts"] for c in replies] == [console.posted[0].ts]
        assert "No message 3" in await console.handle("thread 3 @bot")
        assert "(only you) Explain what happened" in await console.handle("thread @bot help")
        assert await console.handle("/other-cmd hi") == "Only /ivs-events is available here."
        help_text = await console.handle("help")
    assert "thread [n] @bot" in help_text and "shortcut <<" in help_text


def test_python_m_bot_console_works_from_a_pipe_and_keeps_the_apps_log_out_of_the_way(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    log_file = tmp_path / "console.log"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console", "--log-file", str(log_file)],
        input=f"/ivs-events {demo_query(HOST)}\n1\n/other-cmd\n",
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (
        "[1] Upload full JSON" in result.stdout
        and f"ivs-events-{HOST}-{DEMO_SESSION_ID}.json" in result.stdout
    )
    assert "Traceback" not in result.stderr
    assert "Only /ivs-events is available here." in result.stdout and "@app.command" not in result.stderr
    assert f"The app's log goes to {log_file}" in result.stdout and result.stderr == ""
    assert '"event": "ivs_query"' in log_file.read_text() and "ivs_query" not in result.stdout
