"""JSON routes for run sessions; they share the hub with the pages, so a pause here shows everywhere."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.convertors import StringConvertor, register_url_convertor

from runcoach.api.deps import Ctx, CurrentUser, RowId, get_user
from runcoach.api.errors import responses
from runcoach.api.files import FIT_FILE, download
from runcoach.api.workouts import SegmentOut
from runcoach.domain.ids import MAX_ID
from runcoach.domain.session import Command, RunSession, SessionState
from runcoach.domain.structure import Console
from runcoach.domain.workouts import WholeNumber
from runcoach.fit.activities import activity_file


class CommandWord(StringConvertor):
    """The last path segment of the command route: any word but the session's sub-resources
    (`fit`), so a POST to /api/sessions/{id}/fit is a 405 like every other method not declared on a
    declared path, not a 422 about an unknown command; unknown words still reach the route (422)."""

    regex = r"(?!fit$)[^/]+"


register_url_convertor("command_word", CommandWord())

router = APIRouter(
    prefix="/api/sessions",
    tags=["sessions"],
    dependencies=[Depends(get_user)],
    responses=responses(401, 503),
)


class CreateIn(BaseModel):
    workout_id: WholeNumber = Field(ge=1, le=MAX_ID, description="One of my workouts")


class EventOut(BaseModel):
    seq: int
    kind: str
    at: datetime


class SessionOut(BaseModel):
    id: int
    workout_id: int | None = Field(description="The generated workout played; null for a planned day")
    plan_id: int | None = Field(description="The plan of the planned day played, if any")
    plan_workout_id: int | None = Field(description="The planned day's workout id within its plan")
    name: str
    status: str
    elapsed_s: float
    segment_index: int
    segment_elapsed_s: float
    segment_remaining_s: float
    segment: SegmentOut | None
    next_segment: SegmentOut | None
    segment_count: int
    total_duration_s: int
    position_s: float = Field(description="Seconds into the program (not elapsed: skips and backs move it)")
    segments_done: int = Field(description="Segments played to their end")
    finished_early: bool = Field(description="Completed by a command before the program's end")
    distance_km: float = Field(description="Covered at the programmed speeds while running, pauses excluded")
    pair_code: str = Field(description="The code a phone pairs with (the run view shows it as ABCD-EFGH)")
    pairing_expires_at: datetime
    pairing_open: bool = Field(description="The code works now: not expired and the run not over")
    events: list[EventOut]
    console: Console | None = Field(
        description="The runner's treadmill console when the session was created: segment speeds are "
        "console speeds in km/h, read in its unit, and the belt runs at speed x calibration. Null: no "
        "treadmill was known, speeds are taken as true."
    )

    @classmethod
    def of(cls, session: RunSession, state: SessionState) -> SessionOut:
        return cls(
            id=session.id,
            workout_id=session.workout_id,
            plan_id=session.plan_id,
            plan_workout_id=session.plan_wid,
            name=session.name,
            status=state.status.value,
            elapsed_s=round(state.elapsed_s, 3),
            segment_index=state.segment_index,
            segment_elapsed_s=round(state.segment_elapsed_s, 3),
            segment_remaining_s=round(state.segment_remaining_s, 3),
            segment=_segment(state.segment),
            next_segment=_segment(state.next_segment),
            segment_count=state.segment_count,
            total_duration_s=state.total_duration_s,
            position_s=round(state.position_s, 3),
            segments_done=state.segments_done,
            finished_early=state.finished_early,
            distance_km=round(state.distance_m / 1000, 3),
            pair_code=session.pair_code,
            pairing_expires_at=session.pairing_expires_at,
            pairing_open=session.pairing_open(state.as_of),
            events=[EventOut(seq=e.seq, kind=e.kind.value, at=e.at) for e in session.events],
            console=session.console,
        )


def _segment(segment: Any) -> SegmentOut | None:
    return None if segment is None else SegmentOut(**segment.model_dump(mode="json"))


@router.post("", status_code=201, response_model=SessionOut, responses=responses(400, 404, 413))
async def create_session(body: CreateIn, user: CurrentUser, ctx: Ctx) -> SessionOut:
    """A new run session playing one of my workouts (404 for an unknown or foreign workout)."""
    session = await ctx.hub.create_session(workout_id=body.workout_id, owner_id=user.id)
    return SessionOut.of(session, session.state(ctx.clock.now()))


@router.get("", response_model=list[SessionOut])
async def list_sessions(user: CurrentUser, ctx: Ctx) -> list[SessionOut]:
    """My sessions, newest first."""
    now = ctx.clock.now()
    return [SessionOut.of(s, s.state(now)) for s in await ctx.hub.list(owner_id=user.id)]


@router.get("/{session_id:int}", response_model=SessionOut, responses=responses(404))
async def get_session(session_id: RowId, user: CurrentUser, ctx: Ctx) -> SessionOut:
    """The session's state now, folded from its event log."""
    session = await ctx.hub.get(session_id, owner_id=user.id)
    return SessionOut.of(session, session.state(ctx.clock.now()))


@router.get(
    "/{session_id:int}/fit",
    response_class=Response,
    responses=FIT_FILE | responses(404, 409),
)
async def session_fit(session_id: RowId, user: CurrentUser, ctx: Ctx) -> Response:
    """The finished session as a Garmin FIT activity file, for any training log that reads FIT.

    409 while the session is not finished (or when it ended before it started).
    """
    return download(await activity_file(ctx.db, session_id, user.id, ctx.clock.now(), zone=ctx.settings.zone))


@router.post("/{session_id:int}/pairing", response_model=SessionOut, responses=responses(404, 409))
async def renew_pairing(session_id: RowId, user: CurrentUser, ctx: Ctx) -> SessionOut:
    """A new pairing code, good for 12 hours: the old one stops working at once (409 once the run is over)."""
    session = await ctx.hub.renew_pairing(session_id, owner_id=user.id)
    return SessionOut.of(session, session.state(ctx.clock.now()))


@router.post(
    "/{session_id:int}/{command:command_word}", response_model=SessionOut, responses=responses(404, 409)
)
async def send_command(
    session_id: RowId,
    command: Command,
    user: CurrentUser,
    ctx: Ctx,
    if_seq: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_ID,
            description="The last event seq you saw: if the session changed since, 409 instead of acting",
        ),
    ] = None,
) -> SessionOut:
    """start, pause, resume, skip, back or finish: 409 when it does not fit the session's state.

    Pass `if_seq` (the `events[-1].seq` you last read) so a command based on a stale view is a
    409 rather than, say, a second skip nobody meant.
    """
    session, state = await ctx.hub.command(session_id, command, owner_id=user.id, if_seq=if_seq)
    return SessionOut.of(session, state)
