"""Queries for users and sign-in attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db.tables import LoginAttemptRow, UserRow
from runcoach.domain.accounts import RecentFailures, Units, User

#: Outcomes that count against the sign-in limits: an attempt is "failed" from the moment it is
#: recorded until the password proves right (see LoginAttemptRow).
COUNTED_OUTCOMES = ("failed",)


def to_user(row: UserRow) -> User:
    return User(
        id=row.id,
        email=row.email,
        name=row.name,
        is_admin=row.is_admin,
        created_at=row.created_at,
        units=row.units or Units.METRIC.value,
        disabled=row.disabled_at is not None,
    )


async def count_users(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(UserRow)) or 0)


async def list_users(db: AsyncSession) -> list[User]:
    return [to_user(row) for row in await db.scalars(select(UserRow).order_by(UserRow.id))]


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


async def get_user_by_email(db: AsyncSession, *, email: str) -> User | None:
    row = await db.scalar(select(UserRow).where(UserRow.email == email))
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


async def set_disabled_at(db: AsyncSession, *, user_id: int, at: datetime | None) -> User:
    row = await db.get_one(UserRow, user_id)
    row.disabled_at = at
    await db.flush()
    return to_user(row)


async def delete_user(db: AsyncSession, *, user_id: int) -> bool:
    """Delete the account; its workouts, sessions, tokens and invites go with it (ON DELETE CASCADE)."""
    result = await db.execute(delete(UserRow).where(UserRow.id == user_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def add_login_attempt(db: AsyncSession, *, email: str, address: str, at: datetime) -> int:
    """Record an attempt as failed; the caller commits it before counting (see LoginAttemptRow)."""
    row = LoginAttemptRow(email=email, address=address, at=at, outcome="failed")
    db.add(row)
    await db.flush()
    return row.id


async def finish_login_attempt(db: AsyncSession, *, attempt_id: int, outcome: str) -> None:
    await db.execute(update(LoginAttemptRow).where(LoginAttemptRow.id == attempt_id).values(outcome=outcome))


async def recent_failures(db: AsyncSession, *, email: str, address: str, since: datetime) -> RecentFailures:
    """Counted attempts after `since` for the pair, the account and the address, in one query."""
    is_email = LoginAttemptRow.email == email
    is_address = LoginAttemptRow.address == address
    query = select(
        func.coalesce(func.sum(case((is_email & is_address, 1), else_=0)), 0),
        func.coalesce(func.sum(case((is_email, 1), else_=0)), 0),
        func.coalesce(func.sum(case((is_address, 1), else_=0)), 0),
    ).where(
        LoginAttemptRow.at > since,
        LoginAttemptRow.outcome.in_(COUNTED_OUTCOMES),
        or_(is_email, is_address),
    )
    pair, account, by_address = (await db.execute(query)).one()
    return RecentFailures(pair=int(pair), account=int(account), address=int(by_address))


async def forgive_failures(db: AsyncSession, *, email: str) -> int:
    """Mark the account's counted attempts "unlocked" (an admin's unlock); how many there were."""
    query = (
        update(LoginAttemptRow)
        .where(LoginAttemptRow.email == email, LoginAttemptRow.outcome.in_(COUNTED_OUTCOMES))
        .values(outcome="unlocked")
    )
    return int((await db.execute(query)).rowcount)  # type: ignore[attr-defined]
