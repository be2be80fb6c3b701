"""Who the participant is and where: the facts shown above the diagnosis, as label/phrase pairs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.analysis import Analysis, Severity
from bot.analysis.durations import format_duration
from bot.analysis.phrases import Phrase, Quoted

SEVERITY_EMOJI = {
    Severity.PROBLEM: ":red_circle:",
    Severity.WARNING: ":large_orange_circle:",
    Severity.INFO: ":large_blue_circle:",
    Severity.OK: ":large_green_circle:",
}


def verdict(analysis: Analysis) -> str:
    """A few words for the header: how bad it is."""
    if analysis.event_count == 0:
        return "no events recorded"
    problems = sum(1 for f in analysis.findings if f.severity is Severity.PROBLEM)
    warnings = sum(1 for f in analysis.findings if f.severity is Severity.WARNING)
    if problems:
        return f"{problems} problem{'s' if problems > 1 else ''} found"
    if warnings:
        return f"{warnings} warning{'s' if warnings > 1 else ''}"
    return "no problems recorded"


def verdict_emoji(analysis: Analysis) -> str:
    """The emoji of the most severe finding."""
    order = (Severity.PROBLEM, Severity.WARNING, Severity.INFO, Severity.OK)
    worst = min((order.index(f.severity) for f in analysis.findings), default=3)
    return SEVERITY_EMOJI[order[worst]]


def _text(details: Mapping[str, Any], key: str) -> str | None:
    value = details.get(key)
    return None if value is None or value == "" else str(value)


def _attributes(value: Any) -> str | None:
    if not isinstance(value, Mapping) or not value:
        return None
    return ", ".join(f"{key}={item}" for key, item in value.items())


def participant_facts(analysis: Analysis) -> list[tuple[str, Phrase]]:
    """GetParticipant's details worth a glance (only those IVS returned), then session and fetch facts.

    At most 10 items: a Slack section holds 10 fields.
    """
    facts: list[tuple[str, Phrase]] = []
    details = analysis.participant
    if details is None:
        facts.append(("Participant", ("details not available (GetParticipant failed)",)))
    else:
        for label, key in (("User id", "userId"), ("State", "state")):
            value = _text(details, key)
            if value is not None:
                facts.append((label, (Quoted(value),)))
        browser = " ".join(v for v in (_text(details, "browserName"), _text(details, "browserVersion")) if v)
        system = " ".join(v for v in (_text(details, "osName"), _text(details, "osVersion")) if v)
        if browser or system:
            client: Phrase = (Quoted(browser),) if browser else ()
            if system:
                client += (" on " if browser else "", Quoted(system))
            facts.append(("Client", client))
        for label, key in (("SDK", "sdkVersion"), ("ISP", "ispName"), ("Protocol", "protocol")):
            value = _text(details, key)
            if value is not None:
                facts.append((label, (Quoted(value),)))
        first_join = details.get("firstJoinTime")
        if isinstance(first_join, datetime):
            facts.append(("First joined", (first_join,)))
        attributes = _attributes(details.get("attributes"))
        if attributes is not None:
            facts.append(("Attributes", (Quoted(attributes),)))
    facts.append(("Session", session_phrase(analysis)))
    facts.append(("Events", (f"{analysis.event_count:,} in {analysis.history.pages:,} page(s)",)))
    return facts[:10]


def session_phrase(analysis: Analysis) -> Phrase:
    """ "live since …", "ended …", or unknown."""
    session = analysis.session
    if session is None:
        return ("details not available",)
    start, end = session.get("startTime"), session.get("endTime")
    if isinstance(end, datetime):
        return ("ended ", end)
    if isinstance(start, datetime):
        return ("live since ", start, f" ({format_duration(analysis.now - start)})")
    return ("live",)


def totals_phrase(analysis: Analysis) -> Phrase:
    """ "connected 1 h 02 min (3 times), published 58 min, received 2 publishers for 55 min"."""
    timeline = analysis.timeline
    return (
        f"Connected {format_duration(timeline.connected_time)} ({len(timeline.connections):,} time(s)), "
        f"published {format_duration(timeline.publishing_time)}, "
        f"received {len(timeline.received_time):,} publisher(s) for "
        f"{format_duration(timeline.subscribed_time)}.",
    )
