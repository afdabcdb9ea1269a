"""How a training plan looks on the pages: colours by workout type, day and week texts in the
runner's units, the calendar's month and week grids, the volume chart and a workout's edit history.

Pure helpers (no NiceGUI, no database, no clock): the page modules lay out widgets and call these.
The calendar grids are built here as one escaped HTML string, so a month of a 24-week plan is one
element for NiceGUI to send rather than hundreds.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from runcoach.domain import ids
from runcoach.domain.accounts import Units
from runcoach.domain.errors import NotFound
from runcoach.domain.paces import clock
from runcoach.domain.plan_edits import PlanDiff
from runcoach.domain.plan_model import WorkoutType
from runcoach.domain.plans import Author, CompiledDay, DayPlan, PlanDraft, PlanVersion
from runcoach.domain.rules import weekday_date
from runcoach.domain.structure import Treadmill, Zones
from runcoach.domain.workouts import Segment
from runcoach.live import present as live_present
from runcoach.plans.calendar import Calendar, CalendarDay, DayStatus, RunDone, WeekVolume
from runcoach.plans.service import PlanView
from runcoach.workouts import present as workout_present

KM_PER_MILE = live_present.KM_PER_MILE

#: One colour per workout type: greens for easy running, warm colours for the hard days, grey for rest.
TYPE_COLOUR: dict[WorkoutType, str] = {
    WorkoutType.EASY: "#16a34a",
    WorkoutType.LONG: "#0f766e",
    WorkoutType.RECOVERY: "#65a30d",
    WorkoutType.TEMPO: "#ea580c",
    WorkoutType.INTERVALS: "#dc2626",
    WorkoutType.HILLS: "#92400e",
    WorkoutType.FARTLEK: "#db2777",
    WorkoutType.PROGRESSION: "#7c3aed",
    WorkoutType.RACE: "#ca8a04",
    WorkoutType.REST: "#9ca3af",
}

TYPE_LABEL: dict[WorkoutType, str] = {
    WorkoutType.EASY: "Easy",
    WorkoutType.LONG: "Long run",
    WorkoutType.RECOVERY: "Recovery",
    WorkoutType.TEMPO: "Tempo",
    WorkoutType.INTERVALS: "Intervals",
    WorkoutType.HILLS: "Hills",
    WorkoutType.FARTLEK: "Fartlek",
    WorkoutType.PROGRESSION: "Progression",
    WorkoutType.RACE: "Race",
    WorkoutType.REST: "Rest",
}

#: What a day's status reads as on the calendar; a day still to come says nothing.
STATUS_TEXT: dict[DayStatus, str] = {
    DayStatus.DONE: "done ✓",
    DayStatus.PARTIAL: "partial",
    DayStatus.MISSED: "missed",
    DayStatus.PLANNED: "",
    DayStatus.REST: "",
}

STATUS_COLOUR: dict[DayStatus, str] = {
    DayStatus.DONE: "#15803d",
    DayStatus.PARTIAL: "#b45309",
    DayStatus.MISSED: "#b91c1c",
    DayStatus.PLANNED: "#6b7280",
    DayStatus.REST: "#6b7280",
}

AUTHOR_TEXT = {Author.GENERATOR: "the generator", Author.RUNNER: "you", Author.COACH: "the coach"}

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

#: Dates the calendar accepts in its URL: wide enough for any plan, narrow enough that a month's
#: grid (a few days either side) can never step outside what `date` holds.
FIRST_YEAR, LAST_YEAR = 2000, 2200

PLANNED_COLOUR = "#99d5cf"
DONE_COLOUR = "#0f766e"


class CalendarView(StrEnum):
    MONTH = "month"
    WEEK = "week"


# --- numbers in the runner's units ------------------------------------------------------------


def distance_value(km: float, units: Units) -> float:
    return km if units is Units.METRIC else km / KM_PER_MILE


def distance_unit(units: Units) -> str:
    return "km" if units is Units.METRIC else "mi"


def distance_text(km: float, units: Units) -> str:
    """'8.2 km' or '5.1 mi'."""
    return f"{distance_value(km, units):.1f} {distance_unit(units)}"


def duration_text(seconds: float) -> str:
    """Whole minutes as a plan says them: '45 min', '1 h', '1 h 30 min'."""
    minutes = round(seconds / 60)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def short_date(day: date) -> str:
    """'Thu 28 Nov'."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {stdlib_calendar.month_abbr[day.month]}"


EFFORT_WORDS = {1: "very easy", 3: "easy", 5: "steady", 7: "hard", 9: "very hard", 10: "all out"}


def effort_word(value: int) -> str:
    """The word for an effort from 1 to 10 after a run: the nearest anchor at or below it."""
    return EFFORT_WORDS[max(k for k in EFFORT_WORDS if k <= value)]


def day_facts(compiled: CompiledDay, units: Units) -> str:
    """Duration and distance of a planned day ('45 min · 8.2 km'); 'Rest' for a rest day."""
    if compiled.day.type is WorkoutType.REST:
        return "Rest"
    summary = compiled.summary
    return f"{duration_text(summary.duration_s)} · {distance_text(summary.distance_km, units)}"


def next_line(compiled: CompiledDay) -> str:
    """'Next: Thursday 28 November, Tempo 45 min'."""
    return f"Next: {weekday_date(compiled.day.date)}, {compiled.day.title}"


def next_planned(days: Sequence[CompiledDay], today: date) -> CompiledDay | None:
    """The first day after today with something to run (rest days do not count)."""
    return next((c for c in days if c.day.date > today and c.day.type is not WorkoutType.REST), None)


def can_run(compiled: CompiledDay, today: date) -> bool:
    """Whether the page offers "Run it now": a day with a treadmill program, today or later."""
    return compiled.program is not None and compiled.day.date >= today


def can_edit(compiled: CompiledDay, plan: PlanView, today: date) -> bool:
    """A day can be changed while it is today or ahead, on the active plan, unless it is the race."""
    day = compiled.day
    return plan.version.plan.archived_at is None and day.date >= today and day.type is not WorkoutType.RACE


def day_volume(day: CalendarDay) -> tuple[float, float]:
    """(planned km, done km) of one day: every run counts, planned or not."""
    planned = day.planned.summary.distance_km if day.planned is not None else 0.0
    return planned, sum(r.distance_km for r in day.runs)


def week_volume(days: Sequence[CalendarDay]) -> tuple[float, float]:
    """(planned km, done km) over these days (`day_volume` summed)."""
    volumes = [day_volume(d) for d in days]
    return sum(p for p, _ in volumes), sum(d for _, d in volumes)


def volume_text(planned_km: float, done_km: float, units: Units) -> str:
    """'12.3 of 30.0 km done'."""
    unit = distance_unit(units)
    return f"{distance_value(done_km, units):.1f} of {distance_value(planned_km, units):.1f} {unit} done"


def plan_caption(version: PlanVersion) -> str:
    """'Daniels methodology · version 3 · 24 weeks, 2 Mar to 16 Aug 2026'."""
    draft = version.draft
    weeks = len(draft.weeks)
    method = "Daniels" if draft.methodology.value == "daniels" else "80/20"
    span = f"{_day_month(draft.start_date)} to {_day_month(draft.end_date)} {draft.end_date.year}"
    plural = "s" if weeks != 1 else ""
    return f"{method} methodology · version {version.number} · {weeks} week{plural}, {span}"


def goal_line(draft: PlanDraft, goal_title: str | None) -> str:
    """The plan's goal in a few words: the stored goal's own title when there is one."""
    if goal_title:
        return f"Goal: {goal_title}"
    if draft.race_distance is not None and draft.race_date is not None:
        return f"Goal: {draft.race_distance.value.upper()} on {draft.race_date.isoformat()}"
    return "Goal: build and keep your weekly volume"


def _day_month(day: date) -> str:
    return f"{day.day} {stdlib_calendar.month_abbr[day.month]}"


# --- the calendar's range and navigation -------------------------------------------------------


def parse_view(text: str | None) -> CalendarView:
    """The view asked for in the URL; anything else is the month."""
    try:
        return CalendarView(text or CalendarView.MONTH)
    except ValueError:
        return CalendarView.MONTH


def parse_day(text: str | None, today: date) -> date:
    """The day asked for in the URL (YYYY-MM-DD); today for anything else."""
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return today
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else today


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def calendar_range(view: CalendarView, day: date) -> tuple[date, date]:
    """The first and last day shown: whole Monday-to-Sunday weeks around `day`'s month or week."""
    if view is CalendarView.WEEK:
        start = monday_of(day)
        return start, start + timedelta(days=6)
    first = day.replace(day=1)
    last = first.replace(day=stdlib_calendar.monthrange(first.year, first.month)[1])
    return monday_of(first), monday_of(last) + timedelta(days=6)


def shifted(view: CalendarView, day: date, step: int) -> date:
    """The day one month or one week before (`step` -1) or after (+1)."""
    if view is CalendarView.WEEK:
        return day + timedelta(weeks=step)
    month = day.month - 1 + step
    return date(day.year + month // 12, month % 12 + 1, 1)


def calendar_url(view: CalendarView, day: date) -> str:
    return f"/plan?view={view.value}&day={day.isoformat()}"


def range_title(view: CalendarView, day: date) -> str:
    """'November 2026', or 'Week of Monday 23 November 2026'."""
    if view is CalendarView.WEEK:
        monday = monday_of(day)
        return f"Week of {weekday_date(monday)} {monday.year}"
    return f"{stdlib_calendar.month_name[day.month]} {day.year}"


def workout_url(wid: int, plan_id: int | None = None) -> str:
    return f"/plan/workouts/{wid}" + (f"?plan={plan_id}" if plan_id is not None else "")


def parse_wid(text: str) -> int:
    """A planned workout's id from the URL; NotFound for anything that cannot be one."""
    if (parsed := ids.parse_id(text)) is None:
        raise NotFound(f"Workout {text[:20]} not found")
    return parsed


def parse_plan_id(text: str | None) -> int | None:
    """The `plan` query parameter: None (the active plan) when absent; NotFound when it cannot be an id."""
    if not text:
        return None
    if (parsed := ids.parse_id(text)) is None:
        raise NotFound(f"Plan {text[:20]} not found")
    return parsed


# --- the calendar grids -------------------------------------------------------------------------

#: Styles of the grid's HTML; added once per page (`ui.add_css`).
CALENDAR_CSS = """
.rc-cal { display: grid; grid-template-columns: repeat(7, minmax(0, 1fr)); gap: 4px; width: 100%; }
.rc-head { font-size: 0.75rem; text-transform: uppercase; color: #6b7280; text-align: center; }
.rc-day { min-height: 5.5rem; border: 1px solid #e5e7eb; border-radius: 6px; padding: 3px;
  display: flex; flex-direction: column; gap: 2px; font-size: 0.75rem; background: white; min-width: 0; }
.rc-week .rc-day { min-height: 10rem; }
.rc-out { background: #f9fafb; color: #9ca3af; }
.rc-today { border: 2px solid #0f766e; box-shadow: 0 0 0 2px #99f6e4; }
.rc-num { font-weight: 600; }
.rc-today .rc-num { color: #0f766e; }
.rc-w { display: block; border-left: 4px solid; padding: 1px 4px; border-radius: 3px;
  background: #f3f4f6; color: inherit; text-decoration: none; overflow-wrap: anywhere; }
.rc-w:hover { background: #e5e7eb; }
.rc-title { display: block; font-weight: 600; }
.rc-facts, .rc-text, .rc-run { display: block; color: #4b5563; }
.rc-strava { color: #c2410c; }
.rc-status { font-weight: 600; }
@media (max-width: 640px) {
  .rc-month .rc-day { min-height: 4rem; padding: 2px; font-size: 0.65rem; }
  .rc-month .rc-facts { display: none; }
  .rc-month .rc-title { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .rc-month .rc-w { padding: 1px 2px; border-left-width: 3px; }
  .rc-week { grid-template-columns: minmax(0, 1fr); }
  .rc-week .rc-head { display: none; }
  .rc-week .rc-day { min-height: 0; }
}
"""


def calendar_html(
    cal: Calendar, view: CalendarView, day: date, units: Units, texts: Mapping[int, str]
) -> str:
    """The month or week grid: weekday headings, then one cell per day of `cal`.

    `texts` holds each planned workout's structure as text by wid; the week view shows it.
    """
    month = day.month if view is CalendarView.MONTH else None
    head = "".join(f'<div class="rc-head">{name}</div>' for name in WEEKDAYS)
    cells = "".join(_cell(d, month, units, texts if view is CalendarView.WEEK else {}) for d in cal.days)
    return f'<div class="rc-cal rc-{view.value}">{head}{cells}</div>'


def _cell(day: CalendarDay, month: int | None, units: Units, texts: Mapping[int, str]) -> str:
    classes = ["rc-day"]
    if month is not None and day.date.month != month:
        classes.append("rc-out")
    if day.is_today:
        classes.append("rc-today")
    label = f"{WEEKDAYS[day.date.weekday()]} {day.date.day}" if month is None else str(day.date.day)
    parts = [f'<span class="rc-num">{label}{" · today" if day.is_today else ""}</span>']
    if day.planned is not None:
        parts.append(_workout_link(day.planned, units, texts.get(day.planned.day.wid)))
    if text := STATUS_TEXT[day.status] if _has_workout(day) else "":
        colour = STATUS_COLOUR[day.status]
        parts.append(f'<span class="rc-status rc-{day.status.value}" style="color:{colour}">{text}</span>')
    for run in day.runs:
        parts.append(_run(run, units))
    return f'<div class="{" ".join(classes)}" data-date="{day.date.isoformat()}">{"".join(parts)}</div>'


def _run(run: RunDone, units: Units) -> str:
    """ "Ran 8.0 km", and for a run imported from Strava where it came from and whether it counts."""
    text = f"Ran {distance_text(run.distance_km, units)}"
    if run.strava_id is None:
        return f'<span class="rc-run">{html.escape(text)}</span>'
    note = " · Strava" if run.counts else " · Strava, not counted"
    return f'<span class="rc-run rc-strava" title="{html.escape(run.name)}">{html.escape(text + note)}</span>'


def _has_workout(day: CalendarDay) -> bool:
    return day.planned is not None and day.planned.day.type is not WorkoutType.REST


def _workout_link(compiled: CompiledDay, units: Units, text: str | None) -> str:
    day = compiled.day
    colour = TYPE_COLOUR[day.type]
    title = html.escape(day.title)
    facts = html.escape(day_facts(compiled, units))
    detail = f'<span class="rc-text">{html.escape(text)}</span>' if text else ""
    return (
        f'<a class="rc-w rc-{day.type.value}" href="{workout_url(day.wid)}" style="border-color:{colour}">'
        f'<span class="rc-title">{title}</span><span class="rc-facts">{facts}</span>{detail}</a>'
    )


# --- the volume chart -----------------------------------------------------------------------------


def volume_chart(weeks: Sequence[WeekVolume], units: Units, today: date) -> dict[str, Any]:
    """ECharts options: planned and done distance per week of the plan, this week's planned bar outlined."""
    unit = distance_unit(units)
    planned = [distance_value(w.planned_km, units) for w in weeks]
    done = [distance_value(w.done_km, units) for w in weeks]
    labels = [_day_month(w.start) for w in weeks]
    current = next((i for i, w in enumerate(weeks) if w.start <= today < w.start + timedelta(days=7)), None)
    return {
        "animation": False,
        "grid": {"left": 8, "right": 8, "top": 36, "bottom": 8, "containLabel": True},
        "legend": {"top": 0, "data": [f"Planned {unit}", f"Done {unit}"]},
        "tooltip": {"trigger": "axis"},
        "xAxis": {
            "type": "category",
            "data": labels,
            "axisLabel": {"fontSize": 11, "hideOverlap": True},
        },
        "yAxis": {"type": "value", "name": unit, "min": 0, "axisLabel": {"fontSize": 11}},
        "series": [
            _bars(f"Planned {unit}", planned, PLANNED_COLOUR, current),
            _bars(f"Done {unit}", done, DONE_COLOUR, None),
        ],
    }


def _bars(name: str, values: list[float], colour: str, current: int | None) -> dict[str, Any]:
    data: list[Any] = [round(v, 1) for v in values]
    if current is not None:  # this week's bar gets an outline so the runner finds it at once
        data[current] = {"value": data[current], "itemStyle": {"borderColor": "#111827", "borderWidth": 2}}
    return {"name": name, "type": "bar", "data": data, "color": colour, "barGap": "10%"}


# --- one planned workout ----------------------------------------------------------------------------

SEGMENT_COLUMNS_KEYS = ("n", "label", "zone", "duration", "console", "pace", "incline")


def segment_columns(units: Units) -> list[dict[str, Any]]:
    """The segments table's columns: the console speed to press and the belt's pace, in the runner's units."""
    titles = {
        "n": "#",
        "label": "Segment",
        "zone": "Zone",
        "duration": "Duration",
        "console": f"Console {live_present.speed_unit(units)}",
        "pace": f"Pace {live_present.pace_unit(units)}",
        "incline": "Incline %",
    }
    left = {"label", "zone"}
    return [
        {"name": k, "label": titles[k], "field": k, "align": "left" if k in left else "right"}
        for k in SEGMENT_COLUMNS_KEYS
    ]


def segment_rows(compiled: CompiledDay, units: Units, treadmill: Treadmill) -> list[dict[str, Any]]:
    """One row per compiled segment: the console number to press, and the pace the belt really runs."""
    if compiled.program is None:
        return []
    rows = []
    for i, (segment, zone) in enumerate(zip(compiled.program.segments, compiled.zones, strict=True), start=1):
        belt = segment.speed_kmh * treadmill.calibration
        rows.append(
            {
                "n": i,
                "label": segment.label.value,
                "zone": zone.value,
                "duration": workout_present.clock(segment.duration_s),
                "console": f"{live_present.speed_value(segment.speed_kmh, units):.1f}",
                "pace": live_present.pace_text(belt, units).split(" ")[0],
                "incline": f"{segment.incline_pct:.1f}",
            }
        )
    return rows


def profile_chart(segments: Sequence[Segment], units: Units) -> dict[str, Any]:
    """The workout profile chart (speed and incline over minutes) with the speed in the runner's unit."""
    options = workout_present.profile_chart(segments)
    if units is Units.METRIC:
        return options
    unit = live_present.speed_unit(units)
    speed = options["series"][0]
    speed["name"] = f"Speed {unit}"
    speed["data"] = [[minute, live_present.speed_value(kmh, units)] for minute, kmh in speed["data"]]
    options["legend"]["data"][0] = speed["name"]
    options["yAxis"][0]["name"] = unit
    return options


@dataclass(frozen=True)
class HistoryEntry:
    """One version that changed a planned workout: who, why, when, and the day before and after."""

    version: int
    author: str
    reason: str
    when: str
    before: str
    after: str


def history(
    versions: Sequence[PlanVersion], wid: int, zones: Zones, treadmill: Treadmill
) -> list[HistoryEntry]:
    """The versions (in the order given, newest first from the service) whose changes touch `wid`."""
    entries = []
    for v in versions:
        for change in v.changes:
            if change.get("wid") != wid:
                continue
            entries.append(
                HistoryEntry(
                    version=v.number,
                    author=AUTHOR_TEXT[v.created_by],
                    reason=v.reason,
                    when=workout_present.created(v.created_at),
                    before=day_text(change.get("before"), zones, treadmill),
                    after=day_text(change.get("after"), zones, treadmill),
                )
            )
    return entries


def day_text(data: dict[str, Any] | None, zones: Zones, treadmill: Treadmill) -> str:
    """A stored day as one line: 'Wed 12 Mar: Tempo 60 min (tempo, 60 min)'; 'nothing' for None."""
    if data is None:
        return "nothing"
    try:
        day = DayPlan.model_validate(data)
    except ValidationError:
        return "a day this version of RunCoach cannot read"
    if day.structure is None:
        return f"{short_date(day.date)}: {day.title} ({day.type.value})"
    minutes = duration_text(day.structure.planned_duration_s(zones, treadmill))
    return f"{short_date(day.date)}: {day.title} ({day.type.value}, {minutes})"


# --- versions and the diff between two -------------------------------------------------------


def version_line(version: PlanVersion) -> str:
    """'Version 3 · by you · 26 Nov 07:10 UTC · 2 days changed'."""
    days = len(version.changes)
    changed = "" if version.number == 1 else f" · {days} day{'s' if days != 1 else ''} changed"
    when = version.created_at.strftime("%d %b %H:%M UTC")
    return f"Version {version.number} · by {AUTHOR_TEXT[version.created_by]} · {when}{changed}"


#: Tailwind classes of a diff line by its kind (the versions page and the coach's proposal cards).
DIFF_CLASSES = {
    "added": "text-green-700",
    "removed": "text-red-700 line-through",
    "moved": "text-blue-700",
    "changed": "text-amber-700",
}


def diff_lines(d: PlanDiff) -> list[tuple[str, str]]:
    """(kind, sentence) per difference (kind: added, removed, moved or changed), as the page lists them."""
    lines = [("added", f"Added: {weekday_date(day.date)}, {day.title}") for day in d.added]
    lines += [("removed", f"Removed: {weekday_date(day.date)}, {day.title}") for day in d.removed]
    lines += [("moved", f"Moved: {weekday_date(m.from_date)} → {weekday_date(m.to_date)}") for m in d.moved]
    for c in d.changed:
        before = f"{c.before_type.value} {clock(c.before_duration_s)}"
        after = (
            f"{c.after_type.value} {clock(c.after_duration_s)}" if c.after_duration_s else c.after_type.value
        )
        lines.append(("changed", f"Changed: {weekday_date(c.date)}, {before} → {after}"))
    return lines


def diff_chart(d: PlanDiff, units: Units) -> dict[str, Any]:
    """ECharts options: planned distance per week before and after, side by side, in the runner's units."""

    def values(kms: list[float]) -> list[float]:
        return [round(distance_value(km, units), 1) for km in kms]

    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["Before", "After"]},
        "grid": {"left": 40, "right": 10, "top": 30, "bottom": 40},
        "xAxis": {
            "type": "category",
            "data": [_day_month(w.start_date) for w in d.weeks],
            "axisLabel": {"rotate": 45},
        },
        "yAxis": {"type": "value", "name": distance_unit(units)},
        "series": [
            {
                "name": "Before",
                "type": "bar",
                "data": values([w.before_km for w in d.weeks]),
                "color": "#9ca3af",
            },
            {
                "name": "After",
                "type": "bar",
                "data": values([w.after_km for w in d.weeks]),
                "color": "#2563eb",
            },
        ],
    }
