"""Queries for users and login attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db.tables import LoginAttemptRow, UserRow
from runcoach.domain.accounts import Units, User


def to_user(row: UserRow) -> User:
    return User(
        id=row.id,
        email=row.email,
        name=row.name,
        is_admin=row.is_admin,
        created_at=row.created_at,
        units=row.units or Units.METRIC.value,
    )


async def count_users(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(UserRow)) or 0)


async def add_user(
    db: AsyncSession, *, email: str, name: str, password_hash: str, is_admin: bool, now: datetime
) -> User:
    row = UserRow(email=email, name=name, password_hash=password_hash, is_admin=is_admin, created_at=now)
    db.add(row)
    await db.flush()
    return to_user(row)


async def get_user(db: AsyncSession, *, user_id: int) -> User | None:
    row = await db.get(UserRow, user_id)
    return to_user(row) if row else None


async def get_user_with_hash(db: AsyncSession, *, email: str) -> tuple[User, str] | None:
    row = await db.scalar(select(UserRow).where(UserRow.email == email))
    return (to_user(row), row.password_hash) if row else None


async def set_password_hash(db: AsyncSession, *, user_id: int, password_hash: str) -> None:
    row = await db.get_one(UserRow, user_id)
    row.password_hash = password_hash


async def set_units(db: AsyncSession, *, user_id: int, units: str) -> User:
    """Store the runner's units ("metric" or "imperial"); ValueError for anything else."""
    row = await db.get_one(UserRow, user_id)
    row.units = Units(units).value
    await db.flush()
    return to_user(row)


async def record_login_attempt(db: AsyncSession, *, email: str, at: datetime, succeeded: bool) -> None:
    db.add(LoginAttemptRow(email=email, at=at, succeeded=succeeded))


async def count_failed_logins(db: AsyncSession, *, email: str, since: datetime) -> int:
    query = select(func.count()).where(
        LoginAttemptRow.email == email, LoginAttemptRow.at > since, LoginAttemptRow.succeeded.is_(False)
    )
    return int(await db.scalar(query) or 0)
