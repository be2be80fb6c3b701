"""The project installs the same way everywhere: README, CI and the pinned versions agree."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block is not None, "the README starts with a sh block holding its two commands"
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for raw in (ROOT / "constraints.txt").read_text().splitlines():
        if line := raw.split("#", 1)[0].strip():
            name, _, pinned = line.partition("==")
            assert pinned, f"constraints.txt pins exact versions, not {line!r}"
            pins[canonicalize_name(name)] = pinned
    return pins


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return [Requirement(r) for r in names]


def test_ci_runs_the_readmes_test_command_in_a_fresh_virtualenv() -> None:
    demo, tests = _readme_commands()
    ci = (ROOT / ".ci" / "run").read_text()
    assert tests in ci.splitlines()
    assert "python3 -m venv" in ci and "/bin/activate" in ci
    assert demo.endswith("python -m bot demo")
    assert "-c constraints.txt" in demo and "-c constraints.txt" in tests


def test_every_dependency_is_pinned_within_the_bounds_pyproject_states() -> None:
    pins = _pins()
    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} breaks {requirement}"


def test_what_is_installed_is_what_constraints_txt_pins() -> None:
    wrong = []
    for name, pinned in _pins().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "not installed"
        if installed != pinned:
            wrong.append(f"{name} {installed} (pinned {pinned})")
    assert not wrong, "reinstall with `pip install -c constraints.txt -e '.[dev]'`: " + ", ".join(wrong)
