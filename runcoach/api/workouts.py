"""JSON routes for workouts: generate, list, read, regenerate."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from runcoach.api.deps import Ctx, CurrentUser, Db, get_user
from runcoach.domain.errors import NotFound
from runcoach.domain.workouts import MAX_SEED, Constraints, Goal, Segment, Workout, WorkoutSpec
from runcoach.workouts import service

router = APIRouter(prefix="/api/workouts", tags=["workouts"], dependencies=[Depends(get_user)])


class GenerateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    duration_min: int = Field(ge=10, le=180, description="Total minutes, 10 to 180")
    goal: Goal
    seed: int | None = Field(default=None, ge=0, le=MAX_SEED, description="Drawn and recorded when absent")
    constraints: Constraints | None = None

    def spec(self) -> WorkoutSpec:
        return WorkoutSpec(
            duration_min=self.duration_min, goal=self.goal, constraints=self.constraints or Constraints()
        )


class SegmentOut(BaseModel):
    label: str
    duration_s: int
    speed_kmh: float
    incline_pct: float


class WorkoutOut(BaseModel):
    id: int
    parent_id: int | None
    name: str
    goal: Goal
    inputs: WorkoutSpec
    seed: int
    total_duration_s: int
    segments: list[SegmentOut]
    created_at: datetime

    @classmethod
    def of(cls, workout: Workout) -> WorkoutOut:
        data = workout.model_dump(exclude={"owner_id", "segments"})
        return cls(**data, segments=[_segment(s) for s in workout.segments])


def _segment(segment: Segment) -> SegmentOut:
    return SegmentOut(**segment.model_dump(mode="json"))


def _not_found(exc: NotFound) -> HTTPException:
    return HTTPException(status_code=404, detail=str(exc))


@router.post("/generate", status_code=201, response_model=WorkoutOut)
async def generate(body: GenerateIn, user: CurrentUser, ctx: Ctx, db: Db) -> WorkoutOut:
    spec = _spec_or_422(body)
    workout = await service.generate(db, owner_id=user.id, spec=spec, seed=body.seed, now=ctx.clock.now())
    return WorkoutOut.of(workout)


def _spec_or_422(body: GenerateIn) -> WorkoutSpec:
    # Cross-field rules (warm-up plus cool-down must fit the duration) live on WorkoutSpec.
    try:
        return body.spec()
    except ValidationError as exc:
        detail = [{"loc": ["body", *e["loc"]], "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        raise HTTPException(status_code=422, detail=detail) from exc


@router.get("", response_model=list[WorkoutOut])
async def list_workouts(user: CurrentUser, db: Db) -> list[WorkoutOut]:
    return [WorkoutOut.of(w) for w in await service.list_mine(db, owner_id=user.id)]


@router.get("/{workout_id}", response_model=WorkoutOut)
async def get_workout(workout_id: int, user: CurrentUser, db: Db) -> WorkoutOut:
    try:
        return WorkoutOut.of(await service.get(db, workout_id=workout_id, owner_id=user.id))
    except NotFound as exc:
        raise _not_found(exc) from exc


@router.get("/{workout_id}/history", response_model=list[WorkoutOut])
async def get_history(workout_id: int, user: CurrentUser, db: Db) -> list[WorkoutOut]:
    try:
        return [WorkoutOut.of(w) for w in await service.history(db, workout_id=workout_id, owner_id=user.id)]
    except NotFound as exc:
        raise _not_found(exc) from exc


@router.post("/{workout_id}/regenerate", status_code=201, response_model=WorkoutOut)
async def regenerate(workout_id: int, user: CurrentUser, ctx: Ctx, db: Db) -> WorkoutOut:
    try:
        workout = await service.regenerate(db, workout_id=workout_id, owner_id=user.id, now=ctx.clock.now())
    except NotFound as exc:
        raise _not_found(exc) from exc
    return WorkoutOut.of(workout)
