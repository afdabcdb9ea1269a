"""Garmin FIT workout files: a structured workout to the watch (`workout_to_fit`) and back (`fit_to_workout`).

A FIT workout file is a FileId message (type workout), one Workout message (name, sport, number of
steps) and one WorkoutStep message per step. Repeat blocks stay blocks: the block's steps are written
once, followed by a repeat step ("repeat from step k, n times"), as Garmin's cookbook example does
(FIT SDK, `cs/cookbook/WorkoutEncode/Program.cs`, `CreateRun800RepeatsWorkout`).

What a step carries, on the way out and back in:

- duration: `time` in ms or `distance` in cm, exactly as the structure says;
- target: `speed` with a custom range (mm/s): the belt speed the runner really runs (the compiled
  console speed times the treadmill's calibration) ± `tolerance_pct`. On import the middle of the
  range is the step's explicit `speed_kmh`, rounded to 0.01 km/h;
- intensity: warmup, active (work and steady), rest (recovery), cooldown;
- `wkt_step_name`: the label the run view shows for the step (its own label, or the one its kind,
  zone and incline give), so watch and tablet agree. Work and steady are both "active" in FIT, so the
  name carries the kind when the label alone would suggest the other one: "run" is a steady step,
  "run (work)" a work step at E; "tempo" is work, "tempo (steady)" steady. An imported label equal to
  the one the step would get anyway is dropped (label None), so a round trip is exact;
- `notes`: "Incline 2 %" (always written, "Incline 0 %" on the flat: a treadmill runner wants to
  know), then ". " and the step's own note.

Decisions, in one place:

- `num_valid_steps` counts every WorkoutStep message, the repeat steps included. Garmin's cookbook
  does (`SetNumValidSteps(workoutSteps.Count)` after adding the repeat step); fit-tool's strict
  validator counts without them. Garmin's SDK and devices are the authority, so we follow the
  cookbook and never run fit-tool's strict mode. On import the number is ignored.
- The zone of an imported step: with the runner's `zones`, the zone nearest its speed (0 inside a
  zone's range, else the distance to the range's nearer end); without zones, or without a speed,
  by kind: warm-up, cool-down, recovery and steady are E, work is T (a hard effort of unknown kind;
  T is the mildest of the hard zones).
- A step that ends on the lap button (duration `open`, what Garmin Connect writes for "Lap Button
  Press") becomes a timed step: warm-up and cool-down 10 min, steady 10 min, work 5 min, recovery
  2 min, with a note telling the runner to press Skip when ready (the remote's Skip is the treadmill's
  lap button). Refusing them would refuse most Garmin Connect workouts, whose warm-up and cool-down
  default to the lap button.
- Refused with `InvalidInput("file", ...)`: an empty, oversized, damaged (CRC, truncated) or non-FIT
  file, a FIT file that is not a workout or not a run, a workout without steps, a step that ends by
  heart rate, calories, power or any other condition a belt cannot run, repeats that jump forward,
  nest, repeat "until" something or more than 50 times, and numbers outside the structure's limits.
  Anything the decoder raises on hostile bytes becomes the same kind of refusal.
- A speed within 1 km/h outside the structure's 1..30 km/h is clamped to it (our own export of a
  30 km/h step on a calibrated belt reads 30.03 km/h); further out it is refused.
- Heart-rate, power, cadence and speed-zone targets are read as "no explicit speed": the step keeps
  its zone (see above) and the runner's zones give the speed at run time.
- A step name that is not one of our labels (a Garmin Connect or TrainingPeaks step name) is kept at
  the front of the step's note.
- Strings: FIT strings hold at most 254 bytes of UTF-8; longer names and notes are cut on a character
  boundary (a 200-character note of 4-byte characters would not fit otherwise). NUL characters, which
  end a FIT string, are dropped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import NamedTuple

from fit_tool import FitFile, FitFileBuilder
from fit_tool.data_message import DataMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
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
from pydantic import ValidationError

from runcoach.domain.errors import InvalidInput
from runcoach.domain.generator import LABEL_EFFORT
from runcoach.domain.paces import SpeedRange, Zone
from runcoach.domain.structure import (
    AS_WRITTEN,
    MAX_ITEMS,
    MAX_NAME_CHARS,
    MAX_NOTE_CHARS,
    MAX_REPEATS,
    MAX_STEP_INCLINE_PCT,
    MAX_STEP_M,
    MAX_STEP_S,
    MAX_STEPS_PER_REPEAT,
    MAX_TARGET_KMH,
    MIN_STEP_M,
    MIN_STEP_S,
    MIN_TARGET_KMH,
    REPEATABLE_KINDS,
    Repeat,
    Step,
    StepKind,
    StructuredWorkout,
    Treadmill,
    Zones,
    compile_program,
)
from runcoach.domain.workouts import SegmentLabel

#: A workout file is a few kilobytes (about 60 bytes a step). The service refuses files over its
#: `max_import_bytes` setting (256 KiB by default) first; this cap only keeps the codec safe when it is
#: called directly, and sits above any setting a real workout file could need.
MAX_FIT_BYTES = 1024 * 1024
#: The most WorkoutStep messages a workout the structure can hold needs: every item a full repeat.
MAX_FIT_STEPS = MAX_ITEMS * (MAX_STEPS_PER_REPEAT + 1)
#: Bytes of UTF-8 a FIT string field holds: its size is one byte, the terminating NUL included.
MAX_FIT_STRING_BYTES = 254
#: `tolerance_pct` beyond this is not a target any more.
MAX_TOLERANCE_PCT = 50.0
#: FIT times count from 1989-12-31 00:00 UTC; nothing earlier can be written.
FIT_EPOCH = datetime(1989, 12, 31, tzinfo=UTC)
#: How far outside the structure's 1..30 km/h an imported speed may be and still be clamped to it: a
#: calibrated belt's rounding puts our own 30 km/h steps at 30.03 km/h on the belt.
SPEED_SLACK_KMH = 1.0
DAMAGED = "The file is damaged: its checksum does not match its contents."
#: The name of an imported workout whose file names none.
DEFAULT_NAME = "Imported workout"

#: How long a lap-button step of each kind lasts once it is on the treadmill (see the module doc).
LAP_BUTTON_S: dict[StepKind, int] = {
    StepKind.WARMUP: 600,
    StepKind.COOLDOWN: 600,
    StepKind.STEADY: 600,
    StepKind.WORK: 300,
    StepKind.RECOVERY: 120,
}
LAP_BUTTON_NOTE = "Lap-button step: press Skip when ready."

_INTENSITY: dict[StepKind, Intensity] = {
    StepKind.WARMUP: Intensity.WARMUP,
    StepKind.WORK: Intensity.ACTIVE,
    StepKind.RECOVERY: Intensity.REST,
    StepKind.COOLDOWN: Intensity.COOLDOWN,
    StepKind.STEADY: Intensity.ACTIVE,
}
#: FIT intensities that fix the kind; every other one (active, interval, other, none) is "active".
_KIND_OF_INTENSITY: dict[int, StepKind] = {
    Intensity.WARMUP.value: StepKind.WARMUP,
    Intensity.COOLDOWN.value: StepKind.COOLDOWN,
    Intensity.REST.value: StepKind.RECOVERY,
    Intensity.RECOVERY.value: StepKind.RECOVERY,
}
_ACTIVE_KINDS = (StepKind.WORK, StepKind.STEADY)
_ZONE_BY_KIND: dict[StepKind, Zone] = {
    StepKind.WARMUP: Zone.EASY,
    StepKind.COOLDOWN: Zone.EASY,
    StepKind.RECOVERY: Zone.EASY,
    StepKind.STEADY: Zone.EASY,
    StepKind.WORK: Zone.THRESHOLD,
}
#: Any zones do to find a step's default label: the label does not depend on the speed.
_PROBE_ZONES: dict[Zone, SpeedRange] = {zone: SpeedRange(min_kmh=10.0, max_kmh=10.0) for zone in Zone}

# Field numbers of the FIT profile (Profile.xlsx), read raw on import so no sub-field scaling applies.
_FILE_ID_TYPE = 0
_WORKOUT_SPORT = 4
_WORKOUT_NAME = 8
_STEP_NAME = 0
_STEP_DURATION_TYPE = 1
_STEP_DURATION_VALUE = 2
_STEP_TARGET_TYPE = 3
_STEP_TARGET_VALUE = 4
_STEP_CUSTOM_LOW = 5
_STEP_CUSTOM_HIGH = 6
_STEP_INTENSITY = 7
_STEP_NOTES = 8
_STEP_MESSAGE_INDEX = 254

_INCLINE_NOTE = re.compile(r"Incline (\d{1,3}(?:[.,]\d+)?) ?%(?:\. (.*))?", re.DOTALL)
_NAME = re.compile(r"(?P<label>[a-z][a-z -]*?)(?: \((?P<kind>work|steady)\))?")
_SPEED_TARGETS = frozenset({WorkoutStepTarget.SPEED.value, WorkoutStepTarget.SPEED_LAP.value})
#: Why a step that is not time, distance, lap button or repeat cannot run, by duration type.
_UNRUNNABLE: dict[int, str] = {
    WorkoutStepDuration.HR_LESS_THAN.value: "heart rate",
    WorkoutStepDuration.HR_GREATER_THAN.value: "heart rate",
    WorkoutStepDuration.CALORIES.value: "calories",
    WorkoutStepDuration.POWER_LESS_THAN.value: "power",
    WorkoutStepDuration.POWER_GREATER_THAN.value: "power",
    WorkoutStepDuration.TRAINING_PEAKS_TSS.value: "training load",
    WorkoutStepDuration.REPS.value: "repetitions",
}


# --------------------------------------------------------------------------- export


def workout_to_fit(
    workout: StructuredWorkout,
    zones: Zones,
    treadmill: Treadmill,
    *,
    tolerance_pct: float,
    created: datetime,
    serial: int,
) -> bytes:
    """The workout as a FIT workout file for a Garmin watch (see the module docstring).

    Speeds are what this runner runs on this treadmill: each step compiled for `zones` and
    `treadmill`, times its calibration, ± `tolerance_pct`. `created` (a naive time is read as UTC)
    and `serial` (1 .. 2**32 - 2) identify the file: Garmin devices tell workouts apart by type,
    manufacturer, product and serial. InvalidInput for a tolerance outside 0..50 %, a bad serial,
    or a zone the runner's zones lack.
    """
    if not (math.isfinite(tolerance_pct) and 0.0 <= tolerance_pct <= MAX_TOLERANCE_PCT):
        raise InvalidInput("tolerance_pct", f"The speed tolerance must be 0 to {MAX_TOLERANCE_PCT:g} %.")
    if not 0 < serial < 0xFFFFFFFF:
        raise InvalidInput("serial", "The serial number must be 1 to 4294967294.")
    if _utc(created) < FIT_EPOCH:
        raise InvalidInput("created", "A FIT file cannot be dated before 1990.")
    shown = _shown_steps(workout, zones, treadmill)
    steps = list(_step_messages(workout, shown, tolerance_pct / 100.0))
    builder = FitFileBuilder(auto_define=True)
    builder.add(_file_id(created, serial))
    builder.add(_workout_message(workout.name, len(steps)))
    for message in steps:
        builder.add(message)
    return bytes(builder.build_bytes())


class _Shown(NamedTuple):
    """What a step looks like on the belt: the label the run view shows and the belt speed (km/h)."""

    label: SegmentLabel
    belt_kmh: float


def _shown_steps(
    workout: StructuredWorkout, zones: Zones, treadmill: Treadmill
) -> dict[tuple[int, int], _Shown]:
    """Each step's label and belt speed, by (item, index in its repeat), as the compiler makes them.
    Every round of a repeat compiles alike, so the probe runs each repeat twice, not 50 times."""
    twice = [i.model_copy(update={"times": 2}) if isinstance(i, Repeat) else i for i in workout.items]
    program = compile_program(workout.model_copy(update={"items": tuple(twice)}), zones, treadmill)
    shown: dict[tuple[int, int], _Shown] = {}
    for segment, source in zip(program.segments, program.sources, strict=True):
        key = (source.item, source.step_index)
        if key not in shown:
            shown[key] = _Shown(segment.label, segment.speed_kmh * treadmill.calibration)
    return shown


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _file_id(created: datetime, serial: int) -> FileIdMessage:
    created = _utc(created)
    message = FileIdMessage()
    message.type = FileType.WORKOUT
    message.manufacturer = Manufacturer.DEVELOPMENT.value
    message.product = 0
    message.serial_number = serial
    message.time_created = round(created.timestamp() * 1000)  # fit-tool takes Unix milliseconds
    return message


def _workout_message(name: str, step_count: int) -> WorkoutMessage:
    message = WorkoutMessage()
    message.workout_name = fit_text(name)
    message.sport = Sport.RUNNING
    message.sub_sport = SubSport.TREADMILL
    # The cookbook's count: every step message, repeat steps included (see the module docstring).
    message.num_valid_steps = step_count
    return message


def _step_messages(
    workout: StructuredWorkout, shown: Mapping[tuple[int, int], _Shown], tolerance: float
) -> Iterable[WorkoutStepMessage]:
    index = 0
    for i, item in enumerate(workout.items):
        if isinstance(item, Step):
            yield _step_message(index, item, shown[(i, 0)], tolerance)
            index += 1
            continue
        first = index
        for j, step in enumerate(item.steps):
            yield _step_message(index, step, shown[(i, j)], tolerance)
            index += 1
        yield _repeat_message(index, first, item.times)
        index += 1


def _step_message(index: int, step: Step, shown: _Shown, tolerance: float) -> WorkoutStepMessage:
    message = WorkoutStepMessage()
    message.message_index = index
    message.workout_step_name = fit_text(step_name(step.kind, shown.label))
    # Types first: fit-tool scales a value by the type already set (600 s is stored as 0.6 s otherwise).
    timed = step.duration_s is not None
    message.duration_type = WorkoutStepDuration.TIME if timed else WorkoutStepDuration.DISTANCE
    message.target_type = WorkoutStepTarget.SPEED
    if step.duration_s is not None:
        message.duration_time = float(step.duration_s)
    else:
        assert step.distance_m is not None  # the model holds exactly one of the two
        message.duration_distance = round(step.distance_m, 2)
    message.target_value = 0  # zero: a custom range, not a speed zone
    belt_ms = shown.belt_kmh / 3.6
    message.custom_target_speed_low = round(belt_ms * (1.0 - tolerance), 3)
    message.custom_target_speed_high = round(belt_ms * (1.0 + tolerance), 3)
    message.intensity = _INTENSITY[step.kind]
    message.notes = fit_text(step_notes(step.incline_pct, step.note))
    return message


def _repeat_message(index: int, first: int, times: int) -> WorkoutStepMessage:
    message = WorkoutStepMessage()
    message.message_index = index
    message.duration_type = WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT
    message.target_type = WorkoutStepTarget.OPEN
    message.duration_step = first
    message.target_repeat_steps = times
    return message


def step_name(kind: StepKind, label: SegmentLabel) -> str:
    """The FIT step name: the label, and the kind in brackets when the label suggests the other
    active kind ("run" is steady, "run (work)" is not; see the module docstring)."""
    if kind not in _ACTIVE_KINDS or kind is _implied_kind(label):
        return label.value
    return f"{label.value} ({kind.value})"


def _implied_kind(label: SegmentLabel) -> StepKind:
    """The kind an active step with this label is read as: the generator's kind for the label when
    that kind is active, else work."""
    kind = LABEL_EFFORT[label][0]
    return kind if kind in _ACTIVE_KINDS else StepKind.WORK


def step_notes(incline_pct: float, note: str | None) -> str:
    """The FIT step notes: "Incline 2 %", then ". " and the step's note if it has one. The incline is
    written in full (shortest exact form), so it comes back as the very same number."""
    incline = f"Incline {_exact(incline_pct)} %"
    return incline if note is None else f"{incline}. {note}"


def _exact(value: float) -> str:
    """A number's shortest text that reads back as the same float, without an exponent: 2, 4.5, 0.0625.
    Below 1e-4 (where Python would write an exponent) twelve decimals: 1e-13 % of incline is 0 %."""
    text = repr(float(value))
    if "e" in text:
        text = f"{value:.12f}".rstrip("0")
    return text.removesuffix(".0").removesuffix(".")


def fit_text(text: str, limit: int = MAX_FIT_STRING_BYTES) -> str:
    """`text` as a FIT string holds it: without NUL characters, at most `limit` bytes of UTF-8, cut on
    a character boundary."""
    encoded = text.replace("\x00", "").encode("utf-8")
    if len(encoded) <= limit:
        return text.replace("\x00", "")
    return encoded[:limit].decode("utf-8", errors="ignore")


# --------------------------------------------------------------------------- import


def fit_to_workout(data: bytes, *, zones: Zones | None) -> StructuredWorkout:
    """A FIT workout file (from Garmin Connect, TrainingPeaks, intervals.icu or RunCoach) as a structured
    workout: repeats kept, speed ranges turned into explicit speeds, zones from `zones` (the runner's,
    None when they have none). InvalidInput("file", sentence) for anything that is not a running workout
    a treadmill can play; nothing else escapes, whatever the bytes (see the module docstring)."""
    file_id, workout, steps = _read(data)
    _check_kind_of_file(file_id, workout)
    if not steps:
        raise InvalidInput("file", "This workout has no steps.")
    if len(steps) > MAX_FIT_STEPS:
        raise InvalidInput(
            "file", f"This workout has {len(steps)} steps; RunCoach takes at most {MAX_FIT_STEPS}."
        )
    name = _text(_raw(workout, _WORKOUT_NAME), MAX_NAME_CHARS) or DEFAULT_NAME
    try:
        items = _items(*_ordered(steps), zones)
        if len(items) > MAX_ITEMS:
            raise InvalidInput(
                "file", f"This workout has {len(items)} parts; RunCoach takes at most {MAX_ITEMS}."
            )
        return StructuredWorkout(name=name, items=tuple(items))
    except ValidationError as error:  # the checks before each model should leave nothing for this
        raise InvalidInput("file", f"This workout does not fit RunCoach's limits: {_first(error)}") from None


def _read(data: bytes) -> tuple[DataMessage | None, DataMessage | None, list[DataMessage]]:
    """The FileId, the Workout and the WorkoutStep messages, decoded by fit-tool with the CRC checked."""
    if not isinstance(data, bytes | bytearray | memoryview) or len(data) == 0:
        raise InvalidInput("file", "The file is empty.")
    if len(data) > MAX_FIT_BYTES:
        raise InvalidInput("file", f"The file is larger than {MAX_FIT_BYTES // 1024} KB; no workout file is.")
    if len(data) < 14 or bytes(data[8:12]) != b".FIT" or data[0] not in (12, 14):
        raise InvalidInput("file", "This is not a FIT file.")
    end = data[0] + int.from_bytes(data[4:8], "little")  # header and records; the file's CRC follows
    if len(data) < end + 2:
        raise InvalidInput("file", "The file is cut short: it ends before the data its header announces.")
    # Checked before decoding: a flipped bit would otherwise surface as whatever it broke first.
    if crc16(bytes(data[:end])) != int.from_bytes(data[end : end + 2], "little"):
        raise InvalidInput("file", DAMAGED)
    try:
        records = FitFile.from_bytes(bytes(data)).records
        messages = [r.message for r in records if isinstance(r.message, DataMessage)]
    except Exception as error:  # fit-tool raises many kinds on hostile bytes; all mean the same to a runner
        raise InvalidInput("file", _damage(error)) from None
    by_id: dict[int, list[DataMessage]] = {}
    for message in messages:
        by_id.setdefault(message.global_id, []).append(message)
    first = by_id.get(FileIdMessage.ID, [None])[0]
    workout = by_id.get(WorkoutMessage.ID, [None])[0]
    return first, workout, by_id.get(WorkoutStepMessage.ID, [])


def _damage(error: Exception) -> str:
    if "crc" in str(error).lower() or "checksum" in str(error).lower():
        return DAMAGED
    if "truncated" in str(error).lower():
        return "The file is cut short: it ends before its last message."
    return "The file could not be read as a FIT file; it may be damaged."


def _check_kind_of_file(file_id: DataMessage | None, workout: DataMessage | None) -> None:
    file_type = _raw(file_id, _FILE_ID_TYPE) if file_id is not None else None
    if file_type != FileType.WORKOUT.value:
        what = _enum_words(FileType, file_type)
        said = f" (it is {_a(what)} file)" if what else ""
        raise InvalidInput("file", f"This FIT file is not a workout{said}; upload a workout file.")
    if workout is None:
        raise InvalidInput("file", "This FIT workout file holds no workout.")
    sport = _raw(workout, _WORKOUT_SPORT)
    if sport != Sport.RUNNING.value:
        what = _enum_words(Sport, sport)
        said = f"a {what} workout" if what else "not a running workout"
        raise InvalidInput("file", f"This is {said}; RunCoach imports running workouts only.")


def _ordered(steps: list[DataMessage]) -> tuple[list[DataMessage], dict[int, int]]:
    """The steps by message index when every one has a distinct index (what a repeat step refers to),
    else as filed; and where each index a repeat may name sits in that order."""
    indexes = [i for i in (_raw(s, _STEP_MESSAGE_INDEX) for s in steps) if isinstance(i, int)]
    if len(indexes) == len(steps) and len(set(indexes)) == len(indexes):
        order = sorted(range(len(steps)), key=lambda position: indexes[position])
        return [steps[p] for p in order], {indexes[p]: position for position, p in enumerate(order)}
    return steps, {position: position for position in range(len(steps))}


class _Pending(NamedTuple):
    """A plain step read from the file, with its 1-based number for the runner's sake."""

    number: int
    step: Step


def _items(
    steps: Sequence[DataMessage], position_of: Mapping[int, int], zones: Zones | None
) -> list[Step | Repeat]:
    """The structure's items: plain steps as they come, and each repeat step closing a block of the
    steps since the previous repeat (see the module docstring for what is refused)."""
    items: list[Step | Repeat] = []
    pending: list[_Pending] = []
    start = 0  # position of the first step not yet closed into an item
    for position, message in enumerate(steps):
        number = position + 1
        duration_type = _raw(message, _STEP_DURATION_TYPE)
        if duration_type == WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT.value:
            target = _raw(message, _STEP_DURATION_VALUE)
            first = position_of.get(target) if isinstance(target, int) else None
            items.extend(_close_repeat(message, number, first, position - start, pending))
            pending, start = [], position + 1
        else:
            pending.append(_Pending(number, _step(message, number, duration_type, zones)))
    items.extend(p.step for p in pending)
    return items


def _close_repeat(
    message: DataMessage, number: int, first: int | None, since: int, pending: list[_Pending]
) -> list[Step | Repeat]:
    """The items a repeat step closes: the plain steps before its block, then the block. `first` is the
    position it jumps back to, `since` how many plain steps came since the previous repeat."""
    position = number - 1
    if first is None:
        raise InvalidInput("file", f"Step {number} repeats a step the file does not hold.")
    if first >= position:
        raise InvalidInput(
            "file", f"Step {number} repeats steps that come after it; RunCoach cannot run that."
        )
    if first < position - since:
        raise InvalidInput(
            "file", f"Step {number} repeats another repeat (nested repeats); RunCoach keeps one level."
        )
    times = _raw(message, _STEP_TARGET_VALUE)
    if not isinstance(times, int):
        raise InvalidInput("file", f"Step {number} repeats a block without saying how many times.")
    if times > MAX_REPEATS:
        raise InvalidInput(
            "file", f"Step {number} repeats {times} times; RunCoach repeats a block at most {MAX_REPEATS}."
        )
    cut = len(pending) - (position - first)
    before, block = [p.step for p in pending[:cut]], pending[cut:]
    if times <= 1:  # once is no repeat (0 read as once: the steps are there to run)
        return [*before, *(p.step for p in block)]
    if len(block) > MAX_STEPS_PER_REPEAT:
        raise InvalidInput(
            "file",
            f"Step {number} repeats {len(block)} steps; "
            f"a RunCoach repeat holds at most {MAX_STEPS_PER_REPEAT}.",
        )
    return [*before, Repeat(times=times, steps=tuple(_repeatable(p.step) for p in block))]


def _repeatable(step: Step) -> Step:
    """A step as a repeat may hold it: a warm-up or cool-down inside a foreign repeat becomes a steady
    step that keeps its label, so the run view still calls it what the file did."""
    if step.kind in REPEATABLE_KINDS:
        return step
    label = step.label or (SegmentLabel.WARM_UP if step.kind is StepKind.WARMUP else SegmentLabel.COOL_DOWN)
    return step.model_copy(update={"kind": StepKind.STEADY, "label": label})


def _step(message: DataMessage, number: int, duration_type: object, zones: Zones | None) -> Step:
    name = _text(_raw(message, _STEP_NAME), MAX_FIT_STRING_BYTES)
    label, named_kind = _parse_name(name)
    kind = _kind(_raw(message, _STEP_INTENSITY), named_kind)
    incline, note = _parse_notes(_text(_raw(message, _STEP_NOTES), MAX_FIT_STRING_BYTES), number)
    if label is None and name:  # a foreign step name: keep it with the note
        note = f"{name}. {note}" if note else name
    if duration_type == WorkoutStepDuration.OPEN.value:
        note = f"{note} ({LAP_BUTTON_NOTE})" if note else LAP_BUTTON_NOTE
    seconds, metres = _amount(message, number, duration_type, kind)
    speed = _speed(message, number)
    step = Step(
        kind=kind,
        duration_s=seconds,
        distance_m=metres,
        zone=_zone(speed, kind, zones),
        speed_kmh=speed,
        incline_pct=incline,
        note=_clip(note, MAX_NOTE_CHARS),
    )
    if label is not None and label is not _default_label(step):
        step = step.model_copy(update={"label": label})
    return step


def _parse_name(name: str | None) -> tuple[SegmentLabel | None, StepKind | None]:
    """The label and the kind a step name says, ("tempo (steady)" -> tempo, steady); (None, None) for
    a name that is not ours. Case, spaces and underscores are forgiven ("Warm up" is warm-up)."""
    if not name:
        return None, None
    match = _NAME.fullmatch(name.strip().lower().replace("_", " "))
    if match is None:
        return None, None
    try:
        label = SegmentLabel(match["label"].strip().replace(" ", "-"))
    except ValueError:
        return None, None
    return label, _implied_kind(label) if match["kind"] is None else StepKind(match["kind"])


def _kind(intensity: object, named: StepKind | None) -> StepKind:
    if isinstance(intensity, int) and intensity in _KIND_OF_INTENSITY:
        return _KIND_OF_INTENSITY[intensity]
    return named if named in _ACTIVE_KINDS else StepKind.WORK


def _parse_notes(notes: str | None, number: int) -> tuple[float, str | None]:
    """The incline our notes start with ("Incline 2 %. note") and the rest; 0 % and the whole notes
    when they do not start with one."""
    if not notes:
        return 0.0, None
    match = _INCLINE_NOTE.fullmatch(notes)
    if match is None:
        return 0.0, notes
    incline = float(match[1].replace(",", "."))
    if incline > MAX_STEP_INCLINE_PCT:
        raise InvalidInput(
            "file",
            f"Step {number} asks for a {incline:g} % incline; "
            f"RunCoach plans at most {MAX_STEP_INCLINE_PCT:g} %.",
        )
    return incline, match[2] or None


def _amount(
    message: DataMessage, number: int, duration_type: object, kind: StepKind
) -> tuple[int | None, float | None]:
    """The step's (duration_s, distance_m), one of them None, from the raw value (ms or cm)."""
    if duration_type == WorkoutStepDuration.OPEN.value:
        return LAP_BUTTON_S[kind], None
    value = _raw(message, _STEP_DURATION_VALUE)
    if duration_type == WorkoutStepDuration.TIME.value and isinstance(value, int):
        seconds = round(value / 1000)
        if not MIN_STEP_S <= seconds <= MAX_STEP_S:
            raise InvalidInput(
                "file",
                f"Step {number} lasts {_clock(value / 1000)}; "
                f"a step lasts {MIN_STEP_S} s to {MAX_STEP_S // 3600} h.",
            )
        return seconds, None
    if duration_type == WorkoutStepDuration.DISTANCE.value and isinstance(value, int):
        metres = value / 100
        if not MIN_STEP_M <= metres <= MAX_STEP_M:
            raise InvalidInput(
                "file",
                f"Step {number} covers {metres:g} m; "
                f"a step covers {MIN_STEP_M:g} m to {MAX_STEP_M / 1000:g} km.",
            )
        return None, metres
    raise InvalidInput(
        "file", f"Step {number} {_unrunnable(duration_type)}; RunCoach runs steps by time or distance."
    )


def _unrunnable(duration_type: object) -> str:
    """What ends a step a belt cannot run, in words: "ends by heart rate", "repeats until time"."""
    words = _enum_words(WorkoutStepDuration, duration_type)
    if words is not None and words.startswith("repeat until "):
        return f"repeats {words.removeprefix('repeat ')}"
    if isinstance(duration_type, int) and duration_type in _UNRUNNABLE:
        return f"ends by {_UNRUNNABLE[duration_type]}"
    if words is not None and words not in ("time", "distance"):
        return f'ends by "{words}"'
    return "has no time or distance"


def _speed(message: DataMessage, number: int) -> float | None:
    """The middle of a custom speed range, km/h to 0.01; None for any other target."""
    target_type, target_value = _raw(message, _STEP_TARGET_TYPE), _raw(message, _STEP_TARGET_VALUE)
    if target_type not in _SPEED_TARGETS or target_value not in (0, None):
        return None  # no target, another kind of target, or a speed zone (target_value 1..10)
    lows_highs = (_raw(message, _STEP_CUSTOM_LOW), _raw(message, _STEP_CUSTOM_HIGH))
    ends = [v for v in lows_highs if isinstance(v, int) and v > 0]
    if not ends:
        return None
    kmh = round(sum(ends) / len(ends) / 1000 * 3.6, 2)  # mm/s -> km/h
    if not MIN_TARGET_KMH - SPEED_SLACK_KMH <= kmh <= MAX_TARGET_KMH + SPEED_SLACK_KMH:
        raise InvalidInput(
            "file",
            f"Step {number} asks for {kmh:.1f} km/h; "
            f"a treadmill runs {MIN_TARGET_KMH:g} to {MAX_TARGET_KMH:g} km/h.",
        )
    return min(max(kmh, MIN_TARGET_KMH), MAX_TARGET_KMH)


def _zone(speed: float | None, kind: StepKind, zones: Zones | None) -> Zone:
    if speed is None or not zones:
        return _ZONE_BY_KIND[kind]
    return nearest_zone(speed, zones)


def nearest_zone(speed_kmh: float, zones: Zones) -> Zone:
    """The runner's zone nearest a belt speed: one whose range holds it, else the one whose range ends
    closest to it; ties go to the slower zone. `zones` must hold at least one zone."""

    def gap(zone: Zone) -> float:
        r = zones[zone]
        return max(r.min_kmh - speed_kmh, speed_kmh - r.max_kmh, 0.0)

    return min((z for z in Zone if z in zones), key=gap)


def _default_label(step: Step) -> SegmentLabel:
    """The label the run view gives this step when it names none (its kind, zone and incline decide)."""
    probe = StructuredWorkout(
        name="probe", items=(step.model_copy(update={"label": None, "speed_kmh": None}),)
    )
    return compile_program(probe, _PROBE_ZONES, AS_WRITTEN).segments[0].label


# --------------------------------------------------------------------------- small helpers


def _raw(message: DataMessage | None, field_id: int) -> int | str | None:
    """A field's value as stored (no scale, no sub-field): None when absent or the FIT invalid value."""
    if message is None:
        return None
    field = message.get_field(field_id)
    if field is None or not field.encoded_values:
        return None
    value = field.encoded_values[0]
    if isinstance(value, str):
        return value
    if not isinstance(value, int) or isinstance(value, bool) or value == field.base_type.invalid_raw_value():
        return None
    return value


def _text(value: int | str | None, limit: int) -> str | None:
    """A string field, whitespace trimmed, at most `limit` characters; None when empty or not a string."""
    if not isinstance(value, str):
        return None
    return _clip(value.strip(), limit)


def _clip(text: str | None, limit: int) -> str | None:
    if not text:
        return None
    return text[:limit].strip() or None


def _enum_words(enum: type[Enum], value: object) -> str | None:
    """An enum value's name in words ("repeat until hr less than" -> "repeat until heart rate less than")."""
    try:
        words = str(enum(value).name).lower().split("_")
    except ValueError:
        return None
    return " ".join("heart rate" if word == "hr" else word for word in words)


def _a(words: str) -> str:
    return f"an {words}" if words[0] in "aeiou" else f"a {words}"


def _clock(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:g} s"
    return f"{seconds / 60:.0f} min" if seconds < 3600 else f"{seconds / 3600:.1f} h"


def _first(error: ValidationError) -> str:
    details = error.errors()
    return str(details[0]["msg"]) if details else "invalid workout"
