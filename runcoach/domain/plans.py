"""A training plan in the structured form, and how it becomes what the rule checker checks.

Pure: standard library and pydantic only. The generator (`planner`), the runner's edits and the
coach all produce a `PlanDraft`: the plan's weeks and one `DayPlan` per planned day, each holding a
`StructuredWorkout` (targets, not speeds). `summarise` compiles every day for one runner on one
treadmill and gives the `PlanSummary` that `rules.check` judges, so the plan that is checked is the
plan that will be run. `constraints_for` reads the runner's week and treadmill off their profile.

A day's `wid` is its identity across versions: an edit that moves, shortens or rests a workout
keeps its wid, so its history can be followed and a run session can point at it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from runcoach.domain.paces import RACE_DISTANCE_M, Race, Zone
from runcoach.domain.plan_model import (
    NEVER_HARD,
    GoalKind,
    PlanConstraints,
    PlannedLoad,
    PlannedWorkout,
    PlanSummary,
    PlanWeek,
    Weekday,
    WorkoutType,
)
from runcoach.domain.profile import Profile
from runcoach.domain.profile import Weekday as DayName
from runcoach.domain.structure import (
    Program,
    Step,
    StructuredWorkout,
    Treadmill,
    Zones,
    compile_program,
    compile_step,
    target_kmh,
    unroll,
)

MAX_TITLE_CHARS = 100
#: The minutes a profile that names no limit for a day gets: a long run's ceiling plus framing.
DEFAULT_DAY_MINUTES = 180

WEEKDAY_OF: dict[DayName, Weekday] = {name: Weekday(i) for i, name in enumerate(DayName)}


class Methodology(StrEnum):
    """How the plan distributes intensity; both pass the same rules, they just coach differently."""

    #: Daniels: two quality days a week from build on (T and I, R early), E everything else.
    DANIELS = "daniels"
    #: Fitzgerald's 80/20: about a fifth of the time hard, mostly at threshold and M, more runs.
    EIGHTY_TWENTY = "80_20"


class Author(StrEnum):
    """Who made a plan version."""

    GENERATOR = "generator"
    RUNNER = "runner"
    COACH = "coach"


class DayPlan(BaseModel):
    """One planned day: what to run (`structure`), or rest (`structure` None, type rest).

    A race has no structure when it is run outdoors; a race on the treadmill may have one.
    `eased_from` is the load the day had as first planned, kept when an edit eased it (rested,
    shortened or made no harder; see `plan_edits`): the week rules count the day at that load.
    None for a day run as planned, and in every plan stored before the field existed.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    wid: int = Field(ge=1, le=2**31 - 1)
    date: date
    type: WorkoutType
    hard: bool
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    structure: StructuredWorkout | None = None
    eased_from: PlannedLoad | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.type is WorkoutType.RACE and self.eased_from is not None:
            raise ValueError("the race is never eased")
        if self.type is WorkoutType.REST and self.structure is not None:
            raise ValueError("a rest day has no workout")
        if self.type not in (WorkoutType.REST, WorkoutType.RACE) and self.structure is None:
            raise ValueError(f"a {self.type} day needs its workout")
        if self.hard and self.type in NEVER_HARD:
            raise ValueError(f"a {self.type} day cannot be a hard day")
        return self


class PlanDraft(BaseModel):
    """A whole plan as generated or edited: its weeks, its days (sorted, one per date) and its goal."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    methodology: Methodology
    weeks: tuple[PlanWeek, ...] = Field(min_length=1)
    days: tuple[DayPlan, ...]
    goal: GoalKind
    race_distance: Race | None = None
    race_date: date | None = None

    @field_validator("days")
    @classmethod
    def _sorted(cls, value: tuple[DayPlan, ...]) -> tuple[DayPlan, ...]:
        days = tuple(sorted(value, key=lambda d: d.date))
        wids = [d.wid for d in days]
        if len(set(wids)) != len(wids):
            raise ValueError("each planned day needs its own wid")
        return days

    @property
    def start_date(self) -> date:
        return self.weeks[0].start_date

    @property
    def end_date(self) -> date:
        return self.weeks[-1].end_date

    def day(self, wid: int) -> DayPlan | None:
        return next((d for d in self.days if d.wid == wid), None)

    def on(self, day: date) -> DayPlan | None:
        return next((d for d in self.days if d.date == day), None)


def race_for(distance_m: float) -> Race:
    """The standard race nearest a goal's distance: it decides the taper and the long-run ceiling."""
    return min(Race, key=lambda race: abs(RACE_DISTANCE_M[race] - distance_m))


def summarise_day(day: DayPlan, zones: Zones, treadmill: Treadmill) -> PlannedWorkout:
    """The numbers the rules need from one day, from its compiled treadmill program."""
    if day.structure is None:
        return _rest(day)
    numbers = workout_numbers(day.structure, zones, treadmill)
    return _planned(day, numbers)


def _rest(day: DayPlan) -> PlannedWorkout:
    """A rest day carries nothing run, and the load it was eased from, if any: a rested workout
    stays in the summary as a rest day so the week rules still see what was planned."""
    return PlannedWorkout(
        date=day.date,
        type=day.type,
        hard=day.hard,
        duration_s=0,
        distance_km=0,
        easy_duration_s=0,
        eased_from=day.eased_from,
    )


def _planned(day: DayPlan, numbers: WorkoutNumbers) -> PlannedWorkout:
    return PlannedWorkout(
        date=day.date, type=day.type, hard=day.hard, eased_from=day.eased_from, **numbers._asdict()
    )


def load_of(summary: PlannedWorkout) -> PlannedLoad:
    """The load a summarised day carries: what an edit that eases the day keeps as `eased_from`."""
    return PlannedLoad(
        distance_km=summary.distance_km, duration_s=summary.duration_s, easy_s=summary.easy_duration_s
    )


class WorkoutNumbers(NamedTuple):
    """What the rules read from one compiled workout (see `PlannedWorkout`)."""

    duration_s: int
    distance_km: float
    easy_duration_s: int
    min_speed_kmh: float
    max_speed_kmh: float
    max_incline_pct: float


def workout_numbers(workout: StructuredWorkout, zones: Zones, treadmill: Treadmill) -> WorkoutNumbers:
    """Time, distance, time in E and the speed and incline extremes of the compiled program: the
    compiler's arithmetic (`compile_step`) without building its segments, each step of a repeat
    compiled once and counted `times` times (every round compiles alike)."""
    duration = easy = 0
    metres = 0.0
    speeds: list[float] = []
    inclines: list[float] = []
    for item in workout.items:
        steps, times = ((item,), 1) if isinstance(item, Step) else (item.steps, item.times)
        for step in steps:
            c = compile_step(step, zones, treadmill)
            duration += c.duration_s * times
            metres += c.duration_s * c.speed_kmh * treadmill.calibration / 3.6 * times
            easy += c.duration_s * times if step.zone is Zone.EASY else 0
            speeds.append(c.speed_kmh)
            inclines.append(c.incline_pct)
    return WorkoutNumbers(
        duration_s=duration,
        distance_km=metres / 1000,
        easy_duration_s=easy,
        min_speed_kmh=min(speeds),
        max_speed_kmh=max(speeds),
        max_incline_pct=max(inclines),
    )


def summarise(draft: PlanDraft, zones: Zones, treadmill: Treadmill) -> PlanSummary:
    """The plan as the rule checker sees it, compiled for this runner and treadmill.

    A race without a program counts as the race distance run at no particular speed; rest days
    carry nothing. Both are kept so the checker sees the race on its day.
    """
    compiled: dict[int, tuple[StructuredWorkout, WorkoutNumbers]] = {}
    workouts = [
        _outdoor_race(day, draft, zones)
        if _is_outdoor_race(day)
        else _summarise_cached(day, compiled, zones, treadmill)
        for day in draft.days
    ]
    return PlanSummary(
        weeks=draft.weeks,
        workouts=tuple(workouts),
        goal=draft.goal,
        race_distance=draft.race_distance,
        race_date=draft.race_date,
    )


def _summarise_cached(
    day: DayPlan,
    compiled: dict[int, tuple[StructuredWorkout, WorkoutNumbers]],
    zones: Zones,
    treadmill: Treadmill,
) -> PlannedWorkout:
    """`summarise_day`, compiling each structure once: a plan repeats its easy runs a lot, and a
    generated plan shares one structure object between the days that run it (hence the key by
    identity, cheaper than hashing the structure; the object is kept so its id stays taken)."""
    if day.structure is None:
        return summarise_day(day, zones, treadmill)
    seen = compiled.get(id(day.structure))
    if seen is None:
        seen = compiled[id(day.structure)] = (day.structure, workout_numbers(day.structure, zones, treadmill))
    return _planned(day, seen[1])


class CompiledDay(NamedTuple):
    """A planned day for one runner: the numbers the rules read, and the program a session plays
    (None for rest and for a race run outdoors) with each segment's zone."""

    day: DayPlan
    summary: PlannedWorkout
    program: Program | None
    zones: tuple[Zone, ...]


def compile_day(day: DayPlan, zones: Zones, treadmill: Treadmill, draft: PlanDraft) -> CompiledDay:
    """One day compiled for this runner on this treadmill, with the same numbers `summarise` gives."""
    if _is_outdoor_race(day):
        return CompiledDay(day, _outdoor_race(day, draft, zones), None, ())
    summary = summarise_day(day, zones, treadmill)
    if day.structure is None:
        return CompiledDay(day, summary, None, ())
    program = compile_program(day.structure, zones, treadmill)
    return CompiledDay(day, summary, program, tuple(o.step.zone for o in unroll(day.structure)))


def compile_plan(draft: PlanDraft, zones: Zones, treadmill: Treadmill) -> list[CompiledDay]:
    """Every day of the plan compiled, in date order: what the calendar, the pages and the API show."""
    return [compile_day(day, zones, treadmill, draft) for day in draft.days]


def week_totals(draft: PlanDraft, compiled: list[CompiledDay]) -> list[tuple[float, float]]:
    """(planned km, planned seconds) per week, the race included: what the runner will run."""
    totals = [(0.0, 0.0)] * len(draft.weeks)
    first = draft.start_date
    for c in compiled:
        week = (c.day.date - first).days // 7
        km, seconds = totals[week]
        totals[week] = (km + c.summary.distance_km, seconds + c.summary.duration_s)
    return totals


def constraints_for(profile: Profile) -> PlanConstraints:
    """The runner's training days with their minutes, and the treadmill's limits."""
    limits = profile.max_minutes
    minutes = {WEEKDAY_OF[name]: limits.get(name, DEFAULT_DAY_MINUTES) for name in profile.available_days}
    t = profile.treadmill
    return PlanConstraints(
        weekday_minutes=minutes,
        min_speed_kmh=max(1.0, t.min_speed_kmh),
        max_speed_kmh=min(25.0, t.max_speed_kmh),
        max_incline_pct=min(15.0, t.max_incline_pct),
    )


def _is_outdoor_race(day: DayPlan) -> bool:
    return day.type is WorkoutType.RACE and day.structure is None


def _outdoor_race(day: DayPlan, draft: PlanDraft, zones: Zones) -> PlannedWorkout:
    """A race run outdoors: its distance is the goal's; its time is estimated at marathon pace for
    a half or a marathon and threshold pace below (the rules leave races out of the volume)."""
    race = draft.race_distance or Race.TEN_K
    metres = RACE_DISTANCE_M[race]
    zone = Zone.MARATHON if race in (Race.HALF, Race.MARATHON) else Zone.THRESHOLD
    return PlannedWorkout(
        date=day.date,
        type=day.type,
        hard=True,
        duration_s=round(metres / (target_kmh(zone, zones) / 3.6)),
        distance_km=metres / 1000,
        easy_duration_s=0,
    )


class PlanInfo(BaseModel):
    """A stored plan's identity: whose, for which goal, how it was generated, and whether archived."""

    model_config = ConfigDict(frozen=True)

    id: int
    owner_id: int
    goal_id: int | None
    methodology: Methodology
    seed: int
    created_at: datetime
    archived_at: datetime | None


class PlanVersion(BaseModel):
    """One version of a plan: the whole draft, who made it, why, and the days it changed."""

    model_config = ConfigDict(frozen=True)

    plan: PlanInfo
    number: int
    is_current: bool
    created_by: Author
    reason: str
    draft: PlanDraft
    #: [{wid, before, after}] against the version before (before/after: a DayPlan's JSON or None).
    changes: tuple[dict[str, Any], ...]
    created_at: datetime
