"""kill -9 in the middle of plan edits: every version a runner was told about survives, the version
numbers have no gap, exactly one is current, and the plan takes edits again after the restart.
Real server processes, on SQLite and on PostgreSQL."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ServerFactory
from tests.helpers import PLAN_PROFILE

WRITERS = 4
#: Edits acknowledged before the kill: enough that the kill lands among writes, not before them.
ACKNOWLEDGED_BEFORE_KILL = 8
EDITS_TIMEOUT_S = 90.0


def _edit_until_stopped(
    base: str, token: str, plan: dict[str, Any], stop: threading.Event, seed: int
) -> tuple[list[int], int]:
    """PATCH easy days to random lengths until stopped; the versions the server acknowledged and
    how many requests the kill cut off."""
    rng = random.Random(seed)
    easy = [
        w["id"]
        for w in plan["workouts"]
        if w["type"] == "easy" and w["date"] > datetime.now(UTC).date().isoformat()
    ]
    acknowledged: list[int] = []
    cut = 0
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        while not stop.is_set():
            body = {"op": "change", "minutes": rng.randrange(30, 46)}
            try:
                response = client.patch(f"/api/plans/{plan['id']}/workouts/{rng.choice(easy)}", json=body)
            except httpx.TransportError:
                cut += 1
                time.sleep(0.01)  # the server is gone: do not spin while the test restarts it
                continue
            assert response.status_code in {200, 409, 422}, response.text
            if response.status_code == 200:
                acknowledged.append(response.json()["plan"]["version"])
    return acknowledged, cut


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_kill_during_plan_edits_loses_no_acknowledged_version_and_leaves_one_current(
    runcoach_server: ServerFactory, backend: str, request: pytest.FixtureRequest
) -> None:
    if backend == "postgres":
        runcoach_server.env["RUNCOACH_DATABASE_URL"] = request.getfixturevalue("postgres_url")
    first = runcoach_server.start()
    token = runcoach_server.user_with_token()
    with first.api(token) as api:
        assert api.client.put("/api/profile", json=PLAN_PROFILE.model_dump(mode="json")).status_code == 200
        race_day = (datetime.now(UTC).date() + timedelta(weeks=12)).isoformat()
        goal = api.post("/api/goals", {"kind": "race", "race_distance_m": 10_000, "race_date": race_day}, 201)
        plan = api.post("/api/plans", {"goal_id": goal["id"], "seed": 2}, status=201)

    stop = threading.Event()
    with ThreadPoolExecutor(WRITERS) as pool:
        writers = [
            pool.submit(_edit_until_stopped, first.base, token, plan, stop, seed) for seed in range(WRITERS)
        ]
        deadline = time.monotonic() + EDITS_TIMEOUT_S
        with first.api(token) as api:
            while len(api.get(f"/api/plans/{plan['id']}/versions")) < ACKNOWLEDGED_BEFORE_KILL:
                assert time.monotonic() < deadline, "the edits never got going"
                time.sleep(0.05)
        first.kill()  # with four writers mid-request
        stop.set()
        results = [w.result(timeout=EDITS_TIMEOUT_S) for w in writers]
    acknowledged = sorted(v for versions, _ in results for v in versions)
    assert len(acknowledged) == len(set(acknowledged)), "two edits were told the same version"

    second = runcoach_server.start()  # same data directory (or database), fresh process
    with second.api(token) as api:
        versions = api.get(f"/api/plans/{plan['id']}/versions")
        numbers = [v["version"] for v in versions]
        assert numbers == list(range(len(numbers), 0, -1)), f"a gap or a duplicate: {numbers}"
        assert sum(v["is_current"] for v in versions) == 1 and versions[0]["is_current"]
        assert set(acknowledged) <= set(numbers), "an acknowledged version was lost"
        current = api.get("/api/plans/current")
        assert current["version"] == numbers[0] and current["workouts"]

        # And it goes on: the next edit makes the next version.
        easy = next(
            w
            for w in current["workouts"]
            if w["type"] == "easy" and w["date"] > datetime.now(UTC).date().isoformat()
        )
        response = api.client.patch(f"/api/plans/{plan['id']}/workouts/{easy['id']}", json={"op": "rest"})
        assert response.status_code in {200, 422}, response.text
        if response.status_code == 200:
            assert response.json()["plan"]["version"] == numbers[0] + 1
