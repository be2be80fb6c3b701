"""Correlation rules: from timeline and patterns to findings, most likely root cause first.

Each rule looks beyond one error code at a time: who a missing publisher was and when it was last seen, the
token exchange that removed a capability just before INSUFFICIENT_CAPABILITIES, a join/leave storm that
produced no error event at all. Each finding carries its meaning, likely causes, next steps and an AWS page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from bot.analysis.catalogue import (
    NETWORK_REQUIREMENTS_DOC,
    SERVICE_QUOTAS_DOC,
    DocLink,
    ErrorCodeInfo,
    describe_error_code,
)
from bot.analysis.durations import format_duration
from bot.analysis.patterns import Patterns
from bot.analysis.phrases import Phrase, Quoted, phrase
from bot.analysis.timeline import ErrorGroup, RemoteFailure, Storm, Timeline
from bot.ivs.errors import InvalidQueryError
from bot.ivs.query import USAGE, ParticipantQuery

_ACTIONS = {"JOIN_ERROR": "Joining", "PUBLISH_ERROR": "Publishing", "SUBSCRIBE_ERROR": "Subscribing"}
_NEEDED_CAPABILITY = {"PUBLISH_ERROR": "PUBLISH", "SUBSCRIBE_ERROR": "SUBSCRIBE"}
_COMMAND = USAGE.split()[0]

# How many remote publishers / storms a finding names before saying "and N more".
MAX_NAMED = 3


class Severity(StrEnum):
    """How worried to be."""

    PROBLEM = "problem"
    WARNING = "warning"
    INFO = "info"
    OK = "ok"


@dataclass(frozen=True, slots=True)
class Finding:
    """One conclusion about the participant, with everything needed to act on it.

    Attributes:
        rule: a stable id for tests and logs ("storm_without_errors", "error:PUBLISH_ERROR:QUOTA_EXCEEDED").
        score: likelihood of being the root cause; findings are sorted by it (highest first).
        order: the index of the first event behind it (ties: earlier first).
        evidence: what in this history shows it, with times and ids.
        codes: the error codes this finding explains (an unknown code appears as sent).
    """

    rule: str
    severity: Severity
    score: int
    title: Phrase
    meaning: Phrase
    causes: tuple[Phrase, ...] = ()
    next_steps: tuple[Phrase, ...] = ()
    evidence: tuple[Phrase, ...] = ()
    doc: DocLink | None = None
    codes: tuple[str, ...] = ()
    order: int = 0
    count: int = 0


def _texts(items: Iterable[str]) -> tuple[Phrase, ...]:
    return tuple((item,) for item in items)


def occurrences(count: int, first: datetime, last: datetime) -> Phrase:
    """ "once, at T" or "N times between A and B"."""
    if count == 1:
        return ("once, at ", first)
    return (f"{count:,} times between ", first, " and ", last)


def _times(count: int) -> str:
    return "" if count == 1 else f" ×{count:,}"


def lookup_command(query: ParticipantQuery, participant_id: str) -> str | None:
    """The slash command that shows another participant of the same session, if the id is valid."""
    try:
        other = ParticipantQuery(query.stage_arn, query.session_id, participant_id)
    except InvalidQueryError:
        return None
    return f"{_COMMAND} {other.as_value()}"


def _group_title(group: ErrorGroup, info: ErrorCodeInfo, headline: Phrase | None = None) -> Phrase:
    action = _ACTIONS.get(group.event_name)
    lead: Phrase = (f"{action} failed: ",) if action else (Quoted(group.event_name), " failed: ")
    code: Phrase = (" (", Quoted(group.code), ")") if group.code is not None else (" (no error code)",)
    return (*lead, *(headline or (info.headline,)), *code, _times(group.count))


def _group_evidence(group: ErrorGroup) -> Phrase:
    evidence: Phrase = (
        Quoted(group.event_name),
        " ",
        Quoted(group.code) if group.code is not None else "without an error code",
        " ",
        *occurrences(group.count, group.first, group.last),
        ".",
    )
    if group.count >= 3:
        evidence += (" The same failure kept repeating: the client retries without changing anything.",)
    return evidence


def _base_error_finding(group: ErrorGroup, info: ErrorCodeInfo, rule_suffix: str = "") -> Finding:
    return Finding(
        rule=f"error:{group.event_name}:{group.code}{rule_suffix}",
        severity=Severity.PROBLEM,
        score=info.score,
        title=_group_title(group, info),
        meaning=(info.meaning,),
        causes=_texts(info.causes),
        next_steps=_texts(info.next_steps),
        evidence=(_group_evidence(group),),
        doc=info.doc,
        codes=(group.code,) if group.code is not None else (),
        order=group.first_index,
        count=group.count,
    )


def _remote_evidence(remote: RemoteFailure) -> Phrase:
    failures = "a failed subscribe" if remote.count == 1 else f"{remote.count:,} failed subscribes"
    lead: Phrase = ("Publisher ", Quoted(remote.remote_id), f": {failures} from ", remote.first, ". ")
    if remote.received_until is not None and remote.received_until <= remote.first:
        gap = format_duration(remote.first - remote.received_until)
        return (
            *lead,
            "This participant last received it from ",
            remote.received_from if remote.received_from is not None else remote.received_until,
            " until ",
            remote.received_until,
            f" ({gap} before the first failure): it had most likely stopped publishing or left by then.",
        )
    if remote.received_from is not None:
        return (*lead, "This participant was receiving it since ", remote.received_from, ".")
    return (
        *lead,
        "This history never shows this participant receiving it, so it may have stopped publishing "
        "before this participant tried; its own history will say when.",
    )


def publisher_not_found(group: ErrorGroup, info: ErrorCodeInfo, query: ParticipantQuery) -> Finding:
    """Name the missing publisher(s) and when this history last saw them publishing."""
    named = group.remotes[:MAX_NAMED]
    more = len(group.remotes) - len(named) + group.remotes_not_detailed
    evidence = [_group_evidence(group), *(_remote_evidence(remote) for remote in named)]
    if more:
        evidence.append((f"…and {more:,} more failures against other publishers (full JSON).",))
    headline: Phrase
    if len(group.remotes) == 1 and not group.remotes_not_detailed:
        headline = ("publisher ", Quoted(group.remotes[0].remote_id), " was not there")
    elif group.remotes:
        headline = (f"{len(group.remotes) + group.remotes_not_detailed:,} publishers were not there",)
    else:
        headline = (info.headline,)
    steps: list[Phrase] = []
    for remote in named:
        command = lookup_command(query, remote.remote_id)
        if command is not None:
            # Built from validated ids only, so it is bounded (≤ 230 characters): show it whole.
            steps.append(("See what happened to ", Quoted(remote.remote_id), ": ", Quoted(command, 300)))
    steps.extend(_texts(info.next_steps))
    return replace(
        _base_error_finding(group, info),
        title=_group_title(group, info, headline),
        next_steps=tuple(steps),
        evidence=tuple(evidence),
    )


def insufficient_capabilities(group: ErrorGroup, info: ErrorCodeInfo) -> Finding:
    """Point at the TOKEN_EXCHANGED that removed the capability, when there was one."""
    base = _base_error_finding(group, info)
    exchange = group.token_in_effect
    needed = _NEEDED_CAPABILITY.get(group.event_name)
    if exchange is None or not exchange.dropped or (needed and needed not in exchange.dropped):
        return base
    dropped = ", ".join(sorted(exchange.dropped))
    before = ", ".join(sorted(exchange.previous_capabilities)) or "none"
    after = ", ".join(sorted(exchange.new_capabilities)) or "none"
    action = _ACTIONS.get(group.event_name, "The next action")
    gap = format_duration(group.first - exchange.time)
    return Finding(
        rule=base.rule + ":after_token_exchange",
        severity=Severity.PROBLEM,
        score=100,
        title=(
            "A token exchange removed ",
            Quoted(dropped),
            f", then {action.lower()} failed (INSUFFICIENT_CAPABILITIES){_times(group.count)}",
        ),
        meaning=(
            "The client swapped its token in-session (TOKEN_EXCHANGED) for one without ",
            Quoted(dropped),
            f"; {gap} later IVS refused the action because the new token does not allow it.",
        ),
        causes=(
            (
                "The backend issued the exchanged token with a smaller `capabilities` list than the "
                "client still uses.",
            ),
            (
                "The client kept publishing or subscribing after a planned downgrade (for example a host "
                "moved back to viewer) instead of stopping first.",
            ),
        ),
        next_steps=(
            (
                "Keep every capability the client still uses in the exchanged token, or make the client "
                "stop publishing/subscribing before it exchanges the token.",
            ),
            ("Compare previousToken and newToken in the TOKEN_EXCHANGED event (full JSON).",),
        ),
        evidence=(
            (
                "TOKEN_EXCHANGED at ",
                exchange.time,
                ": capabilities ",
                Quoted(before),
                " → ",
                Quoted(after),
                ".",
            ),
            _group_evidence(group),
        ),
        doc=info.doc,
        codes=base.codes,
        order=exchange.index,
        count=group.count,
    )


def quota_exceeded(group: ErrorGroup, info: ErrorCodeInfo) -> Finding:
    """On publish it is the 12-publisher limit (not adjustable); on subscribe the subscriber quota."""
    base = _base_error_finding(group, info)
    if group.event_name == "PUBLISH_ERROR":
        return replace(
            base,
            title=_group_title(group, info, ("the stage already had 12 publishers",)),
            meaning=(
                "A stage allows at most 12 publishers at a time, and this quota is not adjustable: "
                "12 others were publishing when this participant tried.",
            ),
            causes=_texts(
                (
                    "12 participants were already publishing to the stage at that moment.",
                    "Idle hosts or stale tabs still count until they unpublish or leave.",
                )
            ),
            next_steps=_texts(
                (
                    "List who was publishing: ListParticipants with filterByPublished=true.",
                    "Unpublish idle hosts, or split the hosts across stages (12 publishers each).",
                )
            ),
            doc=SERVICE_QUOTAS_DOC,
        )
    if group.event_name == "SUBSCRIBE_ERROR":
        return replace(
            base,
            title=_group_title(group, info, ("the stage reached its subscriber quota",)),
            meaning=(
                "The stage already had as many subscribers as its quota allows (10,000 per stage by "
                "default; this quota is adjustable).",
            ),
            causes=_texts(("More viewers than the stage's subscriber quota at that moment.",)),
            next_steps=_texts(
                (
                    "Request an increase of the subscribers-per-stage quota in Service Quotas "
                    "before large events.",
                )
            ),
            doc=SERVICE_QUOTAS_DOC,
        )
    return base


def stream_duration_exceeded(group: ErrorGroup, info: ErrorCodeInfo, timeline: Timeline) -> Finding:
    """Show how long the longest publish or subscription had lasted."""
    base = _base_error_finding(group, info)
    candidates = [span for span in (timeline.publishes.longest(), timeline.subscriptions.longest()) if span]
    if not candidates:
        return base
    longest = max(candidates, key=lambda span: span.duration)
    note: Phrase = (
        f"The longest publish or subscription in this history lasted {format_duration(longest.duration)}"
        " (the limit is 24 hours).",
    )
    return replace(base, evidence=(*base.evidence, note))


_SPECIAL: dict[str, Callable[[ErrorGroup, ErrorCodeInfo], Finding]] = {
    "INSUFFICIENT_CAPABILITIES": insufficient_capabilities,
    "QUOTA_EXCEEDED": quota_exceeded,
}


def error_group_finding(group: ErrorGroup, timeline: Timeline, query: ParticipantQuery) -> Finding:
    """Explain one group of identical errors, using the correlation rule for its code when there is one."""
    if group.code is None:
        return Finding(
            rule=f"error:{group.event_name}:none",
            severity=Severity.PROBLEM,
            score=40,
            title=(Quoted(group.event_name), f" without an error code{_times(group.count)}"),
            meaning=("IVS recorded a failure without saying why.",),
            next_steps=_texts(("Check the client's own logs around these times.",)),
            evidence=(_group_evidence(group),),
            order=group.first_index,
            count=group.count,
        )
    info = describe_error_code(group.code)
    if group.code == "PUBLISHER_NOT_FOUND":
        return publisher_not_found(group, info, query)
    if group.code == "STREAM_DURATION_EXCEEDED":
        return stream_duration_exceeded(group, info, timeline)
    special = _SPECIAL.get(group.code)
    return special(group, info) if special else _base_error_finding(group, info)


def never_got_in(timeline: Timeline, patterns: Patterns) -> Finding | None:
    """JOIN_ERRORs with no later JOINED: the participant never got in (or never got back in)."""
    if not patterns.never_got_in:
        return None
    joins = [g for g in timeline.error_groups if g.event_name == "JOIN_ERROR"]
    if timeline.last_join_index is not None:
        joins = [g for g in joins if g.last_index > timeline.last_join_index]
    main = max(joins, key=lambda g: (g.count, g.last_index))
    info = describe_error_code(main.code) if main.code is not None else None
    attempts = sum(g.count for g in joins)
    if timeline.last_join_index is None:
        title: Phrase = (f"Never got into the stage: {attempts:,} join attempt(s) failed",)
        meaning: Phrase = (
            "Every join attempt in this history failed and none succeeded, so this participant was "
            "never in the stage.",
        )
    else:
        title = (f"Could not get back in: {attempts:,} join attempt(s) failed after the last JOINED",)
        meaning = ("The participant was in the stage earlier, but every later attempt to rejoin failed.",)
    codes = tuple(g.code for g in joins if g.code is not None)
    return Finding(
        rule="never_got_in",
        severity=Severity.PROBLEM,
        score=95,
        title=(*title, *phrase(" (", Quoted(main.code) if main.code else None, ")" if main.code else None)),
        meaning=(*meaning, *((" ", info.meaning) if info else ())),
        causes=_texts(info.causes) if info else (),
        next_steps=_texts(info.next_steps) if info else (),
        evidence=tuple(_group_evidence(g) for g in joins),
        doc=info.doc if info else None,
        codes=codes,
        order=min(g.first_index for g in joins),
        count=attempts,
    )


def _storm_line(storm: Storm) -> Phrase:
    errors = "no error events" if storm.errors == 0 else f"{storm.errors:,} error event(s)"
    return (
        f"Joined and left {storm.cycles:,} times between ",
        storm.start,
        " and ",
        storm.end,
        f" ({format_duration(storm.end - storm.start)}, {errors}).",
    )


def reconnect_storm(patterns: Patterns) -> Finding | None:
    """Quick join/leave cycles; with no error events it points at the client's network."""
    if not patterns.storms:
        return None
    storms = patterns.storms
    biggest = max(storms, key=lambda s: s.cycles)
    cycles = sum(s.cycles for s in storms)
    # One storm is fully described by the title; several get a line each.
    evidence = [_storm_line(s) for s in storms[:MAX_NAMED]] if len(storms) > 1 else []
    if len(storms) > MAX_NAMED:
        evidence.append((f"…and {len(storms) - MAX_NAMED:,} more storms.",))
    quiet = all(s.errors == 0 for s in storms)
    title: Phrase = (
        f"Reconnect storm: joined and left {biggest.cycles:,} times between ",
        biggest.start,
        " and ",
        biggest.end,
        f" ({format_duration(biggest.end - biggest.start)})",
    )
    if len(storms) > 1:
        title += (f" ({len(storms)} storms, {cycles:,} cycles in all)",)
    causes = _texts(
        (
            "An unstable client network (Wi-Fi, mobile handover, VPN or proxy), or a firewall that blocks "
            "UDP: media uses UDP 443 and 3478, and publishing has no TCP fallback.",
            "Two clients joining with the same token: each join disconnects the other without an error.",
            "App code that leaves and rejoins in a loop (for example on every re-render or retry).",
        )
    )
    steps = _texts(
        (
            "Run the IVS network test (linked from the network requirements page) on the client's network.",
            "Check that each token is used by one client only.",
            "Read the client SDK's logs for connection errors during the storm.",
        )
    )
    if quiet:
        return Finding(
            rule="storm_without_errors",
            severity=Severity.PROBLEM,
            score=90,
            title=(*title, ", with no error events"),
            meaning=(
                "The connection kept dropping and coming back, and IVS recorded no error for it. Network "
                "failures and token-signature failures on the client never appear as IVS events, so the "
                "cause is most likely the client's network.",
            ),
            causes=causes,
            next_steps=steps,
            evidence=tuple(evidence),
            doc=NETWORK_REQUIREMENTS_DOC,
            order=biggest.first_index,
            count=cycles,
        )
    return Finding(
        rule="storm_with_errors",
        severity=Severity.WARNING,
        score=65,
        title=title,
        meaning=(
            "The connection kept dropping and coming back. Error events happened during it (see the "
            "errors); if they do not explain the drops, look at the client's network.",
        ),
        causes=causes,
        next_steps=steps,
        evidence=tuple(evidence),
        doc=NETWORK_REQUIREMENTS_DOC,
        order=biggest.first_index,
        count=cycles,
    )


def no_events() -> Finding:
    """An empty history: the participant may never have reached IVS at all."""
    return Finding(
        rule="no_events",
        severity=Severity.WARNING,
        score=70,
        title=("No events recorded for this participant in this session",),
        meaning=(
            "IVS has no events for this participant in this session. Failures before joining, such as "
            "an expired or badly signed token or blocked network traffic, are never recorded as events.",
        ),
        causes=_texts(
            (
                "The client never reached IVS (token or network failure on the client).",
                "The participant id belongs to another session of this stage.",
            )
        ),
        next_steps=_texts(
            (
                "Check the client's logs for token or connection errors.",
                "Find the right participant id with ListParticipants (filterByUserId) for this session.",
            )
        ),
        doc=NETWORK_REQUIREMENTS_DOC,
    )


def no_join_recorded(timeline: Timeline, patterns: Patterns) -> Finding | None:
    """Events, but neither JOINED nor JOIN_ERROR: the history does not show the participant getting in."""
    if timeline.event_count == 0 or not patterns.never_joined or timeline.last_join_error_index is not None:
        return None
    return Finding(
        rule="no_join_recorded",
        severity=Severity.WARNING,
        score=70,
        title=("No JOINED event in this history",),
        meaning=(
            "IVS recorded events for this participant but never a successful join, so connection "
            "times cannot be worked out.",
        ),
        next_steps=_texts(("Check the full JSON for what was recorded, and the client's logs.",)),
        doc=NETWORK_REQUIREMENTS_DOC,
    )


def joined_but_idle(timeline: Timeline, patterns: Patterns) -> Finding | None:
    """Connected, but neither published nor subscribed (nor tried to)."""
    if not patterns.joined_but_idle:
        return None
    return Finding(
        rule="joined_but_idle",
        severity=Severity.INFO,
        score=30,
        title=("Joined but never published or subscribed",),
        meaning=(
            f"The participant was connected for {format_duration(timeline.connected_time)} but neither "
            "sent nor received media, and never tried to.",
        ),
        causes=_texts(
            (
                "Nobody else was publishing, so there was nothing to subscribe to.",
                "The app's stage strategy chose not to publish or subscribe (Web SDK: "
                "stageStreamsToPublish, shouldPublishParticipant, shouldSubscribeToParticipant).",
                "Camera or microphone permission was denied, so there was nothing to publish.",
            )
        ),
        next_steps=_texts(
            (
                "Check whether anyone was publishing then (ListParticipants with filterByPublished).",
                "Check the client's stage strategy and device permissions.",
            )
        ),
    )


def still_connected(timeline: Timeline, patterns: Patterns) -> Finding | None:
    """The session is live and the participant is connected now: the picture can still change."""
    if not patterns.still_connected:
        return None
    span = timeline.connections[-1]
    doing = []
    if timeline.still_publishing:
        doing.append("publishing")
    receiving = timeline.receiving_at_end
    if receiving:
        doing.append(f"receiving {receiving:,} publisher(s)")
    return Finding(
        rule="still_connected",
        severity=Severity.INFO,
        score=10,
        title=("Still connected now, since ", span.start, f" ({format_duration(span.duration)})"),
        meaning=(
            "The session is live and the last connection has not ended"
            + (f"; it is {' and '.join(doing)}" if doing else "")
            + ". Asking again later may show more.",
        ),
        order=len(timeline.join_times),
    )


def unknown_names(patterns: Patterns) -> Finding | None:
    """Event names newer than this bot: counted and shown as sent, never dropped."""
    if not patterns.unknown_names:
        return None
    listed = patterns.unknown_names[:MAX_NAMED]
    evidence: list[Phrase] = [(Quoted(name), f" ×{count:,}") for name, count in listed]
    if len(patterns.unknown_names) > MAX_NAMED:
        evidence.append((f"…and {len(patterns.unknown_names) - MAX_NAMED:,} more names.",))
    total = sum(count for _, count in patterns.unknown_names)
    return Finding(
        rule="unknown_event_names",
        severity=Severity.INFO,
        score=5,
        title=(f"{total:,} event(s) with names this bot does not recognise",),
        meaning=(
            "They are probably newer than this bot's AWS SDK; they are counted and shown exactly as "
            "IVS sent them.",
        ),
        evidence=tuple(evidence),
    )


def healthy(timeline: Timeline) -> Finding:
    """No problems recorded: say what went right, and why that is not proof."""
    received = len(timeline.received_time)
    summary = (
        f"No error events and no reconnect storm in {timeline.event_count:,} events: connected "
        f"{format_duration(timeline.connected_time)} over {len(timeline.connections):,} connection(s), "
        f"published {format_duration(timeline.publishing_time)}, received {received:,} publisher(s)."
    )
    return Finding(
        rule="no_problems",
        severity=Severity.OK,
        score=0,
        title=("No problems recorded",),
        meaning=(summary,),
        causes=(),
        next_steps=_texts(
            (
                "No error events is not proof of health: network problems and token-signature failures "
                "on the client are never recorded as IVS events.",
                "If the user still reports a problem, check the client's logs and network.",
            )
        ),
        doc=NETWORK_REQUIREMENTS_DOC,
    )


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
