"""The picture of the session reads in a terminal and in a Slack code block: rows against a time axis."""

from __future__ import annotations

from datetime import timedelta

from bot.analysis import analyze
from bot.views import build_reply, render_session_chart
from bot.views.session_chart import CHART_WIDTH, FILLED, GAP, LABEL_WIDTH, ONE, column_scale
from tests.analysis.factories import (
    NOW,
    error,
    history,
    join_leave_cycles,
    joined,
    left,
    publish_started,
    publish_stopped,
    subscribe_started,
    subscribe_stopped,
)
from tests.views.hostile import PING_CHANNEL


def _rows(chart: str) -> dict[str, str]:
    return {line[:LABEL_WIDTH].strip(): line[LABEL_WIDTH:] for line in chart.splitlines() if "|" in line}


def test_a_host_sees_connected_and_publishing_rows_filled_where_they_were_live() -> None:
    chart = render_session_chart(
        analyze(history([joined(0), publish_started(10), publish_stopped(20), left(40)]), now=NOW)
    )
    rows = _rows(chart)

    assert rows["connected"].strip("|") == FILLED * 42
    publishing = rows["publishing"].strip("|")
    assert publishing.startswith(" " * 9) and FILLED * 10 in publishing and publishing.endswith(" " * 19)
    assert all(len(line) <= CHART_WIDTH for line in chart.splitlines())


def test_the_longest_received_publishers_get_a_row_and_one_row_shows_receiving_anyone() -> None:
    events = [joined(0)]
    for n in range(7):
        events += [subscribe_started(n, f"Pub{n}xxxxxxxx"), subscribe_stopped(30 - n, f"Pub{n}xxxxxxxx")]
    events.sort(key=lambda e: e["eventTime"])  # histories are oldest first
    chart = render_session_chart(analyze(history([*events, left(30)]), now=NOW))
    rows = _rows(chart)

    assert [label for label in rows if label.startswith("sub Pub")] == [
        "sub Pub0xxxxxxxx",
        "sub Pub1xxxxxxxx",
        "sub Pub2xxxxxxxx",
        "sub Pub3xxxxxxxx",
    ]
    assert rows["sub any of 7"].strip("|") == FILLED * 42


def test_errors_and_reconnects_are_counted_per_column() -> None:
    events = [*join_leave_cycles(0, 12), error("JOIN_ERROR", 20, "QUOTA_EXCEEDED")]
    rows = _rows(render_session_chart(analyze(history(events), now=NOW)))

    assert "+" in rows["joins"] or any(c.isdigit() or c == ONE for c in rows["joins"])
    assert rows["errors"].strip("| ") == ONE


def test_the_time_axis_shows_the_start_and_the_end_in_utc() -> None:
    chart = render_session_chart(analyze(history([joined(0), left(40)]), now=NOW))
    axis = chart.splitlines()[-1]
    assert axis.strip().startswith("14:00") and axis.endswith("14:40 UTC")


def test_a_hostile_publisher_id_cannot_break_out_of_the_code_block() -> None:
    events = [joined(0), subscribe_started(1, f"```{PING_CHANNEL}"), left(5)]
    reply = build_reply(analyze(history(events), now=NOW))
    (chart,) = [
        b["text"]["text"] for b in reply.blocks if "Session at a glance" in b.get("text", {}).get("text", "")
    ]

    assert chart.count("```") == 2
    assert "sub #1" in chart and "#1 = '''&lt;!channel&gt;" in chart  # too long for a label: named below


def test_a_two_second_drop_is_visible_even_when_a_column_is_a_minute() -> None:
    events = [joined(0), left(20), joined(20 + 2 / 60), left(60)]
    chart = render_session_chart(analyze(history(events), now=NOW))

    assert _rows(chart)["connected"].strip("|").count(GAP) == 1
    assert "active with a gap" in chart


def test_a_long_custom_publisher_id_is_never_clipped_in_the_chart() -> None:
    long_id = "guest-with-a-rather-long-custom-id-0042"
    events = [joined(0), subscribe_started(1, long_id), subscribe_stopped(5, long_id), left(5)]
    chart = render_session_chart(analyze(history(events), now=NOW))

    assert "sub #1" in chart and f"#1 = {long_id}" in chart


def test_an_empty_history_draws_nothing_without_failing() -> None:
    assert render_session_chart(analyze(history([]), now=NOW)) == "(no events to draw)"


def test_the_scale_is_exact_or_marked_approximate_never_rounded_down() -> None:
    events = [joined(0), left(65 / 60)]  # 65 s over 42 columns: 1.55 s per column
    chart = render_session_chart(analyze(history(events), now=NOW))

    assert chart.splitlines()[0].startswith("1 column ≈ 1.5 s; █ = active")
    assert column_scale(timedelta(seconds=2)) == "1 column = 2 s"
    assert column_scale(timedelta(seconds=84.9)) == "1 column ≈ 1 min 25 s"
    assert column_scale(timedelta(minutes=90, seconds=40)) == "1 column ≈ 1 h 31 min"


def test_joins_in_neighbouring_columns_cannot_be_read_as_one_number() -> None:
    events = sorted(
        [*join_leave_cycles(0, 6, every_seconds=4), *join_leave_cycles(2, 6, every_seconds=4)],
        key=lambda e: e["eventTime"],
    )
    rows = _rows(render_session_chart(analyze(history(events), now=NOW)))

    joins = rows["joins"].strip("|")
    assert ONE + ONE in joins and "11" not in joins
