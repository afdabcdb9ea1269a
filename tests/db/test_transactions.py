"""Transactions on both databases: a session's writes commit together or not at all, and a session
that decides on what it reads holds it (`Database.session(hold=True)`).

SQLite's driver begins a transaction only at the first write: a check before it could be split
from the write it allows by another writer, and a SAVEPOINT opened first would commit on release.
The engine begins held sessions, and savepoints, itself."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db import users as user_queries
from runcoach.db.engine import Database
from runcoach.db.tables import UserRow

T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


async def count(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(UserRow)) or 0)


async def users(database: Database) -> int:
    async with database.session() as db:
        return await count(db)


async def add(db: AsyncSession, email: str) -> None:
    await user_queries.add_user(db, email=email, name="Ann", password_hash="x", is_admin=False, now=T0)


async def test_a_savepoint_released_in_a_transaction_that_fails_keeps_nothing(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.session() as db:
            async with db.begin_nested():
                await add(db, "ann@example.com")
            raise RuntimeError("the rest of the work failed")
    assert await users(database) == 0


async def test_on_sqlite_a_held_transaction_keeps_writers_waiting_until_it_ends(database: Database) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's readers hold rows only when asked (FOR UPDATE, tested with each use)")

    async def write() -> None:
        async with database.session() as db:
            await add(db, "bob@example.com")

    async with database.session(hold=True) as db:
        seen = await count(db)
        writing = asyncio.create_task(write())
        with pytest.raises(TimeoutError):  # what was read stays true until this transaction ends
            await asyncio.wait_for(asyncio.shield(writing), 0.5)
        await add(db, "ann@example.com")
    await asyncio.wait_for(writing, 30)
    assert await users(database) == seen + 2
