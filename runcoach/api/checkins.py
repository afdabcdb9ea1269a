"""JSON route for check-ins: how I felt after a run (effort, soreness) or before one."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from runcoach.api.deps import Ctx, CurrentUser, get_user
from runcoach.api.errors import responses
from runcoach.domain.errors import InvalidInput
from runcoach.domain.ids import MAX_ID
from runcoach.domain.profile import IsoDate
from runcoach.domain.readiness import Band, Checkin
from runcoach.domain.workouts import WholeNumber
from runcoach.plans import checkins

router = APIRouter(
    prefix="/api", tags=["plans"], dependencies=[Depends(get_user)], responses=responses(401, 503)
)


class CheckinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: WholeNumber | None = Field(default=None, ge=1, le=MAX_ID, description="The run it is about")
    day: IsoDate | None = Field(default=None, description="Default: today")
    effort: WholeNumber | None = Field(default=None, ge=1, le=10, description="How hard it felt, 1 .. 10")
    soreness: WholeNumber | None = Field(default=None, ge=0, le=10, description="Leg soreness, 0 .. 10")
    fatigue: WholeNumber | None = Field(default=None, ge=1, le=5, description="1 fresh .. 5 exhausted")
    sleep: WholeNumber | None = Field(default=None, ge=1, le=5, description="1 poor .. 5 very good")
    minutes_available: WholeNumber | None = Field(default=None, ge=0, le=600)


class CheckinOut(BaseModel):
    id: int
    checkin: Checkin
    readiness: Band = Field(description="Today's readiness with this check-in: go, easy or rest")
    readiness_reason: str


@router.post("/checkins", status_code=201, response_model=CheckinOut, responses=responses(400, 404, 413))
async def add_checkin(body: CheckinIn, user: CurrentUser, ctx: Ctx) -> CheckinOut:
    """Record how I feel (after a run: its session id); soreness decays day by day in readiness."""
    today = ctx.today()
    if body.day is not None and body.day > today + timedelta(days=1):  # a day of slack for time zones
        raise InvalidInput("day", f"The day {body.day.isoformat()} is in the future.")
    checkin = Checkin(day=body.day or today, **body.model_dump(exclude={"session_id", "day"}))
    made = await checkins.record(ctx.db, user.id, checkin, session_id=body.session_id, now=ctx.clock.now())
    ready = await checkins.readiness_on(ctx.db, user.id, today)
    return CheckinOut(id=made, checkin=checkin, readiness=ready.band, readiness_reason=ready.reason)
