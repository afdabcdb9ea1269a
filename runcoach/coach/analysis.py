"""How am I doing: one runner's progress figures, read in one transaction and computed by the domain.

The progress page, `GET /api/coach/analysis` and the coach (who explains the figures and never
computes them) all call `analysis`, so they always say the same numbers. The arithmetic and every
decision behind it live in `runcoach.domain.progress`; this module only gathers its inputs: the
profile (the reference VDOT), the active plan compiled for the runner's paces and treadmill as
they are now (as the calendar shows it), and the sessions of the weeks analysed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo

from runcoach.db import plans as plan_queries
from runcoach.db import profiles as profile_queries
from runcoach.db import sessions as session_queries
from runcoach.db.engine import Database
from runcoach.domain.accounts import User
from runcoach.domain.errors import NotFound
from runcoach.domain.plans import compile_plan
from runcoach.domain.progress import WEEKS, PlannedDays, Progress, first_day, progress, run_of
from runcoach.profiles.service import NO_PROFILE

#: Sessions read per day analysed at most: far beyond anyone's training (two runs a day is a lot),
#: and a bound on what one request can load.
MAX_SESSIONS_PER_DAY = 10


async def analysis(
    database: Database, user: User, *, today: date, zone: tzinfo, now: datetime, weeks: int = WEEKS
) -> Progress:
    """The runner's figures as of `today` (in `zone`) over the last `weeks` complete weeks and this one.

    NotFound with what to do when the runner has no profile yet: the VDOT figures need its VDOT.
    No runs and no plan are fine: every figure then says there is nothing yet.
    """
    begin = datetime.combine(first_day(today, weeks), time(), zone).astimezone(UTC)
    limit = (weeks + 1) * 7 * MAX_SESSIONS_PER_DAY
    async with database.session() as db:
        profile = await profile_queries.get_profile(db, user_id=user.id)
        if profile is None:
            raise NotFound(NO_PROFILE)
        version = await plan_queries.active_version(db, owner_id=user.id)
        sessions = await session_queries.list_between(db, owner_id=user.id, start=begin, limit=limit)
    plan = None
    if version is not None:
        days = compile_plan(version.draft, profile.paces().zones, profile.treadmill)
        plan = PlannedDays(plan_id=version.plan.id, days=days)
    runs = [run for s in sessions if (run := run_of(s, zone, now)) is not None]
    return progress(
        runs,
        today=today,
        profile_vdot=profile.vdot(),
        plan=plan,
        weeks=weeks,
        since=user.created_at.astimezone(zone).date(),
    )
