"""Correlation rules: from timeline and patterns to findings, most likely root cause first.

Each rule looks beyond one error code at a time: who a missing publisher was and when it was last seen, the
token exchange that removed a capability just before INSUFFICIENT_CAPABILITIES, a join/leave storm that
produced no error event at all. Each finding carries its meaning, likely causes, next steps and an AWS page.
"""

from bot.analysis.findings.connection_rules import (
    joined_but_idle,
    never_got_in,
    no_join_recorded,
    reconnect_storm,
    still_connected,
)
from bot.analysis.findings.diagnosis import diagnose, rank
from bot.analysis.findings.error_rules import (
    error_group_finding,
    insufficient_capabilities,
    publisher_not_found,
    quota_exceeded,
    stream_duration_exceeded,
)
from bot.analysis.findings.history_rules import healthy, no_events, unknown_names
from bot.analysis.findings.model import MAX_NAMED, Finding, Severity, lookup_command, occurrences

__all__ = [
    "MAX_NAMED",
    "Finding",
    "Severity",
    "diagnose",
    "error_group_finding",
    "healthy",
    "insufficient_capabilities",
    "joined_but_idle",
    "lookup_command",
    "never_got_in",
    "no_events",
    "no_join_recorded",
    "occurrences",
    "publisher_not_found",
    "quota_exceeded",
    "rank",
    "reconnect_storm",
    "still_connected",
    "stream_duration_exceeded",
    "unknown_names",
]
