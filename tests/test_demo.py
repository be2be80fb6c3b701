"""The README's first command works on a fresh machine: no Slack workspace, no AWS account."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.__main__ import main
from bot.local.scenarios import BITRATE_GUEST, DEMO_LIVE_PARTICIPANTS, DEMO_PARTICIPANTS, DEMO_SESSION_ID


def test_python_m_bot_demo_fetches_and_shows_every_demo_participant(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}  # as on a machine with no AWS
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--output", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    everyone = [*DEMO_PARTICIPANTS, *DEMO_LIVE_PARTICIPANTS]
    for participant_id in everyone:
        assert participant_id in result.stdout
    assert "BITRATE_EXCEEDED" in result.stdout
    assert "Traceback" not in result.stderr
    saved = sorted(p.stem for p in tmp_path.glob("*.json"))
    assert saved == sorted([*everyone, f"session-{DEMO_SESSION_ID}"])

    # One screen first: the session's answer, then a line per participant with its reply's first line.
    first_screen = result.stdout.split("=" * 100)[0].splitlines()
    answers = [line.strip() for line in first_screen if line.startswith("  ")]
    assert [answer.split(":")[0] for answer in answers] == [DEMO_SESSION_ID, *everyone]
    assert answers[0].startswith(f"{DEMO_SESSION_ID}: ") and "with problems" in answers[0]
    # the whole session, explained through each other: who held the slots, why a viewer lost its publisher
    assert (
        "stage full: Q13pUbLsHr0x refused" in result.stdout
        and "because: Publisher Co8HoSt9Lm0n" in result.stdout
    )
    assert (
        f"  {BITRATE_GUEST}: publishing failed: bitrate above the maximum (BITRATE_EXCEEDED ×5), not fixed"
        in (first_screen)
    )
    assert len(first_screen) < 40

    # The Block Kit Builder links are kilobytes each: they go to one file, named on one line.
    assert "block-kit-builder/#" not in result.stdout
    links = (tmp_path / "block-kit-builder-links.txt").read_text()
    assert links.count("https://app.slack.com/block-kit-builder/#") == len(everyone) + 1
    assert f"Block Kit Builder links: {tmp_path / 'block-kit-builder-links.txt'}" in result.stdout


def test_a_participant_that_is_not_in_the_demo_is_named_with_the_choices(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["demo", "NoSuchPart1", "bad id!"]) == 2
    error = capsys.readouterr().err
    assert "not a demo participant: NoSuchPart1, bad id!" in error
    assert all(pid in error for pid in DEMO_PARTICIPANTS)


def test_an_unknown_sub_command_prints_usage_and_fails(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["frobnicate"]) == 2
    assert "usage: python -m bot" in capsys.readouterr().err
