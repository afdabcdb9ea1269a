"""The private calendar feed: `/feeds/<token>.ics` serves the runner's plan to phone calendars,
and `/api/calendar/feed` makes (or replaces) and stops the secret link."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from runcoach.api.deps import Ctx, CurrentUser, get_user
from runcoach.api.errors import responses
from runcoach.plans import feed

#: The feed itself: no bearer token (a phone calendar has none), the secret link is the key.
public = APIRouter(tags=["plans"])
router = APIRouter(
    prefix="/api/calendar/feed",
    tags=["plans"],
    dependencies=[Depends(get_user)],
    responses=responses(401, 503),
)
ICS_TYPE = "text/calendar; charset=utf-8"


class FeedOut(BaseModel):
    url: str = Field(description="The secret link; shown once: keep it, or make a new one")
    created_at: datetime


class FeedStateOut(BaseModel):
    active: bool
    created_at: datetime | None


@router.post("", status_code=201, response_model=FeedOut)
async def new_feed(request: Request, user: CurrentUser, ctx: Ctx) -> FeedOut:
    """A new secret link to my plan as an iCalendar feed; the link before stops working at once."""
    token = await feed.new_link(ctx.db, user.id, ctx.clock.now())
    return FeedOut(url=str(request.url_for("calendar_feed", token=token)), created_at=ctx.clock.now())


@router.get("", response_model=FeedStateOut)
async def feed_state(user: CurrentUser, ctx: Ctx) -> FeedStateOut:
    """Whether I have a feed link, and since when (the link itself is shown only when made)."""
    made = await feed.has_link(ctx.db, user.id)
    return FeedStateOut(active=made is not None, created_at=made)


@router.delete("", response_model=FeedStateOut)
async def stop_feed(user: CurrentUser, ctx: Ctx) -> FeedStateOut:
    """Stop my feed: the link stops working."""
    await feed.stop(ctx.db, user.id)
    return FeedStateOut(active=False, created_at=None)


# Not in the OpenAPI document: it is a calendar subscription URL, not part of the JSON API.
@public.get("/feeds/{token}.ics", name="calendar_feed", response_class=Response, include_in_schema=False)
async def calendar_feed(token: str, ctx: Ctx) -> Response:
    """My plan as iCalendar, one all-day event per planned run (subscribe to it in a phone calendar)."""
    text = await feed.calendar_text(ctx.db, token, title=f"{ctx.settings.title} plan")
    return Response(text, media_type=ICS_TYPE, headers={"Cache-Control": "private, max-age=300"})
