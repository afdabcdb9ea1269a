"""The seeded workout generator: a `WorkoutSpec` and a seed in, a `WorkoutDraft` out.

Pure and deterministic: standard library, pydantic and `runcoach.domain` only. All randomness
comes from a local `random.Random(seed)`, so the same spec and seed always give the same
workout, and another seed gives another workout of the same kind.

Every workout is a warm-up, a main set shaped by the goal, and a cool-down, written in the
structured form plans use (`runcoach.domain.structure`): steps, and repeat blocks where the
session repeats (intervals, hills), kept as blocks so a watch and the coach see "6 × (2 min +
1 min)" rather than twelve loose steps. Each step carries an explicit speed, a multiple of the
runner's easy speed snapped to the treadmill grid and then clamped to the runner's limits, its
label, and the zone that names its effort. Durations are whole seconds that add up to the
requested minutes exactly.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from runcoach.domain.paces import Zone
from runcoach.domain.structure import (
    AS_WRITTEN,
    MIN_REPEATS,
    Repeat,
    Step,
    StepKind,
    StructuredWorkout,
    compile_workout,
)
from runcoach.domain.workouts import (
    Constraints,
    Goal,
    Segment,
    SegmentLabel,
    WorkoutSpec,
    snap_incline,
    snap_speed,
)

L = SegmentLabel
Item = Step | Repeat

#: Shortest segment we plan on purpose; anything shorter is hard to follow on a treadmill.
MIN_SEGMENT_S = 20
#: The grid (seconds) the seeded durations are drawn on, so the plan reads well.
STEP_S = 5
#: The main set never shrinks below this when the generator picks the framing itself.
MIN_MAIN_MIN = 5

#: Speed factors, as multiples of the easy speed.
WARM_UP_START = 0.85
WARM_UP_END = 0.93
COOL_DOWN = 0.85
RECOVERY = 0.85
STEADY = 1.05
TEMPO = 1.2

#: Gentle inclines: a touch of incline mimics outdoor effort; cool-downs and recoveries stay flat.
WARM_UP_INCLINE = 0.5
RUN_INCLINE = 1.0

#: Goals that are easy on the body get a shorter warm-up and cool-down.
GENTLE_GOALS = frozenset({Goal.EASY, Goal.LONG, Goal.RECOVERY})

INTERVAL_WORK_S = (60, 75, 90, 105, 120, 150, 180, 210, 240, 300, 360, 420, 480)
HILL_WORK_S = (45, 60, 75, 90, 105, 120, 150, 180, 210, 240)
MAX_REPS = 12
#: Below this maximum incline a "hill" is not felt, so hills become speed surges.
MIN_HILL_INCLINE = 1.0


#: The kind of step and the effort each label of the generator stands for.
LABEL_EFFORT: dict[SegmentLabel, tuple[StepKind, Zone]] = {
    L.WARM_UP: (StepKind.WARMUP, Zone.EASY),
    L.RUN: (StepKind.STEADY, Zone.EASY),
    L.STEADY: (StepKind.STEADY, Zone.MARATHON),
    L.TEMPO: (StepKind.WORK, Zone.THRESHOLD),
    L.INTERVAL: (StepKind.WORK, Zone.INTERVAL),
    L.SPRINT: (StepKind.WORK, Zone.REPETITION),
    L.HILL: (StepKind.WORK, Zone.INTERVAL),
    L.SURGE: (StepKind.WORK, Zone.INTERVAL),
    L.RECOVERY: (StepKind.RECOVERY, Zone.EASY),
    L.COOL_DOWN: (StepKind.COOLDOWN, Zone.EASY),
}


class WorkoutDraft(BaseModel):
    """What the generator returns: a name, the goal and the structure; `segments` is its program."""

    model_config = ConfigDict(frozen=True)

    name: str
    goal: Goal
    structure: StructuredWorkout

    @property
    def segments(self) -> tuple[Segment, ...]:
        """The flat program a run session plays: the structure with its repeats unrolled."""
        return compile_workout(self.structure, {}, AS_WRITTEN)

    @property
    def total_duration_s(self) -> int:
        return seconds_of(self.structure.items)


def seconds_of(items: Sequence[Item]) -> int:
    """Total seconds of steps and repeats that all have a duration, as every generated one does."""
    return sum(_item_seconds(item) for item in items)


def _item_seconds(item: Item) -> int:
    if isinstance(item, Repeat):
        return item.times * seconds_of(item.steps)
    assert item.duration_s is not None  # the generator writes durations only
    return item.duration_s


class _MainSet(NamedTuple):
    """The goal-specific middle of a workout and the title that describes it."""

    items: list[Item]
    title: str


@dataclass(frozen=True)
class _Pace:
    """Turns speed factors and inclines into settings the runner's treadmill accepts."""

    constraints: Constraints

    def speed(self, factor: float) -> float:
        """`factor` × easy speed, on the 0.1 km/h grid and within the runner's limits."""
        c = self.constraints
        # Snap first, then clamp: the limits are on the grid, so the clamped value is too.
        return min(max(snap_speed(c.easy_kmh * factor), c.min_speed_kmh), c.max_speed_kmh)

    def incline(self, pct: float) -> float:
        """`pct` on the 0.5 % grid and within 0 .. max incline."""
        return min(max(snap_incline(pct), 0.0), self.constraints.max_incline_pct)

    def seg(self, label: SegmentLabel, seconds: int, factor: float, incline: float = 0.0) -> Step:
        """One step at `factor` × easy speed, of the kind and effort its label stands for."""
        kind, zone = LABEL_EFFORT[label]
        return Step(
            kind=kind,
            zone=zone,
            label=label,
            duration_s=seconds,
            speed_kmh=self.speed(factor),
            incline_pct=self.incline(incline),
        )


# --------------------------------------------------------------------------- public entry point


def generate_workout(spec: WorkoutSpec, *, seed: int) -> WorkoutDraft:
    """Build the workout for `spec`; the seed picks among the many plans that fit it.

    The plan always opens with a warm-up and ends with a cool-down. Their lengths come from
    `constraints.warmup_min` / `cooldown_min`; when those are None they default by goal and
    duration (shorter for easy, long and recovery runs) without leaving less than 5 minutes
    for the main set. An explicit 0 still yields a minimal one-minute warm-up or cool-down
    (taken from the main set), because every workout starts easy and ends easy.

    Hills need an incline: when `max_incline_pct` is below 1 % the hill repeats become speed
    surges (label "surge") on the flat.
    """
    rng = random.Random(seed)
    pace = _Pace(spec.constraints)
    warm_min, cool_min = _framing_min(spec)
    main_s = (spec.duration_min - warm_min - cool_min) * 60
    main = _BUILDERS[spec.goal](rng, pace, main_s)
    items = [*_warm_up(pace, warm_min * 60), *main.items, pace.seg(L.COOL_DOWN, cool_min * 60, COOL_DOWN)]
    name = f"{spec.duration_min}-min {main.title}"
    structure = StructuredWorkout(name=name, items=tuple(_merge(items)))
    return WorkoutDraft(name=name, goal=spec.goal, structure=structure)


# --------------------------------------------------------------------------- framing


def _default_framing_min(goal: Goal, duration_min: int) -> tuple[int, int]:
    """Warm-up and cool-down minutes when the runner did not choose them."""
    if duration_min < 20:
        return (2, 2) if goal in GENTLE_GOALS else (3, 2)
    if goal in GENTLE_GOALS:
        return (3, 3) if duration_min < 45 else (5, 5)
    # Harder sessions need a proper warm-up; 10 minutes once there is time for it.
    if duration_min < 45:
        return 5, 5
    return (10, 5) if duration_min < 75 else (10, 10)


def _framing_min(spec: WorkoutSpec) -> tuple[int, int]:
    """Warm-up and cool-down minutes: the runner's choice, else the default that still fits."""
    c = spec.constraints
    default_warm, default_cool = _default_framing_min(spec.goal, spec.duration_min)
    room = spec.duration_min - MIN_MAIN_MIN
    warm = _one_framing(c.warmup_min, default_warm, room - (c.cooldown_min or 0))
    cool = _one_framing(c.cooldown_min, default_cool, room - warm)
    return warm, cool


def _one_framing(given: int | None, default: int, room: int) -> int:
    """The chosen minutes, or the default shrunk to `room`; never below one minute."""
    minutes = min(default, room) if given is None else given
    # Even an explicit 0 gets one minute: a workout always starts and ends easy.
    return max(minutes, 1)


def _warm_up(pace: _Pace, seconds: int) -> list[Step]:
    """A warm-up a bit below easy speed, ramping up in two steps when there is time."""
    if seconds < 120:
        return [pace.seg(L.WARM_UP, seconds, (WARM_UP_START + WARM_UP_END) / 2, WARM_UP_INCLINE)]
    first = seconds // 2
    return [
        pace.seg(L.WARM_UP, first, WARM_UP_START, WARM_UP_INCLINE),
        pace.seg(L.WARM_UP, seconds - first, WARM_UP_END, WARM_UP_INCLINE),
    ]


# --------------------------------------------------------------------------- duration helpers


def _round_down(seconds: float, step: int = STEP_S) -> int:
    """`seconds` rounded down to a multiple of `step`."""
    return int(seconds // step) * step


def _split(rng: random.Random, total: int, parts: int, floor: int = MIN_SEGMENT_S) -> list[int]:
    """Cut `total` seconds into `parts` irregular pieces of at least `floor` seconds.

    Fewer pieces come back when `total` cannot hold that many; the last piece absorbs the
    rounding, so the pieces always add up to `total` exactly.
    """
    parts = max(1, min(parts, total // floor))
    if parts == 1:
        return [total]
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    spare = (total - parts * floor) / sum(weights)
    pieces = [floor + _round_down(w * spare) for w in weights]
    pieces[-1] += total - sum(pieces)
    return pieces


def _fmt(seconds: int) -> str:
    """A duration as a runner says it: "3 min", "90 s", "2:30 min"."""
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    if seconds < 120:
        return f"{seconds} s"
    return f"{seconds // 60}:{seconds % 60:02d} min"


def _fill(pace: _Pace, core: list[Item], main_s: int) -> list[Item]:
    """Pad a set of reps to `main_s`: a lead-in run for a real gap, else a longer last step.

    A set that ends in a repeat block takes the last round out of the block to lengthen its
    recovery, so the program is the one the runner would expect: n − 1 rounds, then the last.
    """
    gap = main_s - seconds_of(core)
    if gap <= 0:
        return core
    # A gap of ten minutes or more is easy running on both sides of the reps, a gap of a
    # minute or more an easy run before them; anything less is just rounding.
    if gap >= 600:
        lead_in = _round_down(gap / 2, 60)
        return [pace.seg(L.RUN, lead_in, 1.0, WARM_UP_INCLINE), *core, pace.seg(L.RUN, gap - lead_in, 1.0)]
    if gap >= 60:
        return [pace.seg(L.RUN, gap, 1.0, WARM_UP_INCLINE), *core]
    *before, last = core
    if isinstance(last, Repeat):
        # The last round ends with the longer recovery, so it leaves the block: 5 × + 1 longer.
        *head, tail = last.steps
        before += (
            [last.model_copy(update={"times": last.times - 1})]
            if last.times > MIN_REPEATS
            else list(last.steps) * (last.times - 1)
        )
        return [*before, *head, _longer(tail, gap)]
    return [*before, _longer(last, gap)]


def _longer(step: Step, seconds: int) -> Step:
    assert step.duration_s is not None
    return step.model_copy(update={"duration_s": step.duration_s + seconds})


def _setting(step: Step) -> tuple[SegmentLabel | None, float | None, float]:
    """What the runner sees of a step apart from its length."""
    return step.label, step.speed_kmh, step.incline_pct


def _merge(items: list[Item]) -> list[Item]:
    """Join neighbouring steps that the runner could not tell apart (same label, speed and incline)."""
    merged: list[Item] = []
    for item in items:
        last = merged[-1] if merged else None
        if isinstance(last, Step) and isinstance(item, Step) and _setting(last) == _setting(item):
            assert last.duration_s is not None and item.duration_s is not None
            merged[-1] = last.model_copy(update={"duration_s": last.duration_s + item.duration_s})
        else:
            merged.append(item)
    return merged


# --------------------------------------------------------------------------- easy, long, recovery


def _easy(rng: random.Random, pace: _Pace, main_s: int) -> _MainSet:
    """Easy running at 1 % with one to three short, slightly quicker "steady" pick-ups."""
    pickups = rng.randint(1, max(1, min(3, main_s // 600)))
    # Pick-ups stay short (at most a quarter of the run) so the session remains easy.
    lengths = [
        min(180, max(MIN_SEGMENT_S, _round_down(main_s * rng.uniform(0.08, 0.25) / pickups)))
        for _ in range(pickups)
    ]
    runs = _split(rng, main_s - sum(lengths), pickups + 1)
    steps: list[Item] = [pace.seg(L.RUN, runs[0], 1.0, RUN_INCLINE)]
    for pickup, run in zip(lengths, runs[1:], strict=True):
        steps.append(pace.seg(L.STEADY, pickup, rng.uniform(STEADY - 0.02, STEADY + 0.02), RUN_INCLINE))
        steps.append(pace.seg(L.RUN, run, 1.0, RUN_INCLINE))
    return _MainSet(steps, "Easy run")


def _long(rng: random.Random, pace: _Pace, main_s: int) -> _MainSet:
    """Long blocks alternating easy "run" and a touch quicker "steady", with gentle inclines."""
    blocks = _split(rng, main_s, rng.randint(2, max(2, min(5, main_s // 900))), floor=60)
    steps: list[Item] = []
    for i, seconds in enumerate(blocks):
        # Alternating labels keeps the blocks apart even when the speed range is too narrow to.
        steady = i % 2 == 1
        factor = rng.uniform(STEADY - 0.03, STEADY) if steady else rng.uniform(0.97, 1.0)
        incline = rng.choice((0.5, 1.0, 1.0, 1.5, 2.0))
        steps.append(pace.seg(L.STEADY if steady else L.RUN, seconds, factor, incline))
    return _MainSet(steps, "Long run")


def _recovery(rng: random.Random, pace: _Pace, main_s: int) -> _MainSet:
    """Very easy, flat running: "recovery" blocks with relaxed "run" blocks between."""
    blocks = _split(rng, main_s, rng.randint(2, 3), floor=60)
    steps: list[Item] = []
    for i, seconds in enumerate(blocks):
        # Both stay below easy speed: the point of the day is to recover.
        if i % 2 == 0:
            steps.append(pace.seg(L.RECOVERY, seconds, rng.uniform(RECOVERY - 0.03, RECOVERY + 0.02)))
        else:
            steps.append(pace.seg(L.RUN, seconds, rng.uniform(0.88, 0.93)))
    return _MainSet(steps, "Recovery run")


# --------------------------------------------------------------------------- tempo, progression


def _tempo(rng: random.Random, pace: _Pace, main_s: int) -> _MainSet:
    """One sustained tempo block, or two with an easy float between once the main set is long."""
    share = rng.uniform(0.55, 0.75)
    blocks = 2 if main_s >= 40 * 60 and rng.random() < 0.7 else 1
    float_s = rng.randrange(120, 241, 30) if blocks == 2 else 0
    # Long tempo blocks are planned in whole minutes, short ones on the 5-second grid; the
    # float comes out of the easy remainder so the tempo share stays well above 40 %.
    step = 60 if main_s * share / blocks >= 600 else STEP_S
    block_s = _round_down(main_s * share / blocks, step)
    lead_in, lead_out = _split(rng, main_s - blocks * block_s - float_s, 2)
    tempo = pace.seg(L.TEMPO, block_s, rng.uniform(TEMPO - 0.03, TEMPO + 0.03), RUN_INCLINE)
    middle = [tempo, pace.seg(L.RUN, float_s, 1.0, WARM_UP_INCLINE), tempo] if blocks == 2 else [tempo]
    steps: list[Item] = [
        pace.seg(L.RUN, lead_in, 1.0, RUN_INCLINE),
        *middle,
        pace.seg(L.RUN, lead_out, 1.0, RUN_INCLINE),
    ]
    title = f"Tempo run: {_fmt(block_s)}" if blocks == 1 else f"Tempo run: 2 × {_fmt(block_s)}"
    return _MainSet(steps, title)


def _progression(rng: random.Random, pace: _Pace, main_s: int) -> _MainSet:
    """Blocks that each run faster than the last, from easy speed up to about tempo."""
    blocks = _split(rng, main_s, rng.randint(3, max(3, min(6, main_s // 480))), floor=60)
    top = rng.uniform(TEMPO - 0.05, TEMPO + 0.02)
    steps: list[Item] = []
    for i, seconds in enumerate(blocks):
        # Even steps from exactly easy speed, so the first block never outruns the last.
        factor = 1.0 + (top - 1.0) * i / (len(blocks) - 1)
        label = L.RUN if i == 0 else L.TEMPO if i == len(blocks) - 1 else L.STEADY
        steps.append(pace.seg(label, seconds, factor, RUN_INCLINE))
    return _MainSet(steps, f"Progression run: {len(blocks)} blocks")


# --------------------------------------------------------------------------- repeats


class _Reps(NamedTuple):
    """A repeat plan: `times` × (`work_s` hard + `rest_s` easy)."""

    times: int
    work_s: int
    rest_s: int


def _plan_reps(
    rng: random.Random, main_s: int, options: tuple[int, ...], rest_ratio: tuple[float, float]
) -> _Reps:
    """Pick a work length, a recovery and a count that fit at least two reps into `main_s`."""
    # Work bouts short enough for two reps with the shortest recovery...
    fitting = [w for w in options if 2 * (w + max(30, w * rest_ratio[0])) <= main_s] or [options[0]]
    # ...and long enough that MAX_REPS of them fill most of a long main set.
    preferred = [w for w in fitting if 1.75 * w * MAX_REPS >= 0.7 * main_s] or [fitting[-1]]
    work = rng.choice(preferred)
    # Draw the recovery within what still fits two reps, rather than clamping a free draw,
    # so that short main sets keep their variety.
    shortest = max(30.0, work * rest_ratio[0])
    longest = max(shortest, min(work * rest_ratio[1], main_s / 2 - work))
    rest = max(MIN_SEGMENT_S, _round_down(rng.uniform(shortest, longest)))
    return _Reps(min(MAX_REPS, main_s // (work + rest)), work, rest)


def _work_factor(work_s: int) -> float:
    """Speed factor of a hard bout: the shorter, the faster (the interval pace ~1.33 × at 4 min)."""
    # About 1.43 × easy for 1-minute bouts down to tempo-like 1.2 × for bouts of 8 minutes or more.
    return max(TEMPO, 1.46 - 0.033 * work_s / 60)


def _repeat(reps: _Reps, work: Step, rest: Step) -> list[Item]:
    """`reps.times` × (work + recovery) as one repeat block; one rep (no room for two) as plain steps."""
    pair = (
        work.model_copy(update={"duration_s": reps.work_s}),
        rest.model_copy(update={"duration_s": reps.rest_s}),
    )
    if reps.times < MIN_REPEATS:
        return [*pair] * reps.times
    return [Repeat(times=reps.times, steps=pair)]


def _intervals(rng: random.Random, pace: _Pace, main_s: int) -> _MainSet:
    """Fast "interval" reps with slower "recovery" jogs; shorter reps run faster."""
    reps = _plan_reps(rng, main_s, INTERVAL_WORK_S, (0.5, 1.0))
    factor = _work_factor(reps.work_s) + rng.uniform(-0.02, 0.02)
    work = pace.seg(L.INTERVAL, reps.work_s, factor, RUN_INCLINE)
    rest = pace.seg(L.RECOVERY, reps.rest_s, rng.uniform(RECOVERY - 0.05, RECOVERY + 0.03))
    core = _repeat(reps, work, rest)
    return _MainSet(_fill(pace, core, main_s), f"Intervals: {reps.times} × {_fmt(reps.work_s)}")


def _hills(rng: random.Random, pace: _Pace, main_s: int) -> _MainSet:
    """Uphill "hill" reps near easy speed with flat recoveries, or flat surges without incline."""
    reps = _plan_reps(rng, main_s, HILL_WORK_S, (0.75, 1.25))
    rest = pace.seg(L.RECOVERY, reps.rest_s, rng.uniform(RECOVERY - 0.05, RECOVERY + 0.03))
    max_incline = pace.constraints.max_incline_pct
    if max_incline < MIN_HILL_INCLINE:
        # No usable incline: simulate the effort of the climb with a speed surge instead.
        work = pace.seg(L.SURGE, reps.work_s, rng.uniform(1.22, 1.32), 0.0)
        title = f"Hill surges (flat): {reps.times} × {_fmt(reps.work_s)}"
    else:
        incline = pace.incline(rng.uniform(3.0, max_incline) if max_incline > 3.0 else max_incline)
        work = pace.seg(L.HILL, reps.work_s, rng.uniform(0.92, 1.0), incline)
        title = f"Hills: {reps.times} × {_fmt(reps.work_s)} at {incline:g} %"
    core = _repeat(reps, work, rest)
    return _MainSet(_fill(pace, core, main_s), title)


def _pyramid_levels(rng: random.Random, main_s: int, ratio: float) -> int:
    """How many steps up the pyramid climbs (2 to 5), given the recovery `ratio`."""
    # The unit is at least 30 s and at most 3 min: short main sets get low pyramids, long
    # ones tall pyramids, so the pyramid rather than easy filler makes up the main set.
    most = max(2, min(5, int((main_s / (30 * (1 + ratio))) ** 0.5)))
    least = min(most, max(2, math.ceil((0.6 * main_s / (180 * (1 + ratio))) ** 0.5)))
    return rng.randint(least, most)


def _pyramid_unit(rng: random.Random, main_s: int, levels: int, ratio: float) -> int:
    """Seconds of one pyramid step: 30 s to 3 min, a little under what fills the main set."""
    # Whatever the pyramid leaves over becomes easy running. Sub-minute units go to the
    # second so that short main sets still vary with the seed.
    fitting_unit = min(180.0, main_s / (levels * levels * (1 + ratio)))
    low = max(30.0, 0.85 * fitting_unit)
    return _round_down(rng.uniform(low, max(low, fitting_unit)), STEP_S if fitting_unit >= 60 else 1)


def _pyramid(rng: random.Random, pace: _Pace, main_s: int) -> _MainSet:
    """Work bouts of 1-2-…-n-…-2-1 units, each followed by a recovery of about the same size."""
    ratio = rng.uniform(0.7, 1.0)
    levels = _pyramid_levels(rng, main_s, ratio)
    unit = _pyramid_unit(rng, main_s, levels, ratio)
    shift, rest_factor = rng.uniform(-0.02, 0.02), rng.uniform(RECOVERY - 0.05, RECOVERY + 0.03)
    steps = [*range(1, levels + 1), *range(levels - 1, 0, -1)]
    core: list[Item] = []
    for k in steps:
        # Recoveries scale with the bout before them; never under 20 s as unit >= 30 and ratio >= 0.7.
        core.append(pace.seg(L.INTERVAL, k * unit, _work_factor(k * unit) + shift, RUN_INCLINE))
        core.append(pace.seg(L.RECOVERY, max(MIN_SEGMENT_S, _round_down(k * unit * ratio)), rest_factor))
    title = f"Pyramid: {'-'.join(map(str, steps))} × {_fmt(unit)}"
    return _MainSet(_fill(pace, core, main_s), title)


def _fartlek(rng: random.Random, pace: _Pace, main_s: int) -> _MainSet:
    """Irregular "surge"s of varying length and speed, with "run" stretches between them."""
    most = max(1, min(12, main_s // 240))
    count = rng.randint(max(1, most // 2), most)
    # Surges together stay under 40 % of the main set, so the runs between them stay real.
    longest = max(MIN_SEGMENT_S, min(180, _round_down(main_s * 0.4 / count)))
    surges = [rng.randrange(MIN_SEGMENT_S, longest + 1, STEP_S) for _ in range(count)]
    runs = _split(rng, main_s - sum(surges), count + 1)
    steps: list[Item] = [pace.seg(L.RUN, runs[0], 1.0, RUN_INCLINE)]
    for surge, run in zip(surges, runs[1:], strict=True):
        steps.append(pace.seg(L.SURGE, surge, rng.uniform(1.15, 1.45), RUN_INCLINE))
        steps.append(pace.seg(L.RUN, run, 1.0, RUN_INCLINE))
    return _MainSet(steps, f"Fartlek: {count} surge{'s' if count > 1 else ''}")


_BUILDERS: dict[Goal, Callable[[random.Random, _Pace, int], _MainSet]] = {
    Goal.EASY: _easy,
    Goal.LONG: _long,
    Goal.TEMPO: _tempo,
    Goal.INTERVALS: _intervals,
    Goal.HILLS: _hills,
    Goal.FARTLEK: _fartlek,
    Goal.PYRAMID: _pyramid,
    Goal.RECOVERY: _recovery,
    Goal.PROGRESSION: _progression,
}
