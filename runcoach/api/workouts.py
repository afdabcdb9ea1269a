"""JSON routes for workouts: generate, list, read, regenerate."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from runcoach.api.deps import Ctx, CurrentUser, RowId, get_user
from runcoach.api.errors import ErrorOut, responses
from runcoach.api.files import FIT_FILE, download
from runcoach.domain.errors import InvalidInput
from runcoach.domain.saved import Workout, WorkoutSource
from runcoach.domain.structure import StructuredWorkout
from runcoach.domain.workouts import MAX_SEED, Constraints, Goal, Segment, WholeNumber, WorkoutSpec
from runcoach.fit import workouts as files
from runcoach.workouts import service

router = APIRouter(
    prefix="/api/workouts",
    tags=["workouts"],
    dependencies=[Depends(get_user)],
    responses=responses(401, 503),
)


class GenerateIn(BaseModel):
    """What to generate. Besides each field's range, these rules hold together (else 422):

    - warm-up plus cool-down leave at least 5 minutes: `warmup_min + cooldown_min <= duration_min - 5`;
    - `min_speed_kmh < max_speed_kmh`, both multiples of 0.1 km/h; `max_incline_pct` a multiple of 0.5 %;
    - `easy_speed_kmh`, when given, lies between `min_speed_kmh` and `max_speed_kmh`.
    """

    model_config = ConfigDict(extra="forbid")

    duration_min: WholeNumber = Field(ge=10, le=180, description="Total minutes, 10 to 180")
    goal: Goal
    seed: WholeNumber | None = Field(
        default=None, ge=0, le=MAX_SEED, description="Drawn and recorded when absent"
    )
    constraints: Constraints | None = None

    def spec(self) -> WorkoutSpec:
        """The generator's inputs; InvalidInput when the fields do not fit together."""
        try:
            return WorkoutSpec(
                duration_min=self.duration_min, goal=self.goal, constraints=self.constraints or Constraints()
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            raise InvalidInput(".".join(map(str, first["loc"])) or "constraints", first["msg"]) from exc


class SegmentOut(BaseModel):
    label: str
    duration_s: int
    speed_kmh: float
    incline_pct: float


class WorkoutOut(BaseModel):
    """A workout: its `structure` (steps and repeat blocks, each step with its speed) and the flat
    `segments` a run session plays, the structure with its repeats unrolled. A generated workout
    has its `goal`, `inputs` and `seed`; an imported one has none of them and its `file_name`."""

    id: int
    parent_id: int | None
    name: str
    source: WorkoutSource
    goal: Goal | None
    inputs: WorkoutSpec | None
    seed: int | None
    file_name: str | None
    total_duration_s: int
    structure: StructuredWorkout
    segments: list[SegmentOut]
    created_at: datetime

    @classmethod
    def of(cls, workout: Workout) -> WorkoutOut:
        return cls(
            **workout.model_dump(exclude={"owner_id"}),
            total_duration_s=workout.total_duration_s,
            segments=[_segment(s) for s in workout.segments],
        )


def _segment(segment: Segment) -> SegmentOut:
    return SegmentOut(**segment.model_dump(mode="json"))


@router.post("/generate", status_code=201, response_model=WorkoutOut, responses=responses(400, 413))
async def generate(body: GenerateIn, user: CurrentUser, ctx: Ctx) -> WorkoutOut:
    """A new workout from these inputs; the same inputs and seed give the identical workout."""
    workout = await service.generate(
        ctx.db, owner_id=user.id, spec=body.spec(), seed=body.seed, now=ctx.clock.now()
    )
    return WorkoutOut.of(workout)


@router.get("", response_model=list[WorkoutOut])
async def list_workouts(user: CurrentUser, ctx: Ctx) -> list[WorkoutOut]:
    """My workouts, newest first."""
    return [WorkoutOut.of(w) for w in await service.list_mine(ctx.db, owner_id=user.id)]


@router.get("/{workout_id:int}", response_model=WorkoutOut, responses=responses(404))
async def get_workout(workout_id: RowId, user: CurrentUser, ctx: Ctx) -> WorkoutOut:
    return WorkoutOut.of(await service.get(ctx.db, workout_id=workout_id, owner_id=user.id))


@router.get("/{workout_id:int}/history", response_model=list[WorkoutOut], responses=responses(404))
async def get_history(workout_id: RowId, user: CurrentUser, ctx: Ctx) -> list[WorkoutOut]:
    """The regeneration chain this workout belongs to, oldest first."""
    chain = await service.history(ctx.db, workout_id=workout_id, owner_id=user.id)
    return [WorkoutOut.of(w) for w in chain]


@router.post(
    "/{workout_id:int}/regenerate", status_code=201, response_model=WorkoutOut, responses=responses(404)
)
async def regenerate(workout_id: RowId, user: CurrentUser, ctx: Ctx) -> WorkoutOut:
    """A new workout from the same inputs and a new seed, its `parent_id` this one; this one stays."""
    workout = await service.regenerate(ctx.db, workout_id=workout_id, owner_id=user.id, now=ctx.clock.now())
    return WorkoutOut.of(workout)


class ImportedOut(BaseModel):
    workout: WorkoutOut
    changes: list[str] = Field(description="One sentence per speed or incline the treadmill's limits changed")


NOT_MULTIPART: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The body is not valid multipart form data"}
}


@router.post("/import", status_code=201, response_model=ImportedOut, responses=responses(413) | NOT_MULTIPART)
async def import_workout(file: UploadFile, user: CurrentUser, ctx: Ctx) -> ImportedOut:
    """Save the workout in an uploaded file (multipart field `file`): a FIT workout file (`.fit`,
    from Garmin Connect, TrainingPeaks, intervals.icu...) or a Zwift run workout (`.zwo`). Repeats
    stay repeat blocks, pace targets become speeds. 422 for a file that is not a (running) workout
    or is larger than RUNCOACH_MAX_IMPORT_BYTES; nothing is stored then."""
    limit = ctx.settings.max_import_bytes
    data = await file.read(limit + 1)
    imported = await files.import_file(
        ctx.db, owner_id=user.id, name=file.filename or "", data=data, now=ctx.clock.now(), max_bytes=limit
    )
    return ImportedOut(workout=WorkoutOut.of(imported.workout), changes=imported.changes)


@router.get("/{workout_id:int}/fit", response_class=Response, responses=FIT_FILE | responses(404))
async def workout_fit(workout_id: RowId, user: CurrentUser, ctx: Ctx) -> Response:
    """The workout as a Garmin FIT workout file: sport running, sub-sport treadmill, one step per
    step of its structure, repeat blocks as FIT repeat steps, speed targets as a range around each
    step's speed (± RUNCOACH_FIT_SPEED_TOLERANCE_PCT), the incline in the step's notes."""
    file = await files.saved_workout_file(
        ctx.db,
        workout_id=workout_id,
        owner_id=user.id,
        now=ctx.clock.now(),
        tolerance_pct=ctx.settings.fit_speed_tolerance_pct,
    )
    return download(file)
