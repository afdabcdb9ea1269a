"""Accounts, sign-in lockout, API tokens and invites against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from runcoach.auth import service
from runcoach.db.engine import Database
from runcoach.db.tokens import list_tokens
from runcoach.domain.accounts import User
from runcoach.domain.errors import AuthFailed, Conflict, InvalidInput, NotFound

T0 = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
PASSWORD = "Correct-Horse-42"


async def make_user(database: Database, email: str = "ann@example.com", admin: bool = True) -> User:
    async with database.session() as db:
        return await service.create_user(
            db, email=email, name="Ann", password=PASSWORD, is_admin=admin, now=T0
        )


async def test_a_new_user_can_sign_in_with_email_in_any_case(database: Database) -> None:
    created = await make_user(database)
    signed_in = await service.sign_in(database, email=" ANN@Example.com ", password=PASSWORD, now=T0)
    assert signed_in == created


async def test_an_existing_email_is_a_conflict(database: Database) -> None:
    await make_user(database)
    with pytest.raises(Conflict, match="already exists"):
        await make_user(database, email="Ann@example.com")


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("not-an-email", PASSWORD, "email"),
        ("bob@example.com", "short1", "password"),
        ("bob@example.com", "password123", "password"),
        ("bob@example.com", "aaaaaaaaaaaa", "password"),
        ("bobby@example.com", "xbobby-2024!", "password"),
    ],
)
async def test_bad_input_names_the_field(database: Database, email: str, password: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        async with database.session() as db:
            await service.create_user(db, email=email, name="Bob", password=password, is_admin=False, now=T0)
    assert caught.value.field == field


async def test_setup_is_refused_once_an_account_exists(database: Database) -> None:
    await make_user(database)
    with pytest.raises(Conflict, match="Setup is already done"):
        async with database.session() as db:
            await service.create_first_admin(db, email="x@example.com", name="X", password=PASSWORD, now=T0)


async def test_wrong_password_and_unknown_email_fail_alike(database: Database) -> None:
    await make_user(database)
    for email, password in [("ann@example.com", "Wrong-pass-99"), ("nobody@example.com", PASSWORD)]:
        with pytest.raises(AuthFailed, match="Wrong email or password"):
            await service.sign_in(database, email=email, password=password, now=T0)


async def test_five_failures_lock_the_account_for_the_window(database: Database) -> None:
    await make_user(database)
    for minute in range(5):
        with pytest.raises(AuthFailed, match="Wrong email or password"):
            await service.sign_in(
                database, email="ann@example.com", password="nope-nope-1", now=T0 + timedelta(minutes=minute)
            )
    later = T0 + timedelta(minutes=10)
    with pytest.raises(AuthFailed, match="Too many failed sign-ins"):
        await service.sign_in(database, email="ann@example.com", password=PASSWORD, now=later)
    # 15 minutes after the first failure it has left the window: four failures remain, so it works.
    assert await service.sign_in(
        database, email="ann@example.com", password=PASSWORD, now=T0 + timedelta(minutes=15)
    )


async def test_four_failures_do_not_lock(database: Database) -> None:
    await make_user(database)
    for _ in range(4):
        with pytest.raises(AuthFailed):
            await service.sign_in(database, email="ann@example.com", password="nope-nope-1", now=T0)
    assert await service.sign_in(database, email="ann@example.com", password=PASSWORD, now=T0)


async def test_a_token_authenticates_until_revoked_and_records_last_use(database: Database) -> None:
    user = await make_user(database)
    async with database.session() as db:
        token, plain = await service.create_token(db, user_id=user.id, label="script", now=T0)
    assert plain.startswith("rc_") and token.prefix == plain[:8]
    async with database.session() as db:
        assert await service.user_for_token(db, token=plain, now=T0 + timedelta(hours=1)) == user
        assert await service.user_for_token(db, token=plain + "x", now=T0) is None
        (listed,) = await list_tokens(db, user_id=user.id)
    assert listed.last_used_at == T0 + timedelta(hours=1)
    async with database.session() as db:
        await service.revoke_token(db, token_id=token.id, user_id=user.id, now=T0)
    async with database.session() as db:
        assert await service.user_for_token(db, token=plain, now=T0) is None
    with pytest.raises(NotFound):
        async with database.session() as db:
            await service.revoke_token(db, token_id=token.id, user_id=user.id, now=T0)


async def test_the_plain_token_is_never_stored(database: Database) -> None:
    from sqlalchemy import select

    from runcoach.db.tables import ApiTokenRow

    user = await make_user(database)
    async with database.session() as db:
        _, plain = await service.create_token(db, user_id=user.id, label="script", now=T0)
        hashes = list(await db.scalars(select(ApiTokenRow.token_hash)))
    assert plain not in hashes and hashes == [service.hash_secret(plain)]


async def register(database: Database, code: str, email: str, now: datetime = T0) -> User:
    async with database.session() as db:
        return await service.register_with_invite(
            db, code=code, email=email, name="Cy", password=PASSWORD, now=now
        )


async def test_an_invite_registers_one_user_and_then_is_used(database: Database) -> None:
    admin = await make_user(database)
    async with database.session() as db:
        _, code = await service.create_invite(db, admin=admin, now=T0)
    new = await register(database, code, "cy@example.com")
    assert not new.is_admin
    with pytest.raises(InvalidInput, match="is used"):
        await register(database, code, "dee@example.com")


@pytest.mark.parametrize(
    ("code", "age", "message"),
    [("unknown-code", timedelta(0), "not valid"), (None, timedelta(days=7), "is expired")],
)
async def test_unknown_and_expired_invites_are_refused(
    database: Database, code: str | None, age: timedelta, message: str
) -> None:
    admin = await make_user(database)
    async with database.session() as db:
        _, real = await service.create_invite(db, admin=admin, now=T0)
    with pytest.raises(InvalidInput, match=message):
        await register(database, code or real, "cy@example.com", now=T0 + age)


async def test_only_admins_create_invites(database: Database) -> None:
    runner = await make_user(database, admin=False)
    with pytest.raises(AuthFailed):
        async with database.session() as db:
            await service.create_invite(db, admin=runner, now=T0)


async def test_two_registrations_racing_for_one_invite_make_one_user(database: Database) -> None:
    admin = await make_user(database)
    async with database.session() as db:
        _, code = await service.create_invite(db, admin=admin, now=T0)
    results = await asyncio.gather(
        *(register(database, code, f"racer{i}@example.com") for i in range(4)), return_exceptions=True
    )
    winners = [r for r in results if isinstance(r, User)]
    assert len(winners) == 1, results
    assert all(isinstance(r, (InvalidInput, Conflict)) for r in results if r not in winners)
