"""Accounts: creating users, signing in with a lockout, invite codes and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db import tokens as token_queries
from runcoach.db import users as user_queries
from runcoach.db.engine import Database
from runcoach.domain.accounts import (
    INVITE_DEFAULT_TTL,
    LOCKOUT_WINDOW,
    ApiToken,
    Invite,
    User,
    locked_out,
    normalize_email,
    password_problem,
)
from runcoach.domain.errors import AuthFailed, Conflict, InvalidInput, NotFound

TOKEN_PREFIX = "rc_"
#: argon2-cffi's defaults are argon2id with RFC 9106's low-memory profile.
_hasher = PasswordHasher()
# Verified against when the email is unknown, so a missing account costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def hash_secret(value: str) -> str:
    """SHA-256 for high-entropy random secrets (tokens, invite codes); passwords use argon2id."""
    return hashlib.sha256(value.encode()).hexdigest()


def _check_new_account(email: str, name: str, password: str) -> tuple[str, str]:
    try:
        clean_email = normalize_email(email)
    except ValueError as exc:
        raise InvalidInput("email", str(exc)) from exc
    if not name.strip() or len(name.strip()) > 120:
        raise InvalidInput("name", "Name must have 1 to 120 characters")
    if problem := password_problem(password, email=clean_email):
        raise InvalidInput("password", problem)
    return clean_email, name.strip()


async def create_user(
    db: AsyncSession, *, email: str, name: str, password: str, is_admin: bool, now: datetime
) -> User:
    """A new account; InvalidInput for a bad email, name or weak password, Conflict for a taken email."""
    clean_email, clean_name = _check_new_account(email, name, password)
    if await user_queries.get_user_with_hash(db, email=clean_email):
        raise Conflict(f"An account for {clean_email} already exists")
    try:
        async with db.begin_nested():
            return await user_queries.add_user(
                db,
                email=clean_email,
                name=clean_name,
                password_hash=_hasher.hash(password),
                is_admin=is_admin,
                now=now,
            )
    except IntegrityError as exc:  # lost a race with another sign-up for the same email
        raise Conflict(f"An account for {clean_email} already exists") from exc


async def create_first_admin(
    db: AsyncSession, *, email: str, name: str, password: str, now: datetime
) -> User:
    """The setup page's action: only allowed while no account exists."""
    if await user_queries.count_users(db) > 0:
        raise Conflict("Setup is already done: sign in instead")
    return await create_user(db, email=email, name=name, password=password, is_admin=True, now=now)


async def authenticate(db: AsyncSession, *, email: str, password: str, now: datetime) -> User | None:
    """The user for these credentials, or None (the failure is recorded in this transaction).

    Raises AuthFailed while the account is locked out, without checking the password.
    """
    clean = email.strip().lower()
    failures = await user_queries.count_failed_logins(db, email=clean, since=now - LOCKOUT_WINDOW)
    if locked_out(failures):
        minutes = int(LOCKOUT_WINDOW.total_seconds() // 60)
        raise AuthFailed(f"Too many failed sign-ins for this account. Try again within {minutes} minutes.")
    found = await user_queries.get_user_with_hash(db, email=clean)
    ok = _verify(found[1] if found else _DUMMY_HASH, password) and found is not None
    await user_queries.record_login_attempt(db, email=clean, at=now, succeeded=ok)
    if not ok or found is None:
        return None
    if _hasher.check_needs_rehash(found[1]):
        await user_queries.set_password_hash(db, user_id=found[0].id, password_hash=_hasher.hash(password))
    return found[0]


async def sign_in(database: Database, *, email: str, password: str, now: datetime) -> User:
    """Authenticate in its own transaction, so a failed attempt is kept even though we raise."""
    async with database.session() as db:
        user = await authenticate(db, email=email, password=password, now=now)
    if user is None:
        raise AuthFailed("Wrong email or password")
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def create_token(db: AsyncSession, *, user_id: int, label: str, now: datetime) -> tuple[ApiToken, str]:
    """A new API token; the plain value is returned once and only its hash is stored."""
    label = label.strip() or "API token"
    if len(label) > 120:
        raise InvalidInput("label", "Label must have at most 120 characters")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = await token_queries.add_token(
        db, user_id=user_id, label=label, token_hash=hash_secret(plain), prefix=plain[:8], now=now
    )
    return token, plain


async def user_for_token(db: AsyncSession, *, token: str, now: datetime) -> User | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    return await token_queries.use_token(db, token_hash=hash_secret(token), now=now)


async def revoke_token(db: AsyncSession, *, token_id: int, user_id: int, now: datetime) -> None:
    if not await token_queries.revoke_token(db, token_id=token_id, user_id=user_id, now=now):
        raise NotFound("No such active token")


async def create_invite(
    db: AsyncSession, *, admin: User, now: datetime, ttl: timedelta = INVITE_DEFAULT_TTL
) -> tuple[Invite, str]:
    """A single-use invite code, returned once in plain."""
    if not admin.is_admin:
        raise AuthFailed("Only admins can invite")
    if ttl <= timedelta(0):
        raise InvalidInput("ttl", "An invite must be valid for some time")
    code = secrets.token_urlsafe(12)
    invite = await token_queries.add_invite(
        db, code_hash=hash_secret(code), created_by=admin.id, now=now, expires_at=now + ttl
    )
    return invite, code


async def register_with_invite(
    db: AsyncSession, *, code: str, email: str, name: str, password: str, now: datetime
) -> User:
    """Create a user from an invite; InvalidInput('code') for an unknown, used or expired code."""
    invite = await token_queries.find_invite(db, code_hash=hash_secret(code.strip()))
    if invite is None:
        raise InvalidInput("code", "This invite code is not valid")
    if invite.status(now) != "open":
        raise InvalidInput("code", f"This invite code is {invite.status(now)}")
    user = await create_user(db, email=email, name=name, password=password, is_admin=False, now=now)
    if not await token_queries.claim_invite(db, invite_id=invite.id, user_id=user.id, now=now):
        raise InvalidInput("code", "This invite code was used a moment ago")
    return user
