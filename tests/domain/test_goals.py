"""Goals: what the model accepts and refuses, and whether `assess` gives honest verdicts with numbers."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from runcoach.domain.errors import InvalidInput
from runcoach.domain.goals import (
    AMBITIOUS_FACTOR,
    Feasibility,
    Goal,
    assess,
    realistic_gain,
    volume_weeks_needed,
    worse,
)
from runcoach.domain.paces import predict_time_s, vdot_from_race
from runcoach.domain.profile import Level, Profile

TODAY = date(2026, 11, 26)
TEN_K = 10_000.0
FIVE_K = 5_000.0
MARATHON = 42_195.0
#: A 10K in 52:30: VDOT 37.8.
CURRENT = vdot_from_race(TEN_K, 52 * 60 + 30)


def profile(weekly_km: float = 30, level: str = "intermediate") -> Profile:
    return Profile.model_validate(
        {
            "recent_race": {"distance_m": TEN_K, "time_s": 52 * 60 + 30, "date": "2026-11-01"},
            "weekly_km": weekly_km,
            "available_days": ["tue", "thu", "sun"],
            "long_run_day": "sun",
            "level": level,
        }
    )


def race(distance_m: float, weeks: int, target_time_s: float | None = None) -> Goal:
    return Goal(
        kind="race",
        race_distance_m=distance_m,
        race_date=TODAY + timedelta(weeks=weeks),
        target_time_s=target_time_s,
    )


def volume(km: float, weeks: int) -> Goal:
    return Goal(kind="volume", weekly_km_target=km, by_date=TODAY + timedelta(weeks=weeks))


def refused(data: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Goal.model_validate(data)
    assert needle in str(caught.value), str(caught.value)


# --- the model -------------------------------------------------------------------------------


def test_valid_goals_of_each_kind() -> None:
    assert race(TEN_K, 10, 2700).target_time_s == 2700
    assert volume(50, 8).weekly_km_target == 50
    assert Goal(kind="volume").by_date is None  # keep fit


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"kind": "race", "race_date": "2027-03-01"}, "needs race_distance_m and race_date"),
        ({"kind": "race", "race_distance_m": 10000}, "needs race_distance_m and race_date"),
        (
            {"kind": "race", "race_distance_m": 10000, "race_date": "2027-03-01", "weekly_km_target": 40},
            "no volume fields: weekly_km_target",
        ),
        ({"kind": "volume", "race_distance_m": 10000}, "no race fields: race_distance_m"),
        ({"kind": "volume", "target_time_s": 2700}, "no race fields: target_time_s"),
        ({"kind": "volume", "weekly_km_target": 40}, "both weekly_km_target and by_date"),
        ({"kind": "volume", "by_date": "2027-03-01"}, "both weekly_km_target and by_date"),
        ({"kind": "race", "race_distance_m": float("nan"), "race_date": "2027-03-01"}, "finite"),
        (
            {
                "kind": "race",
                "race_distance_m": 10000,
                "race_date": "2027-03-01",
                "target_time_s": float("inf"),
            },
            "finite",
        ),
        ({"kind": "volume", "weekly_km_target": float("nan"), "by_date": "2027-03-01"}, "finite"),
        ({"kind": "volume", "weekly_km_target": -5, "by_date": "2027-03-01"}, "greater than 0"),
        ({"kind": "volume", "weekly_km_target": 0, "by_date": "2027-03-01"}, "greater than 0"),
        ({"kind": "volume", "weekly_km_target": 301, "by_date": "2027-03-01"}, "less than or equal to 300"),
        (
            {"kind": "race", "race_distance_m": 1000, "race_date": "2027-03-01"},
            "greater than or equal to 1500",
        ),
        (
            {"kind": "race", "race_distance_m": 60000, "race_date": "2027-03-01"},
            "less than or equal to 50000",
        ),
        ({"kind": "race", "race_distance_m": 10000, "race_date": 1790000000}, "date as YYYY-MM-DD"),
        (
            {"kind": "race", "race_distance_m": 10000, "race_date": "2027-03-01", "target_time_s": 5 * 3600},
            "a walk",
        ),
        (
            {"kind": "race", "race_distance_m": 10000, "race_date": "2027-03-01", "target_time_s": 1200},
            "faster than anyone",
        ),
        ({"kind": "race", "race_distance_m": True, "race_date": "2027-03-01"}, ""),
        ({"kind": "swim"}, "kind"),
        ({"kind": "volume", "note": "x"}, "Extra inputs"),
    ],
)
def test_bad_goals_are_refused(data: dict[str, Any], needle: str) -> None:
    refused(data, needle)


def test_past_dates_are_refused_against_the_given_today() -> None:
    with pytest.raises(InvalidInput) as caught:
        race(TEN_K, 0).check_dates(TODAY + timedelta(days=1))
    assert caught.value.field == "race_date" and "2026-11-26" in str(caught.value)
    with pytest.raises(InvalidInput) as caught:
        volume(40, 0).check_dates(TODAY + timedelta(days=1))
    assert caught.value.field == "by_date"
    race(TEN_K, 0).check_dates(TODAY)  # today itself is not the past
    with pytest.raises(InvalidInput):
        assess(race(TEN_K, 0), profile(), TODAY + timedelta(days=1))


# --- race goals with a target time ------------------------------------------------------------


def test_a_reachable_target_is_ok() -> None:
    result = assess(race(TEN_K, 10, 50 * 60), profile(), TODAY)
    assert result.feasibility is Feasibility.OK
    assert result.weeks_left == 10 and result.realistic_target is None
    assert result.required_vdot == pytest.approx(vdot_from_race(TEN_K, 50 * 60))
    assert "52:30" in result.reason and "37.8" in result.reason and "50:00" in result.reason


def test_a_stretch_target_is_ambitious_and_says_what_would_do() -> None:
    result = assess(race(TEN_K, 10, 49 * 60), profile(), TODAY)
    assert result.feasibility is Feasibility.AMBITIOUS
    assert result.realistic_target is not None
    assert "49:43 or slower" in result.realistic_target and "2027-02-25" in result.realistic_target


def test_a_far_target_is_unrealistic_with_the_numbers() -> None:
    result = assess(race(TEN_K, 10, 45 * 60), profile(), TODAY)
    assert result.feasibility is Feasibility.UNREALISTIC
    assert result.reason == (
        "You run a 10K in about 52:30 now (VDOT 37.8); 45:00 needs VDOT 45.3 in 10 weeks, "
        "about 5.0 points more than the 2.5 training usually gives."
    )
    # 7.5 points is beyond what one cycle gives (5): no later date is offered, only a slower time.
    assert result.realistic_target == "A target of 49:43 or slower."


def test_the_suggested_time_and_date_are_themselves_ok() -> None:
    slower = assess(race(TEN_K, 10, 49 * 60 + 43), profile(), TODAY)
    assert slower.feasibility is Feasibility.OK
    later = assess(race(TEN_K, 13, 49 * 60), profile(), TODAY)  # 2027-02-25 is 13 weeks on
    assert later.feasibility is Feasibility.OK


@pytest.mark.parametrize(
    ("gain_fraction", "expected"),
    [
        (0.99, Feasibility.OK),
        (1.01, Feasibility.AMBITIOUS),
        (AMBITIOUS_FACTOR * 0.99, Feasibility.AMBITIOUS),
        (AMBITIOUS_FACTOR * 1.01, Feasibility.UNREALISTIC),
    ],
)
def test_the_thresholds_sit_at_one_and_one_and_a_half_times_the_realistic_gain(
    gain_fraction: float, expected: Feasibility
) -> None:
    gain = realistic_gain(Level.INTERMEDIATE, 10)
    target = predict_time_s(CURRENT + gain * gain_fraction, TEN_K)
    assert assess(race(TEN_K, 10, target), profile(), TODAY).feasibility is expected


def test_a_target_already_within_reach_is_ok_even_with_no_weeks_of_gain() -> None:
    result = assess(race(TEN_K, 6, 53 * 60), profile(), TODAY)
    assert result.feasibility is Feasibility.OK


@pytest.mark.parametrize(
    ("level", "weeks", "gain"),
    [
        (Level.BEGINNER, 3, 1.0),
        (Level.INTERMEDIATE, 4, 1.0),
        (Level.ADVANCED, 6, 1.0),
        (Level.BEGINNER, 30, 5.0),  # capped
        (Level.INTERMEDIATE, 40, 5.0),
        (Level.ADVANCED, 40, 3.0),
        (Level.INTERMEDIATE, 0, 0.0),
    ],
)
def test_realistic_gain_per_level_and_its_cap(level: Level, weeks: int, gain: float) -> None:
    assert realistic_gain(level, weeks) == pytest.approx(gain)


def test_advanced_runners_gain_less_so_the_same_target_is_harder() -> None:
    goal = race(TEN_K, 10, 49 * 60 + 43)
    assert assess(goal, profile(), TODAY).feasibility is Feasibility.OK
    # Advanced: 1.7 points in 10 weeks; the 2.5 needed is within 1.5 times that.
    assert assess(goal, profile(level="advanced"), TODAY).feasibility is Feasibility.AMBITIOUS


# --- preparation time and volume --------------------------------------------------------------


def test_race_without_target_is_ok_with_a_predicted_time() -> None:
    result = assess(race(TEN_K, 8), profile(), TODAY)
    assert result.feasibility is Feasibility.OK and result.required_vdot is None
    assert result.predicted_time_s is not None
    assert result.predicted_time_s < 52 * 60 + 30  # eight weeks of training help
    assert "52:30" in result.reason and "8 weeks" in result.reason


@pytest.mark.parametrize(
    ("distance", "weekly_km", "weeks", "expected"),
    [
        (FIVE_K, 5, 4, Feasibility.OK),
        (FIVE_K, 5, 3, Feasibility.UNREALISTIC),  # low volume, under 4 weeks
        (FIVE_K, 30, 3, Feasibility.AMBITIOUS),  # already at base: sharpening
        (TEN_K, 10, 5, Feasibility.UNREALISTIC),
        (TEN_K, 10, 6, Feasibility.OK),
        (21_097.5, 20, 7, Feasibility.UNREALISTIC),
        (21_097.5, 30, 7, Feasibility.AMBITIOUS),
        (21_097.5, 20, 8, Feasibility.OK),
        (MARATHON, 30, 11, Feasibility.UNREALISTIC),
        (MARATHON, 45, 11, Feasibility.AMBITIOUS),
        (MARATHON, 30, 12, Feasibility.OK),
        (MARATHON, 15, 15, Feasibility.UNREALISTIC),  # under 20 km a week: 16 weeks
        (MARATHON, 15, 16, Feasibility.OK),
        (TEN_K, 30, 0, Feasibility.AMBITIOUS),  # race day today
    ],
)
def test_minimum_preparation(distance: float, weekly_km: float, weeks: int, expected: Feasibility) -> None:
    assert assess(race(distance, weeks), profile(weekly_km), TODAY).feasibility is expected


def test_too_few_weeks_says_so_and_names_a_later_date() -> None:
    result = assess(race(MARATHON, 10), profile(15), TODAY)
    assert result.feasibility is Feasibility.UNREALISTIC
    assert result.reason.startswith(
        "A marathon from 15 km a week needs at least 16 weeks of building; there are 10 weeks left."
    )
    assert result.realistic_target == f"A race on or after {(TODAY + timedelta(weeks=16)).isoformat()}."


def test_the_later_date_covers_both_the_gain_and_the_preparation() -> None:
    # 5K in 4 weeks at 5 km a week and a target needing ~2 points: the gain needs 8 weeks.
    target = predict_time_s(CURRENT + 2.0, FIVE_K)
    result = assess(race(FIVE_K, 3, target), profile(5), TODAY)
    assert result.feasibility is Feasibility.UNREALISTIC
    assert result.realistic_target is not None
    assert (TODAY + timedelta(weeks=8)).isoformat() in result.realistic_target


def test_too_few_weeks_and_too_big_a_gain_ask_for_a_later_race_and_a_slower_time() -> None:
    # 8 points above today is beyond one cycle (5), and a 5K from 5 km a week needs 4 weeks.
    result = assess(race(FIVE_K, 3, predict_time_s(CURRENT + 8.0, FIVE_K)), profile(5), TODAY)
    assert result.feasibility is Feasibility.UNREALISTIC
    assert result.reason.startswith("You run a 5K in about")  # the bigger problem is the time
    assert result.realistic_target is not None
    assert result.realistic_target.startswith("A race on or after 2026-12-24 with a target of ")


def test_a_target_already_run_says_so() -> None:
    result = assess(race(TEN_K, 6, 55 * 60), profile(), TODAY)
    assert result.feasibility is Feasibility.OK and result.reason.endswith("which you already have.")


def test_an_easy_pace_profile_is_called_a_hint_not_a_fact() -> None:
    runner = profile().model_copy(update={"recent_race": None, "easy_pace_s_per_km": 390})
    result = assess(race(TEN_K, 10, 50 * 60), runner, TODAY)
    assert result.reason.startswith("Your easy pace suggests a 10K in about ")


def test_the_reason_is_one_sentence() -> None:
    result = assess(race(MARATHON, 10, 4 * 3600), profile(15), TODAY)
    assert result.reason.count(". ") == 0 and result.reason.endswith(".")


# --- volume goals -----------------------------------------------------------------------------


def test_volume_weeks_needed_counts_ten_percent_steps_and_recovery_weeks() -> None:
    assert volume_weeks_needed(30, 30) == 0
    assert volume_weeks_needed(30, 25) == 0
    assert volume_weeks_needed(30, 33) == 1
    assert volume_weeks_needed(30, 50) == 7  # 6 steps (30 * 1.1^6 = 53) and 1 recovery week
    assert volume_weeks_needed(0, 20) == 10  # from 10 km: 8 steps and 2 recovery weeks


@pytest.mark.parametrize(
    ("weeks", "expected"),
    [
        (20, Feasibility.OK),
        (7, Feasibility.OK),
        (6, Feasibility.AMBITIOUS),
        (5, Feasibility.AMBITIOUS),
        (4, Feasibility.UNREALISTIC),
    ],
)
def test_volume_verdicts(weeks: int, expected: Feasibility) -> None:
    result = assess(volume(50, weeks), profile(30), TODAY)
    assert result.feasibility is expected and result.weeks_left == weeks


def test_volume_reason_and_realistic_target_have_the_numbers() -> None:
    result = assess(volume(50, 4), profile(30), TODAY)
    assert result.reason == (
        "From 30 to 50 km a week takes about 7 weeks at 10 % a week with recovery weeks, "
        "but there are only 4 weeks left."
    )
    assert result.realistic_target == "About 39 km a week by 2026-12-24, or 50 km a week by 2027-01-14."
    # The suggested volume is itself reachable by then.
    assert assess(volume(39, 4), profile(30), TODAY).feasibility is Feasibility.OK


def test_keep_fit_is_always_ok() -> None:
    result = assess(Goal(kind="volume"), profile(0), TODAY)
    assert (
        result.feasibility is Feasibility.OK and result.weeks_left is None and result.realistic_target is None
    )


def test_worse_takes_the_harder_verdict() -> None:
    assert worse(Feasibility.OK, Feasibility.AMBITIOUS) is Feasibility.AMBITIOUS
    assert worse(Feasibility.UNREALISTIC, Feasibility.OK) is Feasibility.UNREALISTIC


# --- monotonic: more time or an easier target never makes the verdict worse ------------------

RANK = {f: i for i, f in enumerate(Feasibility)}
levels = st.sampled_from(["beginner", "intermediate", "advanced"])


@settings(max_examples=200, deadline=None)
@given(
    distance=st.sampled_from([FIVE_K, TEN_K, 21_097.5, MARATHON, 15_000.0]),
    weekly_km=st.floats(0, 120),
    level=levels,
    weeks=st.integers(0, 40),
    more_weeks=st.integers(0, 20),
    gain=st.floats(-3.0, 12.0),
    slower_by=st.floats(0.0, 0.2),
)
def test_later_or_slower_never_worse(
    distance: float, weekly_km: float, level: str, weeks: int, more_weeks: int, gain: float, slower_by: float
) -> None:
    runner = profile(weekly_km, level)
    target = predict_time_s(CURRENT + gain, distance)
    base = assess(race(distance, weeks, target), runner, TODAY).feasibility
    later = assess(race(distance, weeks + more_weeks, target), runner, TODAY).feasibility
    slower = assess(race(distance, weeks, target * (1 + slower_by)), runner, TODAY).feasibility
    assert RANK[later] <= RANK[base] and RANK[slower] <= RANK[base]


@settings(max_examples=200, deadline=None)
@given(
    weekly_km=st.floats(0, 150),
    target=st.floats(1, 300),
    weeks=st.integers(0, 60),
    more_weeks=st.integers(0, 30),
)
def test_volume_later_never_worse(weekly_km: float, target: float, weeks: int, more_weeks: int) -> None:
    runner = profile(weekly_km)
    base = assess(volume(target, weeks), runner, TODAY).feasibility
    later = assess(volume(target, weeks + more_weeks), runner, TODAY).feasibility
    assert RANK[later] <= RANK[base]


def seconds(clock: str) -> int:
    parts = [int(p) for p in clock.split(":")]
    return parts[0] * 3600 + parts[1] * 60 + parts[2] if len(parts) == 3 else parts[0] * 60 + parts[1]


CLOCK = r"(\d+(?::\d\d){1,2})"


@settings(max_examples=200, deadline=None)
@given(
    distance=st.sampled_from([FIVE_K, TEN_K, 21_097.5, MARATHON]),
    weekly_km=st.floats(0, 120),
    level=levels,
    weeks=st.integers(0, 30),
    gain=st.floats(-2.0, 10.0),
)
def test_every_suggested_fix_is_itself_ok(
    distance: float, weekly_km: float, level: str, weeks: int, gain: float
) -> None:
    runner = profile(weekly_km, level)
    target = predict_time_s(CURRENT + gain, distance)
    result = assess(race(distance, weeks, target), runner, TODAY)
    if result.feasibility is Feasibility.OK:
        assert result.realistic_target is None
        return
    assert result.realistic_target is not None
    for fix in result.realistic_target.rstrip(".").split(", or "):
        slower = re.fullmatch(f"A target of {CLOCK} or slower", fix)
        later = re.fullmatch(f"(?:A|a) race on or after (\\S+)(?: with a target of {CLOCK} or slower)?", fix)
        if slower:
            goal = race(distance, weeks, seconds(slower[1]))
        else:
            assert later, fix
            when = date.fromisoformat(later[1])
            new_target = seconds(later[2]) if later[2] else target
            goal = Goal(kind="race", race_distance_m=distance, race_date=when, target_time_s=new_target)
        assert assess(goal, runner, TODAY).feasibility is Feasibility.OK, (fix, result)


@settings(max_examples=200, deadline=None)
@given(weekly_km=st.floats(0, 150), target=st.floats(1, 300), weeks=st.integers(0, 60))
def test_every_suggested_volume_fix_is_itself_ok(weekly_km: float, target: float, weeks: int) -> None:
    runner = profile(weekly_km)
    result = assess(volume(target, weeks), runner, TODAY)
    if result.feasibility is Feasibility.OK:
        return
    assert result.realistic_target is not None
    found = re.fullmatch(
        r"(?:About (\d+) km a week by (\S+), or )?(\S+) km a week by (\S+)\.", result.realistic_target
    )
    assert found, result.realistic_target
    assert (found[1] is None) == (weeks == 0)  # no week to build in: only a later date is offered
    if found[1] is not None:
        reachable = Goal(kind="volume", weekly_km_target=int(found[1]), by_date=date.fromisoformat(found[2]))
        assert assess(reachable, runner, TODAY).feasibility is Feasibility.OK
    later = Goal(kind="volume", weekly_km_target=target, by_date=date.fromisoformat(found[4]))
    assert assess(later, runner, TODAY).feasibility is Feasibility.OK
