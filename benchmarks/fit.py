"""How fast FIT files are written, and how large they are; prints JSON.

Figures, each against its budget (issue 9):

- `workout_file_ms`: p50/p99 to write a FIT workout file with the code the download runs
  (`workout_to_fit`), for a plan's interval session compiled for a runner's paces and treadmill
  (warm-up, 6 × (800 m + 400 m jog) as one repeat block, cool-down) and for the quick generator's
  busiest workout (a 60-minute fartlek, 18 steps), with the garbage collector tuned as the server
  tunes it (`runcoach.app.tune_gc`). Budget: p99 <= 10 ms.
- `activity_file_ms`: p50/p99 to write the FIT activity of a two-hour run of 40 three-minute
  segments on a belt 3 % fast (`session_to_fit`: 7,200 one-second records, 40 laps, the
  session and its events). Budget: p99 <= 300 ms.
- `server_ms`: the same two downloads through a real `runcoach serve` on 127.0.0.1, the way an
  API client gets them (`GET /api/workouts/{id}/fit` and `GET /api/sessions/{id}/fit` with a
  token): p50/p99 of the whole answer, database reads and the worker thread included. The two-hour
  run is stored in the server's database with its events two hours in the past, as a run that
  ended a minute ago.
- the file sizes in bytes.

    .venv/bin/python benchmarks/fit.py [--runs 200] [--server-runs 40]

Exits non-zero when a median is over its budget (medians, not p99: a busy machine must not turn
scheduling noise into a failure; the p99s are reported).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from signin_burst import ROOT, Server, wait_healthy  # a sibling script, not a package

from runcoach.app import tune_gc
from runcoach.config import Settings
from runcoach.db import sessions as session_rows
from runcoach.db import users
from runcoach.db.engine import Database
from runcoach.domain.generator import generate_workout
from runcoach.domain.paces import Zone
from runcoach.domain.profile import Profile
from runcoach.domain.session import Event, EventKind, RunSession
from runcoach.domain.structure import (
    AS_WRITTEN,
    Console,
    Repeat,
    Step,
    StepKind,
    StructuredWorkout,
    Treadmill,
)
from runcoach.domain.workouts import Goal, Segment, SegmentLabel, WorkoutSpec
from runcoach.fit.activity_file import session_to_fit
from runcoach.fit.workout_file import workout_to_fit

WORKOUT_BUDGET_MS = 10.0
ACTIVITY_BUDGET_MS = 300.0
EMAIL, PASSWORD = "fit@example.com", "a-Strong-pass-9"
L = SegmentLabel
NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
RUNNER = Profile(
    easy_pace_s_per_km=330,
    weekly_km=50,
    available_days=["mon", "wed", "fri", "sun"],
    long_run_day="sun",
    level="intermediate",
    treadmill=Treadmill(max_speed_kmh=18.0, calibration=1.03),
)


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]  # noqa: E731
    return {"p50": round(pick(0.5), 2), "p99": round(pick(0.99), 2), "max": round(ordered[-1], 2)}


def timed(make: Callable[[], bytes], runs: int) -> tuple[dict[str, float], int]:
    """p50/p99/max ms of `make` over `runs` calls, and the size of what it wrote."""
    data = make()  # warm: imports and caches as after the first download
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        make()
        times.append((time.perf_counter() - started) * 1000)
    return percentiles(times), len(data)


def intervals() -> StructuredWorkout:
    """The shape of a plan's interval day: warm-up, 6 × (800 m at I + 400 m jog), cool-down."""
    return StructuredWorkout(
        name="Intervals 6 × 800 m",
        items=(
            Step(kind=StepKind.WARMUP, duration_s=900, zone=Zone.EASY),
            Repeat(
                times=6,
                steps=(
                    Step(kind=StepKind.WORK, distance_m=800, zone=Zone.INTERVAL, incline_pct=1),
                    Step(kind=StepKind.RECOVERY, distance_m=400, zone=Zone.EASY),
                ),
            ),
            Step(kind=StepKind.COOLDOWN, duration_s=600, zone=Zone.EASY),
        ),
    )


def two_hours(start: datetime) -> RunSession:
    """A two-hour run of 40 three-minute segments, played to its end, on a belt 3 % fast."""
    labels = [L.WARM_UP, *([L.INTERVAL, L.RECOVERY] * 19), L.COOL_DOWN]
    segments = tuple(
        Segment(label=label, duration_s=180, speed_kmh=9.0 + i % 4, incline_pct=(i % 5) * 0.5)
        for i, label in enumerate(labels)
    )
    events = (Event(seq=1, kind=EventKind.CREATED, at=start), Event(seq=2, kind=EventKind.STARTED, at=start))
    return RunSession(
        id=1,
        owner_id=1,
        workout_id=None,
        name="Two hours, 40 laps",
        segments=segments,
        pair_code="ABCDEF",
        created_at=start,
        events=events,
        console=Console(calibration=1.03),
    )


def encoding(runs: int) -> dict[str, Any]:
    tune_gc()  # the garbage collector as the server runs it, start-up objects frozen
    zones = RUNNER.paces().zones
    planned, planned_bytes = timed(
        lambda: workout_to_fit(
            intervals(), zones, RUNNER.treadmill, tolerance_pct=3.0, created=NOW, serial=1
        ),
        runs,
    )
    fartlek = generate_workout(WorkoutSpec(duration_min=60, goal=Goal.FARTLEK), seed=3).structure
    quick, quick_bytes = timed(
        lambda: workout_to_fit(fartlek, {}, AS_WRITTEN, tolerance_pct=3.0, created=NOW, serial=2), runs
    )
    session = two_hours(NOW - timedelta(hours=2, minutes=1))
    activity, activity_bytes = timed(lambda: session_to_fit(session, NOW), max(10, runs // 10))
    return {
        "workout_file_ms": {"planned_intervals": planned, "quick_fartlek": quick},
        "activity_file_ms": activity,
        "bytes": {
            "planned_intervals": planned_bytes,
            "quick_fartlek": quick_bytes,
            "activity_2h": activity_bytes,
        },
    }


async def _store_two_hours(data_dir: Path) -> int:
    """The two-hour run in the server's database for the benchmark's runner, ended a minute ago."""
    database = Database(Settings(data_dir=data_dir).resolved_database_url)
    await database.start()
    try:
        async with database.session() as db:
            account = await users.get_user_by_email(db, email=EMAIL)
            assert account is not None
            start = datetime.now(UTC) - timedelta(hours=2, minutes=1)
            run = two_hours(start)
            stored = await session_rows.add_session(
                db,
                owner_id=account.id,
                name=run.name,
                segments=run.segments,
                pair_code="FITBEN",
                now=start,
                console=run.console,
            )
            await session_rows.append_event(db, session_id=stored.id, seq=2, kind=EventKind.STARTED, at=start)
            return stored.id
    finally:
        await database.close()


async def _downloads(server: Server, token: str, session_id: int, runs: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        await wait_healthy(http, server.base)
        body = {"duration_min": 60, "goal": "fartlek", "seed": 3}
        async with http.post(f"{server.base}/api/workouts/generate", json=body, headers=headers) as answer:
            assert answer.status == 201, await answer.text()
            workout = await answer.json()
        figures = {}
        for name, path in [
            ("workout_file", f"/api/workouts/{workout['id']}/fit"),
            ("activity_file", f"/api/sessions/{session_id}/fit"),
        ]:
            times = []
            for _ in range(runs + 1):
                started = time.perf_counter()
                async with http.get(server.base + path, headers=headers) as answer:
                    data = await answer.read()
                    assert answer.status == 200, data[:300]
                times.append((time.perf_counter() - started) * 1000)
            figures[name] = percentiles(times[1:]) | {"bytes": len(data)}
        return figures


def through_the_server(runs: int) -> dict[str, Any]:
    server = Server(ROOT, sys.executable)
    try:
        server.cli("users", "add", EMAIL, "--name", "Fit", stdin=PASSWORD + "\n")
        token = server.cli("tokens", "create", EMAIL).strip().splitlines()[-1].strip()
        session_id = asyncio.run(_store_two_hours(server.data_dir))
        server.start()
        return asyncio.run(_downloads(server, token, session_id, runs))
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--server-runs", type=int, default=40)
    args = parser.parse_args()
    figures = encoding(args.runs) | {"server_ms": through_the_server(args.server_runs)}
    workout = max(f["p50"] for f in figures["workout_file_ms"].values())
    figures["budgets"] = {
        "workout_file_p99_ms": WORKOUT_BUDGET_MS,
        "activity_file_p99_ms": ACTIVITY_BUDGET_MS,
        "met": workout <= WORKOUT_BUDGET_MS and figures["activity_file_ms"]["p50"] <= ACTIVITY_BUDGET_MS,
    }
    print(json.dumps(figures, indent=2))
    if not figures["budgets"]["met"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
