"""Tests of the plan rule checker: a valid plan, each rule broken alone, edge cases and properties.

Plans are built from one weekly pattern (`week`): easy Monday, quality Tuesday, easy Thursday and
Saturday, the long run on Sunday, all at 10 km/h so time follows distance. A week of V km puts a
quarter of V in the long run and makes a fifth of the running time quality, so it is 80 % easy.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

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
from runcoach.domain.rules import Rule, Violation, check, is_valid

T = WorkoutType
START = date(2025, 3, 3)  # a Monday
SPEED = 10.0
RACE_KM = {Race.FIVE_K: 5.0, Race.TEN_K: 10.0, Race.HALF: 21.1, Race.MARATHON: 42.2}
TRAINING_DAYS = (Weekday.MONDAY, Weekday.TUESDAY, Weekday.THURSDAY, Weekday.SATURDAY, Weekday.SUNDAY)
CONSTRAINTS = PlanConstraints(weekday_minutes=dict.fromkeys(TRAINING_DAYS, 240))

#: The hand-built 10K plan: (phase, recovery, training km). The race week's 30 km is 68 % of 44.
VALID_WEEKS = [
    (Phase.BASE, False, 30.0),
    (Phase.BASE, False, 32.0),
    (Phase.BUILD, False, 35.0),
    (Phase.BUILD, True, 26.0),
    (Phase.BUILD, False, 38.0),
    (Phase.PEAK, False, 41.0),
    (Phase.PEAK, False, 44.0),
    (Phase.RACE_WEEK, False, 30.0),
]
RACE_DAY = START + timedelta(weeks=7, days=6)  # Sunday 27 April


def monday(index: int) -> date:
    return START + timedelta(weeks=index)


def run(day: date, kind: WorkoutType, km: float, *, easy: float = 1.0, **extra: Any) -> PlannedWorkout:
    """A run of `km` at 10 km/h with `easy` of its time in zone E."""
    seconds = km / SPEED * 3600
    fields = {"min_speed_kmh": SPEED, "max_speed_kmh": SPEED, "max_incline_pct": 0.0}
    return PlannedWorkout(
        date=day,
        type=kind,
        duration_s=seconds,
        distance_km=km,
        easy_duration_s=seconds * easy,
        **fields | extra,
    )


def week(index: int, phase: Phase, km: float, *, race: Race | None = None) -> list[PlannedWorkout]:
    """The weekly pattern; a base week's Tuesday is easy too, a race week ends with the race instead."""
    m = monday(index)
    quality = T.EASY if phase is Phase.BASE else T.INTERVALS
    # The quality run is a quarter of the distance with 80 % of its time hard: a fifth of the week.
    tuesday = run(
        m + timedelta(days=1), quality, km / 4, easy=1.0 if quality is T.EASY else 0.2, max_speed_kmh=13.0
    )
    if race is not None:
        easy_days = [run(m + timedelta(days=d), T.EASY, km / 4) for d in (0, 3, 5)]
        finale = PlannedWorkout(
            date=m + timedelta(days=6), type=T.RACE, duration_s=RACE_KM[race] / 12 * 3600,
            distance_km=RACE_KM[race], easy_duration_s=0.0,
        )  # fmt: skip
        return [*easy_days, tuesday, finale]
    easy_days = [run(m + timedelta(days=d), T.EASY, km / 6) for d in (0, 3, 5)]
    return [*easy_days, tuesday, run(m + timedelta(days=6), T.LONG, km / 4)]


def plan(weeks: list[tuple[Phase, bool, float]], race: Race | None = None) -> PlanSummary:
    """A plan of these weeks in the weekly pattern; with a race, it is on the last Sunday."""
    built: list[PlannedWorkout] = []
    for i, (phase, _, km) in enumerate(weeks):
        if km > 0:
            built += week(i, phase, km, race=race if i == len(weeks) - 1 else None)
    return PlanSummary(
        weeks=tuple(
            PlanWeek(index=i, start_date=monday(i), phase=p, recovery=r) for i, (p, r, _) in enumerate(weeks)
        ),
        workouts=tuple(built),
        goal=GoalKind.VOLUME if race is None else GoalKind.RACE,
        race_distance=race,
        race_date=None if race is None else monday(len(weeks) - 1) + timedelta(days=6),
    )


def valid_plan() -> PlanSummary:
    return plan(VALID_WEEKS, Race.TEN_K)


def changed(p: PlanSummary, day: date, **changes: Any) -> PlanSummary:
    """The plan with the workout on `day` changed (validated again); `date` moves it."""
    workouts = [
        PlannedWorkout.model_validate(w.model_dump() | changes) if w.date == day else w for w in p.workouts
    ]
    return p.model_copy(update={"workouts": tuple(workouts)})


def scaled_week(p: PlanSummary, index: int, factor: float) -> PlanSummary:
    """The plan with one week's distances and times multiplied by `factor`."""
    m = monday(index)
    for w in p.workouts:
        if m <= w.date < m + timedelta(days=7) and w.type is not T.RACE:
            p = changed(
                p, w.date, distance_km=w.distance_km * factor, duration_s=w.duration_s * factor,
                easy_duration_s=w.easy_duration_s * factor,
            )  # fmt: skip
    return p


def only(violations: list[Violation]) -> Violation:
    assert len(violations) == 1, [v.message for v in violations]
    return violations[0]


# --------------------------------------------------------------------------- the valid plan


def test_the_hand_built_ten_k_plan_breaks_no_rule() -> None:
    p = valid_plan()
    assert check(p, CONSTRAINTS) == []
    assert is_valid(p, CONSTRAINTS)
    assert len(p.weeks) == 8 and p.race_date == RACE_DAY


def test_a_plan_with_a_violation_is_not_valid() -> None:
    assert not is_valid(changed(valid_plan(), monday(1), max_speed_kmh=16.5), CONSTRAINTS)


# --------------------------------------------------------------------------- each rule alone


def test_volume_rising_more_than_ten_percent_is_reported_on_that_week() -> None:
    v = only(check(scaled_week(valid_plan(), 2, 37.76 / 35), CONSTRAINTS))
    assert (v.rule, v.date) == (Rule.VOLUME_RISE, date(2025, 3, 17))
    assert v.message == (
        "Week of 17 March: 37.8 km is 18 % more than the 32.0 km of the week of 10 March, "
        "the last full week before it (limit 10 %)."
    )


def test_a_rise_of_exactly_ten_percent_passes_and_just_over_reads_as_more_than_the_limit() -> None:
    assert check(scaled_week(valid_plan(), 2, 35.2 / 35), CONSTRAINTS) == []
    v = only(check(scaled_week(valid_plan(), 2, 35.33 / 35), CONSTRAINTS))
    assert "10.4 % more" in v.message


def test_recovery_weeks_are_skipped_when_comparing_volume() -> None:
    # Week 5 (38 km) follows the 26 km recovery week: it is measured against week 3's 35 km.
    v = only(check(scaled_week(valid_plan(), 4, 39.9 / 38), CONSTRAINTS))
    assert (v.rule, v.date) == (Rule.VOLUME_RISE, date(2025, 3, 31))
    assert "39.9 km is 14 % more than the 35.0 km of the week of 17 March" in v.message


def test_the_first_week_has_no_previous_week_to_rise_over() -> None:
    assert check(plan([(Phase.BASE, False, 80.0)]), CONSTRAINTS) == []


def test_a_week_without_running_neither_divides_by_zero_nor_becomes_the_reference() -> None:
    # Week 2 has only rest days: no easy share to compute, and week 3 is measured against week 1.
    rest_days = [
        PlannedWorkout(
            date=monday(1) + timedelta(days=d), type=T.REST, duration_s=0, distance_km=0, easy_duration_s=0
        )
        for d in range(7)
    ]
    weeks = [(Phase.BASE, False, 30.0), (Phase.BASE, False, 0.0), (Phase.BASE, False, 32.0)]
    p = plan(weeks)
    assert check(p.model_copy(update={"workouts": (*p.workouts, *rest_days)}), CONSTRAINTS) == []
    v = only(check(plan([*weeks[:2], (Phase.BASE, False, 34.0)]), CONSTRAINTS))
    assert (v.rule, v.date) == (Rule.VOLUME_RISE, monday(2))
    assert "34.0 km is 13 % more than the 30.0 km of the week of 3 March" in v.message


def resized(p: PlanSummary, day: date, km: float) -> PlanSummary:
    """The plan with the (all easy) run on `day` made `km` long at 10 km/h."""
    return changed(p, day, distance_km=km, duration_s=km / SPEED * 3600, easy_duration_s=km / SPEED * 3600)


def test_a_long_run_over_thirty_percent_of_the_week_is_reported_on_its_day() -> None:
    # 3.2 km moves from Monday to Sunday: the week keeps its 32 km, the long run grows to 35 % of it.
    p = resized(valid_plan(), monday(1) + timedelta(days=6), 11.2)
    p = resized(p, monday(1), 32 / 6 - 3.2)
    v = only(check(p, CONSTRAINTS))
    assert (v.rule, v.date) == (Rule.LONG_RUN_SHARE, date(2025, 3, 16))
    assert v.message == "Sunday 16 March: the long run of 11.2 km is 35 % of the week's 32.0 km (limit 30 %)."


@pytest.mark.parametrize(
    ("race", "km", "expected"),
    [
        (None, 104.0, "the long run lasts 2 h 36 min (limit 2 h 30 min)."),
        (Race.MARATHON, 104.0, None),
        (Race.MARATHON, 124.0, "the long run lasts 3 h 6 min (limit 3 h in a marathon plan)."),
    ],
)
def test_a_long_run_lasts_at_most_two_and_a_half_hours_or_three_in_a_marathon_plan(
    race: Race | None, km: float, expected: str | None
) -> None:
    weeks = [(Phase.PEAK, False, km)]
    if race is not None:  # the marathon's three taper weeks, the last with the race
        weeks += [
            (Phase.TAPER, False, km * 0.75),
            (Phase.TAPER, False, km * 0.6),
            (Phase.RACE_WEEK, False, km / 2),
        ]
    violations = check(plan(weeks, race), CONSTRAINTS)
    if expected is None:
        assert violations == []
        return
    v = only(violations)
    assert (v.rule, v.date) == (Rule.LONG_RUN_DURATION, date(2025, 3, 9))
    assert v.message == f"Sunday 9 March: {expected}"


def test_a_week_under_seventy_five_percent_easy_is_reported() -> None:
    thursday = monday(2) + timedelta(days=3)
    p = changed(valid_plan(), thursday, easy_duration_s=35 / 6 * 360 / 2)
    v = only(check(p, CONSTRAINTS))
    assert (v.rule, v.date) == (Rule.EASY_SHARE_LOW, date(2025, 3, 17))
    assert v.message == "Week of 17 March: only 72 % of the running time is easy (at least 75 %)."


def test_exactly_seventy_five_percent_easy_passes() -> None:
    tuesday = monday(2) + timedelta(days=1)
    assert check(changed(valid_plan(), tuesday, easy_duration_s=0.0), CONSTRAINTS) == []


@pytest.mark.parametrize(
    ("index", "phase"),
    [(2, Phase.BUILD), (5, Phase.PEAK), (3, None), (0, None)],
    ids=["build", "peak", "recovery", "base"],
)
def test_build_and_peak_weeks_keep_at_most_eighty_five_percent_easy(index: int, phase: Phase | None) -> None:
    tuesday = monday(index) + timedelta(days=1)
    all_easy = next(w for w in valid_plan().workouts if w.date == tuesday).duration_s
    violations = check(changed(valid_plan(), tuesday, easy_duration_s=all_easy), CONSTRAINTS)
    if phase is None:  # base and recovery weeks may be all easy
        assert violations == []
        return
    v = only(violations)
    assert (v.rule, v.date) == (Rule.EASY_SHARE_HIGH, monday(index))
    assert f"100 % of the running time is easy; a {phase} week keeps at most 85 % easy." in v.message


def test_two_hard_days_in_a_row_across_a_week_boundary_are_reported_on_the_second() -> None:
    p = changed(valid_plan(), monday(1), type=T.TEMPO, hard=True)  # a base week: Tuesday is easy
    v = only(check(p, CONSTRAINTS))
    assert (v.rule, v.date) == (Rule.HARD_DAYS_IN_A_ROW, date(2025, 3, 10))
    assert v.message == (
        "Monday 10 March: a tempo run the day after the long run; "
        "two hard days in a row leave no time to recover."
    )


def test_a_quality_session_marked_easy_is_not_a_hard_day() -> None:
    assert check(changed(valid_plan(), monday(2), type=T.FARTLEK, hard=False), CONSTRAINTS) == []


def test_a_race_week_not_marked_as_such_breaks_the_taper() -> None:
    p = valid_plan()
    p = p.model_copy(update={"weeks": (*p.weeks[:7], p.weeks[7].model_copy(update={"phase": Phase.PEAK}))})
    v = only(check(p, CONSTRAINTS))
    assert (v.rule, v.date) == (Rule.TAPER_PHASE, date(2025, 4, 21))
    assert "this is a peak week, but the 1-week taper before a 10K makes it the race week." in v.message


def test_a_half_marathon_tapers_for_two_weeks() -> None:
    weeks = [*VALID_WEEKS[:6], (Phase.TAPER, False, 32.0), (Phase.RACE_WEEK, False, 24.0)]
    assert check(plan(weeks, Race.HALF), CONSTRAINTS) == []
    v = only(
        check(plan([*VALID_WEEKS[:6], (Phase.PEAK, False, 32.0), VALID_WEEKS[7]], Race.HALF), CONSTRAINTS)
    )
    assert (v.rule, v.date) == (Rule.TAPER_PHASE, monday(6))


def test_a_plan_too_short_for_the_taper_says_so_on_its_first_week() -> None:
    weeks = [(Phase.TAPER, False, 30.0), (Phase.RACE_WEEK, False, 20.0)]
    v = only(check(plan(weeks, Race.MARATHON), CONSTRAINTS))
    assert (v.rule, v.date) == (Rule.TAPER_PHASE, START)
    assert "too short for the 3-week taper before a marathon." in v.message


def test_a_taper_week_over_eighty_percent_of_the_last_full_week_is_reported() -> None:
    v = only(check(scaled_week(valid_plan(), 7, 36.0 / 30), CONSTRAINTS))
    assert (v.rule, v.date) == (Rule.TAPER_VOLUME, date(2025, 4, 21))
    assert v.message == (
        "Week of 21 April: the taper keeps 36.0 km, 82 % of the 44.0 km of the last full week before it "
        "(at most 80 %)."
    )


def test_a_race_plan_without_the_race_on_race_day_is_reported() -> None:
    p = valid_plan()
    p = p.model_copy(update={"workouts": tuple(w for w in p.workouts if w.type is not T.RACE)})
    v = only(check(p, CONSTRAINTS))
    assert (v.rule, v.date) == (Rule.RACE_DAY, RACE_DAY)
    assert v.message == "Sunday 27 April: race day, but a 10K is not on the plan."


def test_a_run_on_a_day_the_runner_does_not_train_is_reported() -> None:
    thursday = monday(0) + timedelta(days=3)
    v = only(check(changed(valid_plan(), thursday, date=thursday - timedelta(days=1)), CONSTRAINTS))
    assert (v.rule, v.date) == (Rule.UNAVAILABLE_DAY, date(2025, 3, 5))
    assert (
        v.message
        == "Wednesday 5 March: an easy run is planned, but Wednesday is not one of your training days."
    )


def test_a_run_longer_than_the_day_allows_is_reported() -> None:
    # The longest Thursday is the race week's 45 min (30 km / 4 at 10 km/h); week 7's 44 min passes.
    tight = CONSTRAINTS.model_copy(
        update={"weekday_minutes": CONSTRAINTS.weekday_minutes | {Weekday.THURSDAY: 44}}
    )
    v = only(check(valid_plan(), tight))
    assert (v.rule, v.date) == (Rule.DAY_TOO_LONG, date(2025, 4, 24))
    assert (
        v.message == "Thursday 24 April: an easy run of 45 min is planned, but you have 44 min on Thursdays."
    )


def test_the_race_is_exempt_from_the_runners_days_and_minutes() -> None:
    no_sunday = {d: 240 for d in TRAINING_DAYS if d is not Weekday.SUNDAY} | {Weekday.WEDNESDAY: 240}
    weeks = [(Phase.RACE_WEEK, False, 30.0)]
    assert check(
        plan(weeks, Race.MARATHON), PlanConstraints(weekday_minutes=no_sunday | {Weekday.SUNDAY: 10})
    ) == [v for v in check(plan(weeks, Race.MARATHON), CONSTRAINTS) if v.rule is not Rule.RACE_DAY]


@pytest.mark.parametrize(
    ("changes", "rule", "sentence"),
    [
        (
            {"max_speed_kmh": 16.5},
            Rule.SPEED_LIMIT,
            "reaches 16.5 km/h, above your treadmill's top speed of 16.0 km/h.",
        ),
        ({"max_speed_kmh": 16.04}, Rule.SPEED_LIMIT, "reaches 16.04 km/h, above"),
        (
            {"min_speed_kmh": 4.5},
            Rule.SPEED_LIMIT,
            "slows to 4.5 km/h, below your treadmill's slowest speed of 5.0",
        ),
        (
            {"max_incline_pct": 7.5},
            Rule.INCLINE_LIMIT,
            "climbs to 7.5 % incline, above your treadmill's 6.0 %.",
        ),
    ],
)
def test_speeds_and_inclines_outside_the_treadmill_are_reported(
    changes: dict[str, float], rule: Rule, sentence: str
) -> None:
    tuesday = monday(1) + timedelta(days=1)
    v = only(check(changed(valid_plan(), tuesday, **changes), CONSTRAINTS))
    assert (v.rule, v.date) == (rule, date(2025, 3, 11))
    assert v.message.startswith("Tuesday 11 March: an easy run ") and sentence in v.message


# --------------------------------------------------------------------------- several at once


def test_every_violation_is_reported_in_date_order() -> None:
    p = scaled_week(valid_plan(), 2, 1.3)  # volume rise (and nothing else)
    p = changed(p, monday(1), type=T.TEMPO, hard=True)  # Monday after a long run
    p = changed(p, monday(6) + timedelta(days=1), max_incline_pct=8.0, min_speed_kmh=3.0)
    p = p.model_copy(update={"workouts": tuple(w for w in p.workouts if w.type is not T.RACE)})
    found = [(v.rule, v.date) for v in check(p, CONSTRAINTS)]
    assert found == [
        (Rule.HARD_DAYS_IN_A_ROW, monday(1)),
        (Rule.VOLUME_RISE, monday(2)),
        (Rule.SPEED_LIMIT, monday(6) + timedelta(days=1)),
        (Rule.INCLINE_LIMIT, monday(6) + timedelta(days=1)),
        (Rule.RACE_DAY, RACE_DAY),
    ]


# --------------------------------------------------------------------------- the model refuses nonsense


def good_run() -> dict[str, Any]:
    return run(START, T.EASY, 8.0).model_dump()


@pytest.mark.parametrize(
    "changes",
    [
        {"duration_s": math.nan},
        {"duration_s": -1.0},
        {"distance_km": math.inf},
        {"distance_km": -5.0},
        {"easy_duration_s": math.nan},
        {"easy_duration_s": 10_000.0},  # more than the whole run
        {"max_speed_kmh": None},  # a run needs its program
        {"min_speed_kmh": 12.0},  # above its own top speed
        {"hard": True},  # an easy run is never hard
        {"type": T.LONG, "hard": False},  # a long run always is
        {"type": T.REST},  # a rest day with a distance
        {"duration_s": True},
    ],
    ids=repr,
)
def test_a_workout_with_impossible_numbers_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        PlannedWorkout.model_validate(good_run() | changes)


def test_hard_defaults_from_the_type() -> None:
    without = {k: v for k, v in good_run().items() if k != "hard"}
    assert PlannedWorkout.model_validate(without | {"type": T.TEMPO}).hard
    assert not PlannedWorkout.model_validate(without | {"type": T.EASY}).hard


def test_a_week_starts_on_a_monday() -> None:
    with pytest.raises(ValidationError, match="starts on a Monday, not on a Tuesday"):
        PlanWeek(index=0, start_date=START + timedelta(days=1), phase=Phase.BASE)


@pytest.mark.parametrize(
    "changes",
    [
        {"race_date": None},  # a race goal without its date
        {"goal": GoalKind.VOLUME},  # a volume goal with a race
        {"race_date": RACE_DAY + timedelta(days=7)},  # after the plan
        {"weeks": ()},
    ],
    ids=repr,
)
def test_a_plan_with_an_inconsistent_goal_or_no_weeks_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        PlanSummary.model_validate(valid_plan().model_dump() | changes)


def test_a_plan_refuses_two_workouts_a_day_weeks_out_of_order_and_workouts_outside_it() -> None:
    data = valid_plan().model_dump()
    twice = [*data["workouts"], data["workouts"][0]]
    outside = [*data["workouts"], run(RACE_DAY + timedelta(days=1), T.EASY, 5.0).model_dump()]
    skipped = [*data["weeks"][:3], *data["weeks"][4:]]
    for changes in ({"workouts": twice}, {"workouts": outside}, {"weeks": skipped}):
        with pytest.raises(ValidationError):
            PlanSummary.model_validate(data | changes)


def test_workouts_are_kept_in_date_order() -> None:
    data = valid_plan().model_dump()
    shuffled = PlanSummary.model_validate(data | {"workouts": data["workouts"][::-1]})
    assert shuffled == valid_plan()


def test_constraints_refuse_a_day_without_minutes_and_crossed_speeds() -> None:
    with pytest.raises(ValidationError):
        PlanConstraints(weekday_minutes={Weekday.MONDAY: 0})
    with pytest.raises(ValidationError):
        PlanConstraints(weekday_minutes={Weekday.MONDAY: 30}, min_speed_kmh=12.0, max_speed_kmh=10.0)
    assert CONSTRAINTS.available_weekdays == frozenset(TRAINING_DAYS)


# --------------------------------------------------------------------------- properties


@st.composite
def good_plans(draw: st.DrawFn) -> PlanSummary:
    """A plan that follows every rule by construction: small rises, recovery weeks, a proper taper."""
    race = draw(st.none() | st.sampled_from(Race))
    taper = {None: 0, Race.FIVE_K: 1, Race.TEN_K: 1, Race.HALF: 2, Race.MARATHON: 3}[race]
    training = draw(st.integers(1, 20))
    km = draw(st.floats(15.0, 60.0))
    full = km
    weeks: list[tuple[Phase, bool, float]] = []
    for i in range(training):
        phase = Phase.BASE if i < training // 3 else Phase.BUILD if i < training - 2 else Phase.PEAK
        if i and draw(st.integers(0, 3)) == 0:
            weeks.append((phase, True, full * draw(st.floats(0.5, 0.8))))
            continue
        full = min(full * draw(st.floats(0.95, 1.08)), 90.0) if i else full
        weeks.append((phase, False, full))
    # Each taper week 40-75 % of the last full week, never more than the week before it.
    cuts = sorted((draw(st.floats(0.4, 0.75)) for _ in range(taper)), reverse=True)
    weeks += [
        (Phase.RACE_WEEK if j == taper - 1 else Phase.TAPER, False, full * c) for j, c in enumerate(cuts)
    ]
    return plan(weeks, race)


@settings(max_examples=150, deadline=None)
@given(good_plans())
def test_plans_built_to_the_rules_break_none(p: PlanSummary) -> None:
    assert check(p, CONSTRAINTS) == []


def full_weeks_with_a_reference(p: PlanSummary) -> list[int]:
    """Weeks that are not recovery, not the first full week and not in the taper."""
    full = [w.index for w in p.weeks if not w.recovery and w.phase not in (Phase.TAPER, Phase.RACE_WEEK)]
    return full[1:]


@settings(max_examples=150, deadline=None)
@given(good_plans(), st.data())
def test_one_mutation_brings_at_least_its_violation(p: PlanSummary, data: st.DataObject) -> None:
    workouts = [w for w in p.workouts if w.type is not T.RACE]
    w = data.draw(st.sampled_from(workouts))
    mutations: list[tuple[str, Rule, date]] = [
        ("speed", Rule.SPEED_LIMIT, w.date),
        ("incline", Rule.INCLINE_LIMIT, w.date),
    ]
    if w.date.weekday() == Weekday.THURSDAY:
        mutations.append(("weekday", Rule.UNAVAILABLE_DAY, w.date - timedelta(days=1)))
    if w.date.weekday() == Weekday.SATURDAY and w.date + timedelta(days=1) in {x.date for x in p.workouts}:
        mutations.append(("hard", Rule.HARD_DAYS_IN_A_ROW, w.date + timedelta(days=1)))
    if full_weeks_with_a_reference(p):
        mutations.append(
            ("volume", Rule.VOLUME_RISE, monday(data.draw(st.sampled_from(full_weeks_with_a_reference(p)))))
        )
    if p.race_date is not None:
        mutations.append(("race", Rule.RACE_DAY, p.race_date))
    kind, rule, day = data.draw(st.sampled_from(mutations))
    match kind:
        case "speed":
            broken = changed(p, w.date, max_speed_kmh=CONSTRAINTS.max_speed_kmh + 0.5)
        case "incline":
            broken = changed(p, w.date, max_incline_pct=CONSTRAINTS.max_incline_pct + 1.0)
        case "weekday":
            broken = changed(p, w.date, date=day)
        case "hard":
            broken = changed(p, w.date, type=T.TEMPO, hard=True)
        case "volume":
            broken = scaled_week(p, p.week_number(day), 1.3)
        case _:
            broken = p.model_copy(update={"workouts": tuple(workouts)})
    assert (rule, day) in {(v.rule, v.date) for v in check(broken, CONSTRAINTS)}
