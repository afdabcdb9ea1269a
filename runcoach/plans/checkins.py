"""Check-ins and readiness: how the runner feels, kept, and what it means for today's workout."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from runcoach.db import checkins as queries
from runcoach.db import sessions as session_queries
from runcoach.db.engine import Database
from runcoach.domain.errors import NotFound
from runcoach.domain.readiness import Checkin, Readiness, readiness

#: Check-ins older than this cannot move today's readiness (soreness 10 decays to 2.3 in 14 days).
READINESS_DAYS = 14


async def record(
    database: Database, user_id: int, checkin: Checkin, *, session_id: int | None, now: datetime
) -> int:
    """Store a check-in (for one of the runner's sessions, or none); NotFound for a foreign session."""
    async with database.session() as db:
        if session_id is not None:
            found = await session_queries.get_session(db, session_id=session_id, owner_id=user_id)
            if found is None:
                raise NotFound(f"Session {session_id} not found")
        return await queries.add_checkin(
            db, owner_id=user_id, checkin=checkin, session_id=session_id, now=now
        )


async def for_session(database: Database, user_id: int, session_id: int) -> Checkin | None:
    async with database.session() as db:
        return await queries.session_checkin(db, owner_id=user_id, session_id=session_id)


async def readiness_on(
    database: Database, user_id: int, today: date, extra: Checkin | None = None
) -> Readiness:
    """Readiness today from the last two weeks' check-ins (and `extra`, one not stored yet)."""
    since = today - timedelta(days=READINESS_DAYS)
    async with database.session() as db:
        found = await queries.checkins_since(db, owner_id=user_id, since=since)
    return readiness([*found, *([extra] if extra else [])], today)
