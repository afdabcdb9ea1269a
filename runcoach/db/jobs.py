"""Queries for the durable job queue (see `runcoach.jobs`).

Claiming is the one subtle part: on PostgreSQL several replicas claim at once, so due rows are
selected `FOR UPDATE SKIP LOCKED` and leased in the same transaction: two workers never get one
job. SQLite has one process and one writer at a time, so the same statement without the lock
clause is enough there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db.engine import insert_for
from runcoach.db.tables import JobRow
from runcoach.domain.jobs import Job


def _job(row: JobRow) -> Job:
    return Job(row.id, row.kind, row.key, row.owner_id, dict(row.payload), row.attempts, row.due_at)


async def enqueue(
    db: AsyncSession,
    *,
    kind: str,
    key: str,
    payload: dict[str, Any],
    owner_id: int | None,
    due_at: datetime,
    now: datetime,
    revive: bool = False,
) -> bool:
    """Store the job unless one with `key` exists (then nothing changes; True when stored).

    `revive` runs an existing job with this key again if it is over (done or given up): a retry
    the runner asked for. A job still pending is left as it is either way.
    """
    values = {
        "kind": kind,
        "key": key,
        "owner_id": owner_id,
        "payload": payload,
        "due_at": due_at,
        "attempts": 0,
        "created_at": now,
    }
    result = await db.execute(
        insert_for(db)(JobRow).values(**values).on_conflict_do_nothing(index_elements=["key"])
    )
    if result.rowcount:  # type: ignore[attr-defined]
        return True
    if revive:
        revived = await db.execute(
            update(JobRow)
            .where(JobRow.key == key, JobRow.done_at.is_not(None))
            .values(done_at=None, failed=False, attempts=0, due_at=due_at, lease_until=None, payload=payload)
        )
        return bool(revived.rowcount)  # type: ignore[attr-defined]
    return False


async def claim(
    db: AsyncSession, *, now: datetime, lease_s: float, limit: int, kinds: Sequence[str]
) -> list[Job]:
    """Lease up to `limit` due jobs of `kinds` (oldest due first) and count the try.

    Each lease is taken by an UPDATE that still requires the job free: on SQLite the SELECT runs
    before the write lock is taken, so two workers may read the same rows, and only the first
    UPDATE of a row wins. PostgreSQL's SKIP LOCKED already keeps the rows apart.
    """
    free = or_(JobRow.lease_until.is_(None), JobRow.lease_until <= now)
    query = (
        select(JobRow)
        .where(JobRow.done_at.is_(None), JobRow.due_at <= now, JobRow.kind.in_(kinds), free)
        .order_by(JobRow.due_at, JobRow.id)
        .limit(limit)
    )
    if db.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    found = [_job(row) for row in (await db.execute(query)).scalars()]
    lease = now + timedelta(seconds=lease_s)
    claimed = []
    for job in found:
        taken = await db.execute(
            update(JobRow)
            .where(JobRow.id == job.id, JobRow.done_at.is_(None), free)
            .values(lease_until=lease, attempts=JobRow.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount:  # type: ignore[attr-defined]
            claimed.append(replace(job, attempts=job.attempts + 1))
    return claimed


async def finish(db: AsyncSession, *, job_id: int, now: datetime) -> None:
    await db.execute(
        update(JobRow).where(JobRow.id == job_id).values(done_at=now, lease_until=None, last_error=None)
    )


async def reschedule(
    db: AsyncSession, *, job_id: int, due_at: datetime, error: str | None, count_try: bool
) -> None:
    """Run the job again at `due_at`; `count_try=False` gives back the try (a wait, not a failure)."""
    values: dict[str, Any] = {"due_at": due_at, "lease_until": None, "last_error": error}
    if not count_try:
        values["attempts"] = JobRow.attempts - 1
    await db.execute(update(JobRow).where(JobRow.id == job_id).values(**values))


async def postpone(db: AsyncSession, *, kinds: Sequence[str], until: datetime, reason: str) -> int:
    """Move every pending, unclaimed job of `kinds` due before `until` to `until` (not a try)."""
    result = await db.execute(
        update(JobRow)
        .where(
            JobRow.done_at.is_(None),
            JobRow.lease_until.is_(None),
            JobRow.kind.in_(kinds),
            JobRow.due_at < until,
        )
        .values(due_at=until, last_error=reason or None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def give_up(db: AsyncSession, *, job_id: int, now: datetime, error: str) -> None:
    await db.execute(
        update(JobRow)
        .where(JobRow.id == job_id)
        .values(done_at=now, failed=True, lease_until=None, last_error=error)
    )


async def release_leases(db: AsyncSession) -> int:
    """Free every lease: only for a database one process uses (SQLite), at its start, when every
    lease is a dead process's."""
    result = await db.execute(update(JobRow).where(JobRow.lease_until.is_not(None)).values(lease_until=None))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def next_due(db: AsyncSession, *, kinds: Sequence[str]) -> datetime | None:
    """When the earliest pending job is due (a leased one: when its lease runs out)."""
    due = func.coalesce(JobRow.lease_until, JobRow.due_at)
    query = select(func.min(due)).where(JobRow.done_at.is_(None), JobRow.kind.in_(kinds))
    value = (await db.execute(query)).scalar_one_or_none()
    return _aware(value)


def _aware(value: Any) -> datetime | None:
    # func.min over a TypeDecorator column comes back as the driver's value: naive on SQLite.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


async def pending(db: AsyncSession, *, owner_id: int, kind: str) -> list[Job]:
    query = select(JobRow).where(JobRow.owner_id == owner_id, JobRow.kind == kind, JobRow.done_at.is_(None))
    return [_job(row) for row in (await db.execute(query)).scalars()]


async def failed(db: AsyncSession, *, owner_id: int, kind: str) -> list[tuple[Job, str | None]]:
    query = select(JobRow).where(JobRow.owner_id == owner_id, JobRow.kind == kind, JobRow.failed)
    return [(_job(row), row.last_error) for row in (await db.execute(query)).scalars()]


async def prune(db: AsyncSession, *, before: datetime) -> int:
    """Forget jobs that ended before `before` (their keys then no longer hold back a repeat)."""
    result = await db.execute(
        delete(JobRow).where(and_(JobRow.done_at.is_not(None), JobRow.done_at < before))
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
