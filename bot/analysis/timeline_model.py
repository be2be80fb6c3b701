"""What the timeline pass produces: the Timeline and its token exchanges, error groups and storms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.analysis.span_log import SpanLog, SubscriptionLog


@dataclass(frozen=True, slots=True)
class TokenExchange:
    """A TOKEN_EXCHANGED event, reduced to what matters for a diagnosis."""

    time: datetime
    index: int
    previous_capabilities: frozenset[str]
    new_capabilities: frozenset[str]
    previous_user_id: str | None
    new_user_id: str | None
    attributes_changed: bool
    new_expiration: datetime | None = None

    @property
    def dropped(self) -> frozenset[str]:
        """Capabilities the old token had and the new one lacks."""
        return self.previous_capabilities - self.new_capabilities

    @property
    def added(self) -> frozenset[str]:
        """Capabilities the new token has and the old one lacked."""
        return self.new_capabilities - self.previous_capabilities


@dataclass(frozen=True, slots=True)
class RemoteFailure:
    """Failures of one error group against one remote publisher (``remoteParticipantId``).

    Attributes:
        received_from / received_until: the last time this participant received that publisher before the
            first failure (a SUBSCRIBE_STARTED ... SUBSCRIBE_STOPPED span), when this history shows one.
    """

    remote_id: str
    count: int
    first: datetime
    last: datetime
    received_from: datetime | None
    received_until: datetime | None


@dataclass(frozen=True, slots=True)
class ErrorGroup:
    """Every error event with the same name and code."""

    event_name: str
    code: str | None
    count: int
    first: datetime
    last: datetime
    first_index: int
    last_index: int
    remotes: tuple[RemoteFailure, ...]
    remotes_not_detailed: int
    token_in_effect: TokenExchange | None


@dataclass(frozen=True, slots=True)
class PublisherFlaps:
    """A remote publisher this participant kept losing and getting back while it stayed connected.

    Attributes:
        returns: how often it came back within STORM_MAX_GAP of a SUBSCRIBE_STOPPED.
        first_drop / last_return: the first such drop and the last return.
        shortest_gap: the shortest time it was gone.
    """

    remote_id: str
    returns: int
    first_drop: datetime
    last_return: datetime
    shortest_gap: timedelta


@dataclass(frozen=True, slots=True)
class Replication:
    """The participant's replication into another stage, as REPLICATION_STARTED/STOPPED events tell it.

    Attributes:
        started / stopped: the last of each event (None when absent).
        destination: the last destination stage ARN named.
    """

    started: datetime | None
    stopped: datetime | None
    destination: str | None


@dataclass(frozen=True, slots=True)
class StormCause:
    """One group of join or publish failures that came while connected, during a storm's cycles."""

    event_name: str
    code: str | None
    cycles: int


@dataclass(frozen=True, slots=True)
class Storm:
    """A run of quick join/leave cycles (see STORM_MIN_CYCLES).

    Attributes:
        errors: error events of any kind between its first and last event.
        instant_rejoins: rejoins within a second of the previous drop (see INSTANT_REJOIN).
        causes: join or publish failures that came while connected, with how many cycles each came in (a
            failed subscription does not end a connection, so subscribe errors never count here).
        failed_cycles: cycles whose connection saw at least one of those failures.
        drops: connections that ended and came back during it: the cycles, the connection the first one
            came back from, less the last cycle when the client did not come back after it.
        first_drop / last_rejoin: the first of those drops and the last rejoin (start and end when unset).
    """

    start: datetime
    end: datetime
    cycles: int
    first_index: int
    last_index: int
    errors: int = 0
    causes: tuple[StormCause, ...] = ()
    failed_cycles: int = 0
    instant_rejoins: int = 0
    drops: int = 0
    first_drop: datetime | None = None
    last_rejoin: datetime | None = None

    @property
    def drop_count(self) -> int:
        """Connections that ended and came back during the storm (the cycles, when not counted)."""
        return self.drops or self.cycles

    @property
    def dropped_from(self) -> datetime:
        """The storm's first drop."""
        return self.first_drop or self.start

    @property
    def back_at(self) -> datetime:
        """The storm's last rejoin (its last cycle's end when the client did not come back)."""
        return self.last_rejoin or self.end

    @property
    def same_second_rejoins(self) -> bool:
        """True when every drop came within a second of the next join: two clients pushing each other out
        (one token on two devices), not a network that needs seconds to come back."""
        return self.cycles > 1 and self.instant_rejoins >= self.cycles - 1

    @property
    def explained_by_errors(self) -> bool:
        """True when a join or publish failure came before the drop in most cycles (all but one, or at
        least two thirds of them): the client was retrying a failure, not losing its network.

        A real retry loop is rarely perfect (a cycle ended by hand, one that dropped before the failure
        was recorded), so demanding every cycle would blame the network for an encoder's retries.
        """
        failed, cycles = self.failed_cycles, self.cycles
        return failed > 0 and (failed >= cycles - 1 or 3 * failed >= 2 * cycles)

    @property
    def mostly_unexplained(self) -> bool:
        """True when under half of the cycles saw a join or publish failure: the errors are incidental."""
        return 2 * self.failed_cycles < self.cycles


@dataclass(frozen=True, slots=True)
class Timeline:
    """What happened, in spans and totals (see :func:`build_timeline`).

    Attributes:
        counts: events per name (unknown names included, as sent).
        subscriptions: every span of receiving a publisher (``spans_of(remote)`` for one publisher).
        received_time: per remote publisher, how long it was received in total (its keys: every publisher
            this participant received).
        receiving: the spans during which at least one publisher was received (their total is
            ``subscribed_time``).
        receiving_at_end: publishers still being received when the history ends.
        failed_publishes: publish spans that ended at (or just after) a PUBLISH_ERROR: the attempt failed.
        error_groups: the first MAX_ERROR_GROUPS groups of identical errors, in the order first seen.
        more_error_groups: events per (name, code) of any further groups (counted only).
        error_times: the time of every error event, oldest first (for the chart's error row).
        publish_error_times: the time of every PUBLISH_ERROR, oldest first (did a later publish work?).
        join_times: the time of every JOINED event.
        join_indices: the index of every JOINED event (the same order).
        history_end: where open spans stop: ``now`` while live, the session end, or the last event.
        window_end: the last event, or ``history_end`` when a span was still open after it.
        live: True when the session is live (or, without session details, the participant is CONNECTED).
        last_token_exchange: the last TOKEN_EXCHANGED (its new token's expiry says when the client had to
            rejoin with another).
        flapping_publishers: publishers received, lost and received again at least FLAP_MIN times, most
            returns first (at most MAX_FLAPPING_KEPT).
        most_received_at_once: the most publishers received at the same moment.
        ceiling_reached_at: when it first received STAGE_PUBLISHER_LIMIT publishers at once (the stage was
            full: a 13th could not publish).
        replication: REPLICATION_STARTED/STOPPED events, when there were any.
    """

    event_count: int
    counts: Mapping[str, int]
    first_time: datetime | None
    last_time: datetime | None
    connections: SpanLog
    publishes: SpanLog
    subscriptions: SubscriptionLog
    received_time: Mapping[str, timedelta]
    receiving: SpanLog
    receiving_at_end: int
    connected_time: timedelta
    publishing_time: timedelta
    subscribed_time: timedelta
    failed_publishes: int
    error_groups: tuple[ErrorGroup, ...]
    more_error_groups: Mapping[tuple[str, str | None], int]
    error_count: int
    error_times: Sequence[datetime]
    publish_error_times: Sequence[datetime]
    join_times: Sequence[datetime]
    join_indices: Sequence[int]
    last_join_index: int | None
    last_join_error_index: int | None
    token_exchanges: tuple[TokenExchange, ...]
    token_exchange_count: int
    last_token_exchange: TokenExchange | None
    flapping_publishers: tuple[PublisherFlaps, ...]
    most_received_at_once: int
    ceiling_reached_at: datetime | None
    replication: Replication | None
    storms: tuple[Storm, ...]
    history_end: datetime
    window_end: datetime | None
    live: bool

    @property
    def still_connected(self) -> bool:
        """True when the last connection is still open now."""
        return bool(self.connections) and self.connections[-1].is_open

    @property
    def still_publishing(self) -> bool:
        """True when the last publish span is still open now."""
        return bool(self.publishes) and self.publishes[-1].is_open

    @property
    def window(self) -> tuple[datetime, datetime] | None:
        """The stretch of time worth drawing: the first event to the last event or open span's end."""
        if self.first_time is None or self.window_end is None:
            return None
        return self.first_time, max(self.window_end, self.first_time)
