"""Tests of the plan generator: deterministic and seeded, periodized, within the runner's week and
treadmill, two methodologies that differ, clear refusals, and a property over random runners and
goals: every plan passes the rule checker, or the answer is a refusal with reasons."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runcoach.domain.errors import InvalidInput
from runcoach.domain.goals import Goal
from runcoach.domain.library import MAX_MINUTES
from runcoach.domain.paces import Race, Zone
from runcoach.domain.plan_model import Phase, PlanSummary, WorkoutType
from runcoach.domain.planner import KEEP_FIT_WEEKS, PlanRefused, plan
from runcoach.domain.plans import Methodology, PlanDraft, constraints_for, summarise
from runcoach.domain.profile import Profile, Weekday
from runcoach.domain.rules import TAPER_WEEKS, check
from runcoach.domain.structure import MPH_STEP_KMH, compile_program, unroll

T = WorkoutType
M = Methodology
START = date(2026, 1, 5)  # a Monday
QUALITY = {T.TEMPO, T.INTERVALS, T.HILLS, T.FARTLEK, T.PROGRESSION}
RACE_M = {"5k": 5000.0, "10k": 10_000.0, "half": 21_097.5, "marathon": 42_195.0}
DAYS = list(Weekday)
PHASE_ORDER = [Phase.BASE, Phase.BUILD, Phase.PEAK, Phase.TAPER, Phase.RACE_WEEK]


def runner(**changes: Any) -> Profile:
    """An intermediate at 50 km a week, six days, the long run on Sunday."""
    fields: dict[str, Any] = {
        "easy_pace_s_per_km": 330,
        "weekly_km": 50,
        "available_days": ["mon", "tue", "wed", "thu", "sat", "sun"],
        "max_minutes": {"sun": 180},
        "long_run_day": "sun",
        "level": "intermediate",
    }
    return Profile.model_validate({**fields, **changes})


def race(distance: str, weeks: int, weekday: int = 6) -> Goal:
    """A race on `weekday` of the plan's week `weeks - 1` (so the plan has `weeks` weeks)."""
    day = START + timedelta(weeks=weeks - 1, days=weekday)
    return Goal(kind="race", race_distance_m=RACE_M[distance], race_date=day)


MARATHON = race("marathon", 24)


def summary(draft: PlanDraft, profile: Profile) -> PlanSummary:
    return summarise(draft, profile.paces().zones, profile.treadmill)


def violations(draft: PlanDraft, profile: Profile) -> list[str]:
    return [v.message for v in check(summary(draft, profile), constraints_for(profile))]


def weekly_km(draft: PlanDraft, profile: Profile) -> list[float]:
    s = summary(draft, profile)
    totals = [0.0] * len(s.weeks)
    for w in s.workouts:
        if w.type is not T.RACE:
            totals[s.week_number(w.date)] += w.distance_km
    return totals


def week_days(draft: PlanDraft, index: int) -> list[Any]:
    week = draft.weeks[index]
    return [d for d in draft.days if week.start_date <= d.date <= week.end_date]


# --------------------------------------------------------------------------- determinism and seeds


@pytest.mark.parametrize("methodology", list(M))
def test_the_same_inputs_and_seed_give_the_identical_plan(methodology: Methodology) -> None:
    first = plan(runner(), MARATHON, START, methodology, seed=7)
    again = plan(runner(), MARATHON, START, methodology, seed=7)
    assert first == again


@pytest.mark.parametrize("methodology", list(M))
def test_another_seed_gives_a_visibly_different_plan(methodology: Methodology) -> None:
    one = plan(runner(), MARATHON, START, methodology, seed=1)
    two = plan(runner(), MARATHON, START, methodology, seed=2)
    names_one = [d.structure.name if d.structure else d.title for d in one.days]
    names_two = [d.structure.name if d.structure else d.title for d in two.days]
    differing = sum(a != b for a, b in zip(names_one, names_two, strict=False))
    assert differing >= 5


@pytest.mark.parametrize("methodology", list(M))
@pytest.mark.parametrize("distance", list(RACE_M))
def test_the_reference_plans_break_no_rule(methodology: Methodology, distance: str) -> None:
    draft = plan(runner(), race(distance, 16), START, methodology, seed=3)
    assert violations(draft, runner()) == []


# --------------------------------------------------------------------------- shape of the plan


def test_a_marathon_plan_runs_base_build_peak_then_a_three_week_taper_to_the_race_week() -> None:
    draft = plan(runner(), MARATHON, START, M.DANIELS, seed=1)
    phases = [w.phase for w in draft.weeks]
    assert len(phases) == 24
    assert phases[0] is Phase.BASE and phases[-1] is Phase.RACE_WEEK
    assert phases[-3:] == [Phase.TAPER, Phase.TAPER, Phase.RACE_WEEK]
    assert {Phase.BUILD, Phase.PEAK} <= set(phases)
    assert [PHASE_ORDER.index(p) for p in phases] == sorted(PHASE_ORDER.index(p) for p in phases)


@pytest.mark.parametrize("distance", list(RACE_M))
def test_the_taper_has_the_length_the_race_asks_for_and_less_volume(distance: str) -> None:
    draft = plan(runner(), race(distance, 14), START, M.EIGHTY_TWENTY, seed=1)
    taper = TAPER_WEEKS[Race(distance)]
    phases = [w.phase for w in draft.weeks]
    assert phases.count(Phase.TAPER) + phases.count(Phase.RACE_WEEK) == taper
    km = weekly_km(draft, runner())
    before_taper = km[len(km) - taper - 1]
    assert all(week_km <= 0.8 * before_taper for week_km in km[-taper:])


def test_recovery_weeks_come_every_fourth_week_and_step_back_to_70_to_80_percent() -> None:
    draft = plan(runner(), MARATHON, START, M.DANIELS, seed=1)
    recovery = [w.index for w in draft.weeks if w.recovery]
    assert recovery[:3] == [3, 7, 11]
    km = weekly_km(draft, runner())
    for i in recovery:
        assert 0.7 * km[i - 1] <= km[i] <= 0.8 * km[i - 1]


def test_beginners_get_a_recovery_week_every_third_week() -> None:
    draft = plan(runner(level="beginner"), race("half", 20), START, M.DANIELS, seed=1)
    assert [w.index for w in draft.weeks if w.recovery][:3] == [2, 5, 8]


def test_volume_grows_from_the_runners_weekly_km_by_at_most_ten_percent() -> None:
    draft = plan(runner(weekly_km=30), MARATHON, START, M.DANIELS, seed=1)
    km = weekly_km(draft, runner(weekly_km=30))
    assert 28 <= km[0] <= 31
    full = [k for k, w in zip(km, draft.weeks, strict=True) if not w.recovery and w.phase is not Phase.TAPER]
    assert all(b <= a * 1.1 for a, b in pairwise(full))
    assert max(km) > km[0] * 1.5  # it does build


def test_the_long_run_is_on_the_preferred_day_every_week_but_the_race_week() -> None:
    profile = runner(long_run_day="sat", max_minutes={"sat": 180})
    draft = plan(profile, MARATHON, START, M.DANIELS, seed=1)
    longs = [d for d in draft.days if d.type is T.LONG]
    assert {d.date.weekday() for d in longs} == {5}
    assert len(longs) == len(draft.weeks) - 1


def test_a_daniels_marathon_build_ends_some_long_runs_at_marathon_pace() -> None:
    draft = plan(runner(), MARATHON, START, M.DANIELS, seed=1)
    finishes = [
        d for d in draft.days if d.type is T.LONG and d.structure and Zone.MARATHON in _zones(d.structure)
    ]
    assert finishes and all(draft.weeks[(d.date - START).days // 7].phase is Phase.PEAK for d in finishes)


def _zones(workout: Any) -> set[Zone]:
    return {o.step.zone for o in unroll(workout)}


def test_only_the_runners_days_are_used_and_no_day_runs_over_its_minutes() -> None:
    minutes = {"tue": 40, "thu": 45, "sat": 60, "sun": 150}
    profile = runner(available_days=["tue", "thu", "sat", "sun"], max_minutes=minutes)
    draft = plan(profile, race("half", 16), START, M.EIGHTY_TWENTY, seed=4)
    s = summary(draft, profile)
    allowed = {DAYS.index(Weekday(d)): m for d, m in minutes.items()}
    for w in s.workouts:
        if w.type is T.RACE:
            continue
        assert w.date.weekday() in allowed
        assert w.duration_s <= allowed[w.date.weekday()] * 60


def test_no_two_hard_days_follow_each_other() -> None:
    profile = runner(available_days=list(DAYS), level="advanced", weekly_km=70)
    draft = plan(profile, MARATHON, START, M.EIGHTY_TWENTY, seed=5)
    hard = sorted(d.date for d in draft.days if d.hard)
    assert all((b - a).days > 1 for a, b in pairwise(hard))


def test_the_race_is_on_race_day_run_outdoors_and_nothing_follows_it() -> None:
    goal = race("10k", 10, weekday=5)  # a Saturday race
    draft = plan(runner(), goal, START, M.DANIELS, seed=1)
    last = draft.days[-1]
    assert (last.date, last.type, last.hard, last.structure) == (goal.race_date, T.RACE, True, None)
    assert draft.weeks[-1].phase is Phase.RACE_WEEK
    day_before = draft.on(last.date - timedelta(days=1))
    assert day_before is None or not day_before.hard


def test_a_plan_starting_midweek_uses_no_day_before_the_start() -> None:
    start = START + timedelta(days=3)  # a Thursday
    draft = plan(runner(), MARATHON, start, M.DANIELS, seed=1)
    assert draft.start_date == START
    assert min(d.date for d in draft.days) >= start
    assert draft.weeks[0].recovery  # a part week is not the base the next week grows from
    assert violations(draft, runner()) == []


def test_a_stored_plan_read_back_summarises_the_same_as_the_generated_one() -> None:
    """The summary's compile cache keys on shared structure objects; a plan read from JSON shares none."""
    draft = plan(runner(), MARATHON, START, M.EIGHTY_TWENTY, seed=1)
    stored = PlanDraft.model_validate_json(draft.model_dump_json())
    assert stored == draft
    assert summary(stored, runner()) == summary(draft, runner())


def test_wids_run_one_to_n_in_date_order_and_rest_days_are_left_out() -> None:
    draft = plan(runner(), MARATHON, START, M.EIGHTY_TWENTY, seed=1)
    assert [d.wid for d in draft.days] == list(range(1, len(draft.days) + 1))
    assert [d.date for d in draft.days] == sorted(d.date for d in draft.days)
    assert all(d.type is not T.REST for d in draft.days)


def test_keep_fit_from_zero_builds_gently_towards_150_minutes_a_week() -> None:
    newcomer = runner(weekly_km=0, level="beginner")
    draft = plan(newcomer, Goal(kind="volume"), START, M.EIGHTY_TWENTY, seed=1)
    minutes = [
        sum(
            compile_program(d.structure, newcomer.paces().zones, newcomer.treadmill).total_duration_s
            for d in week_days(draft, w.index)
            if d.structure
        )
        / 60
        for w in draft.weeks
    ]
    assert minutes[0] <= 60
    assert 90 <= max(minutes) <= 150
    assert violations(draft, newcomer) == []


def test_keep_fit_plans_twelve_weeks_and_a_volume_goal_runs_to_its_date() -> None:
    keep_fit = plan(runner(), Goal(kind="volume"), START, M.DANIELS, seed=1)
    assert len(keep_fit.weeks) == KEEP_FIT_WEEKS == 12
    by = START + timedelta(weeks=14, days=2)
    volume = plan(
        runner(weekly_km=40), Goal(kind="volume", weekly_km_target=55, by_date=by), START, M.DANIELS, 1
    )
    assert volume.end_date == START + timedelta(weeks=14, days=6)
    assert weekly_km(volume, runner(weekly_km=40))[-1] >= 50


# --------------------------------------------------------------------------- levels and methodologies


def quality_per_week(draft: PlanDraft) -> list[int]:
    return [sum(d.type in QUALITY for d in week_days(draft, w.index)) for w in draft.weeks]


@pytest.mark.parametrize(("level", "most"), [("beginner", 1), ("intermediate", 2), ("advanced", 3)])
def test_quality_sessions_follow_the_level(level: str, most: int) -> None:
    profile = runner(level=level, available_days=list(DAYS))
    draft = plan(profile, race("half", 20), START, M.EIGHTY_TWENTY, seed=2)
    per_week = quality_per_week(draft)
    build = [
        n for n, w in zip(per_week, draft.weeks, strict=True) if w.phase is Phase.BUILD and not w.recovery
    ]
    assert max(per_week) <= most
    assert min(build) >= 1
    if level == "beginner":
        base = [n for n, w in zip(per_week, draft.weeks, strict=True) if w.phase is Phase.BASE]
        assert sum(base) == 0


def test_the_two_methodologies_give_different_weeks_for_the_same_goal() -> None:
    daniels = plan(runner(), MARATHON, START, M.DANIELS, seed=1)
    eighty = plan(runner(), MARATHON, START, M.EIGHTY_TWENTY, seed=1)
    daniels_types = {d.type for d in daniels.days if d.type in QUALITY}
    eighty_types = {d.type for d in eighty.days if d.type in QUALITY}
    assert {T.TEMPO, T.INTERVALS} <= daniels_types
    assert {T.FARTLEK, T.PROGRESSION} <= eighty_types
    assert T.FARTLEK not in daniels_types and T.INTERVALS not in eighty_types
    assert len(eighty.days) > len(daniels.days)  # more, shorter runs
    assert {d.title for d in daniels.days} != {d.title for d in eighty.days}


def test_daniels_base_weeks_bring_r_reps_and_build_weeks_t_and_i() -> None:
    draft = plan(runner(), MARATHON, START, M.DANIELS, seed=1)
    by_phase: dict[Phase, set[Zone]] = {}
    for d in draft.days:
        if d.type in QUALITY and d.structure is not None:
            phase = draft.weeks[(d.date - START).days // 7].phase
            by_phase.setdefault(phase, set()).update(_zones(d.structure) - {Zone.EASY})
    assert Zone.REPETITION in by_phase[Phase.BASE]
    assert {Zone.THRESHOLD, Zone.INTERVAL} <= by_phase[Phase.BUILD]


def test_a_very_fast_runner_gets_no_r_reps_beyond_the_top_speed_the_rules_allow() -> None:
    """R at 12:20 for 5K starts at 25.5 km/h, over the checker's 25 km/h ceiling: the base reps are I."""
    fast = runner(
        easy_pace_s_per_km=None,
        recent_race={"distance_m": 5000, "time_s": 740, "date": "2025-12-01"},
        weekly_km=120,
        available_days=list(DAYS),
        level="advanced",
        treadmill={"max_speed_kmh": 30.0},
    )
    draft = plan(fast, race("10k", 16), START, M.DANIELS, seed=1)
    assert violations(draft, fast) == []
    assert all(Zone.REPETITION not in _zones(d.structure) for d in draft.days if d.structure)
    base_intervals = [
        d
        for d in draft.days
        if d.type is T.INTERVALS and draft.weeks[(d.date - START).days // 7].phase is Phase.BASE
    ]
    assert base_intervals  # the session is there, at I


# --------------------------------------------------------------------------- refusals


SIX_DAYS = ["mon", "tue", "wed", "thu", "sat", "sun"]
TWO_DAYS = {"available_days": ["wed", "sun"], "max_minutes": {}, "long_run_day": "sun"}
SHORT_DAYS = {"max_minutes": dict.fromkeys(SIX_DAYS, 20)}
TOO_SHORT = {"available_days": ["tue", "sun"], "max_minutes": {"tue": 15, "sun": 15}, "long_run_day": "sun"}
THREE_HALF_HOURS = {
    "available_days": ["tue", "sat", "sun"],
    "max_minutes": {"tue": 30, "sat": 30, "sun": 30},
    "long_run_day": "sun",
}
LATER = START + timedelta(weeks=40)
BEFORE = START - timedelta(days=3)
TEN_K_BEFORE = Goal(kind="race", race_distance_m=10_000, race_date=BEFORE)
HUNDRED_KM = Goal(kind="volume", weekly_km_target=100, by_date=LATER)
SIXTY_KM_BEFORE = Goal(kind="volume", weekly_km_target=60, by_date=BEFORE)
REFUSALS = [
    ("a marathon in 4 weeks from zero", {"weekly_km": 0}, race("marathon", 4), "needs at least"),
    ("a race before the start", {}, TEN_K_BEFORE, "before the plan"),
    ("a race in the first week", {}, race("5k", 1, weekday=5), "too soon"),
    ("a marathon on two days a week", TWO_DAYS, MARATHON, "3 days a week"),
    ("a half on short days", SHORT_DAYS, race("half", 20), "long run"),
    ("no day long enough to run", TOO_SHORT, Goal(kind="volume"), "20 minutes"),
    ("more volume than the days hold", THREE_HALF_HOURS, HUNDRED_KM, "does not fit"),
    ("a volume date before the start", {}, SIXTY_KM_BEFORE, "before the plan"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "changes", "goal", "phrase"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_goals_that_cannot_be_planned_safely_are_refused_with_reasons(
    case: str, changes: dict[str, Any], goal: Goal, phrase: str
) -> None:
    with pytest.raises(PlanRefused) as caught:
        plan(runner(**changes), goal, START, M.DANIELS, seed=1)
    refusal = caught.value
    assert isinstance(refusal, InvalidInput) and refusal.field == "goal"
    assert refusal.reasons and all(r.endswith(".") for r in refusal.reasons)
    assert any(phrase in r for r in refusal.reasons), refusal.reasons
    assert str(refusal) == " ".join(refusal.reasons)


# --------------------------------------------------------------------------- properties


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=7, unique=True))
    limits = draw(st.dictionaries(st.sampled_from(days), st.integers(10, 360)))
    pace: dict[str, Any]
    if draw(st.booleans()):
        pace = {"easy_pace_s_per_km": draw(st.floats(250, 600))}
    else:
        distance = draw(st.sampled_from([5000.0, 10_000.0, 21_097.5]))
        minutes_per_km = draw(st.floats(3.2, 8.0))
        pace = {
            "recent_race": {
                "distance_m": distance,
                "time_s": distance / 1000 * minutes_per_km * 60,
                "date": "2025-12-01",
            }
        }
    treadmill = {
        "min_speed_kmh": draw(st.sampled_from([0.5, 1.0, 3.0])),
        "max_speed_kmh": draw(st.sampled_from([8.0, 10.0, 12.0, 16.0, 22.0])),
        "max_incline_pct": draw(st.sampled_from([0.0, 2.0, 6.0, 15.0])),
        "speed_step_kmh": draw(st.sampled_from([0.1, MPH_STEP_KMH])),
        "calibration": draw(st.floats(0.9, 1.1)),
    }
    return Profile.model_validate(
        {
            **pace,
            "weekly_km": draw(st.floats(0, 120)),
            "available_days": days,
            "max_minutes": limits,
            "long_run_day": draw(st.sampled_from(days)),
            "level": draw(st.sampled_from(["beginner", "intermediate", "advanced"])),
            "treadmill": treadmill,
        }
    )  # fmt: skip


@st.composite
def goals(draw: st.DrawFn, start: date) -> Goal:
    kind = draw(st.sampled_from(["race", "race", "volume", "keep_fit"]))
    if kind == "race":
        day = start + timedelta(weeks=draw(st.integers(1, 30)), days=draw(st.integers(-6, 0)))
        return Goal(kind="race", race_distance_m=draw(st.sampled_from(list(RACE_M.values()))), race_date=day)
    if kind == "volume":
        by = start + timedelta(days=draw(st.integers(7, 200)))
        return Goal(kind="volume", weekly_km_target=draw(st.floats(5, 120)), by_date=by)
    return Goal(kind="volume")


@given(data=st.data(), profile=profiles(), offset=st.integers(0, 6), methodology=st.sampled_from(list(M)))
@settings(max_examples=60, deadline=None)
def test_any_runner_and_goal_get_a_plan_with_zero_violations_or_a_clear_refusal(
    data: st.DataObject, profile: Profile, offset: int, methodology: Methodology
) -> None:
    start = START + timedelta(days=offset)
    goal = data.draw(goals(start))
    seed = data.draw(st.integers(0, 2**31))
    try:
        draft = plan(profile, goal, start, methodology, seed)
    except PlanRefused as refusal:
        assert refusal.reasons and all(reason.strip() for reason in refusal.reasons)
        return
    assert violations(draft, profile) == []
    assert all(d.date >= start for d in draft.days)
    for d in draft.days:
        if d.structure is not None:
            program = compile_program(d.structure, profile.paces().zones, profile.treadmill)
            assert program.total_duration_s <= MAX_MINUTES * 60


def test_most_reasonable_goals_do_get_a_plan() -> None:
    """Refusing everything would pass the property above; reasonable runners must get plans."""
    rng = random.Random(2026)
    outcomes: Counter[str] = Counter()
    for i in range(60):
        days = sorted(rng.sample(DAYS, rng.randint(4, 7)), key=DAYS.index)
        profile = Profile.model_validate(
            {
                "easy_pace_s_per_km": rng.uniform(300, 420),
                "weekly_km": rng.uniform(25, 70),
                "available_days": days,
                "max_minutes": {days[-1]: 180},
                "long_run_day": days[-1],
                "level": rng.choice(["beginner", "intermediate", "advanced"]),
            }
        )
        distance = rng.choice(list(RACE_M.values()))
        goal = Goal(
            kind="race",
            race_distance_m=distance,
            race_date=START + timedelta(weeks=rng.randint(12, 26), days=6),
        )
        try:
            plan(profile, goal, START, rng.choice(list(M)), seed=i)
            outcomes["planned"] += 1
        except PlanRefused:
            outcomes["refused"] += 1
    assert outcomes["planned"] >= 54, outcomes
