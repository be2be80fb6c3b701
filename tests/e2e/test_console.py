"""``python -m bot console``: the real app over real HTTP, typed at from a terminal or a pipe."""

from __future__ import annotations

import os
import subprocess
import sys

from bot.console import Console
from bot.local.scenarios import BITRATE_GUEST, DEMO_SESSION_ID, HOST
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


def test_python_m_bot_console_works_from_a_pipe() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input=f"/ivs-events {demo_query(HOST)}\n1\n",
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
