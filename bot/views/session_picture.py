"""A picture of the whole session, in text: one row per publisher and per participant with problems.

    Kq7RtU2vWx9Z ███████████─────██████████████    ← publishing, connected, absent
    Gu3stB4dNet0 ──×─ ──×─ ──×─  ─────────────
                 18:00 UTC                18:42 UTC     █ publishing  ─ connected  × error

Pure and bounded: at most :data:`MAX_ROWS` rows of :data:`WIDTH` columns, whatever the session size.
"""

from __future__ import annotations

from datetime import datetime

from bot.analysis.participant_analysis import Analysis
from bot.analysis.session_overview import SessionOverview
from bot.views.phrase_text import short_utc

WIDTH = 48
MAX_ROWS = 14
LABEL = 12


def render_session_picture(overview: SessionOverview) -> str:
    """The picture, or "" when there is nothing to draw."""
    chosen = [r for r in overview.with_problems if r.analysis is not None]
    chosen += [r for r in overview.rows if r.published and r not in chosen and r.analysis is not None]
    analyses = [r.analysis for r in chosen[:MAX_ROWS] if r.analysis is not None]
    window = _window(overview, analyses)
    if window is None or not analyses:
        return ""
    start, end = window
    span = max((end - start).total_seconds(), 1.0)

    def column(moment: datetime) -> int:
        return min(WIDTH - 1, max(0, int((moment - start).total_seconds() / span * WIDTH)))

    lines = []
    for analysis in analyses:
        cells = [" "] * WIDTH
        for mark, spans in (("─", analysis.timeline.connections), ("█", analysis.timeline.publishes)):
            for s in spans:
                for c in range(column(s.start), column(s.end) + 1):
                    cells[c] = mark
        for moment in analysis.timeline.error_times:
            cells[column(moment)] = "×"
        label = analysis.query.participant_id
        label = label if len(label) <= LABEL else label[: LABEL - 1] + "…"
        lines.append(f"{label:<{LABEL}} {''.join(cells)}")
    left, right = short_utc(start), short_utc(end)
    lines.append(f"{'':<{LABEL}} {left}{right:>{max(WIDTH - len(left), len(right) + 1)}}")
    lines.append(f"{'':<{LABEL}} █ publishing  ─ connected  × error")
    hidden = len(chosen) - len(analyses)
    if hidden > 0:
        lines.append(f"{'':<{LABEL}} ({hidden} more rows not drawn)")
    return "\n".join(lines)


def _window(overview: SessionOverview, analyses: list[Analysis]) -> tuple[datetime, datetime] | None:
    session = overview.session or {}
    start, end = session.get("startTime"), session.get("endTime")
    if isinstance(start, datetime):
        return start, end if isinstance(end, datetime) else overview.now
    windows = [a.timeline.window for a in analyses if a.timeline.window is not None]
    if not windows:
        return None
    return min(w[0] for w in windows if w), max(w[1] for w in windows if w)
