"""Error-code rules: one finding per group of identical errors, correlated with what came before."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from bot.analysis.catalogue import ERROR_CODES, SERVICE_QUOTAS_DOC, ErrorCodeInfo, describe_error_code
from bot.analysis.client_advice import advice_for
from bot.analysis.client_kind import ClientKind
from bot.analysis.durations import format_duration
from bot.analysis.findings.model import (
    MAX_NAMED,
    RESOLVED_PENALTY,
    Finding,
    Severity,
    _texts,
    _times,
    lookup_command,
    occurrences,
)
from bot.analysis.phrases import Phrase, Quoted, counted, marked, times
from bot.analysis.recovery import (
    NOT_FIXED,
    Status,
    after_join_failure,
    after_publish_failure,
    after_subscribe_failure,
)
from bot.analysis.span_log import SpanEnd
from bot.analysis.timeline import PUBLISH_ENDED_BY_ERROR
from bot.analysis.timeline_model import ErrorGroup, RemoteFailure, Storm, StormCause, Timeline
from bot.domain.queries import ParticipantQuery

# Failures closer together than this on average are one retry loop; further apart, separate attempts.
RETRY_LOOP_GAP = timedelta(minutes=5)
# A failed subscription costs one remote publisher's media; a failed join or publish costs the participant
# its whole part in the session. When ranking, subscribe errors weigh less.
SUBSCRIBE_WEIGHT = 15

# Failures inside IVS itself: nothing on the client can fix them, so retrying and then AWS Support are the
# only steps (IVS Real-Time API reference: INTERNAL_SERVER_EXCEPTION "retry; escalate to AWS Support").
SERVICE_SIDE_CODES = frozenset({"INTERNAL_SERVER_EXCEPTION"})
# Subscribe failures about the publisher itself (it was gone): against different publishers they are
# separate incidents. Any other code (a token without SUBSCRIBE, a quota) is one cause on this side.
PUBLISHER_SIDE_CODES = frozenset({"PUBLISHER_NOT_FOUND"})
# A service-side failure seen this often with no success after it is no longer a transient blip.
ESCALATE_AFTER = 2

_ACTIONS = {"JOIN_ERROR": "Joining", "PUBLISH_ERROR": "Publishing", "SUBSCRIBE_ERROR": "Subscribing"}
_NEEDED_CAPABILITY = {"PUBLISH_ERROR": "PUBLISH", "SUBSCRIBE_ERROR": "SUBSCRIBE"}


def _group_title(group: ErrorGroup, info: ErrorCodeInfo, headline: Phrase | None = None) -> Phrase:
    action = _ACTIONS.get(group.event_name)
    lead: Phrase = (f"{action} failed: ",) if action else (Quoted(group.event_name), " failed: ")
    code: Phrase = (" (", Quoted(group.code), ")") if group.code is not None else (" (no error code)",)
    return (*lead, *(headline or marked(info.headline)), *code, _times(group.count))


def _group_headline(group: ErrorGroup, info: ErrorCodeInfo, headline: Phrase | None = None) -> Phrase:
    """ "publishing failed: bitrate above the maximum (`BITRATE_EXCEEDED` ×5)": for the reply's first line."""
    action = _ACTIONS.get(group.event_name)
    lead: Phrase = (f"{action.lower()} failed: ",) if action else (Quoted(group.event_name), " failed: ")
    code: Phrase = (Quoted(group.code),) if group.code is not None else ("no error code",)
    return (*lead, *(headline or marked(info.headline)), " (", *code, _times(group.count), ")")


def _group_evidence(group: ErrorGroup, retry_note: bool = True) -> Phrase:
    evidence: Phrase = (
        Quoted(group.event_name),
        " ",
        Quoted(group.code) if group.code is not None else "without an error code",
        " ",
        *occurrences(group.count, group.first, group.last),
        ".",
    )
    targets = len(group.remotes) + group.remotes_not_detailed
    if targets > 1 and group.code in PUBLISHER_SIDE_CODES:
        evidence += (f" Against {targets:,} different publishers: separate incidents, not one retry loop.",)
    elif targets > 1:
        evidence += (
            f" Against {targets:,} different publishers, for one cause on this participant's side: the "
            "publishers are not the problem.",
        )
    elif retry_note and group.count >= 3 and group.last - group.first <= RETRY_LOOP_GAP * (group.count - 1):
        if group.code in SERVICE_SIDE_CODES:
            evidence += (" The same failure kept repeating: every retry failed inside IVS.",)
        else:
            evidence += (" The same failure kept repeating: the client retries without changing anything.",)
    return evidence


def _base_error_finding(group: ErrorGroup, info: ErrorCodeInfo, rule_suffix: str = "") -> Finding:
    return Finding(
        rule=f"error:{group.event_name}:{group.code}{rule_suffix}",
        severity=Severity.PROBLEM,
        score=info.score - (SUBSCRIBE_WEIGHT if group.event_name == "SUBSCRIBE_ERROR" else 0),
        title=_group_title(group, info),
        headline=_group_headline(group, info),
        meaning=marked(info.meaning),
        causes=_texts(info.causes),
        next_steps=_texts(info.next_steps),
        evidence=(_group_evidence(group),),
        doc=info.doc,
        codes=(group.code,) if group.code is not None else (),
        order=group.first_index,
        count=group.count,
    )


# A subscribe this soon after the publisher's feed stopped (or before it started) is the normal race of a
# publisher leaving or arriving, not a failure of this participant. (Tuned by hand, not an AWS number.)
RACE_WINDOW = timedelta(seconds=30)
# Where a publisher race ranks: information, just above "connected now" and "no problems recorded".
RACE_SCORE = 25


def _received_after(timeline: Timeline, remote: RemoteFailure) -> datetime | None:
    """When this participant first received ``remote`` after its last failed subscribe, if it did."""
    subscriptions = timeline.subscriptions
    later = [
        start
        for who, start in zip(subscriptions.remotes, subscriptions.starts, strict=True)
        if who == remote.remote_id and start > remote.last
    ]
    return min(later) if later else None


def _just_left(remote: RemoteFailure) -> bool:
    """The publisher's feed stopped a moment before the failed subscribe: it had just left."""
    until = remote.received_until
    return until is not None and until <= remote.first and remote.first - until <= RACE_WINDOW


def _not_started_yet(remote: RemoteFailure, received_after: datetime | None) -> bool:
    """Never received before the failure, and received a moment after it: subscribed a little too early."""
    return (
        remote.received_until is None
        and received_after is not None
        and received_after - remote.last <= RACE_WINDOW
    )


def _remote_evidence(remote: RemoteFailure, received_after: datetime | None = None) -> Phrase:
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
    if received_after is not None:
        gap = format_duration(received_after - remote.last)
        return (
            *lead,
            "This participant received it from ",
            received_after,
            f" ({gap} after the last failure): it had not started publishing yet when this participant "
            "first tried.",
        )
    return (
        *lead,
        "This history never shows this participant receiving it, so it may have stopped publishing "
        "before this participant tried; its own history will say when.",
    )


def _names(remotes: list[RemoteFailure]) -> Phrase:
    """ "publisher `A`" or "publishers `A` and `B`"."""
    if len(remotes) == 1:
        return ("publisher ", Quoted(remotes[0].remote_id))
    return ("publishers ", Quoted(remotes[0].remote_id), " and ", Quoted(remotes[1].remote_id))


def _race_finding(
    base: Finding, group: ErrorGroup, received: dict[str, datetime | None], steps: list[Phrase]
) -> Finding:
    """Every failed subscribe came just after its publisher left or just before it started: information."""
    remotes = list(group.remotes)
    left = [r for r in remotes if _just_left(r)]
    code: Phrase = (" (", Quoted("PUBLISHER_NOT_FOUND"), _times(group.count), ")")
    what: Phrase
    if len(remotes) == 1 and left:
        what = (*_names(remotes), " had just left at ", remotes[0].received_until or remotes[0].first)
    elif len(remotes) == 1:
        what = (*_names(remotes), " had not started publishing yet")
    elif len(left) == len(remotes):
        what = (
            (*_names(remotes), " had just left")
            if len(remotes) == 2
            else (f"{len(remotes):,} publishers had just left",)
        )
    elif not left:
        what = (f"{len(remotes):,} publishers had not started publishing yet",)
    else:
        what = (f"{len(remotes):,} publishers were just leaving or not publishing yet",)
    headline = (*what, *code)
    if left:
        meaning: Phrase = (
            "This is the normal race of a publisher leaving: the subscribe came a moment after the "
            "publisher had stopped publishing or left, so there was nothing to receive. Nothing failed on "
            "this participant's side; why the publisher left is in its own history.",
        )
    else:
        meaning = (
            "This is the normal race of a publisher arriving: the subscribe came a moment before the "
            "publisher had started publishing, and the next try worked. Nothing failed on this "
            "participant's side.",
        )
    nothing: Phrase = ("Nothing to fix on this participant's side.",)
    return replace(
        base,
        rule=base.rule + ":race",
        severity=Severity.INFO,
        score=RACE_SCORE,
        title=(str(what[0]).capitalize(), *what[1:], *code),
        headline=headline,
        meaning=meaning,
        causes=_texts(
            ("The publisher stopped publishing or left just before the subscribe request (a race).",)
            if left
            else ("The subscribe request came just before the publisher started publishing (a race).",)
        ),
        next_steps=(*steps, nothing) if left else (nothing, *steps),
        evidence=(
            _group_evidence(group),
            *(_remote_evidence(r, received.get(r.remote_id)) for r in remotes[:MAX_NAMED]),
        ),
    )


def publisher_not_found(
    group: ErrorGroup, info: ErrorCodeInfo, query: ParticipantQuery, timeline: Timeline
) -> Finding:
    """Name the missing publisher(s) and when this history last saw them publishing.

    When every failure came just after its publisher left (or just before it started), it is the normal
    race of a publisher coming and going: information, not a failure of this participant.
    """
    named = group.remotes[:MAX_NAMED]
    more = len(group.remotes) - len(named) + group.remotes_not_detailed
    received = {remote.remote_id: _received_after(timeline, remote) for remote in named}
    evidence = [
        _group_evidence(group),
        *(_remote_evidence(remote, received[remote.remote_id]) for remote in named),
    ]
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
    base = _base_error_finding(group, info)
    if (
        group.remotes
        and not more
        and all(_just_left(r) or _not_started_yet(r, received[r.remote_id]) for r in group.remotes)
    ):
        return _race_finding(base, group, received, steps)
    steps.extend(_texts(info.next_steps))
    return replace(
        base,
        title=_group_title(group, info, headline),
        headline=_group_headline(group, info, headline),
        next_steps=tuple(steps),
        evidence=tuple(evidence),
    )


def _without_token_story(base: Finding, group: ErrorGroup, timeline: Timeline) -> Finding:
    """No exchange before the failure removed the capability: never offer one as the cause (event order)."""

    def about_exchange(item: Phrase) -> bool:
        return Quoted("TOKEN_EXCHANGED") in item

    evidence = list(base.evidence)
    later = next((e for e in timeline.token_exchanges if e.index > group.first_index), None)
    if later is not None:
        evidence.append(
            (
                "The ",
                Quoted("TOKEN_EXCHANGED"),
                " at ",
                later.time,
                " came after the first failure, so it did "
                "not cause it: the token the client joined with already lacked the capability.",
            )
        )
    return replace(
        base,
        causes=tuple(c for c in base.causes if not about_exchange(c)),
        next_steps=tuple(n for n in base.next_steps if not about_exchange(n)),
        evidence=tuple(evidence),
    )


def insufficient_capabilities(group: ErrorGroup, info: ErrorCodeInfo, timeline: Timeline) -> Finding:
    """Point at the TOKEN_EXCHANGED that removed the capability, when there was one before the failure."""
    base = _base_error_finding(group, info)
    exchange = group.token_in_effect
    needed = _NEEDED_CAPABILITY.get(group.event_name)
    if exchange is None or not exchange.dropped or (needed and needed not in exchange.dropped):
        return _without_token_story(base, group, timeline)
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
            f", then {action.lower()} failed (",
            Quoted("INSUFFICIENT_CAPABILITIES"),
            f"){_times(group.count)}",
        ),
        headline=(
            "a token exchange removed ",
            Quoted(dropped),
            f", then {action.lower()} failed (",
            Quoted("INSUFFICIENT_CAPABILITIES"),
            f"{_times(group.count)})",
        ),
        meaning=(
            "The client swapped its token in-session (",
            Quoted("TOKEN_EXCHANGED"),
            ") for one without ",
            Quoted(dropped),
            f"; {gap} later IVS refused the action because the new token does not allow it.",
        ),
        causes=_texts(
            (
                "The backend issued the exchanged token with a smaller `capabilities` list than the "
                "client still uses.",
                "The client kept publishing or subscribing after a planned downgrade (for example a host "
                "moved back to viewer) instead of stopping first.",
            )
        ),
        next_steps=_texts(
            (
                "Keep every capability the client still uses in the exchanged token, or make the client "
                "stop publishing/subscribing before it exchanges the token.",
                "Compare `previousToken` and `newToken` in the `TOKEN_EXCHANGED` event (full JSON).",
            )
        ),
        evidence=(
            (
                Quoted("TOKEN_EXCHANGED"),
                " at ",
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
            title=_group_title(group, info, ("the stage already had its 12 publishers",)),
            headline=_group_headline(group, info, ("the stage already had 12 publishers",)),
            meaning=(
                "On a publish, ",
                Quoted("QUOTA_EXCEEDED"),
                " means the stage already had its 12 publishers: a stage allows at most 12 at a time, "
                "and this quota is not adjustable. IVS does not say who they were.",
            ),
            causes=_texts(
                (
                    "Other participants held all 12 publishing slots at that moment.",
                    "Idle hosts or stale tabs still count until they unpublish or leave.",
                )
            ),
            next_steps=_texts(
                (
                    "List who was publishing: `ListParticipants` with `filterByPublished=true`.",
                    "Unpublish idle hosts, or split the hosts across stages (12 publishers each).",
                )
            ),
            doc=SERVICE_QUOTAS_DOC,
        )
    if group.event_name == "SUBSCRIBE_ERROR":
        return replace(
            base,
            title=_group_title(group, info, ("the stage reached its subscriber quota",)),
            headline=_group_headline(group, info, ("the stage reached its subscriber quota",)),
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
    what = "publish" if group.event_name == "PUBLISH_ERROR" else "subscription"
    headline: Phrase = (
        f"{what} ended at the 24 h limit (",
        Quoted("STREAM_DURATION_EXCEEDED"),
        f"{_times(group.count)})",
    )
    base = replace(_base_error_finding(group, info), headline=headline)
    candidates = [span for span in (timeline.publishes.longest(), timeline.subscriptions.longest()) if span]
    if not candidates:
        return base
    longest = max(candidates, key=lambda span: span.duration)
    note: Phrase = (
        f"The longest publish or subscription in this history lasted {format_duration(longest.duration)}"
        " (the limit is 24 hours).",
    )
    return replace(base, evidence=(*base.evidence, note))


def _received_at(timeline: Timeline, moment: datetime) -> list[str]:
    """The publishers this participant was receiving at ``moment``, in the order it started receiving them."""
    subscriptions = timeline.subscriptions
    held = [
        (start, remote)
        for remote, start, end in zip(
            subscriptions.remotes, subscriptions.starts, subscriptions.ends, strict=True
        )
        if start <= moment < end
    ]
    return list(dict.fromkeys(remote for _, remote in sorted(held)))


def download_bitrate_exceeded(group: ErrorGroup, info: ErrorCodeInfo, timeline: Timeline) -> Finding:
    """On a subscribe, BITRATE_EXCEEDED is the download side: too much received at once, not sent.

    A participant receives at most 8.5 Mbps in total (IVS Real-Time service quotas); one more publisher at
    full quality takes it over. The publishers' own bitrate is within limits, or their publish would fail.
    """
    base = _base_error_finding(group, info)
    held = _received_at(timeline, group.first)
    evidence = list(base.evidence)
    if held:
        named = ", ".join(f"`{remote}`" for remote in held[:MAX_NAMED])
        more = f" and {len(held) - MAX_NAMED:,} more" if len(held) > MAX_NAMED else ""
        evidence.append(
            (
                "When it first failed, at ",
                group.first,
                f", this participant was already receiving {counted(len(held), 'publisher')}: ",
                *marked(named),
                f"{more}.",
            )
        )
    headline: Phrase = ("download above the 8.5 Mbps total",)
    return replace(
        base,
        rule=base.rule + ":download",
        title=_group_title(group, info, headline),
        headline=_group_headline(group, info, headline),
        meaning=(
            "On a subscribe, ",
            Quoted("BITRATE_EXCEEDED"),
            " is the download side: a participant may receive at most 8.5 Mbps in total, and receiving this "
            "publisher as well would have gone over it. This participant was receiving too many publishers, "
            "or too high a quality of them, at once; the publishers did not send too much.",
        ),
        causes=_texts(
            (
                "Too many publishers received at full quality at the same time (8.5 Mbps total per "
                "participant).",
                "Publishers without simulcast, so only their highest layer can be received.",
            )
        ),
        next_steps=_texts(
            (
                "Receive fewer publishers at once, or lower layers of them: subscribe only to those on "
                "screen (the app's IVS SDK subscribe strategy decides whom to receive).",
                "Have the publishers enable simulcast (IVS web, iOS and Android SDKs) so this participant "
                "can receive a lower layer, or lower the publishers' bitrate.",
            )
        ),
        evidence=tuple(evidence),
        doc=SERVICE_QUOTAS_DOC,
    )


_SPECIAL: dict[str, Callable[[ErrorGroup, ErrorCodeInfo], Finding]] = {
    "QUOTA_EXCEEDED": quota_exceeded,
}


def _storm_cause(storm: Storm, group: ErrorGroup) -> StormCause | None:
    if not storm.explained_by_errors:
        return None
    return next(
        (c for c in storm.causes if (c.event_name, c.code) == (group.event_name, group.code)),
        None,
    )


def _drop_evidence(group: ErrorGroup, storm: Storm, cause: StormCause) -> Phrase:
    """How this failure drove a storm of reconnects: the drops are retries, not a bad network."""
    retry = (
        "every retry failed inside IVS"
        if group.code in SERVICE_SIDE_CODES
        else "the encoder retries without changing its settings"
        if group.event_name == "PUBLISH_ERROR"
        else "the client retries without changing anything"
    )
    span = format_duration(storm.end - storm.start)
    if group.count == cause.cycles == storm.cycles:
        return (
            f"Each failure was followed by the client leaving and rejoining: {times(storm.cycles)} in "
            f"{span}; {retry}.",
        )
    return (
        f"In {cause.cycles:,} of the {storm.cycles:,} quick reconnects between ",
        storm.start,
        " and ",
        storm.end,
        f" ({span}) this failure came just before the client left and rejoined; {retry}.",
    )


def with_storm_evidence(finding: Finding, group: ErrorGroup, storms: tuple[Storm, ...]) -> Finding:
    """Add how the group's failures explain reconnect storms (those storms get no finding of their own)."""
    explained = [(storm, cause) for storm in storms if (cause := _storm_cause(storm, group)) is not None]
    if not explained:
        return finding
    lines = [_drop_evidence(group, storm, cause) for storm, cause in explained[:MAX_NAMED]]
    if len(explained) > MAX_NAMED:
        lines.append((f"…and {len(explained) - MAX_NAMED:,} more reconnect storms like it.",))
    # The storm lines follow the group's own line, which need not say the client retried any more.
    repeating, quiet = _group_evidence(group), _group_evidence(group, retry_note=False)
    evidence: list[Phrase] = []
    for item in finding.evidence:
        if item == repeating:
            evidence += [quiet, *lines]
            lines = []
        else:
            evidence.append(item)
    return replace(finding, evidence=(*evidence, *lines))


# Publish failures that can be about one part of the stream (one simulcast layer or track over a limit):
# when publishing went on through them, IVS refused that part, not the publish. Any other known code is
# about the whole stream or the right to publish. A code newer than the catalogue is judged by what
# publishing did.
PART_OF_STREAM_CODES = frozenset({"RESOLUTION_EXCEEDED", "BITRATE_EXCEEDED"})
# Refusals while publishing went on have stopped when this quiet stretch (and SETTLED_GAPS times their own
# mean gap) followed the last one before the publish ended. (Tuned by hand, not an AWS number.)
PART_REFUSAL_QUIET = timedelta(minutes=5)
PART_REFUSAL_GAPS = 3

# What was likely refused, and the first thing to change, for the codes that name a limit on one part.
_PART_STEPS: dict[str, str] = {
    "RESOLUTION_EXCEEDED": (
        "Find the layer above 720p: with simulcast the top layer is the full output size, so set the output "
        "(and so every layer) to 1280x720 or less; the smaller layers were accepted."
    ),
    "BITRATE_EXCEEDED": (
        "Find the layer or track above the limit: with simulcast the top layer carries the most bitrate; cap "
        "it at 8.5 Mbps (6 Mbps leaves room for peaks) and audio at 160 Kbps."
    ),
}


def _publish_around(timeline: Timeline, group: ErrorGroup) -> int | None:
    """The one publish span that held every failure of the group and went on well after the last one."""
    spans = timeline.publishes
    position = bisect_right(spans.starts, group.first) - 1
    if position < 0:
        return None
    end = spans.ends[position]
    if group.last > end or end - group.last <= PUBLISH_ENDED_BY_ERROR:
        return None
    return position


def _part_status(group: ErrorGroup, timeline: Timeline, position: int) -> Status:
    """Still refused, refused until near the end, or stopped well before the publish ended."""
    spans = timeline.publishes
    end = spans.ends[position]
    if spans.ended_by[position] is SpanEnd.OPEN:
        return Status(False, ("not fixed: still publishing",))
    quiet = end - group.last
    mean_gap = (group.last - group.first) / (group.count - 1) if group.count > 1 else quiet
    if group.count > 1 and quiet >= max(PART_REFUSAL_QUIET, PART_REFUSAL_GAPS * mean_gap):
        return Status(True, ("stopped after ", group.last), group.last)
    return NOT_FIXED


def _refused_while_publishing(
    finding: Finding, group: ErrorGroup, info: ErrorCodeInfo, timeline: Timeline, position: int
) -> Finding:
    """Publishing went on through every failure: IVS refused part of the stream, not the publish."""
    spans = timeline.publishes
    start, end = spans.starts[position], spans.ends[position]
    still = spans.ended_by[position] is SpanEnd.OPEN
    code: Phrase = (Quoted(group.code),) if group.code is not None else ("no error code",)
    known = group.code in ERROR_CODES
    part: Phrase = ("IVS refused part of the stream", *((": ", *marked(info.headline)) if known else ()))
    went_on: Phrase = (
        "Publishing went on through every one of them: the publish that started at ",
        start,
        " still runs" if still else (" ran until "),
        *(() if still else (end, f" ({format_duration(end - start)})")),
        ", and the last refusal came at ",
        group.last,
        ". IVS refused part of what was sent (for example one simulcast layer or one track), not the "
        "publish.",
    )
    layer = _PART_STEPS.get(group.code or "")
    metrics: Phrase = (
        "See which layer IVS refused: CloudWatch ",
        Quoted("AWS/IVSRealTime"),
        " ",
        Quoted("PublishResolution"),
        " and ",
        Quoted("PublishBitrate"),
        " for this participant, per ",
        Quoted("SimulcastLayer"),
        ", around ",
        group.first,
        ".",
    )
    steps = (*((marked(layer),) if layer else ()), metrics, *finding.next_steps)
    repeating = _group_evidence(group)
    evidence = [_group_evidence(group, retry_note=False) if e == repeating else e for e in finding.evidence]
    status = _part_status(group, timeline, position)
    found = replace(
        finding,
        rule=finding.rule + ":while_publishing",
        title=(*part, " (", *code, ")", _times(group.count), " while publishing went on"),
        headline=(*part, " (", *code, _times(group.count), ") though publishing went on"),
        meaning=(
            *finding.meaning,
            " Publishing itself went on, so IVS refused only part of the stream: most often one simulcast "
            "layer or one track above a limit while the others were accepted.",
        ),
        next_steps=steps,
        evidence=(*evidence, went_on),
        status=status,
    )
    if not status.resolved:
        return found
    quiet: Phrase = (
        "Nothing to do unless it comes back: none after ",
        group.last,
        f", and publishing went on {format_duration(end - group.last)} more.",
    )
    return replace(
        found,
        severity=Severity.WARNING,
        score=max(ONE_OFF_SCORE + 5, found.score - RESOLVED_PENALTY),
        next_steps=(quiet, *steps),
    )


def error_group_finding(
    group: ErrorGroup, timeline: Timeline, query: ParticipantQuery, client: ClientKind = ClientKind.UNKNOWN
) -> Finding:
    """Explain one group of identical errors, using the correlation rule for its code when there is one.

    Args:
        client: what kind of client this is (its advice differs: an encoder's settings, or the IVS SDK).
    """
    finding = with_storm_evidence(_explain_group(group, timeline, query, client), group, timeline.storms)
    publishing = (
        _publish_around(timeline, group)
        if group.event_name == "PUBLISH_ERROR"
        and group.code is not None
        and (group.code in PART_OF_STREAM_CODES or group.code not in ERROR_CODES)
        else None
    )
    if publishing is not None:
        info = advice_for(describe_error_code(group.code), client) if group.code is not None else None
        if info is not None:
            return _refused_while_publishing(finding, group, info, timeline, publishing)
    status = group_status(group, timeline)
    if group.code == "STREAM_DURATION_EXCEEDED" and status is not None and status.since is not None:
        finding = _limit_comes_back(finding, group, status, timeline)
    elif finding.rule.endswith(":race"):
        finding = _race_status(finding, status)
    else:
        finding = with_status(finding, status)
    return _inside_a_storm(_escalated(finding, group), group, timeline.storms)


# The 24-hour limit on one publish or subscription (IVS Real-Time service quotas; not adjustable).
STREAM_DURATION_LIMIT = timedelta(hours=24)
# Where an ended-and-restarted 24-hour limit ranks: above "no open problem", below anything failing now.
RECURRING_LIMIT_SCORE = 50


def _limit_comes_back(finding: Finding, group: ErrorGroup, status: Status, timeline: Timeline) -> Finding:
    """A publish or subscription ended at 24 hours and then restarted: fixed for now, not for good.

    An always-on encoder or kiosk that reconnected by itself will be ended again 24 hours later, so this
    stays a warning whose next step is a scheduled restart, never "nothing to fix".
    """
    assert status.since is not None
    spans = timeline.publishes if group.event_name == "PUBLISH_ERROR" else timeline.subscriptions
    still_open = bool(spans) and spans.ended_by[-1] is SpanEnd.OPEN
    again: Phrase = (
        ("; ends again at ", status.since + STREAM_DURATION_LIMIT, " unless restarted before")
        if still_open
        else ("; restart before 24 h or it ends again",)
    )
    return replace(
        finding,
        severity=Severity.WARNING,
        score=RECURRING_LIMIT_SCORE,
        status=Status(True, ("back at ", status.since, *again), status.since),
        meaning=(
            *finding.meaning,
            " It came back at ",
            status.since,
            ", but the limit applies to each publish or subscription: one that runs 24 hours again is "
            "ended again.",
        ),
    )


def _race_status(finding: Finding, status: Status | None) -> Finding:
    """A publisher race stays information whether or not the publisher came back; the status says which."""
    if status is None:
        return finding
    if status.since is None:
        return replace(finding, status=Status(False, ("not back since",)))
    words: Phrase = ("received from ", status.since)
    return replace(finding, status=Status(True, words, status.since))


def _escalated(finding: Finding, group: ErrorGroup) -> Finding:
    """A failure inside IVS that kept coming with no success after it: open an AWS Support case now.

    One occurrence is usually transient and a retry is the right step; the same internal error on every
    attempt is a fault only AWS can look into, and the ids and times are what AWS Support asks for.
    """
    if group.code not in SERVICE_SIDE_CODES or group.count < ESCALATE_AFTER or finding.resolved:
        return finding
    action = _ACTIONS.get(group.event_name, "the action").lower()
    support: Phrase = (
        "Open an AWS Support case now: give the stage ARN, session id and participant id (below) and the "
        "failure times, ",
        group.first,
        " to ",
        group.last,
        f" ({group.count:,} failures, no success since).",
    )
    return replace(
        finding,
        meaning=(
            *finding.meaning,
            f" It came {group.count:,} times and {action} never worked after it: this is not a transient "
            "fault that a retry clears.",
        ),
        causes=_texts(("A persistent fault inside IVS for this stage, session or region.",)),
        next_steps=(
            support,
            *_texts(
                (
                    "Meanwhile, try again in a few minutes or from another stage; changing the client's "
                    "settings will not help.",
                )
            ),
        ),
        status=Status(False, (f"not fixed after {group.count:,} tries: open an AWS Support case",)),
    )


# The most an error that only came during a network storm may score: below the storm (90).
INCIDENTAL_SCORE = 45


def _inside_a_storm(finding: Finding, group: ErrorGroup, storms: tuple[Storm, ...]) -> Finding:
    """Failures that all came during a storm they do not explain are a side effect of the drops."""
    storm = next(
        (s for s in storms if not s.explained_by_errors and s.start <= group.first and group.last <= s.end),
        None,
    )
    if storm is None or finding.severity not in (Severity.PROBLEM, Severity.WARNING):
        return finding
    note: Phrase = (
        "Every one of these came during the reconnect storm between ",
        storm.start,
        " and ",
        storm.end,
        ": most likely a side effect of the drops, not their cause.",
    )
    return replace(
        finding,
        severity=Severity.WARNING,
        score=min(finding.score, INCIDENTAL_SCORE),
        evidence=(*finding.evidence, note),
    )


def group_status(group: ErrorGroup, timeline: Timeline) -> Status | None:
    """Whether what failed later worked: a clean publish, a join that held, the publisher received again."""
    if group.event_name == "PUBLISH_ERROR":
        return after_publish_failure(timeline, group.last)
    if group.event_name == "JOIN_ERROR":
        connections = timeline.connections
        if connections and connections[-1].start <= group.first and group.last <= connections[-1].end:
            # Refused while this participant was in: another client with the same key or token.
            return Status(False, ("refused while this participant stayed connected",))
        return after_join_failure(timeline, group.last)
    if group.event_name == "SUBSCRIBE_ERROR":
        return after_subscribe_failure(timeline, group)
    return None


# A one-off failure that then worked is information (a resolved one ranks RESOLVED_PENALTY lower).
ONE_OFF_SCORE = 15


def with_status(finding: Finding, status: Status | None) -> Finding:
    """Attach the status; a failure that later worked is a warning (repeated) or information (once)."""
    if status is None:
        return finding
    if not status.resolved or status.since is None:
        return replace(finding, status=status)
    nothing_to_do: Phrase = ("Nothing to do unless it comes back: it worked again from ", status.since, ".")
    steps = (nothing_to_do, *finding.next_steps)
    if finding.count == 1:
        return replace(finding, status=status, severity=Severity.INFO, score=ONE_OFF_SCORE, next_steps=steps)
    score = max(ONE_OFF_SCORE + 5, finding.score - RESOLVED_PENALTY)
    return replace(finding, status=status, severity=Severity.WARNING, score=score, next_steps=steps)


def _explain_group(
    group: ErrorGroup, timeline: Timeline, query: ParticipantQuery, client: ClientKind
) -> Finding:
    if group.code is None:
        return Finding(
            rule=f"error:{group.event_name}:none",
            severity=Severity.PROBLEM,
            score=40,
            title=(Quoted(group.event_name), f" without an error code{_times(group.count)}"),
            headline=(Quoted(group.event_name), f" without an error code{_times(group.count)}"),
            meaning=("IVS recorded a failure without saying why.",),
            next_steps=_texts(("Check the client's own logs around these times.",)),
            evidence=(_group_evidence(group),),
            order=group.first_index,
            count=group.count,
        )
    info = advice_for(describe_error_code(group.code), client)
    if group.code == "PUBLISHER_NOT_FOUND":
        return publisher_not_found(group, info, query, timeline)
    if group.code == "STREAM_DURATION_EXCEEDED":
        return stream_duration_exceeded(group, info, timeline)
    if group.code == "INSUFFICIENT_CAPABILITIES":
        return insufficient_capabilities(group, info, timeline)
    if group.code == "BITRATE_EXCEEDED" and group.event_name == "SUBSCRIBE_ERROR":
        return download_bitrate_exceeded(group, info, timeline)
    special = _SPECIAL.get(group.code)
    return special(group, info) if special else _base_error_finding(group, info)
