"""The worker: claims due jobs, runs their handler, and records the outcome.

A job is stored (in the caller's transaction or its own) before anybody waits on it, so a crash
or a restart loses nothing: the lease of a job a dead worker held runs out and the job is run
again. Handlers must therefore be idempotent, and every handler here is (an upsert by Strava id,
an upload keyed by its session).

A handler ends in one of three ways: it returns (done); it raises `Later` (not a failure: a rate
limit's window, a backfill that yields after some pages; the try is given back); or it raises
anything else (a failure: tried again after `backoff_s`, given up after `MAX_ATTEMPTS`, and the
last error kept for the runner to see).

One worker task per process: on SQLite that is the only one; on PostgreSQL the claim's
`SKIP LOCKED` shares the jobs out between replicas.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta

from runcoach.clock import Clock
from runcoach.db import jobs as queries
from runcoach.db.engine import Database
from runcoach.domain.errors import RunCoachError, Unavailable
from runcoach.domain.jobs import Job
from runcoach.domain.strava import MAX_ATTEMPTS, backoff_s

log = logging.getLogger("runcoach.jobs")

Handler = Callable[[Job], Awaitable[None]]

#: A claimed job is another worker's to take after this long (a worker that died holding it).
LEASE_S = 300.0
#: Ended jobs are kept this long (a retried Strava event within it is still recognised).
KEEP = timedelta(days=7)
PRUNE_EVERY = timedelta(hours=1)
#: Longest nap between looks at the queue when nothing says when the next job is due.
IDLE_S = 30.0


class Later(Exception):
    """Raised by a handler: run this job again at `at` (not a failure; the try is given back)."""

    def __init__(self, at: datetime, reason: str = "", *, hold: tuple[str, ...] = ()) -> None:
        super().__init__(reason or f"later, at {at.isoformat()}")
        self.at = at
        self.reason = reason
        #: Job kinds that wait too (a full rate-limit window holds every job that would call Strava):
        #: postponed in one statement rather than each claimed only to be put back.
        self.hold = hold


class Worker:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        handlers: Mapping[str, Handler],
        *,
        concurrency: int = 4,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        on_start: Sequence[Callable[[], Awaitable[None]]] = (),
    ) -> None:
        self.database = database
        self.clock = clock
        self.handlers = dict(handlers)
        self.concurrency = concurrency
        self._wake = asyncio.Event()
        self._sleep = sleep
        self._pruned_at: datetime | None = None
        self._on_start = list(on_start)

    def wake(self) -> None:
        """Look at the queue now (a job was just stored)."""
        self._wake.set()

    async def run(self) -> None:
        """Forever: run what is due, then sleep until the next job is due or `wake()`.

        A database that does not answer is waited out (a warning, then another look in IDLE_S):
        the worker never dies, and what it had to do at start (`on_start`) is done once it can.
        """
        await self.database.ready()
        pending_start = [self._release_dead_leases, *self._on_start]
        while True:
            # Cleared before the look, not after: a wake() during the look is not lost.
            self._wake.clear()
            try:
                while pending_start:
                    await pending_start[0]()
                    pending_start.pop(0)
                await self._prune()
                if not await self.run_once():
                    await self._nap()
            except asyncio.CancelledError:
                raise
            except Unavailable as exc:
                log.warning("job worker: %s (looking again in %d s)", exc, IDLE_S)
                await self._nap(IDLE_S)
            except Exception:  # a bug: keep the worker alive for the other jobs, and say so
                log.exception("job worker: the queue could not be read")
                await self._nap(IDLE_S)

    async def _release_dead_leases(self) -> None:
        """On SQLite this is the only process: a lease found at start is a dead one's; free it now
        rather than after LEASE_S (replicas on PostgreSQL cannot know, and wait for the lease)."""
        if self.database.engine.dialect.name != "sqlite":
            return
        async with self.database.session() as db:
            if released := await queries.release_leases(db):
                log.info("job worker: %d jobs of a stopped process taken up again", released)

    async def _prune(self) -> None:
        """Once an hour, forget jobs that ended more than KEEP ago."""
        now = self.clock.now()
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        async with self.database.session() as db:
            await queries.prune(db, before=now - KEEP)

    async def run_once(self) -> int:
        """Claim what is due (up to `concurrency`), run it all, and return how many ran."""
        now = self.clock.now()
        async with self.database.session() as db:
            batch = await queries.claim(
                db, now=now, lease_s=LEASE_S, limit=self.concurrency, kinds=list(self.handlers)
            )
        if batch:
            await asyncio.gather(*(self._run(job) for job in batch))
        return len(batch)

    async def drain(self, *, max_rounds: int = 1000) -> None:
        """Run until nothing is due now (tests and the CLI)."""
        for _ in range(max_rounds):
            if not await self.run_once():
                return
        raise RuntimeError("the job queue did not drain")

    async def _run(self, job: Job) -> None:
        try:
            await self.handlers[job.kind](job)
        except Later as later:
            await self._reschedule(job, later.at, later.reason or None, count_try=False)
            if later.hold:
                async with self.database.session() as db:
                    await queries.postpone(db, kinds=later.hold, until=later.at, reason=later.reason)
        except Exception as exc:
            await self._failed(job, exc)
        else:
            async with self.database.session() as db:
                await queries.finish(db, job_id=job.id, now=self.clock.now())

    async def _failed(self, job: Job, exc: Exception) -> None:
        error = str(exc) if isinstance(exc, RunCoachError) else f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, RunCoachError):
            log.warning("job %s (%s) try %d failed: %s", job.id, job.kind, job.attempts, error)
        now = self.clock.now()
        if job.attempts >= MAX_ATTEMPTS:
            async with self.database.session() as db:
                await queries.give_up(db, job_id=job.id, now=now, error=error)
            return
        due = now + timedelta(seconds=backoff_s(job.attempts))
        await self._reschedule(job, due, error, count_try=True)

    async def _reschedule(self, job: Job, at: datetime, error: str | None, *, count_try: bool) -> None:
        async with self.database.session() as db:
            await queries.reschedule(db, job_id=job.id, due_at=at, error=error, count_try=count_try)

    async def _nap(self, seconds: float | None = None) -> None:
        if seconds is None:
            async with self.database.session() as db:
                due = await queries.next_due(db, kinds=list(self.handlers))
            wait = IDLE_S if due is None else (due - self.clock.now()).total_seconds()
            seconds = min(max(wait, 0.05), IDLE_S)
        if self._sleep is not None:
            await self._sleep(seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
