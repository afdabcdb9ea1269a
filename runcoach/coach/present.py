"""How the progress figures look on the page: big numbers with one line each, and the charts.

Pure helpers (no NiceGUI, no database, no clock): `pages/progress.py` lays out widgets and calls
these. The numbers come from `runcoach.domain.progress` as they are; this module only words them
and turns distances into the runner's units (km or miles).
"""

from __future__ import annotations

import calendar as stdlib_calendar
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from runcoach.domain.accounts import Units
from runcoach.domain.completion import DayStatus
from runcoach.domain.progress import (
    BLOCK_WEEKS,
    Completion,
    Consistency,
    Progress,
    VdotTrend,
    Volume,
    WeekVolume,
)
from runcoach.plans.present import (
    DONE_COLOUR,
    PLANNED_COLOUR,
    STATUS_COLOUR,
    distance_text,
    distance_unit,
    distance_value,
)

TREND_COLOUR = "#ea580c"
PROFILE_COLOUR = "#6b7280"
#: A dash: the figure has no value yet (the caption says why).
NONE = "–"


@dataclass(frozen=True)
class Figure:
    """One big number: `key` marks it on the page, `caption` says in one line what it means."""

    key: str
    title: str
    value: str
    caption: str


def figures(progress: Progress, units: Units) -> list[Figure]:
    """The page's big numbers, in the order shown."""
    return [
        volume_figure(progress.volume, units),
        trend_figure(progress.volume, units),
        completion_figure(progress.completion, progress.has_plan),
        consistency_figure(progress.consistency, progress.volume.weeks),
        vdot_figure(progress.vdot),
    ]


def volume_figure(volume: Volume, units: Units) -> Figure:
    if volume.recent_km is None:
        this_week = volume.weeks[-1].done_km if volume.weeks else 0.0
        caption = "This week so far; your first full week ends on Sunday."
        return Figure("volume", "Weekly volume", distance_text(this_week, units), caption)
    span = f"the last {volume.recent_weeks} full weeks" if volume.recent_weeks > 1 else "your first full week"
    caption = f"A week, on average over {span}"
    if volume.change_pct is not None:
        caption += f"; {_change_words(volume.change_pct)} the {BLOCK_WEEKS} weeks before"
    return Figure("volume", "Weekly volume", distance_text(volume.recent_km, units), caption + ".")


def _change_words(pct: float) -> str:
    if round(pct) == 0:
        return "the same as"
    return f"{'up' if pct > 0 else 'down'} {abs(pct):.0f} % on"


def trend_figure(volume: Volume, units: Units) -> Figure:
    slope = volume.slope_km_per_week
    if slope is None:
        return Figure("trend", "Volume trend", NONE, "A trend needs two full weeks of running.")
    value = f"{distance_value(slope, units):+.1f} {distance_unit(units)}"
    complete = sum(1 for w in volume.weeks if w.complete)
    weeks = "full week" if complete == 1 else f"{complete} full weeks"
    caption = (
        f"{_direction(slope)}: weekly volume changes by this each week (a straight line through {weeks})."
    )
    return Figure("trend", "Volume trend", value, caption)


def _direction(slope_km: float) -> str:
    if abs(slope_km) < 0.1:
        return "Steady"
    return "Rising" if slope_km > 0 else "Falling"


def completion_figure(completion: Completion, has_plan: bool) -> Figure:
    if not has_plan:
        return Figure("completion", "Plan completion", NONE, "No plan yet: make one for a goal to see this.")
    if completion.rate is None:
        return Figure("completion", "Plan completion", NONE, "None of your plan's runs was due yet.")
    parts = [f"{completion.done} done"]
    if completion.partial:
        parts.append(f"{completion.partial} partial (half each)")
    parts.append(f"{completion.missed} missed")
    runs = "run" if completion.planned == 1 else "runs"
    caption = f"{', '.join(parts)} of {completion.planned} planned {runs} so far."
    return Figure("completion", "Plan completion", f"{completion.rate * 100:.0f} %", caption)


def consistency_figure(consistency: Consistency, weeks: Sequence[WeekVolume]) -> Figure:
    if consistency.weeks == 0:
        runs = weeks[-1].runs if weeks else 0
        value = f"{runs} run{'s' if runs != 1 else ''}"
        caption = "This week so far; weeks are counted once they end."
        return Figure("consistency", "Consistency", value, caption)
    value = f"{consistency.weeks_with_runs} of {consistency.weeks} weeks"
    per_week = consistency.runs_per_week or 0.0
    caption = (
        f"Full weeks with a run; longest streak {_weeks(consistency.longest_streak_weeks)}, "
        f"{per_week:.1f} runs a week."
    )
    return Figure("consistency", "Consistency", value, caption)


def _weeks(count: int) -> str:
    return f"{count} week{'s' if count != 1 else ''}"


def vdot_figure(trend: VdotTrend) -> Figure:
    """The latest VDOT point, rounded down (it is a floor: rounding up would claim more than it shows)."""
    profile = f"{trend.profile_vdot:.1f}"
    if trend.latest is None:
        caption = f"No run hard enough to show one yet: a tempo run or a time trial will. Profile: {profile}."
        return Figure("vdot", "VDOT from runs", NONE, caption)
    trend_words = "" if trend.slope_per_week is None else f"; trend {trend.slope_per_week:+.1f} a week"
    caption = (
        f"At least this, by your latest hard run's best effort as a race{trend_words}. Profile: {profile}."
    )
    return Figure("vdot", "VDOT from runs", f"≥ {math.floor(trend.latest)}", caption)


def vdot_note(trend: VdotTrend) -> str:
    """What the VDOT points are and are not, and what to do when runs show more than the profile."""
    note = (
        "Each point is the race-equivalent (Daniels) of a run's hardest stretch without a pause. "
        "Training is not racing and the treadmill runs the speeds your profile set, so a point is a "
        "floor, not a measurement: a race or a time trial is the real measure."
    )
    if trend.best is not None and trend.best > trend.profile_vdot:
        note += " Your runs show more than your profile: enter a recent race to update your paces."
    return note


def window_line(progress: Progress) -> str:
    """'The last 12 full weeks and this one, from Mon 2 Mar' (fewer when the runner began later)."""
    complete = sum(1 for w in progress.volume.weeks if w.complete)
    first = short_date(progress.first_day)
    if complete == 0:
        return f"This week, from {first}: the figures grow as the weeks end."
    weeks = "full week" if complete == 1 else f"{complete} full weeks"
    return f"The last {weeks} and this one, from {first}."


def short_date(day: date) -> str:
    """'Mon 2 Mar'."""
    return f"{stdlib_calendar.day_abbr[day.weekday()]} {day.day} {stdlib_calendar.month_abbr[day.month]}"


def week_label(day: date) -> str:
    """'2 Mar'."""
    return f"{day.day} {stdlib_calendar.month_abbr[day.month]}"


# --- charts ---------------------------------------------------------------------------------------


def volume_chart(progress: Progress, units: Units) -> dict[str, Any]:
    """ECharts options: done (and planned, with a plan) distance per week, the trend line over the
    full weeks, and this week's bar outlined as still going."""
    unit = distance_unit(units)
    weeks = progress.volume.weeks
    done: list[Any] = [round(distance_value(w.done_km, units), 1) for w in weeks]
    if weeks and not weeks[-1].complete:
        done[-1] = {"value": done[-1], "itemStyle": {"borderColor": "#111827", "borderWidth": 2}}
    series: list[dict[str, Any]] = []
    if progress.has_plan:
        planned = [_in_units(w.planned_km, units) for w in weeks]
        series.append(_bars(f"Planned {unit}", planned, PLANNED_COLOUR))
    series.append(_bars(f"Done {unit}", done, DONE_COLOUR))
    trend = [_in_units(w.trend_km, units) for w in weeks]
    series.append(
        {
            "name": "Trend",
            "type": "line",
            "data": trend,
            "color": TREND_COLOUR,
            "symbol": "none",
            "lineStyle": {"type": "dashed", "width": 2},
        }
    )
    return {
        "animation": False,
        "grid": {"left": 8, "right": 8, "top": 36, "bottom": 8, "containLabel": True},
        "legend": {"top": 0, "data": [s["name"] for s in series]},
        "tooltip": {"trigger": "axis"},
        "xAxis": {
            "type": "category",
            "data": [week_label(w.start) for w in weeks],
            "axisLabel": {"fontSize": 11, "hideOverlap": True},
        },
        "yAxis": {"type": "value", "name": unit, "min": 0, "axisLabel": {"fontSize": 11}},
        "series": series,
    }


def _in_units(km: float | None, units: Units) -> float | None:
    return None if km is None else round(distance_value(km, units), 1)


def _bars(name: str, data: list[Any], colour: str) -> dict[str, Any]:
    return {"name": name, "type": "bar", "data": data, "color": colour, "barGap": "10%"}


def completion_chart(completion: Completion) -> dict[str, Any]:
    """ECharts options: a donut of the planned runs so far, done, partial and missed."""
    slices = [
        ("Done", completion.done, DayStatus.DONE),
        ("Partial", completion.partial, DayStatus.PARTIAL),
        ("Missed", completion.missed, DayStatus.MISSED),
    ]
    return {
        "animation": False,
        "tooltip": {"trigger": "item", "formatter": "{b}: {c} ({d}%)"},
        "legend": {"bottom": 0},
        "series": [
            {
                "name": "Planned runs",
                "type": "pie",
                "radius": ["45%", "70%"],
                "label": {"show": False},
                "data": [
                    {"name": name, "value": count, "itemStyle": {"color": STATUS_COLOUR[status]}}
                    for name, count, status in slices
                ],
            }
        ],
    }


def vdot_chart(trend: VdotTrend) -> dict[str, Any]:
    """ECharts options: one point per hard enough run, their trend line, the profile's VDOT as a line."""
    points = [[p.date.isoformat(), p.vdot] for p in trend.points]
    line = [[p.date.isoformat(), p.trend_vdot] for p in trend.points if p.trend_vdot is not None]
    values = [p.vdot for p in trend.points] + [trend.profile_vdot]
    return {
        "animation": False,
        "grid": {"left": 8, "right": 8, "top": 36, "bottom": 8, "containLabel": True},
        "legend": {"top": 0, "data": ["Runs", "Trend"]},
        "tooltip": {"trigger": "item"},
        "xAxis": {"type": "time", "axisLabel": {"fontSize": 11, "hideOverlap": True}},
        "yAxis": {
            "type": "value",
            "name": "VDOT",
            "min": int(min(values)) - 2,
            "max": int(max(values)) + 2,
            "axisLabel": {"fontSize": 11},
        },
        "series": [
            {
                "name": "Runs",
                "type": "scatter",
                "data": points,
                "color": DONE_COLOUR,
                "symbolSize": 10,
                "markLine": {
                    "symbol": "none",
                    "lineStyle": {"color": PROFILE_COLOUR, "type": "dotted"},
                    "label": {"formatter": f"Profile {trend.profile_vdot:.1f}", "position": "insideEndTop"},
                    "data": [{"yAxis": trend.profile_vdot}],
                },
            },
            {
                "name": "Trend",
                "type": "line",
                "data": line,
                "color": TREND_COLOUR,
                "symbol": "none",
                "lineStyle": {"type": "dashed", "width": 2},
            },
        ],
    }


# --- consistency strip -------------------------------------------------------------------------

CONSISTENCY_CSS = """
.rc-weeks { display: flex; flex-wrap: wrap; gap: 4px; }
.rc-wk { width: 2.6rem; height: 2.6rem; border-radius: 6px; display: flex; flex-direction: column;
  align-items: center; justify-content: center; font-size: 0.65rem; line-height: 1.1; }
.rc-wk b { font-size: 0.9rem; }
.rc-ran { background: #0f766e; color: white; }
.rc-none { background: #e5e7eb; color: #4b5563; }
.rc-now { outline: 2px dashed #111827; outline-offset: 1px; }
"""


def consistency_html(weeks: Sequence[WeekVolume]) -> str:
    """One square per week, oldest first: filled when the week had a run, with its count of runs;
    this week, still going, is outlined."""
    cells = []
    for w in weeks:
        classes = ["rc-wk", "rc-ran" if w.runs else "rc-none"] + ([] if w.complete else ["rc-now"])
        title = html.escape(f"Week of {week_label(w.start)}: {w.runs} run{'s' if w.runs != 1 else ''}")
        week = w.start.isoformat()
        cells.append(
            f'<div class="{" ".join(classes)}" title="{title}" data-week="{week}">'
            f"<b>{w.runs}</b>{html.escape(week_label(w.start))}</div>"
        )
    return f'<div class="rc-weeks">{"".join(cells)}</div>'
