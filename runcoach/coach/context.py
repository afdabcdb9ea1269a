"""What the coach sees of the runner, built fresh for each reply and shown in the chat's "What the coach
sees" panel: profile, paces, goal, the next two weeks of the plan by wid, this week, recent runs,
readiness, progress figures, and the memories the chat service passes in.

Everything is read in one transaction (`_read`), then computed by the domain outside it, as
`runcoach.coach.analysis` does. The numbers are the app's, never the coach's: days are compiled for
the runner's paces and treadmill as the calendar compiles them, a day's status is the calendar's
(`runcoach.domain.completion`), the goal's verdict is the goals service's, and the progress lines are
the progress page's figures in its own words (`runcoach.coach.present`).

Reading the goal re-assesses it, as every read of a goal does (`goals.service.reassess`): a changed
verdict is stored in the same transaction. The next 14 days are the plan's days in that span: a
day rested by an edit is there (type rest, with its wid); a date the plan leaves free has no wid,
so it is not listed (the gap says it; the panel shows it as "nothing planned").

A runner with nothing yet (no profile, goal, plan or runs) still gets a context: those fields are
empty and `CoachContext.text()` says so, so the coach can help them start.

Units: the day, run and week lines are in km (`ContextDay.km` and `ContextRun.km` are); paces,
workout descriptions and the progress figures are in the runner's units, as their pages show them,
each with its unit; the profile line names the runner's units so the coach answers in them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.coach.analysis import MAX_SESSIONS_PER_DAY
from runcoach.coach.present import NONE, Figure, figures
from runcoach.db import checkins as checkin_queries
from runcoach.db import goals as goal_queries
from runcoach.db import plans as plan_queries
from runcoach.db import profiles as profile_queries
from runcoach.db import sessions as session_queries
from runcoach.db.engine import Database
from runcoach.domain.accounts import Units, User
from runcoach.domain.coach import CoachContext, ContextDay, ContextRun, Memory
from runcoach.domain.completion import DayStatus, day_status
from runcoach.domain.goals import Assessment, Feasibility, StoredGoal
from runcoach.domain.paces import SpeedRange, Zone, clock
from runcoach.domain.plan_model import WorkoutType
from runcoach.domain.plans import CompiledDay, PlanVersion, compile_plan
from runcoach.domain.profile import Profile
from runcoach.domain.progress import (
    WEEKS,
    PlannedDays,
    Run,
    first_day,
    monday_of,
    progress,
    run_of,
    runs_by_day,
)
from runcoach.domain.readiness import Checkin, readiness
from runcoach.domain.session import RunSession
from runcoach.domain.structure import Treadmill, Zones, describe, to_console_unit
from runcoach.goals import present as goal_present
from runcoach.goals import service as goal_service
from runcoach.live.present import CONSOLE_UNIT_TEXT, KM_PER_MILE, pace_unit, speed_unit, speed_value, units_of
from runcoach.plans.checkins import READINESS_DAYS

#: The days of the plan the coach sees, today included: two weeks, enough to move a workout within.
DAYS_AHEAD = 14
#: The days back the coach sees runs of, today included.
RUN_DAYS = 14
#: The most recent runs listed: enough to see a pattern, few enough to keep the prompt short.
MAX_RUNS = 10
#: Goals read to choose the current one from (newest first): far more than anyone keeps open.
MAX_GOALS = 50
#: Sessions read at most: the progress window's bound, as `analysis` reads it.
MAX_SESSIONS = (WEEKS + 1) * 7 * MAX_SESSIONS_PER_DAY
#: The longest part of the profile's injury notes quoted in the profile line.
MAX_NOTES_CHARS = 200

ZONE_WORDS: dict[Zone, str] = {
    Zone.EASY: "easy",
    Zone.MARATHON: "marathon",
    Zone.THRESHOLD: "threshold",
    Zone.INTERVAL: "interval",
    Zone.REPETITION: "repetition",
}


@dataclass(frozen=True)
class _Found:
    """What one transaction read of the runner."""

    profile: Profile | None
    version: PlanVersion | None
    goal: StoredGoal | None
    sessions: list[RunSession]
    checkins: list[Checkin]


async def build(
    database: Database,
    user: User,
    *,
    today: date,
    zone: tzinfo,
    now: datetime,
    memories: Sequence[Memory] = (),
) -> CoachContext:
    """Everything the coach sees of `user` as of `today` (in `zone`) and `now`, with `memories` as given."""
    found = await _read(database, user.id, today=today, zone=zone, now=now)
    units = units_of(user.units)
    profile, goal, version = found.profile, found.goal, found.version
    zones = profile.paces().zones if profile else None
    plan = _planned(version, zones, profile)
    runs = [run for s in found.sessions if (run := run_of(s, zone, now)) is not None]
    return CoachContext(
        today=today,
        name=user.name,
        profile=profile_line(profile, units) if profile else None,
        paces=pace_lines(zones, units) if zones else (),
        goal=goal_present.title(goal) if goal else None,
        goal_id=goal.id if goal else None,
        feasibility=feasibility_line(goal.assessment) if goal else None,
        plan_id=version.plan.id if version else None,
        plan_version=version.number if version else None,
        days=next_days(plan, zones, units, today) if plan and zones else (),
        week=week_line(runs, plan, today),
        runs=recent_runs(runs, _names(found.sessions), plan, today),
        readiness=_readiness(found.checkins, today),
        progress=_progress(runs, plan, profile, user, units, today, zone),
        memories=tuple(memories),
    )


# --------------------------------------------------------------------------- reading


async def _read(database: Database, user_id: int, *, today: date, zone: tzinfo, now: datetime) -> _Found:
    """Profile, active plan, current goal (re-assessed as every goal read is), the progress window's
    sessions (which hold the last 14 days' runs and this week's) and the readiness check-ins."""
    begin = datetime.combine(first_day(today, WEEKS), time(), zone).astimezone(UTC)
    async with database.session() as db:
        profile = await profile_queries.get_profile(db, user_id=user_id)
        version = await plan_queries.active_version(db, owner_id=user_id)
        goal = await _current_goal(db, user_id, version, today, now)
        sessions = await session_queries.list_between(db, owner_id=user_id, start=begin, limit=MAX_SESSIONS)
        since = today - timedelta(days=READINESS_DAYS)
        checkins = await checkin_queries.checkins_since(db, owner_id=user_id, since=since)
    return _Found(profile, version, goal, sessions, checkins)


async def _current_goal(
    db: AsyncSession, user_id: int, version: PlanVersion | None, today: date, now: datetime
) -> StoredGoal | None:
    """The active plan's goal, else the runner's nearest upcoming one; with its verdict as of `now`."""
    if version is not None and version.plan.goal_id is not None:
        found = await goal_queries.get_goal(db, goal_id=version.plan.goal_id, owner_id=user_id)
    else:
        found = current_goal(await goal_queries.list_goals(db, owner_id=user_id, limit=MAX_GOALS), today)
    if found is None:
        return None
    return (await goal_service.reassess(db, user_id, [found], now))[0]


def current_goal(goals: Sequence[StoredGoal], today: date) -> StoredGoal | None:
    """The goal the runner is working towards without a plan for one: the nearest race or deadline
    still ahead, else the newest keep-fit goal (no date: ongoing). Goals come newest first, so the
    newest wins a tie. Past goals are over: none of them is current."""
    dated = [g for g in goals if (end := _ends(g)) is not None and end >= today]
    if dated:
        return min(dated, key=lambda g: _ends(g) or today)
    return next((g for g in goals if _ends(g) is None), None)


def _ends(stored: StoredGoal) -> date | None:
    return stored.goal.race_date or stored.goal.by_date


# --------------------------------------------------------------------------- profile and paces


def profile_line(profile: Profile, units: Units) -> str:
    """The profile in one line: where the VDOT comes from, level, volume, days, treadmill, units."""
    parts = [
        _vdot_source(profile),
        profile.level.value,
        f"{profile.weekly_km:g} km a week",
        _days(profile),
        treadmill_text(profile.treadmill),
        f"units {units.value} ({speed_unit(units)}, {pace_unit(units)})",
    ]
    notes = " ".join(profile.injury_notes.split())
    if notes:
        parts.append(f"injury notes: {_cut(notes, MAX_NOTES_CHARS)}")
    return "; ".join(parts)


def _vdot_source(profile: Profile) -> str:
    vdot = profile.paces().vdot
    race = profile.recent_race
    if race is None:
        assert profile.easy_pace_s_per_km is not None  # the model refuses a profile with neither
        return f"VDOT {vdot:.1f} from an easy pace of {clock(profile.easy_pace_s_per_km)} min/km"
    name = goal_present.DISTANCES.get(f"{race.distance_m:g}") or f"{race.distance_m / 1000:g} km"
    return f"VDOT {vdot:.1f} from a race: {name} in {clock(race.time_s)} on {race.date.isoformat()}"


def _days(profile: Profile) -> str:
    """'trains Mon 60 min, Wed, Sun 120 min; long run Sun' (minutes only where the runner set a limit)."""
    days = ", ".join(
        f"{d.value.title()} {profile.max_minutes[d]} min" if d in profile.max_minutes else d.value.title()
        for d in profile.available_days
    )
    return f"trains {days}; long run {profile.long_run_day.value.title()}"


def treadmill_text(treadmill: Treadmill) -> str:
    """The treadmill's limits in its console's unit, and its calibration when the belt is not true."""
    unit = treadmill.unit
    low, high = (to_console_unit(kmh, unit) for kmh in (treadmill.min_speed_kmh, treadmill.max_speed_kmh))
    text = f"treadmill {low:.1f}–{high:.1f} {CONSOLE_UNIT_TEXT[unit]}"
    text += f", incline up to {treadmill.max_incline_pct:g} %"
    if treadmill.calibration != 1.0:
        text += f", belt runs {treadmill.calibration:.3f} × the console speed"
    return text


def pace_lines(zones: Zones, units: Units) -> tuple[str, ...]:
    """One line per zone, slowest first: 'E easy: 6:10–6:50 min/km (8.8–9.7 km/h)'."""
    return tuple(pace_line(zone, zones[zone], units) for zone in ZONE_WORDS if zone in zones)


def pace_line(zone: Zone, speeds: SpeedRange, units: Units) -> str:
    per = 1.0 if units is Units.METRIC else KM_PER_MILE
    fast, slow = (clock(3600 * per / kmh) for kmh in (speeds.max_kmh, speeds.min_kmh))
    low, high = speed_value(speeds.min_kmh, units), speed_value(speeds.max_kmh, units)
    return (
        f"{zone.value} {ZONE_WORDS[zone]}: {fast}–{slow} {pace_unit(units)} "
        f"({low:.1f}–{high:.1f} {speed_unit(units)})"
    )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --------------------------------------------------------------------------- goal


def feasibility_line(assessment: Assessment) -> str:
    """'unrealistic: <why> To make it realistic: <what>' (the goals page's verdict and words)."""
    line = f"{assessment.feasibility.value}: {assessment.reason}"
    if assessment.feasibility is not Feasibility.OK and assessment.realistic_target:
        line += f" To make it realistic: {assessment.realistic_target}"
    return line


# --------------------------------------------------------------------------- plan


def _planned(version: PlanVersion | None, zones: Zones | None, profile: Profile | None) -> PlannedDays | None:
    """The active plan compiled for the runner's paces and treadmill as they are now (as the
    calendar shows it); None without a plan, or without a profile to compile it for."""
    if version is None or zones is None or profile is None:
        return None
    return PlannedDays(version.plan.id, compile_plan(version.draft, zones, profile.treadmill))


def next_days(plan: PlannedDays, zones: Zones, units: Units, today: date) -> tuple[ContextDay, ...]:
    """The plan's days from today for `DAYS_AHEAD` days, rest days included."""
    last = today + timedelta(days=DAYS_AHEAD - 1)
    return tuple(context_day(c, zones, units) for c in plan.days if today <= c.day.date <= last)


def context_day(compiled: CompiledDay, zones: Zones, units: Units) -> ContextDay:
    """A compiled day with the calendar's minutes and km, and its structure in one line."""
    day = compiled.day
    return ContextDay(
        wid=day.wid,
        date=day.date,
        type=day.type,
        title=day.title,
        hard=day.hard,
        minutes=round(compiled.summary.duration_s / 60),
        km=round(compiled.summary.distance_km, 2),
        description=_description(compiled, zones, units),
    )


def _description(compiled: CompiledDay, zones: Zones, units: Units) -> str:
    structure = compiled.day.structure
    if structure is not None:
        return describe(structure, zones, units)
    if compiled.day.type is WorkoutType.REST:
        return "Rest day."
    return "Run outdoors: no treadmill program, so the app will not see it."


# --------------------------------------------------------------------------- this week and recent runs


def week_line(runs: Sequence[Run], plan: PlannedDays | None, today: date) -> str | None:
    """This week (Monday to Sunday) done vs planned: 'done 18.2 km of 32.5 km planned; 2 of 4 runs
    done, 1 missed'. Runs count for the day the calendar counts them for; None when nothing was
    planned or run this week."""
    monday = monday_of(today)
    week = {monday + timedelta(days=i) for i in range(7)}
    by_day = _by_day(runs, plan)
    mine = [r for day, found in by_day.items() if day in week for r in found]
    done_km = sum(r.distance_m for r in mine) / 1000
    planned = [c for c in plan.days if c.day.date in week] if plan else []
    if not planned:
        return f"done {done_km:.1f} km in {_runs(len(mine))}; nothing planned" if mine else None
    planned_km = sum(c.summary.distance_km for c in planned)
    return f"done {done_km:.1f} km of {planned_km:.1f} km planned; {_counts(planned, by_day, today)}"


def _counts(planned: Sequence[CompiledDay], by_day: Mapping[date, Sequence[Run]], today: date) -> str:
    """'2 of 4 runs done, 1 partial, 1 missed': the week's treadmill days as the calendar judges them
    (rest days and races run outdoors are not runs the app can see)."""
    statuses = [
        day_status(c.day.date, c.summary, by_day.get(c.day.date, ()), today)
        for c in planned
        if c.program is not None
    ]
    partial = statuses.count(DayStatus.PARTIAL)
    text = f"{statuses.count(DayStatus.DONE)} of {_runs(len(statuses))} done"
    text += f", {partial} partial" if partial else ""
    return f"{text}, {statuses.count(DayStatus.MISSED)} missed"


def _runs(count: int) -> str:
    return f"{count} run{'s' if count != 1 else ''}"


def _by_day(runs: Sequence[Run], plan: PlannedDays | None) -> dict[date, tuple[Run, ...]]:
    """Runs by the day they count for (the calendar's rule); without a plan, the day they were run."""
    if plan is not None:
        return runs_by_day(runs, plan)
    out: dict[date, tuple[Run, ...]] = {}
    for run in runs:
        out[run.day] = (*out.get(run.day, ()), run)
    return out


def recent_runs(
    runs: Sequence[Run], names: Mapping[int, str], plan: PlannedDays | None, today: date
) -> tuple[ContextRun, ...]:
    """The runs of the last `RUN_DAYS` days, newest first, at most `MAX_RUNS`, each with the status of
    the planned day it counts for (done or partial), or 'unplanned'."""
    first = today - timedelta(days=RUN_DAYS - 1)
    recent = [r for r in reversed(runs) if first <= r.day <= today][:MAX_RUNS]
    statuses = _statuses(runs, plan, today)
    return tuple(
        ContextRun(
            day=r.day,
            name=names.get(r.session_id, "Run"),
            minutes=round(r.elapsed_s / 60, 1),
            km=round(r.distance_m / 1000, 2),
            status=statuses.get(r.session_id, "unplanned"),
        )
        for r in recent
    )


def _statuses(runs: Sequence[Run], plan: PlannedDays | None, today: date) -> dict[int, str]:
    """The status of the planned day each run counts for, by session id (runs of no planned
    treadmill day are left out: unplanned)."""
    if plan is None:
        return {}
    by_day = runs_by_day(runs, plan)
    out: dict[int, str] = {}
    for c in plan.days:
        found = by_day.get(c.day.date, ())
        if found and c.day.type is not WorkoutType.REST:
            status = day_status(c.day.date, c.summary, found, today).value
            out.update((r.session_id, status) for r in found)
    return out


def _names(sessions: Sequence[RunSession]) -> dict[int, str]:
    return {s.id: s.name for s in sessions}


# --------------------------------------------------------------------------- readiness and progress


def _readiness(checkins: Sequence[Checkin], today: date) -> str | None:
    """Today's readiness band and why, from the last two weeks' check-ins; None without any."""
    if not checkins:
        return None
    ready = readiness(checkins, today)
    return f"{ready.band.value}: {ready.reason}"


def _progress(
    runs: Sequence[Run],
    plan: PlannedDays | None,
    profile: Profile | None,
    user: User,
    units: Units,
    today: date,
    zone: tzinfo,
) -> tuple[str, ...]:
    """The progress page's figures in its words; none without a profile (the VDOT figures need it)."""
    if profile is None:
        return ()
    since = user.created_at.astimezone(zone).date()
    found = progress(runs, today=today, profile_vdot=profile.vdot(), plan=plan, weeks=WEEKS, since=since)
    return progress_lines(figures(found, units))


def progress_lines(shown: Sequence[Figure]) -> tuple[str, ...]:
    """Four lines: weekly volume with its trend, plan completion, consistency, VDOT from runs."""
    volume, trend, *others = shown
    return (f"{figure_text(volume)} {figure_text(trend)}", *(figure_text(f) for f in others))


def figure_text(figure: Figure) -> str:
    """'Weekly volume: 24.3 km. A week, on average ...'; a figure with no value yet says why."""
    if figure.value == NONE:
        return f"{figure.title}: {figure.caption}"
    return f"{figure.title}: {figure.value}. {figure.caption}"
