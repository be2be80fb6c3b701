"""How timeline lines and error groups read, as phrases shared by every renderer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.analysis.catalogue import describe_error_code, describe_event_name
from bot.analysis.compact_timeline import EntryKind, TimelineEntry
from bot.analysis.phrases import Phrase, Quoted, counted
from bot.analysis.timeline import ErrorGroup


def entry_when(entry: TimelineEntry) -> Phrase:
    """The time of a line: one moment, or "first → last" for a collapsed line."""
    if entry.kind is EntryKind.EVENT or entry.start == entry.end:
        return (entry.start,)
    return (entry.start, " → ", entry.end)


def entry_what(entry: TimelineEntry) -> Phrase:
    """What a line says happened."""
    if entry.kind is EntryKind.STORM:
        errors = "no errors" if entry.errors == 0 else counted(entry.errors, "error")
        # A storm of retries after failures is not a network storm: say what it was.
        kind = "retries after failures" if entry.retries else "reconnect storm"
        storm: Phrase = (
            f"joined and left {entry.repeats:,} times ({entry.events:,} events, {errors}): {kind}",
        )
        return (*storm, "; ", *entry.detail) if entry.detail else storm
    what: Phrase = (Quoted(entry.name),)
    if entry.code is not None:
        what += (" ", Quoted(entry.code))
        if not describe_error_code(entry.code).recognised:
            what += (" (code not recognised)",)
    if not describe_event_name(entry.name).recognised:
        what += (" (not recognised)",)
    if entry.remote is not None:
        what += (" publisher ", Quoted(entry.remote))
    if entry.detail:
        what += (" ", *entry.detail)
    if entry.repeats > 1:
        what += (f" ×{entry.repeats:,}",)
    return what


def timeline_heading(total_events: int, covered: int, lines: int) -> str:
    """ "6 events in total", "25 events in total, summarised in 1 line", or how many the lines cover."""
    if total_events == 0:
        return "no events"
    events = f"{counted(total_events, 'event')} in total"
    if covered < total_events:
        return f"{events}, {covered:,} of them summarised in {counted(lines, 'line')}"
    if lines < total_events:
        return f"{events}, summarised in {counted(lines, 'line')}"
    return events


@dataclass(frozen=True, slots=True)
class CodeSummary:
    """Every error event with one code, across event names."""

    code: str | None
    count: int
    first: datetime
    last: datetime
    by_name: tuple[tuple[str, int], ...]


def summarize_codes(groups: tuple[ErrorGroup, ...]) -> tuple[CodeSummary, ...]:
    """Group error groups by code (most frequent first): the "errors, grouped by code" section."""
    by_code: dict[str | None, list[ErrorGroup]] = {}
    for group in groups:
        by_code.setdefault(group.code, []).append(group)
    summaries = [
        CodeSummary(
            code=code,
            count=sum(g.count for g in members),
            first=min(g.first for g in members),
            last=max(g.last for g in members),
            by_name=tuple((g.event_name, g.count) for g in sorted(members, key=lambda g: -g.count)),
        )
        for code, members in by_code.items()
    ]
    return tuple(sorted(summaries, key=lambda s: (-s.count, s.first)))


def code_label(summary: CodeSummary) -> Phrase:
    """The code as shown: as sent, marked when not recognised."""
    if summary.code is None:
        return ("no error code",)
    if describe_error_code(summary.code).recognised:
        return (Quoted(summary.code),)
    return (Quoted(summary.code), " (not recognised)")


def code_line(summary: CodeSummary) -> Phrase:
    """ "`QUOTA_EXCEEDED` ×12 (PUBLISH_ERROR ×10, JOIN_ERROR ×2), first …, last …"."""
    names: Phrase = ()
    for position, (name, count) in enumerate(summary.by_name[:3]):
        names += (", " if position else " (", Quoted(name), f" ×{count:,}")
    if len(summary.by_name) > 3:
        names += (", …",)
    names += (")",)
    when: Phrase = (
        (", at ", summary.first)
        if summary.count == 1
        else (", first ", summary.first, ", last ", summary.last)
    )
    return (*code_label(summary), f" ×{summary.count:,}", *names, *when)


def code_brief(summary: CodeSummary) -> Phrase:
    """ "`CODE` ×3": for the compact list after the detailed lines."""
    return (*code_label(summary), f" ×{summary.count:,}")
