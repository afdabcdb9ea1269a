"""Edits of a plan (move, swap, change, rest), the rule check of an edit with its nearest valid
alternative, and the differences between two versions of a plan.

Pure: standard library, pydantic and `runcoach.domain` only. An edit never changes the draft it is
given: `apply` returns a new `PlanDraft`, `try_edit` says whether that draft passes the rule
checker and, when it does not, which rules it breaks and the nearest edit that would pass.

Decisions, in one place:

- Refusals that are not training rules (an unknown wid, moving the race, a date outside the plan,
  before today or onto another workout) raise `NotFound` / `InvalidInput` from `apply`; rule
  breaks come back from `try_edit` as violations, so the page can show both the sentence and the
  alternative. A day before `today` is history: it cannot be edited, nor can anything move there.
- A move onto a *rest* day is allowed: the rest day takes the date the workout left, so every wid
  survives and the week keeps its number of rest days. A move onto a workout is refused (that is a
  swap, and the runner should say so).
- A change of length keeps the warm-up and cool-down (the leading warm-up and trailing cool-down
  steps) and scales every step of the main part by one factor, so the work:recovery proportion
  and the number of repeats stay; durations are whole seconds and distances whole metres (a
  coarser grid, 5 s or 10 m, misses the asked minutes by up to a minute in a session of many
  repeats, and the minutes are what the runner has). When the main part
  would drop under `MIN_MAIN_S`, the whole workout is scaled instead: a 20-minute session with two
  10-minute framing steps and nothing between them is not a session. The factor is corrected
  against the compiled program (distances become time at the belt speed) until it lands on the
  asked minutes, never over them, so "60 minutes" fits a 60-minute day.
- The title names the session and is kept by a change of length; a new type takes the name of
  the workout `build` returns. A new type's hard flag is the type's default.
- An edited plan must pass the *whole* rule checker, not just "no new violation": a plan with a
  violation can never become current, so an edit cannot be the way one becomes current.
- Search for the alternative: hand-written, not OR-Tools CP-SAT. A move has at most 14 candidate
  dates (7 either side of the asked one), tried nearest first, so the first that passes is the
  nearest by construction; a change of length is a binary search over whole minutes (exact, see
  `_longest_change`). Each candidate is judged by the real `rules.check` in about a millisecond.
  CP-SAT would need every rule restated as linear constraints (the easy-share, volume-rise and
  long-run rules are ratios over compiled programs), a second statement of the rules that could
  disagree with the checker, and a native dependency the pure domain may not have; with a
  handful of candidates it has nothing to find that plain search misses.
- Nearest date: by distance in days from the asked date, the earlier one first on a tie.
- An eased day keeps what it was planned as. `Rest`, and a `Change` that leaves the day no longer
  (in whole minutes, the unit a change is asked in) than its planned load and not harder (see
  `is_harder`: the new day is not a hard day, or it is the same hard session at another length),
  set the day's `eased_from` to the compiled load of the day before the edit, or keep the one it
  already has: the first plan wins, so easing twice, or resting and then running a little after
  all, is measured against what was planned, not against the last easing. Moves and swaps carry
  it with the day. A change that makes the day longer than its `eased_from`, or harder, drops
  it: that is a new plan for the day, judged as it is. The rule checker counts an eased day at
  its planned load for the week's rules (see `rules`), so resting an easy day, shortening a day
  to the minutes the runner has, or turning a session into an easy run no longer breaks the
  volume-rise, long-run-share or easy-share rules; every rule about the day itself still judges
  what will be run. The plan's invariant is unchanged: every version passes the whole checker.
  The longest-change search stays exact for lengths above the planned one (the day is judged as
  it is there); below it an eased day is judged as planned, which only lets more lengths pass.
- The diff's weekly volume counts everything planned that week, the race too (it is run), unlike
  the rule checker's training volume, which leaves the race out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from runcoach.domain.errors import InvalidInput, NotFound
from runcoach.domain.plan_model import (
    HARD_BY_DEFAULT,
    PlanConstraints,
    PlannedWorkout,
    PlanSummary,
    WorkoutType,
)
from runcoach.domain.plans import MAX_TITLE_CHARS, DayPlan, PlanDraft, load_of, summarise, summarise_day
from runcoach.domain.rules import PlanBreaksRules, Violation, check, weekday_date
from runcoach.domain.structure import (
    MAX_STEP_M,
    MAX_STEP_S,
    MIN_STEP_M,
    MIN_STEP_S,
    Repeat,
    Step,
    StepKind,
    StructuredWorkout,
    Treadmill,
    Zones,
    compile_program,
)

#: Makes "a workout of this type and this many minutes"; the planner's library is one.
Build = Callable[[WorkoutType, int], StructuredWorkout]

#: Shortest and longest length a change may ask for, in minutes.
MIN_CHANGE_MINUTES = 10
MAX_CHANGE_MINUTES = 360
#: Below this the main part of a shortened session is scaled with its warm-up and cool-down.
MIN_MAIN_S = 5 * 60
#: How far from the asked date a move's alternative may be.
MAX_ALTERNATIVE_DAYS = 7
DURATION_GRID_S = 1
#: Rounds of correcting the scale factor against the compiled program.
SCALE_TRIES = 12
#: Seconds under the asked length that count as landed on it.
SCALE_SLACK_S = 3
DISTANCE_GRID_M = 1.0
REST_TITLE = "Rest"
#: Types a change may not ask for: rest is its own edit, and only the goal puts a race on the plan.
NOT_BY_CHANGE = frozenset({WorkoutType.REST, WorkoutType.RACE})


# --------------------------------------------------------------------------- the edits


class _Edit(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    wid: int = Field(ge=1, le=2**31 - 1)


class Move(_Edit):
    """Move the workout to another (free or rest) day."""

    op: Literal["move"] = "move"
    to: date


class Swap(_Edit):
    """The two days exchange dates."""

    op: Literal["swap"] = "swap"
    other_wid: int = Field(ge=1, le=2**31 - 1)


class Change(_Edit):
    """A new type, a new length in minutes, or both."""

    op: Literal["change"] = "change"
    type: WorkoutType | None = None
    minutes: int | None = Field(default=None, ge=MIN_CHANGE_MINUTES, le=MAX_CHANGE_MINUTES)

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.type is None and self.minutes is None:
            raise ValueError("a change needs a new type, a new length in minutes, or both")
        if self.type in NOT_BY_CHANGE:
            raise ValueError(f"a change cannot make a {self.type} day; rest is its own edit")
        return self


class Rest(_Edit):
    """Replace the workout with rest; the day keeps its wid."""

    op: Literal["rest"] = "rest"


Edit = Annotated[Move | Swap | Change | Rest, Field(discriminator="op")]


class EditOutcome(BaseModel):
    """An edit checked against the rules: the edited plan when it passes, else every violation and,
    where one exists, the nearest edit that passes (`alternative`). `message` says it in words."""

    model_config = ConfigDict(frozen=True)

    draft: PlanDraft | None
    violations: tuple[Violation, ...]
    alternative: Move | Change | None = None
    message: str

    @property
    def ok(self) -> bool:
        return self.draft is not None


class EditRefused(PlanBreaksRules):
    """An edit that breaks rules: the violations, the nearest edit that passes (if any) and the
    sentence that says both (422)."""

    def __init__(self, outcome: EditOutcome) -> None:
        super().__init__(list(outcome.violations))
        self.alternative = outcome.alternative
        self.suggestion = outcome.message


# --------------------------------------------------------------------------- apply


def apply(
    draft: PlanDraft, edit: Edit, *, zones: Zones, treadmill: Treadmill, build: Build, today: date
) -> PlanDraft:
    """The plan with `edit` made (pure: `draft` is left as it is). No rule is checked here.

    `zones` and `treadmill` are needed to measure a workout's length (distances become time at
    the speed the treadmill runs). Raises NotFound for an unknown wid, InvalidInput for an edit
    that cannot be made at all (see the module's decisions).
    """
    day = _editable(draft, edit.wid, today)
    match edit:
        case Move():
            days = _moved(draft, day, edit.to, today)
        case Swap():
            days = _swapped(day, _editable(draft, edit.other_wid, today))
        case Change():
            days = {day.wid: _eased(day, _changed(day, edit, zones, treadmill, build), zones, treadmill)}
        case Rest():
            days = {day.wid: _eased(day, _rested(day), zones, treadmill)}
    # Built anew, not model_copy'd, so the days are sorted by their new dates again.
    return PlanDraft(**{**dict(draft), "days": tuple(days.get(d.wid, d) for d in draft.days)})


def _editable(draft: PlanDraft, wid: int, today: date) -> DayPlan:
    day = draft.day(wid)
    if day is None:
        raise NotFound(f"Workout {wid} is not in this plan.")
    if day.type is WorkoutType.RACE:
        raise InvalidInput("wid", "The race stays on race day: it cannot be moved, changed or rested.")
    if day.date < today:
        raise InvalidInput("wid", f"{weekday_date(day.date)} is past: a past day cannot be edited.")
    return day


def _moved(draft: PlanDraft, day: DayPlan, to: date, today: date) -> dict[int, DayPlan]:
    if to == day.date:
        raise InvalidInput("to", f"The workout is already on {weekday_date(to)}.")
    if not draft.start_date <= to <= draft.end_date:
        raise InvalidInput(
            "to",
            f"{weekday_date(to)} is outside the plan, which runs from {weekday_date(draft.start_date)} "
            f"to {weekday_date(draft.end_date)}.",
        )
    if to < today:
        raise InvalidInput("to", f"{weekday_date(to)} is past: a workout can only move to today or later.")
    there = draft.on(to)
    if there is not None and there.type is not WorkoutType.REST:
        raise InvalidInput(
            "to", f"{weekday_date(to)} already has {there.title}: swap the two days instead of moving."
        )
    moved = {day.wid: day.model_copy(update={"date": to})}
    if there is not None:  # the rest day takes the date the workout left
        moved[there.wid] = there.model_copy(update={"date": day.date})
    return moved


def _swapped(day: DayPlan, other: DayPlan) -> dict[int, DayPlan]:
    if other.wid == day.wid:
        raise InvalidInput("other_wid", "A day cannot be swapped with itself.")
    return {
        day.wid: day.model_copy(update={"date": other.date}),
        other.wid: other.model_copy(update={"date": day.date}),
    }


def _changed(day: DayPlan, edit: Change, zones: Zones, treadmill: Treadmill, build: Build) -> DayPlan:
    if edit.type is None or edit.type is day.type:
        if day.structure is None:
            raise InvalidInput("type", "A rest day needs a type to become a run.")
        if edit.minutes is None:
            article = "an" if day.type[0] in "aeiou" else "a"
            raise InvalidInput("type", f"{weekday_date(day.date)} is already {article} {day.type} day.")
        return day.model_copy(update={"structure": scale_to(day.structure, edit.minutes, zones, treadmill)})
    if edit.minutes is None and day.structure is None:
        raise InvalidInput("minutes", "A rest day that becomes a run needs its length in minutes.")
    minutes = edit.minutes if edit.minutes is not None else minutes_of(day, zones, treadmill)
    structure = build(edit.type, max(minutes, MIN_CHANGE_MINUTES))
    return DayPlan(
        wid=day.wid,
        date=day.date,
        type=edit.type,
        hard=edit.type in HARD_BY_DEFAULT,
        title=structure.name[:MAX_TITLE_CHARS],
        structure=structure,
    )


def _rested(day: DayPlan) -> DayPlan:
    return DayPlan(wid=day.wid, date=day.date, type=WorkoutType.REST, hard=False, title=REST_TITLE)


def _eased(before: DayPlan, after: DayPlan, zones: Zones, treadmill: Treadmill) -> DayPlan:
    """`after` keeping the load the day was first planned with when the edit eases it (no longer in
    whole minutes than that load, and not harder than `before`), else with none: an edit that
    lengthens or hardens the day makes it a new plan for the day, judged as it is."""
    base = before.eased_from
    if base is None and before.structure is not None:
        base = load_of(summarise_day(before, zones, treadmill))
    easing = (
        base is not None
        and not is_harder(before, after)
        and minutes_of(after, zones, treadmill) <= round(base.duration_s / 60)
    )
    return after.model_copy(update={"eased_from": base if easing else None})


def is_harder(before: DayPlan, after: DayPlan) -> bool:
    """A hard day where there was none, or a hard day of another type (tempo becoming intervals is
    another session, not an easier one). A day that is not hard, and the same session at another
    length, are not harder."""
    return after.hard and not (before.hard and after.type is before.type)


def minutes_of(day: DayPlan, zones: Zones, treadmill: Treadmill) -> int:
    """The day's length in whole minutes, as the compiled program runs it (0 for rest)."""
    if day.structure is None:
        return 0
    return round(compile_program(day.structure, zones, treadmill).total_duration_s / 60)


# --------------------------------------------------------------------------- scaling a workout


def scale_to(
    workout: StructuredWorkout, minutes: int, zones: Zones, treadmill: Treadmill
) -> StructuredWorkout:
    """The workout made `minutes` long: warm-up and cool-down kept, the main part scaled by one factor.

    The compiled length is the asked minutes or a few seconds under, never over, so the session fits
    a day of exactly that many minutes. One factor scales every step, so equal steps round together:
    the shortfall can reach about a second per segment. See the module's decisions.
    """
    target = minutes * 60
    lead, trail = _frame(workout)
    items = workout.items
    frame_s = _seconds(workout, zones, treadmill, [*range(lead), *range(len(items) - trail, len(items))])
    main = range(lead, len(items) - trail)
    if not main or target - frame_s < MIN_MAIN_S:
        main, frame_s = range(len(items)), 0
    main_s = _seconds(workout, zones, treadmill, list(main))
    factor = (target - frame_s) / main_s
    best, best_s = None, -1
    candidate = workout
    for _ in range(SCALE_TRIES):
        candidate = _scaled(workout, main, factor)
        actual = compile_program(candidate, zones, treadmill).total_duration_s
        if best_s < actual <= target:
            best, best_s = candidate, actual
        if target - SCALE_SLACK_S <= actual <= target:
            break
        # Correct the factor for the grid and for distances; aim a little under after an overshoot.
        aim = target - SCALE_SLACK_S / 2 if actual > target else target
        factor *= (aim - frame_s) / max(actual - frame_s, 1)
    # None only when the steps' minimum lengths keep even the smallest factor over the target.
    return best if best is not None else candidate


def _frame(workout: StructuredWorkout) -> tuple[int, int]:
    """How many items lead as warm-up and trail as cool-down."""
    items = workout.items
    lead = 0
    while lead < len(items) and _is_kind(items[lead], StepKind.WARMUP):
        lead += 1
    trail = 0
    while trail < len(items) - lead and _is_kind(items[len(items) - 1 - trail], StepKind.COOLDOWN):
        trail += 1
    return lead, trail


def _is_kind(item: Step | Repeat, kind: StepKind) -> bool:
    return isinstance(item, Step) and item.kind is kind


def _seconds(workout: StructuredWorkout, zones: Zones, treadmill: Treadmill, indices: list[int]) -> int:
    """Compiled seconds of the items at `indices`."""
    program = compile_program(workout, zones, treadmill)
    wanted = set(indices)
    return sum(
        seg.duration_s
        for seg, src in zip(program.segments, program.sources, strict=True)
        if src.item in wanted
    )


def _scaled(workout: StructuredWorkout, main: range, factor: float) -> StructuredWorkout:
    items = tuple(_scale_item(item, factor) if i in main else item for i, item in enumerate(workout.items))
    return workout.model_copy(update={"items": items})


def _scale_item(item: Step | Repeat, factor: float) -> Step | Repeat:
    if isinstance(item, Repeat):
        return item.model_copy(update={"steps": tuple(_scale_step(s, factor) for s in item.steps)})
    return _scale_step(item, factor)


def _scale_step(step: Step, factor: float) -> Step:
    if step.duration_s is not None:
        seconds = round(step.duration_s * factor / DURATION_GRID_S) * DURATION_GRID_S
        return step.model_copy(update={"duration_s": min(max(seconds, MIN_STEP_S), MAX_STEP_S)})
    assert step.distance_m is not None
    metres = round(step.distance_m * factor / DISTANCE_GRID_M) * DISTANCE_GRID_M
    return step.model_copy(update={"distance_m": min(max(metres, MIN_STEP_M), MAX_STEP_M)})


# --------------------------------------------------------------------------- checking an edit


class _Checker:
    """`rules.check` of edited plans, summarising only the days an edit touched.

    Every candidate of the alternative search differs from the draft in one or two days, so the
    other days' summaries are reused (keyed by the frozen `DayPlan`, which is hashable).
    """

    def __init__(self, draft: PlanDraft, zones: Zones, treadmill: Treadmill, constraints: PlanConstraints):
        self._base = summarise(draft, zones, treadmill)
        self._known: dict[DayPlan, PlannedWorkout] = dict(zip(draft.days, self._base.workouts, strict=True))
        self.zones, self.treadmill, self._constraints = zones, treadmill, constraints

    def violations(self, draft: PlanDraft) -> list[Violation]:
        workouts = tuple(self._summary(day) for day in draft.days)
        return check(self._base.model_copy(update={"workouts": workouts}), self._constraints)

    def _summary(self, day: DayPlan) -> PlannedWorkout:
        # An edited day is never an outdoor race (the race cannot be edited): summarise_day fits.
        if day not in self._known:
            self._known[day] = summarise_day(day, self.zones, self.treadmill)
        return self._known[day]


def try_edit(
    draft: PlanDraft,
    edit: Edit,
    *,
    zones: Zones,
    treadmill: Treadmill,
    constraints: PlanConstraints,
    build: Build,
    today: date,
) -> EditOutcome:
    """`edit` checked against every rule: the edited plan if it passes, else its violations and the
    nearest valid alternative (a move: the nearest free date within 7 days of the asked one; a
    longer change: the longest length that passes; a swap or rest: none).

    Raises what `apply` raises for an edit that cannot be made at all.
    """
    edited = apply(draft, edit, zones=zones, treadmill=treadmill, build=build, today=today)
    checker = _Checker(draft, zones, treadmill, constraints)
    violations = checker.violations(edited)
    if not violations:
        return EditOutcome(draft=edited, violations=(), message=_done(edit, edited))
    alternative = _alternative(draft, edit, checker, build=build, today=today)
    first = violations[0].message
    more = f" ({len(violations) - 1} more)" if len(violations) > 1 else ""
    if alternative is None:
        return EditOutcome(draft=None, violations=tuple(violations), message=f"{first}{more}")
    return EditOutcome(
        draft=None,
        violations=tuple(violations),
        alternative=alternative,
        message=f"{first}{more} {_works(alternative)}",
    )


def _alternative(
    draft: PlanDraft, edit: Edit, checker: _Checker, *, build: Build, today: date
) -> Move | Change | None:
    def passes(candidate: Move | Change) -> bool:
        edited = apply(
            draft, candidate, zones=checker.zones, treadmill=checker.treadmill, build=build, today=today
        )
        return not checker.violations(edited)

    match edit:
        case Move():
            return next((m for m in _nearby_moves(draft, edit, today) if passes(m)), None)
        case Change() if edit.minutes is not None:
            return _longest_change(draft, edit, checker, passes)
        case _:
            return None


def _nearby_moves(draft: PlanDraft, edit: Move, today: date) -> Iterator[Move]:
    """Free (or rest) dates in the plan from today on, nearest the asked date first, earlier first."""
    day = draft.day(edit.wid)
    assert day is not None  # apply found it
    for distance in range(1, MAX_ALTERNATIVE_DAYS + 1):
        for to in (edit.to - timedelta(days=distance), edit.to + timedelta(days=distance)):
            there = draft.on(to)
            free = there is None or there.type is WorkoutType.REST
            if free and to != day.date and to >= today and draft.start_date <= to <= draft.end_date:
                yield Move(wid=edit.wid, to=to)


def _longest_change(
    draft: PlanDraft, edit: Change, checker: _Checker, passes: Callable[[Change], bool]
) -> Change | None:
    """For a change that lengthens the workout: the longest length under the asked one that passes.

    Every rule a longer run can break (the week's volume and its rise, the long run's share and
    length, the day's minutes, the easy share, the taper) measures something that changes in one
    direction with each extra minute, so the lengths that pass, from the lowest one tried up, are an
    unbroken run: binary search finds its top. The lowest tried is the present length + 1 when the
    type stays (the present length is no change), the present length with a new type; when even
    that fails there is no alternative.
    """
    day = draft.day(edit.wid)
    assert day is not None and edit.minutes is not None
    now = minutes_of(day, checker.zones, checker.treadmill)
    same_type = edit.type is None or edit.type is day.type
    low, high = max(now + 1 if same_type else now, MIN_CHANGE_MINUTES), edit.minutes - 1
    if low > high or not passes(edit.model_copy(update={"minutes": low})):
        return None
    while low < high:  # invariant: `low` passes
        middle = (low + high + 1) // 2
        if passes(edit.model_copy(update={"minutes": middle})):
            low = middle
        else:
            high = middle - 1
    return edit.model_copy(update={"minutes": low})


def _done(edit: Edit, edited: PlanDraft) -> str:
    day = edited.day(edit.wid)
    assert day is not None
    match edit:
        case Move():
            return f"{day.title} moves to {weekday_date(day.date)}."
        case Swap():
            other = edited.day(edit.other_wid)
            assert other is not None
            here, there = weekday_date(day.date), weekday_date(other.date)
            return f"{day.title} is now on {here}, {other.title} on {there}."
        case Change():
            return f"{weekday_date(day.date)} is now {day.title}."
        case Rest():
            return f"{weekday_date(day.date)} is now a rest day."


def _works(alternative: Move | Change) -> str:
    if isinstance(alternative, Move):
        return f"{weekday_date(alternative.to)} works."
    return f"{alternative.minutes} minutes works."


# --------------------------------------------------------------------------- history and diff


class DayChange(BaseModel):
    """One day's before and after between two versions; None where the day did not exist."""

    model_config = ConfigDict(frozen=True)

    wid: int
    before: DayPlan | None
    after: DayPlan | None


def changes(before: PlanDraft, after: PlanDraft) -> list[DayChange]:
    """Every day that differs between two versions (added, removed, moved or changed), by date."""
    old = {d.wid: d for d in before.days}
    new = {d.wid: d for d in after.days}
    found = [DayChange(wid=w, before=old.get(w), after=new.get(w)) for w in old.keys() | new.keys()]
    found = [c for c in found if c.before != c.after]
    return sorted(found, key=lambda c: (_when(c), c.wid))


def _when(change: DayChange) -> date:
    day = change.after or change.before
    assert day is not None
    return day.date


class Moved(BaseModel):
    model_config = ConfigDict(frozen=True)

    wid: int
    from_date: date
    to_date: date


class Changed(BaseModel):
    """A day whose content changed; `what` names each of type, length (compiled) and structure."""

    model_config = ConfigDict(frozen=True)

    wid: int
    date: date
    what: tuple[Literal["type", "length", "structure"], ...]
    before_type: WorkoutType
    after_type: WorkoutType
    before_duration_s: float
    after_duration_s: float


class WeekChange(BaseModel):
    """One week's planned distance and time in both versions (the race counted), and the change."""

    model_config = ConfigDict(frozen=True)

    start_date: date
    before_km: float
    after_km: float
    change_km: float
    before_duration_s: float
    after_duration_s: float
    change_duration_s: float


class PlanDiff(BaseModel):
    """What differs from version `a` to version `b`; a day can be both moved and changed."""

    model_config = ConfigDict(frozen=True)

    added: tuple[DayPlan, ...]
    removed: tuple[DayPlan, ...]
    moved: tuple[Moved, ...]
    changed: tuple[Changed, ...]
    weeks: tuple[WeekChange, ...]


def diff(a: PlanDraft, b: PlanDraft, *, zones: Zones, treadmill: Treadmill) -> PlanDiff:
    """The visual diff's content: days added, removed, moved, changed, and each week's volume."""
    sa, sb = summarise(a, zones, treadmill), summarise(b, zones, treadmill)
    old = {d.wid: (d, w) for d, w in zip(a.days, sa.workouts, strict=True)}
    new = {d.wid: (d, w) for d, w in zip(b.days, sb.workouts, strict=True)}
    both = sorted(old.keys() & new.keys(), key=lambda wid: (new[wid][0].date, wid))
    return PlanDiff(
        added=tuple(new[w][0] for w in sorted(new.keys() - old.keys(), key=lambda w: new[w][0].date)),
        removed=tuple(old[w][0] for w in sorted(old.keys() - new.keys(), key=lambda w: old[w][0].date)),
        moved=tuple(
            Moved(wid=w, from_date=old[w][0].date, to_date=new[w][0].date)
            for w in both
            if old[w][0].date != new[w][0].date
        ),
        changed=tuple(c for w in both if (c := _changed_day(*old[w], *new[w])) is not None),
        weeks=_weeks(sa, sb),
    )


def _changed_day(d0: DayPlan, w0: PlannedWorkout, d1: DayPlan, w1: PlannedWorkout) -> Changed | None:
    what: list[Literal["type", "length", "structure"]] = []
    if d0.type is not d1.type:
        what.append("type")
    if round(w0.duration_s) != round(w1.duration_s):
        what.append("length")
    if d0.structure != d1.structure:
        what.append("structure")
    if not what:
        return None
    return Changed(
        wid=d1.wid,
        date=d1.date,
        what=tuple(what),
        before_type=d0.type,
        after_type=d1.type,
        before_duration_s=w0.duration_s,
        after_duration_s=w1.duration_s,
    )


def _weeks(a: PlanSummary, b: PlanSummary) -> tuple[WeekChange, ...]:
    before, after = _week_totals(a), _week_totals(b)
    mondays = sorted({w.start_date for w in (*a.weeks, *b.weeks)})
    return tuple(_week_change(m, before.get(m, (0.0, 0.0)), after.get(m, (0.0, 0.0))) for m in mondays)


def _week_totals(plan: PlanSummary) -> dict[date, tuple[float, float]]:
    totals = {w.start_date: (0.0, 0.0) for w in plan.weeks}
    for w in plan.workouts:
        monday = w.date - timedelta(days=w.date.weekday())
        km, seconds = totals[monday]
        totals[monday] = (km + w.distance_km, seconds + w.duration_s)
    return totals


def _week_change(monday: date, before: tuple[float, float], after: tuple[float, float]) -> WeekChange:
    return WeekChange(
        start_date=monday,
        before_km=round(before[0], 3),
        after_km=round(after[0], 3),
        change_km=round(after[0] - before[0], 3),
        before_duration_s=round(before[1], 1),
        after_duration_s=round(after[1], 1),
        change_duration_s=round(after[1] - before[1], 1),
    )
