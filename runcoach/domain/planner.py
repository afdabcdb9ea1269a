"""The plan generator: a periodized plan for a goal that passes the rule checker, or a refusal.

Pure and deterministic: standard library, pydantic and `runcoach.domain`; the only randomness is a
`random.Random(seed)`, so the same profile, goal, start, methodology and seed give the same draft.

How a plan is made, and the decisions behind it:

- Weeks run Monday to Sunday from the week holding `start_date`; no day before `start_date` is used.
  A race goal ends with the race week, a volume goal with its date's week; keep-fit (no date) plans
  `KEEP_FIT_WEEKS` weeks, long enough for three recovery cycles, short enough to regenerate often.
- A first week that starts after Monday is marked a recovery week: a few days are no base to grow
  10 % from, and the rule checker then measures the first full week against nothing.
- Phases: before the taper, about 40 % base, 20 % peak and build in between; the taper is the rule
  checker's `TAPER_WEEKS` for the race, the last one `race_week`. Volume goals: a third base, then
  build. A recovery week (75 % volume, all easy) comes every 3rd week for beginners and every 4th
  otherwise, never as the last week before a taper or a volume goal's date.
- Volume is planned in km and grows 8 % a week (the rule allows 10 %; compiled programs round, so 2
  points are kept in hand) from the runner's weekly km (at least an hour of easy running) towards a
  peak that depends on the race and level, and never beyond what their days and minutes hold.
- Each week is built, compiled and measured (the same arithmetic as `plans.summarise`), then
  repaired in a few rounds until its own rules hold: volume under the limit, long run under 30 %,
  easy share 75..85 %. A build or peak week whose quality cannot reach 15 % of the time (short days)
  becomes a base week rather than breaking the 80/20 ceiling. Last, the whole draft goes through
  `rules.check`; anything left is a refusal with the checker's sentences, never a plan.
- Hard days (long run, quality, race) are never next to each other, across weeks too: every long-run
  day and the race day are reserved before quality days are placed, and each week's hard days are
  reserved for the next. The long run needs at least three runs in the week (with fewer it would
  break the 30 % rule or be no longer than the others), and is dropped next to the race.
- Quality sessions are as long as the hard minutes the week needs divided by how much of that type
  is hard (`WORK_SHARE`); runs are whole 5 minutes (readable, and days share workouts).
- Refusals, each a sentence: the date is before the start, or leaves no full week of training before
  the taper; the runner's days cannot hold the race (`RACE_NEEDS`: days, weekly minutes, a long-run
  day) or the volume asked for; the goal assessment calls the preparation time unrealistic (the
  target time is left out: a fast target is ambitious, not unsafe); or, last, a rule still broken.
- The figures (`PEAK_KM`, `LEVEL_FACTOR`, `RACE_NEEDS`, `HARD_SHARE`) are coaching judgement written
  down: a 10K intermediate peaks near 45 km a week, a marathoner near 70; beginners at 70 % of that,
  advanced runners at 130 %; a marathon needs three days, 3.5 hours a week and a 100-minute day.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import combinations, pairwise

from runcoach.domain.errors import InvalidInput
from runcoach.domain.goals import Feasibility, Goal, assess
from runcoach.domain.library import MAX_MINUTES, MIN_MINUTES, belt_speeds, build, title
from runcoach.domain.paces import Race, SpeedRange, Zone
from runcoach.domain.plan_model import GoalKind as PlanGoalKind
from runcoach.domain.plan_model import Phase, PlanConstraints, PlanWeek, WorkoutType
from runcoach.domain.plans import (
    DayPlan,
    Methodology,
    PlanDraft,
    constraints_for,
    race_for,
    summarise,
    workout_numbers,
)
from runcoach.domain.profile import Level, Profile
from runcoach.domain.rules import MAX_LONG_RUN_MARATHON_S, MAX_LONG_RUN_S, TAPER_WEEKS, check
from runcoach.domain.structure import (
    HILL_INCLINE_PCT,
    StructuredWorkout,
)

KEEP_FIT_WEEKS = 12
KEEP_FIT_MINUTES = 150
GROWTH = 1.08
MAX_RISE = 1.10
#: Room kept under each limit: compiled programs round seconds and speeds.
MARGIN = 0.01
RECOVERY_SHARE = 0.75
LONG_SHARE = 0.27
MIN_QUALITY_MINUTES = 30
#: Share of the taper's reference week run in each taper week, by taper length (race week last).
TAPER_SHARES: dict[int, tuple[float, ...]] = {1: (0.55,), 2: (0.7, 0.5), 3: (0.75, 0.62, 0.45)}
PEAK_KM: dict[Race, float] = {Race.FIVE_K: 35.0, Race.TEN_K: 45.0, Race.HALF: 55.0, Race.MARATHON: 70.0}
LEVEL_FACTOR: dict[Level, float] = {Level.BEGINNER: 0.7, Level.INTERMEDIATE: 1.0, Level.ADVANCED: 1.3}
#: What a runner's week must hold for a race: (running days, minutes a week, longest day in minutes).
RACE_NEEDS: dict[Race, tuple[int, int, int]] = {
    Race.FIVE_K: (2, 80, 25),
    Race.TEN_K: (2, 100, 40),
    Race.HALF: (3, 150, 70),
    Race.MARATHON: (3, 210, 100),
}
#: Most runs a week: 80/20 spreads the same volume over more, shorter runs.
MAX_RUNS: dict[Methodology, dict[Level, int]] = {
    Methodology.DANIELS: {Level.BEGINNER: 4, Level.INTERMEDIATE: 5, Level.ADVANCED: 6},
    Methodology.EIGHTY_TWENTY: {Level.BEGINNER: 5, Level.INTERMEDIATE: 6, Level.ADVANCED: 7},
}
#: Share of the week's running time outside E aimed at, by phase (recovery weeks: none).
HARD_SHARE: dict[Phase, float] = {
    Phase.BASE: 0.08,
    Phase.BUILD: 0.19,
    Phase.PEAK: 0.2,
    Phase.TAPER: 0.15,
    Phase.RACE_WEEK: 0.12,
}
#: About how much of a quality session of each type is outside E (warm-up, cool-down and jogs are E):
#: how long a session must be to hold the hard minutes the week needs.
WORK_SHARE: dict[WorkoutType, float] = {
    WorkoutType.TEMPO: 0.55,
    WorkoutType.PROGRESSION: 0.55,
    WorkoutType.FARTLEK: 0.45,
    WorkoutType.INTERVALS: 0.35,
    WorkoutType.HILLS: 0.3,
}
_MIN_EASY, _MAX_EASY = 0.75 + MARGIN, 0.85 - MARGIN
_REPAIR_ROUNDS = 8


#: The longest plan: a year. Beyond that a plan is guesswork (and a thousand-week plan is a way to
#: make the server work for nothing); a runner with a goal further off starts the plan later.
MAX_PLAN_WEEKS = 52


class PlanRefused(InvalidInput):
    """The goal cannot be planned safely; `reasons` are plain sentences, the message joins them."""

    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__("goal", " ".join(reasons))
        self.reasons: tuple[str, ...] = tuple(reasons)


def plan(profile: Profile, goal: Goal, start_date: date, methodology: Methodology, seed: int) -> PlanDraft:
    """A plan for `goal` from `start_date` that passes `rules.check`, or PlanRefused with the reasons."""
    ctx = _Context.of(profile, goal, start_date, methodology, seed)
    _refuse_if_unsafe(ctx)
    weeks = _skeleton(ctx)
    days, weeks = _fill(ctx, weeks)
    draft = PlanDraft(
        methodology=methodology,
        weeks=tuple(weeks),
        days=tuple(days),
        goal=PlanGoalKind(goal.kind.value),
        race_distance=ctx.race,
        race_date=goal.race_date if ctx.race else None,
    )
    violations = check(summarise(draft, ctx.zones, profile.treadmill), ctx.constraints)
    if violations:
        raise PlanRefused([v.message for v in violations])
    return draft


# --------------------------------------------------------------------------- context


@dataclass
class _Context:
    """Everything the generator reads, worked out once."""

    profile: Profile
    goal: Goal
    start: date
    methodology: Methodology
    rng: random.Random
    race: Race | None
    zones: dict[Zone, SpeedRange]
    belt: dict[Zone, float]
    caps: dict[int, int]  # weekday -> usable minutes (days under MIN_MINUTES dropped)
    constraints: PlanConstraints
    cache: dict[tuple[object, ...], tuple[StructuredWorkout, float, float, float]] = field(
        default_factory=dict
    )
    variants: dict[int, int] = field(default_factory=dict)
    day_choices: dict[tuple[object, ...], tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, profile: Profile, goal: Goal, start: date, methodology: Methodology, seed: int) -> _Context:
        zones = dict(profile.paces().zones)
        constraints = constraints_for(profile)
        minutes = constraints.weekday_minutes
        caps = {int(day): min(m, MAX_MINUTES) for day, m in minutes.items() if m >= MIN_MINUTES}
        race = race_for(goal.race_distance_m) if goal.race_distance_m is not None else None
        return cls(
            profile=profile,
            goal=goal,
            start=start,
            methodology=methodology,
            rng=random.Random(seed),
            race=race,
            zones=zones,
            belt=belt_speeds(zones, profile.treadmill),
            caps=caps,
            constraints=constraints,
        )

    def variant(self, day: date) -> int:
        """The shape of the workout on `day`: drawn once a week (so a repaired week keeps its shapes),
        shifted by the weekday (so two sessions of a week differ)."""
        week = (day - self.first_monday).days // 7
        if week not in self.variants:
            self.variants[week] = self.rng.randrange(6)
        return (self.variants[week] + day.weekday()) % 6

    @property
    def first_monday(self) -> date:
        return self.start - timedelta(days=self.start.weekday())

    @property
    def long_day(self) -> int:
        return list(type(self.profile.long_run_day)).index(self.profile.long_run_day)

    @property
    def easy_kmh(self) -> float:
        return self.belt[Zone.EASY]

    def week_count(self) -> int:
        last = self.goal.race_date or self.goal.by_date
        if last is None:
            return KEEP_FIT_WEEKS
        return (last - self.first_monday).days // 7 + 1

    def capacity_minutes(self) -> int:
        return sum(self.caps.values())


# --------------------------------------------------------------------------- refusals


def _refuse_if_unsafe(ctx: _Context) -> None:
    reasons = [*_date_reasons(ctx), *_capacity_reasons(ctx)]
    if not reasons:
        reasons = _feasibility_reasons(ctx)
    if reasons:
        raise PlanRefused(reasons)


def _date_reasons(ctx: _Context) -> list[str]:
    last = ctx.goal.race_date or ctx.goal.by_date
    if last is None:
        return []
    what = "The race" if ctx.race else "The goal's date"
    if last < ctx.start:
        return [f"{what} ({last.isoformat()}) is before the plan's start on {ctx.start.isoformat()}."]
    if ctx.week_count() > MAX_PLAN_WEEKS:
        return [
            f"{what} ({last.isoformat()}) is {ctx.week_count()} weeks away: a plan spans at most "
            f"{MAX_PLAN_WEEKS} weeks. Start the plan later, or set a nearer goal on the way."
        ]
    taper = TAPER_WEEKS[ctx.race] if ctx.race else 0
    first_full = 0 if ctx.start.weekday() == 0 else 1
    if ctx.week_count() - taper - first_full < 1:
        need = f"a full week of training and a {taper}-week taper" if taper else "a full week of training"
        return [f"{what} ({last.isoformat()}) is too soon: the plan needs {need} before it."]
    return []


def _capacity_reasons(ctx: _Context) -> list[str]:
    if not ctx.caps:
        return [
            f"None of your training days has {MIN_MINUTES} minutes: a plan needs at least one run a week."
        ]
    reasons: list[str] = []
    if ctx.race is not None:
        days, week, longest = RACE_NEEDS[ctx.race]
        name = _RACE_NAMES[ctx.race]
        if len(ctx.caps) < days:
            reasons.append(
                f"Training for {name} needs at least {days} days a week of {MIN_MINUTES} minutes or more."
            )
        if ctx.capacity_minutes() < week:
            reasons.append(
                f"Training for {name} needs at least {week} minutes a week; "
                f"your days hold {ctx.capacity_minutes()}."
            )
        if max(ctx.caps.values()) < longest:
            reasons.append(f"Training for {name} needs one day with {longest} minutes for the long run.")
    target = ctx.goal.weekly_km_target
    if target is not None:
        hold = ctx.capacity_minutes() * ctx.easy_kmh / 60 * (1 - 2 * MARGIN)
        if target > hold:
            reasons.append(
                f"{target:.0f} km a week does not fit your training days: "
                f"at your easy pace they hold about {hold:.0f} km."
            )
    return reasons


def _feasibility_reasons(ctx: _Context) -> list[str]:
    """The goal assessment's preparation verdict (the target time is left out: a fast target is
    ambitious, not unsafe, and the plan trains towards it the same way)."""
    goal = ctx.goal.model_copy(update={"target_time_s": None})
    verdict = assess(goal, ctx.profile, ctx.start)
    if verdict.feasibility is not Feasibility.UNREALISTIC:
        return []
    return [s for s in (verdict.reason, verdict.realistic_target) if s]


_RACE_NAMES = {
    Race.FIVE_K: "a 5K",
    Race.TEN_K: "a 10K",
    Race.HALF: "a half marathon",
    Race.MARATHON: "a marathon",
}


# --------------------------------------------------------------------------- weeks


def _skeleton(ctx: _Context) -> list[PlanWeek]:
    n = ctx.week_count()
    taper = TAPER_WEEKS[ctx.race] if ctx.race else 0
    pre = n - taper
    phases = _pre_phases(pre, racing=ctx.race is not None) + [Phase.TAPER] * (taper - 1)
    if taper:
        phases.append(Phase.RACE_WEEK)
    cycle = 3 if ctx.profile.level is Level.BEGINNER else 4
    weeks = []
    for i, phase in enumerate(phases):
        recovery = 0 < i < pre - 1 and (i + 1) % cycle == 0
        recovery = recovery or (i == 0 and ctx.start.weekday() != 0)  # a part week is no base
        monday = ctx.first_monday + timedelta(weeks=i)
        weeks.append(PlanWeek(index=i, start_date=monday, phase=phase, recovery=recovery))
    return weeks


def _pre_phases(pre: int, *, racing: bool) -> list[Phase]:
    if not racing:
        base = max(1, round(pre / 3))
        return [Phase.BASE] * base + [Phase.BUILD] * (pre - base)
    base = max(1, round(pre * 0.4))
    peak = round(pre * 0.2) if pre >= 3 else 0
    return [Phase.BASE] * base + [Phase.BUILD] * (pre - base - peak) + [Phase.PEAK] * peak


# --------------------------------------------------------------------------- filling the weeks


@dataclass
class _Built:
    day: date
    type: WorkoutType
    minutes: int
    workout: StructuredWorkout
    km: float
    seconds: float
    easy_s: float


@dataclass
class _Progress:
    """What later weeks are measured against: the last full week and the taper's reference."""

    last_full_km: float | None = None
    taper_ref_km: float | None = None
    quality_count: int = 0


def _fill(ctx: _Context, weeks: list[PlanWeek]) -> tuple[list[DayPlan], list[PlanWeek]]:
    reserved = _reserved_hard_days(ctx, weeks)
    progress = _Progress()
    start_km = _start_km(ctx)
    peak_km = _peak_km(ctx, start_km)
    built: list[_Built] = []
    out_weeks = []
    taper_index = 0
    for week in weeks:
        if week.phase in (Phase.TAPER, Phase.RACE_WEEK) and progress.taper_ref_km is None:
            progress.taper_ref_km = progress.last_full_km
        target = _target_km(ctx, week, progress, start_km, peak_km, taper_index)
        if week.phase in (Phase.TAPER, Phase.RACE_WEEK):
            taper_index += 1
        runs, week = _plan_week(ctx, week, target, progress, reserved)
        reserved.update(r.day for r in runs if r.type not in _EASY_TYPES)  # next week keeps away
        km = sum(r.km for r in runs)
        if not week.recovery and km > 0:
            progress.last_full_km = km
        built.extend(runs)
        out_weeks.append(week)
    return _day_plans(ctx, built), out_weeks


def _reserved_hard_days(ctx: _Context, weeks: list[PlanWeek]) -> set[date]:
    """Every date that may hold a long run, and the race day: quality days keep away from them."""
    reserved = {w.start_date + timedelta(days=ctx.long_day) for w in weeks}
    if ctx.race and ctx.goal.race_date:
        reserved.add(ctx.goal.race_date)
    return reserved


def _start_km(ctx: _Context) -> float:
    hour = ctx.easy_kmh  # an hour a week of easy running: the floor for a runner starting from zero
    capacity = ctx.capacity_minutes() * ctx.easy_kmh / 60 * 0.9
    return min(max(ctx.profile.weekly_km, hour), capacity)


def _peak_km(ctx: _Context, start_km: float) -> float:
    capacity = ctx.capacity_minutes() * ctx.easy_kmh / 60 * 0.9
    if ctx.race is not None:
        wanted = max(start_km, PEAK_KM[ctx.race] * LEVEL_FACTOR[ctx.profile.level])
    elif ctx.goal.weekly_km_target is not None:
        wanted = ctx.goal.weekly_km_target
    else:
        # Keep-fit holds the runner's volume, and builds a runner below it towards the 150 minutes
        # a week of moderate activity health guidelines ask for.
        wanted = max(start_km, KEEP_FIT_MINUTES / 60 * ctx.easy_kmh)
    return min(wanted, capacity)


def _target_km(
    ctx: _Context, week: PlanWeek, progress: _Progress, start_km: float, peak_km: float, taper_index: int
) -> float:
    ref = progress.last_full_km
    if week.phase in (Phase.TAPER, Phase.RACE_WEEK):
        base = progress.taper_ref_km or start_km
        shares = TAPER_SHARES[TAPER_WEEKS[ctx.race or Race.TEN_K]]
        return base * shares[min(taper_index, len(shares) - 1)]
    if week.recovery:
        return (ref or start_km) * RECOVERY_SHARE
    if ref is None:
        return start_km
    return min(ref * GROWTH, peak_km)


def _limit_km(ctx: _Context, week: PlanWeek, progress: _Progress) -> float:
    """The most this week may hold under the rise and taper rules, less the margin."""
    limit = math.inf
    if progress.last_full_km:
        limit = progress.last_full_km * (MAX_RISE - MARGIN)
    if week.phase in (Phase.TAPER, Phase.RACE_WEEK) and progress.taper_ref_km:
        limit = min(limit, progress.taper_ref_km * (0.8 - MARGIN))
    return limit


def _plan_week(
    ctx: _Context, week: PlanWeek, target_km: float, progress: _Progress, reserved: set[date]
) -> tuple[list[_Built], PlanWeek]:
    """Build the week, measure it, and repair until its rules hold (see the module docstring)."""
    limit = _limit_km(ctx, week, progress)
    minutes = target_km / ctx.easy_kmh * 60
    hard = 0.0 if week.recovery else HARD_SHARE[week.phase]
    long_factor = 1.0
    runs: list[_Built] = []
    layout = _layout(ctx, week, minutes, hard, reserved)
    for _ in range(_REPAIR_ROUNDS):
        runs = _week_runs(ctx, week, layout, minutes, hard, long_factor)
        problem = _week_problem(ctx, week, runs, limit)
        if problem is None:
            return runs, week
        kind, value = problem
        if kind == "volume":
            minutes *= value
        elif kind == "long":
            long_factor *= value
        elif kind == "too_hard":
            hard *= 0.75
        elif kind == "too_easy":
            if hard >= 0.3:
                break
            hard = min(hard + 0.04, 0.3)
    if week.phase in (Phase.BUILD, Phase.PEAK) and _week_problem(ctx, week, runs, limit) == ("too_easy", 0):
        base = week.model_copy(update={"phase": Phase.BASE})  # short quality days: not a build week
        return _plan_week(ctx, base, target_km, progress, reserved)
    return _safe_fallback(ctx, week, runs, limit)


def _safe_fallback(
    ctx: _Context, week: PlanWeek, runs: list[_Built], limit: float
) -> tuple[list[_Built], PlanWeek]:
    """Last resort for a week the repairs could not fix: its easy runs only, shortened under the limit."""
    easy = [r for r in runs if r.type in (WorkoutType.EASY, WorkoutType.RECOVERY)]
    while easy and _week_problem(ctx, week, easy, limit) is not None:
        easy = easy[:-1]
    phase = Phase.BASE if week.phase in (Phase.BUILD, Phase.PEAK) else week.phase
    return easy, week.model_copy(update={"phase": phase})


def _week_problem(
    ctx: _Context, week: PlanWeek, runs: list[_Built], limit: float
) -> tuple[str, float] | None:
    """The first local rule this week breaks, with the factor that should fix it; None when sound."""
    km = sum(r.km for r in runs)
    if km > limit:
        return "volume", limit / km * 0.98
    for r in runs:
        if r.type is WorkoutType.LONG and r.km > km * (0.3 - MARGIN):
            return "long", km * (0.3 - 2 * MARGIN) / r.km
    seconds = sum(r.seconds for r in runs)
    if seconds <= 0:
        return None
    share = sum(r.easy_s for r in runs) / seconds
    if share < _MIN_EASY:
        return "too_hard", 0
    if share > _MAX_EASY and week.phase in (Phase.BUILD, Phase.PEAK) and not week.recovery:
        return "too_easy", 0
    return None


def _week_days(ctx: _Context, week: PlanWeek) -> list[date]:
    """The dates this week the runner can train: available, from the start, before the race."""
    days = []
    for offset in range(7):
        day = week.start_date + timedelta(days=offset)
        if day < ctx.start or offset not in ctx.caps:
            continue
        if ctx.goal.race_date and ctx.race and day >= ctx.goal.race_date:
            continue
        days.append(day)
    return days


@dataclass
class _Layout:
    """Which days of a week hold what: decided once per week, kept through its repair rounds."""

    chosen: list[date]
    long_date: date | None
    quality: list[tuple[date, WorkoutType]]


def _layout(ctx: _Context, week: PlanWeek, minutes: float, hard: float, reserved: set[date]) -> _Layout:
    days = _week_days(ctx, week)
    max_runs = MAX_RUNS[ctx.methodology][ctx.profile.level]
    count = max(1, min(len(days), max_runs, int(minutes // 25)))
    long_date: date | None = week.start_date + timedelta(days=ctx.long_day)
    race_date = ctx.goal.race_date if ctx.race else None
    has_long = (
        count >= 3
        and long_date in days
        and week.phase is not Phase.RACE_WEEK
        and not (race_date and long_date and abs((race_date - long_date).days) <= 1)
    )
    if not has_long:
        long_date = None
    key = (tuple(d.weekday() for d in days), count, long_date.weekday() if long_date else None)
    if key not in ctx.day_choices:  # weeks with the same free days choose alike: compute once
        ctx.day_choices[key] = tuple(d.weekday() for d in _choose_days(ctx, days, count, long_date))
    chosen = [week.start_date + timedelta(days=wd) for wd in ctx.day_choices[key]]
    sessions = _quality_sessions(ctx, week, hard)
    quality_days = _quality_days(ctx, chosen, len(sessions), reserved, long_date)
    return _Layout(chosen, long_date, list(zip(quality_days, sessions, strict=False)))


def _week_runs(
    ctx: _Context, week: PlanWeek, layout: _Layout, minutes: float, hard: float, long_factor: float
) -> list[_Built]:
    caps = {d: ctx.caps[d.weekday()] for d in layout.chosen}
    runs: list[_Built] = []
    finish = 0
    if layout.long_date is not None:
        ceiling = (MAX_LONG_RUN_MARATHON_S if ctx.race is Race.MARATHON else MAX_LONG_RUN_S) / 60 - 2
        long_min = _five(
            min(minutes * LONG_SHARE * long_factor, ceiling, caps[layout.long_date], MAX_MINUTES)
        )
        if long_min >= MIN_MINUTES:
            finish = _finish_minutes(ctx, week, long_min)
            runs.append(_make(ctx, layout.long_date, WorkoutType.LONG, long_min, finish=finish))
    need = max(hard * minutes - finish, 0.0)
    for day, kind in layout.quality:
        wish_s = need / len(layout.quality) * 60
        q = _five(
            min(
                max(wish_s / 60 / WORK_SHARE[kind], MIN_QUALITY_MINUTES),
                caps[day],
                MAX_MINUTES,
                max(minutes * 0.45, MIN_QUALITY_MINUTES),
            )
        )
        intensity = round(min(wish_s / (q * 60), 0.9) * 20) / 20
        runs.append(_make(ctx, day, kind, q, intensity=intensity, focus=_focus(ctx, week, kind)))
    used = {r.day for r in runs}
    easy_days = [d for d in layout.chosen if d not in used]
    left = minutes - sum(r.minutes for r in runs)
    runs.extend(_easy_runs(ctx, easy_days, left, caps, runs))
    return sorted(runs, key=lambda r: r.day)


def _five(minutes: float) -> int:
    """Down to whole 5 minutes: "45 min easy" reads better than 47, and repeats, so plans share
    workouts (and their compiled summaries)."""
    return int(minutes // 5 * 5)


def _choose_days(ctx: _Context, days: list[date], count: int, long_date: date | None) -> list[date]:
    """`count` of the available days: the long-run day first, then the roomiest, spread out."""
    chosen = [long_date] if long_date else []
    rest = sorted((d for d in days if d != long_date), key=lambda d: (-ctx.caps[d.weekday()], d))
    while rest and len(chosen) < count:
        best = max(
            rest, key=lambda d: (min((abs((d - c).days) for c in chosen), default=7), ctx.caps[d.weekday()])
        )
        chosen.append(best)
        rest.remove(best)
    return sorted(chosen)


def _quality_days(
    ctx: _Context, chosen: list[date], count: int, reserved: set[date], long_date: date | None
) -> list[date]:
    """Days for up to `count` quality sessions, none next to another hard day (reserved or chosen
    here): the most sessions that fit, then the set that keeps hard days furthest apart."""
    one = timedelta(days=1)
    near = {h for h in reserved if chosen and abs((h - chosen[0]).days) <= 13}  # this week's neighbours
    options = [
        d
        for d in chosen
        if d != long_date
        and ctx.caps[d.weekday()] >= MIN_QUALITY_MINUTES
        and not {d - one, d, d + one} & near
    ]
    for size in range(min(count, len(options)), 0, -1):
        fits: list[tuple[date, ...]] = [
            combo
            for combo in combinations(options, size)
            if all((b - a).days > 1 for a, b in pairwise(combo))
        ]
        if fits:
            best: tuple[date, ...] = max(fits, key=lambda combo: _spread(combo, near))
            return list(best)
    return []


def _spread(combo: Sequence[date], reserved: set[date]) -> tuple[int, int]:
    """How far apart the hard days of a week would be: the smallest gap, then the sum of gaps."""
    gaps = [abs((d - h).days) for d in combo for h in [*reserved, *combo] if h != d and abs((d - h).days) < 7]
    return (min(gaps, default=7), sum(gaps))


def _quality_sessions(ctx: _Context, week: PlanWeek, hard: float) -> list[WorkoutType]:
    """The week's quality sessions by methodology, level and phase (see `MAX_RUNS` and the brief)."""
    if week.recovery or hard <= 0:
        return []
    level, phase = ctx.profile.level, week.phase
    if phase is Phase.BASE:
        late_base = week.index % 2 == 1
        if level is Level.BEGINNER or not late_base:
            return []
        if ctx.methodology is Methodology.DANIELS:
            climbs = _max_incline(ctx) >= HILL_INCLINE_PCT
            return [WorkoutType.HILLS if climbs and ctx.rng.random() < 0.5 else WorkoutType.INTERVALS]
        return [WorkoutType.FARTLEK]
    if phase in (Phase.TAPER, Phase.RACE_WEEK):
        return [WorkoutType.TEMPO if ctx.methodology is Methodology.DANIELS else WorkoutType.PROGRESSION]
    count = {Level.BEGINNER: 1, Level.INTERMEDIATE: 2, Level.ADVANCED: 2}[level]
    if level is Level.ADVANCED and ctx.methodology is Methodology.EIGHTY_TWENTY and phase is Phase.PEAK:
        count = 3
    if ctx.methodology is Methodology.DANIELS:
        pool = [WorkoutType.TEMPO, WorkoutType.INTERVALS]
    else:
        pool = [WorkoutType.FARTLEK, WorkoutType.PROGRESSION, WorkoutType.TEMPO]
    offset = ctx.rng.randrange(len(pool))
    return [pool[(offset + i) % len(pool)] for i in range(count)]


def _finish_minutes(ctx: _Context, week: PlanWeek, long_min: int) -> int:
    """Daniels' marathon long runs end at M in the peak weeks (late in the build)."""
    late = week.phase is Phase.PEAK and not week.recovery
    if ctx.methodology is Methodology.DANIELS and ctx.race is Race.MARATHON and late and long_min >= 60:
        return min(30, long_min // 4)
    return 0


def _easy_runs(
    ctx: _Context, days: list[date], minutes: float, caps: dict[date, int], hard_runs: list[_Built]
) -> list[_Built]:
    """Share `minutes` over the easy days, each 20 minutes at least and within its cap."""
    days = list(days)
    while days and minutes / len(days) < MIN_MINUTES:
        days.pop(max(range(len(days)), key=lambda i: (-caps[days[i]], i)))  # drop the shortest day
    runs: list[_Built] = []
    left = minutes
    for i, day in enumerate(sorted(days, key=lambda d: caps[d])):
        share = left / (len(days) - i)
        # To the nearest 5 (down would stall a small volume's growth); the repairs catch an excess.
        length = min(round(share / 5) * 5, _five(min(caps[day], MAX_MINUTES)))
        if length < MIN_MINUTES:
            continue
        left -= length
        after_hard = any(r.day == day - timedelta(days=1) for r in hard_runs)
        kind = WorkoutType.RECOVERY if after_hard else WorkoutType.EASY
        runs.append(_make(ctx, day, kind, length))
    return runs


def _make(
    ctx: _Context,
    day: date,
    kind: WorkoutType,
    minutes: int,
    *,
    intensity: float | None = None,
    finish: int = 0,
    focus: Zone | None = None,
) -> _Built:
    """Build (cached on its arguments) and measure one workout."""
    variant = ctx.variant(day)
    if kind in (WorkoutType.EASY, WorkoutType.RECOVERY, WorkoutType.LONG):
        variant = 0  # one shape each: the variant would only split the cache
    key = (kind, minutes, variant, intensity, focus, finish)
    hit = ctx.cache.get(key)
    if hit is None:
        workout = build(
            kind,
            minutes,
            methodology=ctx.methodology,
            variant=variant,
            max_incline_pct=_max_incline(ctx),
            intensity=intensity,
            focus=focus,
            finish_minutes=finish,
            belt_kmh=ctx.belt,
        )
        hit = (workout, *_measure(ctx, workout))
        ctx.cache[key] = hit
    workout, km, seconds, easy_s = hit
    return _Built(day, kind, minutes, workout, km, seconds, easy_s)


def _focus(ctx: _Context, week: PlanWeek, kind: WorkoutType) -> Zone | None:
    """Daniels' base-phase interval days are R (short reps, full recovery), unless R is faster than
    the rules let the belt run (a very fast runner on a 25+ km/h treadmill): then I."""
    base_reps = ctx.methodology is Methodology.DANIELS and week.phase is Phase.BASE
    if kind is not WorkoutType.INTERVALS or not base_reps:
        return None
    console = ctx.belt[Zone.REPETITION] / ctx.profile.treadmill.calibration
    return Zone.REPETITION if console <= ctx.constraints.max_speed_kmh else None


def _max_incline(ctx: _Context) -> float:
    return ctx.constraints.max_incline_pct


def _measure(ctx: _Context, workout: StructuredWorkout) -> tuple[float, float, float]:
    """km, seconds and seconds in E, exactly as `plans.summarise` will count them."""
    n = workout_numbers(workout, ctx.zones, ctx.profile.treadmill)
    return n.distance_km, n.duration_s, n.easy_duration_s


def _day_plans(ctx: _Context, runs: list[_Built]) -> list[DayPlan]:
    """The days in date order, wids 1..N; the race (outdoors, no program) on its day."""
    entries: list[tuple[date, WorkoutType, str, StructuredWorkout | None]] = [
        (r.day, r.type, title(r.type, r.minutes, ctx.methodology), r.workout) for r in runs
    ]
    if ctx.race and ctx.goal.race_date:
        entries.append((ctx.goal.race_date, WorkoutType.RACE, f"Race day: {_RACE_TITLES[ctx.race]}", None))
    entries.sort(key=lambda e: e[0])
    return [
        DayPlan(wid=i, date=day, type=kind, hard=kind not in _EASY_TYPES, title=name, structure=workout)
        for i, (day, kind, name, workout) in enumerate(entries, start=1)
    ]


_EASY_TYPES = frozenset({WorkoutType.EASY, WorkoutType.RECOVERY})
_RACE_TITLES = {Race.FIVE_K: "5K", Race.TEN_K: "10K", Race.HALF: "Half marathon", Race.MARATHON: "Marathon"}
