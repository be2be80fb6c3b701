"""``python -m bot [serve|demo|console]``: serve Slack (the default), or try the bot locally."""

from __future__ import annotations

import sys

USAGE = """usage: python -m bot [serve|demo|console]

  serve    serve Slack (HTTP on $PORT, or Socket Mode when SLACK_APP_TOKEN is set); the default
  demo     run the bot's main job on the built-in demo stage: no Slack workspace, no AWS account
  console  chat with the real app in the terminal, against local IVS and Slack stand-ins
"""


def main(argv: list[str] | None = None) -> int:
    """Dispatch to a sub-command; each imports only what it needs."""
    args = sys.argv[1:] if argv is None else argv
    command, rest = (args[0], args[1:]) if args else ("serve", [])
    if command == "serve":
        from bot.server import main as serve

        return serve(rest)
    if command == "demo":
        from bot.demo import main as demo

        return demo(rest)
    if command == "console":
        from bot.console import main as console

        return console(rest)
    if command in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    print(f"unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
