"""JSON routes of the coach. For now the figures the coach explains: `GET /api/coach/analysis`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from runcoach.api.deps import Ctx, CurrentUser, get_user
from runcoach.api.errors import responses
from runcoach.coach import analysis
from runcoach.domain.progress import MAX_WEEKS, WEEKS, Progress

router = APIRouter(
    prefix="/api/coach",
    tags=["coach"],
    dependencies=[Depends(get_user)],
    responses=responses(401, 503),
)


@router.get("/analysis", response_model=Progress, responses=responses(404))
async def get_analysis(
    user: CurrentUser,
    ctx: Ctx,
    weeks: Annotated[
        int, Query(ge=1, le=MAX_WEEKS, description=f"Complete weeks to analyse, 1 to {MAX_WEEKS}")
    ] = WEEKS,
) -> Progress:
    """How am I doing: weekly volume and its trend, plan completion, consistency, and a VDOT trend
    from my runs, over the last `weeks` complete weeks (Monday to Sunday where I train: the
    server's `timezone` setting) and this week so far. Distances in km (on the belt), running
    time in minutes, efforts in metres and seconds.

    - Trends and consistency read complete weeks only; weeks before I began are left out.
    - Completion: my active plan's treadmill days so far in those weeks, judged as on the calendar;
      a partial day counts half in `rate`.
    - VDOT points: the race-equivalent of each hard enough run's best sustained effort (Daniels'
      formula). A floor, not a measurement: a training run is not run flat out, and its speeds are
      the program's, set from my profile. A race or a time trial is the real measure.

    200 with empty figures when I have no runs or no plan; 404 with what to do when I have no
    profile yet (PUT /api/profile).
    """
    return await analysis.analysis(
        ctx.db, user, today=ctx.today(), zone=ctx.settings.zone, now=ctx.clock.now(), weeks=weeks
    )
