"""The plans JSON API through the ASGI app: the current plan compiled for the runner, versions,
revert, reset, Run it now, and the refusals (others' plans, ids no row can have, broken rules)."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest

from runcoach.context import context
from runcoach.domain.structure import MPH_STEP_KMH
from runcoach.plans import service
from tests.api.conftest import Runner
from tests.helpers import HUGE_IDS, PLAN_PROFILE, easy_plan

# Every test here runs on SQLite and again on PostgreSQL.
pytestmark = pytest.mark.usefixtures("app_backend")

MONDAY = date(2026, 11, 2)


async def with_plan(http: httpx.AsyncClient, runner: Runner, **profile: Any) -> int:
    """The runner's profile (PLAN_PROFILE with `profile` changes) and a three-week easy plan."""
    body = PLAN_PROFILE.model_dump(mode="json") | profile
    assert (await http.put("/api/profile", json=body, headers=runner.headers)).status_code == 200
    ctx = context()
    stored = await service.store_new(
        ctx.db, runner.id, goal_id=None, seed=5, draft=easy_plan(MONDAY), now=ctx.clock.now()
    )
    return stored.plan.id


async def test_no_plan_is_404_with_what_to_do(http: httpx.AsyncClient, ann: Runner) -> None:
    response = await http.get("/api/plans/current", headers=ann.headers)
    assert response.status_code == 404 and "No plan yet" in response.json()["detail"]
    assert (await http.delete("/api/plans/current", headers=ann.headers)).status_code == 404


async def test_the_current_plan_is_compiled_for_the_runner(http: httpx.AsyncClient, ann: Runner) -> None:
    plan_id = await with_plan(http, ann)
    plan = (await http.get("/api/plans/current", headers=ann.headers)).json()
    assert (plan["id"], plan["version"], plan["is_current"], plan["created_by"]) == (
        plan_id,
        1,
        True,
        "generator",
    )
    assert (plan["start_date"], plan["end_date"], plan["methodology"]) == (
        "2026-11-02",
        "2026-11-22",
        "daniels",
    )
    assert [w["index"] for w in plan["weeks"]] == [0, 1, 2]
    assert [len(plan["workouts"]), plan["workouts"][0]["id"], plan["workouts"][-1]["id"]] == [9, 1, 9]
    first = plan["workouts"][0]
    assert (first["date"], first["type"], first["hard"], first["planned_duration_s"]) == (
        "2026-11-02",
        "easy",
        False,
        2400,
    )
    assert first["structure"]["items"][0]["zone"] == "E"
    [segment] = first["segments"]
    assert (segment["zone"], segment["duration_s"]) == ("E", 2400)
    # 40 minutes at the middle of E: the week is three of them.
    km = 2400 * segment["speed_kmh"] / 3600
    assert first["planned_distance_km"] == pytest.approx(km, abs=0.01)
    assert plan["weeks"][0]["planned_distance_km"] == pytest.approx(3 * km, abs=0.03)
    assert plan["weeks"][0]["planned_duration_s"] == 3 * 2400


async def test_speeds_follow_the_treadmill_the_runner_has_now(http: httpx.AsyncClient, ann: Runner) -> None:
    await with_plan(http, ann)
    before = (await http.get("/api/plans/current", headers=ann.headers)).json()["workouts"][0]["segments"][0]
    treadmill = {"speed_step_kmh": MPH_STEP_KMH, "calibration": 1.1}
    await http.put(
        "/api/profile",
        json=PLAN_PROFILE.model_dump(mode="json") | {"treadmill": treadmill},
        headers=ann.headers,
    )
    after = (await http.get("/api/plans/current", headers=ann.headers)).json()["workouts"][0]["segments"][0]
    assert after["speed_kmh"] < before["speed_kmh"]  # the belt runs 10 % fast: press a smaller number
    mph = after["speed_kmh"] / (MPH_STEP_KMH * 10)
    assert mph == pytest.approx(round(mph, 1), abs=1e-6)  # on the console's 0.1 mph grid


async def test_versions_revert_and_reset(http: httpx.AsyncClient, ann: Runner) -> None:
    plan_id = await with_plan(http, ann)
    reverted = await http.post(f"/api/plans/{plan_id}/revert", json={"version": 1}, headers=ann.headers)
    assert reverted.status_code == 200, reverted.text
    assert (reverted.json()["version"], reverted.json()["reason"]) == (2, "Back to version 1")
    versions = (await http.get(f"/api/plans/{plan_id}/versions", headers=ann.headers)).json()
    assert [(v["version"], v["is_current"], v["created_by"]) for v in versions] == [
        (2, True, "runner"),
        (1, False, "generator"),
    ]
    assert versions[0]["changes"] == []  # the same plan again
    old = await http.get(f"/api/plans/{plan_id}", params={"version": 1}, headers=ann.headers)
    assert old.json()["version"] == 1 and old.json()["is_current"] is False
    missing = await http.post(f"/api/plans/{plan_id}/revert", json={"version": 7}, headers=ann.headers)
    assert missing.status_code == 404 and missing.json() == {
        "detail": f"Version 7 of plan {plan_id} not found"
    }

    reset = await http.delete("/api/plans/current", headers=ann.headers)
    assert reset.json() == {"archived_plan_id": plan_id}
    assert (await http.get("/api/plans/current", headers=ann.headers)).status_code == 404
    archived = (await http.get(f"/api/plans/{plan_id}", headers=ann.headers)).json()
    assert archived["archived"] is True and archived["version"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": 0}, "version"),
        ({"version": 2**63}, "version"),
        ({"version": True}, "version"),
        ({}, "version"),
    ],
)
async def test_a_revert_body_that_names_no_version_is_422(
    http: httpx.AsyncClient, ann: Runner, body: dict[str, Any], field: str
) -> None:
    plan_id = await with_plan(http, ann)
    response = await http.post(f"/api/plans/{plan_id}/revert", json=body, headers=ann.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


async def test_run_it_now_starts_a_session_of_the_planned_day(http: httpx.AsyncClient, ann: Runner) -> None:
    plan_id = await with_plan(http, ann)
    planned = (await http.get("/api/plans/current", headers=ann.headers)).json()["workouts"][3]
    response = await http.post(f"/api/plans/{plan_id}/workouts/4/session", headers=ann.headers)
    assert response.status_code == 201, response.text
    session = response.json()
    assert (session["plan_id"], session["plan_workout_id"], session["workout_id"]) == (plan_id, 4, None)
    assert (session["name"], session["status"], session["total_duration_s"]) == (
        planned["title"],
        "created",
        2400,
    )
    assert session["segment"]["speed_kmh"] == planned["segments"][0]["speed_kmh"]
    again = await http.get(f"/api/sessions/{session['id']}", headers=ann.headers)
    assert again.json()["plan_workout_id"] == 4
    started = await http.post(f"/api/sessions/{session['id']}/start", headers=ann.headers)
    assert started.json()["status"] == "running"


async def test_another_runners_plan_and_impossible_ids_are_404(
    http: httpx.AsyncClient, ann: Runner, bob: Runner
) -> None:
    plan_id = await with_plan(http, ann)
    for path in (f"/api/plans/{plan_id}", f"/api/plans/{plan_id}/versions"):
        assert (await http.get(path, headers=bob.headers)).status_code == 404
    assert (
        await http.post(f"/api/plans/{plan_id}/workouts/1/session", headers=bob.headers)
    ).status_code == 404
    revert = await http.post(f"/api/plans/{plan_id}/revert", json={"version": 1}, headers=bob.headers)
    assert revert.status_code == 404
    assert (
        await http.post(f"/api/plans/{plan_id}/workouts/99/session", headers=ann.headers)
    ).status_code == 404
    for huge in HUGE_IDS:
        for path in (f"/api/plans/{huge}", f"/api/plans/{plan_id}/workouts/{huge}/session"):
            method = http.post if path.endswith("session") else http.get
            response = await method(path, headers=ann.headers)
            assert response.status_code in (404, 422), (path, response.status_code)
