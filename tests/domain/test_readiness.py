"""Tests of readiness (soreness decay, bands) and Adapt today on the hand-built plan of the helpers.

The plan's build week (10 March) is 75.6 % easy with one 60-minute tempo. Every lighter option
eases the day, and an eased day counts as planned for the week's rules, so the tempo can turn easy
or rest without the week passing the 85 % ceiling; the fallbacks are reached only through rules
that judge the day as it will be run.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from runcoach.domain.errors import NotFound
from runcoach.domain.plan_model import WorkoutType
from runcoach.domain.plans import PlanDraft, summarise
from runcoach.domain.readiness import (
    Action,
    Band,
    Checkin,
    Readiness,
    adapt,
    readiness,
    remaining_soreness,
)
from runcoach.domain.rules import check
from runcoach.domain.structure import StructuredWorkout, compile_program
from tests.helpers import EDIT_CONSTRAINTS, EDIT_TREADMILL, EDIT_ZONES, build_workout, edits_plan, wid_on

T = WorkoutType
DAY = date(2025, 3, 12)
WED_12, WED_26, THU_27, SAT_29, RACE_DAY = (date(2025, 3, d) for d in (12, 26, 27, 29, 30))
PLAN = edits_plan()


# --------------------------------------------------------------------------- decay


@pytest.mark.parametrize(
    ("soreness", "days", "rate", "expected"),
    [
        (8, 0, 0.1, 8.0),
        (8, 1, 0.1, 7.2),
        (8, 3, 0.1, 5.832),
        (10, 7, 0.1, 4.782969),
        (8, 2, 0.2, 5.12),
        (5, 4, 0.0, 5.0),
        (8, -1, 0.1, 8.0),  # a report from the future does not grow
    ],
)
def test_soreness_decays_by_the_rate_each_day(soreness: int, days: int, rate: float, expected: float) -> None:
    assert remaining_soreness(soreness, days, rate) == pytest.approx(expected)


def test_soreness_now_is_the_latest_report_decayed_not_the_largest() -> None:
    checkins = [
        Checkin(day=DAY - timedelta(days=3), soreness=9),
        Checkin(day=DAY - timedelta(days=2), soreness=6),  # 6 × 0.81 = 4.86
        Checkin(day=DAY - timedelta(days=1), effort=7),  # no soreness: does not hide the one before
        Checkin(day=DAY + timedelta(days=1), soreness=10),  # tomorrow's does not count today
    ]
    ready = readiness(checkins, DAY)
    assert ready.soreness == 4.9  # to one decimal
    assert ready.band is Band.EASY
    assert ready.reason == "Leg soreness is 4.9 of 10: keep today easy."
    assert readiness(reversed(checkins), DAY) == ready


def test_a_slower_rate_keeps_soreness_longer() -> None:
    checkins = [Checkin(day=DAY - timedelta(days=2), soreness=8)]
    assert readiness(checkins, DAY).soreness == 6.5  # 8 × 0.81 = 6.48
    assert readiness(checkins, DAY, rate=0.05).soreness == 7.2  # 8 × 0.9025 = 7.22
    assert readiness(checkins, DAY, rate=0.05).band is Band.REST


def test_fatigue_and_sleep_count_from_today_and_yesterday_only() -> None:
    old = Checkin(day=DAY - timedelta(days=2), fatigue=5, sleep=1)
    assert readiness([old], DAY) == Readiness(
        soreness=0.0, fatigue=None, sleep=None, band=Band.GO, reason="Ready to go."
    )
    yesterday = Checkin(day=DAY - timedelta(days=1), fatigue=4, sleep=4)
    ready = readiness([old, yesterday], DAY)
    assert (ready.fatigue, ready.sleep, ready.band) == (4, 4, Band.EASY)


def test_no_checkins_means_ready() -> None:
    assert readiness([], DAY).band is Band.GO


@pytest.mark.parametrize(
    ("soreness", "fatigue", "sleep", "band", "reason"),
    [
        (7, None, None, Band.REST, "Leg soreness is 7.0 of 10: rest today."),
        (6, 5, 5, Band.REST, "Fatigue is 5 of 5: rest today."),
        (4, 1, 5, Band.EASY, "Leg soreness is 4.0 of 10: keep today easy."),
        (3, 4, 5, Band.EASY, "Fatigue is 4 of 5: keep today easy."),
        (0, 3, 2, Band.EASY, "Sleep was 2 of 5: keep today easy."),
        (3, 3, 3, Band.GO, "Ready to go."),
        (None, None, None, Band.GO, "Ready to go."),
    ],
)
def test_the_band_follows_the_documented_thresholds(
    soreness: int | None, fatigue: int | None, sleep: int | None, band: Band, reason: str
) -> None:
    ready = readiness([Checkin(day=DAY, soreness=soreness, fatigue=fatigue, sleep=sleep)], DAY)
    assert (ready.band, ready.reason) == (band, reason)


@pytest.mark.parametrize(
    "changes",
    [
        {"soreness": 11},
        {"soreness": -1},
        {"fatigue": 0},
        {"sleep": 6},
        {"effort": 0},
        {"minutes_available": -5},
    ],
    ids=repr,
)
def test_a_checkin_out_of_its_scales_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Checkin.model_validate({"day": DAY} | changes)


# --------------------------------------------------------------------------- adapt today


def ready(band: Band) -> Readiness:
    reasons = {
        Band.GO: "Ready to go.",
        Band.EASY: "Fatigue is 4 of 5: keep today easy.",
        Band.REST: "Fatigue is 5 of 5: rest today.",
    }
    return Readiness(soreness=0.0, fatigue=None, sleep=None, band=band, reason=reasons[band])


def adapted(day: date, band: Band = Band.GO, minutes: int | None = None) -> Any:
    plan = edits_plan()
    result = adapt(
        plan, wid_on(plan, day), Checkin(day=day, minutes_available=minutes), ready(band), zones=EDIT_ZONES,
        treadmill=EDIT_TREADMILL, constraints=EDIT_CONSTRAINTS, build=build_workout, today=day,
    )  # fmt: skip
    assert plan == edits_plan()  # the input plan is never changed
    assert check(summarise(result.draft, EDIT_ZONES, EDIT_TREADMILL), EDIT_CONSTRAINTS) == []
    return result


def seconds(draft: PlanDraft, day: date) -> int:
    found = draft.on(day)
    assert found is not None and found.structure is not None
    return compile_program(found.structure, EDIT_ZONES, EDIT_TREADMILL).total_duration_s


def test_ready_with_time_enough_keeps_the_workout() -> None:
    result = adapted(WED_12, minutes=90)
    assert (result.action, result.edit, result.draft) == (Action.KEEP, None, PLAN)
    assert result.reason == "Ready to go. Run 60 min tempo as planned."


def test_less_time_shortens_keeping_warm_up_and_cool_down() -> None:
    result = adapted(WED_12, minutes=40)
    assert result.action is Action.SHORTEN
    assert seconds(result.draft, WED_12) == 2400
    items = result.day.structure.items
    assert (items[0], items[-1]) == (PLAN.on(WED_12).structure.items[0], PLAN.on(WED_12).structure.items[-1])
    assert result.day.wid == wid_on(PLAN, WED_12) and result.day.type is T.TEMPO
    assert (
        result.reason
        == "You have 40 minutes: 60 min tempo is shortened from 60 to 40, warm-up and cool-down kept."
    )


def test_an_easy_day_is_shortened_to_the_minutes_available() -> None:
    result = adapted(THU_27, minutes=25)
    assert (result.action, seconds(result.draft, THU_27)) == (Action.SHORTEN, 1500)


def test_tired_on_a_hard_day_turns_it_easy_with_the_same_minutes() -> None:
    result = adapted(WED_26, Band.EASY)
    assert result.action is Action.EASY
    assert (result.day.type, result.day.hard, seconds(result.draft, WED_26)) == (T.EASY, False, 1800)
    assert result.reason == "Fatigue is 4 of 5: keep today easy. 30 min tempo becomes a 30-minute easy run."


def test_tired_on_a_hard_day_with_less_time_turns_it_easy_and_shorter() -> None:
    result = adapted(WED_26, Band.EASY, minutes=25)
    assert (result.action, result.day.type, seconds(result.draft, WED_26)) == (Action.EASY, T.EASY, 1500)


def test_tired_on_the_build_weeks_only_hard_day_turns_it_easy() -> None:
    # Judged as run, an easy Wednesday left the build week all easy, over the 85 % ceiling; an eased
    # day counts as planned for the week, so the tempo turns easy rather than shrinking to 40 minutes.
    result = adapted(WED_12, Band.EASY)
    assert result.action is Action.EASY
    assert (result.day.type, seconds(result.draft, WED_12)) == (T.EASY, 3600)


def test_when_the_easy_run_breaks_a_rule_of_its_own_the_hard_session_is_shortened_instead() -> None:
    # A builder whose easy run climbs past the treadmill's 6 %: that day, as run, breaks a rule.
    def steep_easy(kind: T, minutes: int) -> StructuredWorkout:
        workout = build_workout(kind, minutes)
        if kind is not T.EASY:
            return workout
        return workout.model_copy(
            update={"items": tuple(i.model_copy(update={"incline_pct": 8.0}) for i in workout.items)}
        )

    plan = edits_plan()
    result = adapt(
        plan, wid_on(plan, WED_12), Checkin(day=WED_12), ready(Band.EASY), zones=EDIT_ZONES,
        treadmill=EDIT_TREADMILL, constraints=EDIT_CONSTRAINTS, build=steep_easy, today=WED_12,
    )  # fmt: skip
    assert result.action is Action.SHORTEN
    assert (result.day.type, seconds(result.draft, WED_12)) == (T.TEMPO, 2400)
    assert (
        "An easy day would break the plan's rules, so 60 min tempo is shortened to 40 minutes instead."
        in result.reason
    )


@pytest.mark.parametrize(("band", "minutes"), [(Band.REST, None), (Band.GO, 15), (Band.EASY, 19)])
def test_exhausted_or_short_of_time_rests(band: Band, minutes: int | None) -> None:
    result = adapted(WED_26, band, minutes)
    assert result.action is Action.REST
    assert (result.day.type, result.day.wid, result.day.date) == (T.REST, wid_on(PLAN, WED_26), WED_26)
    assert result.edit is not None and result.edit.op == "rest"


def test_too_little_time_says_so() -> None:
    assert (
        adapted(WED_26, minutes=15).reason
        == "15 minutes is too little for a run worth its warm-up: rest today."
    )


def test_exhausted_on_the_build_weeks_only_hard_day_rests() -> None:
    # Before, resting it left the build week all easy (over the 85 % ceiling) and the tempo was kept.
    result = adapted(WED_12, Band.REST)
    assert (result.action, result.day.type) == (Action.REST, T.REST)


def test_when_no_lighter_option_passes_the_rules_the_workout_is_kept_and_the_reason_says_why() -> None:
    # A treadmill whose top speed is now under threshold pace: every tempo of the plan breaks a rule,
    # so no edit can make a plan that passes.
    slow = EDIT_CONSTRAINTS.model_copy(update={"max_speed_kmh": 13.0})
    plan = edits_plan()
    result = adapt(
        plan, wid_on(plan, WED_26), Checkin(day=WED_26), ready(Band.REST), zones=EDIT_ZONES,
        treadmill=EDIT_TREADMILL, constraints=slow, build=build_workout, today=WED_26,
    )  # fmt: skip
    assert (result.action, result.draft) == (Action.KEEP, PLAN)
    assert result.reason.startswith("Fatigue is 5 of 5: rest today. But every lighter option breaks a rule")
    assert "top speed of 13.0 km/h" in result.reason


@pytest.mark.parametrize(("day", "what"), [(SAT_29, "a rest day"), (RACE_DAY, "race day")])
def test_a_rest_day_or_race_day_is_kept(day: date, what: str) -> None:
    result = adapted(day, Band.REST, minutes=5)
    assert (result.action, result.draft) == (Action.KEEP, PLAN)
    assert f"Today is {what}: nothing to adapt." in result.reason


def test_adapting_an_unknown_workout_is_not_found() -> None:
    with pytest.raises(NotFound):
        adapt(
            PLAN, 999, Checkin(day=DAY), ready(Band.GO), zones=EDIT_ZONES, treadmill=EDIT_TREADMILL,
            constraints=EDIT_CONSTRAINTS, build=build_workout, today=DAY,
        )  # fmt: skip
