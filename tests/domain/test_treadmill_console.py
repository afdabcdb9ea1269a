"""A treadmill's console: the unit it reads in, the numbers a form types in that unit, its calibration."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runcoach.domain.errors import InvalidInput
from runcoach.domain.structure import (
    KMH_PER_MPH,
    KMH_STEP,
    MPH_STEP_KMH,
    Console,
    ConsoleUnit,
    Treadmill,
    calibration_from_laps,
    from_console_unit,
    to_console_unit,
    treadmill_from_console,
)

KMH, MPH = ConsoleUnit.KMH, ConsoleUnit.MPH


@pytest.mark.parametrize(
    ("step_kmh", "unit"),
    [
        (KMH_STEP, KMH),
        (MPH_STEP_KMH, MPH),
        (0.5, KMH),  # five 0.1 km/h presses
        (5 * MPH_STEP_KMH, MPH),  # a 0.5 mph step
        (0.07, KMH),  # on neither grid: the unit the limits are stored in
    ],
)
def test_the_console_unit_follows_its_speed_step(step_kmh: float, unit: ConsoleUnit) -> None:
    treadmill = Treadmill(speed_step_kmh=step_kmh, calibration=1.1)
    assert treadmill.unit is unit
    assert treadmill.console == Console(unit=unit, calibration=1.1)


@pytest.mark.parametrize(
    ("console", "kmh", "reading", "belt_kmh"),
    [
        (Console(), 12.0, 12.0, 12.0),
        (Console(unit=MPH), 7.5 * KMH_PER_MPH, 7.5, 7.5 * KMH_PER_MPH),
        (Console(unit=KMH, calibration=1.05), 10.0, 10.0, 10.5),
        (Console(unit=MPH, calibration=0.95), 16.09344, 10.0, 15.288768),
    ],
)
def test_a_console_reads_in_its_unit_and_the_belt_runs_at_speed_times_calibration(
    console: Console, kmh: float, reading: float, belt_kmh: float
) -> None:
    assert console.reading(kmh) == reading
    assert console.belt_kmh(kmh) == pytest.approx(belt_kmh)


@pytest.mark.parametrize("calibration", [0.79, 1.21])
def test_a_console_refuses_a_calibration_beyond_20_percent(calibration: float) -> None:
    with pytest.raises(ValueError, match="calibration"):
        Console(calibration=calibration)


def test_an_mph_form_becomes_a_treadmill_in_kmh_on_the_mph_grid() -> None:
    treadmill = treadmill_from_console(
        MPH, min_speed=0.5, max_speed=12, max_incline_pct=15, calibration=1.05, like=Treadmill()
    )
    assert treadmill.min_speed_kmh == pytest.approx(0.5 * KMH_PER_MPH)
    assert treadmill.max_speed_kmh == pytest.approx(12 * KMH_PER_MPH)
    assert (treadmill.max_incline_pct, treadmill.calibration) == (15.0, 1.05)
    assert treadmill.speed_step_kmh == MPH_STEP_KMH and treadmill.unit is MPH


def test_a_form_in_the_same_unit_keeps_the_saved_steps() -> None:
    saved = Treadmill(speed_step_kmh=0.5, incline_step_pct=1.0)
    same = treadmill_from_console(
        KMH, min_speed=1, max_speed=18, max_incline_pct=10, calibration=1, like=saved
    )
    assert (same.speed_step_kmh, same.incline_step_pct) == (0.5, 1.0)
    other = treadmill_from_console(
        MPH, min_speed=1, max_speed=10, max_incline_pct=10, calibration=1, like=saved
    )
    assert (other.speed_step_kmh, other.incline_step_pct) == (MPH_STEP_KMH, 1.0)


@pytest.mark.parametrize(
    ("unit", "changes", "field", "message"),
    [
        (KMH, {"min_speed": 0.2}, "treadmill.min_speed", "Min speed must be a number from 0.5 to 10 km/h."),
        (MPH, {"min_speed": 0.2}, "treadmill.min_speed", "Min speed must be a number from 0.4 to 6.2 mph."),
        (MPH, {"max_speed": 40}, "treadmill.max_speed", "Max speed must be a number from 3.2 to 18.6 mph."),
        (KMH, {"max_speed": None}, "treadmill.max_speed", "Max speed must be a number from 5 to 30 km/h."),
        (KMH, {"min_speed": 8, "max_speed": 8}, "treadmill.max_speed", "Max speed must be above min speed."),
        (
            KMH,
            {"max_incline_pct": 45},
            "treadmill.max_incline_pct",
            "Max incline must be a number from 0 to 40 %.",
        ),
        (KMH, {"calibration": 1.5}, "treadmill.calibration", "Calibration must be a number from 0.8 to 1.2."),
        (KMH, {"calibration": float("nan")}, "treadmill.calibration", "Calibration must be"),
    ],
)
def test_a_form_number_out_of_range_is_refused_in_the_consoles_unit(
    unit: ConsoleUnit, changes: dict[str, float | None], field: str, message: str
) -> None:
    typed: dict[str, float | None] = {
        "min_speed": 1,
        "max_speed": 10,
        "max_incline_pct": 10,
        "calibration": 1,
    }
    typed |= changes
    with pytest.raises(InvalidInput) as refused:
        treadmill_from_console(unit, like=Treadmill(), **typed)
    assert refused.value.field == field and str(refused.value).startswith(message)


@settings(max_examples=200, deadline=None)
@given(unit=st.sampled_from(ConsoleUnit), tenths=st.integers(min_value=0, max_value=400))
def test_every_speed_a_refusal_names_is_accepted(unit: ConsoleUnit, tenths: int) -> None:
    """The ranges the sentences give are rounded inwards: a runner who types a bound is never refused."""
    speed = tenths / 10
    low = 0.4 if unit is MPH else 0.5
    high = 6.2 if unit is MPH else 10.0
    if not low <= speed <= high:
        return
    treadmill = treadmill_from_console(
        unit,
        min_speed=speed,
        max_speed=18.6 if unit is MPH else 30,
        max_incline_pct=0,
        calibration=1,
        like=Treadmill(),
    )
    assert to_console_unit(treadmill.min_speed_kmh, unit) == pytest.approx(speed)


@settings(max_examples=100, deadline=None)
@given(unit=st.sampled_from(ConsoleUnit), kmh=st.floats(min_value=0.5, max_value=30))
def test_console_units_round_trip(unit: ConsoleUnit, kmh: float) -> None:
    assert from_console_unit(to_console_unit(kmh, unit), unit) == pytest.approx(kmh)


def test_the_timed_belt_test_gives_belt_speed_over_console_speed() -> None:
    # 10 laps of a 6 m belt in 20 s is 3 m/s, 10.8 km/h, with the console at 10 km/h.
    assert calibration_from_laps(belt_m=6, laps=10, seconds=20, console_kmh=10) == pytest.approx(1.08)
    assert calibration_from_laps(belt_m=5, laps=12, seconds=18, console_kmh=12) == pytest.approx(1.0)


@pytest.mark.parametrize("field", ["belt_m", "laps", "seconds", "console_kmh"])
@pytest.mark.parametrize("bad", [0.0, -1.0, float("inf")])
def test_the_timed_belt_test_refuses_a_number_that_is_not_above_zero(field: str, bad: float) -> None:
    given_numbers = {"belt_m": 6.0, "laps": 10.0, "seconds": 20.0, "console_kmh": 10.0} | {field: bad}
    with pytest.raises(InvalidInput, match="must be a number above 0") as refused:
        calibration_from_laps(**given_numbers)
    assert refused.value.field == field
