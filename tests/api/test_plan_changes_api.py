"""Making and changing plans through the JSON API with the real generator: a plan for a goal,
refusals with reasons, edits through the rule checker (422 with the nearest alternative), diff,
Adapt today, and check-ins."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from runcoach.context import context
from tests.api.conftest import Runner
from tests.helpers import PLAN_PROFILE

# Every test here runs on SQLite and again on PostgreSQL.
pytestmark = pytest.mark.usefixtures("app_backend")


async def plan_for_a_10k(http: httpx.AsyncClient, runner: Runner, **body: Any) -> dict[str, Any]:
    profile = PLAN_PROFILE.model_dump(mode="json")
    assert (await http.put("/api/profile", json=profile, headers=runner.headers)).status_code == 200
    race_day = context().today() + timedelta(weeks=10)
    goal = {"kind": "race", "race_distance_m": 10_000, "race_date": race_day.isoformat()}
    made = await http.post("/api/goals", json=goal, headers=runner.headers)
    assert made.status_code == 201, made.text
    response = await http.post(
        "/api/plans", json={"goal_id": made.json()["id"], "seed": 4, **body}, headers=runner.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def future(plan: dict[str, Any], type_: str | None = None) -> dict[str, Any]:
    """A planned workout after today (editable), of `type_` if given."""
    today = context().today().isoformat()
    return next(w for w in plan["workouts"] if w["date"] > today and (type_ is None or w["type"] == type_))


async def test_a_plan_for_a_goal_ends_with_the_race_on_race_day(http: httpx.AsyncClient, ann: Runner) -> None:
    plan = await plan_for_a_10k(http, ann)
    race = plan["workouts"][-1]
    assert race["type"] == "race" and race["date"] == (context().today() + timedelta(weeks=10)).isoformat()
    assert (plan["version"], plan["created_by"], plan["methodology"]) == (1, "generator", "daniels")
    assert plan["weeks"][-1]["phase"] == "race_week"
    assert {w["date"][:10] for w in plan["workouts"]} and all(
        date.fromisoformat(w["date"]).weekday() in (0, 2, 4, 6)
        for w in plan["workouts"]
        if w["type"] != "race"
    )
    again = (await http.get("/api/plans/current", headers=ann.headers)).json()
    assert again == plan


async def test_the_two_methodologies_give_different_plans(
    http: httpx.AsyncClient, ann: Runner, bob: Runner
) -> None:
    daniels = await plan_for_a_10k(http, ann)
    eighty = await plan_for_a_10k(http, bob, methodology="80_20")
    assert eighty["methodology"] == "80_20"
    shape = [(w["date"], w["type"], w["title"]) for w in daniels["workouts"]]
    assert shape != [(w["date"], w["type"], w["title"]) for w in eighty["workouts"]]


async def test_a_goal_that_cannot_be_planned_safely_is_refused_with_reasons(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    body = PLAN_PROFILE.model_dump(mode="json") | {"weekly_km": 0}
    await http.put("/api/profile", json=body, headers=ann.headers)
    soon = (context().today() + timedelta(weeks=4)).isoformat()
    goal = (
        await http.post(
            "/api/goals",
            json={"kind": "race", "race_distance_m": 42_195, "race_date": soon},
            headers=ann.headers,
        )
    ).json()
    response = await http.post("/api/plans", json={"goal_id": goal["id"]}, headers=ann.headers)
    assert response.status_code == 422, response.text
    reasons = [d["msg"] for d in response.json()["detail"]]
    assert reasons and all(r.strip() for r in reasons)
    assert (await http.get("/api/plans/current", headers=ann.headers)).status_code == 404


async def test_someone_elses_goal_cannot_be_planned(
    http: httpx.AsyncClient, ann: Runner, bob: Runner
) -> None:
    plan = await plan_for_a_10k(http, ann)
    await http.put("/api/profile", json=PLAN_PROFILE.model_dump(mode="json"), headers=bob.headers)
    response = await http.post("/api/plans", json={"goal_id": plan["goal_id"]}, headers=bob.headers)
    assert response.status_code == 404


async def test_an_edit_that_breaks_a_rule_is_refused_with_the_nearest_alternative(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    plan = await plan_for_a_10k(http, ann)
    run = future(plan, "easy")
    tuesday = date.fromisoformat(run["date"])
    tuesday += timedelta(days=(1 - tuesday.weekday()) % 7 or 7)  # the runner never trains on Tuesdays
    response = await http.patch(
        f"/api/plans/{plan['id']}/workouts/{run['id']}",
        json={"op": "move", "to": tuesday.isoformat()},
        headers=ann.headers,
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert "unavailable_day" in {d["rule"] for d in body["detail"]}
    assert "Tuesday is not one of your training days" in body["detail"][0]["msg"]
    if body["alternative"] is not None:
        assert body["alternative"]["op"] == "move" and body["alternative"]["to"] != tuesday.isoformat()
        assert body["suggestion"].endswith("works.")
        moved = await http.patch(
            f"/api/plans/{plan['id']}/workouts/{run['id']}",
            json=body["alternative"] | {"wid": None},
            headers=ann.headers,
        )
        assert moved.status_code == 422  # wid is the path's, not the body's
    assert (await http.get("/api/plans/current", headers=ann.headers)).json()["version"] == 1


async def test_rest_then_diff_then_revert(http: httpx.AsyncClient, ann: Runner) -> None:
    plan = await plan_for_a_10k(http, ann)
    run = future(plan, "easy")
    rested = await http.patch(
        f"/api/plans/{plan['id']}/workouts/{run['id']}", json={"op": "rest"}, headers=ann.headers
    )
    assert rested.status_code == 200, rested.text
    assert rested.json()["message"].endswith("is now a rest day.")
    after = rested.json()["plan"]
    assert after["version"] == 2 and after["created_by"] == "runner"
    day = next(w for w in after["workouts"] if w["id"] == run["id"])
    assert (day["type"], day["structure"], day["segments"]) == ("rest", None, [])
    diff = (
        await http.get(f"/api/plans/{plan['id']}/diff", params={"from": 1, "to": 2}, headers=ann.headers)
    ).json()
    assert [c["wid"] for c in diff["changed"]] == [run["id"]]
    week = next(w for w in diff["weeks"] if w["change_km"] != 0)
    assert week["change_km"] == pytest.approx(-run["planned_distance_km"], abs=0.05)
    versions = (await http.get(f"/api/plans/{plan['id']}/versions", headers=ann.headers)).json()
    assert (
        versions[0]["changes"][0]["wid"] == run["id"] and versions[0]["changes"][0]["after"]["type"] == "rest"
    )
    back = await http.post(f"/api/plans/{plan['id']}/revert", json={"version": 1}, headers=ann.headers)
    assert [w["type"] for w in back.json()["workouts"]] == [w["type"] for w in plan["workouts"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"op": "move"}, "to"),
        ({"op": "swap"}, "other_wid"),
        ({"op": "change"}, "op"),
        ({"op": "change", "type": "race"}, "op"),
        ({"op": "change", "minutes": 5}, "minutes"),
        ({"op": "teleport"}, "op"),
        ({"op": "rest", "extra": 1}, "extra"),
    ],
)
async def test_an_edit_body_that_makes_no_edit_is_422(
    http: httpx.AsyncClient, ann: Runner, body: dict[str, Any], field: str
) -> None:
    plan = await plan_for_a_10k(http, ann)
    run = future(plan)
    response = await http.patch(
        f"/api/plans/{plan['id']}/workouts/{run['id']}", json=body, headers=ann.headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field


async def test_twenty_edits_at_once_leave_one_current_version(http: httpx.AsyncClient, ann: Runner) -> None:
    plan = await plan_for_a_10k(http, ann)
    days = [w for w in plan["workouts"] if w["type"] == "easy" and w["date"] > context().today().isoformat()][
        :20
    ]
    results = await asyncio.gather(
        *(
            http.patch(
                f"/api/plans/{plan['id']}/workouts/{w['id']}", json={"op": "rest"}, headers=ann.headers
            )
            for w in days
        )
    )
    assert {r.status_code for r in results} <= {200, 409, 422}
    versions = (await http.get(f"/api/plans/{plan['id']}/versions", headers=ann.headers)).json()
    assert [v["version"] for v in versions] == list(range(len(versions), 0, -1))
    assert sum(v["is_current"] for v in versions) == 1
    assert len(versions) == 1 + sum(r.status_code == 200 for r in results)


async def test_adapt_today_when_very_sore_turns_the_day_into_rest(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    plan = await plan_for_a_10k(http, ann)
    today = context().today().isoformat()
    day = next((w for w in plan["workouts"] if w["date"] >= today and w["type"] != "race"), None)
    assert day is not None
    response = await http.post(
        f"/api/plans/{plan['id']}/workouts/{day['id']}/adapt",
        json={"soreness": 9, "minutes_available": 60},
        headers=ann.headers,
    )
    assert response.status_code == 200, response.text
    adapted = response.json()
    assert adapted["readiness"] == "rest" and adapted["action"] == "rest"
    assert "soreness" in adapted["reason"].lower()
    assert adapted["workout"] is None and adapted["plan"]["version"] == 2
    versions = (await http.get(f"/api/plans/{plan['id']}/versions", headers=ann.headers)).json()
    assert versions[0]["reason"] == adapted["reason"]


async def test_adapt_today_with_less_time_shortens_and_keeps_the_frame(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    plan = await plan_for_a_10k(http, ann)
    today = context().today().isoformat()
    day = next(
        w
        for w in plan["workouts"]
        if w["date"] >= today and w["type"] != "race" and w["planned_duration_s"] >= 40 * 60
    )
    response = await http.post(
        f"/api/plans/{plan['id']}/workouts/{day['id']}/adapt",
        json={"minutes_available": 30},
        headers=ann.headers,
    )
    adapted = response.json()
    assert adapted["action"] == "shorten", adapted["reason"]
    assert adapted["workout"]["planned_duration_s"] <= 30 * 60
    assert [s["label"] for s in adapted["workout"]["segments"]][:1] == [s["label"] for s in day["segments"]][
        :1
    ]


async def test_checkins_feed_readiness(http: httpx.AsyncClient, ann: Runner) -> None:
    await http.put("/api/profile", json=PLAN_PROFILE.model_dump(mode="json"), headers=ann.headers)
    fine = await http.post("/api/checkins", json={"soreness": 1, "sleep": 4}, headers=ann.headers)
    assert fine.status_code == 201, fine.text
    assert fine.json()["readiness"] == "go"
    sore = await http.post("/api/checkins", json={"soreness": 8, "effort": 9}, headers=ann.headers)
    assert sore.json()["readiness"] == "rest" and "8.0 of 10" in sore.json()["readiness_reason"]
    for bad in (
        {"soreness": 11},
        {"effort": 0},
        {"session_id": 2**31},
        {"day": "2999-01-01"},
        {"day": 0},
        {"day": "0"},
    ):
        response = await http.post("/api/checkins", json=bad, headers=ann.headers)
        assert response.status_code == 422, (bad, response.text)
    headers = ann.headers | {"Content-Type": "application/json"}
    nan = await http.post("/api/checkins", content=b'{"fatigue": NaN}', headers=headers)
    assert nan.status_code == 422
    assert (await http.post("/api/checkins", json={"session_id": 99}, headers=ann.headers)).status_code == 404


@pytest.mark.parametrize("start", ["1970-01-05", 0, "0", "2031-01-06", "next monday"])
async def test_a_plan_cannot_start_in_a_past_week_or_years_ahead(
    http: httpx.AsyncClient, ann: Runner, start: object
) -> None:
    plan = await plan_for_a_10k(http, ann)
    response = await http.post(
        "/api/plans", json={"goal_id": plan["goal_id"], "start_date": start}, headers=ann.headers
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == "start_date"
    assert (await http.get("/api/plans/current", headers=ann.headers)).json()["id"] == plan["id"]


async def test_a_goal_more_than_a_year_away_is_refused_not_planned_for_years(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    await http.put("/api/profile", json=PLAN_PROFILE.model_dump(mode="json"), headers=ann.headers)
    far = (context().today() + timedelta(weeks=120)).isoformat()
    goal = {"kind": "race", "race_distance_m": 10_000, "race_date": far}
    made = (await http.post("/api/goals", json=goal, headers=ann.headers)).json()
    response = await http.post("/api/plans", json={"goal_id": made["id"]}, headers=ann.headers)
    assert response.status_code == 422, response.text
    assert "a plan spans at most 52 weeks" in response.json()["detail"][0]["msg"]
