"""Shared fixtures: a fresh data directory per test, and databases on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from nicegui.testing import User
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from runcoach.auth import passwords
from runcoach.db.engine import Database
from tests.helpers import CHEAP_HASHER, PATIENCE

POSTGRES_URL = os.environ.get(
    "RUNCOACH_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The end-to-end files (real servers and browsers, seconds each) first, the rest in their order:
    with a file per worker at a time (pytest-xdist, --dist loadfile) the quick in-process files fill
    the end, rather than one worker finishing a long file alone while the other waits."""
    items.sort(key=lambda item: "e2e" not in item.path.parts)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own RUNCOACH_DATA_DIR (SQLite file, generated secret) and no stray settings."""
    for key in list(os.environ):
        if key.startswith("RUNCOACH_") and key != "RUNCOACH_TEST_POSTGRES_URL":
            monkeypatch.delenv(key)
    monkeypatch.setenv("RUNCOACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)  # so a developer's .env never leaks into a test
    yield tmp_path / "data"


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head, made once per run: copying it costs 2 ms, migrating 160."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"

    async def migrate() -> None:
        database = Database(f"sqlite+aiosqlite:///{path}")
        await database.start()
        await database.close()

    asyncio.run(migrate())
    return path


@pytest.fixture(autouse=True)
def migrated_app_database(request: pytest.FixtureRequest, data_dir: Path, migrated_sqlite: Path) -> None:
    """The page and API tests' app starts on a copy of the migrated file (it still upgrades to head
    at start, a no-op). Tests that start real servers or migrate on purpose get an empty directory."""
    if "user" in request.fixturenames:
        copy_of(migrated_sqlite, data_dir / "runcoach.db")


def copy_of(template: Path, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, path)
    return path


@pytest.fixture(autouse=True)
def cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process tests hash at CHEAP_HASHER's cost unless they ask for `production_password_hashing`."""
    if "production_password_hashing" not in request.fixturenames:
        monkeypatch.setattr(passwords, "_hasher", CHEAP_HASHER)


@pytest.fixture
def production_password_hashing() -> Iterator[None]:
    """The production hasher; its cached dummy hash for unknown emails is made again by it."""
    passwords._dummy_hash.cache_clear()
    yield
    passwords._dummy_hash.cache_clear()


@pytest.fixture(autouse=True)
def patient_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """NiceGUI's `should_see` gives up after 3 retries (0.3 s): too soon on a busy 2-core machine.

    Every story waits up to PATIENCE retries instead; it returns as soon as the element is there.
    """
    for name in ("should_see", "should_not_see"):
        original = getattr(User, name)

        async def patient(self: User, *args: Any, _original: Any = original, **kwargs: Any) -> None:
            kwargs.setdefault("retries", PATIENCE)
            await _original(self, *args, **kwargs)

        monkeypatch.setattr(User, name, patient)


async def _postgres_schema() -> str:
    """A fresh schema on the test server, so PostgreSQL tests never see each other's rows."""
    name = f"t_{secrets.token_hex(6)}"
    engine = create_async_engine(POSTGRES_URL)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{name}"'))
    except (OSError, Exception) as exc:  # connection refused, auth, missing database...
        await engine.dispose()
        if IN_CI:
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required in CI: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    await engine.dispose()
    return name


async def _drop_schema(name: str) -> None:
    engine = create_async_engine(POSTGRES_URL)
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    await engine.dispose()


def postgres_database(schema: str) -> Database:
    return Database(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database(
    request: pytest.FixtureRequest, data_dir: Path, migrated_sqlite: Path
) -> AsyncIterator[Database]:
    """A migrated database, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{copy_of(migrated_sqlite, data_dir / 'test.db')}")
        await db.start()
        yield db
        await db.close()
        return
    schema = await _postgres_schema()
    db = postgres_database(schema)
    await db.start()
    yield db
    await db.close()
    await _drop_schema(schema)


# --------------------------------------------------------------------------- the app on PostgreSQL


async def _admin(statement: str) -> None:
    """One statement outside a transaction (CREATE and DROP DATABASE refuse to run inside one)."""
    engine = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


def _postgres_url(database: str) -> str:
    return make_url(POSTGRES_URL).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_app_database() -> Iterator[str]:
    """One PostgreSQL database per run, migrated to head, for the app tests on PostgreSQL; each test
    empties it first (`app_backend`). Commits skip the fsync: a test needs the rows, not their
    survival of a power cut."""
    name = f"runcoach_app_{secrets.token_hex(4)}"

    async def make() -> None:
        await _admin(f'CREATE DATABASE "{name}"')
        await _admin(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
        database = Database(_postgres_url(name))
        await database.start()
        await database.close()

    try:
        asyncio.run(make())
    except (OSError, Exception) as exc:  # connection refused, auth, missing database...
        if IN_CI:
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required in CI: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    yield name
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _empty(database: str) -> None:
    """Every app table emptied and its ids restarted at 1, as in a newly migrated database."""
    from runcoach.db.tables import Base

    tables = ", ".join(f'"{table}"' for table in Base.metadata.tables)
    engine = create_async_engine(_postgres_url(database))
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Runs an app test (the `user` fixture's app) on SQLite and again on PostgreSQL.

    Use it as `pytestmark = pytest.mark.usefixtures("app_backend")`: it must set the database URL
    before the app starts, which a fixture named there does (usefixtures come before arguments).
    """
    if request.param == "postgres":
        database = request.getfixturevalue("postgres_app_database")
        asyncio.run(_empty(database))
        monkeypatch.setenv("RUNCOACH_DATABASE_URL", _postgres_url(database))
        # One app process per test: no other replica to listen for (tests/live and tests/e2e
        # prove the LISTEN/NOTIFY path with two hubs and with real server processes).
        monkeypatch.setenv("RUNCOACH_REPLICA_SYNC", "false")
    yield request.param
