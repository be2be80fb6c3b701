"""The note that tells an asker which IVS ids a message held and which are missing to answer."""

from __future__ import annotations

from bot.ivs.find_ids import FoundIds
from bot.ivs.query import EXAMPLE, USAGE
from bot.views.mrkdwn import code, escape


def missing_ids_note(found: FoundIds, *, where: str = "that message") -> str:
    """Tell the asker what ``where`` held and what is missing to answer (mrkdwn, escaped)."""
    parts = [f"{name} {code(value)}" for name, value in found.found]
    seen = "I found " + ", ".join(parts) if parts else "I found no IVS ids"
    missing = found.missing
    line = f"{seen} in {where}, but no {' and no '.join(missing)}."
    if found.stage_without_account:
        stage_id, region = found.stage_without_account
        line += (
            f" The console link names stage {code(stage_id)} in {code(region)} but not its AWS account: "
            f"paste the stage ARN (`arn:aws:ivs:{escape(region)}:<account>:stage/{escape(stage_id)}`)."
        )
    return f"{line} Usage: {code(USAGE)}, for example {code(EXAMPLE)}."
