"""The runner's profile: what it accepts, what it refuses and why, and which VDOT it uses."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from runcoach.domain.errors import InvalidInput
from runcoach.domain.paces import Zone, vdot_from_easy_pace, vdot_from_race
from runcoach.domain.profile import Profile, Weekday
from runcoach.domain.structure import Treadmill

RACE = {"distance_m": 5000, "time_s": 1200, "date": "2026-10-01"}


def body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "recent_race": RACE,
        "weekly_km": 30,
        "available_days": ["tue", "thu", "sun"],
        "max_minutes": {"tue": 60, "sun": 120},
        "long_run_day": "sun",
        "level": "intermediate",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not ...}


def refused(data: dict[str, Any], needle: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Profile.model_validate(data)
    assert needle in str(caught.value), str(caught.value)


def test_a_full_profile_with_defaults() -> None:
    profile = Profile.model_validate(body())
    assert profile.treadmill == Treadmill()
    assert profile.injury_notes == "" and profile.easy_pace_s_per_km is None
    assert Profile.model_validate(profile.model_dump(mode="json")) == profile


def test_days_come_back_in_week_order() -> None:
    profile = Profile.model_validate(body(available_days=["sun", "tue", "thu"]))
    assert profile.available_days == [Weekday.TUE, Weekday.THU, Weekday.SUN]


def test_the_race_sets_the_vdot_when_there_is_one() -> None:
    profile = Profile.model_validate(body(easy_pace_s_per_km=420))
    assert profile.vdot() == pytest.approx(vdot_from_race(5000, 1200))
    assert profile.paces().vdot == pytest.approx(49.8, abs=0.05)


def test_the_easy_pace_sets_it_otherwise() -> None:
    profile = Profile.model_validate(body(recent_race=None, easy_pace_s_per_km=360))
    assert profile.vdot() == pytest.approx(vdot_from_easy_pace(360))
    zones = profile.paces().zones
    speeds = [zones[z].min_kmh for z in Zone]
    assert speeds == sorted(speeds)


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"recent_race": None}, "recent race or an easy pace"),
        ({"long_run_day": "mon"}, "long_run_day mon is not one of the available days"),
        ({"max_minutes": {"mon": 60}}, "not available: mon"),
        ({"max_minutes": {"tue": 5}}, "greater than or equal to 10"),
        ({"max_minutes": {"tue": 361}}, "less than or equal to 360"),
        ({"available_days": []}, "at least 1"),
        ({"available_days": ["tue", "sun", "tue"]}, "repeated: tue"),
        ({"available_days": ["tue", "funday"]}, "Input should be"),
        ({"weekly_km": -1}, "greater than or equal to 0"),
        ({"weekly_km": 301}, "less than or equal to 300"),
        ({"weekly_km": math.nan}, "finite number"),
        ({"weekly_km": math.inf}, "finite number"),
        ({"weekly_km": True}, "not true or false"),
        ({"level": "elite"}, "beginner"),
        ({"injury_notes": "x" * 2001}, "at most 2000"),
        ({"colour": "red"}, "Extra inputs are not permitted"),
        ({"recent_race": {**RACE, "time_s": math.nan}}, "finite number"),
        ({"recent_race": {**RACE, "time_s": -5}}, "greater than or equal to 180"),
        ({"recent_race": {**RACE, "time_s": 5e-324}}, "greater than or equal to 180"),
        ({"recent_race": {**RACE, "distance_m": 10000, "time_s": 900}}, "faster than anyone"),
        ({"recent_race": {**RACE, "distance_m": 100}}, "greater than or equal to 1500"),
        ({"recent_race": {**RACE, "date": 1700000000}}, "YYYY-MM-DD"),
        ({"recent_race": None, "easy_pace_s_per_km": 1790}, "walk"),
        ({"recent_race": None, "easy_pace_s_per_km": math.inf}, "finite number"),
        ({"treadmill": {"min_speed_kmh": 9, "max_speed_kmh": 8}}, "min_speed_kmh must be below"),
        ({"treadmill": {"belt": 1}}, "Extra inputs are not permitted"),
    ],
)
def test_refused_with_a_reason(changes: dict[str, Any], needle: str) -> None:
    refused(body(**changes), needle)


def test_a_race_in_the_future_is_refused_by_date() -> None:
    profile = Profile.model_validate(body())
    profile.check_dates(date(2026, 10, 1))  # the day itself is fine
    with pytest.raises(InvalidInput, match="in the future") as caught:
        profile.check_dates(date(2026, 9, 30))
    assert caught.value.field == "recent_race.date"
    Profile.model_validate(body(recent_race=None, easy_pace_s_per_km=400)).check_dates(date(2000, 1, 1))


def test_the_profile_is_frozen() -> None:
    profile = Profile.model_validate(body())
    with pytest.raises(ValidationError):
        profile.weekly_km = 10  # type: ignore[misc]
