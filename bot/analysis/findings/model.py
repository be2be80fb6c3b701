"""The Finding model, and the phrase helpers and limits every rule shares."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from bot.analysis.catalogue import DocLink
from bot.analysis.phrases import Phrase, marked
from bot.analysis.recovery import Status
from bot.domain.errors import InvalidQueryError
from bot.domain.queries import USAGE, ParticipantQuery

_COMMAND = USAGE.split()[0]

# How many remote publishers / storms a finding names before saying "and N more".
MAX_NAMED = 3


class Severity(StrEnum):
    """How worried to be."""

    PROBLEM = "problem"
    WARNING = "warning"
    INFO = "info"
    OK = "ok"


@dataclass(frozen=True, slots=True)
class Finding:
    """One conclusion about the participant, with everything needed to act on it.

    Attributes:
        rule: a stable id for tests and logs ("storm_without_errors", "error:PUBLISH_ERROR:QUOTA_EXCEEDED").
        score: likelihood of being the root cause; findings are sorted by it (highest first).
        order: the index of the first event behind it (ties: earlier first).
        evidence: what in this history shows it, with times and ids.
        codes: the error codes this finding explains (an unknown code appears as sent).
        headline: the cause in a few words, for the reply's first line (the title when empty).
        status: whether the problem is still going on or was resolved, and when (None: not applicable).
    """

    rule: str
    severity: Severity
    score: int
    title: Phrase
    meaning: Phrase
    causes: tuple[Phrase, ...] = ()
    next_steps: tuple[Phrase, ...] = ()
    evidence: tuple[Phrase, ...] = ()
    doc: DocLink | None = None
    codes: tuple[str, ...] = ()
    order: int = 0
    count: int = 0
    headline: Phrase = ()
    status: Status | None = None

    @property
    def short(self) -> Phrase:
        """The cause in a few words: the headline, or the title when the rule gave none."""
        return self.headline or self.title

    @property
    def resolved(self) -> bool:
        """True when what failed later worked again."""
        return self.status is not None and self.status.resolved


# Where a resolved problem ranks: below anything still going on (an error that later worked, a storm that
# settled). It happened, so it stays on the list.
RESOLVED_PENALTY = 30


def settled(finding: Finding) -> Finding:
    """A problem whose status says it is over: a warning ranked below the problems still going on."""
    if not finding.resolved or finding.severity is not Severity.PROBLEM:
        return finding
    return replace(finding, severity=Severity.WARNING, score=finding.score - RESOLVED_PENALTY)


def _texts(items: Iterable[str]) -> tuple[Phrase, ...]:
    """Catalogue sentences as phrases; their backticked ids, codes and event names become code."""
    return tuple(marked(item) for item in items)


def occurrences(count: int, first: datetime, last: datetime) -> Phrase:
    """ "once, at T" or "N times between A and B"."""
    if count == 1:
        return ("once, at ", first)
    return (f"{count:,} times between ", first, " and ", last)


def _times(count: int) -> str:
    return "" if count == 1 else f" ×{count:,}"


def lookup_command(
    query: ParticipantQuery,
    participant_id: str,
    *,
    stage_arn: str | None = None,
    session_id: str | None = None,
) -> str | None:
    """The slash command that shows another participant (of the same session unless another stage and
    session are given), if the ids are valid."""
    try:
        other = ParticipantQuery(stage_arn or query.stage_arn, session_id or query.session_id, participant_id)
    except InvalidQueryError:
        return None
    return f"{_COMMAND} {other.as_value()}"
