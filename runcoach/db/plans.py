"""Queries for plans and their versions.

A plan row says whose plan it is and how it was made; each version row holds the whole
`PlanDraft` as JSON. The database keeps the invariants: one active plan per runner and one
current version per plan (partial unique indexes), and version numbers unique per plan, so two
edits racing cannot both become version n + 1: the loser's insert fails and the service retries
on the new current version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db.tables import PlanRow, PlanVersionRow
from runcoach.domain.plans import Author, Methodology, PlanDraft, PlanInfo, PlanVersion


def _info(row: PlanRow) -> PlanInfo:
    return PlanInfo(
        id=row.id,
        owner_id=row.owner_id,
        goal_id=row.goal_id,
        methodology=Methodology(row.methodology),
        seed=row.seed,
        created_at=row.created_at,
        archived_at=row.archived_at,
    )


def _version(plan: PlanRow, row: PlanVersionRow) -> PlanVersion:
    return PlanVersion(
        plan=_info(plan),
        number=row.number,
        is_current=row.is_current,
        created_by=Author(row.created_by),
        reason=row.reason,
        draft=PlanDraft.model_validate(row.draft),
        changes=tuple(row.changes),
        created_at=row.created_at,
    )


async def archive_active(db: AsyncSession, *, owner_id: int, now: datetime) -> int | None:
    """Archive the runner's active plan, if any; its id."""
    plan = await db.scalar(select(PlanRow).where(PlanRow.owner_id == owner_id, PlanRow.archived_at.is_(None)))
    if plan is None:
        return None
    plan.archived_at = now
    await db.flush()
    return plan.id


async def add_plan(
    db: AsyncSession,
    *,
    owner_id: int,
    goal_id: int | None,
    seed: int,
    draft: PlanDraft,
    reason: str,
    now: datetime,
    author: Author = Author.GENERATOR,
) -> PlanVersion:
    """A new active plan with its first version (the caller archived the old one); a second active
    plan for the runner, from a racing request, is an IntegrityError."""
    plan = PlanRow(
        owner_id=owner_id,
        goal_id=goal_id,
        methodology=draft.methodology.value,
        seed=seed,
        start_date=draft.start_date,
        created_at=now,
    )
    db.add(plan)
    await db.flush()
    row = _version_row(plan.id, 1, author, reason, draft, [], now)
    db.add(row)
    await db.flush()
    return _version(plan, row)


async def get_plan(
    db: AsyncSession, *, plan_id: int, owner_id: int, for_update: bool = False
) -> PlanRow | None:
    """The runner's plan; `for_update` holds it until the transaction ends (PostgreSQL locks the
    row; on SQLite the session must hold the database, `Database.session(hold=True)`), so it
    cannot be archived meanwhile."""
    query = select(PlanRow).where(PlanRow.id == plan_id, PlanRow.owner_id == owner_id)
    return await db.scalar(query.with_for_update() if for_update else query)


async def active_version(db: AsyncSession, *, owner_id: int) -> PlanVersion | None:
    """The current version of the runner's active plan, or None when they have no plan."""
    query = (
        select(PlanRow, PlanVersionRow)
        .join(PlanVersionRow, PlanVersionRow.plan_id == PlanRow.id)
        .where(PlanRow.owner_id == owner_id, PlanRow.archived_at.is_(None), PlanVersionRow.is_current)
    )
    found = (await db.execute(query)).first()
    return None if found is None else _version(*found)


async def get_version(
    db: AsyncSession, *, plan_id: int, owner_id: int, number: int | None = None
) -> PlanVersion | None:
    """A version of one of the runner's plans (archived ones too); None for `number`: the current one."""
    plan = await get_plan(db, plan_id=plan_id, owner_id=owner_id)
    if plan is None:
        return None
    query = select(PlanVersionRow).where(PlanVersionRow.plan_id == plan_id)
    query = query.where(PlanVersionRow.is_current if number is None else PlanVersionRow.number == number)
    row = await db.scalar(query)
    return None if row is None else _version(plan, row)


async def list_versions(db: AsyncSession, *, plan_id: int, owner_id: int) -> list[PlanVersion] | None:
    """Every version of one of the runner's plans, newest first; None when the plan is not theirs."""
    plan = await get_plan(db, plan_id=plan_id, owner_id=owner_id)
    if plan is None:
        return None
    query = (
        select(PlanVersionRow).where(PlanVersionRow.plan_id == plan_id).order_by(PlanVersionRow.number.desc())
    )
    return [_version(plan, row) for row in await db.scalars(query)]


async def add_version(
    db: AsyncSession,
    *,
    plan: PlanRow,
    base: int,
    author: Author,
    reason: str,
    draft: PlanDraft,
    changes: list[dict[str, Any]],
    now: datetime,
) -> PlanVersion:
    """Make `draft`, made from version `base`, the plan's new current version `base + 1`.

    The old current version stops being current first, in the same transaction, so the partial
    unique index never sees two. When another change got in since `base` (two edits racing, or
    an edit of a page left open), version `base + 1` exists and this is an IntegrityError: the
    caller retries on the new current version rather than silently undoing the other change.
    """
    await db.execute(
        update(PlanVersionRow)
        .where(PlanVersionRow.plan_id == plan.id, PlanVersionRow.is_current)
        .values(is_current=False)
    )
    row = _version_row(plan.id, base + 1, author, reason, draft, changes, now)
    db.add(row)
    await db.flush()
    return _version(plan, row)


def _version_row(
    plan_id: int,
    number: int,
    author: Author,
    reason: str,
    draft: PlanDraft,
    changes: list[dict[str, Any]],
    now: datetime,
) -> PlanVersionRow:
    return PlanVersionRow(
        plan_id=plan_id,
        number=number,
        is_current=True,
        created_by=author.value,
        reason=reason,
        draft=draft.model_dump(mode="json"),
        changes=changes,
        created_at=now,
    )
