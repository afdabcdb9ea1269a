"""Strava over the JSON API: the connection's status, sync, disconnect, auto-upload, matching, and
uploads of runs; plus the webhook Strava itself calls (`public`: no bearer token, Strava has none).

Connecting is done in the browser (the Strava page): OAuth needs the runner at Strava's page.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, StrictBool

from runcoach.api.deps import Ctx, CurrentUser, RowId, get_user
from runcoach.api.errors import responses
from runcoach.domain.errors import NotFound
from runcoach.domain.strava import MAX_ID, Upload
from runcoach.strava import matching
from runcoach.strava.service import Status

router = APIRouter(
    prefix="/api/strava", tags=["strava"], dependencies=[Depends(get_user)], responses=responses(401, 503)
)
uploads = APIRouter(
    prefix="/api/strava/uploads",
    tags=["strava"],
    dependencies=[Depends(get_user)],
    responses=responses(401, 503),
)
public = APIRouter(tags=["strava"])

#: A Strava activity id: 64-bit, checked before the database sees it.
StravaId = Annotated[int, Path(ge=1, le=MAX_ID, description="A Strava activity id")]


class StatusOut(BaseModel):
    configured: bool = Field(description="False until the server's Strava settings are made")
    connected: bool
    athlete_name: str
    problems: list[str] = Field(description="What the granted scopes or a refused token leave out")
    last_sync_at: datetime | None
    imported: int = Field(description="Activities imported")
    backfill_share: float = Field(description="0 to 1: how much of the past weeks is imported")
    importing: bool
    auto_upload: bool
    import_error: str | None


def _out(status: Status) -> StatusOut:
    return StatusOut(
        configured=status.configured,
        connected=status.connected,
        athlete_name=status.athlete_name,
        problems=list(status.problems),
        last_sync_at=status.last_sync_at,
        imported=status.imported,
        backfill_share=status.backfill_share,
        importing=status.importing,
        auto_upload=status.auto_upload,
        import_error=status.import_error,
    )


class AutoUploadIn(BaseModel):
    on: StrictBool = Field(description="true or false (not 0, 1 or a string)")


class MatchIn(BaseModel):
    day: date | None = Field(description="The planned day the run counts for; null: none")


class MatchOut(BaseModel):
    strava_id: int
    day: date | None
    manual: bool


class UploadOut(BaseModel):
    session_id: int
    status: str = Field(description="claimed, processing, done, duplicate (linked) or failed")
    activity_id: int | None
    error: str | None


def _upload(upload: Upload) -> UploadOut:
    return UploadOut(
        session_id=upload.session_id, status=upload.status, activity_id=upload.activity_id, error=upload.error
    )


@router.get("", response_model=StatusOut)
async def status(user: CurrentUser, ctx: Ctx) -> StatusOut:
    """My Strava connection: athlete, missing scopes, import progress, last sync."""
    return _out(await ctx.strava.status(user.id))


@router.post("/sync", response_model=StatusOut, responses=responses(404, 409))
async def sync(user: CurrentUser, ctx: Ctx) -> StatusOut:
    """Import what is new on Strava since the last import (it runs in the background)."""
    return _out(await ctx.strava.sync(user.id))


@router.delete("", status_code=204)
async def disconnect(user: CurrentUser, ctx: Ctx) -> Response:
    """Disconnect: revoke RunCoach's access at Strava, delete the tokens and imported activities."""
    await ctx.strava.disconnect(user.id)
    return Response(status_code=204)


@router.put("/auto-upload", response_model=StatusOut, responses=responses(400, 404, 413))
async def auto_upload(body: AutoUploadIn, user: CurrentUser, ctx: Ctx) -> StatusOut:
    """Send every finished treadmill run to Strava (or stop)."""
    await ctx.strava.set_auto_upload(user.id, body.on)
    return _out(await ctx.strava.status(user.id))


@router.put("/activities/{strava_id}/match", response_model=MatchOut, responses=responses(400, 404, 413))
async def rematch(strava_id: StravaId, body: MatchIn, user: CurrentUser, ctx: Ctx) -> MatchOut:
    """Count the run for another planned day (or, with null, for none)."""
    await matching.set_match(ctx.db, user.id, strava_id, body.day)
    return MatchOut(strava_id=strava_id, day=body.day, manual=True)


@router.delete("/activities/{strava_id}/match", response_model=MatchOut, responses=responses(404))
async def automatic(strava_id: StravaId, user: CurrentUser, ctx: Ctx) -> MatchOut:
    """Let the rule match the run again."""
    await matching.clear_match(ctx.db, user.id, strava_id)
    return MatchOut(strava_id=strava_id, day=None, manual=False)


@uploads.post("/{session_id:int}", response_model=UploadOut, status_code=202, responses=responses(404, 409))
async def upload(session_id: RowId, user: CurrentUser, ctx: Ctx) -> UploadOut:
    """Send the finished run to Strava as its FIT activity, once: asking again returns the first
    upload's status."""
    return _upload(await ctx.strava.upload(user.id, session_id))


@uploads.get("/{session_id:int}", response_model=UploadOut, responses=responses(404))
async def upload_status(session_id: RowId, user: CurrentUser, ctx: Ctx) -> UploadOut:
    found = await ctx.strava.uploads.status(user.id, session_id)
    if found is None:
        raise NotFound("This run was not sent to Strava")
    return _upload(found)


# Strava's webhook: not in the OpenAPI document (Strava calls it, not API users).
@public.get("/strava/webhook", include_in_schema=False)
async def webhook_check(
    ctx: Ctx,
    mode: Annotated[str | None, Query(alias="hub.mode", max_length=40)] = None,
    token: Annotated[str | None, Query(alias="hub.verify_token", max_length=200)] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge", max_length=200)] = None,
) -> dict[str, str]:
    """Strava's subscription check: echo the challenge when the verify token matches."""
    return ctx.strava.verify(mode=mode, token=token, challenge=challenge)


@public.post("/strava/webhook", include_in_schema=False)
async def webhook_event(request: Request, ctx: Ctx) -> Any:
    """An event from Strava: stored as a job, answered at once (Strava allows 2 s)."""
    try:
        body = await request.json()
    except ValueError:
        return JSONResponse({"detail": "Not JSON"}, status_code=400)
    await ctx.strava.receive(body)
    return {"ok": True}
