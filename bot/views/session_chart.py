"""A picture of the session: fixed-width rows of time for a Slack code block or a terminal.

    1 column ≈ 1 min 35 s; █ = active; • = 1, + = 10 or more
    connected      |████████  ████ █ ██████████████████████|
    publishing     |  ██████        ███████████████████████|
    sub Co8HoSt9L… | ██████████     ██████████████         |
    joins          |•         •    2•                      |
    errors         |      3       •                        |
                   +----------------------------------------+
                   14:00               14:32            15:04 UTC

A column holding one moment shows a dot, not a "1": two neighbouring columns then read "••", where "11"
would read as eleven. At most 60 columns, plain text (the Slack view escapes it). The cost depends on the
number of columns and the number of spans, never on the number of events: rows of spans and counts are
found by binary search.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import datetime, timedelta
from heapq import nlargest
from itertools import pairwise
from operator import itemgetter

from bot.analysis import Analysis
from bot.analysis.durations import format_duration
from bot.analysis.span_log import SpanLog
from bot.views.phrase_text import sanitize

# 42 columns of time; the label column holds "sub " and a 12-character IVS participant id whole.
CHART_WIDTH = 61
LABEL_WIDTH = 17
MAX_PUBLISHER_ROWS = 4
FILLED = "█"
# A column that is active but holds a gap (a drop and a return within it): short drops stay visible.
GAP = "▚"
ONE = "•"
MANY = "+"
# Smallest window drawn: a single event still gets a readable axis.
MIN_WINDOW = timedelta(minutes=1)


def _shown(text: str) -> str:
    # Chart labels hold untrusted ids: one printable line, no backtick that could close the code block.
    return sanitize(text, 80).replace("`", "'")


def _label(text: str) -> str:
    return _shown(text)[: LABEL_WIDTH - 1].ljust(LABEL_WIDTH)


def _span_cells(spans: SpanLog, bounds: Sequence[datetime]) -> str:
    """Fill each column some span overlaps; a column where one span ends and a later one starts shows a
    gap. ``spans`` must be sorted and not overlap each other."""
    starts, ends = spans.starts, spans.ends
    step = bounds[1] - bounds[0]
    cells = []
    for left, right in pairwise(bounds):
        last = bisect_left(starts, right) - 1
        covered = last >= 0 and (ends[last] > left or starts[last] >= left)
        if not covered:
            cells.append(" ")
            continue
        # A drop shorter than a column, ending in this one: empty columns would not show it, so mark it.
        gap = last >= 1 and starts[last] >= left and ends[last - 1] < starts[last] < ends[last - 1] + step
        cells.append(GAP if gap else FILLED)
    return "".join(cells)


def _count_cells(times: Sequence[datetime], bounds: Sequence[datetime]) -> str:
    """One character per column: how many moments fall in it (``•`` for 1, ``2``-``9``, ``+`` for 10 or
    more)."""
    cells = []
    for left, right in pairwise(bounds):
        count = max(0, bisect_left(times, right) - bisect_left(times, left))
        cells.append(" " if count == 0 else ONE if count == 1 else str(count) if count < 10 else MANY)
    return "".join(cells)


def column_scale(step: timedelta) -> str:
    """ "1 column = 2 s", "1 column ≈ 1.5 s", "1 column ≈ 1 min 25 s": rounded to the unit shown, never
    truncated, and marked ≈ unless exact."""
    seconds = step.total_seconds()
    if seconds < 10:
        shown = round(seconds, 1)
        text, exact = f"{shown:g} s", shown == seconds
    else:
        # format_duration shows seconds below an hour, minutes below a day, then hours.
        unit = 1 if seconds < 3600 else 60 if seconds < 86400 else 3600
        rounded = timedelta(seconds=round(seconds / unit) * unit)
        text, exact = format_duration(rounded), rounded == step
    return f"1 column {'=' if exact else '≈'} {text}"


def _tick(moment: datetime, window: timedelta, multi_day: bool) -> str:
    if multi_day:
        return moment.strftime("%m-%d %H:%M")
    return moment.strftime("%H:%M:%S" if window < timedelta(minutes=10) else "%H:%M")


def _axis(start: datetime, end: datetime, columns: int) -> list[str]:
    multi_day = start.date() != end.date()
    window = end - start
    first, last = _tick(start, window, multi_day), _tick(end, window, multi_day) + " UTC"
    labels = [" "] * (columns + 2)
    labels[: len(first)] = first
    labels[len(labels) - len(last) :] = last
    middle = _tick(start + window / 2, window, multi_day)
    at = (len(labels) - len(middle)) // 2
    if at > len(first) + 1 and at + len(middle) < len(labels) - len(last) - 1:
        labels[at : at + len(middle)] = middle
    pad = " " * LABEL_WIDTH
    return [pad + "+" + "-" * columns + "+", pad + "".join(labels).rstrip()]


def render_session_chart(
    analysis: Analysis, *, width: int = CHART_WIDTH, max_publishers: int = MAX_PUBLISHER_ROWS
) -> str:
    """Draw connected, publishing, the most-received publishers, joins and errors against time (UTC)."""
    timeline = analysis.timeline
    window = timeline.window
    if window is None:
        return "(no events to draw)"
    start, end = window
    if end - start < MIN_WINDOW:
        end = start + MIN_WINDOW
    columns = max(10, width - LABEL_WIDTH - 2)
    step = (end - start) / columns
    bounds = [start + step * i for i in range(columns)] + [end + timedelta(microseconds=1)]

    def row(label: str, cells: str) -> str:
        return f"{_label(label)}|{cells}|"

    counts = len(timeline.join_times) > 1 or bool(timeline.error_times)
    rows = [
        row("connected", _span_cells(timeline.connections, bounds)),
        row("publishing", _span_cells(timeline.publishes, bounds)),
    ]
    # The publishers received longest get a row each; with more of them, one row shows "anyone". An id too
    # long for the label column gets a number, and its full id is written under the axis.
    count = len(timeline.received_time)
    top = count if count <= max_publishers + 1 else max_publishers
    named: list[str] = []
    for remote, _ in nlargest(top, timeline.received_time.items(), key=itemgetter(1)):
        label = f"sub {_shown(remote)}"
        if len(label) >= LABEL_WIDTH:
            named.append(f"#{len(named) + 1} = {_shown(remote)}")
            label = f"sub #{len(named)}"
        rows.append(row(label, _span_cells(timeline.subscriptions.spans_of(remote), bounds)))
    if count > top:
        rows.append(row(f"sub any of {count:,}", _span_cells(timeline.receiving, bounds)))
    if len(timeline.join_times) > 1:
        rows.append(row("joins", _count_cells(timeline.join_times, bounds)))
    if timeline.error_times:
        rows.append(row("errors", _count_cells(timeline.error_times, bounds)))
    gaps = any(GAP in line for line in rows)
    legend = (
        f"{column_scale(step)}; {FILLED} = active"
        + (f", {GAP} = active with a gap" if gaps else "")
        + (f"; {ONE} = 1, {MANY} = 10 or more" if counts else "")
    )
    rows = [legend, *rows, *_axis(start, end, columns)]
    if named:
        rows.append(pad_label("") + "; ".join(named))
    return "\n".join(rows)


def pad_label(text: str) -> str:
    """``text`` in the label column (for lines under the axis)."""
    return text.ljust(LABEL_WIDTH)
