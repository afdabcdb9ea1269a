"""The training plan's rule checker: every way a plan breaks the coaching rules, in plain sentences.

Pure: standard library and pydantic only. `check` returns every violation rather than the first,
so a generator (or the coach) can repair a plan in one go and a runner sees the whole list. It is
linear in the plan: one pass to total each week, then one pass per rule.

Decisions the rules leave open, made here:

- Volume is distance. A race is not training volume (it is the test, not the load), so races are
  left out of the weekly totals and of the easy share; tune-up races cost nothing either.
- A week's volume is compared with the most recent earlier *full* week: not a recovery week (a
  step back is not the new base) and not a week with no running at all (illness, travel), which
  would leave nothing to compare with and a division by zero. The first week has no reference.
- The taper is the last N weeks up to and including the race week (1 for 5K and 10K, 2 for a
  half, 3 for a marathon); its weeks are marked taper, the last race_week, and each carries at
  most 80 % of the last full week before the taper. Twenty percent is the smallest cut the taper
  literature (Mujika, Pfitzinger) still calls a taper; deeper cuts are allowed.
- The race is exempt from the runner's weekdays and daily minutes: its date is the runner's goal,
  not the plan's choice. Its speeds are checked only if it has a treadmill program.
- Limits are inclusive: exactly 10 %, 30 %, 2.5 h or 75 % passes.
- An eased day counts as planned for the week's rules. A day the runner (or the coach) rested,
  shortened or made no harder keeps the load it was first planned with (`eased_from`), and the
  week totals count it at the larger of that and what it now runs: distance, running time, and
  time *outside* zone E (the week's easy time is its running time less that), so an eased day
  adds to the week exactly what it was planned to add. Volume rise, the long run's share, both
  easy-share limits and the taper volume therefore judge the week as planned: these rules stop
  overload (and, for the build ceiling, a plan that was written without quality), and doing less
  than planned is neither; without this, resting an easy day shrank the week under its long run,
  made next week's planned volume a "rise", and lowered the easy share. The larger of the two,
  not simply the plan, so an eased day that somehow runs more than planned is never counted
  lower than it runs. Every rule about a single workout (two hard days in a row, the runner's
  weekdays and minutes, the treadmill's limits, the long run's duration) still judges the day
  as it will be run. The easy *time* is derived from the non-easy time rather than taken as the
  larger of the two easy times: with the larger easy time, turning intervals into an easy run
  would count the day as all easy and could refuse it for the build weeks' 85 % ceiling, a
  rule against a plan with too little quality, not against a runner having a sore day.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from runcoach.domain.errors import InvalidInput
from runcoach.domain.paces import Race
from runcoach.domain.plan_model import (
    Phase,
    PlanConstraints,
    PlannedWorkout,
    PlanSummary,
    Weekday,
    WorkoutType,
)


class Rule(StrEnum):
    VOLUME_RISE = "volume_rise"
    LONG_RUN_SHARE = "long_run_share"
    LONG_RUN_DURATION = "long_run_duration"
    EASY_SHARE_LOW = "easy_share_low"
    EASY_SHARE_HIGH = "easy_share_high"
    HARD_DAYS_IN_A_ROW = "hard_days_in_a_row"
    TAPER_PHASE = "taper_phase"
    TAPER_VOLUME = "taper_volume"
    RACE_DAY = "race_day"
    UNAVAILABLE_DAY = "unavailable_day"
    DAY_TOO_LONG = "day_too_long"
    SPEED_LIMIT = "speed_limit"
    INCLINE_LIMIT = "incline_limit"


class Violation(BaseModel):
    """One broken rule: which, the day (or the week's Monday) it concerns, and a sentence for the runner."""

    model_config = ConfigDict(frozen=True)

    rule: Rule
    date: date
    message: str


class PlanBreaksRules(InvalidInput):
    """A plan, or a change to one, breaks rules: `violations` says which, each with its sentence (422)."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__("plan", " ".join(v.message for v in violations))
        self.violations = violations


MAX_WEEKLY_RISE = 0.10
MAX_LONG_RUN_SHARE = 0.30
MAX_LONG_RUN_S = 2.5 * 3600
MAX_LONG_RUN_MARATHON_S = 3.0 * 3600
MIN_EASY_SHARE = 0.75
#: The ceiling that makes build and peak weeks 80/20 rather than all easy.
MAX_EASY_SHARE = 0.85
CEILING_PHASES = frozenset({Phase.BUILD, Phase.PEAK})
TAPER_WEEKS: dict[Race, int] = {Race.FIVE_K: 1, Race.TEN_K: 1, Race.HALF: 2, Race.MARATHON: 3}
MAX_TAPER_SHARE = 0.80
#: Float sums of many workouts must not turn an exact limit into a violation.
_TOLERANCE = 1e-9
_RACE_NAMES = {
    Race.FIVE_K: "a 5K",
    Race.TEN_K: "a 10K",
    Race.HALF: "a half marathon",
    Race.MARATHON: "a marathon",
}
_RULE_ORDER = {rule: i for i, rule in enumerate(Rule)}
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def check(plan: PlanSummary, constraints: PlanConstraints) -> list[Violation]:
    """Every violation of the plan's rules, ordered by date and then by rule."""
    loads = _week_loads(plan)
    found = [
        *_volume_rises(plan, loads),
        *_long_runs(plan, loads),
        *_easy_shares(plan, loads),
        *_hard_days(plan),
        *_taper(plan, loads),
        *_race_day(plan),
        *_weekdays(plan, constraints),
        *_treadmill(plan, constraints),
    ]
    return sorted(found, key=lambda v: (v.date, _RULE_ORDER[v.rule]))


def is_valid(plan: PlanSummary, constraints: PlanConstraints) -> bool:
    """True when the plan breaks no rule."""
    return not check(plan, constraints)


# --------------------------------------------------------------------------- weekly totals


@dataclass
class _WeekLoad:
    """A week's training (races left out): distance, running time and its time in zone E."""

    volume_km: float = 0.0
    running_s: float = 0.0
    easy_s: float = 0.0


def _week_loads(plan: PlanSummary) -> list[_WeekLoad]:
    loads = [_WeekLoad() for _ in plan.weeks]
    for workout in plan.workouts:
        if workout.type is WorkoutType.RACE:
            continue
        load = loads[plan.week_number(workout.date)]
        km, running_s, easy_s = _counted(workout)
        load.volume_km += km
        load.running_s += running_s
        load.easy_s += easy_s
    return loads


def _counted(workout: PlannedWorkout) -> tuple[float, float, float]:
    """What a day adds to its week: what it runs or, for an eased day, the larger of that and what
    it was planned as (distance and running time each), with the time *not* in E the larger of the
    two as well, so the day's easy share is the planned one (see the module's decisions)."""
    base = workout.eased_from
    if base is None:
        return workout.distance_km, workout.duration_s, workout.easy_duration_s
    running_s = max(workout.duration_s, base.duration_s)
    other_s = max(workout.duration_s - workout.easy_duration_s, base.duration_s - base.easy_s)
    return max(workout.distance_km, base.distance_km), running_s, running_s - other_s


def _references(plan: PlanSummary, loads: list[_WeekLoad]) -> list[int | None]:
    """For each week, the index of the latest earlier full week (not recovery, some running)."""
    references: list[int | None] = []
    latest: int | None = None
    for i, week in enumerate(plan.weeks):
        references.append(latest)
        if not week.recovery and loads[i].volume_km > 0:
            latest = i
    return references


# --------------------------------------------------------------------------- the rules


def _volume_rises(plan: PlanSummary, loads: list[_WeekLoad]) -> Iterator[Violation]:
    for i, reference in enumerate(_references(plan, loads)):
        if reference is None:
            continue
        now, before = loads[i].volume_km, loads[reference].volume_km
        if now > before * (1 + MAX_WEEKLY_RISE) + _TOLERANCE:
            rise = _figure(100 * (now / before - 1), 100 * MAX_WEEKLY_RISE)
            yield _week_violation(
                Rule.VOLUME_RISE,
                plan.weeks[i].start_date,
                f"{now:.1f} km is {rise} % more than the {before:.1f} km of the week of "
                f"{_day_month(plan.weeks[reference].start_date)}, the last full week before it "
                f"(limit {100 * MAX_WEEKLY_RISE:.0f} %).",
            )


def _long_runs(plan: PlanSummary, loads: list[_WeekLoad]) -> Iterator[Violation]:
    marathon = plan.race_distance is Race.MARATHON
    limit_s = MAX_LONG_RUN_MARATHON_S if marathon else MAX_LONG_RUN_S
    for run in plan.workouts:
        if run.type is not WorkoutType.LONG:
            continue
        volume = loads[plan.week_number(run.date)].volume_km
        if run.distance_km > volume * MAX_LONG_RUN_SHARE + _TOLERANCE:
            share = _figure(100 * run.distance_km / volume, 100 * MAX_LONG_RUN_SHARE)
            yield Violation(
                rule=Rule.LONG_RUN_SHARE,
                date=run.date,
                message=f"{weekday_date(run.date)}: the long run of {run.distance_km:.1f} km is {share} % "
                f"of the week's {volume:.1f} km (limit {100 * MAX_LONG_RUN_SHARE:.0f} %).",
            )
        if run.duration_s > limit_s + _TOLERANCE:
            plan_kind = " in a marathon plan" if marathon else ""
            yield Violation(
                rule=Rule.LONG_RUN_DURATION,
                date=run.date,
                message=f"{weekday_date(run.date)}: the long run lasts {_clock(run.duration_s)} "
                f"(limit {_clock(limit_s)}{plan_kind}).",
            )


def _easy_shares(plan: PlanSummary, loads: list[_WeekLoad]) -> Iterator[Violation]:
    for week, load in zip(plan.weeks, loads, strict=True):
        if load.running_s <= 0:
            continue  # a rest week has no share to speak of
        share = load.easy_s / load.running_s
        if share < MIN_EASY_SHARE - _TOLERANCE:
            yield _week_violation(
                Rule.EASY_SHARE_LOW,
                week.start_date,
                f"only {_figure(100 * share, 100 * MIN_EASY_SHARE)} % of the running time is easy "
                f"(at least {100 * MIN_EASY_SHARE:.0f} %).",
            )
        ceiling_applies = week.phase in CEILING_PHASES and not week.recovery
        if ceiling_applies and share > MAX_EASY_SHARE + _TOLERANCE:
            yield _week_violation(
                Rule.EASY_SHARE_HIGH,
                week.start_date,
                f"{_figure(100 * share, 100 * MAX_EASY_SHARE)} % of the running time is easy; "
                f"a {week.phase} week keeps at most {100 * MAX_EASY_SHARE:.0f} % easy.",
            )


def _hard_days(plan: PlanSummary) -> Iterator[Violation]:
    one_day = timedelta(days=1)
    for before, after in zip(plan.workouts, plan.workouts[1:], strict=False):
        if before.hard and after.hard and after.date - before.date == one_day:
            yield Violation(
                rule=Rule.HARD_DAYS_IN_A_ROW,
                date=after.date,
                message=f"{weekday_date(after.date)}: {_a_run(after)} the day after {_a_run(before)}; "
                "two hard days in a row leave no time to recover.",
            )


def _taper(plan: PlanSummary, loads: list[_WeekLoad]) -> Iterator[Violation]:
    if plan.race_distance is None or plan.race_date is None:
        return
    race_week = plan.week_number(plan.race_date)
    length = TAPER_WEEKS[plan.race_distance]
    first = max(race_week - length + 1, 0)
    if race_week - length + 1 < 0:
        yield _week_violation(
            Rule.TAPER_PHASE,
            plan.weeks[0].start_date,
            f"the plan is too short for the {_weeks(length)} taper before {_race(plan.race_distance)}.",
        )
    for i in range(first, race_week + 1):
        week = plan.weeks[i]
        expected = Phase.RACE_WEEK if i == race_week else Phase.TAPER
        role = "the race week" if expected is Phase.RACE_WEEK else "a taper week"
        if week.phase is not expected:
            yield _week_violation(
                Rule.TAPER_PHASE,
                week.start_date,
                f"this is a {week.phase.replace('_', ' ')} week, but the {_weeks(length)} taper before "
                f"{_race(plan.race_distance)} makes it {role}.",
            )
    yield from _taper_volume(plan, loads, range(first, race_week + 1))


def _taper_volume(plan: PlanSummary, loads: list[_WeekLoad], taper: range) -> Iterator[Violation]:
    reference = _references(plan, loads)[taper.start]
    if reference is None:
        return  # no full week before the taper: nothing to reduce from
    before = loads[reference].volume_km
    for i in taper:
        now = loads[i].volume_km
        if now > before * MAX_TAPER_SHARE + _TOLERANCE:
            share = _figure(100 * now / before, 100 * MAX_TAPER_SHARE)
            yield _week_violation(
                Rule.TAPER_VOLUME,
                plan.weeks[i].start_date,
                f"the taper keeps {now:.1f} km, {share} % of the {before:.1f} km of the last full week "
                f"before it (at most {100 * MAX_TAPER_SHARE:.0f} %).",
            )


def _race_day(plan: PlanSummary) -> Iterator[Violation]:
    if plan.race_date is None or plan.race_distance is None:
        return
    if not any(w.date == plan.race_date and w.type is WorkoutType.RACE for w in plan.workouts):
        yield Violation(
            rule=Rule.RACE_DAY,
            date=plan.race_date,
            message=f"{weekday_date(plan.race_date)}: race day, but "
            f"{_race(plan.race_distance)} is not on the plan.",
        )


def _weekdays(plan: PlanSummary, constraints: PlanConstraints) -> Iterator[Violation]:
    for run in plan.workouts:
        if run.type in (WorkoutType.REST, WorkoutType.RACE):
            continue
        weekday = Weekday(run.date.weekday())
        minutes = constraints.weekday_minutes.get(weekday)
        name = weekday.name.title()
        if minutes is None:
            yield Violation(
                rule=Rule.UNAVAILABLE_DAY,
                date=run.date,
                message=f"{weekday_date(run.date)}: {_a_run(run)} is planned, "
                f"but {name} is not one of your training days.",
            )
        elif run.duration_s > minutes * 60 + _TOLERANCE:
            yield Violation(
                rule=Rule.DAY_TOO_LONG,
                date=run.date,
                message=f"{weekday_date(run.date)}: {_a_run(run)} of {_clock(run.duration_s)} "
                f"is planned, but you have {_clock(minutes * 60)} on {name}s.",
            )


def _treadmill(plan: PlanSummary, constraints: PlanConstraints) -> Iterator[Violation]:
    c = constraints
    for run in plan.workouts:
        day = weekday_date(run.date)
        if run.max_speed_kmh is not None and run.max_speed_kmh > c.max_speed_kmh + _TOLERANCE:
            speed = _figure(run.max_speed_kmh, c.max_speed_kmh, digits=1)
            yield Violation(
                rule=Rule.SPEED_LIMIT,
                date=run.date,
                message=f"{day}: {_a_run(run)} reaches {speed} km/h, "
                f"above your treadmill's top speed of {c.max_speed_kmh:.1f} km/h.",
            )
        if run.min_speed_kmh is not None and run.min_speed_kmh < c.min_speed_kmh - _TOLERANCE:
            speed = _figure(run.min_speed_kmh, c.min_speed_kmh, digits=1)
            yield Violation(
                rule=Rule.SPEED_LIMIT,
                date=run.date,
                message=f"{day}: {_a_run(run)} slows to {speed} km/h, "
                f"below your treadmill's slowest speed of {c.min_speed_kmh:.1f} km/h.",
            )
        if run.max_incline_pct is not None and run.max_incline_pct > c.max_incline_pct + _TOLERANCE:
            incline = _figure(run.max_incline_pct, c.max_incline_pct, digits=1)
            yield Violation(
                rule=Rule.INCLINE_LIMIT,
                date=run.date,
                message=f"{day}: {_a_run(run)} climbs to {incline} % incline, "
                f"above your treadmill's {c.max_incline_pct:.1f} %.",
            )


# --------------------------------------------------------------------------- sentences


def _week_violation(rule: Rule, monday: date, sentence: str) -> Violation:
    return Violation(rule=rule, date=monday, message=f"Week of {_day_month(monday)}: {sentence}")


def _day_month(day: date) -> str:
    # Month names spelled here rather than with strftime("%B"), which follows the server's locale.
    return f"{day.day} {_MONTHS[day.month - 1]}"


def weekday_date(day: date) -> str:
    """'Wednesday 12 March', as every rule sentence names a day (edits, Adapt today and the pages use
    it too); spelled here, not with strftime, which follows the server's locale."""
    return f"{Weekday(day.weekday()).name.title()} {_day_month(day)}"


def _a_run(run: PlannedWorkout) -> str:
    names = {WorkoutType.LONG: "the long run", WorkoutType.RACE: "the race", WorkoutType.REST: "a rest day"}
    if run.type in names:
        return names[run.type]
    article = "an" if run.type in (WorkoutType.EASY, WorkoutType.INTERVALS) else "a"
    noun = "session" if run.type in (WorkoutType.INTERVALS, WorkoutType.HILLS) else "run"
    return f"{article} {run.type} {noun}"


def _race(race: Race) -> str:
    return _RACE_NAMES[race]


def _weeks(count: int) -> str:
    return f"{count}-week"


def _figure(value: float, limit: float, digits: int = 0) -> str:
    """`value` rounded, with more digits when rounding would make it read like the limit it broke."""
    text = ""
    for more in range(digits, digits + 3):
        text = f"{value:.{more}f}"
        if text != f"{limit:.{more}f}":
            break
    return text


def _clock(seconds: float) -> str:
    """'2 h 45 min', '50 min', '1 h'; rounded up to the minute so an excess never reads as the limit."""
    minutes = math.ceil(seconds / 60 - _TOLERANCE)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
