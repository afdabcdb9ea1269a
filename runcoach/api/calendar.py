"""JSON route for the calendar: planned days beside the runs done, and planned vs done per week."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from runcoach.api.deps import Ctx, CurrentUser, get_user
from runcoach.api.errors import responses
from runcoach.api.plans import PlanWorkoutOut
from runcoach.domain.profile import IsoDate
from runcoach.plans.calendar import MAX_DAYS, Calendar, CalendarDay, DayStatus, RunDone, calendar

router = APIRouter(
    prefix="/api", tags=["plans"], dependencies=[Depends(get_user)], responses=responses(401, 503)
)

#: Without `from` and `to`: this week and the next three.
DEFAULT_DAYS = 28


class RunOut(BaseModel):
    session_id: int | None = Field(description="The treadmill session; null for a run imported from Strava")
    strava_id: int | None = Field(description="The Strava activity of an imported run")
    counts: bool = Field(description="False when the runner said it counts for no planned day")
    name: str
    completed: bool
    elapsed_s: float
    distance_km: float
    plan_workout_id: int | None = Field(description="The planned workout it was started from, if any")

    @classmethod
    def of(cls, run: RunDone) -> RunOut:
        return cls(
            session_id=run.session_id if run.strava_id is None else None,
            strava_id=run.strava_id,
            counts=run.counts,
            name=run.name,
            completed=run.completed,
            elapsed_s=round(run.elapsed_s, 1),
            distance_km=round(run.distance_km, 3),
            plan_workout_id=run.plan_wid,
        )


class DayOut(BaseModel):
    date: date
    is_today: bool
    status: DayStatus = Field(description="planned, done, partial, missed or rest")
    workout: PlanWorkoutOut | None
    runs: list[RunOut]

    @classmethod
    def of(cls, day: CalendarDay) -> DayOut:
        return cls(
            date=day.date,
            is_today=day.is_today,
            status=day.status,
            workout=None if day.planned is None else PlanWorkoutOut.of(day.planned),
            runs=[RunOut.of(r) for r in day.runs],
        )


class WeekOut(BaseModel):
    start_date: date
    planned_distance_km: float
    done_distance_km: float


class CalendarOut(BaseModel):
    today: date
    plan_id: int | None
    plan_version: int | None
    days: list[DayOut]
    weeks: list[WeekOut] = Field(description="Planned vs done for every week of the plan")

    @classmethod
    def of(cls, cal: Calendar) -> CalendarOut:
        version = cal.plan.version if cal.plan else None
        return cls(
            today=cal.today,
            plan_id=version.plan.id if version else None,
            plan_version=version.number if version else None,
            days=[DayOut.of(d) for d in cal.days],
            weeks=[
                WeekOut(
                    start_date=w.start,
                    planned_distance_km=round(w.planned_km, 2),
                    done_distance_km=round(w.done_km, 2),
                )
                for w in cal.weeks
            ],
        )


@router.get("/calendar", response_model=CalendarOut)
async def get_calendar(
    user: CurrentUser,
    ctx: Ctx,
    from_: Annotated[
        IsoDate | None, Query(alias="from", description="First day; default: this Monday")
    ] = None,
    to: Annotated[IsoDate | None, Query(description=f"Last day, at most {MAX_DAYS} days on")] = None,
) -> CalendarOut:
    """My planned days and the runs I did, day by day, and planned vs done per week of the plan."""
    today = ctx.today()
    start = from_ or today - timedelta(days=today.weekday())
    end = to or start + timedelta(days=DEFAULT_DAYS - 1)
    found = await calendar(
        ctx.db, user.id, start=start, end=end, today=today, zone=ctx.settings.zone, now=ctx.clock.now()
    )
    return CalendarOut.of(found)
