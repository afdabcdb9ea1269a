"""Tests of the VDOT model: rows of Daniels' published tables, round trips, order, and refused input."""

from __future__ import annotations

import itertools
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runcoach.domain.errors import InvalidInput
from runcoach.domain.paces import (
    EASY_MIDDLE,
    MAX_RACE_M,
    MILE_M,
    MIN_RACE_M,
    RACE_DISTANCE_M,
    Paces,
    Race,
    SpeedRange,
    Zone,
    oxygen_cost,
    paces_for,
    predict_time_s,
    speed_at_oxygen_cost,
    sustainable_fraction,
    training_zones,
    vdot_from_easy_pace,
    vdot_from_race,
)

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)
#: Daniels' tables are the reference; the model must agree with them to within 1 %.
TABLE_TOLERANCE = 0.01
#: Slowest to fastest, the order every VDOT's zones must keep.
ZONE_ORDER = (Zone.EASY, Zone.MARATHON, Zone.THRESHOLD, Zone.INTERVAL, Zone.REPETITION)

vdots = st.floats(20.0, 85.0)
distances = st.floats(MIN_RACE_M, MAX_RACE_M)


def clock(text: str) -> int:
    """Seconds in "h:mm:ss" or "m:ss"."""
    seconds = 0
    for part in text.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds


def pace_of(kmh: float) -> float:
    """Seconds per kilometre at this speed."""
    return 3600.0 / kmh


def middle_pace(zone: SpeedRange) -> float:
    return pace_of((zone.min_kmh + zone.max_kmh) / 2)


# --------------------------------------------------------------------------- Daniels' tables

#: Race rows of the VDOT table in Daniels' Running Formula: (VDOT, race, time).
TABLE_RACES = [
    (vdot, race, time)
    for vdot, times in {
        30: ("30:40", "63:46", "2:21:04", "4:49:17"),
        40: ("24:08", "50:03", "1:50:59", "3:49:45"),
        45: ("21:50", "45:16", "1:40:20", "3:28:26"),
        50: ("19:57", "41:21", "1:31:35", "3:10:49"),
        55: ("18:22", "38:06", "1:24:18", "2:56:01"),
        60: ("17:03", "35:22", "1:18:09", "2:43:25"),
        70: ("14:55", "31:00", "1:08:21", "2:23:10"),
    }.items()
    for race, time in zip(Race, times, strict=True)
]
#: The same table's middle distances for VDOT 50: (distance in m, time).
TABLE_MIDDLE_DISTANCES_VDOT_50 = [(1500.0, "5:24"), (MILE_M, "5:50")]
#: Training paces per km from Daniels' tables: the single T and I paces the tables print.
TABLE_THRESHOLD = {40: "5:06", 50: "4:15", 60: "3:40"}
TABLE_INTERVAL = {40: "4:42", 50: "3:55", 60: "3:23"}


@pytest.mark.parametrize(("vdot", "race", "time"), TABLE_RACES)
def test_predicted_race_times_match_daniels_table(vdot: int, race: Race, time: str) -> None:
    predicted = predict_time_s(vdot, RACE_DISTANCE_M[race])
    assert predicted == pytest.approx(clock(time), rel=TABLE_TOLERANCE)


@pytest.mark.parametrize(("vdot", "race", "time"), TABLE_RACES)
def test_a_table_race_gives_back_its_vdot(vdot: int, race: Race, time: str) -> None:
    assert vdot_from_race(RACE_DISTANCE_M[race], clock(time)) == pytest.approx(vdot, rel=TABLE_TOLERANCE)


@pytest.mark.parametrize(("distance_m", "time"), TABLE_MIDDLE_DISTANCES_VDOT_50)
def test_middle_distance_predictions_match_daniels_table(distance_m: float, time: str) -> None:
    assert predict_time_s(50, distance_m) == pytest.approx(clock(time), rel=TABLE_TOLERANCE)


def test_the_model_agrees_with_every_table_row_far_inside_the_tolerance() -> None:
    # The tables are this formula evaluated, so the fit is much better than the 1 % we promise.
    errors = [abs(predict_time_s(v, RACE_DISTANCE_M[r]) / clock(t) - 1) for v, r, t in TABLE_RACES]
    assert max(errors) < 0.003


@pytest.mark.parametrize(("vdot", "pace"), TABLE_THRESHOLD.items())
def test_threshold_zone_tops_out_at_the_table_t_pace(vdot: int, pace: str) -> None:
    zone = training_zones(vdot)[Zone.THRESHOLD]
    assert zone.fast_pace_s_per_km == pytest.approx(clock(pace), rel=TABLE_TOLERANCE)


@pytest.mark.parametrize(("vdot", "pace"), TABLE_INTERVAL.items())
def test_interval_zone_is_centred_on_the_table_i_pace(vdot: int, pace: str) -> None:
    zone = training_zones(vdot)[Zone.INTERVAL]
    assert middle_pace(zone) == pytest.approx(clock(pace), rel=TABLE_TOLERANCE)
    assert zone.fast_pace_s_per_km < clock(pace) < zone.slow_pace_s_per_km


def test_easy_zone_of_vdot_50_matches_the_table_range() -> None:
    zone = training_zones(50)[Zone.EASY]
    assert zone.fast_pace_s_per_km == pytest.approx(clock("5:09"), rel=TABLE_TOLERANCE)
    assert zone.slow_pace_s_per_km == pytest.approx(clock("5:40"), rel=TABLE_TOLERANCE)


def test_repetition_zone_of_vdot_50_holds_the_table_r_pace_of_88_s_per_400_m() -> None:
    zone = training_zones(50)[Zone.REPETITION]
    assert zone.fast_pace_s_per_km < 88 * 2.5 < zone.slow_pace_s_per_km


@pytest.mark.parametrize("vdot", [45, 50, 55, 60])
def test_repetition_zone_holds_mile_race_pace_where_daniels_tables_are_densest(vdot: int) -> None:
    zone = training_zones(vdot)[Zone.REPETITION]
    mile_pace = predict_time_s(vdot, MILE_M) / MILE_M * 1000
    assert zone.fast_pace_s_per_km < mile_pace < zone.slow_pace_s_per_km


@given(vdots)
@PROPERTY_SETTINGS
def test_marathon_zone_is_centred_on_the_predicted_marathon_pace(vdot: float) -> None:
    marathon = RACE_DISTANCE_M[Race.MARATHON]
    pace = predict_time_s(vdot, marathon) / marathon * 1000
    zone = training_zones(vdot)[Zone.MARATHON]
    assert middle_pace(zone) == pytest.approx(pace, rel=1e-3)
    assert zone.max_kmh / zone.min_kmh == pytest.approx(1.02 / 0.98)


# --------------------------------------------------------------------------- the curves


def test_oxygen_cost_and_its_inverse_agree() -> None:
    for vo2 in (10.0, 35.0, 50.0, 85.0, 99.0):
        assert oxygen_cost(speed_at_oxygen_cost(vo2)) == pytest.approx(vo2, rel=1e-12)
    # 4:00/km (250 m/min) costs 45.5 ml/kg/min by Daniels' formula.
    assert oxygen_cost(250.0) == pytest.approx(-4.60 + 0.182258 * 250 + 0.000104 * 250**2)


def test_the_sustainable_fraction_falls_from_its_sprint_value_towards_80_percent() -> None:
    assert sustainable_fraction(0.0) == pytest.approx(0.8 + 0.1894393 + 0.2989558)
    # About 11 minutes is what a runner can hold at VO2max itself.
    assert sustainable_fraction(10.0) > 1.0 > sustainable_fraction(12.0)
    assert sustainable_fraction(600.0) == pytest.approx(0.8, abs=1e-3)
    samples = [sustainable_fraction(m) for m in range(0, 600, 5)]
    assert samples == sorted(samples, reverse=True)


# --------------------------------------------------------------------------- round trips and order


@given(vdots, distances)
@PROPERTY_SETTINGS
def test_predicting_a_race_and_reading_its_vdot_is_a_round_trip(vdot: float, distance_m: float) -> None:
    assert vdot_from_race(distance_m, predict_time_s(vdot, distance_m)) == pytest.approx(vdot, rel=1e-9)


@given(distances, st.floats(25.0, 85.0), st.floats(1.001, 1.25))
@PROPERTY_SETTINGS
def test_a_faster_race_over_the_same_distance_gives_a_higher_vdot(
    distance_m: float, vdot: float, slowdown: float
) -> None:
    fast = predict_time_s(vdot, distance_m)
    # Up to 25 % slower from VDOT 25 stays above the model's floor of 15, so both are accepted.
    assert vdot_from_race(distance_m, fast) > vdot_from_race(distance_m, fast * slowdown)


@given(vdots, st.floats(0.1, 5.0))
@PROPERTY_SETTINGS
def test_a_higher_vdot_is_faster_in_every_zone_and_every_race(vdot: float, gain: float) -> None:
    slower, faster = training_zones(vdot), training_zones(vdot + gain)
    for zone in Zone:
        assert faster[zone].min_kmh > slower[zone].min_kmh
        assert faster[zone].max_kmh > slower[zone].max_kmh
    for distance_m in RACE_DISTANCE_M.values():
        assert predict_time_s(vdot + gain, distance_m) < predict_time_s(vdot, distance_m)


@given(vdots)
@PROPERTY_SETTINGS
def test_zones_go_from_easy_to_repetition_slowest_to_fastest(vdot: float) -> None:
    zones = training_zones(vdot)
    assert list(zones) == list(ZONE_ORDER)
    for slower, faster in itertools.pairwise(ZONE_ORDER):
        assert zones[slower].min_kmh < zones[faster].min_kmh
        assert zones[slower].max_kmh < zones[faster].max_kmh
    for zone in zones.values():
        assert 0 < zone.min_kmh < zone.max_kmh
        assert zone.fast_pace_s_per_km < zone.slow_pace_s_per_km


@given(vdots)
@PROPERTY_SETTINGS
def test_longer_races_take_longer_and_are_run_slower(vdot: float) -> None:
    times = [predict_time_s(vdot, d) for d in RACE_DISTANCE_M.values()]
    paces = [t / d for t, d in zip(times, RACE_DISTANCE_M.values(), strict=True)]
    assert times == sorted(times)
    assert paces == sorted(paces)


# --------------------------------------------------------------------------- easy-pace fallback


@given(vdots)
@PROPERTY_SETTINGS
def test_the_middle_of_the_easy_zone_gives_back_the_vdot(vdot: float) -> None:
    easy_middle_pace = 60_000.0 / speed_at_oxygen_cost(vdot * EASY_MIDDLE)
    assert vdot_from_easy_pace(easy_middle_pace) == pytest.approx(vdot, rel=1e-9)
    # The middle in speed is within a hair of the middle in oxygen cost.
    assert vdot_from_easy_pace(middle_pace(training_zones(vdot)[Zone.EASY])) == pytest.approx(vdot, abs=0.3)


def test_a_slower_easy_pace_means_a_lower_vdot() -> None:
    readings = [vdot_from_easy_pace(clock(p)) for p in ("4:30", "5:20", "6:00", "7:00", "8:30")]
    assert readings == sorted(readings, reverse=True)
    assert readings[1] == pytest.approx(50, abs=1)  # 5:20/km sits inside VDOT 50's E zone


# --------------------------------------------------------------------------- the result for the API


def test_paces_is_the_api_body_as_it_is() -> None:
    body = paces_for(50).model_dump(mode="json")
    assert set(body) == {"vdot", "zones", "predictions_s"}
    assert body["vdot"] == 50.0
    assert list(body["zones"]) == ["E", "M", "T", "I", "R"]
    assert all(set(zone) == {"min_kmh", "max_kmh"} for zone in body["zones"].values())
    assert list(body["predictions_s"]) == ["5k", "10k", "half", "marathon"]
    assert body["predictions_s"]["marathon"] == pytest.approx(clock("3:10:49"), rel=TABLE_TOLERANCE)
    assert Paces.model_validate(body) == paces_for(50)


def test_paces_round_the_vdot_and_derive_everything_from_the_rounded_value() -> None:
    paces = paces_for(49.96)
    assert paces.vdot == 50.0
    assert paces == paces_for(50.0) == paces_for(paces.vdot)
    assert all(isinstance(s, int) for s in paces.predictions_s.values())
    zone = paces.zones[Zone.THRESHOLD]
    assert zone.max_kmh == round(zone.max_kmh, 2)
    assert zone.max_kmh == pytest.approx(training_zones(50)[Zone.THRESHOLD].max_kmh, abs=0.005)


# --------------------------------------------------------------------------- refused input

NOT_POSITIVE = [math.nan, math.inf, -math.inf, 0.0, -5000.0]


@pytest.mark.parametrize("bad", NOT_POSITIVE)
def test_a_race_distance_that_is_not_a_positive_number_is_refused(bad: float) -> None:
    with pytest.raises(InvalidInput, match=r"^The distance must be a positive number\.$") as caught:
        vdot_from_race(bad, 1200)
    assert caught.value.field == "distance_m"


@pytest.mark.parametrize("bad", NOT_POSITIVE)
def test_a_race_time_that_is_not_a_positive_number_is_refused(bad: float) -> None:
    with pytest.raises(InvalidInput, match=r"^The time must be a positive number\.$") as caught:
        vdot_from_race(5000, bad)
    assert caught.value.field == "time_s"


@pytest.mark.parametrize(
    ("distance_m", "time_s", "field", "says"),
    [
        (42195, 1, "time_s", "42195 m in 0:01 is faster than anyone has run it."),
        (5000, 9 * 60, "time_s", "5000 m in 9:00 is faster than anyone has run it."),
        (5000, 1e-300, "time_s", "faster than anyone"),
        (49999, 5e-324, "time_s", "faster than anyone"),  # underflows to 0 minutes
        (5000, 5 * 3600, "time_s", "5000 m in 5:00:00 is a walk, not a race"),
        (5000, 1e300, "time_s", "5000 m in over 100 hours is a walk"),
        (400, 60, "distance_m", "VDOT is defined for races from 1500 m to 50 km, not 400 m."),
        (100_000, 8 * 3600, "distance_m", "not 100000 m"),
    ],
)
def test_an_implausible_race_is_refused_with_a_sentence(
    distance_m: float, time_s: float, field: str, says: str
) -> None:
    with pytest.raises(InvalidInput, match=re.escape(says)) as caught:
        vdot_from_race(distance_m, time_s)
    assert caught.value.field == field


@pytest.mark.parametrize("bad", [math.nan, math.inf, -1.0, 0.0, 14.9, 90.1])
def test_a_vdot_outside_the_model_is_refused_everywhere(bad: float) -> None:
    for call in (lambda: predict_time_s(bad, 5000), lambda: training_zones(bad), lambda: paces_for(bad)):
        with pytest.raises(InvalidInput, match=re.escape("VDOT must lie between 15 and 90.")) as caught:
            call()
        assert caught.value.field == "vdot"


@pytest.mark.parametrize("bad", [math.nan, math.inf, 0.0, 1000.0, 100_000.0])
def test_a_prediction_for_a_distance_outside_the_model_is_refused(bad: float) -> None:
    with pytest.raises(InvalidInput) as caught:
        predict_time_s(50, bad)
    assert caught.value.field == "distance_m"


@pytest.mark.parametrize(
    ("pace", "says"),
    [
        (math.nan, "The easy pace must be a positive number."),
        (math.inf, "The easy pace must be a positive number."),
        (0.0, "The easy pace must be a positive number."),
        (-300.0, "The easy pace must be a positive number."),
        (60.0, "An easy pace of 1:00/km is faster than anyone's easy pace."),
        (3600.0, "An easy pace of 1:00:00/km is a walk; give a running pace."),
    ],
)
def test_an_implausible_easy_pace_is_refused_with_a_sentence(pace: float, says: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(says)) as caught:
        vdot_from_easy_pace(pace)
    assert caught.value.field == "pace_s_per_km"


@given(st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True, allow_infinity=True))
@PROPERTY_SETTINGS
def test_any_race_input_gives_a_plausible_vdot_or_a_clear_refusal(distance_m: float, time_s: float) -> None:
    try:
        vdot = vdot_from_race(distance_m, time_s)
    except InvalidInput as refused:
        assert refused.field in {"distance_m", "time_s"}
        assert str(refused).endswith(".")
    else:
        assert 15 <= vdot <= 90
