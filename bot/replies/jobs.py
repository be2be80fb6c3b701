"""What the bot runs for each kind of question; the shared flow (:mod:`bot.replies.flow`) runs the job.

A job takes the question and a progress callback and returns the reply to deliver, plus what the log line
records. Adding a kind of question means adding one job here, not threading a case through the flow.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.analysis import Analysis, analyze
from bot.analysis.correlation import explain_remote, refusal_phrase, remotes_to_explain
from bot.analysis.phrases import Phrase, Quoted
from bot.analysis.session_overview import SessionOverview, analyze_session, examination_order
from bot.domain.errors import IvsQueryError, NotFoundError
from bot.domain.history import FetchProgress, ParticipantHistory, ProgressCallback, StageSession, UserMatches
from bot.domain.queries import ParticipantQuery, Question, SessionQuery, StageQuery, UserQuery
from bot.ivs.rate_limit import Priority
from bot.ivs.service import IvsService
from bot.views import SlackReply, build_reply, with_notice
from bot.views.messages import MAX_BLOCKS, with_section
from bot.views.mrkdwn import code
from bot.views.phrase_text import to_mrkdwn
from bot.views.session_overview import build_session_overview, build_stage_sessions_block

# A user who rejoined many times: the histories looked at to find the participant with problems.
USER_CANDIDATES_EXAMINED = 5
# A huge session: the participants examined (publishers and connected ones first); the rest are named.
MAX_EXAMINED = 300
# GetParticipant for the participants that look troubled (errors, rejoins), at most this many.
DETAILS_AT_MOST = 40


@dataclass(frozen=True, slots=True)
class JobResult:
    """A job's reply, and the sizes the query log line records."""

    reply: SlackReply
    pages: int | None = None
    events: int | None = None


class Jobs:
    """Runs the job for each kind of question.

    Args:
        ivs: the IVS service (cached, rate-limited fetches).
        now: the wall clock, for the analysis ("ended 5 minutes ago").
    """

    def __init__(self, ivs: IvsService, *, now: Callable[[], datetime]) -> None:
        self._ivs = ivs
        self._now = now

    async def run(self, question: Question, progress: ProgressCallback) -> JobResult:
        """The reply to ``question``.

        Raises:
            IvsQueryError: a subclass saying what went wrong and what to do.
        """
        if isinstance(question, ParticipantQuery):
            return await self.participant(question, progress)
        if isinstance(question, UserQuery):
            return await self.user(question, progress)
        if isinstance(question, SessionQuery):
            return await self.session(question, progress)
        return await self.stage(question, progress)

    async def participant(self, query: ParticipantQuery, progress: ProgressCallback) -> JobResult:
        """One participant's diagnosis: every page of its events, analysed, and explained through the
        participants it depended on (the publishers it could not receive, who held the stage's slots)."""
        history = await self._ivs.history(query, on_progress=progress)
        analysis = await asyncio.to_thread(analyze, history, now=self._now())
        reply = await self._explained(analysis)
        return _participant_result(history, reply)

    async def _explained(self, analysis: Analysis) -> SlackReply:
        reply = await asyncio.to_thread(build_reply, analysis)
        related = await self._through_others(analysis)
        if not related:
            return reply
        lines = "\n".join(f"• {to_mrkdwn(phrase)}" for phrase in related)
        return with_section(reply, f"*Through the other participants*\n{lines}")

    async def _through_others(self, analysis: Analysis) -> list[Phrase]:
        """Why the publishers it could not receive went away; who held the slots when it was refused.

        Their histories come through the cache (a colleague may just have asked about them). A lookup that
        fails is said, never hidden.
        """
        session = analysis.query.session
        remotes = remotes_to_explain(analysis.timeline)
        histories = await asyncio.gather(
            *(self._ivs.history(session.participant(remote)) for remote, _ in remotes), return_exceptions=True
        )
        lines: list[Phrase] = []
        for (remote, at), history in zip(remotes, histories, strict=True):
            if isinstance(history, ParticipantHistory):
                remote_analysis = await asyncio.to_thread(analyze, history, now=self._now())
                lines.append(explain_remote(remote, remote_analysis, at))
            elif isinstance(history, IvsQueryError):
                lines.append(("Could not look up publisher ", Quoted(remote), ": ", history.user_message))
            elif isinstance(history, BaseException):
                raise history
        refusals = [
            g
            for g in analysis.timeline.error_groups
            if g.code == "QUOTA_EXCEEDED" and g.event_name == "PUBLISH_ERROR"
        ]
        if refusals:
            lines.append(await self._slot_holders(analysis, refusals[0].first, refusals[-1].last))
        return lines

    async def _slot_holders(self, analysis: Analysis, first: datetime, last: datetime) -> Phrase:
        session, me = analysis.query.session, analysis.query.participant_id
        try:
            publishers = await self._ivs.participants(session, published=True)
            ids = [str(p["participantId"]) for p in publishers if p.get("participantId") != me]
            histories = await asyncio.gather(
                *(self._ivs.history(session.participant(pid), details=False) for pid in ids[:MAX_EXAMINED])
            )
        except IvsQueryError as error:
            return ("Could not look up who held the stage's publisher slots: ", error.user_message)
        return await asyncio.to_thread(_refusal_explained, histories, analysis, first, last, self._now())

    async def user(self, query: UserQuery, progress: ProgressCallback) -> JobResult:
        """The diagnosis of the participant a user id had; with several, the one with problems first.

        Raises:
            NotFoundError: no participant had that user id in the sessions searched.
        """
        matches = await self._ivs.find_user(query)
        if not matches.participants:
            raise NotFoundError(_no_such_user(query, matches))
        candidates = [
            SessionQuery(query.stage_arn, session_id).participant(str(item["participantId"]))
            for session_id, item in matches.participants[:USER_CANDIDATES_EXAMINED]
        ]
        histories = await asyncio.gather(*(self._ivs.history(c, on_progress=progress) for c in candidates))
        analyses = [await asyncio.to_thread(analyze, h, now=self._now()) for h in histories]
        chosen = _with_problems_first(analyses)
        reply = await asyncio.to_thread(build_reply, chosen)
        others = [c for c in candidates if c != chosen.query] + [
            SessionQuery(query.stage_arn, sid).participant(str(item["participantId"]))
            for sid, item in matches.participants[USER_CANDIDATES_EXAMINED:]
        ]
        if others:
            reply = with_notice(reply, _others_of_user(query, chosen.query, others))
        return _participant_result(chosen.history, reply)

    async def session(self, query: SessionQuery, progress: ProgressCallback) -> JobResult:
        """The session overview: every participant examined (within a bound), ranked and related."""
        overview, pages, events = await self._overview(query, progress)
        reply = await asyncio.to_thread(build_session_overview, overview)
        return JobResult(reply, pages=pages, events=events)

    async def stage(self, query: StageQuery, progress: ProgressCallback) -> JobResult:
        """The overview of the stage's latest session (a live one first), naming it, with buttons that open
        the other recent sessions.

        Raises:
            NotFoundError: the stage has had no session.
        """
        sessions = await self._ivs.recent_sessions(query)
        if not sessions:
            raise NotFoundError(
                f"Stage {query.stage_id} has had no session yet in {query.region} (account {query.account})."
            )
        latest = next((s for s in sessions if not s.get("endTime")), sessions[0])
        session = query.session(str(latest["sessionId"]))
        overview, pages, events = await self._overview(session, progress)
        live = "the live session" if not latest.get("endTime") else "the latest session"
        lead = (
            f"Stage {code(query.stage_id)}: {live}, {code(session.session_id)}, of "
            f"{len(sessions)} recent. The others are below."
        )
        reply = await asyncio.to_thread(build_session_overview, overview, lead=lead)
        if len(sessions) > 1 and len(reply.blocks) < MAX_BLOCKS:
            reply = SlackReply(reply.text, [*reply.blocks, build_stage_sessions_block(overview, sessions)])
        return JobResult(reply, pages=pages, events=events)

    async def overview(self, query: SessionQuery, progress: ProgressCallback) -> SessionOverview:
        """The session's overview, analysed but not rendered (the demo renders it for the terminal too)."""
        overview, _, _ = await self._overview(query, progress)
        return overview

    async def _overview(
        self, query: SessionQuery, progress: ProgressCallback
    ) -> tuple[SessionOverview, int, int]:
        """Fetch the session, its participants and their histories (bulk, without details), then the
        details of the participants that look troubled; analyse it all."""
        session_task = asyncio.ensure_future(self._session_or_none(query))
        try:
            summaries = await self._ivs.participants(query)
        except IvsQueryError:
            await asyncio.gather(session_task, return_exceptions=True)
            raise
        if not summaries:
            await session_task  # an empty list for a session that does not exist: say so
        order = examination_order(summaries)[query.skip :]
        examined = order[:MAX_EXAMINED]
        histories: dict[str, ParticipantHistory] = {}
        failed: dict[str, str] = {}
        tally = {"done": 0, "pages": 0, "events": 0, "detailed": 0}

        async def examine(participant_id: str) -> None:
            participant = query.participant(participant_id)
            try:
                history = await self._ivs.history(participant, priority=Priority.BULK, details=False)
                tally["pages"] += history.pages
                tally["events"] += len(history.events)
                if _looks_troubled(history) and tally["detailed"] < DETAILS_AT_MOST:
                    # GetParticipant has its own quota: fetched now, beside the other histories' pages.
                    tally["detailed"] += 1
                    history = await self._ivs.history(participant, priority=Priority.BULK)
                histories[participant_id] = history
            except IvsQueryError as error:
                failed[participant_id] = error.user_message
            tally["done"] += 1
            pages, events, done = tally["pages"], tally["events"], tally["done"]
            await progress(FetchProgress(pages, events, examined=done, participants=len(examined)))

        await asyncio.gather(*(examine(str(s.get("participantId"))) for s in examined))
        details = {pid: h.participant for pid, h in histories.items() if h.participant}
        session = await session_task
        overview = await asyncio.to_thread(
            analyze_session,
            query,
            session,
            order,
            histories,
            details=details,
            failed=failed,
            now=self._now(),
            examined_before=min(query.skip, len(summaries)),
        )
        return overview, tally["pages"], tally["events"]

    async def _session_or_none(self, query: SessionQuery) -> StageSession | None:
        """GetStageSession's answer; None when it could not be fetched (the overview goes on without the
        session's times), but a session that does not exist is the answer.

        Raises:
            NotFoundError: IVS has no such session on that stage.
        """
        try:
            return await self._ivs.session(query)
        except NotFoundError:
            raise
        except IvsQueryError:
            return None


def _refusal_explained(
    histories: list[ParticipantHistory], refused: Analysis, first: datetime, last: datetime, now: datetime
) -> Phrase:
    """Analyse the publishers' histories and explain the refusals (pure and heavy: run off the loop)."""
    analyses = {h.query.participant_id: analyze(h, now=now) for h in histories}
    return refusal_phrase(analyses, refused, first, last)


def _looks_troubled(history: ParticipantHistory) -> bool:
    """An error event, or a rejoin: worth GetParticipant's details (ISP, SDK) for the overview."""
    joins = 0
    for event in history.events:
        if event.get("errorCode") or str(event.get("name", "")).endswith("_ERROR"):
            return True
        joins += event.get("name") == "JOINED"
    return joins > 1


def _participant_result(history: ParticipantHistory, reply: SlackReply) -> JobResult:
    return JobResult(reply, pages=history.pages, events=len(history.events))


def _with_problems_first(analyses: list[Analysis]) -> Analysis:
    """The participant with problems (the newest such); else the newest participant."""
    return next((a for a in analyses if a.problems), analyses[0])


def _no_such_user(query: UserQuery, matches: UserMatches) -> str:
    searched = ", ".join(matches.sessions) or "none"
    where = (
        f"session {query.session_id}"
        if query.session_id
        else f"the stage's {len(matches.sessions)} most recent sessions ({searched})"
    )
    return (
        f"No participant had user id {query.user_id} in {where}. Check the spelling (user ids are case "
        "sensitive), or ask with the session id if it was an older session."
    )


def _others_of_user(query: UserQuery, chosen: ParticipantQuery, others: list[ParticipantQuery]) -> str:
    shown = ", ".join(f"{code(o.participant_id)} ({code(o.session_id)})" for o in others[:8])
    more = f" and {len(others) - 8} more" if len(others) > 8 else ""
    return (
        f"User {code(query.user_id)} had {len(others) + 1} participant ids (a rejoin gets a new one): this "
        f"answer is for {code(chosen.participant_id)}; the others are {shown}{more}."
    )
