"""Strava sync against the fake Strava on 127.0.0.1: the backfill's speed, and how long the backfill
and webhook events take under Strava's real rate limits. Prints one JSON object.

    .venv/bin/python benchmarks/strava.py            # 1 to 1.5 minutes on a 2-core box (--help)
    .venv/bin/python benchmarks/strava.py --quick    # a few seconds
    .venv/bin/python benchmarks/strava.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test

What runs is what a server runs: `runcoach.strava.service.Strava` (its httpx client, `StravaClient`
reading the rate-limit headers, `Tokens`, `Importer`), `runcoach.jobs.worker.Worker`, and a migrated
database: SQLite in a temporary directory (one file per figure), or with `--database-url` a fresh
PostgreSQL schema per figure, dropped at the end. Strava is `tests/fake_strava.py` on 127.0.0.1, in
this process (a uvicorn thread: its CPU shares this process's GIL, so wall times are an upper bound
for the RunCoach side; `fake_thread_cpu_s` says how much of the CPU was the fake's). One runner,
connected through `Strava.finish_connect` with a code the fake granted (the OAuth exchange is real).

Figures:

* `import_rate`: the fake's limits off (no limit headers, nothing refused), the real clock and the
  worker's own loop (`Worker.run`, woken by `Strava.on_enqueue`). `--activities` activities (default
  10,000, spread over ~10 years inside the backfill window of 520 weeks) are imported from
  `finish_connect` until the backfill handler returns for the last time: wall seconds, activities
  per second, the requests the fake saw by path, and `requests_per_activity` (API requests /
  activities) against the goal: at most one request per activity plus paging. `first_page_after_s`
  is the time from connecting to the first page at the fake (the worker's wake-up; more than 2 s
  is a stall and listed in `problems`), `page_interval_ms` the time between pages.
* `real_limits_backfill`: `--backfill-activities` (default 1,000) under Strava's limits (200 per
  15 minutes and 2,000 a day overall, 100 and 1,000 for reads) with a fast clock: one `FakeClock`
  read by the fake and by the service, moved to each next due job as `tests/strava/conftest.py`'s
  `settle()` does (the worker's `drain()`, then the clock jumps). `simulated_s` is the clock's
  time from connect to the last activity stored: only the waits for rate-limit windows count,
  the work itself shows in `wall_s`.
* `real_limits_webhooks`: after an empty backfill, `--events` (default 1,000) activity `create`
  events, each through `Strava.receive` (timed: Strava wants an answer within 2 s), then the
  worker, one `GET /activities/{id}` each, under the same limits and fast clock. Strava's read
  limit governs: 100 per 15 minutes and 1,000 a day, two of each kept in reserve by the client,
  so 98 fetches per window, and after 998 reads in a UTC day the rest wait for midnight.
  `simulated_s` runs from the first event received to the last activity stored; `reads_by_window`
  lists the fake's count per 15-minute window (the empty backfill's read included), and
  `windows_over_the_reserve` the windows with more than 98; `job_runs` counts the event handler's
  runs, and how many of them were put back (`Later`) because a window was full.

Every figure reports the requests the fake saw by method and path (ids as `{id}`) and how many it
answered 429. `problems` lists what went wrong (an activity not stored, a 429, the import goal
missed); the script exits 1 when it is not empty.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import itertools
import json
import math
import os
import platform
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from runcoach.auth import service as accounts
from runcoach.clock import Clock, FakeClock, SystemClock
from runcoach.config import Settings
from runcoach.db import jobs as job_queries
from runcoach.db import strava as queries
from runcoach.db.engine import Database
from runcoach.domain.jobs import Job
from runcoach.domain.strava import RESERVE
from runcoach.jobs.worker import Later, Worker
from runcoach.strava.client import PAGE_SIZE
from runcoach.strava.jobs import AUTO_UPLOAD, BACKFILL, EVENT
from runcoach.strava.service import Strava
from runcoach.strava.tokens import Cipher
from tests.fake_strava import FakeStrava

#: A Monday morning, as in tests/strava/conftest.py: the fast clock starts here (UTC).
T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
ATHLETE = 7_000_000_001
SCOPE = "read,activity:read_all,activity:write"
STRAVA_LIMITS = (200, 2000)
STRAVA_READ_LIMITS = (100, 1000)
LIMITS_TEXT = {
    "overall": f"{STRAVA_LIMITS[0]} per 15 min, {STRAVA_LIMITS[1]} a day",
    "read": f"{STRAVA_READ_LIMITS[0]} per 15 min, {STRAVA_READ_LIMITS[1]} a day",
}
#: The backfill reaches this far back; the activities are spread over SPAN inside it.
BACKFILL_WEEKS = 520
SPAN = timedelta(weeks=500)
QUARTER_S = 15 * 60
IMPORT_TIMEOUT_S = 900.0
#: The backfill's first page later than this after connecting is a stall, not work.
STALL_S = 2.0
ID = re.compile(r"/\d+(?=/|$)")


# --------------------------------------------------------------------------- helpers


def thread_cpu_s(thread: Any) -> float | None:
    """utime + stime of one thread of this process (Linux), or None."""
    tid = getattr(thread, "native_id", None)
    try:
        fields = Path(f"/proc/self/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fake_cpu_s(fake: FakeStrava) -> float | None:
    """CPU seconds of the fake's server thread so far (it lives in this process)."""
    server = getattr(fake, "_server", None)
    return thread_cpu_s(getattr(server, "_thread", None))


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p99": None, "max": None}
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 3), "p99": round(p99, 3), "max": round(ordered[-1], 3)}


def requests_seen(fake: FakeStrava, since: int = 0) -> dict[str, Any]:
    """The fake's request log (from index `since`) by method and path, 429s, and API requests."""
    seen = fake.requests[since:]
    by_path = Counter(f"{s.method} {ID.sub('/{id}', s.path)}" for s in seen)
    statuses = Counter(str(s.status) for s in seen)
    return {
        "total": len(seen),
        "api": sum(1 for s in seen if s.path.startswith("/api/v3")),
        "by_path": dict(sorted(by_path.items())),
        "by_status": dict(sorted(statuses.items())),
        "status_429": statuses.get("429", 0),
    }


def spacing(n: int) -> timedelta:
    """One activity this often fits `n` of them in SPAN (at most one a day)."""
    return min(timedelta(days=1), SPAN / max(n, 1))


@dataclass
class Cpu:
    """Process and fake-thread CPU over a stretch of the run."""

    fake: FakeStrava
    began: float = field(default_factory=time.process_time)
    fake_began: float | None = None

    def __post_init__(self) -> None:
        self.fake_began = fake_cpu_s(self.fake)

    def figures(self) -> dict[str, float | None]:
        now, fake_now = time.process_time(), fake_cpu_s(self.fake)
        fake_s = None if fake_now is None or self.fake_began is None else fake_now - self.fake_began
        return {
            "process_cpu_s": round(now - self.began, 3),
            "fake_thread_cpu_s": None if fake_s is None else round(fake_s, 3),
        }


# --------------------------------------------------------------------------- the database


@contextlib.asynccontextmanager
async def database_for(url: str | None, tmp: Path, name: str) -> AsyncIterator[Database]:
    """A migrated database: a SQLite file in `tmp`, or a fresh schema on the PostgreSQL server at
    `url` (dropped afterwards)."""
    if url is None:
        database = Database(f"sqlite+aiosqlite:///{tmp / f'{name}.db'}")
        try:
            await database.start()
            yield database
        finally:
            await database.close()
        return
    schema = f"bench_strava_{name}_{secrets.token_hex(4)}"
    admin = create_async_engine(url)
    try:
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        database = Database(url, connect_args={"server_settings": {"search_path": schema}})
        try:
            await database.start()
            yield database
        finally:
            await database.close()
    finally:
        with contextlib.suppress(Exception):
            async with admin.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()


def settings_for(tmp: Path, fake: FakeStrava) -> Settings:
    # No developer's .env: every setting the benchmark depends on is given here.
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp,
        public_url="http://127.0.0.1:9",
        strava_client_id=fake.client_id,
        strava_client_secret=SecretStr(fake.client_secret),
        strava_verify_token=SecretStr("bench-verify-token"),
        strava_oauth_url=fake.oauth_url,
        strava_api_url=fake.api_url,
        strava_backfill_weeks=BACKFILL_WEEKS,
        timezone="Europe/Berlin",
        token_key=SecretStr(Cipher.new_key()),
    )


@dataclass
class Rig:
    """What a server holds for Strava: the service, the worker, and a runner to connect."""

    database: Database
    clock: Clock
    fake: FakeStrava
    strava: Strava
    worker: Worker
    user_id: int

    async def connect(self) -> None:
        state = httpx.URL(self.strava.connect_url(self.user_id)).params["state"]
        code = self.fake.grant(ATHLETE, SCOPE)
        await self.strava.finish_connect(self.user_id, state=state, code=code, scope=SCOPE, error=None)

    async def stored(self) -> int:
        async with self.database.session() as db:
            return await queries.count_activities(db, owner_id=self.user_id)

    async def pending(self, kind: str) -> int:
        async with self.database.session() as db:
            return len(await job_queries.pending(db, owner_id=self.user_id, kind=kind))


@contextlib.asynccontextmanager
async def rig_for(
    database: Database,
    clock: Clock,
    fake: FakeStrava,
    tmp: Path,
    wrap: Callable[[dict[str, Any]], dict[str, Any]] = lambda handlers: handlers,
) -> AsyncIterator[Rig]:
    settings = settings_for(tmp, fake)
    assert settings.token_key is not None
    strava = Strava(settings, database, clock, Cipher(settings.token_key.get_secret_value(), clock))
    try:
        worker = Worker(database, clock, wrap(strava.handlers()))
        strava.on_enqueue(worker.wake)
        user = await accounts.create_user(
            database,
            email="ann@example.com",
            name="Ann",
            password="Correct-Horse-42",
            is_admin=False,
            now=clock.now(),
        )
        yield Rig(database, clock, fake, strava, worker, user.id)
    finally:
        await strava.close()


# --------------------------------------------------------------------------- the fast clock


@dataclass
class Settled:
    """What `settle` saw: when (on the fast clock) the wanted number of activities was stored."""

    reached_at: datetime | None = None
    jumps: int = 0
    timeline: list[tuple[float, int]] = field(default_factory=list)


async def settle(rig: Rig, clock: FakeClock, *, want: int, began: datetime, max_jobs: int) -> Settled:
    """As tests/strava/conftest.py's `settle()`: drain what is due, move the clock to the next due
    job, until no job is left; notes when `want` activities were stored."""
    settled = Settled()
    kinds = [k for k in rig.worker.handlers if k != AUTO_UPLOAD]
    for _ in range(100_000):
        await rig.worker.drain(max_rounds=max_jobs // rig.worker.concurrency + 100)
        stored = await rig.stored()
        elapsed = (clock.now() - began).total_seconds()
        if not settled.timeline or settled.timeline[-1][1] != stored:
            settled.timeline.append((elapsed, stored))
        if settled.reached_at is None and stored >= want:
            settled.reached_at = clock.now()
        async with rig.database.session() as db:
            due = await job_queries.next_due(db, kinds=kinds)
        if due is None:
            return settled
        clock.advance(max((due - clock.now()).total_seconds(), 0) + 0.001)
        settled.jumps += 1
    raise RuntimeError("the jobs did not settle")


def reads_by_window(fake: FakeStrava, since: int, path_prefix: str) -> list[dict[str, Any]]:
    """GETs under `path_prefix` per 15-minute window of the fake clock: count and 429s."""
    windows: dict[int, Counter[str]] = {}
    for seen in fake.requests[since:]:
        if seen.method == "GET" and seen.path.startswith(path_prefix):
            counter = windows.setdefault(int(seen.at // QUARTER_S), Counter())
            counter["reads"] += 1
            counter["status_429"] += seen.status == 429
    return [
        {
            "window": datetime.fromtimestamp(quarter * QUARTER_S, UTC).strftime("%a %H:%M"),
            "reads": counter["reads"],
            **({"status_429": counter["status_429"]} if counter["status_429"] else {}),
        }
        for quarter, counter in sorted(windows.items())
    ]


def limited_fake(clock: FakeClock) -> FakeStrava:
    return FakeStrava(lambda: clock.now().timestamp(), limits=STRAVA_LIMITS, read_limits=STRAVA_READ_LIMITS)


# --------------------------------------------------------------------------- the figures


async def import_rate(n: int, url: str | None, tmp: Path) -> dict[str, Any]:
    """The backfill of `n` activities with the fake's limits off, on the real clock and the
    worker's own loop."""
    clock = SystemClock()
    finished = asyncio.Event()
    backfill_runs = Counter[str]()

    def wrap(handlers: dict[str, Any]) -> dict[str, Any]:
        backfill = handlers[BACKFILL]

        async def watched(job: Job) -> None:
            try:
                await backfill(job)
            except Later:
                backfill_runs["yielded"] += 1
                raise
            backfill_runs["finished"] += 1
            finished.set()

        return {**handlers, BACKFILL: watched}

    with FakeStrava(limits=None, read_limits=None) as fake:
        fake.add_athlete(ATHLETE)
        every = spacing(n)
        start = clock.now() - SPAN
        fake.add_activities(ATHLETE, n, start=start, every=every)
        async with (
            database_for(url, tmp, "import_rate") as database,
            rig_for(database, clock, fake, tmp, wrap) as rig,
        ):
            task = asyncio.create_task(rig.worker.run())
            try:
                cpu = Cpu(fake)
                began, began_unix = time.perf_counter(), time.time()
                await rig.connect()
                connected = time.perf_counter() - began
                await asyncio.wait_for(finished.wait(), IMPORT_TIMEOUT_S)
                wall = time.perf_counter() - began
                cpu_figures = cpu.figures()
                for _ in range(500):  # the worker marks the job done right after the handler
                    if not await rig.pending(BACKFILL):
                        break
                    await asyncio.sleep(0.01)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            stored = await rig.stored()
            status = await rig.strava.status(rig.user_id)
    seen = requests_seen(fake)
    pages = seen["by_path"].get("GET /api/v3/athlete/activities", 0)
    fetches = seen["by_path"].get("GET /api/v3/activities/{id}", 0)
    pages_minimum = n // PAGE_SIZE + 1  # full pages, then the short one that says "the last"
    page_times = sorted(s.at for s in fake.requests if s.path == "/api/v3/athlete/activities")
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(page_times)]
    first_page = page_times[0] - began_unix if page_times else None
    return {
        "activities": n,
        "activities_every_h": round(every.total_seconds() / 3600, 2),
        "stored": stored,
        "backfill_share": status.backfill_share,
        "wall_s": round(wall, 3),
        "connect_s": round(connected, 3),
        "activities_per_s": round(n / wall, 1),
        "first_page_after_s": None if first_page is None else round(first_page, 3),
        "activities_per_s_from_first_page": None
        if first_page is None or wall <= first_page
        else round(n / (wall - first_page), 1),
        **cpu_figures,
        "requests": seen,
        "pages": pages,
        "pages_minimum": pages_minimum,
        "page_interval_ms": percentiles(gaps),
        "activity_fetches": fetches,
        "backfill_handler_runs": dict(backfill_runs),
        "requests_per_activity": round(seen["api"] / n, 5) if n else None,
        "goal": "at most 1 API request per activity plus paging (pages of 200)",
        "goal_max_requests": n + pages_minimum,
        "goal_met": fetches <= n and seen["api"] <= n + pages_minimum,
    }


async def real_limits_backfill(n: int, url: str | None, tmp: Path) -> dict[str, Any]:
    """The backfill of `n` activities under Strava's limits, on the fast clock."""
    clock = FakeClock(T0)
    with limited_fake(clock) as fake:
        fake.add_athlete(ATHLETE)
        every = spacing(n)
        fake.add_activities(ATHLETE, n, start=T0 - SPAN, every=every)
        async with database_for(url, tmp, "backfill") as database, rig_for(database, clock, fake, tmp) as rig:
            cpu = Cpu(fake)
            wall_began = time.perf_counter()
            began = clock.now()
            await rig.connect()
            settled = await settle(rig, clock, want=n, began=began, max_jobs=10)
            wall = time.perf_counter() - wall_began
            cpu_figures = cpu.figures()
            stored = await rig.stored()
    seen = requests_seen(fake)
    simulated = (settled.reached_at - began).total_seconds() if settled.reached_at else None
    return {
        "activities": n,
        "activities_every_h": round(every.total_seconds() / 3600, 2),
        "limits": LIMITS_TEXT,
        "clock_start": T0.isoformat(),
        "stored": stored,
        "simulated_s": simulated,
        "wall_s": round(wall, 3),
        **cpu_figures,
        "clock_jumps": settled.jumps,
        "requests": seen,
        "status_429": seen["status_429"],
        "reads_by_window": reads_by_window(fake, 0, "/api/v3"),
    }


async def real_limits_webhooks(n: int, url: str | None, tmp: Path) -> dict[str, Any]:
    """`n` webhook create events under Strava's limits, on the fast clock."""
    clock = FakeClock(T0)
    runs = Counter[str]()

    def wrap(handlers: dict[str, Any]) -> dict[str, Any]:
        event = handlers[EVENT]

        async def counted(job: Job) -> None:
            runs["total"] += 1
            try:
                await event(job)
            except Later:
                runs["put_back"] += 1
                raise

        return {**handlers, EVENT: counted}

    with limited_fake(clock) as fake:
        fake.add_athlete(ATHLETE)
        async with (
            database_for(url, tmp, "webhooks") as database,
            rig_for(database, clock, fake, tmp, wrap) as rig,
        ):
            await rig.connect()
            await settle(rig, clock, want=0, began=clock.now(), max_jobs=10)  # the (empty) backfill
            setup = requests_seen(fake)
            setup_reads = sum(1 for s in fake.requests if s.method == "GET" and s.path.startswith("/api/v3"))
            since = len(fake.requests)
            made = fake.add_activities(
                ATHLETE, n, start=clock.now() - timedelta(days=2), every=timedelta(minutes=2)
            )
            cpu = Cpu(fake)
            wall_began = time.perf_counter()
            began = clock.now()
            receive_ms = []
            for activity in made:
                body = {
                    **fake.event_for(activity, "create"),
                    "event_time": int(clock.now().timestamp()),
                    "subscription_id": 1,
                }
                t = time.perf_counter()
                await rig.strava.receive(body)
                receive_ms.append((time.perf_counter() - t) * 1000)
            received = time.perf_counter() - wall_began
            settled = await settle(rig, clock, want=n, began=began, max_jobs=n + 10)
            wall = time.perf_counter() - wall_began
            cpu_figures = cpu.figures()
            stored = await rig.stored()
            still_pending = await count_pending_events(database)
    seen = requests_seen(fake, since)
    windows = reads_by_window(fake, 0, "/api/v3")  # the setup's read shares the first window
    reached = settled.reached_at
    simulated = (reached - began).total_seconds() if reached else None
    per_window = STRAVA_READ_LIMITS[0] - RESERVE
    return {
        "events": n,
        "limits": {**LIMITS_TEXT, "kept_in_reserve": RESERVE},
        "clock_start": began.isoformat(),
        "setup_requests": setup["by_path"],
        "setup_reads_in_first_window": setup_reads,
        "stored": stored,
        "events_pending_after": still_pending,
        "simulated_s": simulated,
        "simulated_h": None if simulated is None else round(simulated / 3600, 2),
        "last_stored_at": None if reached is None else reached.isoformat(),
        "day_boundary_crossed": None if reached is None else reached.date() != began.date(),
        "windows_with_reads": len(windows),
        "windows_over_the_reserve": sum(1 for w in windows if w["reads"] > per_window),
        "expected_windows_if_no_daily_limit": math.ceil((n + setup_reads) / per_window),
        "receive_ms": percentiles(receive_ms),
        "receive_all_s": round(received, 3),
        "wall_s": round(wall, 3),
        **cpu_figures,
        "job_runs": dict(runs),
        "clock_jumps": settled.jumps,
        "requests": seen,
        "status_429": seen["status_429"],
        "reads_by_window": windows,
        "stored_by_hour": {f"{s / 3600:.2f}": count for s, count in settled.timeline},
    }


async def count_pending_events(database: Database) -> int:
    async with database.session() as db:
        query = text("SELECT count(*) FROM jobs WHERE kind = :kind AND done_at IS NULL")
        return int((await db.execute(query, {"kind": EVENT})).scalar_one())


# --------------------------------------------------------------------------- main


def problems_in(figures: dict[str, Any]) -> list[str]:
    found = []
    rate = figures["import_rate"]
    if rate["stored"] != rate["activities"]:
        found.append(f"import_rate: {rate['stored']} of {rate['activities']} activities stored")
    if rate["first_page_after_s"] is not None and rate["first_page_after_s"] > STALL_S:
        found.append(
            f"import_rate: the first page was asked {rate['first_page_after_s']} s after connecting "
            "(the worker slept through its wake-up)"
        )
    if not rate["goal_met"]:
        found.append(f"import_rate: {rate['requests']['api']} API requests, over the goal")
    for name, wanted in (("real_limits_backfill", "activities"), ("real_limits_webhooks", "events")):
        part = figures[name]
        if part["stored"] != part[wanted]:
            found.append(f"{name}: {part['stored']} of {part[wanted]} activities stored")
        if part["status_429"]:
            found.append(f"{name}: Strava answered 429 {part['status_429']} times")
    return found


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="runcoach-strava-bench-") as name:
        tmp = Path(name)
        began = time.perf_counter()
        figures: dict[str, Any] = {
            "machine": {
                "cpu_count": os.cpu_count(),
                "load_average_1m_before": round(os.getloadavg()[0], 2),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "options": {
                "activities": args.activities,
                "backfill_activities": args.backfill_activities,
                "events": args.events,
                "quick": args.quick,
                "database": "sqlite (temporary directory)"
                if args.database_url is None
                else make_url(args.database_url).render_as_string(hide_password=True),
                "worker_concurrency": inspect.signature(Worker).parameters["concurrency"].default,
            },
        }
        steps: list[tuple[str, Callable[[], Awaitable[dict[str, Any]]]]] = [
            ("import_rate", lambda: import_rate(args.activities, args.database_url, tmp)),
            (
                "real_limits_backfill",
                lambda: real_limits_backfill(args.backfill_activities, args.database_url, tmp),
            ),
            ("real_limits_webhooks", lambda: real_limits_webhooks(args.events, args.database_url, tmp)),
        ]
        for key, step in steps:
            figures[key] = await step()
        figures["total_wall_s"] = round(time.perf_counter() - began, 1)
        figures["machine"]["load_average_1m_after"] = round(os.getloadavg()[0], 2)
        figures["problems"] = problems_in(figures)
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--activities", type=int, default=None, help="import_rate: activities (10,000)")
    parser.add_argument(
        "--backfill-activities", type=int, default=None, help="real_limits_backfill: activities (1,000)"
    )
    parser.add_argument("--events", type=int, default=None, help="real_limits_webhooks: events (1,000)")
    parser.add_argument("--quick", action="store_true", help="2,000 / 400 / 250 unless given")
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL URL (postgresql+asyncpg://...): each figure gets a fresh schema there, "
        "dropped afterwards; default SQLite in a temporary directory",
    )
    args = parser.parse_args()
    quick = {"activities": 2000, "backfill_activities": 400, "events": 250}
    full = {"activities": 10_000, "backfill_activities": 1000, "events": 1000}
    for key, value in (quick if args.quick else full).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if min(args.activities, args.backfill_activities, args.events) < 1:
        parser.error("--activities, --backfill-activities and --events must be at least 1")
    if args.database_url is not None and make_url(args.database_url).get_backend_name() != "postgresql":
        parser.error("--database-url takes a PostgreSQL URL; SQLite is the default (a temporary directory)")
    figures = asyncio.run(run(args))
    print(json.dumps(figures, indent=2))
    if figures["problems"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
