"""A runner's goals: set one, read them, and keep each verdict current as the runner trains.

Every function owns its unit of work: it opens (and commits) its own transaction.

When a goal is re-assessed: on every read (`get_goal`, `list_goals`), in the transaction of the
read. The assessment is pure and cheap (the last 4 weeks' sessions folded once, then arithmetic
per goal), so reading always shows the verdict as of now: after a run was completed, after the
profile changed, as the race comes nearer. No background job or hook on session completion is
needed, and nothing can miss an event. The new assessment is stored, with `assessed_at`, only when
it differs from the stored one, so `assessed_at` says when the verdict (or its figures) last
changed and later notifications can compare. A goal whose date has passed keeps its last
assessment: it is over, and the domain refuses to assess a past date.

"The runner's current volume" is the larger of the profile's weekly km and the weekly average of
the run sessions completed in the last 4 weeks (`runcoach.domain.volume`), on the belt: the
console speeds times the profile's treadmill calibration as it is now, plus the runs imported from
Strava in those weeks (a treadmill run uploaded from here counts once, as its session).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db import goals as queries
from runcoach.db import profiles as profile_queries
from runcoach.db import sessions as session_queries
from runcoach.db import strava as strava_queries
from runcoach.db.engine import Database
from runcoach.domain.errors import NotFound
from runcoach.domain.goals import Assessment, Goal, StoredGoal, assess
from runcoach.domain.profile import Profile
from runcoach.domain.volume import RECENT_WEEKS, current_weekly_km, recent_weekly_km, weekly_km_ran
from runcoach.profiles.service import NO_PROFILE

#: UTC-12 is the last place still on a date: a goal dated "today" anywhere on Earth is not past.
LATEST_OFFSET = timedelta(hours=12)

GOAL_NOT_FOUND = "No such goal"


def today(now: datetime) -> date:
    """The earliest date it still is somewhere: what goal dates are checked against."""
    return (now - LATEST_OFFSET).date()


async def has_profile(database: Database, user_id: int) -> bool:
    """Whether the runner has a profile yet (a goal needs one)."""
    async with database.session() as db:
        return await profile_queries.get_profile(db, user_id=user_id) is not None


async def create_goal(database: Database, user_id: int, goal: Goal, now: datetime) -> StoredGoal:
    """Store the goal with its assessment as of `now`.

    NotFound ("Set your profile first ...") without a profile; InvalidInput for a date in the past.
    """
    goal.check_dates(today(now))
    async with database.session() as db:
        profile = await profile_queries.get_profile(db, user_id=user_id)
        if profile is None:
            raise NotFound(NO_PROFILE)
        assessment = await _assess(db, user_id, goal, profile, now)
        return await queries.add_goal(db, owner_id=user_id, goal=goal, assessment=assessment, now=now)


async def get_goal(database: Database, user_id: int, goal_id: int, now: datetime) -> StoredGoal:
    """The runner's goal, re-assessed as of `now`; NotFound for an unknown id or another's goal."""
    async with database.session() as db:
        stored = await queries.get_goal(db, goal_id=goal_id, owner_id=user_id)
        if stored is None:
            raise NotFound(GOAL_NOT_FOUND)
        return (await reassess(db, user_id, [stored], now))[0]


async def list_goals(database: Database, user_id: int, now: datetime) -> list[StoredGoal]:
    """The runner's goals, newest first, each re-assessed as of `now`."""
    async with database.session() as db:
        stored = await queries.list_goals(db, owner_id=user_id)
        return await reassess(db, user_id, stored, now)


async def current_volume(db: AsyncSession, user_id: int, profile: Profile, now: datetime) -> float:
    """Weekly km a goal is judged against: the profile's, or what the runner ran lately if more."""
    since = now - timedelta(weeks=RECENT_WEEKS)
    sessions = await session_queries.list_between(db, owner_id=user_id, start=since)
    ran = recent_weekly_km(sessions, now, calibration=profile.treadmill.calibration)
    imported = await strava_queries.imported_since(db, owner_id=user_id, since=since)
    ran += weekly_km_ran(a.distance_m for a in imported if a.is_run)
    return current_weekly_km(profile.weekly_km, ran)


async def _assess(db: AsyncSession, user_id: int, goal: Goal, profile: Profile, now: datetime) -> Assessment:
    volume = await current_volume(db, user_id, profile, now)
    return assess(goal, profile.model_copy(update={"weekly_km": volume}), today(now))


async def reassess(
    db: AsyncSession, user_id: int, stored: list[StoredGoal], now: datetime
) -> list[StoredGoal]:
    """Each goal with its assessment as of `now`, stored where it changed (see the module docstring).

    Public for services that read a goal in their own transaction (the coach's context): every read
    of a goal judges it the same way."""
    day = today(now)
    live = [g for g in stored if not _over(g.goal, day)]
    if not live:
        return stored
    profile = await profile_queries.get_profile(db, user_id=user_id)
    if profile is None:  # no profile to judge against: the stored verdicts stand
        return stored
    runner = profile.model_copy(update={"weekly_km": await current_volume(db, user_id, profile, now)})
    fresh: dict[int, StoredGoal] = {}
    for goal in live:
        assessment = assess(goal.goal, runner, day)
        if assessment != goal.assessment:
            await queries.save_assessment(
                db, goal_id=goal.id, owner_id=user_id, assessment=assessment, now=now
            )
            fresh[goal.id] = goal.model_copy(update={"assessment": assessment, "assessed_at": now})
    return [fresh.get(g.id, g) for g in stored]


def _over(goal: Goal, day: date) -> bool:
    """The race was run, or the volume deadline passed: nothing left to assess."""
    ends = goal.race_date or goal.by_date
    return ends is not None and ends < day
