"""The async engine, sessions, and schema upgrades through Alembic."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from runcoach.db.errors import unavailable_when_down

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the migrations inside the package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run while a command is written; SQLite leaves foreign keys off unless asked.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


#: Execution option: this transaction holds SQLite's one writer lock from its first statement.
HOLD = "runcoach_hold"


def _sqlite_begin(conn: Connection) -> None:
    # SQLite's driver begins a transaction only at the first write: the reads before it run on
    # their own, never waiting (WAL), but a check and the write it allows can be split by another
    # writer. `Database.session(hold=True)` begins at once and IMMEDIATE instead: the others wait
    # their turn (busy_timeout). Not DEFERRED: a transaction that read and then writes while
    # another writes fails at once ("database is locked"), SQLite does not wait for it.
    if conn.get_execution_options().get(HOLD):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_savepoint(conn: Connection, _name: str) -> None:
    # A SAVEPOINT outside a transaction would open one that its RELEASE commits: begin first.
    if not conn.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, connect_args: dict[str, Any] | None = None) -> AsyncEngine:
    """An engine for SQLite (aiosqlite, WAL, foreign keys) or PostgreSQL (asyncpg)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args=connect_args or {})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        event.listen(engine.sync_engine, "savepoint", _sqlite_savepoint)
        return engine
    return create_async_engine(url, pool_pre_ping=True, connect_args=connect_args or {})


def insert_for(db: Any) -> Any:
    """The dialect's INSERT (PostgreSQL's or SQLite's), the one with ON CONFLICT clauses."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert


class Database:
    """One per process: the engine, a session factory, and a readiness gate.

    NiceGUI runs async start-up handlers as background tasks, so the first request can
    arrive before the schema is upgraded; everything that touches the database awaits
    `ready()` first.
    """

    def __init__(self, url: str, connect_args: dict[str, Any] | None = None) -> None:
        self.url = url
        self.engine = make_engine(url, connect_args)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._ready = asyncio.Event()
        self._starting = asyncio.Lock()

    async def start(self) -> None:
        """Upgrade the schema to the newest migration, then open the gate. Idempotent."""
        # Start-up can run more than once in a process (every lifespan entry calls it): one upgrade only.
        async with self._starting:
            if not self._ready.is_set():
                await upgrade(self.engine, "head")
                self._ready.set()

    async def ready(self) -> None:
        await self._ready.wait()

    @property
    def is_ready(self) -> bool:
        return self._ready.is_set()

    @asynccontextmanager
    async def session(self, *, hold: bool = False) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error.

        `hold` for a transaction that decides on what it reads (is the account still connected,
        is the invite still open): on SQLite it holds the database from its first statement, so
        no other writer gets in between; on PostgreSQL the rows it reads are locked with FOR
        UPDATE where it matters (or `take_turns` for what has no row yet).

        A database that does not answer (refused, dropped, closed, unreadable) raises the domain's
        `Unavailable`, so every caller (pages, API, hub) reports it honestly and the same way.
        """
        await self.ready()
        with unavailable_when_down():
            async with self.sessions() as db, db.begin():
                if hold:
                    await db.connection(execution_options={HOLD: True})
                yield db

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()


#: Any constant shared by every replica: PostgreSQL advisory lock key for schema upgrades.
MIGRATION_LOCK_KEY = 0x52554E43  # "RUNC"


async def take_turns(db: AsyncSession, key: int) -> None:
    """Hold `key` until the transaction ends, so the transactions asking for it run one at a time
    (a check of what is *not* there, such as "no account yet", has no row to lock): PostgreSQL's
    advisory lock; on SQLite a session with `hold=True` already runs alone."""
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade in one transaction; on PostgreSQL replicas starting together take turns."""
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: command.downgrade(alembic_config(sync), revision))
