"""The structured workout form plans use, and its compiler to the flat program a run session plays.

Pure: standard library, pydantic and `runcoach.domain` only.

A `StructuredWorkout` is what a planner (a person, the coach, a plan template, the quick generator)
writes: steps with a kind, a duration *or* a distance, a Daniels zone as the pace target, and repeat
blocks of work and recovery. It holds targets, not speeds: the same workout serves a runner whatever
their fitness, and stays right when their VDOT changes (a step may still name a speed, see below).
`compile_program` turns it into the treadmill program for one runner (their zones) on one treadmill
(its limits, console step and calibration): a flat tuple of `Segment`s with concrete console speed,
incline and whole-second duration, plus where each segment came from. Repeats exist only in the
structure; they are unrolled here and nowhere else.

Decisions, in one place:

- Speed inside a zone (`ZONE_POINT`): E and M at the middle of the range (M's range is the predicted
  marathon pace ± 2 %, so its middle *is* that pace); T at the fast end, which is the single T pace
  Daniels' tables print; I at the middle, which is the table's I pace; R at the slow end, 105 % of
  VO2max, which matches the table's R (88 s per 400 m at VDOT 50) within 0.5 % and keeps short fast
  reps on a moving belt on the safe side. The zone alone decides: a recovery at E runs at the same
  speed as an easy warm-up.
- Console speed: the belt speed divided by the calibration factor (belt / console), rounded to the
  console's step (0.1 km/h or 0.1 mph), then clamped to the treadmill's range. Incline is rounded to
  the console's incline step, then clamped to 0 .. max incline. Round first, then clamp, so a limit
  that is not on the grid is still reachable; a clamp is reported in `SegmentSource`, never silent.
- Distances become durations at the belt speed actually run (console speed × calibration, after the
  clamp), so 800 m on the program is 800 m on the belt; whole seconds, at least one.
- Nesting: one level only. A `Repeat` holds plain steps (work, recovery or steady); a repeat inside a
  repeat, and a warm-up or cool-down inside one, are refused. Every session we plan (intervals,
  hills, fartlek, ladders) is a sequence of repeats, and one level is what FIT watches show well.
- Incline defaults to 0 %: the structure says what the planner asked for, and a planner who wants the
  customary 1 % that offsets the missing air resistance writes it.
- One segment per step occurrence, never merged, so segments, laps and sources line up one to one.
- A step may name an explicit belt speed (`speed_kmh`) instead of its zone's: the quick generator
  writes speeds as multiples of the runner's easy speed, an imported workout the pace it was given.
  The zone still says the effort (easy share, FIT intensity, the coach), and the speed is compiled
  like a zone's target: calibrated, on the console's step, within its limits. A step may also name
  its `label` (what the run view calls it, e.g. "surge"); by default the kind, zone and incline do.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import Annotated, Literal, NamedTuple, Self, assert_never

from pydantic import BaseModel, ConfigDict, Field, model_validator

from runcoach.domain.accounts import Units
from runcoach.domain.errors import InvalidInput
from runcoach.domain.paces import MILE_M, SpeedRange, Zone
from runcoach.domain.workouts import Number, Segment, SegmentLabel, WholeNumber

#: Bounds of one step: below them a treadmill cannot even change speed; above them it is a typo.
MIN_STEP_S = 5
MAX_STEP_S = 6 * 3600
MIN_STEP_M = 20.0
MAX_STEP_M = 100_000.0
MAX_STEP_INCLINE_PCT = 15.0
#: An explicit speed target (km/h): slower is walking in place, faster no treadmill runs.
MIN_TARGET_KMH = 1.0
MAX_TARGET_KMH = 30.0
MAX_NOTE_CHARS = 200
MAX_NAME_CHARS = 100
MIN_REPEATS = 2
MAX_REPEATS = 50
MAX_STEPS_PER_REPEAT = 10
MAX_ITEMS = 100

#: Console steps: a metric console moves 0.1 km/h a press, an imperial one 0.1 mph.
KMH_STEP = 0.1
MPH_STEP_KMH = 0.1 * MILE_M / 1000.0
#: km/h in one mph.
KMH_PER_MPH = MILE_M / 1000.0
#: Bounds of the calibration factor (belt / console): beyond ±20 % it is a typo, not a belt.
MIN_CALIBRATION = 0.8
MAX_CALIBRATION = 1.2
#: What a treadmill's limits may be (km/h, %): outside these a value is a typo, not a treadmill.
MIN_SPEED_KMH = (0.5, 10.0)
MAX_SPEED_KMH = (5.0, 30.0)
MAX_INCLINE_PCT = (0.0, 40.0)
#: A work step at this incline or steeper is a hill, whatever its pace.
HILL_INCLINE_PCT = 4.0
#: Decimals kept in compiled speeds and inclines: enough for 0.1 mph steps, none of the float noise.
_DECIMALS = 6


class StepKind(StrEnum):
    WARMUP = "warmup"
    WORK = "work"
    RECOVERY = "recovery"
    COOLDOWN = "cooldown"
    STEADY = "steady"


#: Which point of a zone's speed range a step targets, as a fraction from slow (0) to fast (1).
ZONE_POINT: dict[Zone, float] = {
    Zone.EASY: 0.5,
    Zone.MARATHON: 0.5,
    Zone.THRESHOLD: 1.0,
    Zone.INTERVAL: 0.5,
    Zone.REPETITION: 0.0,
}

#: Kinds a repeat may hold: the framing of a session belongs outside its repeats.
REPEATABLE_KINDS = frozenset({StepKind.WORK, StepKind.RECOVERY, StepKind.STEADY})

_PACED_LABEL: dict[Zone, SegmentLabel] = {
    Zone.EASY: SegmentLabel.RUN,
    Zone.MARATHON: SegmentLabel.STEADY,
    Zone.THRESHOLD: SegmentLabel.TEMPO,
    Zone.INTERVAL: SegmentLabel.INTERVAL,
    Zone.REPETITION: SegmentLabel.SPRINT,
}

_KIND_WORDS: dict[StepKind, str] = {
    StepKind.WARMUP: "warm-up",
    StepKind.WORK: "",
    StepKind.RECOVERY: "recovery",
    StepKind.COOLDOWN: "cool-down",
    StepKind.STEADY: "steady",
}


class Step(BaseModel):
    """One stretch with one pace target: a duration or a distance, never both."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["step"] = "step"
    kind: StepKind
    duration_s: WholeNumber | None = Field(default=None, ge=MIN_STEP_S, le=MAX_STEP_S)
    distance_m: Number | None = Field(default=None, ge=MIN_STEP_M, le=MAX_STEP_M)
    zone: Zone
    #: An explicit belt speed instead of the zone's target; the zone still names the effort.
    speed_kmh: Number | None = Field(default=None, ge=MIN_TARGET_KMH, le=MAX_TARGET_KMH)
    incline_pct: Number = Field(default=0.0, ge=0.0, le=MAX_STEP_INCLINE_PCT)
    #: What the run view calls the step; by default its kind, zone and incline decide.
    label: SegmentLabel | None = None
    note: str | None = Field(default=None, min_length=1, max_length=MAX_NOTE_CHARS)

    @model_validator(mode="after")
    def _one_amount(self) -> Self:
        if (self.duration_s is None) == (self.distance_m is None):
            raise ValueError("a step needs exactly one of duration_s and distance_m")
        return self


class Repeat(BaseModel):
    """A block of steps run `times` times in a row; kept as a block so plans and FIT keep the shape."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["repeat"] = "repeat"
    times: WholeNumber = Field(ge=MIN_REPEATS, le=MAX_REPEATS)
    # Typed as plain steps: a nested repeat fails the `type` literal, which is the refusal we want.
    steps: tuple[Step, ...] = Field(min_length=1, max_length=MAX_STEPS_PER_REPEAT)

    @model_validator(mode="after")
    def _only_repeatable_kinds(self) -> Self:
        framing = [s.kind.value for s in self.steps if s.kind not in REPEATABLE_KINDS]
        if framing:
            raise ValueError(f"a repeat holds work, recovery and steady steps only, not {', '.join(framing)}")
        return self


Item = Annotated[Step | Repeat, Field(discriminator="type")]
Zones = Mapping[Zone, SpeedRange]


class StructuredWorkout(BaseModel):
    """A workout: a name and steps or repeats, in order. Holds zone targets, speeds only where named."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    items: tuple[Item, ...] = Field(min_length=1, max_length=MAX_ITEMS)

    def planned_duration_s(self, zones: Zones, treadmill: Treadmill | None = None) -> float:
        """Total seconds, distances run at the target pace (or, given a treadmill, the speed it runs)."""
        return sum(_step_seconds(o.step, _belt_kmh(o.step, zones, treadmill)) for o in unroll(self))

    def total_distance_m(self, zones: Zones, treadmill: Treadmill | None = None) -> float:
        """Total metres, timed steps covered at the target pace (or the speed the treadmill runs)."""
        return sum(_step_metres(o.step, _belt_kmh(o.step, zones, treadmill)) for o in unroll(self))

    def easy_share(self, zones: Zones, treadmill: Treadmill | None = None) -> float:
        """The fraction of the time spent in zone E: the number an 80/20 rule checks."""
        easy = sum(
            _step_seconds(o.step, _belt_kmh(o.step, zones, treadmill))
            for o in unroll(self)
            if o.step.zone is Zone.EASY
        )
        return easy / self.planned_duration_s(zones, treadmill)


class Treadmill(BaseModel):
    """One treadmill's console: its limits, the size of one button press, and how true its speed is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_speed_kmh: Number = Field(default=1.0, ge=MIN_SPEED_KMH[0], le=MIN_SPEED_KMH[1])
    max_speed_kmh: Number = Field(default=16.0, ge=MAX_SPEED_KMH[0], le=MAX_SPEED_KMH[1])
    max_incline_pct: Number = Field(default=12.0, ge=MAX_INCLINE_PCT[0], le=MAX_INCLINE_PCT[1])
    #: `KMH_STEP` for a km/h console, `MPH_STEP_KMH` for an mph one.
    speed_step_kmh: Number = Field(default=KMH_STEP, ge=0.01, le=1.0)
    incline_step_pct: Number = Field(default=0.5, ge=0.1, le=5.0)
    #: Belt speed / console speed, measured by timing belt laps. Beyond ±20 % it is a typo, not a belt.
    calibration: Number = Field(default=1.0, ge=MIN_CALIBRATION, le=MAX_CALIBRATION)

    @model_validator(mode="after")
    def _range(self) -> Self:
        if self.min_speed_kmh >= self.max_speed_kmh:
            raise ValueError("min_speed_kmh must be below max_speed_kmh")
        return self

    @property
    def unit(self) -> ConsoleUnit:
        """The unit the console reads in, told by its step: a whole number of 0.1 km/h presses is a
        km/h console (0.1, 0.5, 1 km/h), else a whole number of 0.1 mph presses an mph one; anything
        else (a step the API was given by hand) reads as km/h, the unit the limits are stored in."""
        if _whole(self.speed_step_kmh / KMH_STEP):
            return ConsoleUnit.KMH
        return ConsoleUnit.MPH if _whole(self.speed_step_kmh / MPH_STEP_KMH) else ConsoleUnit.KMH

    @property
    def console(self) -> Console:
        """What a run session keeps of this treadmill to show its numbers."""
        return Console(unit=self.unit, calibration=self.calibration)


#: The widest treadmill the limits allow, on the 0.1 km/h and 0.5 % grid with a true belt: it plays
#: explicit speeds as written, so a quick workout (its speeds already within the runner's limits)
#: compiles to exactly what the generator chose.
AS_WRITTEN = Treadmill(
    min_speed_kmh=MIN_SPEED_KMH[0], max_speed_kmh=MAX_SPEED_KMH[1], max_incline_pct=MAX_INCLINE_PCT[1]
)


class ConsoleUnit(StrEnum):
    KMH = "kmh"
    MPH = "mph"


class Console(BaseModel):
    """A treadmill console as a run session shows it: the unit its speed reads in, and how true it is.

    Compiled segments hold the console speed in km/h (`compile_program`); this turns one into the
    number to press (`reading`) and into the speed the belt really runs (`belt_kmh`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: ConsoleUnit = ConsoleUnit.KMH
    calibration: Number = Field(default=1.0, ge=MIN_CALIBRATION, le=MAX_CALIBRATION)

    def reading(self, console_kmh: float) -> float:
        """The console speed in the console's own unit, to the 0.1 it displays."""
        return round(to_console_unit(console_kmh, self.unit), 1)

    def belt_kmh(self, console_kmh: float) -> float:
        """The speed the belt runs at when the console shows `console_kmh`."""
        return console_kmh * self.calibration


def to_console_unit(kmh: float, unit: ConsoleUnit) -> float:
    """A speed in km/h read in `unit`."""
    return kmh if unit is ConsoleUnit.KMH else kmh / KMH_PER_MPH


def from_console_unit(value: float, unit: ConsoleUnit) -> float:
    """A speed typed in `unit`, in km/h."""
    return value if unit is ConsoleUnit.KMH else value * KMH_PER_MPH


def step_for(unit: ConsoleUnit) -> float:
    """One press of a console in `unit`, in km/h."""
    return KMH_STEP if unit is ConsoleUnit.KMH else MPH_STEP_KMH


def treadmill_from_console(
    unit: ConsoleUnit,
    *,
    min_speed: float | None,
    max_speed: float | None,
    max_incline_pct: float | None,
    calibration: float | None,
    like: Treadmill,
) -> Treadmill:
    """A treadmill from numbers typed in its console's unit (a form), InvalidInput in that unit.

    The field of an InvalidInput is "treadmill.<name>" with the name as given here, and its sentence
    gives the allowed range in `unit`, rounded inwards so any number it names is accepted. `like`
    (the saved treadmill) keeps its incline step, and its speed step when the unit is unchanged: a
    0.5 km/h step set through the API survives a save of this form.
    """
    low = _typed("min_speed", "Min speed", min_speed, MIN_SPEED_KMH, unit)
    high = _typed("max_speed", "Max speed", max_speed, MAX_SPEED_KMH, unit)
    if low >= high:
        raise InvalidInput("treadmill.max_speed", "Max speed must be above min speed.")
    incline = _in_range("max_incline_pct", "Max incline", max_incline_pct, MAX_INCLINE_PCT, "%")
    factor = _in_range("calibration", "Calibration", calibration, (MIN_CALIBRATION, MAX_CALIBRATION), "")
    return Treadmill(
        min_speed_kmh=low,
        max_speed_kmh=high,
        max_incline_pct=incline,
        speed_step_kmh=like.speed_step_kmh if like.unit is unit else step_for(unit),
        incline_step_pct=like.incline_step_pct,
        calibration=factor,
    )


def _typed(field: str, name: str, value: float | None, kmh: tuple[float, float], unit: ConsoleUnit) -> float:
    """A speed typed in `unit`, in km/h, inside `kmh` (a range in km/h, said in `unit`)."""
    # Inwards to the tenth: "from 0.4 to 6.2 mph" names only speeds the km/h range accepts.
    low = math.ceil(round(to_console_unit(kmh[0], unit) * 10, 6)) / 10
    high = math.floor(round(to_console_unit(kmh[1], unit) * 10, 6)) / 10
    typed = _in_range(field, name, value, (low, high), "km/h" if unit is ConsoleUnit.KMH else "mph")
    return from_console_unit(typed, unit)


def _in_range(field: str, name: str, value: float | None, bounds: tuple[float, float], unit: str) -> float:
    low, high = bounds
    if value is None or not math.isfinite(value) or not low <= value <= high:
        said = f"{low:g} to {high:g}{' ' + unit if unit else ''}"
        raise InvalidInput(f"treadmill.{field}", f"{name} must be a number from {said}.")
    return float(value)


def calibration_from_laps(*, belt_m: float, laps: float, seconds: float, console_kmh: float) -> float:
    """The calibration factor from a timed test: `laps` turns of a belt `belt_m` long took `seconds`
    with the console at `console_kmh`. Belt speed / console speed; InvalidInput names a bad number.

    The factor is not checked against the treadmill's bounds here: the caller shows it, and a
    factor far from 1 is better seen (and the test redone) than silently refused.
    """
    given = {"belt_m": belt_m, "laps": laps, "seconds": seconds, "console_kmh": console_kmh}
    for field, value in given.items():
        if not math.isfinite(value) or value <= 0:
            raise InvalidInput(field, f"{_CALIBRATION_WORDS[field]} must be a number above 0.")
    return (belt_m * laps / seconds * 3.6) / console_kmh


_CALIBRATION_WORDS = {
    "belt_m": "The belt length",
    "laps": "The number of laps",
    "seconds": "The time",
    "console_kmh": "The console speed",
}


def _whole(ratio: float) -> bool:
    return abs(ratio - round(ratio)) < 1e-6 and round(ratio) >= 1


class SegmentSource(BaseModel):
    """Where a compiled segment came from, and whether the treadmill's limits changed it."""

    model_config = ConfigDict(frozen=True)

    item: int
    #: The round of a repeat (0-based); None for a step outside any repeat.
    repetition: int | None
    #: The step's index inside its repeat; 0 for a step outside any repeat.
    step_index: int
    #: The belt speed the zone asked for, before rounding and clamping.
    target_kmh: float
    speed_clamped: bool
    incline_clamped: bool


class Program(BaseModel):
    """A compiled workout: the segments a session plays, and a parallel tuple of their sources."""

    model_config = ConfigDict(frozen=True)

    segments: tuple[Segment, ...]
    sources: tuple[SegmentSource, ...]

    @property
    def total_duration_s(self) -> int:
        return sum(s.duration_s for s in self.segments)


class Occurrence(NamedTuple):
    """One step as it is run: repeats unrolled, with its place in the structure."""

    step: Step
    item: int
    repetition: int | None
    step_index: int


def unroll(workout: StructuredWorkout) -> Iterator[Occurrence]:
    """Every step in running order, each repeat's steps `times` times over."""
    for i, item in enumerate(workout.items):
        if isinstance(item, Step):
            yield Occurrence(item, i, None, 0)
            continue
        for rep in range(item.times):
            for j, step in enumerate(item.steps):
                yield Occurrence(step, i, rep, j)


def target_kmh(zone: Zone, zones: Zones) -> float:
    """The belt speed a step in `zone` targets (see `ZONE_POINT`)."""
    try:
        r = zones[zone]
    except KeyError:
        raise InvalidInput("zones", f"The runner's paces have no {zone.value} zone.") from None
    return r.min_kmh + ZONE_POINT[zone] * (r.max_kmh - r.min_kmh)


def step_target_kmh(step: Step, zones: Zones) -> float:
    """The belt speed a step targets: its explicit speed, else its zone's (see `ZONE_POINT`)."""
    return step.speed_kmh if step.speed_kmh is not None else target_kmh(step.zone, zones)


def compile_program(workout: StructuredWorkout, zones: Zones, treadmill: Treadmill) -> Program:
    """The treadmill program for this runner on this treadmill, with each segment's source."""
    compiled = [_compile_step(o, zones, treadmill) for o in unroll(workout)]
    return Program(segments=tuple(c[0] for c in compiled), sources=tuple(c[1] for c in compiled))


def compile_workout(workout: StructuredWorkout, zones: Zones, treadmill: Treadmill) -> tuple[Segment, ...]:
    """The flat segments a run session plays; `compile_program` also says where each came from."""
    return compile_program(workout, zones, treadmill).segments


def describe(workout: StructuredWorkout, zones: Zones, units: Units = Units.METRIC) -> str:
    """One line for people and the coach, e.g. "10 min warm-up E · 6 × (800 m I at 15.3 km/h + …)".

    Speeds are the step's target belt speed, shown for every zone but E (easy running is run by
    feel, the others by the number) and for every explicit speed. A step's note follows it in
    brackets. Track distances (under a mile) stay in metres in both unit systems, as tracks are;
    longer ones read in km or miles.
    """
    return " · ".join(_describe_item(item, zones, units) for item in workout.items)


# --------------------------------------------------------------------------- compiling


class CompiledStep(NamedTuple):
    """One step occurrence's compiled numbers: the arithmetic of `compile_program` without its models."""

    duration_s: int
    speed_kmh: float
    incline_pct: float
    target_kmh: float
    speed_clamped: bool
    incline_clamped: bool


def compiled_steps(workout: StructuredWorkout, zones: Zones, treadmill: Treadmill) -> list[CompiledStep]:
    """The numbers `compile_program` puts in each segment, in running order. Fast: no pydantic models,
    for callers (plan summaries) that compile many workouts and need only time, speed and incline."""
    return [compile_step(o.step, zones, treadmill) for o in unroll(workout)]


def compile_step(step: Step, zones: Zones, treadmill: Treadmill) -> CompiledStep:
    """One step's compiled numbers; the same for every round of a repeat."""
    target = step_target_kmh(step, zones)
    console, speed_clamped = _console_speed(target, treadmill)
    incline, incline_clamped = _console_incline(step.incline_pct, treadmill)
    seconds = max(1, round(_step_seconds(step, console * treadmill.calibration)))
    return CompiledStep(seconds, console, incline, target, speed_clamped, incline_clamped)


def _compile_step(o: Occurrence, zones: Zones, treadmill: Treadmill) -> tuple[Segment, SegmentSource]:
    c = compile_step(o.step, zones, treadmill)
    segment = Segment(
        label=_label(o.step), duration_s=c.duration_s, speed_kmh=c.speed_kmh, incline_pct=c.incline_pct
    )
    source = SegmentSource(
        item=o.item,
        repetition=o.repetition,
        step_index=o.step_index,
        target_kmh=c.target_kmh,
        speed_clamped=c.speed_clamped,
        incline_clamped=c.incline_clamped,
    )
    return segment, source


def _console_speed(belt_kmh: float, t: Treadmill) -> tuple[float, bool]:
    """The console speed that gives `belt_kmh` on this belt, on its step, within its range."""
    pressed = _snap(belt_kmh / t.calibration, t.speed_step_kmh)
    clamped = min(max(pressed, t.min_speed_kmh), t.max_speed_kmh)
    # `pressed` is already rounded; rounding the clamped value again could push a limit past itself.
    return clamped, clamped != pressed


def _console_incline(pct: float, t: Treadmill) -> tuple[float, bool]:
    pressed = _snap(pct, t.incline_step_pct)
    clamped = min(pressed, t.max_incline_pct)
    return clamped, clamped != pressed


def _snap(value: float, step: float) -> float:
    return round(round(value / step) * step, _DECIMALS)


def _belt_kmh(step: Step, zones: Zones, treadmill: Treadmill | None) -> float:
    """The belt speed a step runs at: the zone's target, or what this treadmill will actually do."""
    target = step_target_kmh(step, zones)
    if treadmill is None:
        return target
    return _console_speed(target, treadmill)[0] * treadmill.calibration


def _step_seconds(step: Step, belt_kmh: float) -> float:
    if step.duration_s is not None:
        return float(step.duration_s)
    assert step.distance_m is not None  # the validator guarantees one of the two
    return step.distance_m / (belt_kmh / 3.6)


def _step_metres(step: Step, belt_kmh: float) -> float:
    if step.distance_m is not None:
        return step.distance_m
    assert step.duration_s is not None
    return step.duration_s * belt_kmh / 3.6


def _label(step: Step) -> SegmentLabel:
    if step.label is not None:
        return step.label
    match step.kind:
        case StepKind.WARMUP:
            return SegmentLabel.WARM_UP
        case StepKind.COOLDOWN:
            return SegmentLabel.COOL_DOWN
        case StepKind.RECOVERY:
            return SegmentLabel.RECOVERY
        case StepKind.WORK if step.incline_pct >= HILL_INCLINE_PCT:
            return SegmentLabel.HILL
        case StepKind.WORK | StepKind.STEADY:
            return _PACED_LABEL[step.zone]
        case _:
            assert_never(step.kind)


# --------------------------------------------------------------------------- text


def _describe_item(item: Step | Repeat, zones: Zones, units: Units) -> str:
    if isinstance(item, Step):
        return _describe_step(item, zones, units)
    return f"{item.times} × ({' + '.join(_describe_step(s, zones, units) for s in item.steps)})"


def _describe_step(step: Step, zones: Zones, units: Units) -> str:
    amount = _duration_text(step.duration_s) if step.duration_s is not None else _distance_text(step, units)
    # A named step reads by its name ("90 s surge"), the others by kind and zone ("90 s recovery E").
    words = (step.label.value,) if step.label is not None else (_KIND_WORDS[step.kind], step.zone.value)
    text = " ".join(part for part in (amount, *words) if part)
    if step.zone is not Zone.EASY or step.speed_kmh is not None:
        text += f" at {_speed_text(step_target_kmh(step, zones), units)}"
    if step.incline_pct > 0:
        text += f", {step.incline_pct:g} % incline"
    if step.note:
        text += f" ({step.note})"
    return text


def _duration_text(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(hours, "h"), (minutes, "min"), (secs, "s")]
    return " ".join(f"{n} {unit}" for n, unit in parts if n)


def _distance_text(step: Step, units: Units) -> str:
    metres = step.distance_m
    assert metres is not None
    if metres < MILE_M:
        return f"{metres:.0f} m"
    if units is Units.IMPERIAL:
        return f"{_trim(metres / MILE_M)} mi"
    return f"{_trim(metres / 1000)} km"


def _trim(value: float) -> str:
    """Two decimals at most, trailing zeros dropped: 5 -> "5", 1.5 -> "1.5", 3.10686 -> "3.11"."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _speed_text(kmh: float, units: Units) -> str:
    if units is Units.IMPERIAL:
        return f"{kmh * 1000 / MILE_M:.1f} mph"
    return f"{kmh:.1f} km/h"


# --------------------------------------------------------------------------- pinning speeds


def pin_speeds(
    workout: StructuredWorkout, zones: Zones, treadmill: Treadmill
) -> tuple[StructuredWorkout, list[str]]:
    """The workout with every step's speed named as the console speed to set on this treadmill.

    A saved workout (a quick one, or one from a file) plays its speeds as written on the console,
    so a step's target belt speed (its own, or its zone's from `zones`) becomes the console speed
    that runs the belt at it (÷ calibration, on the 0.1 km/h grid), and a speed or incline past the
    treadmill's limits is brought inside them. Returns the new workout and one sentence per change,
    in belt speeds as the file wrote them, so nothing is capped silently.
    """
    changes: list[str] = []
    calibration = treadmill.calibration

    def pin(step: Step, where: str) -> Step:
        target = step_target_kmh(step, zones)
        asked = _snap(target / calibration, KMH_STEP)
        speed = min(max(asked, treadmill.min_speed_kmh), treadmill.max_speed_kmh)
        if not math.isclose(speed, asked, abs_tol=1e-6):
            runs = speed * calibration
            changes.append(
                f"{where}: {target:.1f} km/h is outside your treadmill's range; it runs at {runs:.1f}."
            )
        incline = min(step.incline_pct, treadmill.max_incline_pct)
        if incline < step.incline_pct:
            changes.append(
                f"{where}: {step.incline_pct:g} % is steeper than your treadmill; it runs at {incline:g} %."
            )
        return step.model_copy(update={"speed_kmh": speed, "incline_pct": incline})

    items: list[Step | Repeat] = []
    for i, item in enumerate(workout.items, start=1):
        if isinstance(item, Step):
            items.append(pin(item, f"Step {i}"))
        else:
            steps = tuple(pin(s, f"Step {i}.{j}") for j, s in enumerate(item.steps, start=1))
            items.append(item.model_copy(update={"steps": steps}))
    # Validated again: model_copy does not, and what is stored must read back.
    pinned = StructuredWorkout.model_validate(
        {"name": workout.name, "items": [i.model_dump() for i in items]}
    )
    return pinned, changes


def as_played(workout: StructuredWorkout, calibration: float) -> tuple[StructuredWorkout, Treadmill]:
    """A saved workout (every speed a console speed, see `pin_speeds`) as belt-speed targets, and the
    treadmill that plays them: compiled together they give back each console speed as written, and
    each step's target is the speed its belt really runs at (what a watch should see)."""

    def belt(step: Step) -> Step:
        assert step.speed_kmh is not None, "a saved workout names every speed"
        return step.model_copy(update={"speed_kmh": step.speed_kmh * calibration})

    items = [
        belt(i) if isinstance(i, Step) else i.model_copy(update={"steps": tuple(belt(s) for s in i.steps)})
        for i in workout.items
    ]
    treadmill = AS_WRITTEN.model_copy(update={"calibration": calibration})
    return workout.model_copy(update={"items": tuple(items)}), treadmill
