"""How timeline lines and error groups read, as phrases shared by every renderer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from heapq import nlargest

from bot.analysis.catalogue import describe_error_code, describe_event_name
from bot.analysis.compact_timeline import CompactTimeline, EntryKind, TimelineEntry
from bot.analysis.phrases import Phrase, Quoted, counted
from bot.analysis.timeline import ErrorGroup, Timeline

_NEVER = datetime.max.replace(tzinfo=UTC)


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
        kind = (
            "retries after failures"
            if entry.retries
            else "takeovers by a second client with the same token"
            if entry.takeovers
            else "reconnect storm"
        )
        storm: Phrase = (
            f"joined and left {entry.repeats:,} times ({entry.events:,} events, {errors}): {kind}",
        )
        return (*storm, "; ", *entry.detail) if entry.detail else storm
    if entry.kind is EntryKind.DEPARTURE:
        return (Quoted(entry.name), " ", *entry.detail) if entry.detail else (Quoted(entry.name),)
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


def timeline_ranks(compact: CompactTimeline) -> list[int]:
    """How much each line of ``compact.entries`` matters (lower first): the anomalies, the first and last
    lines, then the lines nearest to them. A renderer short of room keeps the lowest ranks."""
    anomalies = set(compact.anomalies)
    ranks = [2 + 2 * position for position in range(len(compact.head))]
    if ranks:
        ranks[0] = 1
    for excerpt in compact.excerpts:
        at = next(
            (n for n, e in enumerate(excerpt) if any(e.first_index <= a <= e.last_index for a in anomalies)),
            0,
        )
        ranks += [0 if n == at else 2 + 2 * abs(n - at) for n in range(len(excerpt))]
    tail = [3 + 2 * position for position in range(len(compact.tail))][::-1]
    if tail:
        tail[-1] = 1
    return ranks + tail


def gaps_before(entries: Sequence[TimelineEntry]) -> list[int]:
    """Events left out before each line (between it and the line shown before it)."""
    gaps, after = [], 0
    for entry in entries:
        gaps.append(max(0, entry.first_index - after))
        after = entry.last_index + 1
    return gaps


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
    """Every error event with one code, across event names.

    ``first`` and ``last`` are None for a code only seen beyond the error groups the timeline details
    (see MAX_ERROR_GROUPS): it is counted, not timed.
    """

    code: str | None
    count: int
    first: datetime | None
    last: datetime | None
    by_name: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class CodeSummaries:
    """The "errors by code" list: the most frequent codes, and how many more were left out of it."""

    listed: tuple[CodeSummary, ...]
    unlisted_codes: int = 0
    unlisted_events: int = 0

    @property
    def codes(self) -> int:
        """Distinct codes in the history."""
        return len(self.listed) + self.unlisted_codes


# More codes than any report shows (a Slack section holds about 150 "`CODE` ×3" items).
MAX_LISTED_CODES = 300


def summarize_codes(timeline: Timeline, limit: int = MAX_LISTED_CODES) -> CodeSummaries:
    """Group error groups by code, most frequent first: the "errors, grouped by code" section.

    Bounded work for a hostile history: codes beyond the detailed error groups are tallied in one pass and
    only the ``limit`` most frequent are summarised.
    """
    by_code: dict[str | None, list[ErrorGroup]] = {}
    for group in timeline.error_groups:
        by_code.setdefault(group.code, []).append(group)
    more = timeline.more_error_groups
    # Counted-only groups: merged into a detailed code's line, or tallied by code (one pass).
    shared: dict[str | None, dict[str, int]] = {}
    totals: dict[str | None, int] = {}
    for key, count in more.items():
        name, code = key
        if code in by_code:
            shared.setdefault(code, {})[name] = count
        else:
            totals[code] = totals.get(code, 0) + count
    summaries = []
    for code, members in by_code.items():
        names = {g.event_name: g.count for g in members}
        for name, count in shared.get(code, {}).items():
            names[name] = names.get(name, 0) + count
        summaries.append(
            CodeSummary(
                code=code,
                count=sum(names.values()),
                first=min(g.first for g in members),
                last=max(g.last for g in members),
                by_name=tuple(sorted(names.items(), key=lambda item: -item[1])),
            )
        )
    top = nlargest(limit, totals, key=totals.__getitem__) if len(totals) > limit else list(totals)
    if top:
        top_names: dict[str | None, dict[str, int]] = {code: {} for code in top}
        for name, code in more:
            wanted = top_names.get(code)
            if wanted is not None:
                wanted[name] = more[name, code]
        summaries += [
            CodeSummary(
                code, totals[code], None, None, tuple(sorted(top_names[code].items(), key=lambda i: -i[1]))
            )
            for code in top
        ]
    summaries.sort(key=lambda s: (-s.count, s.first is None, s.first or _NEVER))
    listed = tuple(summaries[:limit])
    unlisted_codes = len(summaries) - len(listed) + len(totals) - len(top)
    unlisted_events = timeline.error_count - sum(s.count for s in listed)
    return CodeSummaries(listed, unlisted_codes, unlisted_events if unlisted_codes else 0)


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
    when: Phrase
    if summary.first is None or summary.last is None:
        when = ()
    elif summary.count == 1:
        when = (", at ", summary.first)
    else:
        when = (", first ", summary.first, ", last ", summary.last)
    return (*code_label(summary), f" ×{summary.count:,}", *names, *when)


def code_brief(summary: CodeSummary) -> Phrase:
    """ "`CODE` ×3": for the compact list after the detailed lines."""
    return (*code_label(summary), f" ×{summary.count:,}")
