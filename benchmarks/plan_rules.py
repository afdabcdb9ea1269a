"""How long the plan rule checker takes on a 24-week marathon plan; prints one JSON object.

The checker is linear in the plan (one pass to total the weeks, one per rule), and a plan
generator calls it after every repair, so it must stay well under 5 ms for a 24-week plan.
This script asserts that on the median of many runs; it is a benchmark, not a unit test, so a
busy CI machine cannot turn scheduling noise into a failing test.

    .venv/bin/python benchmarks/plan_rules.py
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import date, timedelta

from runcoach.domain.paces import Race
from runcoach.domain.plan_model import (
    GoalKind,
    Phase,
    PlanConstraints,
    PlannedWorkout,
    PlanSummary,
    PlanWeek,
    Weekday,
    WorkoutType,
)
from runcoach.domain.rules import check

WEEKS = 24
BUDGET_MS = 5.0
START = date(2025, 1, 6)  # a Monday
#: (weekday, type, share of the week's distance, share of its time in zone E): 80 % easy in time.
PATTERN = [
    (0, WorkoutType.EASY, 0.15, 1.0),
    (1, WorkoutType.INTERVALS, 0.2, 0.2),
    (3, WorkoutType.EASY, 0.15, 1.0),
    (4, WorkoutType.TEMPO, 0.1, 0.5),
    (5, WorkoutType.EASY, 0.15, 1.0),
    (6, WorkoutType.LONG, 0.25, 1.0),
]


def race_day(day: date) -> PlannedWorkout:
    return PlannedWorkout(
        date=day, type=WorkoutType.RACE, duration_s=4 * 3600, distance_km=42.195, easy_duration_s=0.0
    )


def one_run(day: date, kind: WorkoutType, km: float, easy: float) -> PlannedWorkout:
    seconds = km / 10 * 3600
    return PlannedWorkout(
        date=day, type=kind, duration_s=seconds, distance_km=km, easy_duration_s=seconds * easy,
        min_speed_kmh=9.0, max_speed_kmh=14.0, max_incline_pct=2.0,
    )  # fmt: skip


def marathon_plan() -> PlanSummary:
    """Six runs a week (Wednesday rest), volume up 5 % a week with every fourth week a recovery week."""
    weeks, workouts, km = [], [], 40.0
    for i in range(WEEKS):
        monday = START + timedelta(weeks=i)
        phase = Phase.BASE if i < 6 else Phase.BUILD if i < 16 else Phase.PEAK if i < 21 else Phase.TAPER
        phase = Phase.RACE_WEEK if i == WEEKS - 1 else phase
        recovery = i % 4 == 3 and phase is not Phase.TAPER
        volume = km * (0.7 if recovery else 1.0) if phase is not Phase.TAPER else km * (0.75 - 0.1 * (i - 21))
        weeks.append(PlanWeek(index=i, start_date=monday, phase=phase, recovery=recovery))
        for d, kind, share, easy in PATTERN:
            if phase is Phase.RACE_WEEK and kind is WorkoutType.LONG:
                workouts.append(race_day(monday + timedelta(days=d)))
                continue
            if phase is Phase.RACE_WEEK and kind is WorkoutType.INTERVALS:
                easy = 0.5  # the race is not training time: the week's short sharpening stays 80/20
            workouts.append(one_run(monday + timedelta(days=d), kind, volume * share, easy))
        km = km if recovery or phase is Phase.TAPER else min(km * 1.05, 90.0)
    return PlanSummary(
        weeks=tuple(weeks), workouts=tuple(workouts), goal=GoalKind.RACE, race_distance=Race.MARATHON,
        race_date=START + timedelta(weeks=WEEKS - 1, days=6),
    )  # fmt: skip


def main() -> None:
    plan = marathon_plan()
    constraints = PlanConstraints(weekday_minutes=dict.fromkeys(Weekday, 240))
    violations = check(plan, constraints)
    timings = []
    for _ in range(200):
        began = time.perf_counter()
        check(plan, constraints)
        timings.append((time.perf_counter() - began) * 1000)
    median = statistics.median(timings)
    print(
        json.dumps(
            {
                "rules_broken": sorted({v.rule.value for v in violations}),
                "weeks": WEEKS,
                "workouts": len(plan.workouts),
                "violations": len(violations),
                "median_ms": round(median, 3),
                "max_ms": round(max(timings), 3),
                "budget_ms": BUDGET_MS,
            }
        )
    )
    assert median < BUDGET_MS, f"checking a {WEEKS}-week plan took {median:.2f} ms (budget {BUDGET_MS} ms)"


if __name__ == "__main__":
    main()
