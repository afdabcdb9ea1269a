"""A database a test can take down for real: SQLite loses its file, PostgreSQL sits behind a relay."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from runcoach.db.engine import Database
from tests.helpers import Fragile, SqliteOutage, TcpRelay


async def _search_path(database: Database) -> str:
    async with database.engine.connect() as conn:
        return str((await conn.execute(text("SHOW search_path"))).scalar_one())


@pytest.fixture
async def fragile(database: Database) -> AsyncIterator[Fragile]:
    """The migrated test database (SQLite and PostgreSQL) with a way to take it down."""
    if database.engine.dialect.name == "sqlite":
        outage = SqliteOutage(database)
        yield Fragile(database, outage.start)
        await outage.settle()
        return
    url = database.engine.url
    relay = TcpRelay(url.host or "127.0.0.1", url.port or 5432)
    port = await relay.start()
    schema = await _search_path(database)
    relayed = Database(
        url.set(port=port).render_as_string(hide_password=False),
        # The time-outs make a frozen server an error within seconds (asyncpg waits forever by default).
        connect_args={"server_settings": {"search_path": schema}, "timeout": 3, "command_timeout": 3},
    )
    await relayed.start()
    yield Fragile(relayed, relay.cut, relay)
    await relayed.close()
    await relay.cut()
