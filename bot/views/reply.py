"""The Slack reply for one participant: header, who, diagnosis, errors by code, chart, timeline, button.

Slack refuses messages over its limits, so every part has a character budget (they add up to under 12,000
characters, below the ~13,000 at which ``msg_blocks_too_long`` has been seen), and lists are shortened by
whole lines with "…and N more". Long histories are summarised rather than cut: storms and repeats are
collapsed, every error code is listed, and the full JSON is one click away.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from bot.slack_ids import UPLOAD_JSON_ACTION
from bot.views.event_lines import code_brief, code_line, entry_what, entry_when, summarize_codes
from bot.views.mrkdwn import clip, code, date_token, escape
from bot.views.participant_context import (
    SEVERITY_EMOJI,
    participant_facts,
    totals_phrase,
    verdict,
    verdict_emoji,
)
from bot.views.phrase_text import to_mrkdwn, to_notification
from bot.views.session_chart import render_session_chart
from bot.views.text_budget import fit_by_priority, fit_lines

# Slack: header text ≤ 150, field ≤ 2000 (we keep them short), button text ≤ 75.
HEADER_LIMIT = 150
FIELD_LIMIT = 120
DETAILED_FINDINGS = 3
TOP_FINDING_LIMIT = 1800
FINDING_LIMIT = 1000
OTHER_FINDINGS_LIMIT = 600
ERRORS_LIMIT = 1600
DETAILED_CODES = 5
CHART_LIMIT = 1400
TIMELINE_LIMIT = 1900
FALLBACK_LIMIT = 400
MAX_EVIDENCE, MAX_CAUSES, MAX_STEPS = 3, 3, 4


@dataclass(frozen=True, slots=True)
class SlackReply:
    """A message ready for chat.postMessage / respond(): fallback ``text`` plus Block Kit ``blocks``."""

    text: str
    blocks: list[dict[str, Any]]


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=clip(text, 3000)))


def _header(analysis: Analysis) -> HeaderBlock:
    text = f"IVS participant {analysis.query.participant_id}: {verdict(analysis)}"
    return HeaderBlock(text=PlainTextObject(text=clip(text, HEADER_LIMIT), emoji=True))


def _facts(analysis: Analysis) -> SectionBlock:
    fields = [
        MarkdownTextObject(text=clip(f"*{label}*\n{to_mrkdwn(value)}", FIELD_LIMIT))
        for label, value in participant_facts(analysis)
    ]
    return SectionBlock(fields=fields)


def _ids(analysis: Analysis) -> ContextBlock:
    query = analysis.query
    text = (
        f"stage {code(query.stage_arn)} · session {code(query.session_id)} · "
        f"participant {code(query.participant_id)}"
    )
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def finding_text(finding: Finding, number: int, limit: int = FINDING_LIMIT) -> str:
    """One finding: title, meaning, evidence, causes, next steps and the doc link.

    When it does not fit, the first next step, cause and piece of evidence are kept before the second ones.
    """
    lines: list[tuple[int, str]] = [
        (0, f"{SEVERITY_EMOJI[finding.severity]} *{number}. {to_mrkdwn(finding.title)}*"),
        (0, to_mrkdwn(finding.meaning)),
    ]
    # Priorities interleave the lists: 1st step, 1st cause, 1st evidence, 2nd step, 2nd cause, ...
    lines += [(3 + 3 * n, f"› {to_mrkdwn(item)}") for n, item in enumerate(finding.evidence[:MAX_EVIDENCE])]
    for first_priority, heading, items in (
        (2, "*Likely causes*", finding.causes[:MAX_CAUSES]),
        (1, "*Next steps*", finding.next_steps[:MAX_STEPS]),
    ):
        bullets = [f"• {to_mrkdwn(item)}" for item in items]
        if bullets:
            bullets[0] = f"{heading}\n{bullets[0]}"  # a heading never stands without its first item
        lines += [(first_priority + 3 * n, bullet) for n, bullet in enumerate(bullets)]
    if finding.doc:
        lines.append((0, f":book: <{finding.doc.url}|{escape(finding.doc.title)}>"))
    return fit_by_priority(lines, limit, "_(shortened to fit in Slack)_")


def _findings(analysis: Analysis) -> list[Block]:
    findings = analysis.findings
    intro = f"*Diagnosis* (most likely cause first). {to_mrkdwn(totals_phrase(analysis))}"
    blocks: list[Block] = [_section(intro)]
    for number, finding in enumerate(findings[:DETAILED_FINDINGS], start=1):
        limit = TOP_FINDING_LIMIT if number == 1 else FINDING_LIMIT
        blocks.append(_section(finding_text(finding, number, limit)))
    rest = findings[DETAILED_FINDINGS:]
    if rest:
        lines = ["*Also found*"]
        for number, finding in enumerate(rest, start=DETAILED_FINDINGS + 1):
            link = f" (<{finding.doc.url}|docs>)" if finding.doc else ""
            lines.append(f"{SEVERITY_EMOJI[finding.severity]} {number}. {to_mrkdwn(finding.title)}{link}")
        blocks.append(_section(fit_lines(lines, OTHER_FINDINGS_LIMIT, lambda n: f"…and {n} more")))
    return blocks


def errors_text(analysis: Analysis, limit: int = ERRORS_LIMIT) -> str | None:
    """Every error code with its count and first/last time; codes beyond the detailed ones as a list."""
    summaries = summarize_codes(analysis.timeline.error_groups)
    if not summaries:
        return None
    total = analysis.timeline.error_count
    head = f"*Errors by code*: {total:,} error event(s), {len(summaries):,} code(s)"
    full = [f"• {to_mrkdwn(code_line(s))}" for s in summaries[:DETAILED_CODES]]
    briefs = [to_mrkdwn(code_brief(s)) for s in summaries]
    for detailed in range(len(full), -1, -1):
        rest = briefs[detailed:]
        lines = [head, *full[:detailed]]
        if rest:
            lines.append(("Also: " if detailed else "") + ", ".join(rest))
        text = "\n".join(lines)
        if len(text) <= limit:
            return text
    # Too many codes even as a list: name as many as fit, count the rest.
    kept: list[str] = []
    size = len(head) + 1
    for brief in briefs:
        if size + len(brief) + 2 > limit - 60:
            break
        kept.append(brief)
        size += len(brief) + 2
    return f"{head}\n{', '.join(kept)}, and {len(briefs) - len(kept):,} more codes (full JSON)"


def _chart(analysis: Analysis) -> SectionBlock:
    chart = escape(render_session_chart(analysis))
    return _section(clip(f"*Session at a glance* (UTC)\n```\n{chart}\n```", CHART_LIMIT))


def _entry_line(entry: TimelineEntry) -> str:
    return f"• {to_mrkdwn(entry_when(entry))}  {to_mrkdwn(entry_what(entry))}"


def timeline_text(analysis: Analysis, limit: int = TIMELINE_LIMIT) -> str:
    """The compact timeline: as many first and last lines as fit, the rest counted."""
    compact = analysis.compact
    head = [_entry_line(entry) for entry in compact.head]
    tail = [_entry_line(entry) for entry in compact.tail]
    gap_reserve = 200
    room = limit - gap_reserve
    shown_head, shown_tail, size = 0, 0, 0
    while shown_head < len(head) or shown_tail < len(tail):
        take_head = (shown_head <= shown_tail and shown_head < len(head)) or shown_tail >= len(tail)
        line = head[shown_head] if take_head else tail[len(tail) - 1 - shown_tail]
        if size + len(line) + 1 > room:
            break
        size += len(line) + 1
        if take_head:
            shown_head += 1
        else:
            shown_tail += 1
    entries = compact.head[:shown_head] + compact.tail[len(tail) - shown_tail :]
    shown = sum(entry.events for entry in entries)
    collapsed = any(entry.events > 1 for entry in entries)
    title = f"*Timeline*: {compact.total_events:,} events in total, showing {shown:,}"
    if collapsed:
        title += " (repeats and reconnect storms collapsed into one line)"
    lines = [title, *head[:shown_head]]
    omitted = compact.total_events - shown
    if omitted:
        lines.append(
            f"⋯ {omitted:,} event(s) not listed here: their errors are counted above, and the full JSON "
            "has every event."
        )
    lines += tail[len(tail) - shown_tail :]
    if compact.total_events == 0:
        lines.append("No events.")
    return clip("\n".join(lines), limit)


def _footer(analysis: Analysis) -> ContextBlock:
    text = (
        f"Fetched in {analysis.history.pages:,} page(s); analysed {date_token(analysis.now)}. "
        "Times are shown in your time zone. Every event and field is in the full JSON."
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
    text = f"{verdict_emoji(analysis)} IVS participant {analysis.query.participant_id}: {verdict(analysis)}"
    top = analysis.problems[:1]
    if top:
        text += f". {to_notification(top[0].title)}"
    text += f" ({analysis.event_count:,} events)"
    return clip(text, FALLBACK_LIMIT)


def build_reply(analysis: Analysis) -> SlackReply:
    """The full Slack reply for one analysed participant (within Slack's limits for any history)."""
    blocks: list[Block] = [_header(analysis), _facts(analysis), _ids(analysis), DividerBlock()]
    blocks += _findings(analysis)
    errors = errors_text(analysis)
    if errors is not None:
        blocks.append(_section(errors))
    blocks += [_chart(analysis), _section(timeline_text(analysis)), _footer(analysis), _actions(analysis)]
    return SlackReply(text=build_fallback_text(analysis), blocks=[block.to_dict() for block in blocks])
