"""Tests of plan edits: each edit and refusal, the rule check with its nearest alternative, history
and diff, and a property: random edits never change the plan they were given.

The plan is `tests.helpers.edits_plan` (its weeks are drawn in the helpers): a 10K on Sunday 30
March 2025 whose build week sits at 75.6 % easy, so a few minutes in the wrong place break a rule.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from runcoach.domain.errors import InvalidInput, NotFound, RunCoachError
from runcoach.domain.paces import Zone
from runcoach.domain.plan_edits import (
    Change,
    Edit,
    Move,
    Rest,
    Swap,
    apply,
    changes,
    diff,
    minutes_of,
    scale_to,
    try_edit,
)
from runcoach.domain.plan_model import PlanConstraints, Weekday, WorkoutType
from runcoach.domain.plans import PlanDraft, summarise
from runcoach.domain.rules import Rule, check
from runcoach.domain.structure import Repeat, Step, StepKind, StructuredWorkout, compile_program, unroll
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
K = StepKind
TODAY = PLAN_START
TUE_11, WED_12, THU_13, FRI_14, SAT_15 = (date(2025, 3, d) for d in (11, 12, 13, 14, 15))
MON_10 = date(2025, 3, 10)
WED_26, THU_27, SAT_29, RACE_DAY = (date(2025, 3, d) for d in (26, 27, 29, 30))


def attempt(edit: Any, draft: PlanDraft | None = None, today: date = TODAY, constraints: Any = None) -> Any:
    return try_edit(
        draft or edits_plan(), edit, zones=EDIT_ZONES, treadmill=EDIT_TREADMILL,
        constraints=constraints or EDIT_CONSTRAINTS, build=build_workout, today=today,
    )  # fmt: skip


def edited(edit: Any, today: date = TODAY) -> PlanDraft:
    return apply(
        edits_plan(), edit, zones=EDIT_ZONES, treadmill=EDIT_TREADMILL, build=build_workout, today=today
    )


def violations_of(draft: PlanDraft) -> list[Any]:
    return check(summarise(draft, EDIT_ZONES, EDIT_TREADMILL), EDIT_CONSTRAINTS)


def seconds(draft: PlanDraft, day: date) -> int:
    found = draft.on(day)
    assert found is not None and found.structure is not None
    return compile_program(found.structure, EDIT_ZONES, EDIT_TREADMILL).total_duration_s


PLAN = edits_plan()


def test_the_hand_built_plan_breaks_no_rule() -> None:
    assert violations_of(PLAN) == []


# --------------------------------------------------------------------------- edits that pass


def test_a_move_to_a_free_day_keeps_the_wid_and_leaves_the_input_alone() -> None:
    wid = wid_on(PLAN, THU_13)
    outcome = attempt(Move(wid=wid, to=FRI_14), PLAN)
    assert outcome.ok and outcome.violations == () and outcome.alternative is None
    day = outcome.draft.day(wid)
    assert day.date == FRI_14 and day.structure == PLAN.day(wid).structure
    assert outcome.draft.on(THU_13) is None
    assert edits_plan() == PLAN and PLAN.day(wid).date == THU_13
    assert outcome.message == "30 min easy moves to Friday 14 March."


def test_a_move_onto_a_rest_day_gives_the_rest_day_the_date_it_left() -> None:
    wid, rest = wid_on(PLAN, THU_27), wid_on(PLAN, SAT_29)
    outcome = attempt(Move(wid=wid, to=SAT_29))
    assert outcome.ok
    assert outcome.draft.day(wid).date == SAT_29
    assert (outcome.draft.day(rest).date, outcome.draft.day(rest).type) == (THU_27, T.REST)


def test_a_swap_exchanges_the_two_dates() -> None:
    easy, tempo = wid_on(PLAN, TUE_11), wid_on(PLAN, WED_12)
    outcome = attempt(Swap(wid=easy, other_wid=tempo))
    assert outcome.ok
    assert (outcome.draft.day(easy).date, outcome.draft.day(tempo).date) == (WED_12, TUE_11)
    assert outcome.draft.on(TUE_11).type is T.TEMPO


def test_a_longer_easy_run_is_its_one_step_scaled_to_the_minutes() -> None:
    outcome = attempt(Change(wid=wid_on(PLAN, SAT_15), minutes=35))
    assert outcome.ok
    assert seconds(outcome.draft, SAT_15) == 35 * 60
    assert outcome.draft.on(SAT_15).title == PLAN.on(SAT_15).title  # the title names the session


def test_a_new_type_uses_the_builder_and_the_types_hard_flag() -> None:
    wid = wid_on(PLAN, WED_12)
    outcome = attempt(Change(wid=wid, type=T.PROGRESSION))
    assert outcome.ok
    day = outcome.draft.day(wid)
    assert (day.type, day.hard, day.title) == (T.PROGRESSION, True, "60 min progression")
    assert day.structure == build_workout(T.PROGRESSION, 60)


def test_a_rest_day_becomes_a_run_with_a_type_and_minutes() -> None:
    wid = wid_on(PLAN, SAT_29)
    outcome = attempt(Change(wid=wid, type=T.EASY, minutes=30))
    assert outcome.ok and outcome.draft.day(wid).type is T.EASY
    assert seconds(outcome.draft, SAT_29) == 1800


def test_rest_keeps_the_wid_and_drops_the_workout() -> None:
    wid = wid_on(PLAN, WED_26)
    outcome = attempt(Rest(wid=wid))
    assert outcome.ok
    day = outcome.draft.day(wid)
    assert (day.date, day.type, day.hard, day.structure) == (WED_26, T.REST, False, None)
    assert outcome.message == "Wednesday 26 March is now a rest day."


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("edit", "today", "error", "field", "words"),
    [
        (Move(wid=999, to=FRI_14), TODAY, NotFound, None, "not in this plan"),
        (Rest(wid=999), TODAY, NotFound, None, "not in this plan"),
        (Swap(wid=1, other_wid=999), TODAY, NotFound, None, "not in this plan"),
        (Move(wid=20, to=date(2025, 3, 28)), TODAY, InvalidInput, "wid", "race stays on race day"),
        (Change(wid=20, minutes=60), TODAY, InvalidInput, "wid", "race stays on race day"),
        (Rest(wid=20), TODAY, InvalidInput, "wid", "race stays on race day"),
        (Swap(wid=18, other_wid=20), TODAY, InvalidInput, "wid", "race stays on race day"),
        (Move(wid=6, to=WED_12), TODAY, InvalidInput, "to", "already has 60 min tempo: swap"),
        (Move(wid=6, to=TUE_11), TODAY, InvalidInput, "to", "already on Tuesday 11 March"),
        (Move(wid=6, to=date(2025, 3, 2)), TODAY, InvalidInput, "to", "outside the plan"),
        (Move(wid=6, to=date(2025, 3, 31)), TODAY, InvalidInput, "to", "outside the plan"),
        (Move(wid=6, to=date(2025, 3, 7)), MON_10, InvalidInput, "to", "Friday 7 March is past"),
        (Move(wid=1, to=date(2025, 3, 7)), MON_10, InvalidInput, "wid", "Tuesday 4 March is past"),
        (Change(wid=2, minutes=40), date(2025, 3, 6), InvalidInput, "wid", "is past"),
        (Swap(wid=6, other_wid=6), TODAY, InvalidInput, "other_wid", "swapped with itself"),
        (Change(wid=19, minutes=40), TODAY, InvalidInput, "type", "rest day needs a type"),
        (Change(wid=6, type=T.EASY), TODAY, InvalidInput, "type", "Tuesday 11 March is already an easy day"),
        (Change(wid=19, type=T.EASY), TODAY, InvalidInput, "minutes", "needs its length in minutes"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_an_edit_that_cannot_be_made_is_refused_with_a_sentence(
    edit: Any, today: date, error: type[RunCoachError], field: str | None, words: str
) -> None:
    plan = edits_plan()
    with pytest.raises(error, match=words) as raised:
        attempt(edit, plan, today)
    if field is not None:
        assert isinstance(raised.value, InvalidInput) and raised.value.field == field
    assert plan == edits_plan()


def test_the_wids_in_the_refusal_table_are_the_days_they_claim() -> None:
    assert (PLAN.day(20).type, PLAN.day(19).type, PLAN.day(6).date, PLAN.day(1).date) == (
        T.RACE, T.REST, TUE_11, date(2025, 3, 4),
    )  # fmt: skip


@pytest.mark.parametrize(
    "data",
    [
        {"op": "change", "wid": 1},
        {"op": "change", "wid": 1, "type": "rest"},
        {"op": "change", "wid": 1, "type": "race"},
        {"op": "change", "wid": 1, "minutes": 5},
        {"op": "change", "wid": 1, "minutes": 361},
        {"op": "move", "wid": 0, "to": "2025-03-14"},
        {"op": "jump", "wid": 1},
        {"op": "rest", "wid": 1, "extra": 1},
    ],
    ids=repr,
)
def test_malformed_edits_are_refused_by_the_model(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Edit).validate_python(data)


def test_edits_read_from_json_by_their_op() -> None:
    edit = TypeAdapter(Edit).validate_json('{"op": "swap", "wid": 3, "other_wid": 4}')
    assert edit == Swap(wid=3, other_wid=4)


# --------------------------------------------------------------------------- rule breaks and alternatives


def test_a_move_that_breaks_a_rule_comes_back_with_the_nearest_date_that_works() -> None:
    # Monday follows Sunday's long run. Nearer free days fail: Friday 7 moves the week's tempo into
    # the base week (the build week would be all easy), Wednesday 12 is where it is.
    outcome = attempt(Move(wid=wid_on(PLAN, WED_12), to=MON_10))
    assert outcome.draft is None
    assert [(v.rule, v.date) for v in outcome.violations] == [(Rule.HARD_DAYS_IN_A_ROW, MON_10)]
    assert outcome.alternative == Move(wid=wid_on(PLAN, WED_12), to=FRI_14)
    assert outcome.message == (
        "Monday 10 March: a tempo run the day after the long run; two hard days in a row leave no time "
        "to recover. Friday 14 March works."
    )
    assert violations_of(edited(outcome.alternative)) == []


def test_a_move_with_no_valid_date_within_a_week_has_no_alternative() -> None:
    # A runner who trains only on the plan's days: Mondays and Fridays are out, and so is every free day.
    days = {
        d: m for d, m in EDIT_CONSTRAINTS.weekday_minutes.items() if d not in (Weekday.MONDAY, Weekday.FRIDAY)
    }
    outcome = attempt(
        Move(wid=wid_on(PLAN, WED_12), to=MON_10), constraints=PlanConstraints(weekday_minutes=days)
    )
    assert outcome.draft is None and outcome.alternative is None
    assert [v.rule for v in outcome.violations] == [Rule.HARD_DAYS_IN_A_ROW, Rule.UNAVAILABLE_DAY]
    assert outcome.message == f"{outcome.violations[0].message} (1 more)"


def test_a_swap_that_breaks_a_rule_has_no_alternative() -> None:
    outcome = attempt(Swap(wid=wid_on(PLAN, WED_12), other_wid=wid_on(PLAN, SAT_15)))
    assert outcome.draft is None and outcome.alternative is None
    assert (Rule.HARD_DAYS_IN_A_ROW, SAT_15 + timedelta(days=1)) in {
        (v.rule, v.date) for v in outcome.violations
    }


def test_a_longer_change_that_breaks_a_rule_offers_the_longest_length_that_passes() -> None:
    # 90 minutes on Saturday lifts the build week 20 % over the base week's 37.58 km; 36 minutes
    # makes it 41.18 km (9.6 %), 37 minutes 41.37 km (10.07 %).
    wid = wid_on(PLAN, SAT_15)
    outcome = attempt(Change(wid=wid, minutes=90))
    assert outcome.draft is None
    assert Rule.VOLUME_RISE in {v.rule for v in outcome.violations}
    assert outcome.alternative == Change(wid=wid, minutes=36)
    assert outcome.message.endswith(" 36 minutes works.")
    assert violations_of(edited(Change(wid=wid, minutes=36))) == []
    assert violations_of(edited(Change(wid=wid, minutes=37)))


def test_a_shorter_change_that_breaks_a_rule_has_no_alternative() -> None:
    # A 20-minute tempo on Thursday, the day after Wednesday's tempo: shorter, but harder, so judged
    # as run: hard the day after a hard day, and the build week under 75 % easy.
    outcome = attempt(Change(wid=wid_on(PLAN, THU_13), type=T.TEMPO, minutes=20))
    assert outcome.draft is None and outcome.alternative is None
    assert [(v.rule, v.date) for v in outcome.violations] == [
        (Rule.EASY_SHARE_LOW, MON_10),
        (Rule.HARD_DAYS_IN_A_ROW, THU_13),
    ]


def test_a_shorter_session_counts_as_planned_for_the_week() -> None:
    # A 20-minute tempo, judged as run, made the build week 92 % easy and too small for its long run;
    # the eased day keeps its planned load for the week's rules, so it passes.
    outcome = attempt(Change(wid=wid_on(PLAN, WED_12), minutes=20))
    assert outcome.draft is not None and violations_of(outcome.draft) == []


def test_a_type_change_that_breaks_a_rule_reports_it() -> None:
    outcome = attempt(Change(wid=wid_on(PLAN, THU_13), type=T.TEMPO))
    assert outcome.draft is None
    assert (Rule.HARD_DAYS_IN_A_ROW, THU_13) in {(v.rule, v.date) for v in outcome.violations}


def test_a_rest_counts_as_planned_for_the_week() -> None:
    # Resting Thursday, judged as run, left the build week 71 % easy; the rested day keeps its
    # planned load for the week's rules, so it passes.
    outcome = attempt(Rest(wid=wid_on(PLAN, THU_13)))
    assert outcome.draft is not None and violations_of(outcome.draft) == []
    assert outcome.message == "Thursday 13 March is now a rest day."


# --------------------------------------------------------------------------- changing the length


def six_by_800() -> StructuredWorkout:
    return StructuredWorkout(
        name="6 × 800 m",
        items=(
            Step(kind=K.WARMUP, duration_s=600, zone=Zone.EASY),
            Repeat(
                times=6,
                steps=(
                    Step(kind=K.WORK, distance_m=800, zone=Zone.INTERVAL),
                    Step(kind=K.RECOVERY, duration_s=120, zone=Zone.EASY),
                ),
            ),
            Step(kind=K.COOLDOWN, duration_s=600, zone=Zone.EASY),
        ),
    )


@pytest.mark.parametrize("minutes", [35, 45, 60, 75])
def test_a_length_change_keeps_warm_up_cool_down_repeats_and_the_work_recovery_proportion(
    minutes: int,
) -> None:
    before = six_by_800()
    after = scale_to(before, minutes, EDIT_ZONES, EDIT_TREADMILL)
    total = compile_program(after, EDIT_ZONES, EDIT_TREADMILL).total_duration_s
    assert minutes * 60 - 5 <= total <= minutes * 60
    assert after.items[0] == before.items[0] and after.items[2] == before.items[2]
    repeat = after.items[1]
    assert isinstance(repeat, Repeat) and repeat.times == 6
    work, recovery = repeat.steps
    assert work.distance_m is not None and recovery.duration_s is not None
    work_s = work.distance_m / (15.3 / 3.6)  # 800 m at I is 188 s: 61 % of a round
    assert work_s / (work_s + recovery.duration_s) == pytest.approx(188.2 / (188.2 + 120), abs=0.02)


def test_a_session_too_short_for_its_frame_is_scaled_whole() -> None:
    tempo = build_workout(T.TEMPO, 30)  # 5 + 20 + 5 minutes
    short = scale_to(tempo, 12, EDIT_ZONES, EDIT_TREADMILL)  # 2 min of main part would be no session
    durations = [item.duration_s for item in short.items if isinstance(item, Step)]
    assert durations == [120, 480, 120]


@st.composite
def sessions(draw: st.DrawFn) -> StructuredWorkout:
    """A warm-up, one or two repeats of timed or measured work and recovery, a cool-down."""

    def amount(zone: Zone) -> Step:
        if draw(st.booleans()):
            return Step(kind=K.WORK, distance_m=draw(st.integers(200, 2000)), zone=zone)
        return Step(kind=K.WORK, duration_s=draw(st.integers(30, 600)), zone=zone)

    blocks = [
        Repeat(
            times=draw(st.integers(2, 8)),
            steps=(
                amount(draw(st.sampled_from(list(Zone)))),
                Step(kind=K.RECOVERY, duration_s=draw(st.integers(30, 240)), zone=Zone.EASY),
            ),
        )
        for _ in range(draw(st.integers(1, 2)))
    ]
    frame = draw(st.integers(300, 900))
    return StructuredWorkout(
        name="session",
        items=(
            Step(kind=K.WARMUP, duration_s=frame, zone=Zone.EASY),
            *blocks,
            Step(kind=K.COOLDOWN, duration_s=frame, zone=Zone.EASY),
        ),
    )


@settings(max_examples=60, deadline=None)
@given(sessions(), st.floats(0.6, 1.8))
def test_a_scaled_session_lands_on_the_minutes_or_a_few_seconds_under(
    workout: StructuredWorkout, ratio: float
) -> None:
    now = compile_program(workout, EDIT_ZONES, EDIT_TREADMILL).total_duration_s
    minutes = max(round(now * ratio / 60), 10)
    scaled = scale_to(workout, minutes, EDIT_ZONES, EDIT_TREADMILL)
    total = compile_program(scaled, EDIT_ZONES, EDIT_TREADMILL).total_duration_s
    # One factor for every step: equal steps round together, so the grid is about 1 s per segment.
    assert minutes * 60 - max(5, len(list(unroll(workout)))) <= total <= minutes * 60
    assert scaled.items[0] == workout.items[0] or minutes * 60 - 2 * workout.items[0].duration_s < 300
    assert [getattr(i, "times", None) for i in scaled.items] == [
        getattr(i, "times", None) for i in workout.items
    ]


def test_minutes_of_is_the_compiled_length() -> None:
    assert minutes_of(PLAN.on(WED_12), EDIT_ZONES, EDIT_TREADMILL) == 60
    assert minutes_of(PLAN.on(SAT_29), EDIT_ZONES, EDIT_TREADMILL) == 0


# --------------------------------------------------------------------------- history and diff


def test_changes_list_each_day_that_differs_with_before_and_after() -> None:
    wid, rest = wid_on(PLAN, THU_27), wid_on(PLAN, SAT_29)
    after = edited(Move(wid=wid, to=SAT_29))
    found = changes(PLAN, after)
    assert [(c.wid, c.before.date, c.after.date) for c in found] == [
        (rest, SAT_29, THU_27),
        (wid, THU_27, SAT_29),
    ]
    assert changes(PLAN, PLAN) == []


def test_changes_show_added_and_removed_days_with_none() -> None:
    new_day = PLAN.on(TUE_11).model_copy(update={"wid": 99, "date": MON_10})
    after = PlanDraft(**{**dict(PLAN), "days": (*[d for d in PLAN.days if d.date != THU_13], new_day)})
    found = {c.wid: c for c in changes(PLAN, after)}
    assert found.keys() == {99, wid_on(PLAN, THU_13)}
    assert found[99].before is None and found[99].after == new_day
    assert found[wid_on(PLAN, THU_13)].after is None


def test_diff_reports_moves_changes_and_each_weeks_volume() -> None:
    moved, shortened = wid_on(PLAN, THU_13), wid_on(PLAN, TUE_11)
    after = edited(Move(wid=moved, to=FRI_14))
    after = apply(after, Change(wid=shortened, minutes=24), zones=EDIT_ZONES, treadmill=EDIT_TREADMILL,
                  build=build_workout, today=TODAY)  # fmt: skip
    result = diff(PLAN, after, zones=EDIT_ZONES, treadmill=EDIT_TREADMILL)
    assert result.added == () and result.removed == ()
    assert [(m.wid, m.from_date, m.to_date) for m in result.moved] == [(moved, THU_13, FRI_14)]
    (change,) = result.changed
    assert (change.wid, change.what, change.before_duration_s, change.after_duration_s) == (
        shortened, ("length", "structure"), 1800, 1440,
    )  # fmt: skip
    weeks = {w.start_date: w for w in result.weeks}
    assert len(weeks) == 4
    week1 = weeks[MON_10]
    assert (week1.before_km, week1.after_km, week1.change_km) == (40.083, 38.983, -1.1)
    assert (week1.before_duration_s, week1.after_duration_s, week1.change_duration_s) == (12300, 11940, -360)
    assert all(w.change_km == 0 for m, w in weeks.items() if m != MON_10)
    assert weeks[date(2025, 3, 24)].before_km == pytest.approx(27.5)  # the race counts here
    assert result.model_dump(mode="json")["moved"] == [
        {"wid": moved, "from_date": "2025-03-13", "to_date": "2025-03-14"}
    ]


def test_diff_reports_added_removed_and_type_changes() -> None:
    typed = apply(PLAN, Change(wid=wid_on(PLAN, WED_12), type=T.PROGRESSION), zones=EDIT_ZONES,
                  treadmill=EDIT_TREADMILL, build=build_workout, today=TODAY)  # fmt: skip
    new_day = PLAN.on(TUE_11).model_copy(update={"wid": 99, "date": MON_10})
    after = PlanDraft(**{**dict(typed), "days": (*[d for d in typed.days if d.date != THU_13], new_day)})
    result = diff(PLAN, after, zones=EDIT_ZONES, treadmill=EDIT_TREADMILL)
    assert [d.wid for d in result.added] == [99] and [d.date for d in result.removed] == [THU_13]
    (change,) = result.changed
    assert change.what == ("type", "structure") and (change.before_type, change.after_type) == (
        T.TEMPO,
        T.PROGRESSION,
    )
    assert diff(PLAN, PLAN, zones=EDIT_ZONES, treadmill=EDIT_TREADMILL).changed == ()


# --------------------------------------------------------------------------- property


def edits(draft: PlanDraft) -> st.SearchStrategy[Any]:
    wids = st.sampled_from([d.wid for d in draft.days] + [999])
    dates = st.dates(draft.start_date - timedelta(days=3), draft.end_date + timedelta(days=3))
    kinds = st.sampled_from([t for t in T if t not in (T.REST, T.RACE)])
    span = range((draft.end_date - draft.start_date).days + 1)
    free = [d for d in (draft.start_date + timedelta(days=i) for i in span) if draft.on(d) is None]
    return st.one_of(
        st.builds(Move, wid=wids, to=st.sampled_from(free) | dates),
        st.builds(Swap, wid=wids, other_wid=wids),
        st.builds(Change, wid=wids, type=kinds, minutes=st.none() | st.integers(10, 120)),
        st.builds(Change, wid=wids, minutes=st.integers(10, 120)),
        st.builds(Rest, wid=wids),
    )


@settings(max_examples=150, deadline=None)
@given(st.data(), st.sampled_from([PLAN_START, PLAN_START + timedelta(days=9)]))
def test_random_edits_pass_cleanly_or_come_back_with_violations_and_never_change_the_plan(
    data: st.DataObject, today: date
) -> None:
    plan = edits_plan()
    snapshot = plan.model_dump()
    edit = data.draw(edits(plan))
    try:
        outcome = attempt(edit, plan, today)
    except (NotFound, InvalidInput):
        assert plan.model_dump() == snapshot
        return
    assert plan.model_dump() == snapshot
    if outcome.draft is not None:
        assert outcome.violations == () and violations_of(outcome.draft) == []
        assert {d.wid for d in outcome.draft.days} == {d.wid for d in plan.days}
    else:
        assert outcome.violations and outcome.message
    if outcome.alternative is not None:
        assert violations_of(edited(outcome.alternative, today)) == []
