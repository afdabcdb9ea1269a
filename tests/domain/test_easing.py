"""Tests of eased days: an edit that does less than planned (rest, fewer minutes, an easier type)
keeps the day's planned load as `eased_from`, and the week rules count the day at that load, so
easing passes where overload is still refused.

Most use `tests.helpers.edits_plan`, a 10K on Sunday 30 March 2025 whose build week (10 March) sits
at 75.6 % easy; the property runs over the planner's own plans.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from runcoach.domain import library
from runcoach.domain.goals import Goal, GoalKind
from runcoach.domain.plan_edits import Build, Change, Move, Rest, Swap, apply, try_edit
from runcoach.domain.plan_model import Phase, PlannedLoad, PlanSummary, WorkoutType
from runcoach.domain.planner import plan
from runcoach.domain.plans import DayPlan, Methodology, PlanDraft, constraints_for, summarise
from runcoach.domain.profile import Profile
from runcoach.domain.readiness import Action, Checkin, adapt, readiness
from runcoach.domain.rules import Rule, check
from runcoach.domain.structure import StructuredWorkout, compile_program
from tests.helpers import (
    EDIT_CONSTRAINTS,
    EDIT_TREADMILL,
    EDIT_ZONES,
    PLAN_START,
    build_workout,
    edits_plan,
    wid_on,
)

T = WorkoutType
TODAY = PLAN_START
WED_5, SUN_9 = date(2025, 3, 5), date(2025, 3, 9)
MON_10, WED_12, THU_13, FRI_14, SAT_15 = (date(2025, 3, d) for d in (10, 12, 13, 14, 15))
PLAN = edits_plan()


def attempt(edit: Any, draft: PlanDraft = PLAN, today: date = TODAY) -> Any:
    return try_edit(
        draft, edit, zones=EDIT_ZONES, treadmill=EDIT_TREADMILL, constraints=EDIT_CONSTRAINTS,
        build=build_workout, today=today,
    )  # fmt: skip


def passed(edit: Any, draft: PlanDraft = PLAN) -> PlanDraft:
    outcome = attempt(edit, draft)
    assert outcome.draft is not None, outcome.message
    assert violations_of(outcome.draft) == []
    return outcome.draft


def violations_of(draft: PlanDraft) -> list[Any]:
    return check(summarise(draft, EDIT_ZONES, EDIT_TREADMILL), EDIT_CONSTRAINTS)


def day_on(draft: PlanDraft, day: date) -> DayPlan:
    found = draft.on(day)
    assert found is not None
    return found


def load_on(draft: PlanDraft, day: date) -> PlannedLoad:
    summary = summarise(draft, EDIT_ZONES, EDIT_TREADMILL)
    w = next(w for w in summary.workouts if w.date == day)
    return PlannedLoad(distance_km=w.distance_km, duration_s=w.duration_s, easy_s=w.easy_duration_s)


# --------------------------------------------------------------------------- easing passes


@pytest.mark.parametrize(
    ("edit", "refused_before"),
    [
        # Resting an easy day of the full build week left it 71 % easy.
        (Rest(wid=wid_on(PLAN, THU_13)), {Rule.EASY_SHARE_LOW}),
        # Resting an easy day of the base week shrank it under its long run and made the build week a rise.
        (Rest(wid=wid_on(PLAN, WED_5)), {Rule.LONG_RUN_SHARE, Rule.VOLUME_RISE}),
        # "I only have 30 minutes" on the base week's 60-minute easy run: the same two.
        (Change(wid=wid_on(PLAN, WED_5), minutes=30), {Rule.LONG_RUN_SHARE, Rule.VOLUME_RISE}),
        # The build week's 60-minute tempo at 20 minutes: too small for its long run, too easy.
        (Change(wid=wid_on(PLAN, WED_12), minutes=20), {Rule.EASY_SHARE_HIGH, Rule.LONG_RUN_SHARE}),
        # The long run at 30 minutes left the build week less easy and next week a rise.
        (Change(wid=wid_on(PLAN, SUN_9), minutes=30), {Rule.VOLUME_RISE}),
    ],
)
def test_easing_a_day_of_a_full_week_passes(edit: Any, refused_before: set[Rule]) -> None:
    draft = passed(edit)
    before = PLAN.day(edit.wid)
    assert before is not None
    day = day_on(draft, before.date)
    assert day.eased_from == load_on(PLAN, day.date)
    # Without the planned load the same plan breaks the rules the bug report names.
    forgotten = draft.model_copy(
        update={"days": tuple(d.model_copy(update={"eased_from": None}) for d in draft.days)}
    )
    assert refused_before <= {v.rule for v in violations_of(forgotten)}


def test_intervals_turned_into_an_easy_run_pass() -> None:
    # A generated Daniels 10K plan: its build weeks' intervals made easy went over the 85 % ceiling.
    profile, start = _runner(), date(2026, 1, 5)
    draft = plan(profile, _ten_k(start), start, Methodology.DANIELS, seed=1)
    zones, treadmill, constraints = profile.paces().zones, profile.treadmill, constraints_for(profile)
    intervals = [
        d
        for d in draft.days
        if d.type is T.INTERVALS and draft.weeks[(d.date - start).days // 7].phase is Phase.BUILD
    ]
    assert intervals
    for day in intervals:
        outcome = try_edit(
            draft, Change(wid=day.wid, type=T.EASY), zones=zones, treadmill=treadmill,
            constraints=constraints, build=_builder(profile, Methodology.DANIELS), today=start,
        )  # fmt: skip
        assert outcome.draft is not None, outcome.message
        eased = outcome.draft.day(day.wid)
        assert eased is not None and (eased.type, eased.hard) == (T.EASY, False)
        assert eased.eased_from is not None
        forgotten = outcome.draft.model_copy(
            update={"days": tuple(d.model_copy(update={"eased_from": None}) for d in outcome.draft.days)}
        )
        assert Rule.EASY_SHARE_HIGH in {
            v.rule for v in check(summarise(forgotten, zones, treadmill), constraints)
        }


def test_an_eased_rest_day_still_summarises_as_a_rest_day_with_its_planned_load() -> None:
    draft = passed(Rest(wid=wid_on(PLAN, THU_13)))
    rested = next(w for w in summarise(draft, EDIT_ZONES, EDIT_TREADMILL).workouts if w.date == THU_13)
    assert (rested.type, rested.duration_s, rested.distance_km) == (T.REST, 0, 0)
    assert rested.eased_from == load_on(PLAN, THU_13)


# --------------------------------------------------------------------------- the load follows the day


def test_a_move_and_a_swap_carry_the_planned_load_with_the_day() -> None:
    eased = passed(Change(wid=wid_on(PLAN, THU_13), minutes=20))
    wid, planned = wid_on(eased, THU_13), load_on(PLAN, THU_13)
    moved = passed(Move(wid=wid, to=FRI_14), eased)
    assert (day_on(moved, FRI_14).wid, day_on(moved, FRI_14).eased_from) == (wid, planned)
    swapped = apply(
        eased, Swap(wid=wid, other_wid=wid_on(PLAN, SAT_15)), zones=EDIT_ZONES, treadmill=EDIT_TREADMILL,
        build=build_workout, today=TODAY,
    )  # fmt: skip
    assert (day_on(swapped, SAT_15).wid, day_on(swapped, SAT_15).eased_from) == (wid, planned)
    assert day_on(swapped, THU_13).eased_from is None


def test_the_first_plan_wins_when_a_day_is_eased_twice() -> None:
    wid, planned = wid_on(PLAN, WED_5), load_on(PLAN, WED_5)
    shorter = passed(Change(wid=wid, minutes=40))
    rested = passed(Rest(wid=wid), shorter)
    assert day_on(rested, WED_5).eased_from == planned
    again = passed(Change(wid=wid, type=T.EASY, minutes=30), rested)  # rested, then a little run after all
    assert day_on(again, WED_5).eased_from == planned
    back = passed(Change(wid=wid, minutes=60), again)  # back to the planned minutes: still no more
    assert day_on(back, WED_5).eased_from == planned


def test_lengthening_an_eased_day_past_its_plan_clears_it() -> None:
    wid = wid_on(PLAN, SAT_15)
    eased = passed(Change(wid=wid, minutes=20))
    longer = apply(
        eased, Change(wid=wid, minutes=31), zones=EDIT_ZONES, treadmill=EDIT_TREADMILL, build=build_workout,
        today=TODAY,
    )  # fmt: skip
    assert day_on(longer, SAT_15).eased_from is None


def test_making_a_day_harder_clears_it_and_is_judged_as_it_is() -> None:
    wid = wid_on(PLAN, THU_13)
    eased = passed(Change(wid=wid, minutes=20))
    harder = attempt(Change(wid=wid, type=T.TEMPO, minutes=20), eased)
    assert harder.draft is None
    assert (Rule.HARD_DAYS_IN_A_ROW, THU_13) in {(v.rule, v.date) for v in harder.violations}
    made = apply(
        eased, Change(wid=wid, type=T.TEMPO, minutes=20), zones=EDIT_ZONES, treadmill=EDIT_TREADMILL,
        build=build_workout, today=TODAY,
    )  # fmt: skip
    assert day_on(made, THU_13).eased_from is None


# --------------------------------------------------------------------------- overload is still refused


def test_a_longer_day_is_refused_exactly_as_before_even_after_easing_it() -> None:
    # Saturday at 90 minutes lifts the build week 20 % over the base week; 36 minutes is the most.
    wid = wid_on(PLAN, SAT_15)
    fresh = attempt(Change(wid=wid, minutes=90))
    eased = passed(Change(wid=wid, minutes=20))
    again = attempt(Change(wid=wid, minutes=90), eased)
    assert fresh.draft is None and again.draft is None
    assert again.violations == fresh.violations
    assert again.alternative == fresh.alternative == Change(wid=wid, minutes=36)


def test_a_harder_day_is_refused_exactly_as_before() -> None:
    outcome = attempt(Change(wid=wid_on(PLAN, THU_13), type=T.TEMPO))
    assert outcome.draft is None
    assert (Rule.HARD_DAYS_IN_A_ROW, THU_13) in {(v.rule, v.date) for v in outcome.violations}


def test_a_day_moved_next_to_a_hard_day_is_judged_as_it_will_be_run() -> None:
    outcome = attempt(Move(wid=wid_on(PLAN, WED_12), to=MON_10))
    assert [(v.rule, v.date) for v in outcome.violations] == [(Rule.HARD_DAYS_IN_A_ROW, MON_10)]


# --------------------------------------------------------------------------- adapt today


def test_a_runner_sore_at_7_rests_the_build_weeks_only_hard_day() -> None:
    # Before, resting Wednesday's tempo left the build week all easy, over the 85 % ceiling, and
    # Adapt today kept the tempo for a runner whose soreness changes a stride.
    sore = readiness([Checkin(day=WED_12, soreness=7)], WED_12)
    result = adapt(
        PLAN, wid_on(PLAN, WED_12), Checkin(day=WED_12), sore, zones=EDIT_ZONES, treadmill=EDIT_TREADMILL,
        constraints=EDIT_CONSTRAINTS, build=build_workout, today=WED_12,
    )  # fmt: skip
    assert result.action is Action.REST
    assert (result.day.type, result.day.eased_from) == (T.REST, load_on(PLAN, WED_12))
    assert violations_of(result.draft) == []


# --------------------------------------------------------------------------- stored plans


def test_a_plan_stored_before_the_field_loads_unchanged() -> None:
    stored = PLAN.model_dump(mode="json")
    for day in stored["days"]:
        del day["eased_from"]  # what the database holds for every plan saved before
    loaded = PlanDraft.model_validate(stored)
    assert loaded == PLAN
    assert all(d.eased_from is None for d in loaded.days)
    assert summarise(loaded, EDIT_ZONES, EDIT_TREADMILL) == summarise(PLAN, EDIT_ZONES, EDIT_TREADMILL)
    assert PlanDraft.model_validate_json(PLAN.model_dump_json()) == PLAN


def test_the_race_is_never_eased() -> None:
    race = PLAN.days[-1]
    with pytest.raises(ValueError, match="never eased"):
        DayPlan.model_validate(
            {**race.model_dump(), "eased_from": {"distance_km": 1, "duration_s": 1, "easy_s": 0}}
        )


def test_planned_durations_compile_as_the_summary_says() -> None:
    eased = passed(Change(wid=wid_on(PLAN, WED_5), minutes=30))
    structure = day_on(eased, WED_5).structure
    assert structure is not None
    assert compile_program(structure, EDIT_ZONES, EDIT_TREADMILL).total_duration_s == 1800


# --------------------------------------------------------------------------- property over the planner


def _runner() -> Profile:
    return Profile.model_validate(
        {
            "easy_pace_s_per_km": 330,
            "weekly_km": 45,
            "available_days": ["mon", "tue", "wed", "thu", "sat", "sun"],
            "max_minutes": {"sun": 180},
            "long_run_day": "sun",
            "level": "intermediate",
        }
    )


def _ten_k(start: date) -> Goal:
    """A 10K on the Sunday of the plan's tenth week, counted from the Monday of `start`'s week."""
    monday = start - timedelta(days=start.weekday())
    return Goal(kind=GoalKind.RACE, race_distance_m=10_000.0, race_date=monday + timedelta(weeks=9, days=6))


def _builder(profile: Profile, methodology: Methodology) -> Build:
    def build(type: WorkoutType, minutes: int) -> StructuredWorkout:
        return library.build(
            type, minutes, methodology=methodology, max_incline_pct=profile.treadmill.max_incline_pct
        )

    return build


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("start_weekday", [0, 2, 5])
@pytest.mark.parametrize("methodology", list(Methodology))
def test_resting_any_future_day_of_a_generated_plan_passes(
    seed: int, start_weekday: int, methodology: Methodology
) -> None:
    profile = _runner()
    start = date(2026, 1, 5) + timedelta(days=start_weekday)
    draft = plan(profile, _ten_k(start), start, methodology, seed)
    zones, treadmill, constraints = profile.paces().zones, profile.treadmill, constraints_for(profile)
    summary: PlanSummary = summarise(draft, zones, treadmill)
    assert check(summary, constraints) == []
    refused = []
    for day in draft.days:
        if day.type in (T.RACE, T.REST) or day.date < start:
            continue
        outcome = try_edit(
            draft, Rest(wid=day.wid), zones=zones, treadmill=treadmill, constraints=constraints,
            build=_builder(profile, methodology), today=start,
        )  # fmt: skip
        if outcome.draft is None:
            refused.append((day.date, day.type, outcome.message))
    assert refused == []
