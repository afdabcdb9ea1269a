"""Tests of the workout library: every type builds a valid workout of the asked length, framed in E,
with the shape its type promises; refusals; and a property over any type, length and treadmill."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runcoach.domain.errors import InvalidInput
from runcoach.domain.library import BUILDABLE, MAX_MINUTES, MIN_MINUTES, belt_speeds, build, title
from runcoach.domain.paces import Zone, training_zones
from runcoach.domain.plan_model import WorkoutType
from runcoach.domain.plans import Methodology, workout_numbers
from runcoach.domain.structure import (
    HILL_INCLINE_PCT,
    MPH_STEP_KMH,
    Repeat,
    Step,
    StepKind,
    StructuredWorkout,
    Treadmill,
    compile_program,
    unroll,
)

T = WorkoutType
M = Methodology
ZONES = training_zones(50.0)
TREADMILL = Treadmill(min_speed_kmh=1.0, max_speed_kmh=20.0, max_incline_pct=15.0)
BELT = belt_speeds(ZONES, TREADMILL)
QUALITY = sorted(BUILDABLE - {T.EASY, T.RECOVERY, T.LONG})
ALL_TYPES = sorted(BUILDABLE)


def seconds(workout: StructuredWorkout, treadmill: Treadmill = TREADMILL) -> int:
    return compile_program(workout, ZONES, treadmill).total_duration_s


def zones_run(workout: StructuredWorkout) -> set[Zone]:
    return {o.step.zone for o in unroll(workout)}


def hard_seconds(workout: StructuredWorkout) -> int:
    program = compile_program(workout, ZONES, TREADMILL)
    return sum(
        seg.duration_s
        for seg, o in zip(program.segments, unroll(workout), strict=True)
        if o.step.zone is not Zone.EASY
    )


@pytest.mark.parametrize("kind", ALL_TYPES)
@pytest.mark.parametrize("minutes", [MIN_MINUTES, 37, 60, 95, MAX_MINUTES])
@pytest.mark.parametrize("methodology", list(M))
def test_every_type_lasts_exactly_the_minutes_asked_when_timed(
    kind: WorkoutType, minutes: int, methodology: Methodology
) -> None:
    for variant in range(6):
        workout = build(kind, minutes, methodology=methodology, variant=variant)
        assert seconds(workout) == minutes * 60


@pytest.mark.parametrize("kind", QUALITY)
@pytest.mark.parametrize("methodology", list(M))
def test_quality_sessions_are_framed_by_an_easy_warm_up_and_cool_down(
    kind: WorkoutType, methodology: Methodology
) -> None:
    for variant in range(3):
        items = build(kind, 50, methodology=methodology, variant=variant).items
        first, last = items[0], items[-1]
        assert isinstance(first, Step) and first.kind is StepKind.WARMUP and first.zone is Zone.EASY
        assert isinstance(last, Step) and last.kind is StepKind.COOLDOWN and last.zone is Zone.EASY
        assert first.duration_s is not None and first.duration_s >= 300
        assert last.duration_s is not None and last.duration_s >= 300


def test_intervals_are_a_repeat_of_i_work_and_easy_jogs() -> None:
    workout = build(T.INTERVALS, 60, methodology=M.DANIELS, variant=0)
    blocks = [item for item in workout.items if isinstance(item, Repeat)]
    assert len(blocks) == 1
    work, jog = blocks[0].steps
    assert (work.kind, work.zone) == (StepKind.WORK, Zone.INTERVAL)
    assert (jog.kind, jog.zone) == (StepKind.RECOVERY, Zone.EASY)
    assert blocks[0].times >= 3


def test_intervals_with_the_runners_speeds_can_be_distance_reps_and_still_fit_the_minutes() -> None:
    workout = build(T.INTERVALS, 60, methodology=M.DANIELS, variant=1, belt_kmh=BELT)
    block = next(item for item in workout.items if isinstance(item, Repeat))
    assert block.steps[0].distance_m in (800.0, 1000.0, 1200.0)
    assert 55 * 60 <= seconds(workout) <= 60 * 60


def test_repetitions_are_short_r_reps_with_equal_recovery() -> None:
    workout = build(T.INTERVALS, 45, methodology=M.DANIELS, variant=1, focus=Zone.REPETITION, belt_kmh=BELT)
    block = next(item for item in workout.items if isinstance(item, Repeat))
    work, jog = block.steps
    assert work.zone is Zone.REPETITION and work.distance_m is not None and 200 <= work.distance_m <= 400
    rep_s = round(work.distance_m / (BELT[Zone.REPETITION] / 3.6))
    assert jog.duration_s == rep_s


def test_daniels_tempo_is_threshold_and_eighty_twenty_tempo_is_a_fast_finish() -> None:
    daniels = build(T.TEMPO, 60, methodology=M.DANIELS, variant=1)
    finish = build(T.TEMPO, 60, methodology=M.EIGHTY_TWENTY, variant=1)
    assert zones_run(daniels) == {Zone.EASY, Zone.THRESHOLD}
    assert any(isinstance(item, Repeat) for item in daniels.items)  # cruise intervals
    assert finish.name.startswith("Fast finish")
    work = [o.step for o in unroll(finish) if o.step.zone is Zone.THRESHOLD]
    assert len(work) == 1 and finish.items[-2] == work[0]  # the T comes at the end, before a short jog


def test_hills_climb_at_least_four_percent_within_the_treadmills_incline() -> None:
    for limit in (4.0, 6.0, 15.0):
        for variant in range(3):
            workout = build(T.HILLS, 50, methodology=M.DANIELS, variant=variant, max_incline_pct=limit)
            climbs = [o.step.incline_pct for o in unroll(workout) if o.step.kind is StepKind.WORK]
            assert climbs and all(HILL_INCLINE_PCT <= c <= limit for c in climbs)


@pytest.mark.parametrize("limit", [0.0, 2.0, 3.5])
def test_hills_on_a_treadmill_that_cannot_climb_become_a_flat_quality_session(limit: float) -> None:
    workout = build(T.HILLS, 50, methodology=M.DANIELS, max_incline_pct=limit)
    assert all(o.step.incline_pct <= limit for o in unroll(workout))
    assert "no incline" in workout.name
    assert hard_seconds(workout) > 0


def test_progression_runs_easy_then_marathon_then_threshold() -> None:
    workout = build(T.PROGRESSION, 70, methodology=M.EIGHTY_TWENTY)
    order = [o.step.zone for o in unroll(workout)]
    assert order == [Zone.EASY, Zone.MARATHON, Zone.THRESHOLD, Zone.EASY]


def test_a_long_run_is_easy_unless_asked_for_a_marathon_pace_finish() -> None:
    plain = build(T.LONG, 120, methodology=M.DANIELS)
    finish = build(T.LONG, 120, methodology=M.DANIELS, finish_minutes=25)
    assert zones_run(plain) == {Zone.EASY}
    steps = [o.step for o in unroll(finish)]
    assert [s.zone for s in steps] == [Zone.EASY, Zone.MARATHON, Zone.EASY]
    assert steps[1].duration_s == 25 * 60
    assert seconds(finish) == 120 * 60


@pytest.mark.parametrize("kind", [T.EASY, T.RECOVERY])
def test_easy_and_recovery_runs_are_all_easy(kind: WorkoutType) -> None:
    assert zones_run(build(kind, 40, methodology=M.EIGHTY_TWENTY)) == {Zone.EASY}


@pytest.mark.parametrize("kind", QUALITY)
def test_intensity_asks_for_more_or_less_time_outside_easy(kind: WorkoutType) -> None:
    light = build(kind, 60, methodology=M.DANIELS, intensity=0.15)
    heavy = build(kind, 60, methodology=M.DANIELS, intensity=0.5)
    assert 0 < hard_seconds(light) < hard_seconds(heavy)


@pytest.mark.parametrize("kind", [T.TEMPO, T.INTERVALS, T.FARTLEK, T.HILLS])
def test_another_variant_gives_a_visibly_different_session(kind: WorkoutType) -> None:
    names = {build(kind, 60, methodology=M.DANIELS, variant=v).name for v in range(3)}
    assert len(names) >= 2


def test_the_two_methodologies_write_different_fartleks() -> None:
    daniels = build(T.FARTLEK, 50, methodology=M.DANIELS)
    eighty = build(T.FARTLEK, 50, methodology=M.EIGHTY_TWENTY)
    assert Zone.INTERVAL in zones_run(daniels) and Zone.INTERVAL not in zones_run(eighty)


@pytest.mark.parametrize("kind", [T.REST, T.RACE])
def test_rest_and_race_have_no_workout_to_build(kind: WorkoutType) -> None:
    with pytest.raises(InvalidInput) as caught:
        build(kind, 30, methodology=M.DANIELS)
    assert caught.value.field == "type"


@pytest.mark.parametrize("minutes", [0, MIN_MINUTES - 1, MAX_MINUTES + 1])
def test_lengths_outside_the_library_range_are_refused(minutes: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        build(T.EASY, minutes, methodology=M.DANIELS)
    assert caught.value.field == "minutes"


def test_titles_name_the_type_and_the_minutes() -> None:
    assert title(T.TEMPO, 50, M.DANIELS) == "Tempo · 50 min"
    assert title(T.TEMPO, 50, M.EIGHTY_TWENTY) == "Fast finish · 50 min"


treadmills = st.builds(
    Treadmill,
    min_speed_kmh=st.sampled_from([0.5, 1.0, 3.0]),
    max_speed_kmh=st.sampled_from([8.0, 12.0, 16.0, 25.0]),
    max_incline_pct=st.sampled_from([0.0, 3.0, 8.0, 15.0]),
    speed_step_kmh=st.sampled_from([0.1, MPH_STEP_KMH]),
    calibration=st.floats(0.9, 1.1),
)


@given(
    kind=st.sampled_from(ALL_TYPES),
    minutes=st.integers(MIN_MINUTES, MAX_MINUTES),
    methodology=st.sampled_from(list(M)),
    variant=st.integers(0, 1000),
    intensity=st.none() | st.floats(0.0, 1.0),
    focus=st.none() | st.sampled_from([Zone.INTERVAL, Zone.REPETITION]),
    finish=st.integers(0, 60),
    vdot=st.floats(20.0, 80.0),
    treadmill=treadmills,
    with_speeds=st.booleans(),
)
@settings(max_examples=300, deadline=None)
def test_any_request_builds_a_valid_workout_within_its_minutes_measured_as_compiled(
    kind: WorkoutType,
    minutes: int,
    methodology: Methodology,
    variant: int,
    intensity: float | None,
    focus: Zone | None,
    finish: int,
    vdot: float,
    treadmill: Treadmill,
    with_speeds: bool,
) -> None:
    zones = training_zones(vdot)
    workout = build(
        kind,
        minutes,
        methodology=methodology,
        variant=variant,
        max_incline_pct=treadmill.max_incline_pct,
        intensity=intensity,
        focus=focus,
        finish_minutes=finish,
        belt_kmh=belt_speeds(zones, treadmill) if with_speeds else None,
    )
    StructuredWorkout.model_validate(workout.model_dump())  # survives a JSON round trip's validation
    program = compile_program(workout, zones, treadmill)
    assert program.total_duration_s <= minutes * 60
    assert program.total_duration_s >= minutes * 60 - 5 * 60
    assert not any(source.incline_clamped for source in program.sources)
    numbers = workout_numbers(workout, zones, treadmill)  # what the rule checker reads of it
    segments = program.segments
    assert numbers.duration_s == program.total_duration_s
    easy = [
        seg.duration_s for seg, o in zip(segments, unroll(workout), strict=True) if o.step.zone is Zone.EASY
    ]
    assert numbers.easy_duration_s == sum(easy)
    metres = sum(seg.duration_s * seg.speed_kmh * treadmill.calibration / 3.6 for seg in segments)
    assert numbers.distance_km == pytest.approx(metres / 1000, rel=1e-9)
    assert numbers.min_speed_kmh == min(seg.speed_kmh for seg in segments)
    assert numbers.max_speed_kmh == max(seg.speed_kmh for seg in segments)
    assert numbers.max_incline_pct == max(seg.incline_pct for seg in segments)
