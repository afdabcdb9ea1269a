"""JSON routes for training plans: the current plan, versions, revert, reset, and running a day.

A plan is stored as structure (targets, not speeds); every response compiles it for the runner's
paces and treadmill as they are now, so a new race result or a faster treadmill shows at once.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from runcoach.api.deps import Ctx, CurrentUser, RowId, get_user
from runcoach.api.errors import responses
from runcoach.api.files import FIT_FILE, download
from runcoach.api.sessions import SessionOut
from runcoach.domain.errors import InvalidInput
from runcoach.domain.ids import MAX_ID
from runcoach.domain.paces import Zone
from runcoach.domain.plan_edits import MAX_CHANGE_MINUTES, MIN_CHANGE_MINUTES, Edit, PlanDiff
from runcoach.domain.plan_model import Phase, WorkoutType
from runcoach.domain.plans import Author, CompiledDay, Methodology, PlanVersion
from runcoach.domain.profile import IsoDate
from runcoach.domain.readiness import Action, Band, Checkin
from runcoach.domain.structure import StructuredWorkout
from runcoach.domain.workouts import MAX_SEED, WholeNumber
from runcoach.fit import workouts as files
from runcoach.plans import service
from runcoach.plans.service import PlanView
from runcoach.workouts.service import draw_seed

router = APIRouter(
    prefix="/api/plans",
    tags=["plans"],
    dependencies=[Depends(get_user)],
    responses=responses(401, 503),
)


class PlanSegmentOut(BaseModel):
    label: str
    zone: Zone = Field(description="Warm-up, cool-down and recovery jogs are E")
    duration_s: int
    speed_kmh: float = Field(description="The console speed to set (belt speed / calibration)")
    incline_pct: float


class PlanWorkoutOut(BaseModel):
    id: int = Field(description="The planned workout's id within its plan, kept across versions")
    date: date
    type: WorkoutType
    hard: bool
    title: str
    planned_duration_s: int
    planned_distance_km: float
    structure: StructuredWorkout | None = Field(description="null for rest and for a race run outdoors")
    segments: list[PlanSegmentOut]

    @classmethod
    def of(cls, c: CompiledDay) -> PlanWorkoutOut:
        segments = c.program.segments if c.program is not None else ()
        return cls(
            id=c.day.wid,
            date=c.day.date,
            type=c.day.type,
            hard=c.day.hard,
            title=c.day.title,
            planned_duration_s=round(c.summary.duration_s),
            planned_distance_km=round(c.summary.distance_km, 2),
            structure=c.day.structure,
            segments=[
                PlanSegmentOut(zone=zone, **seg.model_dump(mode="json"))
                for seg, zone in zip(segments, c.zones, strict=True)
            ],
        )


class PlanWeekOut(BaseModel):
    index: int
    start_date: date
    phase: Phase
    recovery: bool
    planned_distance_km: float
    planned_duration_s: int


class VersionIdentity(BaseModel):
    """Which plan and version, who made it and why: the head of a plan and of a version listing."""

    id: int
    goal_id: int | None
    version: int
    is_current: bool
    archived: bool
    methodology: Methodology
    created_by: Author
    reason: str
    created_at: datetime

    @staticmethod
    def fields(v: PlanVersion) -> dict[str, Any]:
        return {
            "id": v.plan.id,
            "goal_id": v.plan.goal_id,
            "version": v.number,
            "is_current": v.is_current,
            "archived": v.plan.archived_at is not None,
            "methodology": v.plan.methodology,
            "created_by": v.created_by,
            "reason": v.reason,
            "created_at": v.created_at,
        }


class PlanOut(VersionIdentity):
    start_date: date
    end_date: date
    weeks: list[PlanWeekOut]
    workouts: list[PlanWorkoutOut]

    @classmethod
    def of(cls, plan: PlanView) -> PlanOut:
        v, draft = plan.version, plan.draft
        weeks = [
            PlanWeekOut(
                index=w.index,
                start_date=w.start_date,
                phase=w.phase,
                recovery=w.recovery,
                planned_distance_km=round(km, 2),
                planned_duration_s=round(seconds),
            )
            for w, (km, seconds) in zip(draft.weeks, plan.totals, strict=True)
        ]
        return cls(
            **cls.fields(v),
            start_date=draft.start_date,
            end_date=draft.end_date,
            weeks=weeks,
            workouts=[PlanWorkoutOut.of(c) for c in plan.days],
        )


class DayChangeOut(BaseModel):
    wid: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class VersionOut(VersionIdentity):
    changes: list[DayChangeOut] = Field(description="The days this version changed against the one before")

    @classmethod
    def of(cls, v: PlanVersion) -> VersionOut:
        return cls(**cls.fields(v), changes=[DayChangeOut(**c) for c in v.changes])


VersionQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="A version; absent: the current one")]


class RevertIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: WholeNumber = Field(ge=1, le=MAX_ID, description="The version to go back to", examples=[1])


class ResetOut(BaseModel):
    archived_plan_id: int


class CreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    goal_id: WholeNumber = Field(ge=1, le=MAX_ID, description="One of my goals")
    start_date: IsoDate | None = Field(
        default=None, description="Default: today; from this week's Monday to a year ahead"
    )
    methodology: Methodology = Field(default=Methodology.DANIELS, description="daniels or 80_20")
    seed: WholeNumber | None = Field(default=None, ge=0, le=MAX_SEED, description="Drawn when absent")


class EditIn(BaseModel):
    """One edit of a planned day: `{"op": "move", "to": "2026-12-03"}`, `{"op": "swap",
    "other_wid": 7}`, `{"op": "change", "type": "easy", "minutes": 40}` or `{"op": "rest"}`."""

    model_config = ConfigDict(extra="forbid")

    op: Literal["move", "swap", "change", "rest"]
    to: IsoDate | None = Field(default=None, description="move: the new date")
    other_wid: WholeNumber | None = Field(default=None, ge=1, le=MAX_ID, description="swap: the other day")
    type: WorkoutType | None = Field(default=None, description="change: the new type")
    minutes: WholeNumber | None = Field(default=None, ge=MIN_CHANGE_MINUTES, le=MAX_CHANGE_MINUTES)

    def edit(self, wid: int) -> Edit:
        """The domain's edit; InvalidInput naming the field an op needs or must not have."""
        fields = {k: v for k, v in self.model_dump(exclude={"op"}).items() if v is not None}
        try:
            return TypeAdapter(Edit).validate_python({"op": self.op, "wid": wid, **fields})
        except ValidationError as exc:
            first = exc.errors()[0]
            field = next(
                (str(part) for part in reversed(first["loc"]) if str(part) in EditIn.model_fields), "op"
            )
            raise InvalidInput(field, first["msg"].removeprefix("Value error, ")) from exc


class EditOut(BaseModel):
    message: str = Field(description="What changed, in a sentence")
    plan: PlanOut


class AdaptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    minutes_available: WholeNumber | None = Field(default=None, ge=0, le=600, description="Time I have today")
    soreness: WholeNumber | None = Field(default=None, ge=0, le=10, description="Leg soreness, 0 none .. 10")
    fatigue: WholeNumber | None = Field(default=None, ge=1, le=5, description="1 fresh .. 5 exhausted")
    sleep: WholeNumber | None = Field(default=None, ge=1, le=5, description="1 poor .. 5 very good")


class AdaptOut(BaseModel):
    action: Action = Field(description="keep, shorten, easy or rest")
    reason: str
    readiness: Band
    workout: PlanWorkoutOut | None = Field(description="The day as it is now (null: rest)")
    plan: PlanOut


@router.post("", status_code=201, response_model=PlanOut, responses=responses(400, 404, 409, 413))
async def create_plan(body: CreateIn, user: CurrentUser, ctx: Ctx) -> PlanOut:
    """A plan for one of my goals; it becomes my active plan and the one before is archived.

    422 with every reason when the goal cannot be planned safely (a marathon in four weeks from
    nothing, too few training days): never a plan that breaks a rule.
    """
    seed = body.seed if body.seed is not None else draw_seed()
    made = await service.create(
        ctx.db,
        user.id,
        goal_id=body.goal_id,
        start_date=body.start_date or ctx.today(),
        today=ctx.today(),
        methodology=body.methodology,
        seed=seed,
        now=ctx.clock.now(),
    )
    return PlanOut.of(await service.view(ctx.db, user.id, made.plan.id, made.number))


@router.get("/current", response_model=PlanOut, responses=responses(404))
async def get_current(user: CurrentUser, ctx: Ctx) -> PlanOut:
    """My active plan's current version, compiled for my paces and treadmill; 404 without a plan."""
    return PlanOut.of(await service.view(ctx.db, user.id))


@router.delete("/current", response_model=ResetOut, responses=responses(404))
async def reset(user: CurrentUser, ctx: Ctx) -> ResetOut:
    """Reset: archive my active plan (it stays readable by its id); 404 without a plan."""
    return ResetOut(archived_plan_id=await service.reset(ctx.db, user.id, ctx.clock.now()))


@router.get("/{plan_id:int}", response_model=PlanOut, responses=responses(404))
async def get_plan(
    plan_id: RowId,
    user: CurrentUser,
    ctx: Ctx,
    version: VersionQuery = None,
) -> PlanOut:
    """One of my plans (archived ones too): its current version, or `?version=n`."""
    return PlanOut.of(await service.view(ctx.db, user.id, plan_id, version))


@router.get("/{plan_id:int}/versions", response_model=list[VersionOut], responses=responses(404))
async def list_versions(plan_id: RowId, user: CurrentUser, ctx: Ctx) -> list[VersionOut]:
    """Every version of one of my plans, newest first: who made it, why, and the days it changed."""
    return [VersionOut.of(v) for v in await service.versions(ctx.db, user.id, plan_id)]


@router.post("/{plan_id:int}/revert", response_model=PlanOut, responses=responses(400, 404, 409, 413))
async def revert(plan_id: RowId, body: RevertIn, user: CurrentUser, ctx: Ctx) -> PlanOut:
    """A new current version equal to an old one; 422 with the rules when it no longer fits my week."""
    now = ctx.clock.now()
    made = await service.revert(ctx.db, user.id, plan_id, body.version, author=Author.RUNNER, now=now)
    return PlanOut.of(await service.view(ctx.db, user.id, plan_id, made.number))


@router.get("/{plan_id:int}/diff", response_model=PlanDiff, responses=responses(404))
async def diff_versions(
    plan_id: RowId,
    user: CurrentUser,
    ctx: Ctx,
    from_: Annotated[int, Query(alias="from", ge=1, le=MAX_ID, description="The older version")],
    to: Annotated[int, Query(ge=1, le=MAX_ID, description="The newer version")],
) -> PlanDiff:
    """Workouts added, removed, moved and changed from one version to another, and each week's volume."""
    return await service.diff_versions(ctx.db, user.id, plan_id, from_, to)


@router.patch(
    "/{plan_id:int}/workouts/{wid:int}", response_model=EditOut, responses=responses(400, 404, 409, 413)
)
async def edit_workout(plan_id: RowId, wid: RowId, body: EditIn, user: CurrentUser, ctx: Ctx) -> EditOut:
    """Move, swap, change or rest a planned day: a new version, or 422 with every rule it breaks,
    the nearest edit that passes (`alternative`) and a sentence saying both (`suggestion`)."""
    made, message = await service.edit(
        ctx.db, user.id, plan_id, body.edit(wid), today=ctx.today(), now=ctx.clock.now()
    )
    return EditOut(
        message=message, plan=PlanOut.of(await service.view(ctx.db, user.id, plan_id, made.number))
    )


@router.post(
    "/{plan_id:int}/workouts/{wid:int}/adapt",
    response_model=AdaptOut,
    responses=responses(400, 404, 409, 413),
)
async def adapt_today(plan_id: RowId, wid: RowId, body: AdaptIn, user: CurrentUser, ctx: Ctx) -> AdaptOut:
    """Adapt today: fit the day to my time, soreness, fatigue and sleep (kept as a check-in).

    It shortens the day keeping its warm-up, cool-down and the key part's proportion, turns a hard
    day easy, or suggests rest; the result passes every rule and is saved as a new version with
    its reason. `action` keep: nothing changed, and no version was made.
    """
    today = ctx.today()
    checkin = Checkin(day=today, **body.model_dump())
    made, adaptation, ready = await service.adapt_today(
        ctx.db, user.id, plan_id, wid, checkin, today=today, now=ctx.clock.now()
    )
    plan = await service.view(ctx.db, user.id, plan_id, made.number if made else None)
    day = plan.day(wid)
    return AdaptOut(
        action=adaptation.action,
        reason=adaptation.reason,
        readiness=ready.band,
        workout=None if day.program is None else PlanWorkoutOut.of(day),
        plan=PlanOut.of(plan),
    )


@router.post(
    "/{plan_id:int}/workouts/{wid:int}/session",
    status_code=201,
    response_model=SessionOut,
    responses=responses(404, 409),
)
async def run_it_now(plan_id: RowId, wid: RowId, user: CurrentUser, ctx: Ctx) -> SessionOut:
    """Run it now: a new run session of this planned day's program (409 for rest, or a race run outdoors)."""
    session = await service.run_day(ctx.db, ctx.hub, user.id, plan_id, wid)
    return SessionOut.of(session, session.state(ctx.clock.now()))


@router.get(
    "/{plan_id:int}/workouts/{wid:int}/fit",
    response_class=Response,
    responses=FIT_FILE | responses(404, 409),
)
async def planned_workout_fit(plan_id: RowId, wid: RowId, user: CurrentUser, ctx: Ctx) -> Response:
    """The planned day as a Garmin FIT workout file, for the runner's paces and treadmill as they are
    now: speed targets around the belt speed each step runs at (409 for rest, or a race run outdoors)."""
    file = await files.planned_day_file(
        ctx.db,
        user_id=user.id,
        plan_id=plan_id,
        wid=wid,
        now=ctx.clock.now(),
        tolerance_pct=ctx.settings.fit_speed_tolerance_pct,
    )
    return download(file)
