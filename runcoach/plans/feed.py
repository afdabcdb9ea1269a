"""The private calendar feed: a secret link per runner that serves their plan as iCalendar.

The link is the only key: whoever has it can read the plan (that is how phone calendars
subscribe), so it is long and random, only its SHA-256 is stored, it is shown once when made, and
making a new one stops the old one at once. Stopping the feed deletes it.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from runcoach.db import feeds as queries
from runcoach.db import users as user_queries
from runcoach.db.engine import Database
from runcoach.domain.errors import NotFound
from runcoach.live.present import units_of
from runcoach.plans import ics, service
from runcoach.plans.service import PlanView

#: 32 random bytes: a link nobody guesses.
TOKEN_BYTES = 32
#: The longest token text we look up; anything longer is not one of ours (and is not hashed).
MAX_TOKEN_CHARS = 64
UNKNOWN = "This calendar link is not valid (it was replaced, stopped, or never existed)"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def new_link(database: Database, user_id: int, now: datetime) -> str:
    """A new secret token for the runner's feed; the one before stops working."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    async with database.session() as db:
        await queries.put_feed(db, user_id=user_id, token_hash=_hash(token), now=now)
    return token


async def has_link(database: Database, user_id: int) -> datetime | None:
    """When the runner's current link was made, or None without one."""
    async with database.session() as db:
        return await queries.feed_created(db, user_id=user_id)


async def stop(database: Database, user_id: int) -> None:
    async with database.session() as db:
        await queries.delete_feed(db, user_id=user_id)


async def calendar_text(database: Database, token: str, *, title: str) -> str:
    """The iCalendar text of the plan behind `token`; NotFound for an unknown token or a disabled runner."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise NotFound(UNKNOWN)
    async with database.session() as db:
        user_id = await queries.feed_owner(db, token_hash=_hash(token))
        user = None if user_id is None else await user_queries.get_user(db, user_id=user_id)
    if user is None or user.disabled:
        raise NotFound(UNKNOWN)
    plan: PlanView | None
    try:
        plan = await service.view(database, user.id)
    except NotFound:
        plan = None
    return ics.feed(plan, units=units_of(user.units), title=title)
