"""Readiness from recent check-ins, and "Adapt today": today's workout fitted to the runner's day.

Pure: standard library, pydantic and `runcoach.domain` only; `today` is always passed in.

Readiness, decided here:

- Soreness decays: `remaining = soreness * (1 - rate) ** days_since` (rate 0.1 a day by default,
  the seeds' formula). Soreness now is the *latest* report, decayed from its day: a runner who says
  2 today after 8 yesterday is believed today, rather than the larger decayed 7.2.
- Fatigue (1 fresh .. 5 exhausted) and sleep (1 poor .. 5 very good) describe one night and one
  day: only a report from today or yesterday counts (`FRESH_DAYS`); an older one says nothing.
- The band, the first that applies: **rest** when soreness now is at least 7 of 10 or fatigue is
  5; **easy** when soreness is at least 4, fatigue 4, or sleep 2 or less; **go** otherwise. A
  soreness of 7 is pain that changes a stride; 4 is noticeable stiffness that an easy run eases.

Adapt today, decided here (every candidate goes through `plan_edits.try_edit`, so the adapted
plan passes the rule checker; the first candidate that passes wins):

1. Rest band, or less than `MIN_RUN_MINUTES` available: rest.
2. Easy band on a hard day: an easy run of the same minutes (or the minutes available, if fewer);
   if that breaks a rule, the hard session shortened to two thirds (or the minutes available)
   instead; else rest.
3. Less time than planned: the workout shortened to the minutes available (warm-up and cool-down
   kept, the main part scaled); else rest.
4. Otherwise: keep the workout as planned.

Every candidate eases the day, and an eased day counts as planned for the week's rules (see
`rules` and `plan_edits`), so resting, shortening or turning a session easy no longer breaks the
volume-rise, long-run-share or easy-share rules: the first candidate passes on any plan that
passes the checker. The fallbacks stay for the rules that judge the day as it will be run (an
easy run the treadmill cannot run slowly enough, say). When no candidate passes (only when the
plan already breaks a rule, for instance against a treadmill changed since), the plan is kept
and the sentence says so; the function never returns a plan that breaks a rule. A rest day and
race day are kept as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from runcoach.domain.errors import NotFound
from runcoach.domain.plan_edits import (
    MIN_CHANGE_MINUTES,
    Build,
    Change,
    Rest,
    minutes_of,
    try_edit,
)
from runcoach.domain.plan_model import PlanConstraints, WorkoutType
from runcoach.domain.plans import DayPlan, PlanDraft
from runcoach.domain.structure import Treadmill, Zones

DEFAULT_DECAY_RATE = 0.1
#: How many days back a fatigue or sleep report still describes today.
FRESH_DAYS = 1
REST_SORENESS = 7.0
EASY_SORENESS = 4.0
REST_FATIGUE = 5
EASY_FATIGUE = 4
EASY_SLEEP = 2
#: Below this many minutes a run is not worth its warm-up: rest instead.
MIN_RUN_MINUTES = 20
#: A sore runner's hard session, when it cannot turn easy, keeps this share of its minutes.
SORE_SHARE = 2 / 3


class Checkin(BaseModel):
    """How the runner felt on a day: after a run (effort, soreness) or before one (Adapt today)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    day: date
    effort: int | None = Field(default=None, ge=1, le=10)
    soreness: int | None = Field(default=None, ge=0, le=10)
    fatigue: int | None = Field(default=None, ge=1, le=5, description="1 fresh .. 5 exhausted")
    sleep: int | None = Field(default=None, ge=1, le=5, description="1 poor .. 5 very good")
    minutes_available: int | None = Field(default=None, ge=0, le=600)


class Band(StrEnum):
    GO = "go"
    EASY = "easy"
    REST = "rest"


class Readiness(BaseModel):
    """Soreness now (decayed), the fresh fatigue and sleep, and the band they give, with the reason."""

    model_config = ConfigDict(frozen=True)

    soreness: float
    fatigue: int | None
    sleep: int | None
    band: Band
    reason: str


def remaining_soreness(soreness: float, days_since: int, rate: float = DEFAULT_DECAY_RATE) -> float:
    """Soreness left `days_since` days after it was reported: soreness × (1 − rate) ** days."""
    return soreness * (1 - rate) ** max(days_since, 0)


def readiness(checkins: Iterable[Checkin], today: date, rate: float = DEFAULT_DECAY_RATE) -> Readiness:
    """The runner's readiness today from their check-ins (any order; later days are ignored)."""
    past = sorted((c for c in checkins if c.day <= today), key=lambda c: c.day)
    sore = next((c for c in reversed(past) if c.soreness is not None), None)
    soreness = 0.0 if sore is None or sore.soreness is None else _sore_now(sore, today, rate)
    fresh = [c for c in past if (today - c.day).days <= FRESH_DAYS]
    fatigue = next((c.fatigue for c in reversed(fresh) if c.fatigue is not None), None)
    sleep = next((c.sleep for c in reversed(fresh) if c.sleep is not None), None)
    band, reason = _band(soreness, fatigue, sleep)
    return Readiness(soreness=round(soreness, 1), fatigue=fatigue, sleep=sleep, band=band, reason=reason)


def _sore_now(checkin: Checkin, today: date, rate: float) -> float:
    assert checkin.soreness is not None
    return remaining_soreness(checkin.soreness, (today - checkin.day).days, rate)


def _band(soreness: float, fatigue: int | None, sleep: int | None) -> tuple[Band, str]:
    sore = f"Leg soreness is {soreness:.1f} of 10"
    if soreness >= REST_SORENESS:
        return Band.REST, f"{sore}: rest today."
    if fatigue is not None and fatigue >= REST_FATIGUE:
        return Band.REST, f"Fatigue is {fatigue} of 5: rest today."
    if soreness >= EASY_SORENESS:
        return Band.EASY, f"{sore}: keep today easy."
    if fatigue is not None and fatigue >= EASY_FATIGUE:
        return Band.EASY, f"Fatigue is {fatigue} of 5: keep today easy."
    if sleep is not None and sleep <= EASY_SLEEP:
        return Band.EASY, f"Sleep was {sleep} of 5: keep today easy."
    return Band.GO, "Ready to go."


# --------------------------------------------------------------------------- adapt today


class Action(StrEnum):
    KEEP = "keep"
    SHORTEN = "shorten"
    EASY = "easy"
    REST = "rest"


class Adaptation(BaseModel):
    """The adapted plan (it passes the rule checker), the day as it now is, the edit made (None
    when kept, to be saved as an edit with `reason`), what was done and why."""

    model_config = ConfigDict(frozen=True)

    draft: PlanDraft
    day: DayPlan
    action: Action
    edit: Change | Rest | None
    reason: str


def adapt(
    draft: PlanDraft,
    wid: int,
    today_input: Checkin,
    readiness: Readiness,
    *,
    zones: Zones,
    treadmill: Treadmill,
    constraints: PlanConstraints,
    build: Build,
    today: date,
) -> Adaptation:
    """The workout `wid` fitted to today's time and readiness (see the module's order of tries)."""
    day = draft.day(wid)
    if day is None:
        raise NotFound(f"Workout {wid} is not in this plan.")
    if day.type in (WorkoutType.REST, WorkoutType.RACE):
        what = "a rest day" if day.type is WorkoutType.REST else "race day"
        return _kept(draft, day, f"{readiness.reason} Today is {what}: nothing to adapt.")
    planned = minutes_of(day, zones, treadmill)
    available = today_input.minutes_available if today_input.minutes_available is not None else planned
    candidates = _candidates(day, planned, available, readiness)
    refusals: list[str] = []
    for action, edit, reason in candidates:
        outcome = try_edit(
            draft, edit, zones=zones, treadmill=treadmill, constraints=constraints, build=build, today=today
        )
        if outcome.draft is not None:
            adapted = outcome.draft.day(wid)
            assert adapted is not None
            return Adaptation(draft=outcome.draft, day=adapted, action=action, edit=edit, reason=reason)
        refusals.append(outcome.violations[0].message)
    if not candidates:
        return _kept(draft, day, f"{readiness.reason} Run {day.title} as planned.")
    return _kept(
        draft,
        day,
        f"{candidates[0][2]} But every lighter option breaks a rule of the plan ({refusals[0]}), "
        f"so {day.title} stays as planned: run it gently, or rest and rebuild the plan.",
    )


def _candidates(
    day: DayPlan, planned: int, available: int, ready: Readiness
) -> list[tuple[Action, Change | Rest, str]]:
    """The edits to try, in order (see the module docstring)."""
    rest = Rest(wid=day.wid)
    if available < MIN_RUN_MINUTES:
        why = f"{available} minutes is too little for a run worth its warm-up: rest today."
        return [(Action.REST, rest, why)]
    if ready.band is Band.REST:
        return [(Action.REST, rest, ready.reason)]
    if ready.band is Band.EASY and day.hard:
        easy_minutes = max(min(planned, available), MIN_CHANGE_MINUTES)
        shorter = max(min(round(planned * SORE_SHARE), available), MIN_CHANGE_MINUTES)
        easy = Change(wid=day.wid, type=WorkoutType.EASY, minutes=easy_minutes)
        return [
            (Action.EASY, easy, f"{ready.reason} {day.title} becomes a {easy_minutes}-minute easy run."),
            (
                Action.SHORTEN,
                Change(wid=day.wid, minutes=shorter),
                f"{ready.reason} An easy day would break the plan's rules, so {day.title} is "
                f"shortened to {shorter} minutes instead.",
            ),
            (
                Action.REST,
                rest,
                f"{ready.reason} Neither an easy run nor a shorter session fits the plan: rest.",
            ),
        ]
    if available < planned:
        return [
            (
                Action.SHORTEN,
                Change(wid=day.wid, minutes=available),
                f"You have {available} minutes: {day.title} is shortened from {planned} to {available}, "
                "warm-up and cool-down kept.",
            ),
            (
                Action.REST,
                rest,
                f"{day.title} does not shorten to {available} minutes within the plan: rest.",
            ),
        ]
    return []


def _kept(draft: PlanDraft, day: DayPlan, reason: str) -> Adaptation:
    return Adaptation(draft=draft, day=day, action=Action.KEEP, edit=None, reason=reason)
