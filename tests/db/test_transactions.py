"""A session is one transaction on both databases: everything in it, reads included, or nothing.

SQLite's driver would begin a transaction only at the first write, leaving the reads before it
outside (a check and the write it allows could be split by another writer) and committing a
SAVEPOINT opened first on its release; the engine begins every transaction itself instead."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from runcoach.db import users as user_queries
from runcoach.db.engine import Database
from runcoach.db.tables import UserRow

T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


async def users(database: Database) -> int:
    async with database.session() as db:
        return int(await db.scalar(select(func.count()).select_from(UserRow)) or 0)


async def add(db: object, email: str) -> None:
    await user_queries.add_user(
        db,  # type: ignore[arg-type]
        email=email,
        name="Ann",
        password_hash="x",
        is_admin=False,
        now=T0,
    )


async def test_a_savepoint_released_in_a_transaction_that_fails_keeps_nothing(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.session() as db:
            async with db.begin_nested():
                await add(db, "ann@example.com")
            raise RuntimeError("the rest of the work failed")
    assert await users(database) == 0


async def test_on_sqlite_a_transaction_that_has_only_read_keeps_writers_waiting(database: Database) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's readers hold rows only when asked (FOR UPDATE, tested with each use)")

    async def write() -> None:
        async with database.session() as db:
            await add(db, "bob@example.com")

    async with database.session() as db:
        seen = int(await db.scalar(select(func.count()).select_from(UserRow)) or 0)
        writing = asyncio.create_task(write())
        with pytest.raises(TimeoutError):  # what was read stays true until this transaction ends
            await asyncio.wait_for(asyncio.shield(writing), 0.5)
        assert int(await db.scalar(select(func.count()).select_from(UserRow)) or 0) == seen
    await asyncio.wait_for(writing, 30)
    assert await users(database) == seen + 1
