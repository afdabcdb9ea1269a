"""Alembic is the only way the schema changes: up to head and back to base on both backends."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import inspect

from runcoach.auth import service as auth_service
from runcoach.db import notifications
from runcoach.db.engine import Database, downgrade, upgrade
from runcoach.db.tables import Base
from runcoach.domain.generator import generate_workout
from runcoach.domain.notifications import Kind
from runcoach.domain.paces import Zone
from runcoach.domain.structure import Repeat, StepKind
from runcoach.domain.workouts import Goal, SegmentLabel, WorkoutSpec
from runcoach.workouts import service as workouts

T0 = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)

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


async def _schema_diff(database: Database) -> list[Any]:
    """What the database lacks or has more than the ORM models (columns, indexes, constraints)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    async with database.engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
        )


async def test_schema_at_head_matches_the_orm_models(database: Database) -> None:
    assert await _schema_diff(database) == []


# --------------------------------------------------------------------------- 0009: workouts as structure

#: An interval session as the generator stored it before 0009: flat segments, the last recovery
#: lengthened by the rounding, so only the first three rounds are identical.
OLD_SEGMENTS: list[dict[str, Any]] = [
    {"label": "warm-up", "duration_s": 300, "speed_kmh": 8.1, "incline_pct": 0.5},
    *[
        {"label": "interval", "duration_s": 120, "speed_kmh": 12.6, "incline_pct": 1.0},
        {"label": "recovery", "duration_s": 60, "speed_kmh": 8.0, "incline_pct": 0.0},
    ]
    * 3,
    {"label": "interval", "duration_s": 120, "speed_kmh": 12.6, "incline_pct": 1.0},
    {"label": "recovery", "duration_s": 120, "speed_kmh": 8.0, "incline_pct": 0.0},
    {"label": "cool-down", "duration_s": 300, "speed_kmh": 8.1, "incline_pct": 0.0},
]
OLD_INSERT = """
    INSERT INTO workouts (owner_id, name, goal, inputs, seed, total_duration_s, segments, created_at)
    VALUES (:owner, :name, 'intervals', :inputs, 7, :total, :segments, :at)
"""
SPEC = {"duration_min": 23, "goal": "intervals", "constraints": {}}


async def test_0009_turns_stored_segments_into_a_structure_that_plays_the_same_program(
    database: Database,
) -> None:
    user = await auth_service.create_user(
        database, email="ann@example.com", name="Ann", password="Correct-Horse-42", is_admin=False, now=T0
    )
    await downgrade(database.engine, "0008")
    async with database.engine.begin() as conn:
        await conn.execute(
            sa.text(OLD_INSERT),
            {
                "owner": user.id,
                "name": "23-min Intervals: 4 × 2 min",
                "inputs": json.dumps(SPEC),
                "total": sum(s["duration_s"] for s in OLD_SEGMENTS),
                "segments": json.dumps(OLD_SEGMENTS),
                "at": T0,
            },
        )
    await upgrade(database.engine, "head")

    [workout] = await workouts.list_mine(database, owner_id=user.id)
    assert [s.model_dump(mode="json") for s in workout.segments] == OLD_SEGMENTS
    assert workout.total_duration_s == 23 * 60
    items = workout.structure.items
    assert [item.type for item in items] == ["step", "repeat", "step", "step", "step"]
    block = items[1]
    assert isinstance(block, Repeat) and block.times == 3
    assert [(s.kind, s.zone, s.label) for s in block.steps] == [
        (StepKind.WORK, Zone.INTERVAL, SegmentLabel.INTERVAL),
        (StepKind.RECOVERY, Zone.EASY, SegmentLabel.RECOVERY),
    ]

    # And back: the flat segments return exactly.
    await downgrade(database.engine, "0008")
    async with database.engine.connect() as conn:
        row = (await conn.execute(sa.text("SELECT segments, total_duration_s FROM workouts"))).one()
    segments = row.segments if isinstance(row.segments, list) else json.loads(row.segments)
    assert segments == OLD_SEGMENTS and row.total_duration_s == 23 * 60
    await upgrade(database.engine, "head")


async def test_a_new_workout_is_stored_as_its_structure_alone(database: Database) -> None:
    user = await auth_service.create_user(
        database, email="ann@example.com", name="Ann", password="Correct-Horse-42", is_admin=False, now=T0
    )
    spec = WorkoutSpec(duration_min=40, goal=Goal.HILLS)
    made = await workouts.generate(database, owner_id=user.id, spec=spec, seed=11, now=T0)
    async with database.engine.connect() as conn:
        columns = set((await conn.execute(sa.text("SELECT * FROM workouts"))).keys())
    assert "structure" in columns and not columns & {"segments", "total_duration_s"}
    read = await workouts.get(database, workout_id=made.id, owner_id=user.id)
    assert read == made and read.segments == generate_workout(spec, seed=11).segments


# --------------------------------------------------------------------------- 0014: reminders in HTML too

OLD_NOTIFICATION = """
    INSERT INTO notifications (owner_id, kind, key, title, body, due_at, status, claims, created_at)
    VALUES (:owner, 'weekly', 'weekly:1:2026-10-26', 'Your week', 'Week of 26 October', :at, 'sent', 1, :at)
"""


async def _notification_columns(database: Database) -> set[str]:
    async with database.engine.connect() as conn:
        columns = await conn.run_sync(lambda sync: inspect(sync).get_columns("notifications"))
    return {c["name"] for c in columns}


async def test_0014_adds_an_html_body_and_a_reminder_stored_before_keeps_its_text(database: Database) -> None:
    user = await auth_service.create_user(
        database, email="ann@example.com", name="Ann", password="Correct-Horse-42", is_admin=False, now=T0
    )
    await downgrade(database.engine, "0013")
    assert "body_html" not in await _notification_columns(database)
    async with database.engine.begin() as conn:
        await conn.execute(sa.text(OLD_NOTIFICATION), {"owner": user.id, "at": T0})
    await upgrade(database.engine, "head")

    async with database.session() as db:
        await notifications.add(
            db, owner_id=user.id, kind=Kind.WEEKLY, key="weekly:1:2026-11-02", title="Your week",
            body="Week of 02 November", body_html="<p>chart</p>", due_at=T0, now=T0,
        )  # fmt: skip
        found = await notifications.list_for(db, owner_id=user.id)
    assert [(n.body, n.body_html) for n in found] == [  # newest first
        ("Week of 02 November", "<p>chart</p>"),
        ("Week of 26 October", None),
    ]

    # And back: the column goes, the reminders stay; up again, the schema is the models' exactly.
    await downgrade(database.engine, "0013")
    assert "body_html" not in await _notification_columns(database)
    async with database.engine.connect() as conn:
        bodies = (await conn.execute(sa.text("SELECT body FROM notifications ORDER BY id"))).scalars().all()
    assert bodies == ["Week of 26 October", "Week of 02 November"]
    await upgrade(database.engine, "head")
    assert await _schema_diff(database) == []
