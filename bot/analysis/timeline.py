"""One pass over a participant's events: spans, counts, error groups, token exchanges, reconnect storms.

Built for 100,000 events well inside the bot's time budget: one loop, a handful of dict lookups per event, no
object kept per event, and spans stored column-wise (see span_log.py) so the garbage collector has little
new to scan.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.analysis.span_log import ZERO, Span, SpanEnd, SpanLog, SubscriptionLog
from bot.analysis.timeline_model import (
    ErrorGroup,
    PublisherFlaps,
    RemoteFailure,
    Replication,
    Storm,
    StormCause,
    Timeline,
    TokenExchange,
)
from bot.analysis.timeline_tallies import (
    MAX_ERROR_GROUPS,
    MAX_REMOTES_PER_GROUP,
    STORM_MAX_CYCLE,
    STORM_MAX_GAP,
    STORM_MIN_CYCLES,
    _GroupBuilder,
    _StormDetector,
)
from bot.domain.history import Event, ParticipantHistory

__all__ = [
    "MAX_ERROR_GROUPS",
    "MAX_REMOTES_PER_GROUP",
    "STORM_MAX_CYCLE",
    "STORM_MAX_GAP",
    "STORM_MIN_CYCLES",
    "ErrorGroup",
    "RemoteFailure",
    "Span",
    "SpanEnd",
    "SpanLog",
    "Storm",
    "StormCause",
    "SubscriptionLog",
    "Timeline",
    "TokenExchange",
    "build_timeline",
]

# Token exchanges kept for display: enough for any report, bounded for hostile histories.
MAX_TOKEN_EXCHANGES_KEPT = 20
# IVS Real-Time service quotas: 12 publishers per stage, not adjustable.
STAGE_PUBLISHER_LIMIT = 12
# A publisher lost and received again this often (each time within STORM_MAX_GAP) is flapping.
FLAP_MIN = 3
MAX_FLAPPING_KEPT = 3

ERROR_EVENT_NAMES = frozenset({"JOIN_ERROR", "PUBLISH_ERROR", "SUBSCRIBE_ERROR"})
# Failures that can end a connection, so a run of them can explain a reconnect storm (inferred, not
# documented: an encoder whose publish is refused is dropped and reconnects by itself); a failed subscription
# only fails that subscription.
DROPPING_ERROR_NAMES = frozenset({"JOIN_ERROR", "PUBLISH_ERROR"})
# A publish that ended this soon after a PUBLISH_ERROR failed; one that went on longer kept publishing while
# IVS refused part of what it sent (a simulcast layer, a track). (Tuned by hand, not an AWS number.)
PUBLISH_ENDED_BY_ERROR = timedelta(seconds=10)
MISSING_NAME = "(no name)"
UNKNOWN_PUBLISHER = "(unknown publisher)"


def history_end(
    history: ParticipantHistory, now: datetime, last_time: datetime | None
) -> tuple[datetime, SpanEnd, bool]:
    """Where open spans stop, why, and whether the session is live.

    A live session (no ``endTime``) keeps open spans open until ``now``; an ended one closes them at its end.
    Without session details, GetParticipant's state decides; failing that, spans stop at the last event.
    """
    session = history.session
    if session is not None:
        end = session.get("endTime")
        if isinstance(end, datetime):
            return end, SpanEnd.SESSION_END, False
        return now, SpanEnd.OPEN, True
    participant = history.participant
    if participant is not None and participant.get("state") == "CONNECTED":
        return now, SpanEnd.OPEN, True
    return (last_time or now), SpanEnd.LAST_EVENT, False


def _capabilities(token: Any) -> frozenset[str]:
    caps = token.get("capabilities") if isinstance(token, Mapping) else None
    if isinstance(caps, list | tuple | set | frozenset):
        return frozenset(str(c) for c in caps)
    return frozenset()


def read_token_exchange(event: Event, time: datetime, index: int) -> TokenExchange:
    """Reduce a TOKEN_EXCHANGED event to capabilities, user ids and whether attributes changed."""
    previous = event.get("previousToken")
    new = event.get("newToken")
    previous_map: Mapping[str, Any] = previous if isinstance(previous, Mapping) else {}
    new_map: Mapping[str, Any] = new if isinstance(new, Mapping) else {}
    previous_user = previous_map.get("userId")
    new_user = new_map.get("userId")
    return TokenExchange(
        time=time,
        index=index,
        previous_capabilities=_capabilities(previous_map),
        new_capabilities=_capabilities(new_map),
        previous_user_id=None if previous_user is None else str(previous_user),
        new_user_id=None if new_user is None else str(new_user),
        attributes_changed=previous_map.get("attributes") != new_map.get("attributes"),
        new_expiration=(
            expiry
            if isinstance(expiry := new_map.get("expirationTime"), datetime) and expiry.tzinfo is not None
            else None
        ),
    )


class _TimelinePass:
    """The state of the walk over the events; one small method per event kind.

    Tolerant by design: unknown names only count; a stop without a start, a duplicate start or a missing
    field is ignored rather than raised; LEFT closes any publish or subscribe span still open.
    """

    __slots__ = (
        "ceiling_at",
        "conn_failures",
        "conn_start",
        "conn_start_index",
        "connected",
        "connections",
        "counts",
        "error_indices",
        "error_times",
        "exchange_count",
        "exchanges",
        "failed_publishes",
        "flaps",
        "groups",
        "join_indices",
        "join_times",
        "last_exchange",
        "last_exchange_event",
        "last_join_error_index",
        "last_join_index",
        "last_subscription",
        "last_time",
        "more_groups",
        "most_at_once",
        "pub_error_times",
        "pub_failed",
        "pub_restarted_at",
        "pub_start",
        "publishes",
        "publishing",
        "received_time",
        "receiving",
        "receiving_at_end",
        "rejoined_at",
        "replication_destination",
        "replication_started",
        "replication_stopped",
        "storms",
        "sub_open",
        "sub_restarted_at",
        "sub_stopped_joins",
        "sub_union_start",
        "subscribed",
        "subscriptions",
    )

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.connections = SpanLog()
        self.publishes = SpanLog()
        self.subscriptions = SubscriptionLog()
        self.last_subscription: dict[str, int] = {}
        self.sub_open: dict[str, datetime] = {}
        self.groups: dict[tuple[str, str | None], _GroupBuilder] = {}
        # Error groups beyond MAX_ERROR_GROUPS: counted only (a hostile history can hold 100,000 codes).
        self.more_groups: dict[tuple[str, str | None], int] = {}
        self.error_times: list[datetime] = []
        self.error_indices: list[int] = []
        self.join_times: list[datetime] = []
        self.join_indices: list[int] = []
        self.exchanges: list[TokenExchange] = []
        self.storms = _StormDetector()
        self.connected = self.publishing = self.subscribed = ZERO
        self.conn_start: datetime | None = None
        self.conn_start_index = 0
        self.pub_start: datetime | None = None
        # The last PUBLISH_ERROR during the open publish span; failed_publishes counts the spans that ended
        # within PUBLISH_ENDED_BY_ERROR of one.
        self.pub_failed: datetime | None = None
        self.failed_publishes = 0
        self.pub_error_times: list[datetime] = []
        # Join/publish failures while the current connection is open, per (name, code), for storms.
        self.conn_failures: dict[tuple[str, str | None], int] = {}
        self.sub_union_start: datetime | None = None
        # Same-instant restarts (see left(), publish_stopped(), subscribe_stopped()).
        self.rejoined_at: datetime | None = None
        self.pub_restarted_at: datetime | None = None
        self.sub_restarted_at: dict[str, datetime] = {}
        # The last TOKEN_EXCHANGED is only decoded when something needs it (see token_in_effect()).
        self.last_exchange: TokenExchange | None = None
        self.last_exchange_event: tuple[Event, datetime, int] | None = None
        self.exchange_count = 0
        self.received_time: dict[str, timedelta] = {}
        # remote -> [returns, first drop, last return, shortest gap] (only for publishers that came back)
        self.flaps: dict[str, list[Any]] = {}
        # remote -> JOINED events seen when it was last stopped: a return counts as the publisher's flap
        # only if this participant did not leave and rejoin in between (its own drops stop every feed).
        self.sub_stopped_joins: dict[str, int] = {}
        self.most_at_once = 0
        self.ceiling_at: datetime | None = None
        self.replication_started: datetime | None = None
        self.replication_stopped: datetime | None = None
        self.replication_destination: str | None = None
        self.receiving = SpanLog()
        self.receiving_at_end = 0
        self.last_join_index: int | None = None
        self.last_join_error_index: int | None = None
        self.last_time: datetime | None = None

    def run(self, events: Sequence[Event], fallback_time: datetime) -> None:
        """Feed every event, oldest first (the hot loop: locals only, one dict lookup to dispatch)."""
        handlers = {
            "SUBSCRIBE_STARTED": self.subscribe_started,
            "SUBSCRIBE_STOPPED": self.subscribe_stopped,
            "JOINED": self.joined,
            "LEFT": self.left,
            "PUBLISH_STARTED": self.publish_started,
            "PUBLISH_STOPPED": self.publish_stopped,
            "TOKEN_EXCHANGED": self.token_exchanged,
            "REPLICATION_STARTED": self.replication_changed,
            "REPLICATION_STOPPED": self.replication_changed,
        }
        counts, error_names, on_error = self.counts, ERROR_EVENT_NAMES, self.error
        last_time: datetime | None = None
        for index, event in enumerate(events):
            name = event.get("name")
            if not isinstance(name, str):
                name = MISSING_NAME
            counts[name] = counts.get(name, 0) + 1
            time = event.get("eventTime")
            if time is None:
                time = last_time if last_time is not None else fallback_time
            last_time = time
            code = event.get("errorCode")
            if code is not None or name in error_names:
                on_error(event, name, code, time, index)
                continue
            handler = handlers.get(name)
            if handler is not None:
                handler(event, time, index)
        self.last_time = last_time

    def error(self, event: Event, name: str, code: Any, time: datetime, index: int) -> None:
        code = None if code is None else str(code)
        self.error_times.append(time)
        self.error_indices.append(index)
        if name == "JOIN_ERROR":
            self.last_join_error_index = index
        key = (name, code)
        if name in DROPPING_ERROR_NAMES:
            if self.conn_start is not None:
                self.conn_failures[key] = self.conn_failures.get(key, 0) + 1
            if name == "PUBLISH_ERROR":
                self.pub_error_times.append(time)
                if self.pub_start is not None:
                    self.pub_failed = time
        group = self.groups.get(key)
        if group is None:
            if len(self.groups) >= MAX_ERROR_GROUPS:
                self.more_groups[key] = self.more_groups.get(key, 0) + 1
                return
            group = self.groups[key] = _GroupBuilder(name, code, time, index, self.token_in_effect())
        else:
            group.count += 1
            group.last = time
            group.last_index = index
        remote = event.get("remoteParticipantId")
        if remote is not None:
            group.add_remote(str(remote), time, self.last_received(str(remote), time))

    def token_in_effect(self) -> TokenExchange | None:
        """The last TOKEN_EXCHANGED so far, decoded on first use."""
        if self.last_exchange is None and self.last_exchange_event is not None:
            self.last_exchange = read_token_exchange(*self.last_exchange_event)
        return self.last_exchange

    def last_received(self, remote: str, time: datetime) -> tuple[datetime | None, datetime | None]:
        """When this participant last received ``remote``: an open subscription, or the last closed one."""
        if remote in self.sub_open:
            return self.sub_open[remote], time
        position = self.last_subscription.get(remote)
        if position is not None:
            return self.subscriptions.starts[position], self.subscriptions.ends[position]
        return None, None

    def subscribe_started(self, event: Event, time: datetime, index: int) -> None:
        remote = _remote(event)
        if remote in self.sub_open:
            self.sub_restarted_at[remote] = time
            return
        if not self.sub_open:
            self.sub_union_start = time
        self.sub_open[remote] = time
        position = self.last_subscription.get(remote)
        if (
            position is not None
            and self.subscriptions.ended_by[position] is SpanEnd.EVENT
            and self.sub_stopped_joins.get(remote) == len(self.join_times)
        ):
            self.came_back(remote, self.subscriptions.ends[position], time)
        at_once = len(self.sub_open)
        if at_once > self.most_at_once:
            self.most_at_once = at_once
            if at_once >= STAGE_PUBLISHER_LIMIT and self.ceiling_at is None:
                self.ceiling_at = time

    def came_back(self, remote: str, dropped: datetime, time: datetime) -> None:
        """A publisher stopped (SUBSCRIBE_STOPPED, not LEFT) and is received again: count quick returns."""
        gap = time - dropped
        if gap > STORM_MAX_GAP:
            return
        tally = self.flaps.get(remote)
        if tally is None:
            self.flaps[remote] = [1, dropped, time, gap]
        else:
            tally[0] += 1
            tally[2] = time
            tally[3] = min(tally[3], gap)

    def replication_changed(self, event: Event, time: datetime, index: int) -> None:
        if event.get("name") == "REPLICATION_STARTED":
            self.replication_started = time
        else:
            self.replication_stopped = time
        destination = event.get("destinationStageArn")
        if destination is not None:
            self.replication_destination = str(destination)

    def subscribe_stopped(self, event: Event, time: datetime, index: int) -> None:
        remote = _remote(event)
        if (
            remote in self.sub_restarted_at
            and self.sub_restarted_at.pop(remote) == time
            and remote in self.sub_open
        ):
            # A resubscribe within one timestamp sorts before the old stop: end the old span, keep going.
            self.record_subscription(remote, self.sub_open[remote], time, SpanEnd.EVENT)
            self.sub_open[remote] = time
            return
        started = self.sub_open.pop(remote, None)
        if started is None:
            return
        self.sub_stopped_joins[remote] = len(self.join_times)
        self.record_subscription(remote, started, time, SpanEnd.EVENT)
        if not self.sub_open:
            self.close_receiving(time, SpanEnd.EVENT)

    def record_subscription(self, remote: str, started: datetime, time: datetime, ended_by: SpanEnd) -> None:
        self.last_subscription[remote] = self.subscriptions.add(remote, started, time, ended_by)
        self.received_time[remote] = self.received_time.get(remote, ZERO) + (time - started)

    def close_receiving(self, time: datetime, ended_by: SpanEnd) -> None:
        """The last open subscription ended: close the "receiving anyone" span."""
        if self.sub_union_start is not None:
            self.receiving.append(self.sub_union_start, time, ended_by)
            self.subscribed += time - self.sub_union_start
            self.sub_union_start = None

    def joined(self, event: Event, time: datetime, index: int) -> None:
        self.join_times.append(time)
        self.join_indices.append(index)
        self.last_join_index = index
        if self.conn_start is not None:
            self.close_connection(time, index, SpanEnd.REJOINED)
            self.rejoined_at = time
        self.conn_start, self.conn_start_index = time, index

    def close_connection(self, time: datetime, index: int, ended_by: SpanEnd) -> None:
        assert self.conn_start is not None
        self.connections.append(self.conn_start, time, ended_by)
        self.connected += time - self.conn_start
        self.storms.cycle(self.conn_start, self.conn_start_index, time, index, self.conn_failures)
        if self.conn_failures:
            self.conn_failures = {}
        self.conn_start = None

    def left(self, event: Event, time: datetime, index: int) -> None:
        rejoined_at, self.rejoined_at = self.rejoined_at, None
        if rejoined_at == time and self.conn_start == time:
            # Timestamps can be whole seconds and ties sort JOINED before LEFT, so a reconnect within one
            # second reads JOINED (new), LEFT (old). The JOINED already closed the old connection: this
            # LEFT is its end, and the new connection (with its media) goes on.
            self.connections.ended_by[-1] = SpanEnd.EVENT
            self.storms.same_instant_leave(time, index)
            return
        if self.conn_start is not None:
            self.close_connection(time, index, SpanEnd.EVENT)
        self.close_media(time, SpanEnd.LEFT)

    def close_media(self, time: datetime, ended_by: SpanEnd) -> None:
        """Leaving (or the end of the history) ends publishing and every subscription still open."""
        if self.pub_start is not None:
            self.close_publish(time, ended_by)
            self.pub_start = None
        if self.sub_open:
            for remote, started in self.sub_open.items():
                self.record_subscription(remote, started, time, ended_by)
            self.sub_open.clear()
            self.close_receiving(time, ended_by)

    def publish_started(self, event: Event, time: datetime, index: int) -> None:
        if self.pub_start is None:
            self.pub_start = time
        else:
            self.pub_restarted_at = time

    def publish_stopped(self, event: Event, time: datetime, index: int) -> None:
        restarted_at, self.pub_restarted_at = self.pub_restarted_at, None
        if restarted_at == time and self.pub_start is not None:
            # A republish within one timestamp sorts before the old stop: end the old span, keep going.
            self.close_publish(time, SpanEnd.EVENT)
            self.pub_start = time
            return
        if self.pub_start is not None:
            self.close_publish(time, SpanEnd.EVENT)
            self.pub_start = None

    def close_publish(self, time: datetime, ended_by: SpanEnd) -> None:
        """Record the open publish span (the caller clears or restarts ``pub_start``)."""
        assert self.pub_start is not None
        self.publishes.append(self.pub_start, time, ended_by)
        self.publishing += time - self.pub_start
        if self.pub_failed is not None:
            if time - self.pub_failed <= PUBLISH_ENDED_BY_ERROR:
                self.failed_publishes += 1
            self.pub_failed = None

    def token_exchanged(self, event: Event, time: datetime, index: int) -> None:
        self.last_exchange, self.last_exchange_event = None, (event, time, index)
        self.exchange_count += 1
        if len(self.exchanges) < MAX_TOKEN_EXCHANGES_KEPT:
            self.exchanges.append(read_token_exchange(event, time, index))

    def finish(self, end: datetime, end_kind: SpanEnd) -> None:
        """Close what is still open at the end of the history (``end_kind`` says why)."""
        open_since = self.conn_start
        if self.conn_start is not None:
            self.connections.append(self.conn_start, end, end_kind)
            self.connected += end - self.conn_start
            self.conn_start = None
        self.storms.flush(next_start=open_since)
        self.receiving_at_end = len(self.sub_open)
        self.close_media(end, end_kind)


def _remote(event: Event) -> str:
    remote = event.get("remoteParticipantId")
    if remote.__class__ is str:
        return remote
    return UNKNOWN_PUBLISHER if remote is None else str(remote)


def build_timeline(history: ParticipantHistory, now: datetime) -> Timeline:
    """Walk the events once (oldest first) and return spans, totals and groups."""
    events = history.events
    walk = _TimelinePass()
    walk.run(events, history.fetched_at)
    last_time = walk.last_time
    end, end_kind, live = history_end(history, now, last_time)
    still_open = walk.conn_start is not None or walk.pub_start is not None or bool(walk.sub_open)
    window_end = last_time
    if still_open:
        window_end = end if last_time is None else max(end, last_time)
    walk.finish(end, end_kind)
    return Timeline(
        event_count=len(events),
        counts=walk.counts,
        first_time=next((e["eventTime"] for e in events if e.get("eventTime") is not None), None),
        last_time=last_time,
        connections=walk.connections,
        publishes=walk.publishes,
        subscriptions=walk.subscriptions,
        received_time=walk.received_time,
        receiving=walk.receiving,
        receiving_at_end=walk.receiving_at_end,
        connected_time=max(walk.connected, ZERO),
        publishing_time=max(walk.publishing, ZERO),
        subscribed_time=max(walk.subscribed, ZERO),
        failed_publishes=walk.failed_publishes,
        error_groups=tuple(group.freeze() for group in walk.groups.values()),
        more_error_groups=walk.more_groups,
        error_count=len(walk.error_times),
        error_times=walk.error_times,
        publish_error_times=walk.pub_error_times,
        join_times=walk.join_times,
        join_indices=walk.join_indices,
        last_join_index=walk.last_join_index,
        last_join_error_index=walk.last_join_error_index,
        token_exchanges=tuple(walk.exchanges),
        token_exchange_count=walk.exchange_count,
        last_token_exchange=walk.token_in_effect(),
        flapping_publishers=_flapping(walk.flaps),
        most_received_at_once=walk.most_at_once,
        ceiling_reached_at=walk.ceiling_at,
        replication=(
            Replication(walk.replication_started, walk.replication_stopped, walk.replication_destination)
            if walk.replication_started or walk.replication_stopped
            else None
        ),
        storms=tuple(_count_storm_errors(walk.storms.storms, walk.error_indices)),
        history_end=end,
        window_end=window_end,
        live=live,
    )


def _flapping(flaps: dict[str, list[Any]]) -> tuple[PublisherFlaps, ...]:
    """Publishers that came back at least FLAP_MIN times, most returns first (bounded)."""
    often = [PublisherFlaps(remote, *tally) for remote, tally in flaps.items() if tally[0] >= FLAP_MIN]
    return tuple(sorted(often, key=lambda f: (-f.returns, f.first_drop))[:MAX_FLAPPING_KEPT])


def _count_storm_errors(storms: list[Storm], error_indices: list[int]) -> list[Storm]:
    """Attach how many error events happened inside each storm (binary search: errors are index-sorted)."""
    counted = []
    for storm in storms:
        errors = bisect_right(error_indices, storm.last_index) - bisect_left(error_indices, storm.first_index)
        counted.append(replace(storm, errors=errors))
    return counted
