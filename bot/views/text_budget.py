"""Fit lines of mrkdwn into a character budget by dropping whole lines, never cutting one in the middle."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.views.mrkdwn import clip

# Room kept for the "…and N more" line when lines have to be dropped.
OVERFLOW_RESERVE = 100


def fit_lines(lines: Sequence[str], limit: int, overflow: Callable[[int], str] | None = None) -> str:
    """Join as many whole lines as fit in ``limit`` characters.

    Args:
        lines: in order of importance (the first ones are kept).
        limit: the most characters the result may have.
        overflow: builds the closing line from the number of lines dropped ("…and 3 more").
    """
    if sum(len(line) for line in lines) + len(lines) - 1 <= limit:
        return "\n".join(lines)
    room = limit - (OVERFLOW_RESERVE if overflow else 0)
    kept: list[str] = []
    size = -1
    for line in lines:
        fitted = clip(line, room)
        if size + 1 + len(fitted) > room:
            break
        kept.append(fitted)
        size += 1 + len(fitted)
    dropped = len(lines) - len(kept)
    if overflow and dropped:
        kept.append(clip(overflow(dropped), OVERFLOW_RESERVE - 1))
    return clip("\n".join(kept), limit)


def fit_by_priority(lines: Sequence[tuple[int, str]], limit: int, shortened: str = "") -> str:
    """Keep the most important lines that fit in ``limit``, shown in their original order.

    Args:
        lines: ``(priority, text)`` in reading order; a lower priority number is kept first.
        limit: the most characters the result may have.
        shortened: a closing line added when something had to be left out.
    """
    if sum(len(text) for _, text in lines) + len(lines) - 1 <= limit:
        return "\n".join(text for _, text in lines)
    room = limit - (len(shortened) + 1 if shortened else 0)
    chosen: set[int] = set()
    size = -1
    for position in sorted(range(len(lines)), key=lambda n: lines[n][0]):
        text = lines[position][1]
        if size + 1 + len(text) <= room:
            chosen.add(position)
            size += 1 + len(text)
    kept = [text for position, (_, text) in enumerate(lines) if position in chosen]
    if shortened:
        kept.append(shortened)
    return clip("\n".join(kept), limit)


def share_budget(budget: int, wants: Sequence[int], floors: Sequence[int]) -> list[int]:
    """Split ``budget`` characters between parts listed most important first.

    Every part gets what it wants when that fits. Otherwise each first gets its floor (or less, if it
    wants less), and what is left goes to the parts in order, each up to what it wants: room one part does
    not use goes to the next instead of being lost. If even the floors do not fit, they shrink in
    proportion.

    Args:
        wants: each part's natural size.
        floors: the size each part is promised before any part gets more.
    """
    if sum(wants) <= budget:
        return list(wants)
    shares = [min(want, floor) for want, floor in zip(wants, floors, strict=True)]
    promised = sum(shares)
    if promised >= budget:
        return [share * max(budget, 0) // promised for share in shares]
    left = budget - promised
    for position, want in enumerate(wants):
        extra = min(want - shares[position], left)
        shares[position] += extra
        left -= extra
    return shares
