"""Connection rules: never got in, reconnect storms, no join recorded, joined but idle, still connected."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime

from bot.analysis.catalogue import NETWORK_REQUIREMENTS_DOC, describe_error_code
from bot.analysis.client_advice import advice_for
from bot.analysis.client_kind import ClientKind, client_kind, is_mobile
from bot.analysis.durations import format_duration
from bot.analysis.findings.error_rules import _group_evidence
from bot.analysis.findings.model import MAX_NAMED, Finding, Severity, _texts, _times, settled
from bot.analysis.patterns import Patterns
from bot.analysis.phrases import Phrase, Quoted, counted, marked, phrase
from bot.analysis.recovery import Status, after_storm
from bot.analysis.span_log import ZERO, SpanEnd
from bot.analysis.timeline_model import Storm, Timeline
from bot.analysis.timeline_tallies import STORM_MAX_CYCLE, STORM_MAX_GAP
from bot.domain.history import ParticipantDetails


def never_got_in(
    timeline: Timeline, patterns: Patterns, client: ClientKind = ClientKind.UNKNOWN
) -> Finding | None:
    """JOIN_ERRORs with no later JOINED: the participant never got in (or never got back in)."""
    if not patterns.never_got_in:
        return None
    joins = [g for g in timeline.error_groups if g.event_name == "JOIN_ERROR"]
    if timeline.last_join_index is not None:
        joins = [g for g in joins if g.last_index > timeline.last_join_index]
    if not joins:  # only in a history with more error groups than are kept in detail
        return None
    last_failure = max(g.last for g in joins)
    if (
        timeline.connections
        and timeline.connections[-1].start <= last_failure <= timeline.connections[-1].end
    ):
        # Refused joins while this participant stayed connected: another client (same key or token) was
        # turned away; the participant itself never had to get back in. The error's own finding says so.
        return None
    main = max(joins, key=lambda g: (g.count, g.last_index))
    info = advice_for(describe_error_code(main.code), client) if main.code is not None else None
    attempts = sum(g.count for g in joins)
    tried = counted(attempts, "join attempt")
    code_count: Phrase = (" (", Quoted(main.code), _times(main.count), ")") if main.code else ()
    if timeline.last_join_index is None:
        headline: Phrase = (f"never got in: {tried} failed", *code_count)
        title: Phrase = (f"Never got into the stage: {tried} failed",)
        meaning: Phrase = (
            "Every join attempt in this history failed and none succeeded, so this participant was "
            "never in the stage.",
        )
    else:
        headline = (f"could not get back in: {tried} failed", *code_count)
        title = (f"Could not get back in: {tried} failed after the last ", Quoted("JOINED"))
        meaning = ("The participant was in the stage earlier, but every later attempt to rejoin failed.",)
    codes = tuple(g.code for g in joins if g.code is not None)
    return Finding(
        rule="never_got_in",
        severity=Severity.PROBLEM,
        score=95,
        title=(*title, *phrase(" (", Quoted(main.code) if main.code else None, ")" if main.code else None)),
        meaning=(*meaning, *((" ", *marked(info.meaning)) if info else ())),
        causes=_texts(info.causes) if info else (),
        next_steps=_texts(info.next_steps) if info else (),
        evidence=tuple(_group_evidence(g) for g in joins),
        doc=info.doc if info else None,
        codes=codes,
        order=min(g.first_index for g in joins),
        count=attempts,
        headline=headline,
        status=Status(False, ("not fixed; last try at ", last_failure)),
    )


def _storm_line(storm: Storm) -> Phrase:
    errors = "no error events" if storm.errors == 0 else counted(storm.errors, "error event")
    return (
        f"Dropped and came back {storm.drop_count:,} times between ",
        storm.dropped_from,
        " and ",
        storm.back_at,
        f" ({format_duration(storm.back_at - storm.dropped_from)}, {errors}).",
    )


def _network_line(participant: ParticipantDetails | None) -> Phrase:
    """ "The client: `Safari 17.6` on `iOS 17.6.1`, ISP `T-Mobile USA`": what the drops went through."""
    if participant is None:
        return ()
    client = " ".join(
        str(participant[key]) for key in ("browserName", "browserVersion") if participant.get(key)
    )
    system = " ".join(str(participant[key]) for key in ("osName", "osVersion") if participant.get(key))
    isp = participant.get("ispName")
    parts: Phrase = ()
    if client:
        parts += (Quoted(client),)
    if system:
        parts += (" on " if client else "", Quoted(system))
    if isp:
        parts += (", ISP " if parts else "ISP ", Quoted(str(isp)))
    kind = client_kind(participant)
    return ("The client: ", *parts, f" ({kind}).") if parts else ()


def _storm_advice(
    timeline: Timeline, participant: ParticipantDetails | None
) -> tuple[tuple[Phrase, ...], tuple[Phrase, ...]]:
    """Likely causes and next steps of a storm, for this kind of client (encoder, mobile app, browser)."""
    client = client_kind(participant)
    same_token = "Two clients joining with the same token: each join disconnects the other without an error."
    if client is ClientKind.RTMP_ENCODER:
        return _texts(
            (
                "An unstable uplink from the encoder (Wi-Fi, a congested or metered link). RTMPS runs over "
                "TCP 443, so a firewall is unlikely once it has connected.",
                "Two encoders pushing with the same stream key: each connection replaces the other.",
                "The encoder reconnecting by itself after a refused publish (look for errors before drops).",
            )
        ), _texts(
            (
                "Check the encoder's log for its disconnect reasons, and its upload bandwidth (keep the "
                "bitrate under about 75% of the uplink).",
                "Make sure only one encoder uses this stream key.",
            )
        )
    if is_mobile(participant):
        return _texts(
            (
                "A mobile network handover (Wi-Fi to cellular and back, or a weak signal while moving): each "
                "switch drops the connection and the client rejoins.",
                same_token,
                "The app leaving and rejoining when it goes to the background or the screen locks.",
            )
        ), _texts(
            (
                "Ask whether the user was moving or switching networks; retry on stable Wi-Fi.",
                "Check that each token is used by one device only.",
                "Read the app's IVS SDK logs for the disconnect reasons during the storm.",
            )
        )
    tried_publishing = "PUBLISH_ERROR" in timeline.counts
    published = bool(timeline.publishes) or tried_publishing
    udp = (
        "media uses UDP 443 and 3478, and publishing has no TCP fallback"
        if published
        else "media uses UDP 443 and 3478"
    )
    return _texts(
        (
            "An unstable client network (Wi-Fi, mobile handover, VPN or proxy), or a firewall that blocks "
            f"UDP: {udp}.",
            same_token,
            "App code that leaves and rejoins in a loop (for example on every re-render or retry).",
        )
    ), _texts(
        (
            "Run the IVS network test (linked from the network requirements page) on the client's network.",
            "Check that each token is used by one client only.",
            "Read the client SDK's logs for connection errors during the storm.",
        )
    )


def reconnect_storm(
    timeline: Timeline, patterns: Patterns, participant: ParticipantDetails | None = None
) -> Finding | None:
    """Quick join/leave cycles (see :func:`_reconnect_storm`); one that settled ranks below open problems."""
    finding = _reconnect_storm(timeline, patterns, participant)
    return None if finding is None else settled(finding)


def _reconnect_storm(
    timeline: Timeline, patterns: Patterns, participant: ParticipantDetails | None = None
) -> Finding | None:
    """Quick join/leave cycles; with no error events it points at the client's network.

    A storm whose every cycle (but at most one) held a join or publish failure is the client retrying
    that failure: the failure's own finding says so, and the storm gets no finding of its own.
    """
    storms = tuple(
        storm
        for storm in patterns.storms
        if not storm.explained_by_errors and not storm.same_second_rejoins  # see one_token_two_devices
    )
    if not storms:
        return None
    biggest = max(storms, key=lambda s: s.drop_count)
    cycles = sum(s.drop_count for s in storms)
    # One storm is fully described by the title; several get a line each.
    evidence = [_storm_line(s) for s in storms[:MAX_NAMED]] if len(storms) > 1 else []
    if len(storms) > MAX_NAMED:
        evidence.append((f"…and {len(storms) - MAX_NAMED:,} more storms.",))
    where = _network_line(participant)
    if where:
        evidence.append(where)
    quiet = all(s.errors == 0 for s in storms)
    title: Phrase = (
        f"Reconnect storm: dropped and came back {biggest.drop_count:,} times between ",
        biggest.dropped_from,
        " and ",
        biggest.back_at,
        f" ({format_duration(biggest.back_at - biggest.dropped_from)})",
    )
    if len(storms) > 1:
        title += (f" ({len(storms)} storms, {cycles:,} drops in all)",)
    status = after_storm(timeline, storms[-1])
    if len(storms) > 1:
        lasted = format_duration(storms[-1].back_at - storms[0].dropped_from)
        drops = f"{len(storms):,} reconnect storms: {counted(cycles, 'drop')} over {lasted}"
    else:
        lasted = format_duration(biggest.back_at - biggest.dropped_from)
        drops = f"reconnect storm: {counted(biggest.drop_count, 'drop')} in {lasted}"
    causes, steps = _storm_advice(timeline, participant)
    kind = client_kind(participant)
    network = (
        "encoder uplink"
        if kind is ClientKind.RTMP_ENCODER
        else "mobile network"
        if is_mobile(participant)
        else "client network"
    )
    if quiet:
        return Finding(
            rule="storm_without_errors",
            severity=Severity.PROBLEM,
            score=90,
            title=(*title, ", with no error events"),
            meaning=(
                (
                    "The encoder kept dropping and reconnecting, and IVS recorded no error for it. Network "
                    "failures between the encoder and IVS never appear as IVS events, so the cause is most "
                    "likely the encoder's uplink."
                )
                if client_kind(participant) is ClientKind.RTMP_ENCODER
                else (
                    "The connection kept dropping and coming back, and IVS recorded no error for it. "
                    "Network failures and token-signature failures on the client never appear as IVS "
                    "events, so the cause is most likely the client's network."
                ),
            ),
            causes=causes,
            next_steps=steps,
            evidence=tuple(evidence),
            doc=NETWORK_REQUIREMENTS_DOC,
            order=biggest.first_index,
            count=cycles,
            headline=(f"{drops}, no error events ({network})",),
            status=status,
        )
    if all(storm.mostly_unexplained for storm in storms):
        failed = sum(s.failed_cycles for s in storms)
        errors = sum(s.errors for s in storms)
        return Finding(
            rule="storm_with_errors",
            severity=Severity.PROBLEM,
            score=90,
            title=title,
            meaning=(
                "The connection kept dropping and coming back. IVS recorded "
                f"{counted(errors, 'error event')} during it, but only {failed:,} of the {cycles:,} drops "
                "came after a join or publish failure, so they do not explain it: the cause is most likely "
                "the client's network.",
            ),
            causes=causes,
            next_steps=steps,
            evidence=tuple(evidence),
            doc=NETWORK_REQUIREMENTS_DOC,
            order=biggest.first_index,
            count=cycles,
            headline=(f"{drops} ({network}; the errors in it are incidental)",),
            status=status,
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
        headline=(drops,),
        status=status,
    )


# A run of this many quick rejoins (each within STORM_MAX_GAP, the connections between them each shorter
# than STORM_MAX_CYCLE) is a burst worth a finding even below a storm: one or two reloads are normal, three
# drops within a minute on a phone are a network handover. (Tuned by hand; no AWS number behind it.)
BURST_MIN_DROPS = 3


@dataclass(frozen=True, slots=True)
class _Burst:
    drops: tuple[datetime, ...]
    last_rejoin: datetime
    settled: datetime | None  # the rejoin whose connection held (lasted past STORM_MAX_CYCLE or is open)
    first_rejoin: datetime


def _bursts(timeline: Timeline) -> list[_Burst]:
    """Runs of quick rejoins: a drop, a rejoin within STORM_MAX_GAP, a short connection, another drop..."""
    spans = timeline.connections
    starts, ends, ended_by = spans.starts, spans.ends, spans.ended_by
    bursts: list[_Burst] = []
    run: list[datetime] = []
    if not starts:
        return bursts
    first_rejoin = starts[0]
    for position in range(len(starts) - 1):
        quick = ended_by[position] in (SpanEnd.EVENT, SpanEnd.REJOINED) and (
            ZERO <= starts[position + 1] - ends[position] <= STORM_MAX_GAP
        )
        if quick:
            if not run:
                first_rejoin = starts[position + 1]
            run.append(ends[position])
        held = ended_by[position + 1] is SpanEnd.OPEN or (
            ends[position + 1] - starts[position + 1] > STORM_MAX_CYCLE
        )
        if run and (not quick or held):
            rejoined = starts[position + 1] if quick else starts[position]
            settled = rejoined if quick and held else None
            if len(run) >= BURST_MIN_DROPS:
                bursts.append(_Burst(tuple(run), rejoined, settled, first_rejoin))
            run = []
    if len(run) >= BURST_MIN_DROPS:  # the history ends inside the burst: it never settled
        bursts.append(_Burst(tuple(run), starts[-1], None, first_rejoin))
    return bursts


def _in_a_storm(burst: _Burst, storms: tuple[Storm, ...]) -> bool:
    return any(s.start <= burst.last_rejoin and burst.drops[0] <= s.end for s in storms)


def _after_failures(burst: _Burst, timeline: Timeline) -> bool:
    """A join or publish failure during the burst: the client was retrying it (its finding says so)."""
    begin, end = burst.drops[0] - STORM_MAX_CYCLE, burst.last_rejoin
    failures = timeline.publish_error_times
    if bisect_left(failures, begin) != bisect_right(failures, end):
        return True
    return any(
        g.event_name == "JOIN_ERROR" and g.first <= end and begin <= g.last for g in timeline.error_groups
    )


def rejoin_burst(timeline: Timeline, participant: ParticipantDetails | None = None) -> Finding | None:
    """A few quick drops and rejoins with no error: below a reconnect storm, still the client's network.

    On a phone, three drops within a minute while the user moves are a network handover (Wi-Fi to
    cellular); issue 8 asks for that pattern to be named, not hidden behind "no reconnect storm".
    """
    bursts = [
        b
        for b in _bursts(timeline)
        if not _in_a_storm(b, timeline.storms) and not _after_failures(b, timeline)
    ]
    if not bursts:
        return None
    biggest = max(bursts, key=lambda b: len(b.drops))
    drops = len(biggest.drops)
    lasted = format_duration(biggest.last_rejoin - biggest.drops[0])
    mobile = is_mobile(participant)
    kind = client_kind(participant)
    pattern = (
        "mobile network handover"
        if mobile
        else "encoder uplink"
        if kind is ClientKind.RTMP_ENCODER
        else "client network"
    )
    listed: Phrase = ()
    for n, drop in enumerate(biggest.drops):
        listed += (", " if n else "", drop)
    evidence: list[Phrase] = [
        (
            "Left and rejoined at ",
            *listed,
            f" ({counted(drops, 'drop')} in {lasted}, no error events).",
        )
    ]
    if len(bursts) > 1:
        evidence.append((f"{counted(len(bursts), 'burst')} like it in this history.",))
    where = _network_line(participant)
    if where:
        evidence.append(where)
    causes, steps = _storm_advice(timeline, participant)
    # The first rejoin's JOINED: the timeline shows the lines around it.
    position = bisect_left(timeline.join_times, biggest.first_rejoin)
    order = timeline.join_indices[position] if position < len(timeline.join_indices) else 0
    status = (
        Status(True, ("stable since ", biggest.settled), biggest.settled)
        if biggest.settled is not None
        else Status(False, ("last left at ", biggest.drops[-1]))
    )
    return Finding(
        rule="rejoin_burst",
        severity=Severity.WARNING,
        score=50,
        title=(
            f"Dropped and rejoined {counted(drops, 'time')} between ",
            biggest.drops[0],
            " and ",
            biggest.last_rejoin,
            f" ({lasted}), with no error events",
        ),
        headline=(f"{counted(drops, 'quick drop')} in {lasted}, no error events ({pattern})",),
        meaning=(
            (
                "The connection dropped and came back several times within a minute or two, and IVS "
                "recorded no error for it: fewer drops than a reconnect storm, more than a reload. On a "
                "phone this is the pattern of a network handover (Wi-Fi to cellular, or a weak signal "
                "while the user moves)."
            )
            if mobile
            else (
                "The connection dropped and came back several times within a minute or two, and IVS "
                "recorded no error for it: fewer drops than a reconnect storm, more than a reload. "
                "Network failures on the client never appear as IVS events, so a brief network problem "
                "is the most likely cause."
            ),
        ),
        causes=causes,
        next_steps=steps,
        evidence=tuple(evidence),
        doc=NETWORK_REQUIREMENTS_DOC,
        order=order,
        count=drops,
        status=status,
    )


def no_join_recorded(timeline: Timeline, patterns: Patterns) -> Finding | None:
    """Events, but neither JOINED nor JOIN_ERROR: the history does not show the participant getting in."""
    if timeline.event_count == 0 or not patterns.never_joined or timeline.last_join_error_index is not None:
        return None
    return Finding(
        rule="no_join_recorded",
        severity=Severity.WARNING,
        score=70,
        title=("No ", Quoted("JOINED"), " event in this history"),
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
        headline=("joined but never published or subscribed",),
        meaning=(
            f"The participant was connected for {format_duration(timeline.connected_time)} but neither "
            "sent nor received media, and never tried to.",
        ),
        causes=_texts(
            (
                "Nobody else was publishing, so there was nothing to subscribe to.",
                "The app's stage strategy chose not to publish or subscribe (Web SDK: "
                "`stageStreamsToPublish`, `shouldPublishParticipant`, `shouldSubscribeToParticipant`).",
                "Camera or microphone permission was denied, so there was nothing to publish.",
            )
        ),
        next_steps=_texts(
            (
                "Check whether anyone was publishing then (`ListParticipants` with `filterByPublished`).",
                "Check the client's stage strategy and device permissions.",
            )
        ),
    )


def connected_without_events(participant: ParticipantDetails | None) -> Finding | None:
    """GetParticipant says CONNECTED but IVS has no event yet: the participant is in, just very recently."""
    if participant is None or participant.get("state") != "CONNECTED":
        return None
    return Finding(
        rule="connected_no_events",
        severity=Severity.INFO,
        score=70,
        title=("Connected now, no events recorded yet",),
        headline=("connected now, no events yet",),
        meaning=(
            "GetParticipant says this participant is connected, but IVS has not recorded an event for it "
            "yet (events can appear a little after the fact). It did reach IVS: this is not a token or "
            "network failure.",
        ),
        next_steps=_texts(("Ask again in a minute to see its first events.",)),
    )


def still_connected(timeline: Timeline, patterns: Patterns) -> Finding | None:
    """The session is live and the participant is connected now: the picture can still change."""
    if not patterns.still_connected:
        return None
    span = timeline.connections[-1]
    doing = []
    if timeline.still_publishing:
        errors = timeline.publish_error_times
        refused = bool(errors) and errors[-1] >= timeline.publishes[-1].start
        # A publish still open after a PUBLISH_ERROR is an attempt that failed, not media going out.
        doing.append("trying to publish, but its last attempt was refused" if refused else "publishing")
    receiving = timeline.receiving_at_end
    if receiving:
        doing.append(f"receiving {counted(receiving, 'publisher')}")
    return Finding(
        rule="still_connected",
        severity=Severity.INFO,
        score=10,
        title=("Still connected now, since ", span.start, f" ({format_duration(span.duration)})"),
        headline=(f"connected now ({format_duration(span.duration)})" + "".join(f", {d}" for d in doing),),
        meaning=(
            "The session is live and the last connection has not ended"
            + (f"; it is {' and '.join(doing)}" if doing else "")
            + ". Asking again later may show more.",
        ),
        order=len(timeline.join_times),
    )
