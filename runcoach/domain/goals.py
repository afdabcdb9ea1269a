"""A runner's goal and an honest verdict on it: is it within reach by the date they chose?

Pure: standard library and pydantic only. The model has no clock: `Goal.check_dates(today)` and
`assess(goal, profile, today)` take today's date from the caller.

The thresholds are coaching judgement written down, not physiology measured; each says why:

- VDOT gain per week (`_GAIN_PER_WEEK`): Daniels (Daniels' Running Formula) raises a runner's
  training VDOT by about one point after 4 to 6 weeks of steady training when no race shows the
  gain; newer runners improve faster than that and trained ones slower. So: beginners 1 point in
  3 weeks, intermediates 1 in 4, advanced runners 1 in 6.
- A cap on the gain of one training cycle (`_GAIN_CAP`): improvement flattens, so no cycle is
  counted on for more than 5 points (3 for advanced runners, who are nearer their ceiling).
- ok when the needed gain fits the realistic gain; ambitious up to 1.5 times it; beyond that,
  unrealistic.
- Minimum preparation (`_MIN_WEEKS`): a marathon 12 weeks, a half 8, a 10K 6, a 5K 4 (shorter
  and odd distances take the band they fall in). Fewer weeks is unrealistic for a runner below
  the distance's base volume (`_BASE_KM`) and ambitious for one already at it, who is sharpening
  rather than building.
- A marathon from under 20 km a week needs at least 16 weeks: the long run has to grow from
  under an hour to near three, and the volume behind it by 10 % a week.
- Volume may rise about 10 % a week, with a recovery week after every three weeks of building
  (the usual "10 % rule" with a down week every 3 to 4 weeks). From under 10 km a week the build
  starts at 10 km: the first week of running is not a 10 % step from zero.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from runcoach.domain.errors import InvalidInput
from runcoach.domain.paces import (
    MAX_RACE_M,
    MAX_VDOT,
    MIN_RACE_M,
    RACE_DISTANCE_M,
    Race,
    clock,
    predict_time_s,
)
from runcoach.domain.profile import (
    MAX_RACE_S,
    MAX_WEEKLY_KM,
    MIN_RACE_S,
    IsoDate,
    Level,
    Number,
    Profile,
    vdot,
)

_GAIN_PER_WEEK: dict[Level, float] = {
    Level.BEGINNER: 1 / 3,
    Level.INTERMEDIATE: 1 / 4,
    Level.ADVANCED: 1 / 6,
}
_GAIN_CAP: dict[Level, float] = {Level.BEGINNER: 5.0, Level.INTERMEDIATE: 5.0, Level.ADVANCED: 3.0}
#: Needing up to this many times the realistic gain is ambitious; more is unrealistic.
AMBITIOUS_FACTOR = 1.5
#: (longest distance in the band in metres, minimum weeks, base weekly km), shortest band first.
_BANDS: tuple[tuple[float, int, float], ...] = (
    (7_500.0, 4, 10.0),  # up to 7.5 km: a 5K
    (15_000.0, 6, 15.0),  # up to 15 km: a 10K
    (30_000.0, 8, 25.0),  # up to 30 km: a half marathon
    (MAX_RACE_M, 12, 40.0),  # a marathon and the 50 km
)
#: From 30 km on a race is marathon-like: the low-volume rule below applies.
MARATHON_LIKE_M = 30_000.0
LOW_VOLUME_KM = 20.0
LOW_VOLUME_MARATHON_WEEKS = 16
WEEKLY_GROWTH = 1.10
BUILD_WEEKS_PER_RECOVERY = 3
BUILD_START_KM = 10.0


class GoalKind(StrEnum):
    RACE = "race"
    VOLUME = "volume"


class Feasibility(StrEnum):
    """Ordered best first; `worse` compares by that order."""

    OK = "ok"
    AMBITIOUS = "ambitious"
    UNREALISTIC = "unrealistic"


_ORDER = list(Feasibility)


def worse(a: Feasibility, b: Feasibility) -> Feasibility:
    """The worse of two verdicts: a goal is only as feasible as its hardest part."""
    return a if _ORDER.index(a) >= _ORDER.index(b) else b


class Goal(BaseModel):
    """A race (distance, date, optional target time) or weekly volume (a target by a date, or
    keep-fit with neither). Fields of the other kind are refused, not ignored, so a client that
    mixes them up hears about it. Dates against today: `check_dates`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: GoalKind
    race_distance_m: Number | None = Field(default=None, ge=MIN_RACE_M, le=MAX_RACE_M)
    race_date: IsoDate | None = None
    target_time_s: Number | None = Field(default=None, ge=MIN_RACE_S, le=MAX_RACE_S)
    weekly_km_target: Number | None = Field(default=None, gt=0, le=MAX_WEEKLY_KM)
    by_date: IsoDate | None = None

    @model_validator(mode="after")
    def _fits_together(self) -> Self:
        race_fields = {
            "race_distance_m": self.race_distance_m,
            "race_date": self.race_date,
            "target_time_s": self.target_time_s,
        }
        volume_fields = {"weekly_km_target": self.weekly_km_target, "by_date": self.by_date}
        if self.kind is GoalKind.RACE:
            extra = [name for name, value in volume_fields.items() if value is not None]
            if extra:
                raise ValueError(f"A race goal has no volume fields: {', '.join(extra)}")
            if self.race_distance_m is None or self.race_date is None:
                raise ValueError("A race goal needs race_distance_m and race_date")
            if self.target_time_s is not None:
                vdot(self.race_distance_m, self.target_time_s)  # a walk or a world record: refused
        else:
            extra = [name for name, value in race_fields.items() if value is not None]
            if extra:
                raise ValueError(f"A volume goal has no race fields: {', '.join(extra)}")
            if (self.weekly_km_target is None) != (self.by_date is None):
                raise ValueError(
                    "A volume goal needs both weekly_km_target and by_date, or neither (keep fit)"
                )
        return self

    def check_dates(self, today: date) -> None:
        """InvalidInput when the race or the volume deadline lies before `today`."""
        if self.race_date is not None and self.race_date < today:
            raise InvalidInput("race_date", f"The race date {self.race_date.isoformat()} is in the past.")
        if self.by_date is not None and self.by_date < today:
            raise InvalidInput("by_date", f"The date {self.by_date.isoformat()} is in the past.")


class Assessment(BaseModel):
    """The verdict, one plain sentence why, and what would make the goal realistic (None when ok).

    `predicted_time_s` is the race time expected on race day: today's VDOT plus the gain training
    realistically brings by then. `required_vdot` is the VDOT the target time asks for.
    """

    model_config = ConfigDict(frozen=True)

    feasibility: Feasibility
    reason: str
    realistic_target: str | None
    weeks_left: int | None
    predicted_time_s: float | None
    required_vdot: float | None


def assess(goal: Goal, profile: Profile, today: date) -> Assessment:
    """How feasible `goal` is for the runner in `profile`, as of `today` (see the module docstring)."""
    goal.check_dates(today)
    if goal.kind is GoalKind.RACE:
        return _assess_race(goal, profile, today)
    return _assess_volume(goal, profile, today)


def realistic_gain(level: Level, weeks: int) -> float:
    """VDOT points training usually adds in `weeks` for a runner at `level`."""
    return min(_GAIN_PER_WEEK[level] * max(weeks, 0), _GAIN_CAP[level])


def volume_weeks_needed(current_km: float, target_km: float) -> int:
    """Weeks to build from `current_km` to `target_km` a week: 10 % steps, a recovery week after
    every three steps (none after the last: the goal is reached)."""
    start = max(current_km, BUILD_START_KM)
    if target_km <= current_km:
        return 0
    build = (
        1 if target_km <= start else math.ceil(math.log(target_km / start) / math.log(WEEKLY_GROWTH) - 1e-9)
    )
    build = max(build, 1)
    return build + (build - 1) // BUILD_WEEKS_PER_RECOVERY


def _weeks_between(today: date, later: date) -> int:
    """Whole weeks, rounded down: a part week is too short to count as training."""
    return (later - today).days // 7


def _band(distance_m: float) -> tuple[int, float]:
    for longest, weeks, base_km in _BANDS:
        if distance_m <= longest:
            return weeks, base_km
    raise AssertionError("the model bounds the distance")  # pragma: no cover


def _preparation(distance_m: float, weekly_km: float, weeks: int) -> tuple[Feasibility, str, int] | None:
    """The verdict on preparation time alone, a sentence, and the weeks that would do; None if enough."""
    name = _race_name(distance_m)
    if distance_m >= MARATHON_LIKE_M and weekly_km < LOW_VOLUME_KM and weeks < LOW_VOLUME_MARATHON_WEEKS:
        return (
            Feasibility.UNREALISTIC,
            f"A {name} from {weekly_km:g} km a week needs at least {LOW_VOLUME_MARATHON_WEEKS} weeks "
            f"of building; there are {_n_weeks(weeks)} left.",
            LOW_VOLUME_MARATHON_WEEKS,
        )
    min_weeks, base_km = _band(distance_m)
    if weeks >= min_weeks:
        return None
    verdict = Feasibility.AMBITIOUS if weekly_km >= base_km else Feasibility.UNREALISTIC
    return (
        verdict,
        f"A {name} needs at least {min_weeks} weeks of preparation from {weekly_km:g} km a week; "
        f"there are {_n_weeks(weeks)} left.",
        min_weeks,
    )


def _assess_race(goal: Goal, profile: Profile, today: date) -> Assessment:
    """The worse of two verdicts: the VDOT gain a target needs, and the preparation time. The reason
    is the sentence of the part that sets the verdict (the VDOT one when both do, or neither)."""
    assert goal.race_distance_m is not None and goal.race_date is not None  # the model insists
    distance = goal.race_distance_m
    weeks = _weeks_between(today, goal.race_date)
    level = profile.level
    current = profile.vdot()
    gain = realistic_gain(level, weeks)
    predicted = predict_time_s(min(current + gain, MAX_VDOT), distance)
    now = _now(profile, distance, current)
    prep = _preparation(distance, profile.weekly_km, weeks)

    required: float | None = None
    vdot_verdict = Feasibility.OK
    gain_weeks: int | None = None  # weeks whose realistic gain covers the target; None: no cycle does
    if goal.target_time_s is None:
        sentence = f"{now}; with {_n_weeks(weeks)} of training about {clock(predicted)} is a realistic goal."
    else:
        target = goal.target_time_s
        required = vdot(distance, target)
        needed = required - current
        vdot_verdict = _verdict(needed, gain)
        asks = f"{now}; {clock(target)} needs VDOT {required:.1f} in {_n_weeks(weeks)}"
        if needed <= 0:
            sentence = f"{asks}, which you already have."
        elif vdot_verdict is Feasibility.OK:
            sentence = f"{asks}, within the {gain:.1f} points training usually gives."
        else:
            sentence = (
                f"{asks}, about {needed - gain:.1f} points more than the {gain:.1f} training usually gives."
            )
        if needed <= _GAIN_CAP[level]:
            gain_weeks = max(weeks, math.floor(needed / _GAIN_PER_WEEK[level]))
            while realistic_gain(level, gain_weeks) < needed:  # exact, whatever the float rounding
                gain_weeks += 1

    verdict, reason = vdot_verdict, sentence
    min_weeks = 0
    if prep is not None:
        prep_verdict, prep_sentence, min_weeks = prep
        verdict = worse(vdot_verdict, prep_verdict)
        if vdot_verdict is Feasibility.OK or _ORDER.index(prep_verdict) > _ORDER.index(vdot_verdict):
            reason = prep_sentence

    fixes: list[str] = []
    if vdot_verdict is not Feasibility.OK and prep is None:
        fixes.append(f"a target of {clock(math.ceil(predicted))} or slower")
    if prep is not None or (vdot_verdict is not Feasibility.OK and gain_weeks is not None):
        later_weeks = max(min_weeks, gain_weeks or 0)
        later = f"a race on or after {(today + timedelta(weeks=later_weeks)).isoformat()}"
        if vdot_verdict is not Feasibility.OK and gain_weeks is None:  # a later date alone falls short
            then = predict_time_s(min(current + realistic_gain(level, later_weeks), MAX_VDOT), distance)
            later += f" with a target of {clock(math.ceil(then))} or slower"
        fixes.append(later)
    return Assessment(
        feasibility=verdict,
        reason=reason,
        realistic_target=None if verdict is Feasibility.OK else _capital(", or ".join(fixes)) + ".",
        weeks_left=weeks,
        predicted_time_s=predicted,
        required_vdot=required,
    )


def _now(profile: Profile, distance_m: float, current: float) -> str:
    """Where the runner stands, said as plainly as the profile allows: a race is a fact, an easy pace
    only a hint."""
    time = clock(predict_time_s(current, distance_m))
    name = _race_name(distance_m)
    if profile.recent_race is not None:
        return f"You run a {name} in about {time} now (VDOT {current:.1f})"
    return f"Your easy pace suggests a {name} in about {time} now (VDOT {current:.1f})"


def _assess_volume(goal: Goal, profile: Profile, today: date) -> Assessment:
    current = profile.weekly_km
    if goal.weekly_km_target is None or goal.by_date is None:
        return Assessment(
            feasibility=Feasibility.OK,
            reason=f"Keeping fit at about {current:g} km a week needs no deadline.",
            realistic_target=None,
            weeks_left=None,
            predicted_time_s=None,
            required_vdot=None,
        )
    target = goal.weekly_km_target
    weeks = _weeks_between(today, goal.by_date)
    needed = volume_weeks_needed(current, target)
    verdict = _verdict(needed, weeks)
    span = (
        f"From {current:g} to {target:g} km a week takes about {_n_weeks(needed)} "
        "at 10 % a week with recovery weeks"
    )
    if verdict is Feasibility.OK:
        reason = f"{span}; there are {_n_weeks(weeks)} left."
        fix = None
    else:
        reason = f"{span}, but there are only {_n_weeks(weeks)} left."
        reachable = _reachable_km(current, weeks)
        later = (today + timedelta(weeks=needed)).isoformat()
        by_later = f"{target:g} km a week by {later}."
        # With no week left the volume cannot grow: only the later date helps.
        fix = (
            f"About {reachable} km a week by {goal.by_date.isoformat()}, or {by_later}"
            if weeks
            else _capital(by_later)
        )
    return Assessment(
        feasibility=verdict,
        reason=reason,
        realistic_target=fix,
        weeks_left=weeks,
        predicted_time_s=None,
        required_vdot=None,
    )


def _reachable_km(current_km: float, weeks: int) -> int:
    """The weekly volume (whole km, rounded down) reachable in `weeks` by the rule
    `volume_weeks_needed` counts: every fourth week is a recovery week."""
    build = weeks - weeks // (BUILD_WEEKS_PER_RECOVERY + 1)
    if build <= 0:
        return math.floor(current_km)
    return math.floor(max(current_km, BUILD_START_KM) * WEEKLY_GROWTH**build)


def _race_name(distance_m: float) -> str:
    names = {Race.FIVE_K: "5K", Race.TEN_K: "10K", Race.HALF: "half marathon", Race.MARATHON: "marathon"}
    for race, metres in RACE_DISTANCE_M.items():
        if abs(distance_m - metres) < 1.0:
            return names[race]
    return f"{distance_m / 1000:g} km race"


def _n_weeks(n: int) -> str:
    return "1 week" if n == 1 else f"{n} weeks"


def _verdict(needed: float, available: float) -> Feasibility:
    """ok when what the goal needs fits what there is; ambitious up to AMBITIOUS_FACTOR times it."""
    if needed <= available:
        return Feasibility.OK
    if needed <= available * AMBITIOUS_FACTOR:
        return Feasibility.AMBITIOUS
    return Feasibility.UNREALISTIC


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


class StoredGoal(BaseModel):
    """A runner's goal as stored: the goal, its latest assessment and when that was made."""

    model_config = ConfigDict(frozen=True)

    id: int
    owner_id: int
    goal: Goal
    assessment: Assessment
    created_at: datetime
    assessed_at: datetime
