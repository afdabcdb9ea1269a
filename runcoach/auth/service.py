"""Accounts: creating users, signing in under limits, disabling, invite codes and API tokens.

Every public function takes the process's `Database` first and owns its unit of work: it opens
and commits its own transactions. Password hashing (argon2id, ~0.2 s) runs in a worker thread
(runcoach.auth.passwords) and never inside a transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.auth import passwords
from runcoach.db import tokens as token_queries
from runcoach.db import users as user_queries
from runcoach.db.engine import Database, take_turns
from runcoach.domain.accounts import (
    INVITE_DEFAULT_TTL,
    LOCKOUT_WINDOW,
    ApiToken,
    Invite,
    Units,
    User,
    lockout_problem,
    normalize_email,
    password_problem,
)
from runcoach.domain.errors import AuthFailed, Conflict, InvalidInput, NotFound

TOKEN_PREFIX = "rc_"
#: PostgreSQL advisory lock key (any constant every replica shares) for the first admin's set-up.
SETUP_LOCK_KEY = 0x52554E44  # "RUND"
MAX_ADDRESS_LENGTH = 64


def hash_secret(value: str) -> str:
    """SHA-256 for high-entropy random secrets (tokens, invite codes); passwords use argon2id."""
    return hashlib.sha256(value.encode()).hexdigest()


# --- accounts -----------------------------------------------------------------------------------


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
    database: Database, *, email: str, name: str, password: str, is_admin: bool, now: datetime
) -> User:
    """A new account; InvalidInput for a bad email, name or weak password, Conflict for a taken email."""
    clean_email, clean_name = _check_new_account(email, name, password)
    password_hash = await passwords.hash_password(password)
    async with database.session(hold=True) as db:
        return await _insert_user(db, clean_email, clean_name, password_hash, is_admin, now)


async def _insert_user(
    db: AsyncSession, email: str, name: str, password_hash: str, is_admin: bool, now: datetime
) -> User:
    if await user_queries.get_user_by_email(db, email=email):
        raise Conflict(f"An account for {email} already exists")
    try:
        async with db.begin_nested():
            return await user_queries.add_user(
                db, email=email, name=name, password_hash=password_hash, is_admin=is_admin, now=now
            )
    except IntegrityError as exc:  # lost a race with another sign-up for the same email
        raise Conflict(f"An account for {email} already exists") from exc


async def create_first_admin(
    database: Database, *, email: str, name: str, password: str, now: datetime
) -> User:
    """The setup page's action: only allowed while no account exists."""
    if not await setup_needed(database):
        raise Conflict("Setup is already done: sign in instead")
    clean_email, clean_name = _check_new_account(email, name, password)
    password_hash = await passwords.hash_password(password)
    async with database.session(hold=True) as db:
        await take_turns(db, SETUP_LOCK_KEY)  # two set-ups at once: one admin, the other refused
        if await user_queries.count_users(db) > 0:  # somebody finished setup while we hashed
            raise Conflict("Setup is already done: sign in instead")
        return await _insert_user(db, clean_email, clean_name, password_hash, True, now)


async def setup_needed(database: Database) -> bool:
    """True while no account exists: the first visitor creates the admin on /setup."""
    async with database.session() as db:
        return await user_queries.count_users(db) == 0


async def get_user(database: Database, *, user_id: int) -> User | None:
    async with database.session() as db:
        return await user_queries.get_user(db, user_id=user_id)


async def active_user(database: Database, *, user_id: int) -> User | None:
    """The user, or None when the account is gone or disabled (a browser holding the id is signed out)."""
    user = await get_user(database, user_id=user_id)
    return user if user is not None and not user.disabled else None


async def user_by_email(database: Database, *, email: str) -> User:
    async with database.session() as db:
        user = await user_queries.get_user_by_email(db, email=email.strip().lower())
    if user is None:
        raise NotFound(f"no user with email {email.strip()}")
    return user


async def list_users(database: Database) -> list[User]:
    async with database.session() as db:
        return await user_queries.list_users(db)


async def set_units(database: Database, *, user_id: int, units: str) -> User:
    if units not in {u.value for u in Units}:
        raise InvalidInput("units", f"Units must be one of {', '.join(u.value for u in Units)}")
    async with database.session() as db:
        return await user_queries.set_units(db, user_id=user_id, units=units)


async def set_disabled(database: Database, *, email: str, disabled: bool, now: datetime) -> User:
    """Disable or enable an account. Disabled: sign-in, API tokens, browser sessions and commands
    from open live pages (its own and paired phones) are refused from the next request on."""
    user = await user_by_email(database, email=email)
    async with database.session() as db:
        return await user_queries.set_disabled_at(db, user_id=user.id, at=now if disabled else None)


async def delete_user(database: Database, *, email: str) -> User:
    """Delete the account with its workouts, sessions, tokens and invites."""
    user = await user_by_email(database, email=email)
    async with database.session() as db:
        if not await user_queries.delete_user(db, user_id=user.id):
            raise NotFound(f"no user with email {email.strip()}")
    return user


async def unlock(database: Database, *, email: str) -> int:
    """Forgive the account's recent failed sign-ins (an admin's unlock); how many there were."""
    user = await user_by_email(database, email=email)
    async with database.session() as db:
        return await user_queries.forgive_failures(db, email=user.email)


# --- signing in ---------------------------------------------------------------------------------


async def sign_in(database: Database, *, email: str, password: str, address: str, now: datetime) -> User:
    """The user for these credentials; AuthFailed for wrong ones, a reached limit or a disabled account.

    The attempt is recorded (as failed) and committed before the limits are counted, and counts
    itself, so of many attempts arriving together at most the limit get a password check, on
    SQLite and PostgreSQL alike. The check runs in a worker thread, outside any transaction; only
    a success (or a refusal) writes again. Unavailable when too many sign-ins are waiting.
    """
    async with passwords.sign_in_slot():
        return await _sign_in(
            database, email.strip().lower()[:320], password, address[:MAX_ADDRESS_LENGTH], now
        )


async def _sign_in(database: Database, email: str, password: str, address: str, now: datetime) -> User:
    async with database.session() as db:
        attempt = await user_queries.add_login_attempt(db, email=email, address=address, at=now)
    async with database.session() as db:
        failures = await user_queries.recent_failures(
            db, email=email, address=address, since=now - LOCKOUT_WINDOW
        )
        problem = lockout_problem(failures)
        if problem:
            await user_queries.finish_login_attempt(db, attempt_id=attempt, outcome="refused")
        found = None if problem else await user_queries.get_user_with_hash(db, email=email)
    if problem:  # raised once the refusal is committed: a refused attempt never counts
        raise AuthFailed(problem)
    ok = await passwords.verify_password(found[1] if found else None, password)
    if not ok or found is None:  # recorded as failed already: no write on the attacker's path
        raise AuthFailed("Wrong email or password")
    user, password_hash = found
    if user.disabled:
        await _finish(database, attempt, "disabled")
        raise AuthFailed("This account is disabled: ask your admin")
    new_hash = await passwords.hash_password(password) if passwords.needs_rehash(password_hash) else None
    async with database.session() as db:
        await user_queries.finish_login_attempt(db, attempt_id=attempt, outcome="succeeded")
        if new_hash:
            await user_queries.set_password_hash(db, user_id=user.id, password_hash=new_hash)
    return user


async def _finish(database: Database, attempt: int, outcome: str) -> None:
    async with database.session() as db:
        await user_queries.finish_login_attempt(db, attempt_id=attempt, outcome=outcome)


# --- API tokens ---------------------------------------------------------------------------------


async def create_token(
    database: Database, *, user_id: int, label: str, now: datetime
) -> tuple[ApiToken, str]:
    """A new API token; the plain value is returned once and only its hash is stored."""
    label = label.strip() or "API token"
    if len(label) > 120:
        raise InvalidInput("label", "Label must have at most 120 characters")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with database.session() as db:
        token = await token_queries.add_token(
            db, user_id=user_id, label=label, token_hash=hash_secret(plain), prefix=plain[:8], now=now
        )
    return token, plain


async def user_for_token(database: Database, *, token: str, now: datetime) -> User | None:
    """The owner of a live token; None for unknown or revoked tokens and disabled accounts."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    async with database.session() as db:
        return await token_queries.use_token(db, token_hash=hash_secret(token), now=now)


async def list_tokens(database: Database, *, user_id: int) -> list[ApiToken]:
    async with database.session() as db:
        return await token_queries.list_tokens(db, user_id=user_id)


async def revoke_token(database: Database, *, token_id: int, user_id: int | None, now: datetime) -> None:
    """Revoke one live token: the user's own, or anybody's when `user_id` is None (the command line)."""
    async with database.session() as db:
        if not await token_queries.revoke_token(db, token_id=token_id, user_id=user_id, now=now):
            raise NotFound("No such active token")


async def revoke_all_tokens(database: Database, *, email: str, now: datetime) -> int:
    user = await user_by_email(database, email=email)
    async with database.session() as db:
        return await token_queries.revoke_all_tokens(db, user_id=user.id, now=now)


# --- invites ------------------------------------------------------------------------------------


async def create_invite(
    database: Database, *, admin: User, now: datetime, ttl: timedelta = INVITE_DEFAULT_TTL
) -> tuple[Invite, str]:
    """A single-use invite code, returned once in plain."""
    if not admin.is_admin:
        raise AuthFailed("Only admins can invite")
    if ttl <= timedelta(0):
        raise InvalidInput("ttl", "An invite must be valid for some time")
    code = secrets.token_urlsafe(12)
    async with database.session() as db:
        invite = await token_queries.add_invite(
            db, code_hash=hash_secret(code), created_by=admin.id, now=now, expires_at=now + ttl
        )
    return invite, code


async def list_invites(database: Database) -> list[Invite]:
    async with database.session() as db:
        return await token_queries.list_invites(db)


async def register_with_invite(
    database: Database, *, code: str, email: str, name: str, password: str, now: datetime
) -> User:
    """Create a user from an invite; InvalidInput('code') for an unknown, used or expired code."""
    code_hash = hash_secret(code.strip())
    async with database.session() as db:
        await _open_invite(db, code_hash, now)  # fail fast, before spending a hash on it
    clean_email, clean_name = _check_new_account(email, name, password)
    password_hash = await passwords.hash_password(password)
    async with database.session(hold=True) as db:
        invite = await _open_invite(db, code_hash, now)
        user = await _insert_user(db, clean_email, clean_name, password_hash, False, now)
        if not await token_queries.claim_invite(db, invite_id=invite.id, user_id=user.id, now=now):
            raise InvalidInput("code", "This invite code was used a moment ago")
    return user


async def _open_invite(db: AsyncSession, code_hash: str, now: datetime) -> Invite:
    invite = await token_queries.find_invite(db, code_hash=code_hash)
    if invite is None:
        raise InvalidInput("code", "This invite code is not valid")
    if invite.status(now) != "open":
        raise InvalidInput("code", f"This invite code is {invite.status(now)}")
    return invite
