"""The session overview in Block Kit: the answer first, the participants with problems (each with a
Diagnose button), the patterns between them, a picture of the session, the healthy ones collapsed.

Pure: a :class:`SessionOverview` in, a :class:`SlackReply` out, within Slack's limits (50 blocks, 3,000
characters a section, 150 a header) for any session size.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.analysis.durations import format_duration
from bot.analysis.session_overview import Departure, ParticipantRow, SessionOverview
from bot.domain.history import SessionSummary
from bot.domain.queries import SessionQuery
from bot.slack_ids import DIAGNOSE_ACTION, OPEN_SESSION_ACTION
from bot.views.mrkdwn import clip, code, date_token, escape, utc_text
from bot.views.participant_context import answer_phrase
from bot.views.phrase_text import sanitize, short_utc, to_headline, to_mrkdwn, to_plain
from bot.views.reply import MESSAGE_BUDGET, SlackReply, text_size
from bot.views.session_picture import render_session_picture
from bot.views.text_budget import fit_lines

HEADER_LIMIT = 150
SECTION_LIMIT = 2900
# Participants with problems shown one per block, each with its Diagnose button; the rest in one line.
MAX_ROWS = 25
MAX_IDS_SHOWN = 40
MAX_SESSION_BUTTONS = 5
MAX_CODES_SHOWN = 10
# How many participants one overview examines (bot.replies.jobs.MAX_EXAMINED): the next button's label.
EXAMINED_AT_ONCE = 300
MAX_NOT_EXAMINED_SHOWN = 100


def build_session_overview(overview: SessionOverview, *, lead: str | None = None) -> SlackReply:
    """The overview message, within Slack's text budget: the fewer rows with buttons, the more named in
    one line, until it fits.

    Args:
        lead: one line of mrkdwn (escaped) under the header, e.g. which session of a stage this is.
    """
    rows = MAX_ROWS
    while True:
        reply = _build(overview, lead, rows)
        if rows == 0 or text_size(reply.blocks) <= MESSAGE_BUDGET:
            return reply
        rows = max(0, rows - 5)


def _build(overview: SessionOverview, lead: str | None, max_rows: int) -> SlackReply:
    rows = overview.with_problems
    blocks: list[dict[str, object]] = [
        HeaderBlock(text=PlainTextObject(text=header_text(overview), emoji=True)).to_dict()
    ]
    if lead:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=clip(lead, 2000))]).to_dict())
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_facts(overview))]).to_dict())
    if patterns := _patterns(overview):
        blocks.append(SectionBlock(text=MarkdownTextObject(text=patterns)).to_dict())
    for departure in overview.departures[:3]:
        blocks.append(_departure_block(overview, departure))
    for row in rows[:max_rows]:
        blocks.append(_row_block(overview, row))
    if len(rows) > max_rows:
        more = ", ".join(code(r.participant_id) for r in rows[max_rows : max_rows + MAX_IDS_SHOWN])
        rest = (
            f" and {len(rows) - max_rows - MAX_IDS_SHOWN} more"
            if len(rows) > max_rows + MAX_IDS_SHOWN
            else ""
        )
        blocks.append(_context(f"{len(rows) - max_rows} more with problems: {more}{rest}"))
    if healthy := overview.healthy:
        shown = ", ".join(code(r.participant_id) for r in healthy[:MAX_IDS_SHOWN])
        rest = f" and {len(healthy) - MAX_IDS_SHOWN} more" if len(healthy) > MAX_IDS_SHOWN else ""
        noun = "participant" if len(healthy) == 1 else "participants"
        blocks.append(_context(f":white_check_mark: {len(healthy)} {noun} with no problems: {shown}{rest}"))
    if picture := render_session_picture(overview):
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=clip(f"```{picture}```", SECTION_LIMIT))).to_dict()
        )
    if missing := _missing(overview):
        blocks.append(_context(missing))
    if overview.not_examined:
        next_batch = SessionQuery(overview.query.stage_arn, overview.query.session_id, _next_skip(overview))
        count = min(len(overview.not_examined), EXAMINED_AT_ONCE)
        button = ButtonElement(
            text=PlainTextObject(text=f"Examine the next {count}"),
            action_id=f"{OPEN_SESSION_ACTION}:next",
            value=next_batch.as_value(),
        )
        blocks.append(ActionsBlock(block_id="examine_more", elements=[button]).to_dict())
    return SlackReply(text=header_text(overview), blocks=blocks)


def _next_skip(overview: SessionOverview) -> int:
    return overview.examined_before + len(overview.rows) + len(overview.failed)


def build_stage_sessions_block(
    overview: SessionOverview, sessions: list[SessionSummary]
) -> dict[str, object]:
    """Buttons that open the stage's other recent sessions (ListStageSessions, newest first)."""
    buttons: list[ButtonElement] = []
    for session in sessions:
        session_id = str(session.get("sessionId") or "")
        if not session_id or session_id == overview.query.session_id:
            continue
        start = session.get("startTime")
        label = (
            start.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            if isinstance(start, datetime)
            else session_id
        )
        live = " (ended)" if session.get("endTime") else " (live)"
        buttons.append(
            ButtonElement(
                text=PlainTextObject(text=clip(f"{label}{live}", 75)),
                action_id=f"{OPEN_SESSION_ACTION}:{len(buttons)}",  # unique within the block
                value=SessionQuery(overview.query.stage_arn, session_id).as_value(),
            )
        )
        if len(buttons) == MAX_SESSION_BUTTONS:
            break
    return ActionsBlock(block_id="other_sessions", elements=buttons).to_dict()


def header_text(overview: SessionOverview) -> str:
    """The first line: the session, and its main cause or that nothing went wrong."""
    rows = overview.with_problems
    session = overview.query.session_id
    if overview.examined_before:
        session += f" (participants {overview.examined_before + 1}-{_next_skip(overview)})"
    examined = len(overview.rows)
    if overview.incidents:
        incident = overview.incidents[0]
        shared = f", all on {incident.shared[0]}" if incident.shared else ""
        lead = (
            f"{len(incident.participant_ids)} participants dropped at {short_utc(incident.start)} "
            f"(one incident{shared})"
        )
        others = len(rows) - len(incident.participant_ids)
        text = f"{session}: {lead}" + (f"; {others} more with problems" if others > 0 else "")
    elif rows:
        top = rows[0]
        assert top.analysis is not None
        text = f"{session}: {len(rows)} of {examined} with problems; {top.participant_id}: "
        text += to_headline(answer_phrase(top.analysis))
    elif examined:
        noun = "participant" if examined == 1 else "participants"
        text = f"{session}: no problems among {examined} {noun}"
    elif overview.failed:
        text = f"{session}: none of its {len(overview.failed)} participants could be fetched"
    elif overview.participants:
        text = f"{session}: {overview.participants} participants, none examined"
    else:
        text = f"{session}: no participants yet"
    return clip(escape(text), HEADER_LIMIT)


def _facts(overview: SessionOverview) -> str:
    session = overview.session or {}
    start, end = session.get("startTime"), session.get("endTime")
    parts = []
    if isinstance(start, datetime):
        if isinstance(end, datetime):
            parts.append(f"{date_token(start)} to {date_token(end)} ({format_duration(end - start)})")
        else:
            parts.append(f"started {date_token(start)}, *live* for {format_duration(overview.now - start)}")
    parts.append(f"{overview.participants} participant{'s' if overview.participants != 1 else ''}")
    parts.append(f"{overview.publishers_at_peak} publishing at peak")
    if overview.errors_by_code:
        codes = ", ".join(f"{code(c)} ×{n:,}" for c, n in overview.errors_by_code[:MAX_CODES_SHOWN])
        more = len(overview.errors_by_code) - MAX_CODES_SHOWN
        parts.append(f"errors: {codes}" + (f" and {more} more codes" if more > 0 else ""))
    else:
        parts.append("no error events")
    stage = f"stage {code(overview.query.stage_id)} ({escape(overview.query.region)})"
    return clip(" · ".join([stage, *parts]), 2000)


def _patterns(overview: SessionOverview) -> str:
    lines = []
    for incident in overview.incidents:
        who = ", ".join(code(p) for p in incident.participant_ids[:12])
        shared = f" They share {', '.join(escape(s) for s in incident.shared)}." if incident.shared else ""
        count = len(incident.participant_ids)
        lines.append(
            f":rotating_light: *{count} participants dropped and rejoined within a minute* of "
            f"{date_token(incident.start)}: {who}. One incident, not {count} problems: look for what they "
            f"share (network, ISP, region, SDK version).{shared}"
        )
    for hit in overview.ceilings:
        holders = ", ".join(code(h) for h in hit.holders[:12]) or "none of the participants examined"
        lines.append(
            f":no_entry: *Stage full*: {code(hit.refused)} was refused at {date_token(hit.time)} "
            f"(`QUOTA_EXCEEDED`, 12 publishers per stage). Publishing then: {holders}."
        )
    return fit_lines(lines, SECTION_LIMIT) if lines else ""


def _departure_block(overview: SessionOverview, departure: Departure) -> dict[str, object]:
    who = ", ".join(code(s) for s in departure.subscribers[:12])
    text = (
        f":electric_plug: *{code(departure.publisher)} stopped publishing* at {date_token(departure.time)} "
        f"and {len(departure.subscribers)} subscribers' subscriptions to it failed: {who}. Their errors "
        "follow from the publisher's departure: diagnose the publisher."
    )
    return SectionBlock(
        text=MarkdownTextObject(text=clip(text, SECTION_LIMIT)),
        accessory=_diagnose(overview, departure.publisher),
    ).to_dict()


def _diagnose(overview: SessionOverview, participant_id: str) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text="Diagnose"),
        action_id=DIAGNOSE_ACTION,
        value=overview.query.participant(participant_id).as_value(),
    )


def _row_block(overview: SessionOverview, row: ParticipantRow) -> dict[str, object]:
    assert row.analysis is not None
    who = code(row.participant_id)
    if row.user_id:
        who += f" (user {code(row.user_id)})"
    role = " · publisher" if row.published else ""
    when = f" · from {date_token(row.problem_time)}" if row.problem_time else ""
    emoji = ":red_circle:" if row.severity_rank == 0 else ":large_orange_circle:"
    text = f"{emoji} {who}{role}{when}\n{to_mrkdwn(answer_phrase(row.analysis))}"
    if (why := overview.explanations.get(row.participant_id)) is not None:
        text += f"\n:arrow_right_hook: {to_mrkdwn(why)}"
    button = _diagnose(overview, row.participant_id)
    return SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_LIMIT)), accessory=button).to_dict()


def _missing(overview: SessionOverview) -> str:
    parts = []
    if overview.not_examined:
        shown = ", ".join(code(p) for p in overview.not_examined[:MAX_NOT_EXAMINED_SHOWN])
        unnamed = len(overview.not_examined) - MAX_NOT_EXAMINED_SHOWN
        more = f" and {unnamed} more" if unnamed > 0 else ""
        parts.append(
            f":hourglass: Not examined ({len(overview.not_examined)}; publishers and connected participants "
            f"went first): {shown}{more}. Ask about one with its participant id."
        )
    if overview.failed:
        shown = "; ".join(f"{code(pid)}: {escape(reason)}" for pid, reason in overview.failed[:5])
        parts.append(f":warning: Could not fetch {len(overview.failed)}: {shown}")
    return clip(" ".join(parts), 2000)


def _context(text: str) -> dict[str, object]:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(text, 2000))]).to_dict()


def render_overview_terminal(overview: SessionOverview) -> str:
    """The overview as plain terminal text (for the demo): the same answer, no markup, values sanitised."""
    lines = [header_text_plain(overview), ""]
    session = overview.session or {}
    start, end = session.get("startTime"), session.get("endTime")
    if isinstance(start, datetime):
        until = utc_text(end) if isinstance(end, datetime) else "now (live)"
        lines.append(f"Session {utc_text(start)} to {until}")
    lines.append(
        f"{overview.participants} participants, {overview.publishers_at_peak} publishing at peak; errors: "
        + (", ".join(f"{sanitize(c)} x{n}" for c, n in overview.errors_by_code[:8]) or "none")
    )
    for incident in overview.incidents:
        shared = f"; they share {', '.join(map(sanitize, incident.shared))}" if incident.shared else ""
        lines.append(
            f"! {len(incident.participant_ids)} dropped and rejoined within a minute of "
            f"{utc_text(incident.start)}: one incident{shared}"
        )
    for hit in overview.ceilings:
        lines.append(
            f"! stage full: {hit.refused} refused at {utc_text(hit.time)} (QUOTA_EXCEEDED); publishing then: "
            f"{', '.join(hit.holders) or 'none examined'}"
        )
    for departure in overview.departures:
        lines.append(
            f"! {departure.publisher} stopped publishing at {utc_text(departure.time)}; "
            f"{len(departure.subscribers)} subscribers then failed: {', '.join(departure.subscribers)}"
        )
    lines.append("")
    for row in overview.with_problems:
        assert row.analysis is not None
        user = f" (user {sanitize(row.user_id, 40)})" if row.user_id else ""
        lines.append(f"  {row.participant_id}{user}: {to_headline(answer_phrase(row.analysis))}")
        if (why := overview.explanations.get(row.participant_id)) is not None:
            lines.append(f"      because: {to_plain(why)}")
    if overview.healthy:
        healthy = ", ".join(r.participant_id for r in overview.healthy)
        lines.append(f"  {len(overview.healthy)} with no problems: {healthy}")
    if picture := render_session_picture(overview):
        lines += ["", picture]
    return "\n".join(lines)


def header_text_plain(overview: SessionOverview) -> str:
    """The overview's first line, unescaped (the terminal shows no mrkdwn)."""
    return sanitize(html.unescape(header_text(overview)), HEADER_LIMIT)
