"""Pure analysis: events -> timeline, spans, diagnosis. No I/O, no Slack."""

from bot.analysis.catalogue import ERROR_CODES, EVENT_NAMES, describe_error_code, describe_event_name
from bot.analysis.findings import Finding, Severity
from bot.analysis.participant_analysis import Analysis, analyze

__all__ = [
    "ERROR_CODES",
    "EVENT_NAMES",
    "Analysis",
    "Finding",
    "Severity",
    "analyze",
    "describe_error_code",
    "describe_event_name",
]
