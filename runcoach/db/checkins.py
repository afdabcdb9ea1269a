"""Queries for check-ins: how the runner felt after a run or before one."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db.tables import CheckinRow
from runcoach.domain.readiness import Checkin


def _checkin(row: CheckinRow) -> Checkin:
    return Checkin(
        day=row.day,
        effort=row.effort,
        soreness=row.soreness,
        fatigue=row.fatigue,
        sleep=row.sleep,
        minutes_available=row.minutes_available,
    )


async def add_checkin(
    db: AsyncSession, *, owner_id: int, checkin: Checkin, session_id: int | None, now: datetime
) -> int:
    row = CheckinRow(owner_id=owner_id, session_id=session_id, created_at=now, **checkin.model_dump())
    db.add(row)
    await db.flush()
    return row.id


async def checkins_since(db: AsyncSession, *, owner_id: int, since: date, limit: int = 200) -> list[Checkin]:
    """The runner's check-ins from `since` on, oldest first (ties in the order they were made)."""
    query = (
        select(CheckinRow)
        .where(CheckinRow.owner_id == owner_id, CheckinRow.day >= since)
        .order_by(CheckinRow.day, CheckinRow.id)
        .limit(limit)
    )
    return [_checkin(row) for row in await db.scalars(query)]


async def session_checkin(db: AsyncSession, *, owner_id: int, session_id: int) -> Checkin | None:
    """The latest check-in made for this session, if any."""
    query = (
        select(CheckinRow)
        .where(CheckinRow.owner_id == owner_id, CheckinRow.session_id == session_id)
        .order_by(CheckinRow.id.desc())
        .limit(1)
    )
    row = await db.scalar(query)
    return None if row is None else _checkin(row)
