"""The Slack reply for one participant: the answer (root cause and status) in the header, the first finding
with its next step and evidence, a compact context line, then the other findings, errors by code, chart,
timeline and the upload button.

Slack refuses messages over its limits, so the reply keeps to a character budget (12,000 characters of
block text at most, below the ~13,000 at which ``msg_blocks_too_long`` has been seen). The fixed parts
(header, context, ids, footer) are measured first; the rest is shared between the findings, the errors, the
chart and the timeline, most important first, each taking only the room it needs so what one leaves goes to
the next (see :func:`~bot.views.text_budget.share_budget`). Only a history too big for the whole budget gets
shortened, by whole lines with "…and N more"; the full JSON is one click away.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.analysis import Analysis, Finding
from bot.analysis.compact_timeline import TimelineEntry
from bot.analysis.phrases import Phrase, counted
from bot.slack_ids import UPLOAD_JSON_ACTION
from bot.views.event_lines import (
    CodeSummaries,
    code_brief,
    code_line,
    entry_what,
    entry_when,
    gaps_before,
    summarize_codes,
    timeline_heading,
    timeline_ranks,
)
from bot.views.mrkdwn import clip, code, date_token, escape
from bot.views.participant_context import (
    SEVERITY_EMOJI,
    ParticipantContext,
    answer_phrase,
    participant_context,
    totals_phrase,
    verdict_emoji,
)
from bot.views.phrase_text import short_utc, to_headline, to_mrkdwn, to_notification
from bot.views.session_chart import render_session_chart
from bot.views.text_budget import fit_by_priority, fit_lines, share_budget

# Slack: header text ≤ 150, section text ≤ 3000, context ≤ 10 elements, button ≤ 75.
HEADER_LIMIT = 150
SECTION_LIMIT = 3000
CONTEXT_LINE_LIMIT = 700
NOTE_LIMIT = 500
FALLBACK_LIMIT = 400
# All the text in the blocks (tests/views/slack_limits.py checks 12,000; Slack failed near 13,000).
MESSAGE_BUDGET = 11_800
DETAILED_FINDINGS = 3
DETAILED_CODES = 5
MAX_EVIDENCE, MAX_CAUSES, MAX_STEPS = 3, 3, 4
# What each shared part is promised before any gets more (7,600 in all; the fixed parts take at most about
# 3,800: a header, 10 short fields, two notes and the overflow line, the ids, the footer and the button).
TOP_FINDING_FLOOR = 1500
FINDING_FLOOR = 900
ERRORS_FLOOR = 1600  # enough to name every error code of the worst history (the property test checks it)
TIMELINE_FLOOR = 1000
CHART_FLOOR = 1400  # a chart is never cut: 60 columns by at most 11 rows
OTHER_FINDINGS_FLOOR = 300


@dataclass(frozen=True, slots=True)
class SlackReply:
    """A message ready for chat.postMessage / respond(): fallback ``text`` plus Block Kit ``blocks``."""

    text: str
    blocks: list[dict[str, Any]]


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_LIMIT)))


def _utc(moment: datetime) -> str:
    """A plain UTC time for sections short of room (a date token costs about 75 characters, this 19)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def header_text(analysis: Analysis) -> str:
    """The answer's first line: "Kq7RtU2vWx9Z: publishing failed: … (BITRATE_EXCEEDED ×5), not fixed".

    Plain text (a Slack header shows no markup and no date tokens), escaped all the same, times in UTC.
    """
    text = f"{analysis.query.participant_id}: {to_headline(answer_phrase(analysis))}"
    return clip(escape(text), HEADER_LIMIT)


def _header(analysis: Analysis) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=header_text(analysis), emoji=True))


def _fact_line(facts: tuple[tuple[str, Phrase], ...], lead: str = "") -> str:
    items = [f"*{label}* {to_mrkdwn(value)}" for label, value in facts]
    return clip(lead + " · ".join(items), CONTEXT_LINE_LIMIT)


def _context(analysis: Analysis, context: ParticipantContext) -> ContextBlock:
    """Who and where, in two lines under the answer, then why any details are missing."""
    totals = to_mrkdwn(totals_phrase(analysis))
    elements = [
        MarkdownTextObject(text=_fact_line(context.who)),
        MarkdownTextObject(text=_fact_line(context.where, f"{totals} ")),
        *(
            MarkdownTextObject(text=clip(f":warning: {to_mrkdwn(note)}", NOTE_LIMIT))
            for note in context.notes
        ),
    ]
    return ContextBlock(elements=[e for e in elements if e.text])


def _ids(analysis: Analysis) -> ContextBlock:
    query = analysis.query
    text = (
        f"stage {code(query.stage_arn)} · session {code(query.session_id)} · "
        f"participant {code(query.participant_id)}"
    )
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def finding_text(finding: Finding, number: int, limit: int = SECTION_LIMIT) -> str:
    """One finding: title and status, the next step, evidence, meaning, causes, more steps, the doc link.

    The conclusion comes first: what it is, whether it is still going on, and what to do now; then why.
    When it does not fit, the first cause and piece of evidence are kept before the second ones.
    """
    status = f" — {to_mrkdwn(finding.status.words)}" if finding.status and finding.status.words else ""
    lines: list[tuple[int, str]] = [
        (0, f"{SEVERITY_EMOJI[finding.severity]} *{number}. {to_mrkdwn(finding.title)}*{status}"),
    ]
    steps = finding.next_steps[:MAX_STEPS]
    if steps:
        lines.append((0, f"*Next step:* {to_mrkdwn(steps[0])}"))
    # Priorities interleave the lists: 1st evidence, 1st cause, 2nd step, 2nd evidence, ...
    lines += [(1 + 3 * n, f"› {to_mrkdwn(item)}") for n, item in enumerate(finding.evidence[:MAX_EVIDENCE])]
    lines.append((0, to_mrkdwn(finding.meaning)))
    for first_priority, heading, items in (
        (2, "*Likely causes*", finding.causes[:MAX_CAUSES]),
        (3, "*More steps*", steps[1:]),
    ):
        bullets = [f"• {to_mrkdwn(item)}" for item in items]
        if bullets:
            bullets[0] = f"{heading}\n{bullets[0]}"  # a heading never stands without its first item
        lines += [(first_priority + 3 * n, bullet) for n, bullet in enumerate(bullets)]
    if finding.doc:
        lines.append((0, f":book: <{finding.doc.url}|{escape(finding.doc.title)}>"))
    return fit_by_priority(lines, limit, "_(shortened to fit in Slack)_")


def other_findings_text(findings: tuple[Finding, ...], first_number: int, limit: int) -> str:
    """The findings after the detailed ones: one line each, with a link to their doc."""
    lines = ["*Also found*"]
    for number, finding in enumerate(findings, start=first_number):
        link = f" (<{finding.doc.url}|docs>)" if finding.doc else ""
        lines.append(f"{SEVERITY_EMOJI[finding.severity]} {number}. {to_mrkdwn(finding.title)}{link}")
    return fit_lines(lines, limit, lambda n: f"…and {n} more")


def errors_text(
    analysis: Analysis, limit: int = SECTION_LIMIT, summaries: CodeSummaries | None = None
) -> str | None:
    """Every error code with its count and first/last time; codes beyond the detailed ones as a list.

    Times are date tokens; when that leaves codes without their detailed line, plain UTC is used instead.

    Args:
        summaries: the codes, when already summarised (the reply renders this section more than once).
    """
    summaries = summaries or summarize_codes(analysis.timeline)
    if not summaries.listed:
        return None
    wanted = min(len(summaries.listed), DETAILED_CODES)
    text, detailed = _errors_text(analysis, summaries, limit, date_token)
    if detailed < wanted:
        plain, more = _errors_text(analysis, summaries, limit, _utc)
        if more > detailed:
            return plain
    return text


def _errors_text(
    analysis: Analysis, summaries: CodeSummaries, limit: int, when: Callable[[datetime], str]
) -> tuple[str, int]:
    """The section, and how many codes got a detailed line."""
    total = analysis.timeline.error_count
    utc = " (UTC)" if when is _utc else ""
    head = f"*Errors by code*{utc}: {counted(total, 'error event')}, {counted(summaries.codes, 'code')}"
    listed = summaries.listed
    full = [f"• {to_mrkdwn(code_line(s), when)}" for s in listed[:DETAILED_CODES]]
    briefs = [to_mrkdwn(code_brief(s)) for s in listed]
    unlisted = ""
    if summaries.unlisted_codes:
        events = counted(summaries.unlisted_events, "event")
        unlisted = f" and {counted(summaries.unlisted_codes, 'more code')} ({events}, full JSON)"
    for detailed in range(len(full), -1, -1):
        rest = briefs[detailed:]
        lines = [head, *full[:detailed]]
        if rest:
            lines.append(("Also: " if detailed else "") + ", ".join(rest) + unlisted)
        elif unlisted:
            lines.append("Also:" + unlisted)
        text = "\n".join(lines)
        if len(text) <= limit:
            return text, detailed
    # Too many codes even as a list: name as many as fit, count the rest.
    kept: list[str] = []
    size = len(head) + 1
    for brief in briefs:
        if size + len(brief) + 2 > limit - 60:
            break
        kept.append(brief)
        size += len(brief) + 2
    more = f"{summaries.codes - len(kept):,} more codes (full JSON)"
    return clip(f"{head}\n{', '.join(kept)}, and {more}", limit), 0


def chart_text(analysis: Analysis, limit: int = SECTION_LIMIT) -> str:
    """The session chart in a code block (it holds untrusted publisher ids, so it is escaped)."""
    chart = escape(render_session_chart(analysis))
    return clip(f"*Session at a glance* (UTC)\n```\n{chart}\n```", limit)


def _entry_line(entry: TimelineEntry, when: Callable[[datetime], str]) -> str:
    return f"• {to_mrkdwn(entry_when(entry), when)}  {to_mrkdwn(entry_what(entry), when)}"


def timeline_text(analysis: Analysis, limit: int = SECTION_LIMIT) -> str:
    """The compact timeline: as many first and last lines as fit, the rest counted.

    Times are date tokens; when that leaves lines out, plain UTC is used if it shows more of them.
    """
    text, shown, complete = _timeline_text(analysis, limit, date_token)
    if complete:
        return text
    plain, more, _ = _timeline_text(analysis, limit, _utc)
    return plain if more > shown else text


def _timeline_text(analysis: Analysis, limit: int, when: Callable[[datetime], str]) -> tuple[str, int, bool]:
    """The section, how many lines it shows, and whether that is every line of the compact timeline.

    Lines are kept by rank (the anomalies, the first and last lines, then their neighbours) and shown in
    order; "⋯ N events" stands wherever events are left out between two lines shown.
    """
    compact = analysis.compact
    entries = compact.entries
    lines = [_entry_line(entry, when) for entry in entries]
    ranks = timeline_ranks(compact)
    room = limit - 250  # the title, and the notes on what is left out
    chosen: list[int] = []
    size = 0
    for n in sorted(range(len(entries)), key=lambda n: (ranks[n], n)):
        if size + len(lines[n]) + 40 > room:
            continue
        chosen.append(n)
        size += len(lines[n]) + 40  # each line may bring a "⋯ N events" note before it
    chosen.sort()
    shown = [entries[n] for n in chosen]
    covered = sum(entry.events for entry in shown)
    utc = " (UTC)" if when is _utc else ""
    title = f"*Timeline*{utc}: {timeline_heading(compact.total_events, covered, len(shown))}"
    if any(entry.events > 1 for entry in shown):
        title += " (repeats and reconnect storms collapsed)"
    out = [title]
    noted = False
    for n, gap in zip(chosen, gaps_before(shown), strict=True):
        if gap:
            out.append(_omitted(gap, first=not noted))
            noted = True
        out.append(lines[n])
    after = compact.total_events - (shown[-1].last_index + 1 if shown else 0)
    if after:
        out.append(_omitted(after, first=not noted))
    return clip("\n".join(out), limit), len(shown), len(shown) == len(entries)


def _omitted(events: int, *, first: bool) -> str:
    if first:
        return (
            f"⋯ {counted(events, 'event')} not listed here: their errors are counted above, and the full "
            "JSON has every event."
        )
    return f"⋯ {counted(events, 'event')} not listed"


def _footer(analysis: Analysis) -> ContextBlock:
    text = (
        f"Fetched in {counted(analysis.history.pages, 'page')}; analysed {date_token(analysis.now)}. "
        "Times are in your time zone unless marked UTC. Every event and field is in the full JSON."
    )
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def _actions(analysis: Analysis) -> ActionsBlock:
    button = ButtonElement(
        text=PlainTextObject(text="Upload full JSON"),
        action_id=UPLOAD_JSON_ACTION,
        value=analysis.query.as_value(),
    )
    return ActionsBlock(elements=[button])


def build_fallback_text(analysis: Analysis) -> str:
    """The message's ``text``: the notification line and what screen readers and old clients show."""
    answer = to_notification(answer_phrase(analysis), short_utc)
    text = f"{verdict_emoji(analysis)} IVS participant {analysis.query.participant_id}: {answer}"
    text += f" ({counted(analysis.event_count, 'event')})"
    return clip(text, FALLBACK_LIMIT)


@dataclass(frozen=True, slots=True)
class _SharedPart:
    """A section that takes its room from the shared budget: it renders itself within any limit."""

    render: Callable[[int], str]
    floor: int
    priority: int


def _only_repeats_the_answer(analysis: Analysis) -> bool:
    """One error code, already the first finding's: an "errors by code" section would say it again."""
    timeline = analysis.timeline
    codes = {group.code for group in timeline.error_groups}
    return not timeline.more_error_groups and len(codes) == 1 and analysis.findings[0].codes == tuple(codes)


def _shared_parts(analysis: Analysis) -> list[_SharedPart]:
    """The sections after the diagnosis intro, in reading order, with their share of the budget."""
    findings = analysis.findings
    parts = [
        _SharedPart(
            partial(finding_text, finding, number),
            TOP_FINDING_FLOOR if number == 1 else FINDING_FLOOR,
            number,
        )
        for number, finding in enumerate(findings[:DETAILED_FINDINGS], start=1)
    ]
    rest = findings[DETAILED_FINDINGS:]
    if rest:
        parts.append(
            _SharedPart(
                lambda limit: other_findings_text(rest, DETAILED_FINDINGS + 1, limit),
                OTHER_FINDINGS_FLOOR,
                DETAILED_FINDINGS + 4,
            )
        )
    if analysis.timeline.error_groups and not _only_repeats_the_answer(analysis):
        summaries = summarize_codes(analysis.timeline)
        parts.append(
            _SharedPart(
                lambda limit: errors_text(analysis, limit, summaries) or "",
                ERRORS_FLOOR,
                DETAILED_FINDINGS + 1,
            )
        )
    parts.append(_SharedPart(lambda limit: chart_text(analysis, limit), CHART_FLOOR, DETAILED_FINDINGS + 3))
    parts.append(
        _SharedPart(lambda limit: timeline_text(analysis, limit), TIMELINE_FLOOR, DETAILED_FINDINGS + 2)
    )
    return parts


def text_size(node: Any) -> int:
    """Characters of text in a block structure, counted as Slack's limit counts them."""
    if isinstance(node, dict):
        return sum(
            len(value) if key in ("text", "value") and isinstance(value, str) else text_size(value)
            for key, value in node.items()
        )
    if isinstance(node, list):
        return sum(text_size(item) for item in node)
    return 0


def build_reply(analysis: Analysis) -> SlackReply:
    """The full Slack reply for one analysed participant (within Slack's limits for any history).

    The answer comes first: the header states the root cause and its status, the first finding gives the
    next step and the evidence, and the participant's facts follow in a compact context line.
    """
    context = participant_context(analysis)
    under_answer: list[Block] = [_context(analysis, context), _ids(analysis), DividerBlock()]
    bottom: list[Block] = [_footer(analysis), _actions(analysis)]
    fixed = (
        [_header(analysis).to_dict()],
        [block.to_dict() for block in under_answer],
        [block.to_dict() for block in bottom],
    )

    parts = _shared_parts(analysis)
    natural = [part.render(SECTION_LIMIT) for part in parts]
    order = sorted(range(len(parts)), key=lambda n: parts[n].priority)
    shares = share_budget(
        MESSAGE_BUDGET - text_size(list(fixed)),
        [len(natural[n]) for n in order],
        [parts[n].floor for n in order],
    )
    texts = list(natural)
    for n, share in zip(order, shares, strict=True):
        if len(natural[n]) > share:
            texts[n] = parts[n].render(share)
    answer, *rest = [_section(text).to_dict() for text in texts if text]
    blocks = [*fixed[0], answer, *fixed[1], *rest, *fixed[2]]
    return SlackReply(text=build_fallback_text(analysis), blocks=blocks)
