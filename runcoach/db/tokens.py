"""Queries for personal API tokens and invite codes (both stored as SHA-256 hashes)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db.tables import ApiTokenRow, InviteRow, UserRow
from runcoach.db.users import to_user
from runcoach.domain.accounts import ApiToken, Invite, User

LAST_USED_RESOLUTION = timedelta(minutes=1)


def to_token(row: ApiTokenRow) -> ApiToken:
    return ApiToken(
        id=row.id,
        user_id=row.user_id,
        label=row.label,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


async def add_token(
    db: AsyncSession, *, user_id: int, label: str, token_hash: str, prefix: str, now: datetime
) -> ApiToken:
    row = ApiTokenRow(user_id=user_id, label=label, token_hash=token_hash, prefix=prefix, created_at=now)
    db.add(row)
    await db.flush()
    return to_token(row)


async def list_tokens(db: AsyncSession, *, user_id: int) -> list[ApiToken]:
    query = select(ApiTokenRow).where(ApiTokenRow.user_id == user_id).order_by(ApiTokenRow.id.desc())
    return [to_token(row) for row in await db.scalars(query)]


async def revoke_token(db: AsyncSession, *, token_id: int, user_id: int | None, now: datetime) -> bool:
    """Revoke one live token, the user's own unless `user_id` is None (the command line)."""
    query = update(ApiTokenRow).where(ApiTokenRow.id == token_id, ApiTokenRow.revoked_at.is_(None))
    if user_id is not None:
        query = query.where(ApiTokenRow.user_id == user_id)
    result = await db.execute(query.values(revoked_at=now))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def revoke_all_tokens(db: AsyncSession, *, user_id: int, now: datetime) -> int:
    query = (
        update(ApiTokenRow)
        .where(ApiTokenRow.user_id == user_id, ApiTokenRow.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int((await db.execute(query)).rowcount)  # type: ignore[attr-defined]


async def use_token(db: AsyncSession, *, token_hash: str, now: datetime) -> User | None:
    """The owner of a live token, stamping its last use; None for unknown or revoked tokens and
    for tokens of disabled accounts."""
    query = (
        select(ApiTokenRow, UserRow)
        .join(UserRow, UserRow.id == ApiTokenRow.user_id)
        .where(
            ApiTokenRow.token_hash == token_hash,
            ApiTokenRow.revoked_at.is_(None),
            UserRow.disabled_at.is_(None),
        )
    )
    found = (await db.execute(query)).first()
    if found is None:
        return None
    token, user = found
    # One write a minute at most: a script polling the API should not turn every read into a write.
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
    return to_user(user)


def to_invite(row: InviteRow) -> Invite:
    return Invite(id=row.id, created_at=row.created_at, expires_at=row.expires_at, used_at=row.used_at)


async def add_invite(
    db: AsyncSession, *, code_hash: str, created_by: int, now: datetime, expires_at: datetime
) -> Invite:
    row = InviteRow(code_hash=code_hash, created_by=created_by, created_at=now, expires_at=expires_at)
    db.add(row)
    await db.flush()
    return to_invite(row)


async def list_invites(db: AsyncSession) -> list[Invite]:
    return [to_invite(row) for row in await db.scalars(select(InviteRow).order_by(InviteRow.id.desc()))]


async def find_invite(db: AsyncSession, *, code_hash: str) -> Invite | None:
    row = await db.scalar(select(InviteRow).where(InviteRow.code_hash == code_hash))
    return to_invite(row) if row else None


async def claim_invite(db: AsyncSession, *, invite_id: int, user_id: int, now: datetime) -> bool:
    """Mark an open invite used; False when another registration won the race."""
    query = (
        update(InviteRow)
        .where(InviteRow.id == invite_id, InviteRow.used_at.is_(None), InviteRow.expires_at > now)
        .values(used_at=now, used_by=user_id)
    )
    return bool((await db.execute(query)).rowcount)  # type: ignore[attr-defined]
