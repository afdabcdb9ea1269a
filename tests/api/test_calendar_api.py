"""The calendar JSON API: planned days beside the runs done, statuses by date, weekly planned vs done."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest

from runcoach.context import context
from runcoach.plans import service
from tests.api.conftest import Runner
from tests.helpers import PLAN_PROFILE, easy_plan, jump

# Every test here runs on SQLite and again on PostgreSQL.
pytestmark = pytest.mark.usefixtures("app_backend")


async def plan_from_this_week(
    http: httpx.AsyncClient, runner: Runner, calibration: float = 1.0
) -> tuple[int, date]:
    body = PLAN_PROFILE.model_dump(mode="json")
    body["treadmill"] = body["treadmill"] | {"calibration": calibration}
    assert (await http.put("/api/profile", json=body, headers=runner.headers)).status_code == 200
    ctx = context()
    today = ctx.today()
    monday = today - timedelta(days=today.weekday())
    stored = await service.store_new(
        ctx.db, runner.id, goal_id=None, seed=1, draft=easy_plan(monday), now=ctx.clock.now()
    )
    return stored.plan.id, monday


async def test_without_a_plan_the_calendar_has_rest_days_and_no_weeks(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    response = await http.get("/api/calendar", headers=ann.headers)
    assert response.status_code == 200, response.text
    cal = response.json()
    assert (cal["plan_id"], cal["weeks"], len(cal["days"])) == (None, [], 28)
    assert {d["status"] for d in cal["days"]} == {"rest"}
    assert [d["date"] for d in cal["days"] if d["is_today"]] == [context().today().isoformat()]


@pytest.mark.parametrize("calibration", [1.0, 1.05])
async def test_a_run_started_from_a_planned_day_marks_that_day_done(
    http: httpx.AsyncClient, ann: Runner, calibration: float
) -> None:
    plan_id, monday = await plan_from_this_week(http, ann, calibration)
    session = (await http.post(f"/api/plans/{plan_id}/workouts/1/session", headers=ann.headers)).json()
    await http.post(f"/api/sessions/{session['id']}/start", headers=ann.headers)
    await jump(2400 + 5)  # the 40 easy minutes, played to the end
    params = {"from": monday.isoformat(), "to": (monday + timedelta(days=20)).isoformat()}
    cal = (await http.get("/api/calendar", params=params, headers=ann.headers)).json()
    days = {d["date"]: d for d in cal["days"]}
    first = days[monday.isoformat()]
    assert first["status"] == "done" and first["workout"]["id"] == 1
    [run] = first["runs"]
    assert (run["session_id"], run["completed"], run["plan_workout_id"]) == (session["id"], True, 1)
    # The belt's distance: the console speed played, × the calibration.
    speed = first["workout"]["segments"][0]["speed_kmh"]
    assert run["distance_km"] == pytest.approx(2400 * speed * calibration / 3600, abs=0.01)
    today = context().today()
    for day in cal["days"][1:]:
        if day["workout"] is None:
            assert day["status"] == "rest"
        else:
            assert day["status"] == ("missed" if date.fromisoformat(day["date"]) < today else "planned")
    assert [w["start_date"] for w in cal["weeks"]] == [
        (monday + timedelta(weeks=i)).isoformat() for i in range(3)
    ]
    assert cal["weeks"][0]["done_distance_km"] == pytest.approx(run["distance_km"], abs=0.01)
    assert cal["weeks"][1]["done_distance_km"] == 0
    assert cal["weeks"][0]["planned_distance_km"] == pytest.approx(3 * run["distance_km"], abs=0.05)


@pytest.mark.parametrize(("run_s", "counts"), [(300, True), (30, False)])
async def test_a_run_not_from_the_plan_counts_on_its_own_date(
    http: httpx.AsyncClient, ann: Runner, run_s: int, counts: bool
) -> None:
    await plan_from_this_week(http, ann)
    spec = {"duration_min": 20, "goal": "easy", "seed": 2}
    workout = (await http.post("/api/workouts/generate", json=spec, headers=ann.headers)).json()
    session = (
        await http.post("/api/sessions", json={"workout_id": workout["id"]}, headers=ann.headers)
    ).json()
    await http.post(f"/api/sessions/{session['id']}/start", headers=ann.headers)
    await jump(run_s)
    await http.post(f"/api/sessions/{session['id']}/finish", headers=ann.headers)
    today = context().today().isoformat()
    cal = (await http.get("/api/calendar", params={"from": today, "to": today}, headers=ann.headers)).json()
    [day] = cal["days"]
    assert [r["session_id"] for r in day["runs"]] == [session["id"]]  # listed either way
    if not counts:  # a tap on Finish within the first minute is no run
        assert day["status"] in ("planned", "rest")
    elif day["workout"] is None:
        assert day["status"] == "done"
    else:  # 5 minutes of a planned 40: partial
        assert day["status"] == "partial"


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-02-01", "to": "2026-01-01"},
        {"from": "2026-01-01", "to": "2027-12-31"},
        {"from": "yesterday"},
        {"from": "2026-02-30"},
        {"from": "0"},
        {"to": "1700000000"},
    ],
)
async def test_a_range_that_is_not_one_is_422(
    http: httpx.AsyncClient, ann: Runner, params: dict[str, str]
) -> None:
    response = await http.get("/api/calendar", params=params, headers=ann.headers)
    assert response.status_code == 422, response.text
