"""How a finished run reads on its summary page: the figures, the laps table, the run against the plan.

Pure helpers (no NiceGUI, no database, no clock) over the session's timeline
(`runcoach.domain.timeline`): the page lays out widgets and calls these. Speeds, paces and
distances are the belt's (the calibration applied), in the runner's units.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from runcoach.domain.accounts import Units
from runcoach.domain.timeline import Lap, LapEnd, Timeline
from runcoach.domain.workouts import Segment
from runcoach.live import present as live
from runcoach.workouts import present as workout_present

PLANNED_COLOUR = "#94a3b8"
RUN_COLOUR = workout_present.SPEED_COLOUR
INCLINE_COLOUR = workout_present.INCLINE_COLOUR

#: What ended a lap, as the laps table says it ('' for the program's own boundaries).
LAP_END_TEXT: dict[LapEnd, str] = {
    LapEnd.TIME: "",
    LapEnd.SKIP: "skipped",
    LapEnd.BACK: "went back",
    LapEnd.END: "finished",
    LapEnd.OPEN: "running",
}


class Figure(NamedTuple):
    label: str
    value: str
    marker: str


def distance_text(metres: float, units: Units) -> str:
    """'5.23 km' or '3.25 mi'."""
    km = metres / 1000
    value, unit = (km, "km") if units is Units.METRIC else (km / live.KM_PER_MILE, "mi")
    return f"{value:.2f} {unit}"


def figures(line: Timeline, units: Units) -> list[Figure]:
    """The run in a few numbers: running time, distance, average pace; the time with the pauses when
    there were any."""
    shown = [
        Figure("Time", live.elapsed_clock(line.timer_s), "time"),
        Figure("Distance", distance_text(line.distance_m, units), "distance"),
        Figure("Average pace", live.pace_text(line.avg_speed_kmh or None, units), "pace"),
    ]
    if line.pauses:
        shown.append(Figure("With pauses", live.elapsed_clock(line.elapsed_s), "elapsed"))
    return shown


def headline(line: Timeline) -> str:
    """How the run ended, in the words the run view ended on ('Done: well run!', 'Finished early: ...')."""
    if not line.state.is_final:
        return f"Still going: {live.time_of_total_text(line.state)}"
    return live.done_text(line.state)


def lap_columns(units: Units) -> list[dict[str, Any]]:
    """Columns of the laps table (NiceGUI / Quasar table column dicts)."""
    columns = [
        ("n", "#", "right"),
        ("segment", "Segment", "left"),
        ("time", "Time", "right"),
        ("distance", f"Distance {'km' if units is Units.METRIC else 'mi'}", "right"),
        ("pace", f"Pace {live.pace_unit(units)}", "right"),
        ("incline", "Incline %", "right"),
        ("note", "", "left"),
    ]
    return [{"name": name, "label": label, "field": name, "align": align} for name, label, align in columns]


def lap_rows(segments: Sequence[Segment], laps: Sequence[Lap], units: Units) -> list[dict[str, Any]]:
    """One row per lap: its segment, running time, belt distance and pace, incline, and what ended it."""
    return [
        {
            "n": i,
            "segment": live.segment_title(segments[lap.segment_index]),
            "time": live.elapsed_clock(lap.timer_s),
            "distance": distance_text(lap.distance_m, units).split(" ")[0],
            "pace": live.pace_text(lap.avg_speed_kmh or None, units).split(" ")[0],
            "incline": f"{lap.incline_pct:.1f}",
            "note": LAP_END_TEXT[lap.ended_by],
        }
        for i, lap in enumerate(laps, start=1)
    ]


def _minutes(seconds: float) -> float:
    return round(seconds / 60, 3)


def planned_points(segments: Sequence[Segment], calibration: float, units: Units) -> list[list[float]]:
    """[minute, belt speed] at each planned segment's start, and at the program's end."""
    points, start = [], 0
    for segment in segments:
        points.append([_minutes(start), live.speed_value(segment.speed_kmh * calibration, units)])
        start += segment.duration_s
    if segments:
        points.append([_minutes(start), points[-1][1]])
    return points


def run_points(line: Timeline, units: Units, attr: str = "speed_kmh") -> list[list[float]]:
    """[minute of running time, value] at the start of each stretch run, and at the run's end: the
    same clock as the plan's (pauses left out), so a skip shows as the run moving ahead of the plan."""
    points = []
    for stretch in line.stretches:
        value = getattr(stretch, attr)
        shown = live.speed_value(value, units) if attr == "speed_kmh" else value
        points.append([_minutes(stretch.timer_before_s), shown])
    if points:
        points.append([_minutes(line.timer_s), points[-1][1]])
    return points


def run_vs_plan_chart(segments: Sequence[Segment], line: Timeline, units: Units) -> dict[str, Any]:
    """ECharts options: the planned speed and the speed run (left axis) and the incline run (right
    axis), over minutes of running time."""
    planned = planned_points(segments, line.calibration, units)
    run = run_points(line, units)
    incline = run_points(line, units, "incline_pct")
    unit = live.speed_unit(units)
    end = max([point[0] for point in (*planned[-1:], *run[-1:])], default=0.0)
    return {
        "animation": False,
        "grid": {"left": 8, "right": 8, "top": 40, "bottom": 30, "containLabel": True},
        "legend": {"top": 0, "data": ["Planned", "Run", "Incline %"]},
        "tooltip": {"trigger": "axis"},
        "xAxis": {
            "type": "value",
            "name": "Running time (min)",
            "nameLocation": "middle",
            "nameGap": 24,
            "min": 0,
            "max": end,
        },
        "yAxis": [
            {"type": "value", "name": unit, "min": 0, "position": "left"},
            {
                "type": "value",
                "name": "%",
                "min": 0,
                "max": workout_present.incline_axis_max(segments),
                "position": "right",
                "splitLine": {"show": False},
            },
        ],
        "series": [
            _line("Planned", planned, 0, PLANNED_COLOUR, {"type": "dashed", "width": 2}),
            _line("Run", run, 0, RUN_COLOUR, {"width": 3}),
            _line("Incline %", incline, 1, INCLINE_COLOUR, {"width": 1.5}) | {"areaStyle": {"opacity": 0.2}},
        ],
    }


def _line(
    name: str, data: list[list[float]], axis: int, colour: str, style: dict[str, Any]
) -> dict[str, Any]:
    # step 'end': each value holds until the next point, as the treadmill holds a segment's speed.
    return {
        "name": name,
        "type": "line",
        "step": "end",
        "yAxisIndex": axis,
        "data": data,
        "showSymbol": False,
        "color": colour,
        "lineStyle": style,
    }
