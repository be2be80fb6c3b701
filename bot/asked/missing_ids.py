"""The notes on the ids in a message: what is missing or ambiguous, and which other participants it names."""

from __future__ import annotations

from collections.abc import Sequence

from bot.asked.find_ids import FoundIds
from bot.domain.queries import PARTICIPANT_ID_SHAPE, USAGE
from bot.views.messages import MENTION_USAGE, usage_hint
from bot.views.mrkdwn import code, escape

SHOWN_VALUE = 80  # a malformed value is shown cut to this many characters
SHOWN_OTHERS = 5  # other participants listed by name in a note; the rest are counted


def missing_ids_note(
    found: FoundIds, *, where: str = "that message", in_thread: bool = False, also: str = ""
) -> str:
    """Tell the asker what ``where`` held, what is missing, malformed or ambiguous, and how to ask (mrkdwn).

    Every untrusted part is escaped.

    Args:
        found: what was found.
        where: the place looked in, for the sentence ("your mention", "that message").
        in_thread: the asker is in a thread, where the slash command cannot be used: the hint
            suggests an @mention instead.
        also: one more sentence (mrkdwn) to say before how to ask.
    """
    if found.ambiguous:
        return " ".join(
            filter(None, [ambiguity_sentence(found, where=where), also, _which_one(found, in_thread)])
        )
    line = found_sentence(found, where=where)
    if found.stage_without_account:
        stage_id, region = found.stage_without_account
        line += (
            f" The console link names stage {code(stage_id)} in {code(region)} but not its AWS account: "
            f"paste the stage ARN (`arn:aws:ivs:{escape(region)}:<account>:stage/{escape(stage_id)}`)."
        )
    return " ".join(filter(None, [line, also, usage_hint(in_thread=in_thread)]))


def found_sentence(found: FoundIds, *, where: str) -> str:
    """ "I found the stage ARN `…` and the session id `…` in that message, but no participant id." """
    seen = [f"the {name} {code(value)}" for name, value in found.found]
    missing = [n for n in found.missing if not (n == "participant id" and found.malformed_participant)]
    malformed = None
    if found.malformed_participant is not None:
        value = found.malformed_participant
        shown = value if len(value) <= SHOWN_VALUE else value[: SHOWN_VALUE - 1] + "…"
        malformed = f"the participant id must be {PARTICIPANT_ID_SHAPE}, got {code(shown)}"
    if seen:
        problems = ([f"no {join_words(missing, 'or')}"] if missing else []) + (
            [malformed] if malformed else []
        )
        return f"I found {join_words(seen, 'and')} in {where}, but {', and '.join(problems)}."
    if malformed:
        return f"I found no {join_words(missing, 'or')} in {where}, and {malformed}."
    return f"I found no IVS ids in {where}."


def ambiguity_sentence(found: FoundIds, *, where: str) -> str:
    """ "That message names two session ids, `st-…` and `st-…`." and the like, for each part named twice."""
    subject = where[:1].upper() + where[1:]
    said = []
    if found.mismatched_link:
        stage_id, region = found.mismatched_link
        linked = f"stage {code(stage_id)} in {code(region)}"
        if found.stage_arn:
            said.append(
                f"{subject} has a console link and a stage ARN that name different stages: {linked}, "
                f"and {code(found.stage_arn)}."
            )
        elif found.stage_without_account:
            first_id, first_region = found.stage_without_account
            said.append(
                f"{subject} has console links to different stages: stage {code(first_id)} in "
                f"{code(first_region)}, and {linked}."
            )
    if found.other_stage_arns and found.stage_arn:
        said.append(f"{subject} names {_several(found.stage_arn, found.other_stage_arns, 'stage ARNs')}.")
    if found.other_sessions and found.session_id:
        said.append(f"{subject} names {_several(found.session_id, found.other_sessions, 'session ids')}.")
    if found.possible_participants:
        first, *others = found.possible_participants
        said.append(
            f"{subject} names {_several(first, others, 'possible participant ids')}, "
            "and nothing says which one is the participant."
        )
    return " ".join(said)


def _several(first: str, others: Sequence[str], noun: str) -> str:
    """ "two session ids, `a` and `b`", "several session ids, `a`, `b` and `c`" (escaped, a few named)."""
    values = [first, *others]
    names = [code(v) for v in values[:SHOWN_OTHERS]]
    if len(values) > SHOWN_OTHERS:
        names.append(f"{len(values) - SHOWN_OTHERS} more")
    return f"{'two' if len(values) == 2 else 'several'} {noun}, {join_words(names, 'and')}"


def _which_one(found: FoundIds, in_thread: bool) -> str:
    """ "Which one did you mean? Ask with `/ivs-events <arn> <session-id> <participant>`." """
    asking = (MENTION_USAGE if in_thread else USAGE).split(" ", 1)[0]
    stage = None if found.other_stage_arns or found.mismatched_link else found.stage_arn
    session = None if found.other_sessions else found.session_id
    participant = found.participant_id
    example = (
        f"{asking} {stage or '<stage-arn>'} {session or '<session-id>'} {participant or '<participant-id>'}"
    )
    return f"Which one did you mean? Ask with {code(example)}."


def others_note(found: FoundIds, *, source: str = "This message", in_thread: bool = False) -> str | None:
    """ "This message also names `Kq7RtU2vWx9Z`: ask about it with `@ivs-events …`." (mrkdwn), or None.

    Args:
        found: a complete find, with the participant answered for and the others.
        source: what named them ("This message", "Your command").
        in_thread: suggest an @mention (slash commands cannot be used in threads) rather than the command.
    """
    others = found.other_participants
    if not others or found.stage_arn is None or found.session_id is None or found.ambiguous:
        return None
    names = [code(p) for p in others[:SHOWN_OTHERS]]
    if len(others) > SHOWN_OTHERS:
        names.append(f"{len(others) - SHOWN_OTHERS} more")
    asking = (MENTION_USAGE if in_thread else USAGE).split(" ", 1)[0]
    first = others[0]
    which = "it" if len(others) == 1 else "another"
    example = f"{asking} {found.stage_arn} {found.session_id} {first}"
    return f"{source} also names {join_words(names, 'and')}: ask about {which} with {code(example)}."


def join_words(words: Sequence[str], conjunction: str) -> str:
    """ "a", "a and b", "a, b and c" (or with "or")."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"
