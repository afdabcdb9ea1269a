"""Tests of the structured workout form and its compiler: a classic session, limits, refusals, text."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from runcoach.domain.accounts import Units
from runcoach.domain.errors import InvalidInput
from runcoach.domain.paces import SpeedRange, Zone, training_zones
from runcoach.domain.structure import (
    AS_WRITTEN,
    KMH_STEP,
    MPH_STEP_KMH,
    REPEATABLE_KINDS,
    Repeat,
    Step,
    StepKind,
    StructuredWorkout,
    Treadmill,
    compile_program,
    compile_workout,
    describe,
    pin_speeds,
    target_kmh,
    unroll,
)
from runcoach.domain.workouts import SegmentLabel

L = SegmentLabel
K = StepKind
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)

#: Round numbers instead of a VDOT's, so every expected speed can be read off by eye.
ZONES = {
    Zone.EASY: SpeedRange(min_kmh=10.0, max_kmh=12.0),  # middle 11.0
    Zone.MARATHON: SpeedRange(min_kmh=12.8, max_kmh=13.2),  # middle 13.0
    Zone.THRESHOLD: SpeedRange(min_kmh=13.5, max_kmh=14.0),  # fast end 14.0
    Zone.INTERVAL: SpeedRange(min_kmh=15.0, max_kmh=15.6),  # middle 15.3
    Zone.REPETITION: SpeedRange(min_kmh=16.3, max_kmh=17.0),  # slow end 16.3
}
TREADMILL = Treadmill(min_speed_kmh=1.0, max_speed_kmh=20.0, max_incline_pct=15.0)


def six_by_800(work_zone: Zone = Zone.INTERVAL, incline_pct: float = 0.0) -> StructuredWorkout:
    """10 min warm-up, 6 × (800 m + 2 min recovery), 10 min cool-down."""
    return StructuredWorkout(
        name="6 × 800 m",
        items=(
            Step(kind=K.WARMUP, duration_s=600, zone=Zone.EASY),
            Repeat(
                times=6,
                steps=(
                    Step(kind=K.WORK, distance_m=800, zone=work_zone, incline_pct=incline_pct),
                    Step(kind=K.RECOVERY, duration_s=120, zone=Zone.EASY),
                ),
            ),
            Step(kind=K.COOLDOWN, duration_s=600, zone=Zone.EASY),
        ),
    )


def seconds_for(metres: float, kmh: float) -> int:
    return round(metres / (kmh / 3.6))


# --------------------------------------------------------------------------- the classic session


def test_a_classic_interval_session_compiles_to_framing_and_unrolled_repeats() -> None:
    segments = compile_workout(six_by_800(), ZONES, TREADMILL)

    assert len(segments) == 1 + 6 * 2 + 1
    assert [s.label for s in segments] == [L.WARM_UP, *[L.INTERVAL, L.RECOVERY] * 6, L.COOL_DOWN]
    assert [s.duration_s for s in segments] == [600, *[seconds_for(800, 15.3), 120] * 6, 600]
    assert [s.speed_kmh for s in segments] == [11.0, *[15.3, 11.0] * 6, 11.0]
    assert all(s.incline_pct == 0.0 for s in segments)


def test_the_structure_keeps_its_repeat_and_the_program_says_where_each_segment_came_from() -> None:
    workout = six_by_800()
    program = compile_program(workout, ZONES, TREADMILL)

    repeat = workout.items[1]
    assert isinstance(repeat, Repeat) and repeat.times == 6 and len(repeat.steps) == 2
    assert len(program.sources) == len(program.segments)
    origins = [(s.item, s.repetition, s.step_index) for s in program.sources]
    assert origins == [(0, None, 0), *[(1, r, j) for r in range(6) for j in (0, 1)], (2, None, 0)]


def test_compiling_is_deterministic_and_leaves_the_structure_as_it_was() -> None:
    workout = six_by_800()
    before = workout.model_dump()
    assert compile_program(workout, ZONES, TREADMILL) == compile_program(workout, ZONES, TREADMILL)
    assert workout.model_dump() == before


@pytest.mark.parametrize(
    ("zone", "kmh"),
    [
        (Zone.EASY, 11.0),
        (Zone.MARATHON, 13.0),
        (Zone.THRESHOLD, 14.0),
        (Zone.INTERVAL, 15.3),
        (Zone.REPETITION, 16.3),
    ],
)
def test_each_zone_targets_its_documented_point(zone: Zone, kmh: float) -> None:
    assert target_kmh(zone, ZONES) == pytest.approx(kmh)


def test_zones_without_the_step_zone_are_refused_by_name() -> None:
    with pytest.raises(InvalidInput, match="no R zone"):
        target_kmh(Zone.REPETITION, {Zone.EASY: ZONES[Zone.EASY]})


# --------------------------------------------------------------------------- the treadmill


def test_speeds_are_rounded_to_an_mph_console_step() -> None:
    mph_console = TREADMILL.model_copy(update={"speed_step_kmh": MPH_STEP_KMH})
    work = compile_workout(six_by_800(), ZONES, mph_console)[1]
    # 15.3 km/h is 9.507 mph: the runner presses 9.5 mph, which the belt runs as 15.289 km/h.
    assert work.speed_kmh == pytest.approx(9.5 * 1.609344)
    assert work.duration_s == seconds_for(800, 9.5 * 1.609344)


def test_calibration_turns_belt_speed_into_the_console_speed_to_press() -> None:
    slow_belt = TREADMILL.model_copy(update={"calibration": 0.95})
    work = compile_workout(six_by_800(), ZONES, slow_belt)[1]
    # The belt runs 95 % of what the console shows: 15.3 / 0.95 = 16.105 -> press 16.1.
    assert work.speed_kmh == 16.1
    # The 800 m are timed at the belt's real speed, 16.1 × 0.95 km/h.
    assert work.duration_s == seconds_for(800, 16.1 * 0.95)


def test_a_zone_faster_than_the_treadmill_is_clamped_visibly_and_the_distance_takes_longer() -> None:
    slow_top = TREADMILL.model_copy(update={"max_speed_kmh": 16.0})
    program = compile_program(six_by_800(Zone.REPETITION), ZONES, slow_top)
    work, source = program.segments[1], program.sources[1]

    assert work.speed_kmh == 16.0
    assert source.speed_clamped and source.target_kmh == pytest.approx(16.3)
    assert work.duration_s == seconds_for(800, 16.0) > seconds_for(800, 16.3)
    assert not any(s.speed_clamped for s in program.sources[0::2])  # the E steps fit


def test_a_zone_slower_than_the_treadmill_is_clamped_up_to_its_minimum() -> None:
    fast_bottom = TREADMILL.model_copy(update={"min_speed_kmh": 12.0})
    program = compile_program(six_by_800(), ZONES, fast_bottom)
    assert program.segments[0].speed_kmh == 12.0 and program.sources[0].speed_clamped


def test_an_incline_steeper_than_the_treadmill_is_clamped_visibly() -> None:
    flat_ish = TREADMILL.model_copy(update={"max_incline_pct": 10.0})
    program = compile_program(six_by_800(incline_pct=12.0), ZONES, flat_ish)
    assert program.segments[1].incline_pct == 10.0 and program.sources[1].incline_clamped
    assert program.segments[2].incline_pct == 0.0 and not program.sources[2].incline_clamped


def test_inclines_are_rounded_to_the_console_step() -> None:
    segments = compile_workout(six_by_800(incline_pct=1.3), ZONES, TREADMILL)
    assert segments[1].incline_pct == 1.5


def test_a_limit_off_the_speed_grid_is_still_reachable() -> None:
    odd_top = TREADMILL.model_copy(update={"max_speed_kmh": 15.25})
    assert compile_workout(six_by_800(), ZONES, odd_top)[1].speed_kmh == 15.25


# --------------------------------------------------------------------------- distances, labels, totals


@pytest.mark.parametrize(
    ("metres", "zone", "kmh"),
    [
        (400, Zone.REPETITION, 16.3),
        (1000, Zone.INTERVAL, 15.3),
        (5000, Zone.THRESHOLD, 14.0),
        (20, Zone.EASY, 11.0),
    ],
)
def test_a_distance_step_lasts_its_distance_at_the_step_speed(metres: int, zone: Zone, kmh: float) -> None:
    workout = StructuredWorkout(name="d", items=(Step(kind=K.STEADY, distance_m=metres, zone=zone),))
    (segment,) = compile_workout(workout, ZONES, TREADMILL)
    assert segment.duration_s == seconds_for(metres, kmh) > 0


@pytest.mark.parametrize(
    ("kind", "zone", "incline", "label"),
    [
        (K.WARMUP, Zone.EASY, 0.0, L.WARM_UP),
        (K.COOLDOWN, Zone.EASY, 0.0, L.COOL_DOWN),
        (K.RECOVERY, Zone.EASY, 0.0, L.RECOVERY),
        (K.STEADY, Zone.EASY, 0.0, L.RUN),
        (K.STEADY, Zone.MARATHON, 0.0, L.STEADY),
        (K.WORK, Zone.THRESHOLD, 0.0, L.TEMPO),
        (K.WORK, Zone.INTERVAL, 0.0, L.INTERVAL),
        (K.WORK, Zone.REPETITION, 0.0, L.SPRINT),
        (K.WORK, Zone.THRESHOLD, 6.0, L.HILL),
        (K.STEADY, Zone.EASY, 6.0, L.RUN),
    ],
)
def test_kinds_map_to_the_session_labels(
    kind: StepKind, zone: Zone, incline: float, label: SegmentLabel
) -> None:
    workout = StructuredWorkout(
        name="l", items=(Step(kind=kind, duration_s=60, zone=zone, incline_pct=incline),)
    )
    assert compile_workout(workout, ZONES, TREADMILL)[0].label is label


def test_totals_for_the_rule_checker() -> None:
    workout = six_by_800()
    work_s = 800 / (15.3 / 3.6)
    easy_s = 600 + 6 * 120 + 600
    assert workout.planned_duration_s(ZONES) == pytest.approx(easy_s + 6 * work_s)
    assert workout.total_distance_m(ZONES) == pytest.approx(easy_s * 11.0 / 3.6 + 6 * 800)
    assert workout.easy_share(ZONES) == pytest.approx(easy_s / (easy_s + 6 * work_s))


def test_the_planned_duration_on_a_treadmill_uses_the_speed_it_can_run() -> None:
    slow_top = TREADMILL.model_copy(update={"max_speed_kmh": 16.0})
    workout = six_by_800(Zone.REPETITION)
    assert workout.planned_duration_s(ZONES, slow_top) == pytest.approx(1920 + 6 * 800 / (16.0 / 3.6))
    assert workout.planned_duration_s(ZONES, slow_top) > workout.planned_duration_s(ZONES)


# --------------------------------------------------------------------------- refusals

GOOD_STEP: dict[str, Any] = {"kind": "work", "duration_s": 60, "zone": "I"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"duration_s": None, "distance_m": math.nan}, "finite number"),
        ({"duration_s": None, "distance_m": math.inf}, "finite number"),
        ({"duration_s": None, "distance_m": 0}, "greater than or equal to 20"),
        ({"duration_s": None, "distance_m": -400}, "greater than or equal to 20"),
        ({"duration_s": None, "distance_m": 100_001}, "less than or equal to 100000"),
        ({"duration_s": 0}, "greater than or equal to 5"),
        ({"duration_s": -60}, "greater than or equal to 5"),
        ({"duration_s": 6 * 3600 + 1}, "less than or equal to 21600"),
        ({"duration_s": math.nan}, "finite number"),
        ({"duration_s": 60.5}, "fractional part"),
        ({"duration_s": True}, "not true or false"),
        ({"distance_m": 800}, "exactly one of duration_s and distance_m"),
        ({"duration_s": None}, "exactly one of duration_s and distance_m"),
        ({"incline_pct": 15.5}, "less than or equal to 15"),
        ({"incline_pct": -1}, "greater than or equal to 0"),
        ({"incline_pct": math.nan}, "incline_pct"),
        ({"zone": "5K"}, "'E', 'M', 'T', 'I' or 'R'"),
        ({"kind": "interval"}, "'warmup', 'work', 'recovery', 'cooldown' or 'steady'"),
        ({"note": ""}, "at least 1 character"),
        ({"note": "x" * 201}, "at most 200 characters"),
        ({"speed_kmh": 0.5}, "greater than or equal to 1"),
        ({"speed_kmh": 31}, "less than or equal to 30"),
        ({"speed_kmh": math.nan}, "finite number"),
        ({"speed_kmh": True}, "not true or false"),
        ({"label": "jog"}, "'warm-up', 'run'"),
        ({"pace_s_per_km": 300}, "Extra inputs are not permitted"),
    ],
)
def test_bad_steps_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Step.model_validate(GOOD_STEP | changes)


@pytest.mark.parametrize(
    ("repeat", "message"),
    [
        ({"times": 1, "steps": [GOOD_STEP]}, "greater than or equal to 2"),
        ({"times": 51, "steps": [GOOD_STEP]}, "less than or equal to 50"),
        ({"times": 4, "steps": []}, "at least 1 item"),
        (
            {"times": 4, "steps": [{"type": "repeat", "times": 2, "steps": [GOOD_STEP]}]},
            "Input should be 'step'",
        ),
        ({"times": 4, "steps": [GOOD_STEP | {"kind": "warmup"}]}, "not warmup"),
        ({"times": 4, "steps": [GOOD_STEP | {"kind": "cooldown"}]}, "not cooldown"),
    ],
)
def test_bad_repeats_are_refused_including_a_repeat_inside_a_repeat(
    repeat: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        StructuredWorkout.model_validate({"name": "r", "items": [{"type": "repeat", **repeat}]})


def test_every_repeatable_kind_is_accepted_in_a_repeat() -> None:
    steps = [GOOD_STEP | {"kind": kind.value} for kind in sorted(REPEATABLE_KINDS)]
    StructuredWorkout.model_validate({"name": "r", "items": [{"type": "repeat", "times": 3, "steps": steps}]})


@pytest.mark.parametrize(
    ("workout", "message"),
    [
        ({"name": "empty", "items": []}, "at least 1 item"),
        ({"name": "", "items": [GOOD_STEP]}, "at least 1 character"),
        ({"name": "x", "items": [GOOD_STEP | {"type": "block"}]}, "does not match any of the expected tags"),
        ({"name": "x", "items": [GOOD_STEP | {"type": "step"}] * 101}, "at most 100 items"),
    ],
)
def test_bad_workouts_are_refused(workout: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        StructuredWorkout.model_validate(workout)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"min_speed_kmh": 8.0, "max_speed_kmh": 8.0}, "min_speed_kmh must be below max_speed_kmh"),
        ({"calibration": 0.5}, "greater than or equal to 0.8"),
        ({"calibration": math.nan}, "calibration"),
        ({"speed_step_kmh": 0}, "greater than or equal to 0.01"),
        ({"max_incline_pct": -1}, "greater than or equal to 0"),
    ],
)
def test_bad_treadmills_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Treadmill.model_validate(changes)


# --------------------------------------------------------------------------- JSON and text


def test_the_structure_survives_a_json_round_trip() -> None:
    workout = six_by_800().model_copy(update={"name": "Tuesday intervals"})
    assert StructuredWorkout.model_validate_json(workout.model_dump_json()) == workout


def test_the_structure_reads_json_that_omits_defaults() -> None:
    text = '{"name": "e", "items": [{"type": "step", "kind": "steady", "distance_m": 5000, "zone": "E"}]}'
    (step,) = StructuredWorkout.model_validate_json(text).items
    assert isinstance(step, Step) and step.incline_pct == 0.0 and step.distance_m == 5000


def test_describe_a_classic_session_in_metric_and_imperial() -> None:
    workout = six_by_800()
    assert describe(workout, ZONES, Units.METRIC) == (
        "10 min warm-up E · 6 × (800 m I at 15.3 km/h + 2 min recovery E) · 10 min cool-down E"
    )
    assert describe(workout, ZONES, Units.IMPERIAL) == (
        "10 min warm-up E · 6 × (800 m I at 9.5 mph + 2 min recovery E) · 10 min cool-down E"
    )


@pytest.mark.parametrize(
    ("step", "units", "text"),
    [
        (Step(kind=K.STEADY, distance_m=10_000, zone=Zone.EASY), Units.METRIC, "10 km steady E"),
        (Step(kind=K.STEADY, distance_m=10_000, zone=Zone.EASY), Units.IMPERIAL, "6.21 mi steady E"),
        (Step(kind=K.WORK, distance_m=1609.344, zone=Zone.REPETITION), Units.IMPERIAL, "1 mi R at 10.1 mph"),
        (Step(kind=K.WORK, distance_m=1500, zone=Zone.REPETITION), Units.IMPERIAL, "1500 m R at 10.1 mph"),
        (Step(kind=K.WORK, duration_s=90, zone=Zone.THRESHOLD), Units.METRIC, "1 min 30 s T at 14.0 km/h"),
        (
            Step(kind=K.STEADY, duration_s=4500, zone=Zone.MARATHON),
            Units.METRIC,
            "1 h 15 min steady M at 13.0 km/h",
        ),
        (
            Step(kind=K.WORK, duration_s=45, zone=Zone.INTERVAL, incline_pct=6),
            Units.METRIC,
            "45 s I at 15.3 km/h, 6 % incline",
        ),
        (
            Step(kind=K.RECOVERY, distance_m=400, zone=Zone.EASY, note="jog"),
            Units.METRIC,
            "400 m recovery E (jog)",
        ),
    ],
)
def test_describe_amounts_speeds_inclines_and_notes(step: Step, units: Units, text: str) -> None:
    assert describe(StructuredWorkout(name="s", items=(step,)), ZONES, units) == text


# --------------------------------------------------------------------------- properties


def steps(kinds: st.SearchStrategy[StepKind]) -> st.SearchStrategy[Step]:
    amounts = st.one_of(
        st.fixed_dictionaries({"duration_s": st.integers(5, 6 * 3600)}),
        st.fixed_dictionaries({"distance_m": st.floats(20.0, 100_000.0)}),
    )
    return st.builds(
        lambda kind, amount, zone, incline: Step(kind=kind, zone=zone, incline_pct=incline, **amount),
        kinds,
        amounts,
        st.sampled_from(Zone),
        st.floats(0.0, 15.0),
    )


repeats = st.builds(
    lambda times, body: Repeat(times=times, steps=tuple(body)),
    st.integers(2, 50),
    st.lists(steps(st.sampled_from(sorted(REPEATABLE_KINDS))), min_size=1, max_size=4),
)
workouts = st.builds(
    lambda items: StructuredWorkout(name="w", items=tuple(items)),
    st.lists(st.one_of(steps(st.sampled_from(StepKind)), repeats), min_size=1, max_size=6),
)


@st.composite
def treadmills(draw: st.DrawFn) -> Treadmill:
    low = draw(st.floats(0.5, 10.0))
    return Treadmill(
        min_speed_kmh=low,
        max_speed_kmh=draw(st.floats(max(5.0, low + 0.1), 30.0)),
        max_incline_pct=draw(st.floats(0.0, 40.0)),
        speed_step_kmh=draw(st.sampled_from([KMH_STEP, MPH_STEP_KMH])),
        incline_step_pct=draw(st.sampled_from([0.1, 0.5, 1.0])),
        calibration=draw(st.floats(0.8, 1.2)),
    )


@PROPERTY_SETTINGS
@given(workouts, st.floats(20.0, 85.0), treadmills())
def test_any_structure_compiles_to_its_planned_duration_within_treadmill_limits(
    workout: StructuredWorkout, vdot: float, treadmill: Treadmill
) -> None:
    zones = training_zones(vdot)
    program = compile_program(workout, zones, treadmill)
    segments = program.segments

    assert len(segments) == len(program.sources) == sum(1 for _ in unroll(workout))
    # Each segment is rounded to whole seconds once: half a second each at most.
    assert abs(program.total_duration_s - workout.planned_duration_s(zones, treadmill)) <= 0.5 * len(segments)
    for s in segments:
        assert s.duration_s >= 1
        assert treadmill.min_speed_kmh <= s.speed_kmh <= treadmill.max_speed_kmh
        assert 0.0 <= s.incline_pct <= treadmill.max_incline_pct


@PROPERTY_SETTINGS
@given(workouts, st.floats(20.0, 85.0))
def test_on_a_true_metric_treadmill_the_program_keeps_the_planned_duration_up_to_speed_rounding(
    workout: StructuredWorkout, vdot: float
) -> None:
    # No VDOT from 20 to 85 leaves 5-25 km/h, so nothing is clamped; only the 0.1 km/h rounding remains.
    wide = Treadmill(min_speed_kmh=5.0, max_speed_kmh=25.0, max_incline_pct=15.0)
    zones = training_zones(vdot)
    program = compile_program(workout, zones, wide)
    planned = workout.planned_duration_s(zones)

    assert not any(s.speed_clamped or s.incline_clamped for s in program.sources)
    assert all(math.isclose(s.speed_kmh * 10, round(s.speed_kmh * 10)) for s in program.segments)
    # 0.05 km/h on at least 5 km/h moves a distance step's time by 1 % at most.
    assert abs(program.total_duration_s - planned) <= 0.011 * planned + 0.5 * len(program.segments)


# --------------------------------------------------------------------------- pinning speeds


def test_pinning_names_every_speed_and_says_what_the_treadmill_changed() -> None:
    workout = StructuredWorkout(
        name="From a file",
        items=(
            Step(kind=StepKind.WARMUP, duration_s=600, zone=Zone.EASY),
            Repeat(
                times=4,
                steps=(
                    Step(
                        kind=StepKind.WORK, duration_s=60, zone=Zone.REPETITION, speed_kmh=21.0, incline_pct=2
                    ),
                    Step(kind=StepKind.RECOVERY, duration_s=60, zone=Zone.EASY),
                ),
            ),
            Step(kind=StepKind.COOLDOWN, duration_s=300, zone=Zone.EASY, incline_pct=14),
        ),
    )
    small = Treadmill(min_speed_kmh=1.0, max_speed_kmh=16.0, max_incline_pct=10.0)
    pinned, changes = pin_speeds(workout, ZONES, small)
    easy = round(target_kmh(Zone.EASY, ZONES), 1)
    steps = [o.step for o in unroll(pinned)]
    assert steps[0].speed_kmh == pytest.approx(easy) and steps[1].speed_kmh == 16.0
    assert steps[1].incline_pct == 2 and steps[-1].incline_pct == 10
    assert changes == [
        "Step 2.1: 21.0 km/h is outside your treadmill's range; it runs at 16.0.",
        "Step 3: 14 % is steeper than your treadmill; it runs at 10 %.",
    ]
    # Pinned, it compiles with no zones at all and plays the same on the as-written treadmill.
    assert compile_workout(pinned, {}, AS_WRITTEN)[1].speed_kmh == 16.0
    assert pin_speeds(pinned, {}, small) == (pinned, [])
