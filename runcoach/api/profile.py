"""JSON routes for the runner's profile and the paces it gives."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from runcoach.api.deps import Ctx, CurrentUser, get_user
from runcoach.api.errors import responses
from runcoach.domain.errors import NotFound
from runcoach.domain.paces import Paces
from runcoach.domain.profile import Profile
from runcoach.profiles import service

router = APIRouter(
    prefix="/api",
    tags=["profile"],
    dependencies=[Depends(get_user)],
    responses=responses(401, 503),
)

NO_PROFILE_YET = "No profile yet: PUT /api/profile to set one"


@router.get("/profile", response_model=Profile, responses=responses(404))
async def get_profile(user: CurrentUser, ctx: Ctx) -> Profile:
    """My profile; 404 until one is saved."""
    profile = await service.get_profile(ctx.db, user.id)
    if profile is None:
        raise NotFound(NO_PROFILE_YET)
    return profile


@router.put("/profile", response_model=Profile, responses=responses(400, 413))
async def put_profile(body: Profile, user: CurrentUser, ctx: Ctx) -> Profile:
    """Save my profile, replacing the earlier one. 422 names the field and the reason."""
    return await service.save_profile(ctx.db, user.id, body, ctx.clock.now())


@router.get("/paces", response_model=Paces, responses=responses(404))
async def get_paces(user: CurrentUser, ctx: Ctx) -> Paces:
    """My VDOT, training zones (km/h, slowest zone first) and race predictions (seconds).

    From the profile's recent race when it has one, else from its easy pace; 404 with what to do
    when there is no profile yet.
    """
    return await service.paces(ctx.db, user.id)
