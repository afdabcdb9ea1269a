"""How a runner is doing: weekly volume and its trend, how much of the plan was run, how steadily,
and what their runs show of their VDOT. The app computes these; the coach only explains them.

Pure: standard library, pydantic and `runcoach.domain` only; no clock (today comes from the
caller), no randomness. The same runs, plan and profile always give the same figures.

Weeks run Monday to Sunday in the runner's time zone, as on the calendar. The analysis covers the
last `WEEKS` complete weeks and the current week so far, but never weeks before the runner began
(their account's first day, or their first run or plan day if earlier): a new runner's empty weeks
before they joined are not weeks without a run. Trends and consistency read complete weeks only:
a week still going would always look like a drop.

Decisions, each with its reason:

- A run is a session that ended with at least a minute of running (`completion.is_a_run`), on the
  belt: the session's console speeds times its calibration, as the run summary shows it. It counts
  on the local date it was started, as on the calendar.
- Volume trend: the least-squares slope of weekly km over the complete weeks (km/week per week),
  and the last 4 complete weeks against the 4 before, as a percent (none when the 4 before held
  nothing: growth from zero has no percent).
- Completion: the active plan's treadmill days from the window's first day to today, judged by
  the calendar's rule (`runcoach.domain.completion`). Today counts once it is done or partial (it
  cannot be missed yet); rest days and races run outdoors (which the app cannot see) do not count.
  A partial run counts half: "partial" spans a minute up to 80 % of the planned time, so half is
  its middle, and it keeps a cut-short run apart from both a done and a missed one. The counts go
  out with the rate, so nothing is hidden in it.
- Consistency: complete weeks with at least one run out of the weeks considered, the longest run
  of consecutive such weeks, the streak still going (this week counts once it has a run), and
  runs per week.
- VDOT from runs (see `best_effort`): a floor, not a measurement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from runcoach.domain.completion import DayStatus, day_status, is_a_run
from runcoach.domain.paces import (
    MAX_RACE_M,
    MAX_VDOT,
    MIN_RACE_M,
    MIN_VDOT,
    oxygen_cost,
    sustainable_fraction,
)
from runcoach.domain.plans import CompiledDay
from runcoach.domain.session import RunSession
from runcoach.domain.timeline import Stretch, session_timeline

#: The complete weeks analysed by default: a training block, long enough for a trend to mean
#: something, short enough that last season does not drown this one.
WEEKS = 12
#: The most complete weeks one analysis may span: a year.
MAX_WEEKS = 52
#: The recent volume and its change compare blocks of this many complete weeks.
BLOCK_WEEKS = 4
#: What a partial day is worth in the completion rate (see the module's docstring).
PARTIAL_CREDIT = 0.5
#: Daniels' formula describes running on the flat; a treadmill at up to 2 % is near enough (many
#: runners set 1 % to make up for the missing air resistance). Steeper running breaks an effort.
MAX_EFFORT_INCLINE_PCT = 2.0
#: A run's best effort shows something of its VDOT only when it was hard for the runner: a
#: race-equivalent of at least this share of their profile's VDOT. A steady 20 minutes at
#: threshold reaches about 0.92, an easy hour about 0.75: easy running says almost nothing about
#: what a runner could race, and would only drag the trend down.
HARD_SHARE = 0.9
#: A spell of more pieces than this has neighbouring pieces merged (in pairs, until it has no more)
#: before its efforts are searched, which costs the square of its pieces: a program of hundreds of
#: short steps stays a millisecond's work. Merged neighbours are still continuous running, so the
#: effort found is still a true floor; it may miss a slightly better one inside such a session.
MAX_PIECES = 64

_DAY = timedelta(days=1)
_WEEK = timedelta(weeks=1)


# --- runs ----------------------------------------------------------------------------------------


class Piece(NamedTuple):
    """Running at one speed without a pause: seconds and belt metres."""

    seconds: float
    metres: float


@dataclass(frozen=True, slots=True)
class Run:
    """A finished run as the progress figures read it.

    `spells` are its stretches of continuous running on the flat (at most `MAX_EFFORT_INCLINE_PCT`),
    each as its pieces in order; a pause or a steeper segment ends a spell.
    """

    session_id: int
    day: date
    elapsed_s: float
    distance_m: float
    played_in_full: bool = False
    plan_id: int | None = None
    plan_wid: int | None = None
    spells: tuple[tuple[Piece, ...], ...] = ()

    @property
    def completed(self) -> bool:
        """Always: only ended sessions become a `Run` (see `run_of`)."""
        return True


def run_of(session: RunSession, zone: tzinfo, now: datetime) -> Run | None:
    """The session as a run, as of `now`; None while it goes on, or when it ended within its first
    minute of running (no run: see `completion.MIN_RUN_S`)."""
    line = session_timeline(session, now)
    run = Run(
        session_id=session.id,
        day=session.created_at.astimezone(zone).date(),
        elapsed_s=line.timer_s,
        distance_m=line.distance_m,
        played_in_full=line.state.played_in_full,
        plan_id=session.plan_id,
        plan_wid=session.plan_wid,
        spells=spells_of(line.stretches),
    )
    return run if line.state.is_final and is_a_run(run) else None


def spells_of(stretches: Sequence[Stretch]) -> tuple[tuple[Piece, ...], ...]:
    """Stretches grouped into spells of continuous running on the flat (see `Run`)."""
    spells: list[tuple[Piece, ...]] = []
    current: list[Piece] = []
    last_end: datetime | None = None
    for stretch in stretches:
        steep = stretch.incline_pct > MAX_EFFORT_INCLINE_PCT
        if current and (steep or stretch.start != last_end):
            spells.append(tuple(current))
            current = []
        if not steep:
            current.append(Piece(stretch.seconds, stretch.distance_m))
        last_end = stretch.end
    if current:
        spells.append(tuple(current))
    return tuple(spells)


# --- VDOT from runs --------------------------------------------------------------------------------


class Effort(NamedTuple):
    """A stretch of continuous running and the VDOT of a race run in that time over that distance."""

    seconds: float
    metres: float
    vdot: float


def race_equivalent(metres: float, seconds: float) -> float | None:
    """Daniels' VDOT of covering `metres` in `seconds` flat out; None outside his model (under
    1,500 m or over 50 km, slower than a walk, faster than the world records)."""
    if not MIN_RACE_M <= metres <= MAX_RACE_M or seconds <= 0:
        return None
    minutes = seconds / 60.0
    vdot = oxygen_cost(metres / minutes) / sustainable_fraction(minutes)
    return vdot if MIN_VDOT <= vdot <= MAX_VDOT else None


def best_effort(spells: Iterable[Sequence[Piece]]) -> Effort | None:
    """The run's continuous stretch (any run of consecutive pieces of one spell, at least 1,500 m)
    whose race-equivalent VDOT is highest; None when no stretch reaches 1,500 m.

    Why this is a floor and never more: a runner who covered d metres in t seconds without a
    pause could have raced d in t or faster, so their VDOT is at least the race-equivalent of (d, t).
    A training run is not run flat out, so the true VDOT is higher by however much they held back:
    little in a threshold run, a lot in an easy one (hence `HARD_SHARE`). On the treadmill the
    speeds are the program's targets (set from the profile's paces), not a measurement of the
    runner, and a flat belt is a little easier than a road; so runs confirm a VDOT rather than
    discover one. A race or a time trial is the real measure.
    """
    best: Effort | None = None
    for spell in map(_coarse, spells):
        for first in range(len(spell)):
            seconds = metres = 0.0
            for piece in spell[first:]:
                seconds, metres = seconds + piece.seconds, metres + piece.metres
                if metres > MAX_RACE_M:
                    break
                vdot = race_equivalent(metres, seconds)
                if vdot is not None and (best is None or vdot > best.vdot):
                    best = Effort(seconds, metres, vdot)
    return best


def _coarse(spell: Sequence[Piece]) -> Sequence[Piece]:
    """The spell with neighbours merged in pairs until it has at most `MAX_PIECES` pieces."""
    while len(spell) > MAX_PIECES:
        pairs = (spell[i : i + 2] for i in range(0, len(spell), 2))
        spell = [Piece(sum(p.seconds for p in pair), sum(p.metres for p in pair)) for pair in pairs]
    return spell


class VdotPoint(BaseModel):
    """One hard enough run: the race-equivalent VDOT of its best sustained effort (see `best_effort`)."""

    model_config = ConfigDict(frozen=True)

    session_id: int
    date: date
    vdot: float = Field(description="Race-equivalent VDOT of the run's best sustained effort: a floor")
    effort_distance_m: float = Field(description="Metres of that effort, run without a pause")
    effort_duration_s: int = Field(description="Running seconds of that effort")
    share_of_profile: float = Field(description="vdot / the profile's VDOT")
    trend_vdot: float | None = Field(description="The least-squares trend line at this run's date")


class VdotTrend(BaseModel):
    """What the runner's runs show of their VDOT: one point per hard enough run (see `best_effort`)."""

    model_config = ConfigDict(frozen=True)

    profile_vdot: float = Field(description="The profile's VDOT (from its race, else its easy pace)")
    points: list[VdotPoint] = Field(description="Runs whose best effort reached 90 % of the profile's VDOT")
    runs_with_effort: int = Field(description="Runs with at least 1,500 m run on the flat without a pause")
    slope_per_week: float | None = Field(description="Least-squares VDOT change per week; null: < 2 dates")
    latest: float | None
    best: float | None


def vdot_trend(runs: Sequence[Run], profile_vdot: float) -> VdotTrend:
    """The VDOT points of these runs (oldest first) and their trend."""
    efforts = [(run, effort) for run in runs if (effort := best_effort(run.spells)) is not None]
    hard = [(run, e) for run, e in efforts if e.vdot >= HARD_SHARE * profile_vdot]
    origin = hard[0][0].day if hard else None
    xs = [_weeks_between(origin, run.day) for run, _ in hard] if origin else []
    line = _fit(xs, [e.vdot for _, e in hard])
    points = [
        VdotPoint(
            session_id=run.session_id,
            date=run.day,
            vdot=round(e.vdot, 1),
            effort_distance_m=round(e.metres),
            effort_duration_s=round(e.seconds),
            share_of_profile=round(e.vdot / profile_vdot, 2),
            trend_vdot=None if line is None else round(line.at(x), 1),
        )
        for (run, e), x in zip(hard, xs, strict=True)
    ]
    return VdotTrend(
        profile_vdot=round(profile_vdot, 1),
        points=points,
        runs_with_effort=len(efforts),
        slope_per_week=None if line is None else round(line.slope, 2),
        latest=points[-1].vdot if points else None,
        best=max((p.vdot for p in points), default=None),
    )


# --- weeks and volume ---------------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


class WeekVolume(BaseModel):
    """One Monday-to-Sunday week: the runs done in it, and what the active plan had for it."""

    model_config = ConfigDict(frozen=True)

    start: date = Field(description="The week's Monday")
    complete: bool = Field(description="False for the current week, still going")
    runs: int
    done_km: float = Field(description="Belt distance of the week's runs")
    done_minutes: float = Field(description="Running time of the week's runs")
    planned_km: float | None = Field(description="The active plan's distance this week; null: not in it")
    trend_km: float | None = Field(description="The volume trend line this week (complete weeks)")


class Volume(BaseModel):
    """Weekly volume over the weeks considered, oldest first, the current week last."""

    model_config = ConfigDict(frozen=True)

    weeks: list[WeekVolume]
    recent_km: float | None = Field(
        description="Average km per week of the last 4 complete weeks (of all, when fewer); null: none yet"
    )
    recent_weeks: int = Field(description="The complete weeks `recent_km` averages, 0 to 4")
    previous_km: float | None = Field(
        description="Average km per week of the 4 complete weeks before those; null: fewer than 8"
    )
    change_pct: float | None = Field(description="recent vs previous in %; null: < 8 weeks or none before")
    slope_km_per_week: float | None = Field(
        description="Least-squares trend of weekly km over the complete weeks, km/week per week; "
        "null with fewer than 2 complete weeks"
    )


class Completion(BaseModel):
    """The active plan's treadmill days so far in the window, as the calendar judges them."""

    model_config = ConfigDict(frozen=True)

    planned: int = Field(description="done + partial + missed")
    done: int
    partial: int
    missed: int
    rate: float | None = Field(
        description="(done + partial / 2) / planned, 0 to 1; null: nothing planned yet"
    )


class Consistency(BaseModel):
    """How steadily the runner runs, week by week."""

    model_config = ConfigDict(frozen=True)

    weeks: int = Field(description="Complete weeks considered")
    weeks_with_runs: int
    longest_streak_weeks: int = Field(description="Most consecutive weeks with a run")
    current_streak_weeks: int = Field(description="Consecutive weeks with a run up to now")
    runs: int = Field(description="Runs in the complete weeks")
    runs_per_week: float | None = Field(description="runs / weeks; null: no complete week yet")


class Progress(BaseModel):
    """Every figure of the progress page and `GET /api/coach/analysis`."""

    model_config = ConfigDict(frozen=True)

    today: date
    weeks: int = Field(description="Complete weeks asked for (fewer when the runner began later)")
    first_day: date = Field(description="The first day analysed: a Monday, or the runner's first day")
    has_plan: bool
    volume: Volume
    completion: Completion
    consistency: Consistency
    vdot: VdotTrend


class PlannedDays(NamedTuple):
    """The active plan: its id (runs started from it point at it) and its days compiled for the runner."""

    plan_id: int
    days: Sequence[CompiledDay]


def first_day(today: date, weeks: int = WEEKS) -> date:
    """The first day the analysis can reach: the Monday `weeks` complete weeks before this week's."""
    return monday_of(today) - weeks * _WEEK


def progress(
    runs: Iterable[Run],
    *,
    today: date,
    profile_vdot: float,
    plan: PlannedDays | None = None,
    weeks: int = WEEKS,
    since: date | None = None,
) -> Progress:
    """The figures as of `today` over the last `weeks` complete weeks and this week so far.

    `runs` are the runner's finished runs (any order; those outside the window are left out),
    `since` the runner's first day (their account's), `plan` their active plan if any. The weeks
    begin at the earliest of `since`, the first run and the plan's first day, within the window.
    """
    window = first_day(today, weeks)
    mine = sorted((r for r in runs if window <= r.day <= today), key=lambda r: (r.day, r.session_id))
    plan_start = plan.days[0].day.date if plan and plan.days else None
    starts = [d for d in (since, mine[0].day if mine else None, plan_start) if d is not None]
    begin = min(max(window, min(starts, default=today)), today)
    mine = [r for r in mine if r.day >= begin]
    volume = _volume(mine, plan, begin, today)
    return Progress(
        today=today,
        weeks=weeks,
        first_day=begin,
        has_plan=plan is not None,
        volume=volume,
        completion=completion(mine, plan, begin, today),
        consistency=_consistency(volume.weeks),
        vdot=vdot_trend(mine, profile_vdot),
    )


def _volume(runs: Sequence[Run], plan: PlannedDays | None, begin: date, today: date) -> Volume:
    mondays = _mondays(begin, today)
    planned = _planned_km(plan, mondays)
    raw = [
        _week(monday, [r for r in runs if monday_of(r.day) == monday], planned, today) for monday in mondays
    ]
    complete = [w.done_km for w in raw if w.complete]
    line = _fit(list(range(len(complete))), complete)
    weeks = [
        w.model_copy(update={"trend_km": round(line.at(i), 2)}) if line and w.complete else w
        for i, w in enumerate(raw)
    ]
    last = complete[-BLOCK_WEEKS:]
    recent = sum(last) / len(last) if last else None
    before = complete[-2 * BLOCK_WEEKS : -BLOCK_WEEKS]
    previous = sum(before) / BLOCK_WEEKS if len(before) == BLOCK_WEEKS else None
    change = None
    if recent is not None and previous:  # growth from an empty block has no percent
        change = round((recent - previous) / previous * 100, 1)
    return Volume(
        weeks=weeks,
        recent_km=None if recent is None else round(recent, 2),
        recent_weeks=len(last),
        previous_km=None if previous is None else round(previous, 2),
        change_pct=change,
        slope_km_per_week=None if line is None else round(line.slope, 2),
    )


def _mondays(begin: date, today: date) -> list[date]:
    first, last = monday_of(begin), monday_of(today)
    return [first + i * _WEEK for i in range((last - first).days // 7 + 1)]


def _week(monday: date, runs: Sequence[Run], planned: dict[date, float], today: date) -> WeekVolume:
    return WeekVolume(
        start=monday,
        complete=monday + _WEEK <= today,
        runs=len(runs),
        done_km=round(sum(r.distance_m for r in runs) / 1000, 2),
        done_minutes=round(sum(r.elapsed_s for r in runs) / 60, 1),
        planned_km=round(planned[monday], 2) if monday in planned else None,
        trend_km=None,
    )


def _planned_km(plan: PlannedDays | None, mondays: Sequence[date]) -> dict[date, float]:
    """Planned km per Monday for the weeks the plan reaches (a week it does not touch has none)."""
    if plan is None or not plan.days:
        return {}
    first, last = monday_of(plan.days[0].day.date), monday_of(plan.days[-1].day.date)
    out = {monday: 0.0 for monday in mondays if first <= monday <= last}
    for c in plan.days:
        monday = monday_of(c.day.date)
        if monday in out:
            out[monday] += c.summary.distance_km
    return out


# --- completion and consistency ----------------------------------------------------------------


def completion(runs: Sequence[Run], plan: PlannedDays | None, begin: date, today: date) -> Completion:
    """The plan's treadmill days from `begin` to `today`: done, partial, missed, and the rate."""
    if plan is None:
        return Completion(planned=0, done=0, partial=0, missed=0, rate=None)
    by_day = runs_by_day(runs, plan)
    statuses = [
        day_status(c.day.date, c.summary, by_day.get(c.day.date, ()), today)
        for c in plan.days
        if c.program is not None and begin <= c.day.date <= today
    ]
    done, partial = statuses.count(DayStatus.DONE), statuses.count(DayStatus.PARTIAL)
    missed = statuses.count(DayStatus.MISSED)
    planned = done + partial + missed
    rate = (done + PARTIAL_CREDIT * partial) / planned if planned else None
    return Completion(
        planned=planned,
        done=done,
        partial=partial,
        missed=missed,
        rate=None if rate is None else round(rate, 3),
    )


def runs_by_day(runs: Sequence[Run], plan: PlannedDays) -> dict[date, tuple[Run, ...]]:
    """Runs by the day they count for, the calendar's rule: the planned day of this plan they were
    started from, else the date they were started on."""
    by_wid = {c.day.wid: c.day.date for c in plan.days}
    out: dict[date, list[Run]] = {}
    for run in runs:
        linked = (
            by_wid.get(run.plan_wid) if run.plan_id == plan.plan_id and run.plan_wid is not None else None
        )
        out.setdefault(linked or run.day, []).append(run)
    return {day: tuple(found) for day, found in out.items()}


def _consistency(weeks: Sequence[WeekVolume]) -> Consistency:
    complete = [w for w in weeks if w.complete]
    ran = [w.runs > 0 for w in complete]
    longest = streak = 0
    for has_run in ran:
        streak = streak + 1 if has_run else 0
        longest = max(longest, streak)
    current = streak + (1 if weeks and not weeks[-1].complete and weeks[-1].runs else 0)
    runs = sum(w.runs for w in complete)
    return Consistency(
        weeks=len(complete),
        weeks_with_runs=sum(ran),
        longest_streak_weeks=max(longest, current),
        current_streak_weeks=current,
        runs=runs,
        runs_per_week=round(runs / len(complete), 2) if complete else None,
    )


# --- least squares -------------------------------------------------------------------------------


class Line(NamedTuple):
    slope: float
    intercept: float

    def at(self, x: float) -> float:
        return self.intercept + self.slope * x


def _fit(xs: Sequence[float], ys: Sequence[float]) -> Line | None:
    """The least-squares line through (xs, ys); None with fewer than two distinct xs."""
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return Line(slope, mean_y - slope * mean_x)


def _weeks_between(first: date, day: date) -> float:
    return (day - first) / _DAY / 7
