"""Findings that are not error events: what the whole situation shows when IVS recorded no failure.

Replication that stopped while the source kept publishing, a remote publisher that keeps dropping, a full
stage seen from a viewer, a departure at the token's expiry, one token on two devices.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import replace
from datetime import datetime, timedelta

from bot.analysis.catalogue import CREATE_TOKEN_API_DOC, NETWORK_REQUIREMENTS_DOC, SERVICE_QUOTAS_DOC
from bot.analysis.durations import format_duration
from bot.analysis.findings.model import MAX_NAMED, Finding, Severity, _texts, lookup_command, settled
from bot.analysis.patterns import Patterns
from bot.analysis.phrases import Phrase, Quoted, counted
from bot.analysis.recovery import Status, after_storm
from bot.analysis.span_log import SpanEnd
from bot.analysis.timeline import STAGE_PUBLISHER_LIMIT
from bot.analysis.timeline_model import RemoteFailure, Storm, Timeline
from bot.analysis.timeline_tallies import INSTANT_REJOIN
from bot.domain.history import ParticipantDetails
from bot.domain.queries import ParticipantQuery

# Publishing on after replication stopped for at least this long means the replica lost a live source.
REPLICATION_GAP = timedelta(minutes=1)
# A departure this soon after the token's expiry is taken to be caused by it.
EXPIRY_WINDOW = timedelta(minutes=2)


def replication_stopped_early(timeline: Timeline) -> Finding | None:
    """REPLICATION_STOPPED while this participant went on publishing: the other stage lost it early."""
    replication = timeline.replication
    if replication is None or replication.stopped is None:
        return None
    if replication.started is not None and replication.started > replication.stopped:
        return None  # replicated again later
    stopped = replication.stopped
    published_after = timedelta(0)
    for start, end in zip(timeline.publishes.starts, timeline.publishes.ends, strict=True):
        if end > stopped:
            published_after += end - max(start, stopped)
    if published_after < REPLICATION_GAP:
        return None
    where: Phrase = (" into ", Quoted(replication.destination, 130)) if replication.destination else ()
    return Finding(
        rule="replication_stopped_early",
        severity=Severity.WARNING,
        score=72,
        title=("Replication", *where, " stopped at ", stopped, " while this participant kept publishing"),
        headline=(f"replication stopped while still publishing ({format_duration(published_after)} more)",),
        meaning=(
            f"The participant was replicated into another stage, but the replication stopped and it went on "
            f"publishing for {format_duration(published_after)}: viewers of the other stage lost it early. "
            "IVS records no error for this.",
        ),
        causes=_texts(
            (
                "The backend called `StopParticipantReplication` too early (or on the wrong participant).",
                "The destination stage's session ended or the destination stage was deleted or changed.",
            )
        ),
        next_steps=_texts(
            (
                "Find who stopped it: the `StopParticipantReplication` call in CloudTrail around that time.",
                "Check the destination stage's session then (`ListStageSessions`, `GetStageSession`).",
            )
        ),
        evidence=(
            (
                Quoted("REPLICATION_STOPPED"),
                " at ",
                stopped,
                f"; publishing went on for {format_duration(published_after)}.",
            ),
        ),
        status=Status(False, ("not replicated again",)),
    )


def flapping_publisher(timeline: Timeline, query: ParticipantQuery) -> Finding | None:
    """A remote publisher this participant kept losing and getting back: the publisher's own problem."""
    if not timeline.flapping_publishers:
        return None
    worst = timeline.flapping_publishers[0]
    steps: list[Phrase] = []
    for flaps in timeline.flapping_publishers:
        command = lookup_command(query, flaps.remote_id)
        if command is not None:
            steps.append(("See what happened to ", Quoted(flaps.remote_id), ": ", Quoted(command, 300)))
    steps += _texts(("Check that publisher's network and device, not this participant's.",))
    evidence = tuple(
        (
            "Publisher ",
            Quoted(flaps.remote_id),
            f" stopped and came back {counted(flaps.returns, 'time')} between ",
            flaps.first_drop,
            " and ",
            flaps.last_return,
            f" (gone {format_duration(flaps.shortest_gap)} at the shortest).",
        )
        for flaps in timeline.flapping_publishers
    )
    received_now = bool(timeline.subscriptions) and any(
        who == worst.remote_id and ended is SpanEnd.OPEN
        for who, ended in zip(timeline.subscriptions.remotes, timeline.subscriptions.ended_by, strict=True)
    )
    return Finding(
        rule="flapping_publisher",
        severity=Severity.WARNING,
        score=55,
        title=(
            "Publisher ",
            Quoted(worst.remote_id),
            f" kept dropping: lost and back {counted(worst.returns, 'time')}; this one stayed connected",
        ),
        headline=(
            "publisher ",
            Quoted(worst.remote_id),
            f" kept dropping ({counted(worst.returns, 'time')})",
        ),
        meaning=(
            "This participant stayed connected, but one publisher it received kept stopping and coming back "
            "within seconds. The drops are that publisher's problem (usually its network), not this "
            "participant's; its own history will show them.",
        ),
        next_steps=tuple(steps),
        evidence=evidence,
        doc=NETWORK_REQUIREMENTS_DOC,
        status=Status(False, ("still received now",)) if received_now else None,
    )


def _receiving_at(timeline: Timeline, moment: datetime) -> int:
    """How many publishers this participant was receiving at ``moment``."""
    log = timeline.subscriptions
    return len({r for r, a, b in zip(log.remotes, log.starts, log.ends, strict=True) if a <= moment < b})


def _shut_out(timeline: Timeline) -> list[RemoteFailure]:
    """Publishers this participant failed to receive (PUBLISHER_NOT_FOUND) while it already received 12, and
    never received at all: most likely refused a publishing slot on a full stage (the first few only)."""
    ceiling = timeline.ceiling_reached_at
    assert ceiling is not None
    received = timeline.received_time
    candidates = [
        remote
        for group in timeline.error_groups
        if group.event_name == "SUBSCRIBE_ERROR" and group.code == "PUBLISHER_NOT_FOUND"
        for remote in group.remotes
        if remote.remote_id not in received and remote.first >= ceiling
    ]
    return [
        remote
        for remote in candidates[:MAX_NAMED]
        if _receiving_at(timeline, remote.first) >= STAGE_PUBLISHER_LIMIT
    ]


# Where a full stage ranks when it explains failed subscribes to a publisher that never appeared: above
# those failures (a subscribe error scores 35), below anything failing on this participant's own side.
STAGE_FULL_EXPLAINS_SCORE = 60


def stage_was_full(timeline: Timeline, query: ParticipantQuery | None = None) -> Finding | None:
    """A viewer receiving 12 publishers at once: the stage was full, so a 13th publisher was refused.

    When this participant also failed to receive a publisher it never saw while it received 12, that
    publisher was most likely the 13th, refused a slot: the full stage leads, the failed subscribes follow.
    """
    if timeline.ceiling_reached_at is None:
        return None
    finding = Finding(
        rule="stage_full",
        severity=Severity.INFO,
        score=35,
        title=(
            f"The stage was full: this participant received {STAGE_PUBLISHER_LIMIT} publishers at once from ",
            timeline.ceiling_reached_at,
        ),
        headline=(f"stage full: received {STAGE_PUBLISHER_LIMIT} publishers at once",),
        meaning=(
            f"A stage allows {STAGE_PUBLISHER_LIMIT} publishers at a time and this quota is not adjustable. "
            "While this participant received that many, anyone else who tried to publish was refused with "
            "`QUOTA_EXCEEDED` on their side (this participant sees no error).",
        ),
        next_steps=_texts(
            (
                "If a guest could not publish then, this is why: keep at most 12 publishers per stage "
                "(unpublish idle hosts, or split them across stages).",
            )
        ),
        doc=SERVICE_QUOTAS_DOC,
    )
    shut_out = _shut_out(timeline)
    if not shut_out:
        return finding
    first = shut_out[0]
    failures = sum(remote.count for remote in shut_out)
    who: Phrase = (Quoted(first.remote_id),) if len(shut_out) == 1 else (f"{len(shut_out):,} publishers",)
    code: Phrase = (" (", Quoted("PUBLISHER_NOT_FOUND"), f" ×{failures:,})" if failures > 1 else ")")
    return replace(
        finding,
        rule="stage_full:thirteenth",
        severity=Severity.WARNING,
        score=STAGE_FULL_EXPLAINS_SCORE,
        headline=(
            f"stage full: received {STAGE_PUBLISHER_LIMIT} publishers, so ",
            *who,
            " likely could not publish",
            *code,
        ),
        status=Status(False, ("never received",)),
        evidence=(
            (
                "This participant's subscribes to ",
                *who,
                " failed from ",
                first.first,
                f" while it received {STAGE_PUBLISHER_LIMIT} publishers, and it never received ",
                "it" if len(shut_out) == 1 else "them",
                ": most likely refused a publishing slot (",
                Quoted("QUOTA_EXCEEDED"),
                " on its side), not gone.",
            ),
        ),
        next_steps=(
            *(
                ("See why ", Quoted(remote.remote_id), " could not publish: ", Quoted(command, 300))
                for remote in shut_out[:MAX_NAMED]
                if query is not None and (command := lookup_command(query, remote.remote_id)) is not None
            ),
            *finding.next_steps,
        ),
    )


# A publish that stopped this close to a token exchange that removed PUBLISH was stopped for it: the app
# demoted the participant (host to viewer) and the client unpublished as it should. (Tuned by hand.)
DEMOTION_WINDOW = timedelta(minutes=1)
# Where a clean demotion ranks: information, above "no problems recorded" and a recovered one-off.
DEMOTION_SCORE = 25


def demoted_cleanly(timeline: Timeline) -> Finding | None:
    """A token exchange removed PUBLISH and publishing stopped with it, with no error: a planned demotion.

    Nothing failed, but it is why the participant stopped publishing: the first thing anyone asks.
    """
    publishes = timeline.publishes
    for exchange in reversed(timeline.token_exchanges):
        if "PUBLISH" not in exchange.dropped:
            continue
        stopped = next(
            (
                end
                for end, ended_by in zip(publishes.ends, publishes.ended_by, strict=True)
                if ended_by is not SpanEnd.OPEN and abs(end - exchange.time) <= DEMOTION_WINDOW
            ),
            None,
        )
        refused_after = any(t >= exchange.time for t in timeline.publish_error_times)
        published_after = any(start > exchange.time for start in publishes.starts)
        if stopped is None or refused_after or published_after:
            return None
        kept = ", ".join(sorted(exchange.new_capabilities)) or "none"
        moved = "moved to viewer" if "SUBSCRIBE" in exchange.new_capabilities else "publishing taken away"
        return Finding(
            rule="demoted_by_token_exchange",
            severity=Severity.INFO,
            score=DEMOTION_SCORE,
            title=(
                moved.capitalize() + " at ",
                exchange.time,
                ": a token exchange removed ",
                Quoted("PUBLISH"),
                ", and publishing stopped cleanly at ",
                stopped,
            ),
            headline=(
                f"{moved} by a token exchange at ",
                exchange.time,
                " (",
                Quoted("PUBLISH"),
                " removed), stopped publishing cleanly; no errors",
            ),
            meaning=(
                "The app exchanged this participant's token for one without ",
                Quoted("PUBLISH"),
                " (capabilities now ",
                Quoted(kept),
                "), and the client stopped publishing with it, without an error: a planned change of role, "
                "not a failure.",
            ),
            next_steps=_texts(
                (
                    "Nothing to fix. If the demotion was not intended, look at the app's code that calls the "
                    "token exchange (compare `previousToken` and `newToken` in the full JSON).",
                )
            ),
            evidence=(
                (
                    Quoted("PUBLISH_STOPPED"),
                    " at ",
                    stopped,
                    "; ",
                    Quoted("TOKEN_EXCHANGED"),
                    " at ",
                    exchange.time,
                    ".",
                ),
            ),
            doc=CREATE_TOKEN_API_DOC,
            order=exchange.index,
        )
    return None


def left_at_token_expiry(timeline: Timeline) -> Finding | None:
    """The last departure came at or just after the token's expirationTime."""
    exchange = timeline.last_token_exchange
    if exchange is None or exchange.new_expiration is None or not timeline.connections:
        return None
    last = timeline.connections[-1]
    expiry = exchange.new_expiration
    if last.ended_by is not SpanEnd.EVENT or not expiry <= last.end <= expiry + EXPIRY_WINDOW:
        return None
    after = format_duration(last.end - expiry)
    return Finding(
        rule="left_at_token_expiry",
        severity=Severity.PROBLEM,
        score=88,
        title=("Left at ", last.end, f", {after} after its token expired"),
        headline=(f"left {after} after its token expired",),
        meaning=(
            "The token this participant last exchanged to expired at ",
            expiry,
            f" and the participant left {after} later, with no error event: a client whose token has "
            "expired cannot stay or rejoin with it.",
        ),
        causes=_texts(
            (
                "The backend issues tokens shorter than the session (`CreateParticipantToken` `duration`, "
                "default 12 hours).",
                "The app does not exchange the token for a fresh one before it expires.",
            )
        ),
        next_steps=_texts(
            (
                "Issue tokens that outlive the longest session, or exchange them in-session before "
                "`expirationTime`.",
            )
        ),
        evidence=(
            (Quoted("TOKEN_EXCHANGED"), " at ", exchange.time, ": the new token expires at ", expiry, "."),
        ),
        doc=CREATE_TOKEN_API_DOC,
        status=Status(False, ("not back",)),
    )


def left_live_session(timeline: Timeline, participant: ParticipantDetails | None) -> Finding | None:
    """The session is still live, and this participant left and has not come back."""
    if not timeline.live or timeline.still_connected or not timeline.connections:
        return None
    if participant is not None and participant.get("state") == "CONNECTED":
        return None  # GetParticipant is newer than the events: it is back, its JOINED is on the way
    last = timeline.connections[-1]
    if last.ended_by is not SpanEnd.EVENT:
        return None
    ago = format_duration(timeline.history_end - last.end)
    return Finding(
        rule="left_live_session",
        severity=Severity.INFO,
        score=30,
        title=("Left at ", last.end, " with no error event"),
        headline=("left at ", last.end),
        meaning=(
            f"This participant left {ago} ago with no error event and has not rejoined, while the session "
            "goes on. IVS records no reason for a departure: the user or the app left, or the connection "
            "dropped and the client did not come back.",
        ),
        next_steps=_texts(
            (
                "Ask the user whether they left on purpose; if not, check the app's logs around that time "
                "(a crash or a lost network leaves no IVS event).",
                "Ask again later to see whether it rejoins.",
            )
        ),
        evidence=((Quoted("LEFT"), " at ", last.end, f" ({ago} ago); no ", Quoted("JOINED"), " since."),),
        order=len(timeline.join_times),
        status=Status(False, ("not back (session still live)",)),
    )


def replica_of_another_stage(
    timeline: Timeline, query: ParticipantQuery, participant: ParticipantDetails | None
) -> Finding | None:
    """GetParticipant says this is a REPLICA: it comes and goes with the replication from its source stage.

    A replica joins when the source stage starts replicating a participant into this one and leaves when
    the replication stops, with no error event here: why it left is in the source's history.
    """
    if participant is None or participant.get("replicationType") != "REPLICA":
        return None
    state = participant.get("replicationState")
    source_stage, source_session = participant.get("sourceStageArn"), participant.get("sourceSessionId")
    source: Phrase = ()
    if isinstance(source_stage, str) and source_stage:
        source = (" in stage ", Quoted(source_stage, 130))
        if isinstance(source_session, str) and source_session:
            source += (", session ", Quoted(source_session))
    command = (
        lookup_command(query, query.participant_id, stage_arn=source_stage, session_id=source_session)
        if isinstance(source_stage, str) and isinstance(source_session, str)
        else None
    )
    steps: list[Phrase] = []
    if command is not None:
        steps.append(("See the source participant's history: ", Quoted(command, 300)))
    last = timeline.connections[-1] if timeline.connections else None
    left = last is not None and last.ended_by is SpanEnd.EVENT
    stopped = state == "STOPPED"
    if stopped:
        steps += _texts(
            (
                "Find who stopped the replication: the `StopParticipantReplication` call in CloudTrail "
                "around that time, or the source participant leaving its stage.",
            )
        )
    evidence: list[Phrase] = [
        (
            "GetParticipant: ",
            Quoted("replicationType"),
            " ",
            Quoted("REPLICA"),
            *((", ", Quoted("replicationState"), " ", Quoted(str(state))) if state else ()),
            *(("; source stage ", *source[1:]) if source else ()),
            ".",
        )
    ]
    if left and last is not None:
        evidence.append((Quoted("LEFT"), " at ", last.end, " with no error event."))
    headline: Phrase = (
        ("replica: replication from its source stage stopped; left at ", last.end)
        if stopped and left and last is not None
        else ("replica: replication from its source stage stopped",)
        if stopped
        else ("replica of a participant in another stage",)
    )
    return Finding(
        rule="replica_participant",
        severity=Severity.WARNING if stopped else Severity.INFO,
        score=60 if stopped else 15,
        title=("Replica of a participant", *(source or (" in another stage",))),
        headline=headline,
        meaning=(
            "GetParticipant says this participant is a replica: its media comes from a participant in the "
            "source stage, replicated into this one. A replica joins and leaves when the replication starts "
            "and stops (no error event here), so why it "
            + ("left" if left else "behaved as it did")
            + " is in the source participant's history, not this one.",
        ),
        next_steps=tuple(steps),
        evidence=tuple(evidence),
        order=len(timeline.join_times),
        status=Status(False, ("not replicated again",)) if stopped else None,
    )


def recording_failed(participant: ParticipantDetails | None) -> Finding | None:
    """GetParticipant says the participant's individual recording FAILED: no error event tells this."""
    if participant is None or participant.get("recordingState") != "FAILED":
        return None
    bucket = participant.get("recordingS3BucketName")
    where: Phrase = (" to ", Quoted(f"s3://{bucket}", 200)) if bucket else ()
    return Finding(
        rule="recording_failed",
        severity=Severity.WARNING,
        score=60,
        title=("Individual participant recording", *where, " failed"),
        headline=("recording failed (GetParticipant recordingState FAILED)",),
        meaning=(
            "GetParticipant reports this participant's individual recording as ",
            Quoted("FAILED"),
            ": its media may be missing from the bucket. ListParticipantEvents records no event for it.",
        ),
        causes=_texts(
            (
                "The storage configuration's S3 bucket is missing, in another region, or does not let IVS "
                "write to it.",
            )
        ),
        next_steps=_texts(
            (
                "Check the stage's storage configuration and the bucket's policy and region; the EventBridge "
                'event "IVS Participant Recording State Change" gives the reason.',
            )
        ),
    )


def _takeovers(timeline: Timeline, storm: Storm) -> int:
    """Drops in the storm (from its first join to its last drop) followed by a join within a second.

    A storm counts its short connections; takeovers are the drops between connections, which also include
    the one that ended the connection before the storm and exclude a last connection ended by a real leave.
    """
    spans = timeline.connections
    starts, ends, ended_by = spans.starts, spans.ends, spans.ended_by
    count = 0
    for position in range(bisect_left(ends, storm.start), len(ends) - 1):
        if ends[position] > storm.end:
            break
        if ended_by[position] in (SpanEnd.EVENT, SpanEnd.REJOINED) and (
            timedelta(0) <= starts[position + 1] - ends[position] <= INSTANT_REJOIN
        ):
            count += 1
    return count


def one_token_two_devices(timeline: Timeline, patterns: Patterns) -> Finding | None:
    """A storm whose every drop came in the same second as the next join: two clients with one token."""
    storms = [s for s in patterns.storms if s.same_second_rejoins and not s.explained_by_errors]
    if not storms:
        return None
    biggest = max(storms, key=lambda s: s.cycles)
    cycles = sum(_takeovers(timeline, s) for s in storms)
    finding = Finding(
        rule="one_token_two_devices",
        severity=Severity.PROBLEM,
        score=92,
        title=(
            f"One token on two devices: {counted(cycles, 'takeover')}, each drop in the same second as the "
            "next join, between ",
            biggest.start,
            " and ",
            biggest.end,
        ),
        headline=(f"one token on two devices: {counted(cycles, 'takeover')}, no error events",),
        meaning=(
            "Every drop came in the same second as the next join. A network that fails needs seconds to come "
            "back; a second client joining with the same token takes the place of the first at once, and "
            "the first rejoins and takes it back. IVS records no error for this.",
        ),
        causes=_texts(
            (
                "The same token is used on two devices or in two browser tabs (one participant id each "
                "token).",
                "The app reuses a cached token for a second session of the same user.",
            )
        ),
        next_steps=_texts(
            (
                "Create one token per client (`CreateParticipantToken`), never share one between devices "
                "or tabs.",
                "Ask the user whether the stage was open on a second device or tab at that time.",
            )
        ),
        doc=CREATE_TOKEN_API_DOC,
        order=biggest.first_index,
        count=cycles,
        status=after_storm(timeline, storms[-1]),
    )
    return settled(finding)
