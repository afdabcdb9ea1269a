"""The one rule that judges a planned day: done, partial, missed, planned or rest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from runcoach.domain.completion import DayStatus, day_status, is_a_run
from runcoach.domain.plan_model import PlannedWorkout, WorkoutType

DAY = date(2026, 3, 10)
BEFORE, AFTER = date(2026, 3, 9), date(2026, 3, 11)


@dataclass(frozen=True)
class Ran:
    elapsed_s: float
    completed: bool = True
    played_in_full: bool = False


def planned(kind: WorkoutType = WorkoutType.EASY, minutes: int = 40) -> PlannedWorkout:
    seconds = minutes * 60
    if kind is WorkoutType.REST:
        return PlannedWorkout(date=DAY, type=kind, duration_s=0, distance_km=0, easy_duration_s=0)
    return PlannedWorkout(
        date=DAY,
        type=kind,
        duration_s=seconds,
        distance_km=seconds / 360,  # 6:00/km
        easy_duration_s=seconds,
        min_speed_kmh=10,
        max_speed_kmh=10,
        max_incline_pct=1,
    )


@pytest.mark.parametrize(
    ("plan", "runs", "today", "expected"),
    [
        pytest.param(planned(), [Ran(32 * 60)], AFTER, DayStatus.DONE, id="80 % of the time is done"),
        pytest.param(planned(), [Ran(31 * 60)], AFTER, DayStatus.PARTIAL, id="less is partial"),
        pytest.param(
            planned(), [Ran(5 * 60, played_in_full=True)], AFTER, DayStatus.DONE, id="played in full"
        ),
        pytest.param(planned(), [Ran(59)], AFTER, DayStatus.MISSED, id="under a minute is no run"),
        pytest.param(planned(), [Ran(40 * 60, completed=False)], AFTER, DayStatus.MISSED, id="not ended"),
        pytest.param(planned(), [], DAY, DayStatus.PLANNED, id="today is not missed yet"),
        pytest.param(planned(), [], BEFORE, DayStatus.PLANNED, id="ahead"),
        pytest.param(planned(WorkoutType.REST), [], AFTER, DayStatus.REST, id="rest"),
        pytest.param(planned(WorkoutType.REST), [Ran(600)], AFTER, DayStatus.DONE, id="a run on a rest day"),
        pytest.param(None, [Ran(600)], AFTER, DayStatus.DONE, id="a run on a free day"),
        pytest.param(None, [], AFTER, DayStatus.REST, id="nothing at all"),
    ],
)
def test_a_day_is_judged_by_its_runs(
    plan: PlannedWorkout | None, runs: list[Ran], today: date, expected: DayStatus
) -> None:
    assert day_status(DAY, plan, runs, today) is expected


def test_a_run_is_an_ended_session_with_a_minute_of_running() -> None:
    assert is_a_run(Ran(60)) and not is_a_run(Ran(59.9)) and not is_a_run(Ran(600, completed=False))
