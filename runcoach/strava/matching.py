"""Which planned day each imported run counts for, and the runner's own choices.

The rule (`runcoach.domain.strava.match_all`) runs when the calendar is read, against the plan as
it is then: a plan changed by the coach or by hand never leaves a stale match behind. Only the
runner's own choices are stored (a day, or "none").

A run RunCoach uploaded itself comes back from Strava as an activity too (by webhook or the next
import); it is recognised by its external id or its activity id and left out, so the treadmill
run counts once, as the session it is.
"""

from __future__ import annotations

from datetime import date, timedelta

from runcoach.db import strava as queries
from runcoach.db.engine import Database
from runcoach.domain.errors import InvalidInput, NotFound
from runcoach.domain.strava import StoredActivity
from runcoach.domain.strava import strava_id as parse_strava_id

#: How far from its own day the runner may move a run.
MATCH_REACH = 3
NOT_IMPORTED = "No such Strava activity among your imported runs"


async def imported_runs(database: Database, user_id: int, first: date, last: date) -> list[StoredActivity]:
    """The runner's imported runs on days `first - 1`..`last + 1` (a run may count for a
    neighbouring day), without the copies of runs uploaded from here."""
    async with database.session() as db:
        found = await queries.list_activities(
            db, owner_id=user_id, first=first - timedelta(days=1), last=last + timedelta(days=1)
        )
        if not found:
            return []
        uploads = await queries.uploads_of(db, owner_id=user_id)
    ours = {u.external_id for u in uploads}
    linked = {u.activity_id for u in uploads if u.activity_id is not None}
    return [
        s
        for s in found
        if s.activity.is_run and s.activity.strava_id not in linked and s.activity.external_id not in ours
    ]


async def set_match(database: Database, user_id: int, strava_id: int, day: date | None) -> None:
    """The runner's choice: the run counts for `day` (None: for no planned day), a day at most
    `MATCH_REACH` days from the run's own."""
    if parse_strava_id(strava_id) is None:
        raise NotFound(NOT_IMPORTED)
    async with database.session() as db:
        found = await queries.get_activity(db, owner_id=user_id, strava_id=strava_id)
        if found is None:
            raise NotFound(NOT_IMPORTED)
        if day is not None and abs((day - found.activity.day).days) > MATCH_REACH:
            raise InvalidInput("day", f"A run can count for a day at most {MATCH_REACH} days from its own")
        if not await queries.set_match(db, owner_id=user_id, strava_id=strava_id, manual=True, match_day=day):
            raise NotFound(NOT_IMPORTED)


async def clear_match(database: Database, user_id: int, strava_id: int) -> None:
    """Back to the rule."""
    if parse_strava_id(strava_id) is None:
        raise NotFound(NOT_IMPORTED)
    async with database.session() as db:
        if not await queries.set_match(
            db, owner_id=user_id, strava_id=strava_id, manual=False, match_day=None
        ):
            raise NotFound(NOT_IMPORTED)
