"""Generating, regenerating and reading workouts: the domain generator plus the database.

Every public function owns its unit of work: it takes the process's `Database` and opens (and
commits) its own transaction, so pages and routes never hold one.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db import workouts as queries
from runcoach.db.engine import Database
from runcoach.domain.errors import Conflict, NotFound
from runcoach.domain.generator import generate_workout
from runcoach.domain.saved import Workout
from runcoach.domain.workouts import WorkoutSpec

#: Drawn seeds stay short enough to read out and type back in; any seed below 2**53 is accepted.
DRAWN_SEED_BOUND = 2**31


def draw_seed() -> int:
    return secrets.randbelow(DRAWN_SEED_BOUND)


async def generate(
    database: Database,
    *,
    owner_id: int,
    spec: WorkoutSpec,
    seed: int | None,
    now: datetime,
) -> Workout:
    """Generate and store a workout; a missing seed is drawn and recorded."""
    async with database.session() as db:
        return await _generate(db, owner_id=owner_id, spec=spec, seed=seed, now=now, parent_id=None)


async def regenerate(database: Database, *, workout_id: int, owner_id: int, now: datetime) -> Workout:
    """A new workout from the same inputs and a new seed, linked to its parent; the parent stays."""
    async with database.session() as db:
        parent = await _get(db, workout_id=workout_id, owner_id=owner_id)
        if parent.inputs is None:
            raise Conflict(
                f"{parent.name} was imported from a file: there are no inputs to generate it again from"
            )
        seed = draw_seed()
        while seed == parent.seed:  # a new seed, or "regenerate" could hand back the same workout
            seed = draw_seed()
        return await _generate(
            db, owner_id=owner_id, spec=parent.inputs, seed=seed, now=now, parent_id=parent.id
        )


async def get(database: Database, *, workout_id: int, owner_id: int) -> Workout:
    """One of the owner's workouts; NotFound for an unknown id or somebody else's."""
    async with database.session() as db:
        return await _get(db, workout_id=workout_id, owner_id=owner_id)


async def get_with_history(
    database: Database, *, workout_id: int, owner_id: int
) -> tuple[Workout, list[Workout]]:
    """The workout and its regeneration chain (oldest first), read in one transaction."""
    async with database.session() as db:
        return await _get(db, workout_id=workout_id, owner_id=owner_id), await _history(
            db, workout_id=workout_id, owner_id=owner_id
        )


async def history(database: Database, *, workout_id: int, owner_id: int) -> list[Workout]:
    async with database.session() as db:
        return await _history(db, workout_id=workout_id, owner_id=owner_id)


async def list_mine(database: Database, *, owner_id: int) -> list[Workout]:
    async with database.session() as db:
        return await queries.list_workouts(db, owner_id=owner_id)


async def _generate(
    db: AsyncSession,
    *,
    owner_id: int,
    spec: WorkoutSpec,
    seed: int | None,
    now: datetime,
    parent_id: int | None,
) -> Workout:
    seed = draw_seed() if seed is None else seed
    draft = generate_workout(spec, seed=seed)
    return await queries.add_workout(
        db, owner_id=owner_id, spec=spec, seed=seed, draft=draft, parent_id=parent_id, now=now
    )


async def _get(db: AsyncSession, *, workout_id: int, owner_id: int) -> Workout:
    workout = await queries.get_workout(db, workout_id=workout_id, owner_id=owner_id)
    if workout is None:
        raise NotFound(f"Workout {workout_id} not found")
    return workout


async def _history(db: AsyncSession, *, workout_id: int, owner_id: int) -> list[Workout]:
    chain = await queries.workout_history(db, workout_id=workout_id, owner_id=owner_id)
    if not chain:
        raise NotFound(f"Workout {workout_id} not found")
    return chain
