"""The durable job queue on a real database (SQLite and PostgreSQL): stored once per key, run once
even by two workers at a time, retried with backoff, given up with its reason, never lost."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from runcoach.clock import FakeClock
from runcoach.db import jobs as queries
from runcoach.db.engine import Database
from runcoach.db.tables import JobRow
from runcoach.domain.jobs import Job
from runcoach.domain.strava import MAX_ATTEMPTS, backoff_s
from runcoach.jobs.worker import KEEP, LEASE_S, Later, Worker

T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


async def store(database: Database, clock: FakeClock, key: str, kind: str = "test.job") -> bool:
    async with database.session() as db:
        return await queries.enqueue(
            db, kind=kind, key=key, payload={"key": key}, owner_id=None, due_at=clock.now(), now=clock.now()
        )


async def rows(database: Database) -> list[JobRow]:
    async with database.session() as db:
        return list((await db.execute(select(JobRow).order_by(JobRow.id))).scalars())


async def test_a_key_is_stored_once(database: Database) -> None:
    clock = FakeClock(T0)
    stored = await asyncio.gather(*(store(database, clock, "same") for _ in range(20)))
    assert stored.count(True) == 1
    assert len(await rows(database)) == 1


async def test_two_workers_run_each_of_200_jobs_exactly_once(database: Database) -> None:
    clock = FakeClock(T0)
    for n in range(200):
        await store(database, clock, f"job-{n}")
    ran: Counter[str] = Counter()

    async def handle(job: Job) -> None:
        await asyncio.sleep(0)  # let the other worker claim meanwhile
        ran[job.key] += 1

    workers = [Worker(database, clock, {"test.job": handle}, concurrency=8) for _ in range(2)]
    await asyncio.gather(*(w.drain() for w in workers))
    assert len(ran) == 200 and set(ran.values()) == {1}
    assert all(r.done_at is not None and not r.failed for r in await rows(database))


async def test_a_failing_job_backs_off_then_is_given_up_with_its_reason(database: Database) -> None:
    clock = FakeClock(T0)
    await store(database, clock, "doomed")
    tries = 0

    async def handle(job: Job) -> None:
        nonlocal tries
        tries += 1
        raise RuntimeError("Strava said no")

    worker = Worker(database, clock, {"test.job": handle})
    waits = []
    for _ in range(MAX_ATTEMPTS - 1):
        await worker.drain()
        [row] = await rows(database)
        waits.append((row.due_at - clock.now()).total_seconds())
        clock.advance(waits[-1])
    assert waits == [backoff_s(n) for n in range(1, MAX_ATTEMPTS)]  # 30 s, 1 min, 2 min ...
    await worker.drain()
    assert tries == MAX_ATTEMPTS
    [row] = await rows(database)
    assert row.failed and row.done_at is not None and "Strava said no" in (row.last_error or "")
    clock.advance(86400)
    await worker.drain()
    assert tries == MAX_ATTEMPTS  # given up: never tried again


async def test_later_is_a_wait_not_a_failure(database: Database) -> None:
    clock = FakeClock(T0)
    await store(database, clock, "patient")
    calls = []

    async def handle(job: Job) -> None:
        calls.append(job.attempts)
        if len(calls) < 20:
            raise Later(clock.now() + timedelta(minutes=15), "the window is full")

    worker = Worker(database, clock, {"test.job": handle})
    for _ in range(25):
        await worker.drain()
        clock.advance(15 * 60)
    assert len(calls) == 20 and set(calls) == {1}  # twenty waits, never counted as tries
    [row] = await rows(database)
    assert row.done_at is not None and not row.failed


async def test_a_job_a_dead_worker_held_runs_again_after_its_lease(database: Database) -> None:
    clock = FakeClock(T0)
    await store(database, clock, "orphan")
    async with database.session() as db:  # claimed by a worker that then died
        await queries.claim(db, now=clock.now(), lease_s=LEASE_S, limit=1, kinds=["test.job"])
    ran = []

    async def handle(job: Job) -> None:
        ran.append(job.key)

    worker = Worker(database, clock, {"test.job": handle})
    await worker.drain()
    assert ran == []
    clock.advance(LEASE_S + 1)
    await worker.drain()
    assert ran == ["orphan"]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_on_sqlite_a_restart_frees_the_dead_processs_leases_at_once(database: Database) -> None:
    clock = FakeClock(T0)
    await store(database, clock, "orphan")
    async with database.session() as db:
        await queries.claim(db, now=clock.now(), lease_s=LEASE_S, limit=1, kinds=["test.job"])
    ran = asyncio.Event()

    async def handle(job: Job) -> None:
        ran.set()

    worker = Worker(database, clock, {"test.job": handle})
    task = asyncio.create_task(worker.run())
    try:
        await asyncio.wait_for(ran.wait(), timeout=30)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_ended_jobs_are_forgotten_after_a_week_and_their_key_can_run_again(database: Database) -> None:
    clock = FakeClock(T0)
    await store(database, clock, "old")

    async def handle(job: Job) -> None:
        return None

    await Worker(database, clock, {"test.job": handle}).drain()
    assert not await store(database, clock, "old")  # still remembered: a retried event is no job
    clock.advance(KEEP.total_seconds() + 1)
    async with database.session() as db:
        assert await queries.prune(db, before=clock.now() - KEEP) == 1
    assert await store(database, clock, "old")
