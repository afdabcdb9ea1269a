"""Server time to render the calendar of a 24-week marathon plan, reached the way a browser reaches it.

Starts the real server, makes a runner, their profile, a marathon goal 24 weeks out and its plan
through the JSON API, signs in through the real /login form (as `live_fanout.py` does), then GETs
`/plan` (the month view, with the plan's volume chart) and `/plan?view=week` one after another and
times each answer on 127.0.0.1: the page's whole server-side build, its database reads included.

Used by `benchmarks/plans.py`; runnable alone:

    .venv/bin/python benchmarks/calendar_render.py [--runs 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from live_fanout import Worker  # a sibling script, not a package
from signin_burst import ROOT, Server, wait_healthy

EMAIL, PASSWORD = "calendar@example.com", "a-Strong-pass-9"
PROFILE = {
    "easy_pace_s_per_km": 330,
    "weekly_km": 50,
    "available_days": ["mon", "tue", "wed", "thu", "sat", "sun"],
    "long_run_day": "sun",
    "level": "intermediate",
}
WEEKS = 24


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]  # noqa: E731
    return {"p50": round(pick(0.5), 1), "p99": round(pick(0.99), 1), "max": round(ordered[-1], 1)}


async def _measure(server: Server, token: str, runs: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        await wait_healthy(http, server.base)
        await _post(http, "PUT", f"{server.base}/api/profile", PROFILE, headers)
        race_day = date.today() + timedelta(weeks=WEEKS - 1, days=6 - date.today().weekday())
        goal = await _post(
            http, "POST", f"{server.base}/api/goals",
            {"kind": "race", "race_distance_m": 42195, "race_date": race_day.isoformat()}, headers,
        )  # fmt: skip
        plan = await _post(
            http, "POST", f"{server.base}/api/plans", {"goal_id": goal["id"], "seed": 1}, headers
        )
    worker = Worker(
        {"port": server.port, "page": "real", "batch": 1, "views": [], "email": EMAIL, "password": PASSWORD}
    )
    await worker.connect_all()  # signs in through the real form; no live views
    timings: dict[str, list[float]] = {"month": [], "week": []}
    try:
        for i in range(runs):
            for view, path in (("month", "/plan"), ("week", "/plan?view=week")):
                started = time.perf_counter()
                async with worker.http.get(server.base + path, headers={"Cookie": worker.cookie}) as response:
                    text = await response.text()
                    if response.status != 200 or "rc-cal" not in text:
                        raise RuntimeError(f"GET {path}: HTTP {response.status}, no calendar")
                if i:  # the first of each warms caches up
                    timings[view].append((time.perf_counter() - started) * 1000)
    finally:
        await worker.http.close()
    return {
        "plan_weeks": len(plan["weeks"]),
        "plan_workouts": len(plan["workouts"]),
        "month_ms": percentiles(timings["month"]),
        "week_ms": percentiles(timings["week"]),
    }


async def _post(
    http: aiohttp.ClientSession, method: str, url: str, body: Any, headers: dict[str, str]
) -> Any:
    async with http.request(method, url, json=body, headers=headers) as response:
        answer = await response.json()
        if response.status not in (200, 201):
            raise RuntimeError(f"{method} {url}: HTTP {response.status} {answer}")
        return answer


def measure(runs: int = 60, python: str = sys.executable) -> dict[str, Any]:
    """Start a server, make the plan, and time its calendar pages; the server is stopped after."""
    server = Server(ROOT, python)
    try:
        server.cli("users", "add", EMAIL, "--name", "Runner", stdin=PASSWORD + "\n")
        token = server.cli("tokens", "create", EMAIL).strip().splitlines()[-1]
        server.start()
        return asyncio.run(_measure(server, token, runs))
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=60)
    print(json.dumps(measure(parser.parse_args().runs)))


if __name__ == "__main__":
    main()
