"""Run every rule over one participant's history and rank the findings, most likely root cause first."""

from __future__ import annotations

from collections.abc import Iterable
from heapq import nsmallest

from bot.analysis.catalogue import describe_error_code
from bot.analysis.client_kind import client_kind
from bot.analysis.findings.connection_rules import (
    connected_without_events,
    joined_but_idle,
    never_got_in,
    no_join_recorded,
    reconnect_storm,
    rejoin_burst,
    still_connected,
)
from bot.analysis.findings.error_rules import error_group_finding, with_storm_evidence
from bot.analysis.findings.history_rules import healthy, more_error_groups, no_events, unknown_names
from bot.analysis.findings.model import Finding, Severity
from bot.analysis.findings.situation_rules import (
    demoted_cleanly,
    flapping_publisher,
    left_at_token_expiry,
    left_live_session,
    one_token_two_devices,
    recording_failed,
    replica_of_another_stage,
    replication_stopped_early,
    stage_was_full,
)
from bot.analysis.patterns import Patterns
from bot.analysis.timeline_model import ErrorGroup, Timeline
from bot.domain.history import ParticipantDetails
from bot.domain.queries import ParticipantQuery

# Error groups explained one by one. Real histories have a handful (IVS has 14 codes); a hostile one with
# thousands gets the most likely ones explained and the rest counted in one finding.
MAX_ERROR_FINDINGS = 12


def rank(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Most likely root cause first: by score, then by how often, then by what happened first."""
    return tuple(sorted(findings, key=lambda f: (-f.score, -f.count, f.order)))


def _likely_cause_first(group: ErrorGroup) -> tuple[int, int, int]:
    """A cheap stand-in for :func:`rank` before any finding is built: the code's score, then how often."""
    score = describe_error_code(group.code).score if group.code is not None else 40
    return (-score, -group.count, group.first_index)


def diagnose(
    timeline: Timeline,
    patterns: Patterns,
    query: ParticipantQuery,
    participant: ParticipantDetails | None = None,
) -> tuple[Finding, ...]:
    """Run every rule and rank the findings; always returns at least one finding.

    Args:
        participant: GetParticipant's details, when fetched: its state, client and token say what the
            events alone cannot.
    """
    if timeline.event_count == 0:
        connected = connected_without_events(participant)
        return (connected or no_events(participant),)
    findings: list[Finding] = []
    client = client_kind(participant)
    got_in = never_got_in(timeline, patterns, client)
    explained: set[tuple[str, str | None]] = set()
    if got_in is not None:
        cutoff = timeline.last_join_index if timeline.last_join_index is not None else -1
        for group in timeline.error_groups:
            if group.event_name == "JOIN_ERROR" and group.last_index > cutoff:
                explained.add((group.event_name, group.code))
                got_in = with_storm_evidence(got_in, group, timeline.storms)
        findings.append(got_in)
    groups = [g for g in timeline.error_groups if (g.event_name, g.code) not in explained]
    if len(groups) > MAX_ERROR_FINDINGS:
        kept = nsmallest(MAX_ERROR_FINDINGS, groups, key=_likely_cause_first)
        chosen = {id(g) for g in kept}
        rest = [g for g in groups if id(g) not in chosen]
        findings.append(more_error_groups(rest, timeline.more_error_groups))
        groups = kept
    elif timeline.more_error_groups:
        findings.append(more_error_groups([], timeline.more_error_groups))
    findings.extend(error_group_finding(group, timeline, query, client) for group in groups)
    for rule in (no_join_recorded, joined_but_idle, still_connected):
        finding = rule(timeline, patterns)
        if finding is not None:
            findings.append(finding)
    storm = reconnect_storm(timeline, patterns, participant)
    if storm is not None:
        findings.append(storm)
    burst = rejoin_burst(timeline, participant)
    if burst is not None:
        findings.append(burst)
    expired = left_at_token_expiry(timeline)
    for situation in (
        demoted_cleanly(timeline),
        one_token_two_devices(timeline, patterns),
        expired,
        None if expired else left_live_session(timeline, participant),
        replication_stopped_early(timeline),
        replica_of_another_stage(timeline, query, participant),
        flapping_publisher(timeline, query),
        stage_was_full(timeline, query),
        recording_failed(participant),
    ):
        if situation is not None:
            findings.append(situation)
    unknown = unknown_names(patterns)
    if unknown is not None:
        findings.append(unknown)
    if not any(f.severity in (Severity.PROBLEM, Severity.WARNING) for f in findings):
        findings.append(healthy(timeline, [f for f in rank(findings) if f.resolved]))
    return rank(findings)
