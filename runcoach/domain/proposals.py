"""What the coach's tools propose, made into plans: several edits in a row, and a whole plan drafted
week by week. Pure: the chat service checks the results with the rule checker and stores them.

Decisions:

- Several edits are applied in order, each checked on the plan the edits before it made, so a
  swap followed by a move is judged as the runner would see it. The first edit that breaks a rule
  stops the proposal; its violations and nearest alternative go back to the model (once).
- A drafted plan gets its dates from its start Monday and each day's weekday, and wids 1..n in
  date order; its goal kind, race distance and race date come from the runner's stored goal, never
  from the model, so a drafted plan cannot be for a race the runner did not set.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict

from runcoach.domain.coach import DraftPlan
from runcoach.domain.errors import InvalidInput
from runcoach.domain.goals import Goal
from runcoach.domain.plan_edits import Build, Edit, EditOutcome, try_edit
from runcoach.domain.plan_model import GoalKind as PlanGoalKind
from runcoach.domain.plan_model import PlanConstraints, PlanWeek
from runcoach.domain.plans import DayPlan, PlanDraft, race_for
from runcoach.domain.structure import Treadmill, Zones


class EditsOutcome(BaseModel):
    """Edits applied in order: the final plan and one sentence per edit, or the first refusal."""

    model_config = ConfigDict(frozen=True)

    draft: PlanDraft | None
    sentences: tuple[str, ...]
    refused: EditOutcome | None = None
    refused_index: int | None = None


def run_edits(
    draft: PlanDraft,
    edits: Sequence[Edit],
    *,
    zones: Zones,
    treadmill: Treadmill,
    constraints: PlanConstraints,
    build: Build,
    today: date,
) -> EditsOutcome:
    """Every edit made in order and checked by the whole rule checker on the plan it leaves.

    Raises what `plan_edits.apply` raises for an edit that cannot be made at all (an unknown wid,
    the race, the past): the caller reports it as invalid input.
    """
    sentences: list[str] = []
    for index, edit in enumerate(edits):
        outcome = try_edit(
            draft, edit, zones=zones, treadmill=treadmill, constraints=constraints, build=build, today=today
        )
        if outcome.draft is None:
            return EditsOutcome(draft=None, sentences=tuple(sentences), refused=outcome, refused_index=index)
        draft = outcome.draft
        sentences.append(outcome.message)
    return EditsOutcome(draft=draft, sentences=tuple(sentences))


def plan_from(drafted: DraftPlan, goal: Goal, *, today: date) -> PlanDraft:
    """The drafted weeks as a `PlanDraft` for `goal`; InvalidInput when it cannot be one (a start
    that is not a Monday or lies in the past, a race goal without the race on its date)."""
    start = drafted.start_date
    if start.weekday() != 0:
        raise InvalidInput("start_date", f"A plan starts on a Monday; {start.isoformat()} is not one.")
    if start < today - timedelta(days=today.weekday()):
        raise InvalidInput("start_date", "A plan cannot start before this week.")
    weeks = tuple(
        PlanWeek(index=i, start_date=start + timedelta(weeks=i), phase=w.phase, recovery=w.recovery)
        for i, w in enumerate(drafted.weeks)
    )
    days = _days(drafted, start)
    race = race_for(goal.race_distance_m) if goal.race_distance_m is not None else None
    try:
        return PlanDraft(
            methodology=drafted.methodology,
            weeks=weeks,
            days=days,
            goal=PlanGoalKind(goal.kind.value),
            race_distance=race,
            race_date=goal.race_date if race else None,
        )
    except ValueError as exc:
        raise InvalidInput("weeks", f"The drafted plan is not a valid plan: {exc}") from exc


def _days(drafted: DraftPlan, start: date) -> tuple[DayPlan, ...]:
    dated = [
        (start + timedelta(weeks=i, days=d.weekday), d)
        for i, week in enumerate(drafted.weeks)
        for d in week.days
    ]
    dated.sort(key=lambda pair: pair[0])
    if len({when for when, _ in dated}) != len(dated):
        raise InvalidInput("weeks", "The drafted plan has two workouts on one day.")
    try:
        return tuple(
            DayPlan(wid=i, date=when, type=d.type, hard=d.hard, title=d.title, structure=d.structure)
            for i, (when, d) in enumerate(dated, start=1)
        )
    except ValueError as exc:
        raise InvalidInput("weeks", f"A drafted day is not valid: {exc}") from exc
