"""Queries for workouts. Every read is scoped to the owner: another user's workout does not exist."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db.tables import WorkoutRow
from runcoach.domain.generator import WorkoutDraft
from runcoach.domain.saved import Workout, WorkoutSource
from runcoach.domain.structure import StructuredWorkout
from runcoach.domain.workouts import WorkoutSpec


def to_workout(row: WorkoutRow) -> Workout:
    return Workout(
        id=row.id,
        owner_id=row.owner_id,
        parent_id=row.parent_id,
        name=row.name,
        source=row.source,  # type: ignore[arg-type]  # validated by pydantic
        goal=row.goal,  # type: ignore[arg-type]
        inputs=None if row.inputs is None else WorkoutSpec.model_validate(row.inputs),
        seed=row.seed,
        file_name=row.file_name,
        structure=StructuredWorkout.model_validate(row.structure),
        created_at=row.created_at,
    )


async def add_workout(
    db: AsyncSession,
    *,
    owner_id: int,
    spec: WorkoutSpec,
    seed: int,
    draft: WorkoutDraft,
    parent_id: int | None,
    now: datetime,
) -> Workout:
    row = WorkoutRow(
        owner_id=owner_id,
        parent_id=parent_id,
        name=draft.name,
        source=WorkoutSource.GENERATED.value,
        goal=draft.goal.value,
        inputs=spec.model_dump(mode="json"),
        seed=seed,
        structure=draft.structure.model_dump(mode="json"),
        created_at=now,
    )
    db.add(row)
    await db.flush()
    return to_workout(row)


async def add_imported(
    db: AsyncSession, *, owner_id: int, structure: StructuredWorkout, file_name: str, now: datetime
) -> Workout:
    """A workout read from a file: its structure and the file's name, no generator inputs."""
    row = WorkoutRow(
        owner_id=owner_id,
        parent_id=None,
        name=structure.name,
        source=WorkoutSource.IMPORTED.value,
        file_name=file_name,
        structure=structure.model_dump(mode="json"),
        created_at=now,
    )
    db.add(row)
    await db.flush()
    return to_workout(row)


async def get_workout(db: AsyncSession, *, workout_id: int, owner_id: int) -> Workout | None:
    query = select(WorkoutRow).where(WorkoutRow.id == workout_id, WorkoutRow.owner_id == owner_id)
    row = await db.scalar(query)
    return to_workout(row) if row else None


async def list_workouts(db: AsyncSession, *, owner_id: int, limit: int = 100) -> list[Workout]:
    query = (
        select(WorkoutRow)
        .where(WorkoutRow.owner_id == owner_id)
        .order_by(WorkoutRow.created_at.desc(), WorkoutRow.id.desc())
        .limit(limit)
    )
    return [to_workout(row) for row in await db.scalars(query)]


async def workout_history(db: AsyncSession, *, workout_id: int, owner_id: int) -> list[Workout]:
    """The chain from the first ancestor to the newest descendant along regenerations, oldest first."""
    rows = await db.scalars(select(WorkoutRow).where(WorkoutRow.owner_id == owner_id))
    by_id = {row.id: row for row in rows}
    if workout_id not in by_id:
        return []
    root = workout_id
    while (parent := by_id[root].parent_id) is not None and parent in by_id:
        root = parent
    children: dict[int, list[int]] = {}
    for row in by_id.values():
        if row.parent_id is not None:
            children.setdefault(row.parent_id, []).append(row.id)
    return [to_workout(by_id[i]) for i in _walk(root, children)]


def _walk(root: int, children: dict[int, list[int]]) -> list[int]:
    order, stack = [], [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(sorted(children.get(node, []), reverse=True))
    return order
