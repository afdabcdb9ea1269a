"""JSON routes for the runner's goals and how feasible each is."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from runcoach.api.deps import Ctx, CurrentUser, RowId, get_user
from runcoach.api.errors import responses
from runcoach.domain.goals import Feasibility, Goal, GoalKind, StoredGoal
from runcoach.goals import service

router = APIRouter(
    prefix="/api/goals",
    tags=["goals"],
    dependencies=[Depends(get_user)],
    responses=responses(401, 503),
)


class GoalOut(BaseModel):
    """A goal, its fields as sent, and the verdict on it as of this request."""

    id: int
    kind: GoalKind
    race_distance_m: float | None
    race_date: date | None
    target_time_s: float | None
    weekly_km_target: float | None
    by_date: date | None
    feasibility: Feasibility
    feasibility_reason: str = Field(description="One plain sentence why")
    realistic_target: str | None = Field(description="What would make the goal realistic; null when ok")
    weeks_left: int | None = Field(description="Whole weeks to the date; null for keep-fit")
    predicted_time_s: float | None = Field(description="Race time expected on race day (race goals)")
    required_vdot: float | None = Field(description="The VDOT the target time asks for")
    created_at: datetime
    assessed_at: datetime = Field(description="When the verdict last changed (re-assessed on every read)")

    @classmethod
    def of(cls, stored: StoredGoal) -> GoalOut:
        verdict = stored.assessment
        return cls(
            id=stored.id,
            **stored.goal.model_dump(),
            feasibility=verdict.feasibility,
            feasibility_reason=verdict.reason,
            realistic_target=verdict.realistic_target,
            weeks_left=verdict.weeks_left,
            predicted_time_s=verdict.predicted_time_s,
            required_vdot=verdict.required_vdot,
            created_at=stored.created_at,
            assessed_at=stored.assessed_at,
        )


@router.post("", status_code=201, response_model=GoalOut, responses=responses(400, 404, 413))
async def create_goal(body: Goal, user: CurrentUser, ctx: Ctx) -> GoalOut:
    """Set a goal: a race (`race_distance_m`, `race_date`, optional `target_time_s`) or a volume
    goal (`weekly_km_target` and `by_date`, or neither to keep fit). Fields of the other kind are
    refused, as are dates in the past: 422 names the field and the reason. 404 until the runner
    has a profile (PUT /api/profile): feasibility is judged against it."""
    return GoalOut.of(await service.create_goal(ctx.db, user.id, body, ctx.clock.now()))


@router.get("", response_model=list[GoalOut])
async def list_goals(user: CurrentUser, ctx: Ctx) -> list[GoalOut]:
    """My goals, newest first, each re-assessed against my profile and the runs I completed lately."""
    return [GoalOut.of(g) for g in await service.list_goals(ctx.db, user.id, ctx.clock.now())]


@router.get("/{goal_id:int}", response_model=GoalOut, responses=responses(404))
async def get_goal(goal_id: RowId, user: CurrentUser, ctx: Ctx) -> GoalOut:
    """One of my goals, re-assessed as of now; 404 for an unknown id and another runner's goal alike."""
    return GoalOut.of(await service.get_goal(ctx.db, user.id, goal_id, ctx.clock.now()))
