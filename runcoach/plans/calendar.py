"""The calendar: each day's planned workout beside the runs actually done, and planned vs done per week.

A run counts for the planned day it was started from ("Run it now" links the session to the
day's wid, whatever date it was run on); any other run counts for the local date it was started
on. Runs imported from Strava join the same lists: each counts for the planned day the matching
rule (or the runner) gives it (`runcoach.strava.matching`), or stands on its own day as an extra.

A day's status follows `runcoach.domain.completion` (done, partial, missed, planned, rest), the
one rule the progress figures use too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from runcoach.db import sessions as session_queries
from runcoach.db.engine import Database
from runcoach.domain.completion import DayStatus, day_status, is_a_run
from runcoach.domain.errors import InvalidInput, NotFound
from runcoach.domain.plan_model import PlannedWorkout, WorkoutType
from runcoach.domain.plans import CompiledDay
from runcoach.domain.session import RunSession
from runcoach.domain.strava import StoredActivity, covered_plan, match_all
from runcoach.plans import service
from runcoach.plans.service import PlanView
from runcoach.strava import matching

#: The longest range one calendar request may span: a plan's length and then some.
MAX_DAYS = 400


@dataclass(frozen=True)
class RunDone:
    """A run session as the calendar shows it."""

    session_id: int
    name: str
    day: date
    completed: bool
    elapsed_s: float
    distance_km: float
    played_in_full: bool
    plan_id: int | None
    plan_wid: int | None
    #: Imported from Strava (outdoors, or another app): its Strava id, else None.
    strava_id: int | None = None
    #: False for a run the runner said counts for no planned day (it still adds to the week's km).
    counts: bool = True
    #: The runner chose the day it counts for.
    matched_by_hand: bool = False


@dataclass(frozen=True)
class CalendarDay:
    date: date
    planned: CompiledDay | None
    runs: tuple[RunDone, ...]
    status: DayStatus
    is_today: bool


@dataclass(frozen=True)
class WeekVolume:
    start: date
    planned_km: float
    done_km: float


@dataclass(frozen=True)
class Calendar:
    plan: PlanView | None
    days: tuple[CalendarDay, ...]
    #: Planned vs done per week over the whole plan (empty without a plan).
    weeks: tuple[WeekVolume, ...]
    today: date


async def calendar(
    database: Database, user_id: int, *, start: date, end: date, today: date, zone: tzinfo, now: datetime
) -> Calendar:
    """Days `start`..`end` (inclusive) of the runner's active plan and runs, and the plan's weeks."""
    if end < start or (end - start).days >= MAX_DAYS:
        raise InvalidInput("to", f"Ask for 1 to {MAX_DAYS} days, from on or before to")
    try:
        plan: PlanView | None = await service.view(database, user_id)
    except NotFound:
        plan = None
    first, last = start, end
    if plan is not None:  # the weekly totals cover the whole plan
        first, last = min(start, plan.draft.start_date), max(end, plan.draft.end_date)
    runs = await _runs(database, user_id, first, last, zone, now)
    planned = {c.day.date: c for c in plan.days} if plan else {}
    mine = _runs_by_day(runs, plan, planned)
    imported = await matching.imported_runs(database, user_id, first, last)
    mine = _with_imported(mine, imported, planned)
    days = tuple(
        _day(day, planned.get(day), mine.get(day, ()), today)
        for day in (start + timedelta(days=i) for i in range((end - start).days + 1))
    )
    return Calendar(plan, days, _weeks(plan, mine), today)


async def _runs(
    database: Database, user_id: int, first: date, last: date, zone: tzinfo, now: datetime
) -> list[RunDone]:
    begin = datetime.combine(first, time(), zone).astimezone(UTC)
    stop = datetime.combine(last + timedelta(days=1), time(), zone).astimezone(UTC)
    async with database.session() as db:
        sessions = await session_queries.list_between(db, owner_id=user_id, start=begin, end=stop)
    return [_run(s, zone, now) for s in sessions]


def _run(session: RunSession, zone: tzinfo, now: datetime) -> RunDone:
    state = session.state(now)
    return RunDone(
        session_id=session.id,
        name=session.name,
        day=session.created_at.astimezone(zone).date(),
        completed=state.is_final,
        elapsed_s=state.elapsed_s,
        # The belt's distance (console speed × calibration), as planned km and progress count it.
        distance_km=state.distance_m * (session.console.calibration if session.console else 1.0) / 1000,
        played_in_full=state.played_in_full,
        plan_id=session.plan_id,
        plan_wid=session.plan_wid,
    )


def _runs_by_day(
    runs: list[RunDone], plan: PlanView | None, planned: dict[date, CompiledDay]
) -> dict[date, tuple[RunDone, ...]]:
    """Runs by the day they count for: their planned day if started from this plan's, else their date."""
    by_wid = {c.day.wid: c.day.date for c in planned.values()}
    plan_id = plan.version.plan.id if plan else None
    out: dict[date, list[RunDone]] = {}
    for run in runs:
        linked = by_wid.get(run.plan_wid) if run.plan_id == plan_id and run.plan_wid is not None else None
        out.setdefault(linked or run.day, []).append(run)
    return {day: tuple(found) for day, found in out.items()}


def _with_imported(
    mine: dict[date, tuple[RunDone, ...]], imported: list[StoredActivity], planned: dict[date, CompiledDay]
) -> dict[date, tuple[RunDone, ...]]:
    """The treadmill runs by day with the imported runs added where they count."""
    if not imported:
        return mine
    summaries = {day: c.summary for day, c in planned.items()}
    taken = {day for day, runs in mine.items() if any(is_a_run(r) for r in runs)}
    manual = {s.activity.strava_id: s.match_day for s in imported if s.manual}
    days = match_all([s.activity for s in imported], summaries, taken, manual)
    out = {day: list(runs) for day, runs in mine.items()}
    for stored in imported:
        activity = stored.activity
        day = days.get(activity.strava_id)
        run = _imported(
            stored, summaries.get(day) if day else None, counts=day is not None or not stored.manual
        )
        out.setdefault(day or activity.day, []).append(run)
    return {day: tuple(runs) for day, runs in out.items()}


def _imported(stored: StoredActivity, planned: PlannedWorkout | None, *, counts: bool) -> RunDone:
    activity = stored.activity
    return RunDone(
        session_id=0,
        name=activity.name,
        day=activity.day,
        completed=True,
        elapsed_s=activity.moving_s,
        distance_km=activity.distance_km,
        played_in_full=covered_plan(activity, planned),
        plan_id=None,
        plan_wid=None,
        strava_id=activity.strava_id,
        counts=counts,
        matched_by_hand=stored.manual,
    )


def _day(day: date, planned: CompiledDay | None, runs: tuple[RunDone, ...], today: date) -> CalendarDay:
    counted = [r for r in runs if r.counts]
    status = day_status(day, planned.summary if planned is not None else None, counted, today)
    return CalendarDay(day, planned, runs, status, day == today)


def _weeks(plan: PlanView | None, runs: dict[date, tuple[RunDone, ...]]) -> tuple[WeekVolume, ...]:
    if plan is None:
        return ()
    weeks = []
    for week, (km, _seconds) in zip(plan.draft.weeks, plan.totals, strict=True):
        done = sum(
            r.distance_km
            for day, found in runs.items()
            if week.start_date <= day <= week.end_date
            for r in found
        )
        weeks.append(WeekVolume(week.start_date, km, done))
    return tuple(weeks)


@dataclass(frozen=True)
class ImportedMatch:
    """An imported run, the day it counts for (None: none), and the planned days it could."""

    run: RunDone
    counted_on: date | None
    choices: tuple[CalendarDay, ...]


def imported_matches(cal: Calendar) -> list[ImportedMatch]:
    """The calendar's imported runs, newest first, each with where it counts and where it could."""
    runnable = [d for d in cal.days if _has_run_planned(d)]
    found = []
    for day in cal.days:
        for run in day.runs:
            if run.strava_id is None:
                continue
            near = tuple(d for d in runnable if abs((d.date - run.day).days) <= matching.MATCH_REACH)
            counted = day.date if run.counts and _has_run_planned(day) else None
            found.append(ImportedMatch(run, counted, near))
    return sorted(found, key=lambda m: m.run.day, reverse=True)


def _has_run_planned(day: CalendarDay) -> bool:
    return day.planned is not None and day.planned.summary.type is not WorkoutType.REST
