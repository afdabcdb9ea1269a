"""Alembic is the only way the schema changes: up to head and back to base on both backends."""

from __future__ import annotations

from sqlalchemy import inspect

from runcoach.db.engine import Database, downgrade, upgrade
from runcoach.db.tables import Base

APP_TABLES = set(Base.metadata.tables)


async def _tables(database: Database) -> set[str]:
    async with database.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_head_creates_every_table_the_code_maps(database: Database) -> None:
    assert await _tables(database) >= APP_TABLES


async def test_downgrade_to_base_removes_every_table_and_upgrade_restores_them(database: Database) -> None:
    await downgrade(database.engine, "base")
    assert await _tables(database) & APP_TABLES == set()
    await upgrade(database.engine, "head")
    assert await _tables(database) >= APP_TABLES


async def test_schema_at_head_matches_the_orm_models(database: Database) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    async with database.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )
    assert diff == []
