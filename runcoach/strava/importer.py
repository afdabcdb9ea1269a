"""Activities in from Strava: the backfill of past weeks, and the webhook's events.

The backfill walks forward in time, a page of 200 at a time (`after` = the newest start stored so
far, so Strava answers oldest first): one request per 200 activities, none per activity. Each
page is stored together with the cursor in one transaction, so a kill between pages resumes at
the next page and a kill inside one repeats it harmlessly (one row per Strava id). A full window
(or a 429) ends the run with `Later` at the window's reset; the job is then taken up again.

A webhook event is stored as a job within the 2 s Strava allows and processed here: create and
update fetch the activity (one request) and upsert it; delete marks it deleted; an athlete's
deauthorization drops the connection once Strava confirms it (events are not signed). Strava
retries events, and a retried event is the same job (`Event.key`); an event processed twice
changes nothing anyway.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from runcoach.clock import Clock
from runcoach.db import strava as queries
from runcoach.db.engine import Database
from runcoach.domain.errors import InvalidInput, NotFound
from runcoach.domain.jobs import Job
from runcoach.domain.strava import Activity, Event, can_read, parse_activity
from runcoach.jobs.worker import Later
from runcoach.strava.client import PAGE_SIZE, RateLimited, StravaClient, TokenRefused
from runcoach.strava.jobs import wait_for_window
from runcoach.strava.tokens import Tokens

log = logging.getLogger("runcoach.strava")

#: Pages one run of the backfill job imports before it yields to other jobs (and comes back).
PAGES_PER_RUN = 10
#: The cursor steps back this much: activities starting in the same second are not skipped.
OVERLAP = timedelta(seconds=1)


def backfill_key(user_id: int) -> str:
    return f"strava:backfill:{user_id}"


class Importer:
    def __init__(self, database: Database, clock: Clock, client: StravaClient, tokens: Tokens) -> None:
        self.database = database
        self.clock = clock
        self.client = client
        self.tokens = tokens

    async def backfill(self, job: Job) -> None:
        """The backfill job: import pages until the last one, a full window, or PAGES_PER_RUN."""
        user_id = int(job.payload["user_id"])
        async with self.database.session() as db:
            account = await queries.get_account(db, user_id=user_id)
        if account is None or not can_read(account.scopes) or account.backfill_done_at is not None:
            return  # disconnected since, nothing it may read, or already finished
        cursor = account.backfill_cursor or account.backfill_from
        for _ in range(PAGES_PER_RUN):
            page = await self._page(user_id, cursor)
            moved = await self._store_page(user_id, page, cursor)
            if moved is None or len(page) < PAGE_SIZE:
                return
            cursor = moved
        raise Later(self.clock.now(), "the backfill yields to other jobs")

    async def _page(self, user_id: int, cursor: datetime) -> list[dict[str, Any]]:
        token = await self.tokens.access_token(user_id)
        try:
            return await self.client.activities(token, after=int((cursor - OVERLAP).timestamp()))
        except RateLimited as limited:
            raise wait_for_window(limited) from limited

    async def _store_page(
        self, user_id: int, page: list[dict[str, Any]], cursor: datetime
    ) -> datetime | None:
        """Store the page and move the cursor in one transaction; the new cursor (None: the runner
        disconnected while the page was on its way, and nothing is stored)."""
        found = _parsed(page)
        newest = max((a.start for a, _ in found), default=cursor)
        now = self.clock.now()
        last = len(page) < PAGE_SIZE
        async with self.database.session(hold=True) as db:
            if await queries.get_account(db, user_id=user_id, for_update=True) is None:
                return None
            await queries.upsert_activities(db, owner_id=user_id, activities=found, now=now)
            await queries.update_account(
                db,
                user_id=user_id,
                backfill_cursor=max(newest, cursor),
                backfill_done_at=now if last else None,
                last_sync_at=now,
            )
        return max(newest, cursor)

    async def event(self, job: Job) -> None:
        """The event job: apply one webhook event (see the module docstring)."""
        event = Event(**job.payload)
        async with self.database.session() as db:
            account = await queries.account_of_athlete(db, athlete_id=event.owner_id)
        if account is None:
            return  # an athlete who is not (or no longer) connected here
        if event.object_type == "athlete":
            if event.deauthorized and not await self._still_authorized(account.user_id):
                async with self.database.session() as db:
                    await queries.delete_account(db, user_id=account.user_id)
                log.info("Strava athlete %s revoked RunCoach's access", event.owner_id)
            return
        if event.aspect_type == "delete":
            async with self.database.session() as db:
                await queries.mark_deleted(
                    db, owner_id=account.user_id, strava_id=event.object_id, now=self.clock.now()
                )
            return
        await self._fetch(account.user_id, event.object_id)

    async def _still_authorized(self, user_id: int) -> bool:
        """Whether Strava still takes the runner's tokens. Strava does not sign its events, so a
        deauthorization is believed only when Strava confirms it: anybody could post one, and it
        would otherwise disconnect the runner and delete their imported runs."""
        try:
            token = await self.tokens.access_token(user_id)
            await self.client.athlete(token)
        except (TokenRefused, NotFound):  # refused at Strava, or disconnected here meanwhile
            return False
        except RateLimited as limited:
            raise wait_for_window(limited) from limited
        log.warning(
            "a deauthorization event for runner %s, but Strava still takes the tokens: ignored", user_id
        )
        return True

    async def _fetch(self, user_id: int, activity_id: int) -> None:
        token = await self.tokens.access_token(user_id)
        try:
            raw = await self.client.activity(token, activity_id)
        except RateLimited as limited:
            raise wait_for_window(limited) from limited
        now = self.clock.now()
        async with self.database.session(hold=True) as db:
            if await queries.get_account(db, user_id=user_id, for_update=True) is None:
                return  # disconnected while Strava answered: store nothing
            if raw is None:  # deleted (or made private) before we asked
                await queries.mark_deleted(db, owner_id=user_id, strava_id=activity_id, now=now)
                return
            found = _parsed([raw])
            await queries.upsert_activities(db, owner_id=user_id, activities=found, now=now)
            await queries.update_account(db, user_id=user_id, last_sync_at=now)


def _parsed(page: list[dict[str, Any]]) -> list[tuple[Activity, dict[str, Any]]]:
    """The page's activities that can be read; one that cannot is logged and left out."""
    found = []
    for raw in page:
        try:
            found.append((parse_activity(raw), raw))
        except InvalidInput:
            log.warning("Strava sent an activity without an id or start: %.200r", raw)
    return found


def event_payload(event: Event) -> dict[str, Any]:
    return {
        "object_type": event.object_type,
        "object_id": event.object_id,
        "aspect_type": event.aspect_type,
        "owner_id": event.owner_id,
        "event_time": event.event_time,
        "deauthorized": event.deauthorized,
    }


def weeks_ago(now: datetime, weeks: int) -> datetime:
    return (now - timedelta(weeks=weeks)).astimezone(UTC)
