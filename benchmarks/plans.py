"""How fast plans are made and checked, and whether any random runner gets a broken plan; prints JSON.

Three figures, each against its budget (issue 8):

- `generate_ms`: p50/p99 to generate a 24-week marathon plan for an intermediate runner at about
  50 km a week (`planner.plan`, which summarises and rule-checks its own draft before returning).
  Budget: p99 <= 50 ms.
- `summarise_ms` and `check_ms`: p50/p99 to compile that plan into the rule checker's summary
  (`plans.summarise`), and to check it (`rules.check`). Budget for the check: p99 <= 5 ms.
- `random`: 1,000 seeded random runners and goals (levels, 1 to 7 days, 10 to 360 minutes,
  0 to 120 km a week, paces from an easy pace or a race, treadmill limits down to 8 km/h and 0 %
  incline, mph consoles, calibration 0.9 to 1.1; races from 5K to the marathon 1 to 30 weeks out,
  volume goals and keep-fit): how many were planned, how many refused, and how many plans broke a
  rule (goal 0: the generator refuses rather than break one).
- `calendar_render`: p50/p99 ms for the real server to answer GET /plan (month view and volume
  chart) and /plan?view=week for that plan, signed in through the real form
  (`calendar_render.py`). Budget: p99 <= 150 ms.

    .venv/bin/python benchmarks/plans.py [--runs 200] [--random 1000] [--seed 1] [--calendar-runs 60]

The script exits non-zero when a plan breaks a rule or a median is over its budget (medians, not
p99: a busy machine must not turn scheduling noise into a failure; the p99s are reported).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import calendar_render  # a sibling script: starts the server and times /plan

from runcoach.domain.goals import Goal, GoalKind
from runcoach.domain.planner import PlanRefused, plan
from runcoach.domain.plans import Methodology, constraints_for, summarise
from runcoach.domain.profile import Level, Profile, Weekday
from runcoach.domain.rules import check
from runcoach.domain.structure import MPH_STEP_KMH

START = date(2026, 1, 5)  # a Monday
WEEKS = 24
GENERATE_BUDGET_MS = 50.0
CHECK_BUDGET_MS = 5.0
CALENDAR_BUDGET_MS = 150.0
DAYS = list(Weekday)
RACES_M = (5000.0, 10_000.0, 21_097.5, 42_195.0)


def intermediate() -> Profile:
    """An intermediate runner at 50 km a week: six days, up to three hours on Sunday's long run."""
    return Profile(
        easy_pace_s_per_km=330,
        weekly_km=50,
        available_days=[Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.SAT, Weekday.SUN],
        max_minutes={Weekday.SUN: 180},
        long_run_day=Weekday.SUN,
        level=Level.INTERMEDIATE,
    )


def marathon() -> Goal:
    return Goal(
        kind=GoalKind.RACE, race_distance_m=42_195.0, race_date=START + timedelta(weeks=WEEKS - 1, days=6)
    )


def timed(runs: int, call: Callable[[int], object]) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each call. On a shared machine the wall clock includes
    waiting for a core; the process's CPU time does not, so both are reported."""
    wall, cpu = [], []
    for i in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        call(i)
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    return wall, cpu


def percentiles(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 3), "p99": round(p99, 3)}


def random_profile(rng: random.Random) -> Profile:
    days = sorted(rng.sample(DAYS, rng.randint(1, 7)), key=DAYS.index)
    pace: dict[str, Any]
    if rng.random() < 0.5:
        pace = {"easy_pace_s_per_km": rng.uniform(250, 600)}
    else:
        distance = rng.choice(RACES_M[:3])
        pace = {
            "recent_race": {
                "distance_m": distance,
                "time_s": distance * rng.uniform(0.2, 0.45),
                "date": "2025-12-01",
            }
        }
    treadmill = {
        "min_speed_kmh": rng.choice([0.5, 1.0, 3.0]),
        "max_speed_kmh": rng.choice([8.0, 10.0, 12.0, 16.0, 22.0]),
        "max_incline_pct": rng.choice([0.0, 2.0, 6.0, 15.0]),
        "speed_step_kmh": rng.choice([0.1, MPH_STEP_KMH]),
        "calibration": rng.uniform(0.9, 1.1),
    }
    return Profile.model_validate(
        {
            **pace,
            "weekly_km": rng.uniform(0, 120),
            "available_days": days,
            "max_minutes": {d: rng.randint(10, 360) for d in days if rng.random() < 0.7},
            "long_run_day": rng.choice(days),
            "level": rng.choice(["beginner", "intermediate", "advanced"]),
            "treadmill": treadmill,
        }
    )  # fmt: skip


def random_goal(rng: random.Random, start: date) -> Goal:
    roll = rng.random()
    if roll < 0.6:
        day = start + timedelta(weeks=rng.randint(1, 30), days=rng.randint(-6, 0))
        return Goal(kind=GoalKind.RACE, race_distance_m=rng.choice(RACES_M), race_date=day)
    if roll < 0.8:
        by = start + timedelta(days=rng.randint(7, 200))
        return Goal(kind=GoalKind.VOLUME, weekly_km_target=rng.uniform(5, 120), by_date=by)
    return Goal(kind=GoalKind.VOLUME)


def random_runs(count: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    outcome: Counter[str] = Counter()
    rules_broken: Counter[str] = Counter()
    for i in range(count):
        start = START + timedelta(days=rng.randint(0, 6))
        profile, goal = random_profile(rng), random_goal(rng, start)
        methodology = rng.choice(list(Methodology))
        try:
            draft = plan(profile, goal, start, methodology, seed=i)
        except PlanRefused:
            outcome["refused"] += 1
            continue
        outcome["planned"] += 1
        found = check(summarise(draft, profile.paces().zones, profile.treadmill), constraints_for(profile))
        outcome["plans_with_violations"] += bool(found)
        outcome["violations"] += len(found)
        rules_broken.update(v.rule.value for v in found)
    return {
        "runs": count,
        "planned": outcome["planned"],
        "refused": outcome["refused"],
        "plans_with_violations": outcome["plans_with_violations"],
        "violations": outcome["violations"],
        "rules_broken": dict(rules_broken),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--random", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--calendar-runs", type=int, default=60, help="GETs of each calendar view (0: skip the server)"
    )
    args = parser.parse_args()

    profile, goal = intermediate(), marathon()
    zones, treadmill, constraints = profile.paces().zones, profile.treadmill, constraints_for(profile)
    draft = plan(profile, goal, START, Methodology.DANIELS, seed=0)  # also warms up
    # Each plan is dropped once timed: keeping them all would make every garbage collection slower.
    generate, generate_cpu = timed(
        args.runs, lambda i: plan(profile, goal, START, list(Methodology)[i % 2], seed=i)
    )
    summary = summarise(draft, zones, treadmill)
    summarise_ms, summarise_cpu = timed(args.runs, lambda _: summarise(draft, zones, treadmill))
    check_ms, check_cpu = timed(args.runs, lambda _: check(summary, constraints))
    shape = {
        "weeks": len(draft.weeks),
        "workouts": len(draft.days),
        "violations": len(check(summary, constraints)),
    }
    randomised = random_runs(args.random, args.seed)
    result = {
        "plan": shape,
        "generate_ms": {**percentiles(generate), "budget_p99": GENERATE_BUDGET_MS},
        "generate_cpu_ms": percentiles(generate_cpu),
        "summarise_ms": percentiles(summarise_ms),
        "summarise_cpu_ms": percentiles(summarise_cpu),
        "check_ms": {**percentiles(check_ms), "budget_p99": CHECK_BUDGET_MS},
        "check_cpu_ms": percentiles(check_cpu),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "calendar_render": calendar_render.measure(args.calendar_runs) if args.calendar_runs else None,
        "random": randomised,
    }  # fmt: skip
    print(json.dumps(result))
    assert randomised["violations"] == 0, "a generated plan broke a rule"
    assert statistics.median(generate) <= GENERATE_BUDGET_MS, "generating a plan is over budget"
    assert statistics.median(check_ms) <= CHECK_BUDGET_MS, "checking a plan is over budget"
    if result["calendar_render"] is not None:
        month = result["calendar_render"]["month_ms"]["p50"]
        assert month <= CALENDAR_BUDGET_MS, "rendering the calendar is over budget"


if __name__ == "__main__":
    main()
