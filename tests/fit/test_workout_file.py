"""FIT workout files: every file we write decodes with Garmin's SDK and with fitdecode, step for step
as the structure says; files come back as the same workout; hostile files are refused, never crash."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fit_tool import FitFileBuilder
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.workout_message import WorkoutMessage
from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
from fit_tool.profile.profile_type import (
    FileType,
    Intensity,
    Manufacturer,
    Sport,
    SubSport,
    WorkoutStepDuration,
    WorkoutStepTarget,
)
from fit_tool.utils.crc import crc16
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runcoach.domain.errors import InvalidInput
from runcoach.domain.generator import generate_workout
from runcoach.domain.library import BUILDABLE, belt_speeds, build
from runcoach.domain.paces import Zone, paces_for
from runcoach.domain.plans import Methodology
from runcoach.domain.structure import (
    AS_WRITTEN,
    MAX_STEP_INCLINE_PCT,
    MAX_STEP_M,
    MAX_STEP_S,
    MIN_STEP_M,
    MIN_STEP_S,
    MPH_STEP_KMH,
    REPEATABLE_KINDS,
    Repeat,
    Step,
    StepKind,
    StructuredWorkout,
    Treadmill,
    Zones,
    compile_program,
    compile_step,
)
from runcoach.domain.workouts import Goal, SegmentLabel, WorkoutSpec
from runcoach.fit.workout_file import (
    LAP_BUTTON_NOTE,
    MAX_FIT_STEPS,
    fit_to_workout,
    step_name,
    workout_to_fit,
)
from tests.fit.decoders import fitdecode_messages, garmin_messages

K = StepKind
L = SegmentLabel
ZONES = paces_for(50.0).zones
CALIBRATED = Treadmill(calibration=1.04)
CREATED = datetime(2025, 3, 1, 6, 30, tzinfo=UTC)
SERIAL = 3_141_592
TOLERANCE_PCT = 3.0
#: Seconds from the Unix epoch to the FIT epoch (1989-12-31 00:00 UTC).
FIT_EPOCH_S = 631_065_600
PROPERTY_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def intervals() -> StructuredWorkout:
    """10 min warm-up, 6 × (800 m I + 90 s jog), 5 min at M up 2 % with a note, 10 min cool-down."""
    return StructuredWorkout(
        name="6 × 800 m",
        items=(
            Step(kind=K.WARMUP, duration_s=600, zone=Zone.EASY),
            Repeat(
                times=6,
                steps=(
                    Step(kind=K.WORK, distance_m=800, zone=Zone.INTERVAL),
                    Step(kind=K.RECOVERY, duration_s=90, zone=Zone.EASY, note="jog"),
                ),
            ),
            Step(kind=K.STEADY, duration_s=300, zone=Zone.MARATHON, incline_pct=2.0, note="tall posture"),
            Step(kind=K.COOLDOWN, duration_s=600, zone=Zone.EASY),
        ),
    )


def export(
    workout: StructuredWorkout,
    zones: Zones = ZONES,
    treadmill: Treadmill = CALIBRATED,
    tolerance_pct: float = TOLERANCE_PCT,
) -> bytes:
    return workout_to_fit(
        workout, zones, treadmill, tolerance_pct=tolerance_pct, created=CREATED, serial=SERIAL
    )


def expected_steps(
    workout: StructuredWorkout, zones: Zones, treadmill: Treadmill, tolerance_pct: float
) -> list[dict[str, Any]]:
    """What each WorkoutStep message must say, worked out from the structure and the compiler."""
    expected: list[dict[str, Any]] = []

    def plain(step: Step) -> dict[str, Any]:
        belt_ms = compile_step(step, zones, treadmill).speed_kmh * treadmill.calibration / 3.6
        amount = (
            {"duration_type": "time", "duration_time": float(step.duration_s)}
            if step.duration_s is not None
            else {"duration_type": "distance", "duration_distance": step.distance_m}
        )
        intensity = {K.WARMUP: "warmup", K.RECOVERY: "rest", K.COOLDOWN: "cooldown"}.get(step.kind, "active")
        return {
            **amount,
            "target_type": "speed",
            "custom_target_speed_low": belt_ms * (1 - tolerance_pct / 100),
            "custom_target_speed_high": belt_ms * (1 + tolerance_pct / 100),
            "intensity": intensity,
            "notes": (step.incline_pct, step.note),
        }

    for item in workout.items:
        if isinstance(item, Step):
            expected.append(plain(item))
            continue
        first = len(expected)
        expected.extend(plain(step) for step in item.steps)
        expected.append(
            {"duration_type": "repeat_until_steps_cmplt", "duration_step": first, "repeat_steps": item.times}
        )
    return expected


def assert_file_says(
    data: bytes,
    workout: StructuredWorkout,
    zones: Zones = ZONES,
    treadmill: Treadmill = CALIBRATED,
    tolerance_pct: float = TOLERANCE_PCT,
) -> None:
    """Both decoders read the file without an error and find the structure in it, step for step."""
    garmin = garmin_messages(data)
    expected = expected_steps(workout, zones, treadmill, tolerance_pct)

    (file_id,) = garmin["file_id_mesgs"]
    assert file_id["type"] == "workout"
    assert file_id["manufacturer"] == "development"
    assert file_id["product"] == 0
    assert file_id["serial_number"] == SERIAL
    assert file_id["time_created"] == CREATED.timestamp() - FIT_EPOCH_S
    (header,) = garmin["workout_mesgs"]
    assert header["sport"] == "running"
    assert header["sub_sport"] == "treadmill"
    assert header["wkt_name"] == workout.name
    assert header["num_valid_steps"] == len(expected)  # the cookbook's count: repeat steps included

    steps = garmin["workout_step_mesgs"]
    assert len(steps) == len(expected)
    assert [s["message_index"] for s in steps] == list(range(len(expected)))
    for got, want in zip(steps, expected, strict=True):
        assert_step(got, want)

    by_fitdecode = [m for m in fitdecode_messages(data) if m.name == "workout_step"]
    assert len(by_fitdecode) == len(expected)
    for message, want in zip(by_fitdecode, expected, strict=True):
        assert_step({f.name: f.value for f in message.fields}, want)


#: What the wire's units leave of a value: speeds travel in mm/s (rounded twice: ours, then the range's
#: ends), distances in cm, times in ms.
WIRE_ROUNDING = {
    "custom_target_speed_low": 0.0011,
    "custom_target_speed_high": 0.0011,
    "duration_distance": 0.005,
}


def assert_step(got: dict[str, Any], want: dict[str, Any]) -> None:
    for key, value in want.items():
        if key == "notes":
            assert_notes(got[key], *value)
        elif key in WIRE_ROUNDING:
            assert got[key] == pytest.approx(value, abs=WIRE_ROUNDING[key]), key
        else:
            assert got[key] == value, key


def assert_notes(notes: str, incline_pct: float, note: str | None) -> None:
    """Notes read "Incline <the step's incline, exactly> %", then ". <note>" when the step has one."""
    incline, _, rest = notes.partition(" %")
    assert incline.startswith("Incline ")
    assert float(incline.removeprefix("Incline ")) == pytest.approx(incline_pct, rel=0, abs=1e-12)
    assert rest == ("" if note is None else f". {note}")


def effective(workout: StructuredWorkout, zones: Zones, treadmill: Treadmill) -> list[tuple[Any, ...]]:
    """What a run session plays: each segment's label, console speed, incline and whole seconds."""
    program = compile_program(workout, zones, treadmill)
    return [(s.label, s.speed_kmh, s.incline_pct, s.duration_s) for s in program.segments]


# --------------------------------------------------------------------------- writing


def test_a_workout_with_repeats_is_written_as_steps_and_one_repeat_step() -> None:
    workout = intervals()
    data = export(workout)

    assert_file_says(data, workout)
    steps = garmin_messages(data)["workout_step_mesgs"]
    assert len(steps) == 1 + 2 + 1 + 1 + 1  # warm-up, the block once, its repeat step, steady, cool-down
    assert steps[3]["duration_step"] == 1
    assert steps[3]["repeat_steps"] == 6


def test_speed_targets_are_the_belt_speed_actually_run_plus_minus_the_tolerance() -> None:
    # I at VDOT 50 compiles to a console speed; the calibrated belt runs 4 % faster than it shows.
    work = Step(kind=K.WORK, duration_s=180, zone=Zone.INTERVAL)
    console = compile_step(work, ZONES, CALIBRATED).speed_kmh
    data = export(StructuredWorkout(name="One rep", items=(work,)), tolerance_pct=5.0)

    (step,) = garmin_messages(data)["workout_step_mesgs"]
    belt_ms = console * 1.04 / 3.6
    assert step["custom_target_speed_low"] == pytest.approx(belt_ms * 0.95, abs=0.0006)
    assert step["custom_target_speed_high"] == pytest.approx(belt_ms * 1.05, abs=0.0006)
    assert step["target_value"] == 0  # a custom range, not a speed zone


def test_distance_steps_are_distance_durations_in_metres_to_the_centimetre() -> None:
    workout = StructuredWorkout(
        name="Distance",
        items=(
            Step(kind=K.WORK, distance_m=1609.344, zone=Zone.THRESHOLD),
            Step(kind=K.RECOVERY, distance_m=400, zone=Zone.EASY),
        ),
    )
    data = export(workout)

    assert_file_says(data, workout)
    steps = garmin_messages(data)["workout_step_mesgs"]
    assert [s["duration_type"] for s in steps] == ["distance", "distance"]
    assert [s["duration_value"] for s in steps] == [160934, 40000]  # centimetres on the wire


def test_zero_incline_is_written_as_a_flat_note_and_inclines_keep_their_decimals() -> None:
    workout = StructuredWorkout(
        name="Inclines",
        items=(
            Step(kind=K.STEADY, duration_s=60, zone=Zone.EASY),
            Step(kind=K.WORK, duration_s=60, zone=Zone.INTERVAL, incline_pct=4.5, note="drive the arms"),
        ),
    )

    steps = garmin_messages(export(workout))["workout_step_mesgs"]

    assert [s["notes"] for s in steps] == ["Incline 0 %", "Incline 4.5 %. drive the arms"]


def test_explicit_speeds_are_written_as_given_on_a_true_belt() -> None:
    workout = StructuredWorkout(
        name="Explicit",
        items=(Step(kind=K.STEADY, duration_s=600, zone=Zone.EASY, speed_kmh=10.8),),
    )

    (step,) = garmin_messages(export(workout, zones={}, treadmill=AS_WRITTEN, tolerance_pct=0))[
        "workout_step_mesgs"
    ]

    assert step["custom_target_speed_low"] == step["custom_target_speed_high"] == 3.0  # 10.8 km/h


@pytest.mark.parametrize(
    ("kind", "label", "name"),
    [
        (K.WARMUP, None, "warm-up"),
        (K.STEADY, None, "run"),  # a steady E step shows "run" on the tablet
        (K.WORK, None, "run (work)"),  # the same label on a work step says its kind
        (K.WORK, L.SURGE, "surge"),
        (K.STEADY, L.TEMPO, "tempo (steady)"),
        (K.RECOVERY, L.SURGE, "surge"),  # rest intensity already says recovery
        (K.COOLDOWN, None, "cool-down"),
    ],
)
def test_step_names_are_the_label_the_run_view_shows_with_the_kind_when_it_is_not_the_obvious_one(
    kind: StepKind, label: SegmentLabel | None, name: str
) -> None:
    step = Step(kind=kind, duration_s=60, zone=Zone.EASY, label=label)
    workout = StructuredWorkout(name="Names", items=(step,))

    (written,) = garmin_messages(export(workout))["workout_step_mesgs"]

    assert written["wkt_step_name"] == name
    shown = compile_program(workout, ZONES, CALIBRATED).segments[0].label
    assert step_name(kind, shown) == name


@pytest.mark.parametrize("workout_type", sorted(BUILDABLE))
@pytest.mark.parametrize("methodology", list(Methodology))
def test_every_plan_library_workout_decodes_as_built_and_comes_back_the_same(
    workout_type: Any, methodology: Methodology
) -> None:
    workout = build(workout_type, 75, methodology=methodology, belt_kmh=belt_speeds(ZONES, CALIBRATED))
    data = export(workout)

    assert_file_says(data, workout)
    back = fit_to_workout(data, zones=ZONES)
    assert effective(back, ZONES, CALIBRATED) == effective(workout, ZONES, CALIBRATED)


@pytest.mark.parametrize("goal", list(Goal))
@pytest.mark.parametrize("seed", [1, 2])
def test_every_quick_workout_decodes_as_generated_and_comes_back_the_same(goal: Goal, seed: int) -> None:
    workout = generate_workout(WorkoutSpec(duration_min=50, goal=goal), seed=seed).structure
    data = export(workout, zones={}, treadmill=AS_WRITTEN)

    assert_file_says(data, workout, zones={}, treadmill=AS_WRITTEN)
    back = fit_to_workout(data, zones=None)
    assert effective(back, {}, AS_WRITTEN) == effective(workout, {}, AS_WRITTEN)
    assert [type(i) for i in back.items] == [type(i) for i in workout.items]


def test_a_note_too_long_for_a_fit_string_is_cut_on_a_character_boundary() -> None:
    workout = StructuredWorkout(
        name="€" * 100, items=(Step(kind=K.STEADY, duration_s=60, zone=Zone.EASY, note="€" * 200),)
    )
    data = export(workout)

    (step,) = garmin_messages(data)["workout_step_mesgs"]
    assert len(step["notes"].encode()) <= 254
    assert step["notes"].startswith("Incline 0 %. €€€")
    assert garmin_messages(data)["workout_mesgs"][0]["wkt_name"] == "€" * 84  # 252 of the 254 bytes
    fitdecode_messages(data)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tolerance_pct": -1.0}, "tolerance_pct"),
        ({"tolerance_pct": float("nan")}, "tolerance_pct"),
        ({"serial": 0}, "serial"),
        ({"serial": 2**32 - 1}, "serial"),
        ({"created": datetime(1980, 1, 1, tzinfo=UTC)}, "created"),
    ],
)
def test_bad_file_settings_are_refused_by_name(change: dict[str, Any], field: str) -> None:
    arguments: dict[str, Any] = {"tolerance_pct": 3.0, "created": CREATED, "serial": SERIAL} | change
    with pytest.raises(InvalidInput) as refused:
        workout_to_fit(intervals(), ZONES, CALIBRATED, **arguments)
    assert refused.value.field == field


def test_a_naive_creation_time_is_read_as_utc() -> None:
    data = workout_to_fit(
        intervals(), ZONES, CALIBRATED, tolerance_pct=3, created=CREATED.replace(tzinfo=None), serial=SERIAL
    )
    assert garmin_messages(data)["file_id_mesgs"][0]["time_created"] == CREATED.timestamp() - FIT_EPOCH_S


# --------------------------------------------------------------------------- the round trip


NOTE_TEXT = st.text(
    alphabet=st.characters(categories=("L", "N", "P", "Zs"), exclude_characters="\x00"),
    min_size=1,
    max_size=50,
).filter(lambda text: text == text.strip() and bool(text))


@st.composite
def steps(draw: st.DrawFn, kinds: list[StepKind]) -> Step:
    timed = draw(st.booleans())
    return Step(
        kind=draw(st.sampled_from(kinds)),
        duration_s=draw(st.integers(MIN_STEP_S, MAX_STEP_S)) if timed else None,
        distance_m=None if timed else draw(st.floats(MIN_STEP_M, MAX_STEP_M, allow_nan=False)),
        zone=draw(st.sampled_from(list(Zone))),
        speed_kmh=draw(st.none() | st.floats(1.0, 30.0)),
        incline_pct=draw(st.sampled_from([0.0, 0.5, 1.0, 4.0, 15.0]) | st.floats(0.0, MAX_STEP_INCLINE_PCT)),
        label=draw(st.none() | st.sampled_from(list(SegmentLabel))),
        note=draw(st.none() | NOTE_TEXT),
    )


@st.composite
def workouts(draw: st.DrawFn) -> StructuredWorkout:
    plain = steps(list(StepKind))
    block = st.builds(
        Repeat,
        times=st.integers(2, 50),
        steps=st.lists(steps(sorted(REPEATABLE_KINDS)), min_size=1, max_size=4).map(tuple),
    )
    items = draw(st.lists(plain | block, min_size=1, max_size=8))
    return StructuredWorkout(name=draw(NOTE_TEXT), items=tuple(items))


@st.composite
def treadmills(draw: st.DrawFn) -> Treadmill:
    return Treadmill(
        min_speed_kmh=0.5,
        max_speed_kmh=30.0,
        max_incline_pct=40.0,
        speed_step_kmh=draw(st.sampled_from([0.1, MPH_STEP_KMH])),
        calibration=draw(st.floats(0.9, 1.1)),
    )


@PROPERTY_SETTINGS
@given(
    workout=workouts(),
    vdot=st.floats(30.0, 80.0),
    treadmill=treadmills(),
    tolerance_pct=st.floats(0.0, 10.0),
    with_zones=st.booleans(),
)
def test_random_workouts_come_back_from_fit_without_loss(
    workout: StructuredWorkout, vdot: float, treadmill: Treadmill, tolerance_pct: float, with_zones: bool
) -> None:
    zones = paces_for(vdot).zones
    data = export(workout, zones, treadmill, tolerance_pct)
    assert_file_says(data, workout, zones, treadmill, tolerance_pct)

    back = fit_to_workout(data, zones=zones if with_zones else None)

    assert back.name == workout.name
    assert len(back.items) == len(workout.items)
    for old, new in zip(workout.items, back.items, strict=True):
        assert type(new) is type(old)
        if isinstance(old, Repeat):
            assert isinstance(new, Repeat)
            assert new.times == old.times
            pairs = list(zip(old.steps, new.steps, strict=True))
        else:
            assert isinstance(new, Step)
            pairs = [(old, new)]
        for was, now in pairs:
            assert now.kind is was.kind
            assert now.duration_s == was.duration_s
            assert (now.distance_m is None) == (was.distance_m is None)
            if was.distance_m is not None:
                assert now.distance_m == pytest.approx(was.distance_m, abs=0.005)  # centimetres
            assert now.incline_pct == pytest.approx(was.incline_pct, rel=0, abs=1e-12)
            assert now.note == was.note
            belt = compile_step(was, zones, treadmill).speed_kmh * treadmill.calibration
            assert now.speed_kmh == pytest.approx(min(max(belt, 1.0), 30.0), abs=0.01)
            # The same program on the same belt: label, incline, console speed. The speed is the same
            # press of the console, except where the treadmill's limit is off its grid (e.g. 30 km/h
            # on an mph console): a clamped speed comes back as the grid's nearest press.
            original = compile_program(_alone(was), zones, treadmill).segments[0]
            again = compile_program(_alone(now), zones, treadmill).segments[0]
            assert (again.label, again.incline_pct) == (original.label, original.incline_pct)
            assert again.speed_kmh == pytest.approx(original.speed_kmh, abs=treadmill.speed_step_kmh / 2)
            if compile_step(was, zones, treadmill).speed_clamped is False:
                assert again.speed_kmh == original.speed_kmh


def _alone(step: Step) -> StructuredWorkout:
    return StructuredWorkout(name="one", items=(step,))


# --------------------------------------------------------------------------- foreign files


def fit_file(
    *steps: WorkoutStepMessage,
    sport: Sport = Sport.RUNNING,
    file_type: FileType = FileType.WORKOUT,
    name: str | None = "Garmin Connect run",
    num_valid_steps: int | None = None,
) -> bytes:
    """A workout file as another app writes it, built with fit-tool from the given step messages."""
    builder = FitFileBuilder(auto_define=True)
    file_id = FileIdMessage()
    file_id.type = file_type
    file_id.manufacturer = Manufacturer.GARMIN.value
    file_id.product = 0
    file_id.serial_number = 12345
    file_id.time_created = round(CREATED.timestamp() * 1000)
    builder.add(file_id)
    header = WorkoutMessage()
    if name is not None:
        header.workout_name = name
    header.sport = sport
    header.sub_sport = SubSport.GENERIC
    header.num_valid_steps = len(steps) if num_valid_steps is None else num_valid_steps
    builder.add(header)
    for step in steps:
        builder.add(step)
    data = builder.build_bytes()
    garmin_messages(data)  # every file a test writes is one Garmin's SDK reads
    fitdecode_messages(data)
    return data


def fit_step(
    index: int,
    *,
    seconds: float | None = None,
    metres: float | None = None,
    duration: WorkoutStepDuration | None = None,
    duration_value: int | None = None,
    intensity: Intensity | None = Intensity.ACTIVE,
    speed_ms: tuple[float, float] | None = None,
    target: WorkoutStepTarget = WorkoutStepTarget.OPEN,
    target_value: int | None = None,
    name: str | None = None,
    notes: str | None = None,
) -> WorkoutStepMessage:
    message = WorkoutStepMessage()
    message.message_index = index
    if name is not None:
        message.workout_step_name = name
    kind = duration or (WorkoutStepDuration.TIME if seconds is not None else WorkoutStepDuration.DISTANCE)
    message.duration_type = kind
    message.target_type = WorkoutStepTarget.SPEED if speed_ms else target
    if seconds is not None:
        message.duration_time = seconds
    elif metres is not None:
        message.duration_distance = metres
    elif duration_value is not None:
        message.duration_value = duration_value
    if speed_ms is not None:
        message.target_value = 0
        message.custom_target_speed_low, message.custom_target_speed_high = speed_ms
    elif target_value is not None:
        message.target_value = target_value
    if intensity is not None:
        message.intensity = intensity
    if notes is not None:
        message.notes = notes
    return message


def fit_repeat(index: int, back_to: int, times: int) -> WorkoutStepMessage:
    message = WorkoutStepMessage()
    message.message_index = index
    message.duration_type = WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT
    message.target_type = WorkoutStepTarget.OPEN
    message.duration_step = back_to
    message.target_repeat_steps = times
    return message


def garmin_800_repeats() -> bytes:
    """Garmin's cookbook example "Running 800m Repeats": distance steps with heart-rate zone targets."""
    hr = WorkoutStepTarget.HEART_RATE
    return fit_file(
        fit_step(0, metres=4000, target=hr, target_value=1, intensity=Intensity.WARMUP),
        fit_step(1, metres=800, target=hr, target_value=4),
        fit_step(2, metres=200, target=hr, target_value=2, intensity=Intensity.REST),
        fit_repeat(3, back_to=1, times=5),
        fit_step(4, metres=1000, target=hr, target_value=2, intensity=Intensity.COOLDOWN),
        name="Running 800m Repeats",
    )


def test_garmins_cookbook_800_repeats_imports_as_a_repeat_block_with_zones_by_intensity() -> None:
    workout = fit_to_workout(garmin_800_repeats(), zones=ZONES)

    assert workout.name == "Running 800m Repeats"
    warm, block, cool = workout.items
    assert isinstance(warm, Step) and isinstance(block, Repeat) and isinstance(cool, Step)
    assert (warm.kind, warm.distance_m, warm.zone, warm.speed_kmh) == (K.WARMUP, 4000, Zone.EASY, None)
    assert block.times == 5
    assert [(s.kind, s.distance_m, s.zone) for s in block.steps] == [
        (K.WORK, 800, Zone.THRESHOLD),  # heart-rate targets give no speed: zone by kind
        (K.RECOVERY, 200, Zone.EASY),
    ]
    assert (cool.kind, cool.distance_m) == (K.COOLDOWN, 1000)


@pytest.mark.parametrize(
    ("kmh", "zone"),
    [
        (11.0, Zone.EASY),
        (13.9, Zone.THRESHOLD),
        (15.3, Zone.INTERVAL),
        (16.5, Zone.REPETITION),
        (25, Zone.REPETITION),
    ],
)
def test_with_the_runners_zones_a_speed_target_takes_the_nearest_zone(kmh: float, zone: Zone) -> None:
    ms = kmh / 3.6
    data = fit_file(fit_step(0, seconds=300, speed_ms=(ms * 0.97, ms * 1.03)))

    (step,) = fit_to_workout(data, zones=ZONES).items

    assert isinstance(step, Step)
    assert step.speed_kmh == pytest.approx(kmh, abs=0.01)  # the middle of the range
    assert step.zone is zone


@pytest.mark.parametrize(
    ("intensity", "kind", "zone"),
    [
        (Intensity.WARMUP, K.WARMUP, Zone.EASY),
        (Intensity.ACTIVE, K.WORK, Zone.THRESHOLD),
        (Intensity.INTERVAL, K.WORK, Zone.THRESHOLD),
        (None, K.WORK, Zone.THRESHOLD),
        (Intensity.REST, K.RECOVERY, Zone.EASY),
        (Intensity.RECOVERY, K.RECOVERY, Zone.EASY),
        (Intensity.COOLDOWN, K.COOLDOWN, Zone.EASY),
    ],
)
def test_without_zones_the_kind_and_zone_come_from_the_intensity(
    intensity: Intensity | None, kind: StepKind, zone: Zone
) -> None:
    data = fit_file(fit_step(0, seconds=300, speed_ms=(3.0, 3.2), intensity=intensity))

    (step,) = fit_to_workout(data, zones=None).items

    assert isinstance(step, Step)
    assert (step.kind, step.zone, step.speed_kmh) == (kind, zone, pytest.approx(11.16))


@pytest.mark.parametrize(("kmh", "clamped"), [(30.5, 30.0), (0.5, 1.0), (12.0, 12.0)])
def test_a_speed_just_outside_the_structures_limits_is_clamped_to_them(kmh: float, clamped: float) -> None:
    # A 30 km/h step on a belt 4 % fast runs at 30.03 km/h: its own file must come back.
    data = fit_file(fit_step(0, seconds=300, speed_ms=(kmh / 3.6, kmh / 3.6)))
    (step,) = fit_to_workout(data, zones=None).items
    assert isinstance(step, Step) and step.speed_kmh == pytest.approx(clamped, abs=0.01)


def test_a_speed_zone_target_gives_no_explicit_speed() -> None:
    data = fit_file(fit_step(0, seconds=300, target=WorkoutStepTarget.SPEED, target_value=3))
    (step,) = fit_to_workout(data, zones=ZONES).items
    assert isinstance(step, Step) and step.speed_kmh is None


def test_a_lap_button_step_becomes_a_timed_step_that_tells_the_runner_to_skip() -> None:
    data = fit_file(
        fit_step(0, duration=WorkoutStepDuration.OPEN, intensity=Intensity.WARMUP),
        fit_step(1, seconds=1200, speed_ms=(3.3, 3.5)),
        fit_step(2, duration=WorkoutStepDuration.OPEN, intensity=Intensity.COOLDOWN, notes="easy"),
    )

    warm, run, cool = fit_to_workout(data, zones=ZONES).items

    assert isinstance(warm, Step) and isinstance(run, Step) and isinstance(cool, Step)
    assert (warm.kind, warm.duration_s, warm.note) == (K.WARMUP, 600, LAP_BUTTON_NOTE)
    assert run.duration_s == 1200
    assert (cool.kind, cool.duration_s, cool.note) == (K.COOLDOWN, 600, f"easy ({LAP_BUTTON_NOTE})")


def test_a_foreign_step_name_is_kept_in_the_note_and_ours_become_labels() -> None:
    data = fit_file(
        fit_step(0, seconds=600, name="Warm up", intensity=Intensity.WARMUP),
        fit_step(1, seconds=600, name="Strides x4", notes="relaxed"),
        fit_step(2, seconds=600, name="Surge", speed_ms=(4.0, 4.2)),
        fit_step(3, seconds=600, name="Run", speed_ms=(3.0, 3.1)),
    )

    warm, strides, surge, run = fit_to_workout(data, zones=ZONES).items

    assert isinstance(warm, Step) and warm.label is None and warm.note is None  # warm-up is its default
    assert isinstance(strides, Step) and strides.note == "Strides x4. relaxed"
    assert isinstance(surge, Step) and surge.label is L.SURGE and surge.kind is K.WORK
    assert isinstance(run, Step) and run.kind is K.STEADY and run.label is None  # "run" is steady E's label


def test_a_warm_up_inside_a_foreign_repeat_becomes_a_steady_step_still_called_warm_up() -> None:
    data = fit_file(
        fit_step(0, seconds=60, intensity=Intensity.WARMUP),
        fit_step(1, seconds=60),
        fit_repeat(2, back_to=0, times=3),
    )

    (block,) = fit_to_workout(data, zones=None).items

    assert isinstance(block, Repeat)
    assert (block.steps[0].kind, block.steps[0].label) == (K.STEADY, L.WARM_UP)


def test_a_repeat_of_one_is_plain_steps_and_the_declared_step_count_is_not_trusted() -> None:
    data = fit_file(
        fit_step(0, seconds=60),
        fit_step(1, seconds=60, intensity=Intensity.REST),
        fit_repeat(2, back_to=0, times=1),
        num_valid_steps=60_000,
    )

    items = fit_to_workout(data, zones=None).items

    assert [type(i) for i in items] == [Step, Step]


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (b"", "The file is empty."),
        (b"hello, world", "This is not a FIT file."),
        (b"\x20\x10" + bytes(6) + b".FIT" + bytes(20), "This is not a FIT file."),  # no such header size
        (b"\x0e\x10\x00\x00\xff\xff\xff\x7f.FIT\x00\x00" + bytes(40), "The file is cut short"),
        (bytes(1_100_000), "larger than 1024 KB"),
    ],
)
def test_files_that_are_not_fit_are_refused_in_a_sentence(data: bytes, sentence: str) -> None:
    with pytest.raises(InvalidInput, match=sentence) as refused:
        fit_to_workout(data, zones=ZONES)
    assert refused.value.field == "file"


def test_a_truncated_or_bit_flipped_workout_is_refused_as_damaged() -> None:
    data = export(intervals())
    flipped = bytearray(data)
    flipped[60] ^= 0x10

    with pytest.raises(InvalidInput, match="cut short"):
        fit_to_workout(data[:-5], zones=ZONES)
    with pytest.raises(InvalidInput, match="checksum"):
        fit_to_workout(bytes(flipped), zones=ZONES)


def test_an_activity_file_is_refused_as_not_a_workout() -> None:
    builder = FitFileBuilder(auto_define=True)
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    builder.add(file_id)
    record = RecordMessage()
    record.timestamp = round(CREATED.timestamp() * 1000)
    record.speed = 3.0
    builder.add(record)
    data = builder.build_bytes()
    garmin_messages(data)
    fitdecode_messages(data)

    with pytest.raises(InvalidInput, match=r"not a workout \(it is an activity file\)"):
        fit_to_workout(data, zones=ZONES)


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        (lambda: fit_file(fit_step(0, seconds=600), sport=Sport.CYCLING), "This is a cycling workout"),
        (lambda: fit_file(), "This workout has no steps."),
        (
            lambda: fit_file(fit_step(0, duration=WorkoutStepDuration.HR_GREATER_THAN, duration_value=250)),
            "Step 1 ends by heart rate",
        ),
        (
            lambda: fit_file(fit_step(0, duration=WorkoutStepDuration.CALORIES, duration_value=200)),
            "Step 1 ends by calories",
        ),
        (
            lambda: fit_file(
                fit_step(0, seconds=60),
                fit_step(1, duration=WorkoutStepDuration.REPEAT_UNTIL_TIME, duration_value=0),
            ),
            "Step 2 repeats until time",
        ),
        (lambda: fit_file(fit_step(0, seconds=2)), "Step 1 lasts 2 s"),
        (lambda: fit_file(fit_step(0, metres=5)), "Step 1 covers 5 m"),
        (lambda: fit_file(fit_step(0, seconds=60, speed_ms=(20.0, 21.0))), "Step 1 asks for 73.8 km/h"),
        (lambda: fit_file(fit_step(0, seconds=60, notes="Incline 25 %")), "a 25 % incline"),
        (lambda: fit_file(fit_step(0, seconds=60), fit_repeat(1, back_to=1, times=3)), "come after it"),
        (lambda: fit_file(fit_step(0, seconds=60), fit_repeat(1, back_to=7, times=3)), "does not hold"),
        (
            lambda: fit_file(
                fit_step(0, seconds=60),
                fit_step(1, seconds=60),
                fit_repeat(2, back_to=1, times=3),
                fit_repeat(3, back_to=0, times=2),
            ),
            "nested repeats",
        ),
        (
            lambda: fit_file(fit_step(0, seconds=60), fit_repeat(1, back_to=0, times=4_000_000_000)),
            "repeats 4000000000 times",
        ),
        (
            lambda: fit_file(
                *[fit_step(i, seconds=60) for i in range(11)], fit_repeat(11, back_to=0, times=2)
            ),
            "repeats 11 steps",
        ),
        (
            lambda: fit_file(*[fit_step(i, seconds=60) for i in range(MAX_FIT_STEPS + 1)]),
            f"at most {MAX_FIT_STEPS}",
        ),
        (lambda: fit_file(*[fit_step(i, seconds=60) for i in range(101)]), "at most 100"),
    ],
    ids=[
        "cycling",
        "no steps",
        "heart rate",
        "calories",
        "repeat until time",
        "too short",
        "too near",
        "too fast",
        "too steep",
        "forward repeat",
        "missing repeat target",
        "nested repeat",
        "huge repeat count",
        "huge repeat block",
        "huge step count",
        "too many items",
    ],
)
def test_workouts_a_treadmill_cannot_run_are_refused_in_a_sentence(data: Any, sentence: str) -> None:
    with pytest.raises(InvalidInput, match=sentence) as refused:
        fit_to_workout(data(), zones=ZONES)
    assert refused.value.field == "file"


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A valid workout file after a few random edits. Half the time the edits stay inside the
    messages and the header's size and both checksums are made right again, so the decoder gets
    past them and meets the damage in the definitions and fields themselves."""
    data = bytearray(draw(st.sampled_from(VALID_FILES)))
    inside = draw(st.booleans())
    header = data[0]  # 12 (fit-tool) or 14 bytes (Garmin, with a CRC of its own)
    for _ in range(draw(st.integers(1, 4))):
        low, high = (header, len(data) - 3) if inside else (0, len(data) - 1)
        if high < low:
            break
        position = draw(st.integers(low, high))
        match draw(st.sampled_from(["flip", "set", "cut", "insert", "delete"])):
            case "flip":
                data[position] ^= 1 << draw(st.integers(0, 7))
            case "set":
                data[position] = draw(st.integers(0, 255))
            case "cut":
                del data[position : len(data) - 2 if inside else len(data)]
            case "insert":
                data[position:position] = draw(st.binary(min_size=1, max_size=16))
            case "delete":
                del data[
                    position : min(position + draw(st.integers(1, 16)), len(data) - (2 if inside else 0))
                ]
    if inside:
        data[4:8] = (len(data) - header - 2).to_bytes(4, "little")
        if header == 14:
            data[12:14] = crc16(bytes(data[:12])).to_bytes(2, "little")
        data[-2:] = crc16(bytes(data[:-2])).to_bytes(2, "little")
    return bytes(data)


VALID_FILES = [
    export(intervals()),
    garmin_800_repeats(),
    export(generate_workout(WorkoutSpec(duration_min=30, goal=Goal.HILLS), seed=5).structure, {}, AS_WRITTEN),
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated(), with_zones=st.booleans())
def test_damaged_files_are_refused_or_read_never_anything_else(data: bytes, with_zones: bool) -> None:
    try:
        workout = fit_to_workout(data, zones=ZONES if with_zones else None)
    except InvalidInput as refusal:
        assert refusal.field == "file"
        assert str(refusal).endswith(".")
    else:
        assert isinstance(workout, StructuredWorkout)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400))
def test_random_bytes_are_refused(data: bytes) -> None:
    with pytest.raises(InvalidInput):
        fit_to_workout(data, zones=ZONES)


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=400))
def test_random_records_behind_a_valid_header_and_checksum_are_refused(body: bytes) -> None:
    header = bytearray(b"\x0e\x10\x00\x00" + len(body).to_bytes(4, "little") + b".FIT")
    header += crc16(bytes(header)).to_bytes(2, "little")
    data = bytes(header) + body
    data += crc16(data).to_bytes(2, "little")
    with pytest.raises(InvalidInput):
        fit_to_workout(data, zones=ZONES)
