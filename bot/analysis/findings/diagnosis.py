"""Run every rule over one participant's history and rank the findings, most likely root cause first."""

from __future__ import annotations

from collections.abc import Iterable

from bot.analysis.findings.connection_rules import (
    joined_but_idle,
    never_got_in,
    no_join_recorded,
    reconnect_storm,
    still_connected,
)
from bot.analysis.findings.error_rules import error_group_finding
from bot.analysis.findings.history_rules import healthy, no_events, unknown_names
from bot.analysis.findings.model import Finding, Severity
from bot.analysis.patterns import Patterns
from bot.analysis.timeline_model import Timeline
from bot.ivs.query import ParticipantQuery


def rank(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Most likely root cause first: by score, then by how often, then by what happened first."""
    return tuple(sorted(findings, key=lambda f: (-f.score, -f.count, f.order)))


def diagnose(timeline: Timeline, patterns: Patterns, query: ParticipantQuery) -> tuple[Finding, ...]:
    """Run every rule and rank the findings; always returns at least one finding."""
    if timeline.event_count == 0:
        return (no_events(),)
    findings: list[Finding] = []
    got_in = never_got_in(timeline, patterns)
    explained: set[tuple[str, str | None]] = set()
    if got_in is not None:
        findings.append(got_in)
        cutoff = timeline.last_join_index if timeline.last_join_index is not None else -1
        explained = {
            (g.event_name, g.code)
            for g in timeline.error_groups
            if g.event_name == "JOIN_ERROR" and g.last_index > cutoff
        }
    findings.extend(
        error_group_finding(group, timeline, query)
        for group in timeline.error_groups
        if (group.event_name, group.code) not in explained
    )
    for rule in (no_join_recorded, joined_but_idle, still_connected):
        finding = rule(timeline, patterns)
        if finding is not None:
            findings.append(finding)
    for pattern_rule in (reconnect_storm, unknown_names):
        finding = pattern_rule(patterns)
        if finding is not None:
            findings.append(finding)
    if not any(f.severity in (Severity.PROBLEM, Severity.WARNING) for f in findings):
        findings.append(healthy(timeline))
    return rank(findings)
