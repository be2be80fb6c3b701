"""Human durations: "45 s", "3 min 05 s", "2 h 03 min", "1 d 02 h"."""

from __future__ import annotations

from datetime import timedelta


def format_duration(value: timedelta) -> str:
    """Render a duration with the two most useful units (negative durations count as zero)."""
    seconds = max(0, int(value.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours:02d} h"
