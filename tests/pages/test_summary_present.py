"""The run summary's presenter: figures, laps table and the run-vs-plan chart, in the runner's units."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from runcoach.domain.accounts import Units
from runcoach.domain.session import Event, EventKind
from runcoach.domain.timeline import Timeline, timeline
from runcoach.domain.workouts import Segment, SegmentLabel
from runcoach.live import summary

K = EventKind
L = SegmentLabel
T0 = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
#: 5 min warm-up at 9 km/h, 10 min at 12 km/h on a 2 % hill, 5 min cool-down at 8 km/h.
PROGRAM = (
    Segment(label=L.WARM_UP, duration_s=300, speed_kmh=9.0, incline_pct=1.0),
    Segment(label=L.HILL, duration_s=600, speed_kmh=12.0, incline_pct=2.0),
    Segment(label=L.COOL_DOWN, duration_s=300, speed_kmh=8.0, incline_pct=0.0),
)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def ran(*steps: tuple[EventKind, float], calibration: float = 1.0) -> Timeline:
    events = [Event(seq, kind, at(s)) for seq, (kind, s) in enumerate(((K.CREATED, 0), *steps), start=1)]
    return timeline(PROGRAM, events, at(10_000), calibration)


#: Started at 0, paused 60 s in the warm-up, skipped the warm-up's rest, went back from the hill after
#: 100 s, played the rest to the end.
EVENTFUL = ran((K.STARTED, 0), (K.PAUSED, 120), (K.RESUMED, 180), (K.SKIPPED, 240), (K.WENT_BACK, 340))


@pytest.mark.parametrize(
    ("metres", "units", "text"),
    [(5234.0, Units.METRIC, "5.23 km"), (5000.0, Units.IMPERIAL, "3.11 mi"), (0.0, Units.METRIC, "0.00 km")],
)
def test_a_distance_reads_in_the_runners_units(metres: float, units: Units, text: str) -> None:
    assert summary.distance_text(metres, units) == text


def test_a_run_played_in_full_reads_its_time_distance_and_pace() -> None:
    line = ran((K.STARTED, 0))
    figures = {f.marker: f.value for f in summary.figures(line, Units.METRIC)}
    # 5 min at 9 + 10 min at 12 + 5 min at 8 km/h = 0.75 + 2 + 0.6667 km in 20 minutes.
    assert figures == {"time": "20:00", "distance": "3.42 km", "pace": "5:51 min/km"}
    assert summary.headline(line) == "Done: well run!"


def test_pauses_add_the_time_with_them_and_imperial_reads_miles() -> None:
    figures = {f.marker: (f.label, f.value) for f in summary.figures(EVENTFUL, Units.IMPERIAL)}
    assert figures["time"] == ("Time", "24:40") and figures["elapsed"] == ("With pauses", "25:40")
    assert figures["distance"][1].endswith(" mi") and figures["pace"][1].endswith(" min/mi")
    assert summary.headline(EVENTFUL) == "Done: well run!"  # every segment was played to its end at last


def test_an_early_finish_says_so() -> None:
    line = ran((K.STARTED, 0), (K.FINISHED, 200))
    assert summary.headline(line) == "Finished early: 0 of 3 segments, 3:20 of 20:00"


def test_the_laps_table_has_a_row_per_lap_with_what_ended_it() -> None:
    rows = summary.lap_rows(PROGRAM, EVENTFUL.laps, Units.METRIC)
    assert [(r["segment"], r["time"], r["note"]) for r in rows] == [
        ("Warm-up", "3:00", "skipped"),
        ("Hill", "1:40", "went back"),
        ("Warm-up", "5:00", ""),
        ("Hill", "10:00", ""),
        ("Cool-down", "5:00", "finished"),
    ]
    assert rows[0]["distance"] == "0.45" and rows[0]["pace"] == "6:40" and rows[1]["incline"] == "2.0"
    assert [c["label"] for c in summary.lap_columns(Units.IMPERIAL)][3:5] == ["Distance mi", "Pace min/mi"]


def test_the_chart_draws_the_plan_and_the_run_on_one_clock_of_running_time() -> None:
    options = summary.run_vs_plan_chart(PROGRAM, EVENTFUL, Units.METRIC)
    planned, run, incline = options["series"]
    assert planned["name"] == "Planned" and planned["data"] == [[0, 9.0], [5, 12.0], [15, 8.0], [20, 8.0]]
    # The run: 3 min of warm-up (a pause left out), the hill early (a skip), back to the warm-up...
    assert run["data"] == [
        [0, 9.0],
        [2, 9.0],
        [3, 12.0],
        [4.667, 9.0],
        [9.667, 12.0],
        [19.667, 8.0],
        [24.667, 8.0],
    ]
    assert [point[1] for point in incline["data"]] == [1.0, 1.0, 2.0, 1.0, 2.0, 0.0, 0.0]
    assert options["xAxis"]["max"] == 24.667 and options["yAxis"][0]["name"] == "km/h"


def test_the_chart_shows_the_belt_speed_with_the_calibration_in_mph() -> None:
    line = ran((K.STARTED, 0), (K.FINISHED, 60), calibration=1.1)
    planned, run, _ = summary.run_vs_plan_chart(PROGRAM, line, Units.IMPERIAL)["series"]
    assert planned["data"][0][1] == run["data"][0][1] == round(9.0 * 1.1 / 1.609344, 1)
