"""Queries for the private calendar feeds: one secret link per runner, stored as its SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db.engine import insert_for
from runcoach.db.tables import CalendarFeedRow


async def put_feed(db: AsyncSession, *, user_id: int, token_hash: str, now: datetime) -> None:
    """Set the runner's feed token, replacing the one before in one statement."""
    insert = insert_for(db)
    statement = insert(CalendarFeedRow).values(user_id=user_id, token_hash=token_hash, created_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[CalendarFeedRow.user_id],
        set_={"token_hash": statement.excluded.token_hash, "created_at": statement.excluded.created_at},
    )
    await db.execute(statement)


async def feed_owner(db: AsyncSession, *, token_hash: str) -> int | None:
    return await db.scalar(select(CalendarFeedRow.user_id).where(CalendarFeedRow.token_hash == token_hash))


async def feed_created(db: AsyncSession, *, user_id: int) -> datetime | None:
    return await db.scalar(select(CalendarFeedRow.created_at).where(CalendarFeedRow.user_id == user_id))


async def delete_feed(db: AsyncSession, *, user_id: int) -> None:
    await db.execute(delete(CalendarFeedRow).where(CalendarFeedRow.user_id == user_id))
