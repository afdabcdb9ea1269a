"""A training plan as the rule checker sees it: weeks, the planned workouts, the goal and the runner's week.

Pure: standard library and pydantic only. The model is deliberately small so that a plan generator
(and later the database) can produce it directly: every workout carries the few numbers of its
compiled treadmill program that the rules need (time, distance, time in zone E, top speed and
incline), not the program itself. Structural mistakes (a week not starting on a Monday, a workout
outside every week, NaN or negative numbers) are refused here; training mistakes (too much too
soon, two hard days in a row) are the rule checker's business and come back as violations.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import IntEnum, StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from runcoach.domain.paces import Race
from runcoach.domain.workouts import Number


class Phase(StrEnum):
    """Where a week sits in the plan's arc; the easy-share ceiling applies in build and peak only."""

    BASE = "base"
    BUILD = "build"
    PEAK = "peak"
    TAPER = "taper"
    RACE_WEEK = "race_week"


class WorkoutType(StrEnum):
    EASY = "easy"
    LONG = "long"
    RECOVERY = "recovery"
    TEMPO = "tempo"
    INTERVALS = "intervals"
    HILLS = "hills"
    FARTLEK = "fartlek"
    PROGRESSION = "progression"
    RACE = "race"
    REST = "rest"


class GoalKind(StrEnum):
    RACE = "race"
    VOLUME = "volume"


class Weekday(IntEnum):
    """Monday is 0, as `date.weekday()` counts."""

    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


#: Always a hard day: the long run and the race load the legs however slowly they are run.
ALWAYS_HARD = frozenset({WorkoutType.LONG, WorkoutType.RACE})
#: Never a hard day: a day marked hard with one of these types is a contradiction, not a choice.
NEVER_HARD = frozenset({WorkoutType.EASY, WorkoutType.RECOVERY, WorkoutType.REST})
#: Hard unless the plan says otherwise (a gentle fartlek or progression may be marked easy).
HARD_BY_DEFAULT = ALWAYS_HARD | {
    WorkoutType.TEMPO,
    WorkoutType.INTERVALS,
    WorkoutType.HILLS,
    WorkoutType.FARTLEK,
    WorkoutType.PROGRESSION,
}

NonNegative = Annotated[Number, Field(ge=0.0)]


class PlanWeek(BaseModel):
    """One Monday-to-Sunday week of the plan; `recovery` marks a planned step back in volume."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    index: int = Field(ge=0)
    start_date: date
    phase: Phase
    recovery: bool = False

    @field_validator("start_date")
    @classmethod
    def _monday(cls, value: date) -> date:
        if value.weekday() != Weekday.MONDAY:
            raise ValueError(f"a week starts on a Monday, not on a {Weekday(value.weekday()).name.title()}")
        return value

    @property
    def end_date(self) -> date:
        """The week's Sunday."""
        return self.start_date + timedelta(days=6)


class PlannedLoad(BaseModel):
    """What a day carried as first planned, before the runner or the coach eased it: its compiled
    distance, running time and time in zone E. The week rules count an eased day at this load (see
    `rules`), so doing less than planned is never judged as if it were the plan."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    distance_km: NonNegative
    duration_s: NonNegative
    easy_s: NonNegative

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.easy_s > self.duration_s:
            raise ValueError("the time in zone E cannot exceed the running time")
        return self


class PlannedWorkout(BaseModel):
    """One day's planned run, summarised from its compiled treadmill program.

    `hard` defaults from the type (quality sessions, the long run and the race are hard); a
    long run or race cannot be marked easy, and an easy, recovery or rest day cannot be hard.
    Speeds are None only when there is no treadmill program: a rest day, or a race run outdoors.
    `eased_from` is the load the day had before it was eased (a rest day included), else None.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: date
    type: WorkoutType
    hard: bool = False  # the real default comes from the type (see _default_hard)
    duration_s: NonNegative
    distance_km: NonNegative
    easy_duration_s: NonNegative = Field(description="Time in Daniels' zone E")
    min_speed_kmh: NonNegative | None = None
    max_speed_kmh: NonNegative | None = None
    max_incline_pct: NonNegative | None = None
    eased_from: PlannedLoad | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_hard(cls, data: Any) -> Any:
        if isinstance(data, dict) and "hard" not in data and "type" in data:
            return {**data, "hard": WorkoutType(data["type"]) in HARD_BY_DEFAULT}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.type in ALWAYS_HARD and not self.hard:
            raise ValueError(f"a {self.type} run is always a hard day")
        if self.type in NEVER_HARD and self.hard:
            raise ValueError(f"a {self.type} day cannot be a hard day")
        if self.easy_duration_s > self.duration_s:
            raise ValueError("the time in zone E cannot exceed the workout's duration")
        if self.type is WorkoutType.REST:
            return self._check_rest()
        if self.duration_s <= 0 or self.distance_km <= 0:
            raise ValueError(f"a {self.type} run needs a duration and a distance above zero")
        speeds = (self.min_speed_kmh, self.max_speed_kmh, self.max_incline_pct)
        if None in speeds and self.type is not WorkoutType.RACE:
            raise ValueError(f"a {self.type} run needs the speeds and incline of its treadmill program")
        low, high = self.min_speed_kmh, self.max_speed_kmh
        if low is not None and high is not None and low > high:
            raise ValueError("min_speed_kmh must not exceed max_speed_kmh")
        return self

    def _check_rest(self) -> Self:
        if self.duration_s or self.distance_km or self.max_speed_kmh is not None:
            raise ValueError("a rest day has no duration, distance or treadmill program")
        return self


class PlanSummary(BaseModel):
    """The whole plan: consecutive weeks, the workouts in them (at most one per day) and the goal.

    Workouts are kept sorted by date. A race goal names its distance and date, and the race date
    lies inside the plan; a volume goal names neither.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    weeks: tuple[PlanWeek, ...] = Field(min_length=1)
    workouts: tuple[PlannedWorkout, ...]
    goal: GoalKind
    race_distance: Race | None = None
    race_date: date | None = None

    @field_validator("workouts")
    @classmethod
    def _sorted(cls, value: tuple[PlannedWorkout, ...]) -> tuple[PlannedWorkout, ...]:
        return tuple(sorted(value, key=lambda w: w.date))

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        first = self.weeks[0].start_date
        for i, week in enumerate(self.weeks):
            if week.index != i or week.start_date != first + timedelta(weeks=i):
                raise ValueError(f"week {i} must have index {i} and start {i} weeks after the first week")
        last = self.weeks[-1].end_date
        for before, after in zip(self.workouts, self.workouts[1:], strict=False):
            if before.date == after.date:
                raise ValueError(f"two workouts on {after.date}: a plan has at most one per day")
        if self.workouts and (self.workouts[0].date < first or self.workouts[-1].date > last):
            raise ValueError("every workout must fall inside one of the plan's weeks")
        self._check_goal(first, last)
        return self

    def _check_goal(self, first: date, last: date) -> None:
        is_race = self.goal is GoalKind.RACE
        if is_race != (self.race_distance is not None) or is_race != (self.race_date is not None):
            raise ValueError("a race goal needs a race distance and date; a volume goal has neither")
        if self.race_date is not None and not first <= self.race_date <= last:
            raise ValueError("the race date must fall inside the plan")

    def week_number(self, day: date) -> int:
        """The index of the week holding `day` (the plan's weeks are consecutive)."""
        return (day - self.weeks[0].start_date).days // 7


class PlanConstraints(BaseModel):
    """The runner's week and treadmill, as the plan must respect them.

    `weekday_minutes` maps each weekday the runner can train on to the most minutes they have that
    day; a weekday missing from it is not available. (Named apart from `workouts.Constraints`, the
    single workout generator's inputs, which carry no weekdays.)
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    weekday_minutes: dict[Weekday, int] = Field(min_length=1)
    min_speed_kmh: Number = Field(default=5.0, ge=1.0, le=25.0)
    max_speed_kmh: Number = Field(default=16.0, ge=1.0, le=25.0)
    max_incline_pct: Number = Field(default=6.0, ge=0.0, le=15.0)

    @field_validator("weekday_minutes")
    @classmethod
    def _positive(cls, value: dict[Weekday, int]) -> dict[Weekday, int]:
        if any(minutes <= 0 for minutes in value.values()):
            raise ValueError("an available weekday needs more than 0 minutes")
        return value

    @model_validator(mode="after")
    def _speeds(self) -> Self:
        if self.min_speed_kmh >= self.max_speed_kmh:
            raise ValueError("min_speed_kmh must be below max_speed_kmh")
        return self

    @property
    def available_weekdays(self) -> frozenset[Weekday]:
        return frozenset(self.weekday_minutes)
