"""The workout library: one builder per workout type, writing the structured form plans are made of.

Pure: standard library, pydantic and `runcoach.domain` only. `build(type, minutes, ...)` is the one
entry point; the plan generator, plan edits ("change a workout's type or length") and Adapt today all
call it, so it accepts any type but rest and race and any length from `MIN_MINUTES` to `MAX_MINUTES`,
and always returns a structure that validates (step bounds from `structure`).

Decisions, in one place:

- Length is honoured exactly: without the runner's speeds every step is timed, so the workout lasts
  `minutes` to the second. Given `belt_kmh` (the belt speed each zone actually runs on this runner's
  treadmill), interval and repetition sessions may use distance reps (1000 m, 400 m...); their time is
  computed the way the compiler computes it, and the rest of the session absorbs the difference, so
  the total never exceeds `minutes`.
- Every quality session is framed by a warm-up and a cool-down in E. `intensity` is the share of the
  session the caller wants outside E; it is a wish, clipped to what the type allows (warm-up and
  cool-down of at least 5 minutes, recoveries between reps, and caps on the hard part that keep one
  session sane: Daniels' T at most 60 minutes, I 30, R 12). Time the work does not use lengthens the
  warm-up and cool-down, never the hard part.
- Hills need at least `HILL_INCLINE_PCT`; on a treadmill that cannot tilt that far a hill session
  becomes a fartlek (the same kind of stimulus on the flat), said in its name.
- `variant` picks among shapes (cruise intervals or continuous tempo, 3-minute or 1000 m reps...) so
  another seed gives a visibly different plan; any integer is accepted (taken modulo the shapes).
- Daniels and 80/20 differ in what their sessions hold: Daniels' tempo is T (continuous or cruise
  intervals), 80/20's is a "fast finish" (long E, then T at the end); Daniels' fartlek leans on I,
  80/20's on T and M.
"""

from __future__ import annotations

from collections.abc import Mapping

from runcoach.domain.errors import InvalidInput
from runcoach.domain.paces import Zone
from runcoach.domain.plan_model import WorkoutType
from runcoach.domain.plans import Methodology
from runcoach.domain.structure import (
    HILL_INCLINE_PCT,
    Repeat,
    Step,
    StepKind,
    StructuredWorkout,
    Treadmill,
    Zones,
    compiled_steps,
)

MIN_MINUTES = 20
MAX_MINUTES = 180
#: Without a treadmill's figure, a hill session aims at this incline.
DEFAULT_MAX_INCLINE_PCT = 12.0
MIN_FRAME_S = 5 * 60
#: The most of one session spent at each hard zone (Daniels' per-session ceilings, rounded).
WORK_CAP_S: dict[Zone, int] = {
    Zone.MARATHON: 60 * 60,
    Zone.THRESHOLD: 60 * 60,
    Zone.INTERVAL: 30 * 60,
    Zone.REPETITION: 12 * 60,
}
#: The share of a session outside E asked for when the caller names none.
DEFAULT_INTENSITY = 0.4
BUILDABLE = frozenset(WorkoutType) - {WorkoutType.REST, WorkoutType.RACE}

_TITLES: dict[WorkoutType, str] = {
    WorkoutType.EASY: "Easy run",
    WorkoutType.LONG: "Long run",
    WorkoutType.RECOVERY: "Recovery run",
    WorkoutType.TEMPO: "Tempo",
    WorkoutType.INTERVALS: "Intervals",
    WorkoutType.HILLS: "Hills",
    WorkoutType.FARTLEK: "Fartlek",
    WorkoutType.PROGRESSION: "Progression run",
    WorkoutType.RACE: "Race",
    WorkoutType.REST: "Rest",
}


def belt_speeds(zones: Zones, treadmill: Treadmill) -> dict[Zone, float]:
    """The belt speed (km/h) each zone really runs on this treadmill: the console speed the compiler
    picks (rounded to the console's step, within its range) times the calibration. `build` uses it to
    time distance reps exactly as the compiler will."""
    probe = StructuredWorkout(
        name="probe", items=tuple(Step(kind=StepKind.STEADY, duration_s=60, zone=zone) for zone in Zone)
    )
    steps = compiled_steps(probe, zones, treadmill)
    return {zone: c.speed_kmh * treadmill.calibration for zone, c in zip(Zone, steps, strict=True)}


def title(type: WorkoutType, minutes: int, methodology: Methodology) -> str:
    """A short title for a day, e.g. "Tempo · 50 min"; the structure's name says the shape."""
    name = _TITLES[type]
    if type is WorkoutType.TEMPO and methodology is Methodology.EIGHTY_TWENTY:
        name = "Fast finish"
    return f"{name} · {minutes} min"


def build(
    type: WorkoutType,
    minutes: int,
    *,
    methodology: Methodology,
    variant: int = 0,
    max_incline_pct: float = DEFAULT_MAX_INCLINE_PCT,
    intensity: float | None = None,
    focus: Zone | None = None,
    finish_minutes: int = 0,
    belt_kmh: Mapping[Zone, float] | None = None,
) -> StructuredWorkout:
    """A workout of `type` lasting `minutes` (at most, see the module docstring).

    `intensity` is the wished share of time outside E for quality types; `focus` picks the zone of
    an interval session (I, the default, or R); `finish_minutes` ends a long run at M pace;
    `belt_kmh` (belt speed per zone) allows distance reps. InvalidInput for rest, race or a length
    outside 20..180 minutes.
    """
    if type not in BUILDABLE:
        raise InvalidInput("type", f"A {type} day has no workout to build.")
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise InvalidInput("minutes", f"A workout lasts {MIN_MINUTES} to {MAX_MINUTES} minutes.")
    total = minutes * 60
    wish = DEFAULT_INTENSITY if intensity is None else min(max(intensity, 0.0), 0.9)
    if type is WorkoutType.HILLS and max_incline_pct < HILL_INCLINE_PCT:
        # A treadmill that cannot climb gets the flat session closest in stimulus.
        return _named(_fartlek(total, wish, methodology, variant), "Fartlek (no incline for hills)")
    match type:
        case WorkoutType.EASY | WorkoutType.RECOVERY:
            return _steady(type, total)
        case WorkoutType.LONG:
            return _long(total, finish_minutes)
        case WorkoutType.TEMPO:
            return _tempo(total, wish, methodology, variant)
        case WorkoutType.INTERVALS:
            return _intervals(total, wish, focus or Zone.INTERVAL, variant, belt_kmh)
        case WorkoutType.HILLS:
            return _hills(total, wish, variant, max_incline_pct)
        case WorkoutType.FARTLEK:
            return _fartlek(total, wish, methodology, variant)
        case _:
            return _progression(total, wish, variant)


# --------------------------------------------------------------------------- shapes


def _steady(type: WorkoutType, total: int) -> StructuredWorkout:
    note = "very relaxed, conversational" if type is WorkoutType.RECOVERY else "conversational"
    step = Step(kind=StepKind.STEADY, duration_s=total, zone=Zone.EASY, note=note)
    return StructuredWorkout(name=f"{total // 60} min {_TITLES[type].lower()}", items=(step,))


def _long(total: int, finish_minutes: int) -> StructuredWorkout:
    """E all the way; a marathon build may end it at M pace (a 5-minute E jog after the finish)."""
    finish = min(max(finish_minutes, 0) * 60, total // 3)
    if finish < 5 * 60:
        step = Step(kind=StepKind.STEADY, duration_s=total, zone=Zone.EASY, note="easy, even effort")
        return StructuredWorkout(name=f"{total // 60} min long run", items=(step,))
    cool = 5 * 60
    items = (
        Step(kind=StepKind.STEADY, duration_s=total - finish - cool, zone=Zone.EASY),
        Step(kind=StepKind.WORK, duration_s=finish, zone=Zone.MARATHON, note="marathon pace finish"),
        Step(kind=StepKind.COOLDOWN, duration_s=cool, zone=Zone.EASY),
    )
    return StructuredWorkout(name=f"{total // 60} min long run, last {finish // 60} at M", items=items)


def _tempo(total: int, wish: float, methodology: Methodology, variant: int) -> StructuredWorkout:
    work = _work_seconds(total, wish, Zone.THRESHOLD, continuous=True)
    if methodology is Methodology.EIGHTY_TWENTY:
        # The fast finish: most of the run easy, the last stretch at T, a short jog to finish.
        cool = MIN_FRAME_S
        items: tuple[Step | Repeat, ...] = (
            Step(kind=StepKind.WARMUP, duration_s=total - work - cool, zone=Zone.EASY),
            Step(kind=StepKind.WORK, duration_s=work, zone=Zone.THRESHOLD, note="fast finish"),
            Step(kind=StepKind.COOLDOWN, duration_s=cool, zone=Zone.EASY),
        )
        return StructuredWorkout(name=f"Fast finish: {_mins(work)} T", items=items)
    rep = (5, 8, 10)[variant % 3] * 60
    if variant % 2 == 0 or work < 2 * (rep + 60):
        main: Step | Repeat = Step(kind=StepKind.WORK, duration_s=work, zone=Zone.THRESHOLD)
        return _framed(f"Tempo: {_mins(work)} T", total, main, work)
    times = min(work // (rep + 60), 50)
    cruise = Repeat(
        times=times,
        steps=(
            Step(kind=StepKind.WORK, duration_s=rep, zone=Zone.THRESHOLD),
            Step(kind=StepKind.RECOVERY, duration_s=60, zone=Zone.EASY),
        ),
    )
    return _framed(f"Cruise intervals: {times} × {rep // 60} min T", total, cruise, times * (rep + 60))


def _intervals(
    total: int, wish: float, zone: Zone, variant: int, belt_kmh: Mapping[Zone, float] | None
) -> StructuredWorkout:
    """I reps with E jogs a little shorter than the rep, or R reps with equal recovery."""
    if zone is Zone.REPETITION:
        distances, timed, ratio = (200.0, 300.0, 400.0), (45, 60, 75), 1.0
    else:
        distances, timed, ratio = (1000.0, 800.0, 1200.0), (180, 240, 120), 0.75
    budget = _work_seconds(total, wish / (1 / (1 + ratio)), zone, continuous=False)
    use_distance = belt_kmh is not None and variant % 2 == 1
    if use_distance and belt_kmh is not None:
        metres = distances[variant % 3]
        rep_s = max(1, round(metres / (belt_kmh[zone] / 3.6)))
        rec_s = max(MIN_FRAME_S // 5, round(rep_s * ratio))
        work_step = Step(kind=StepKind.WORK, distance_m=metres, zone=zone)
        label = f"{metres:.0f} m"
    else:
        rep_s = timed[variant % 3]
        rec_s = max(30, round(rep_s * ratio))
        work_step = Step(kind=StepKind.WORK, duration_s=rep_s, zone=zone)
        label = _rep_text(rep_s)
    times = _times(budget, rep_s + rec_s, cap=WORK_CAP_S[zone] // rep_s)
    if times < 2:
        return _tempo(total, wish, Methodology.DANIELS, 0)  # too short for reps: a short tempo
    rec = Step(kind=StepKind.RECOVERY, duration_s=rec_s, zone=Zone.EASY, note="easy jog")
    block = Repeat(times=times, steps=(work_step, rec))
    return _framed(f"Intervals: {times} × {label} {zone.value}", total, block, times * (rep_s + rec_s))


def _hills(total: int, wish: float, variant: int, max_incline_pct: float) -> StructuredWorkout:
    incline = min((5.0, 6.0, 8.0)[variant % 3], max_incline_pct, 15.0)
    rep_s = (60, 90, 120)[variant % 3]
    budget = _work_seconds(total, wish * 2, Zone.THRESHOLD, continuous=False)
    times = _times(budget, 2 * rep_s, cap=WORK_CAP_S[Zone.INTERVAL] // rep_s)
    if times < 2:
        return _tempo(total, wish, Methodology.DANIELS, 0)
    block = Repeat(
        times=times,
        steps=(
            Step(
                kind=StepKind.WORK, duration_s=rep_s, zone=Zone.THRESHOLD, incline_pct=incline, note="uphill"
            ),
            Step(kind=StepKind.RECOVERY, duration_s=rep_s, zone=Zone.EASY, note="flat, easy jog"),
        ),
    )
    name = f"Hills: {times} × {_rep_text(rep_s)} at {incline:g} %"
    return _framed(name, total, block, times * 2 * rep_s)


def _fartlek(total: int, wish: float, methodology: Methodology, variant: int) -> StructuredWorkout:
    """Surges and floats: 80/20 mixes T and M, Daniels I and T; variants change the pattern."""
    fast, steady = (
        (Zone.THRESHOLD, Zone.MARATHON)
        if methodology is Methodology.EIGHTY_TWENTY
        else (Zone.INTERVAL, Zone.THRESHOLD)
    )
    pattern = ((60, 60, 120, 60), (90, 60, 90, 60), (120, 60, 180, 90))[variant % 3]
    round_s = sum(pattern)
    hard_share = (pattern[0] + pattern[2]) / round_s
    budget = _work_seconds(total, wish / hard_share, Zone.INTERVAL, continuous=False)
    times = _times(budget, round_s, cap=50)
    if times < 2:
        return _tempo(total, wish, methodology, 0)
    block = Repeat(
        times=times,
        steps=(
            Step(kind=StepKind.WORK, duration_s=pattern[0], zone=fast, note="surge"),
            Step(kind=StepKind.RECOVERY, duration_s=pattern[1], zone=Zone.EASY, note="float"),
            Step(kind=StepKind.WORK, duration_s=pattern[2], zone=steady),
            Step(kind=StepKind.RECOVERY, duration_s=pattern[3], zone=Zone.EASY, note="float"),
        ),
    )
    name = (
        f"Fartlek: {times} × ({_rep_text(pattern[0])} {fast.value} + {_rep_text(pattern[2])} {steady.value})"
    )
    return _framed(name, total, block, times * round_s)


def _progression(total: int, wish: float, variant: int) -> StructuredWorkout:
    """E, then M, then T: the hard part split between M and T (more M in variant 0)."""
    work = _work_seconds(total, wish, Zone.MARATHON, continuous=True)
    t_share = (0.33, 0.5, 0.4)[variant % 3]
    t_s = min(max(round(work * t_share / 60) * 60, 60), WORK_CAP_S[Zone.THRESHOLD])
    m_s = max(work - t_s, 60)
    cool = MIN_FRAME_S
    items = (
        Step(kind=StepKind.WARMUP, duration_s=total - m_s - t_s - cool, zone=Zone.EASY),
        Step(kind=StepKind.STEADY, duration_s=m_s, zone=Zone.MARATHON),
        Step(kind=StepKind.WORK, duration_s=t_s, zone=Zone.THRESHOLD),
        Step(kind=StepKind.COOLDOWN, duration_s=cool, zone=Zone.EASY),
    )
    return StructuredWorkout(name=f"Progression: E, {_mins(m_s)} M, {_mins(t_s)} T", items=items)


# --------------------------------------------------------------------------- helpers


def _work_seconds(total: int, wish: float, zone: Zone, *, continuous: bool) -> int:
    """The main set's length: the wish, within the frame's minimum and the zone's cap, whole minutes
    when continuous. At least a minute, at most what leaves 5 minutes either side."""
    room = total - 2 * MIN_FRAME_S
    cap = WORK_CAP_S[zone] if continuous else room
    wanted = round(total * wish / 60) * 60 if continuous else round(total * wish)
    return max(60, min(wanted, room, cap))


def _times(budget: int, round_s: int, *, cap: int) -> int:
    return max(0, min(budget // round_s, cap, 50))


def _framed(name: str, total: int, main: Step | Repeat, main_s: int) -> StructuredWorkout:
    """Warm-up and cool-down in E around the main set; the warm-up takes the larger half of the rest."""
    rest = total - main_s
    cool = max(MIN_FRAME_S, rest // 2 - rest // 6)
    warm = rest - cool
    items = (
        Step(kind=StepKind.WARMUP, duration_s=warm, zone=Zone.EASY),
        main,
        Step(kind=StepKind.COOLDOWN, duration_s=cool, zone=Zone.EASY),
    )
    return StructuredWorkout(name=name[:100], items=items)


def _named(workout: StructuredWorkout, name: str) -> StructuredWorkout:
    return workout.model_copy(update={"name": name})


def _mins(seconds: int) -> str:
    return f"{seconds // 60} min"


def _rep_text(seconds: int) -> str:
    minutes, secs = divmod(seconds, 60)
    if not secs:
        return f"{minutes} min"
    return f"{minutes}:{secs:02d}" if minutes else f"{secs} s"
