"""Reading and saving a runner's profile, and the paces it gives.

Every function owns its unit of work: it opens (and commits) its own transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from runcoach.db import profiles as queries
from runcoach.db.engine import Database
from runcoach.domain.errors import NotFound
from runcoach.domain.paces import Paces
from runcoach.domain.profile import Profile

#: UTC+14 (Kiribati) is the first to reach a date: a race run "today" anywhere is not in the future.
EARLIEST_OFFSET = timedelta(hours=14)

NO_PROFILE = "Set your profile first: a recent race or an easy pace"


async def get_profile(database: Database, user_id: int) -> Profile | None:
    async with database.session() as db:
        return await queries.get_profile(db, user_id=user_id)


async def require_profile(database: Database, user_id: int) -> Profile:
    """The user's profile; NotFound with the sentence that says what to do when there is none."""
    profile = await get_profile(database, user_id)
    if profile is None:
        raise NotFound(NO_PROFILE)
    return profile


async def save_profile(database: Database, user_id: int, profile: Profile, now: datetime) -> Profile:
    """Store the profile, replacing any earlier one; InvalidInput for a race dated after today
    (today anywhere on Earth: the server does not know the runner's time zone)."""
    profile.check_dates((now + EARLIEST_OFFSET).date())
    async with database.session() as db:
        return await queries.put_profile(db, user_id=user_id, profile=profile, now=now)


async def paces(database: Database, user_id: int) -> Paces:
    """The paces the user's profile gives; NotFound when there is no profile yet."""
    return (await require_profile(database, user_id)).paces()
