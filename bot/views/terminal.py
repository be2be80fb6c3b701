"""The same report as plain text, for a terminal (``python -m bot demo``/console) and for logs."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from datetime import UTC
from heapq import nlargest
from operator import itemgetter

from bot.analysis import Analysis, Finding
from bot.analysis.compact_timeline import EntryKind, TimelineEntry
from bot.analysis.phrases import Phrase, PhrasePart, Quoted, counted
from bot.views.event_lines import code_line, entry_what, gaps_before, summarize_codes, timeline_heading
from bot.views.participant_context import answer_phrase, participant_context, totals_phrase
from bot.views.phrase_text import to_headline, to_plain
from bot.views.session_chart import render_session_chart

WIDTH = 100
# Error codes and event names listed one by one; a hostile history's others are counted.
MAX_CODE_LINES = 50
MAX_NAMES_LISTED = 20
# Stands for a space inside a quoted value while wrapping, so ids and commands stay on one line. Sanitising
# turns control characters from the data into U+FFFD, so this one can only come from here.
_UNBROKEN_SPACE = "\x00"


def _wrap(text: str, indent: str) -> list[str]:
    # Never split a word or at a hyphen: ids, ARNs and commands must stay copyable.
    lines = textwrap.wrap(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [line.replace(_UNBROKEN_SPACE, " ") for line in lines] or [indent]


def _unbroken(value: str) -> str:
    return value.replace(" ", _UNBROKEN_SPACE)


def _text(parts: Phrase) -> str:
    return to_plain(parts, _unbroken)


def _finding_lines(finding: Finding, number: int) -> list[str]:
    status = f" — {_text(finding.status.words)}" if finding.status and finding.status.words else ""
    lines = _wrap(f"{number}. [{finding.severity}] {_text(finding.title)}{status}", "")
    if finding.next_steps:
        lines += _wrap("Next step: " + _text(finding.next_steps[0]), "   ")
    for item in finding.evidence:
        lines += _wrap("> " + _text(item), "   ")
    lines += _wrap(_text(finding.meaning), "   ")
    if finding.causes:
        lines.append("   Likely causes:")
        for item in finding.causes:
            lines += _wrap("- " + _text(item), "     ")
    if finding.next_steps[1:]:
        lines.append("   More steps:")
        for item in finding.next_steps[1:]:
            lines += _wrap("- " + _text(item), "     ")
    if finding.doc:
        lines.append(f"   Docs: {finding.doc.url}")
    return lines


def _when(entry: TimelineEntry) -> str:
    """ "2026-03-12 14:10:00" or "2026-03-12 14:10:00 → 14:12:45" (UTC, said once in the heading)."""
    start = entry.start.astimezone(UTC)
    text = start.strftime("%Y-%m-%d %H:%M:%S")
    if entry.kind is not EntryKind.EVENT and entry.end != entry.start:
        end = entry.end.astimezone(UTC)
        text += " → " + end.strftime("%H:%M:%S" if end.date() == start.date() else "%Y-%m-%d %H:%M:%S")
    return text


def _entry(entry: TimelineEntry) -> list[str]:
    return _wrap(f"{_when(entry)}  {to_plain(entry_what(entry))}", "  ")


def _names_phrase(counts: Mapping[str, int]) -> Phrase:
    """ "JOINED 3, LEFT 3, …": the most frequent names (as sent, so sanitised), the rest counted."""
    if len(counts) > MAX_NAMES_LISTED:
        shown = sorted(nlargest(MAX_NAMES_LISTED, counts.items(), key=itemgetter(1)))
    else:
        shown = sorted(counts.items())
    parts: list[PhrasePart] = []
    for name, count in shown:
        parts += [", " if parts else "", Quoted(name), f" {count:,}"]
    if len(counts) > len(shown):
        events = sum(counts.values()) - sum(count for _, count in shown)
        parts.append(f", and {counted(len(counts) - len(shown), 'more name')} ({counted(events, 'event')})")
    return tuple(parts)


def render_terminal(analysis: Analysis) -> str:
    """Everything the Slack reply says (all findings, all error codes), as plain text."""
    query = analysis.query
    out = [f"{query.participant_id}: {to_headline(answer_phrase(analysis))}"]  # one line, never wrapped
    findings = analysis.findings
    out += ["", *_finding_lines(findings[0], 1), ""]
    out += _wrap(to_plain(totals_phrase(analysis)), "")
    context = participant_context(analysis)
    for facts in (context.who, context.where):
        if facts:
            items = (_unbroken(f"{label}: {_text(value)}") for label, value in facts)
            out += _wrap(" · ".join(items), "  ")
    for note in context.notes:
        out += _wrap(f"Note: {_text(note)}", "  ")
    counts = _names_phrase(analysis.timeline.counts)
    if counts:
        out += _wrap(f"Events by name: {_text(counts)}", "  ")
    out.append(f"  stage {query.stage_arn}  session {query.session_id}")
    if len(findings) > 1:
        out += ["", "Also found (most likely cause first)"]
    for number, finding in enumerate(findings[1:], start=2):
        out += ["", *_finding_lines(finding, number)]
    summaries = summarize_codes(analysis.timeline, MAX_CODE_LINES)
    if summaries.listed:
        out += ["", f"Errors by code ({counted(analysis.timeline.error_count, 'error event')})"]
        for summary in summaries.listed:
            out += _wrap("- " + to_plain(code_line(summary)), "  ")
        if summaries.unlisted_codes:
            more = counted(summaries.unlisted_codes, "more code")
            out.append(f"  ... and {more} ({counted(summaries.unlisted_events, 'event')}): see the full JSON")
    out += ["", "Session at a glance", render_session_chart(analysis)]
    compact = analysis.compact
    covered = sum(entry.events for entry in compact.entries)
    heading = timeline_heading(compact.total_events, covered, len(compact.entries))
    out += ["", f"Timeline (UTC): {heading}"]
    entries = compact.entries
    for entry, gap in zip(entries, gaps_before(entries), strict=True):
        if gap:
            out.append(f"  ... {counted(gap, 'event')} not listed (see the full JSON)")
        out += _entry(entry)
    return "\n".join(out)
