"""The data the bot fetched for one participant: the input of analysis and rendering."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.queries import ParticipantQuery

# One event exactly as boto3 returns it (``eventTime`` is a timezone-aware datetime). Unknown names,
# error codes and fields (newer than the installed botocore) are kept untouched.
Event = Mapping[str, Any]
# GetParticipant's ``participant`` and GetStageSession's ``stageSession``, as boto3 returns them.
ParticipantDetails = Mapping[str, Any]
StageSession = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class FetchProgress:
    """How far a fetch has got: reported after every page (and, for a session, every participant)."""

    pages: int
    events: int
    examined: int | None = None  # participants examined so far, of ``participants``
    participants: int | None = None


ProgressCallback = Callable[[FetchProgress], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ParticipantHistory:
    """Every event of one participant in one stage session, oldest first, plus context.

    Attributes:
        query: the ids this history belongs to.
        events: every page merged, sorted oldest first with a stable tie-break.
        participant: GetParticipant details, or None when they could not be fetched.
        session: GetStageSession's ``stageSession`` (``startTime``, ``endTime`` absent while live), or None.
        pages: ListParticipantEvents calls it took.
        fetched_at: when the fetch finished (UTC).
        participant_error: why ``participant`` is None when its call failed (one line for the user, e.g.
            access denied naming ``ivs:GetParticipant``); None otherwise.
        session_error: likewise for ``session`` (GetStageSession).
        details_fetched: False when GetParticipant was not called (a bulk fetch for a session overview);
            the details are fetched when someone asks about this participant.
    """

    query: ParticipantQuery
    events: tuple[Event, ...]
    participant: ParticipantDetails | None
    session: StageSession | None
    pages: int
    fetched_at: datetime
    participant_error: str | None = None
    session_error: str | None = None
    details_fetched: bool = True

    @property
    def session_ended(self) -> bool:
        """True when IVS reports an end time: the history can no longer change."""
        return bool(self.session and self.session.get("endTime"))


# ListParticipants' and ListStageSessions' items, as boto3 returns them.
ParticipantSummary = Mapping[str, Any]
SessionSummary = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class UserMatches:
    """Where a user id was found: the sessions searched (newest first) and each participant it had.

    Attributes:
        sessions: the session ids searched, newest first.
        participants: (session id, ListParticipants item) for every participant with that user id,
            newest session first.
    """

    sessions: tuple[str, ...]
    participants: tuple[tuple[str, ParticipantSummary], ...]
