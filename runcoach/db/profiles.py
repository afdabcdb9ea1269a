"""Queries for runner profiles: one row per user, its data the domain model's JSON."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db.engine import insert_for
from runcoach.db.tables import ProfileRow
from runcoach.domain.profile import Profile


async def get_profile(db: AsyncSession, *, user_id: int) -> Profile | None:
    row = await db.get(ProfileRow, user_id)
    return Profile.model_validate(row.data) if row else None


async def put_profile(db: AsyncSession, *, user_id: int, profile: Profile, now: datetime) -> Profile:
    """Insert or replace the user's profile in one statement (INSERT ... ON CONFLICT DO UPDATE).

    One statement, so two saves racing for a new profile both succeed and the last one wins,
    where a read-then-insert would fail the loser on the primary key.
    """
    values = {"user_id": user_id, "data": profile.model_dump(mode="json"), "updated_at": now}
    insert = insert_for(db)
    statement = insert(ProfileRow).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[ProfileRow.user_id],
        set_={"data": statement.excluded.data, "updated_at": statement.excluded.updated_at},
    )
    await db.execute(statement)
    # The identity map may hold the row from an earlier read in this session: forget it.
    db.expire_all()
    return profile
