"""The Goals form's parsing and a goal's title, without a page: each field's refusal names the field."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from runcoach.domain.errors import InvalidInput
from runcoach.domain.goals import Assessment, Feasibility, Goal, GoalKind, StoredGoal
from runcoach.goals import present

RACE = {"kind": "race", "race_distance": "21097.5", "race_date": "2027-04-11", "target_time": ""}


def form(**changes: Any) -> dict[str, Any]:
    return {
        **RACE,
        "other_km": None,
        "volume_mode": present.BY_DATE,
        "weekly_km": 30,
        "by_date": "",
        **changes,
    }


@pytest.mark.parametrize(
    ("values", "goal"),
    [
        (form(), {"kind": "race", "race_distance_m": 21097.5, "race_date": "2027-04-11"}),
        (
            form(race_distance="other", other_km=15, target_time="1:05:00"),
            {"kind": "race", "race_distance_m": 15000, "race_date": "2027-04-11", "target_time_s": 3900},
        ),
        (
            form(kind="volume", by_date=" 2027-02-01 "),
            {"kind": "volume", "weekly_km_target": 30, "by_date": "2027-02-01"},
        ),
        (form(kind="volume", volume_mode=present.KEEP_FIT), {"kind": "volume"}),
    ],
)
def test_the_chosen_kind_alone_is_read(values: dict[str, Any], goal: dict[str, Any]) -> None:
    assert present.parse_form(values) == Goal.model_validate(goal)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (form(race_date=""), "", "A race goal needs race_distance_m and race_date"),
        (form(race_date="next week"), "race_date", "YYYY-MM-DD"),
        (form(target_time="1h45"), "target_time", "Write the time as h:mm:ss or m:ss"),
        (form(target_time="0:10"), "target_time", "greater than or equal to 180"),
        (form(race_distance="other"), "other_km", "Give the race distance in km"),
        (form(race_distance="other", other_km=80), "other_km", "Give a distance from 1.5 to 50 km"),
        (form(kind="volume", weekly_km=None, by_date="2027-01-01"), "", "needs both"),
        (form(kind="volume", weekly_km=-3, by_date="2027-01-01"), "weekly_km", "greater than 0"),
    ],
)
def test_a_refusal_names_the_form_field(values: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as refused:
        present.parse_form(values)
    assert present.form_field(refused.value.field) == field
    line = present.error_line(refused.value)
    assert line.startswith(f"{present.LABELS[field]}: ") if field else line == str(refused.value)


def stored(goal: dict[str, Any]) -> StoredGoal:
    verdict = Assessment(
        feasibility=Feasibility.OK,
        reason="Fine.",
        realistic_target=None,
        weeks_left=None,
        predicted_time_s=None,
        required_vdot=None,
    )
    moment = datetime(2026, 11, 1, tzinfo=UTC)
    return StoredGoal(
        id=1,
        owner_id=1,
        goal=Goal.model_validate(goal),
        assessment=verdict,
        created_at=moment,
        assessed_at=moment,
    )


@pytest.mark.parametrize(
    ("goal", "title"),
    [
        (
            {"kind": "race", "race_distance_m": 42195, "race_date": date(2027, 4, 11)},
            "Marathon on 2027-04-11",
        ),
        (
            {"kind": "race", "race_distance_m": 15000, "race_date": date(2027, 4, 11), "target_time_s": 3900},
            "15 km race on 2027-04-11 in 1:05:00",
        ),
        (
            {"kind": "volume", "weekly_km_target": 40, "by_date": date(2027, 2, 1)},
            "40 km a week by 2027-02-01",
        ),
        ({"kind": GoalKind.VOLUME}, "Keep fit"),
    ],
)
def test_a_goal_in_a_few_words(goal: dict[str, Any], title: str) -> None:
    assert present.title(stored(goal)) == title


def test_every_verdict_has_its_traffic_light() -> None:
    assert present.BADGE_COLOUR == {
        Feasibility.OK: "green",
        Feasibility.AMBITIOUS: "amber",
        Feasibility.UNREALISTIC: "red",
    }
