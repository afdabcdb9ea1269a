"""Queries for runners' goals: the goal and its latest assessment, as the domain's JSON."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db.tables import GoalRow
from runcoach.domain.goals import Assessment, Goal, StoredGoal


def to_goal(row: GoalRow) -> StoredGoal:
    return StoredGoal(
        id=row.id,
        owner_id=row.owner_id,
        goal=Goal.model_validate(row.data),
        assessment=Assessment.model_validate(row.assessment),
        created_at=row.created_at,
        assessed_at=row.assessed_at,
    )


async def add_goal(
    db: AsyncSession, *, owner_id: int, goal: Goal, assessment: Assessment, now: datetime
) -> StoredGoal:
    row = GoalRow(
        owner_id=owner_id,
        data=goal.model_dump(mode="json"),
        assessment=assessment.model_dump(mode="json"),
        feasibility=assessment.feasibility.value,
        created_at=now,
        assessed_at=now,
    )
    db.add(row)
    await db.flush()
    return to_goal(row)


async def get_goal(db: AsyncSession, *, goal_id: int, owner_id: int) -> StoredGoal | None:
    """The goal if it is `owner_id`'s; None for an unknown id and for another runner's goal alike."""
    row = await db.scalar(select(GoalRow).where(GoalRow.id == goal_id, GoalRow.owner_id == owner_id))
    return to_goal(row) if row else None


async def list_goals(db: AsyncSession, *, owner_id: int, limit: int = 100) -> list[StoredGoal]:
    """The runner's goals, newest first (the id breaks ties of one instant)."""
    query = (
        select(GoalRow)
        .where(GoalRow.owner_id == owner_id)
        .order_by(GoalRow.created_at.desc(), GoalRow.id.desc())
        .limit(limit)
    )
    return [to_goal(row) for row in await db.scalars(query)]


async def save_assessment(
    db: AsyncSession, *, goal_id: int, owner_id: int, assessment: Assessment, now: datetime
) -> None:
    """Replace the goal's assessment and stamp `assessed_at` (a no-op for another runner's goal)."""
    await db.execute(
        update(GoalRow)
        .where(GoalRow.id == goal_id, GoalRow.owner_id == owner_id)
        .values(
            assessment=assessment.model_dump(mode="json"),
            feasibility=assessment.feasibility.value,
            assessed_at=now,
        )
    )
