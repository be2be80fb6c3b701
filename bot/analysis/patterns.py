"""Named patterns in a timeline: the shapes a support engineer looks for first."""

from __future__ import annotations

from dataclasses import dataclass

from bot.analysis.timeline import ErrorGroup, Storm, Timeline

# The same failure this many times is a retry loop, not bad luck.
REPEATED_FAILURE_MIN = 3


@dataclass(frozen=True, slots=True)
class Patterns:
    """What kind of history this is.

    Attributes:
        storms: runs of quick join/leave cycles (even with no error events).
        never_joined: no JOINED event at all.
        never_got_in: JOIN_ERRORs and no JOINED after the last of them (never joined, or never rejoined).
        joined_but_idle: joined, but never published, subscribed or even tried to.
        still_connected: the session is live and the last connection is open now.
        repeated_failures: error groups seen at least REPEATED_FAILURE_MIN times, most frequent first.
        unknown_names: event names the catalogue does not know, with their counts.
    """

    storms: tuple[Storm, ...]
    never_joined: bool
    never_got_in: bool
    joined_but_idle: bool
    still_connected: bool
    repeated_failures: tuple[ErrorGroup, ...]
    unknown_names: tuple[tuple[str, int], ...]


def detect_patterns(timeline: Timeline, known_names: frozenset[str]) -> Patterns:
    """Name the patterns in a timeline (cheap: works on spans and groups, not on events)."""
    joined = timeline.last_join_index is not None
    join_error = timeline.last_join_error_index
    tried_media = any(
        group.event_name in ("PUBLISH_ERROR", "SUBSCRIBE_ERROR") for group in timeline.error_groups
    )
    return Patterns(
        storms=timeline.storms,
        never_joined=not joined,
        never_got_in=join_error is not None
        and (timeline.last_join_index is None or timeline.last_join_index < join_error),
        joined_but_idle=joined and not timeline.publishes and not timeline.subscriptions and not tried_media,
        still_connected=timeline.live and timeline.still_connected,
        repeated_failures=tuple(
            sorted(
                (g for g in timeline.error_groups if g.count >= REPEATED_FAILURE_MIN),
                key=lambda g: -g.count,
            )
        ),
        unknown_names=tuple(
            sorted(
                ((name, count) for name, count in timeline.counts.items() if name not in known_names),
                key=lambda item: -item[1],
            )
        ),
    )
