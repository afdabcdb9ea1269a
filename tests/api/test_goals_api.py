"""The goals JSON API through the ASGI app: create, read, list, refusals, ownership, attackers."""

from __future__ import annotations

import asyncio
import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.api.conftest import Runner
from tests.helpers import HUGE_IDS

# Every test here runs on SQLite and again on PostgreSQL.
pytestmark = pytest.mark.usefixtures("app_backend")

LIMIT = 1024 * 1024  # the default RUNCOACH_MAX_BODY_BYTES
PROFILE = {
    "recent_race": {"distance_m": 5000, "time_s": 1500, "date": "2026-01-10"},
    "weekly_km": 20,
    "available_days": ["tue", "thu", "sun"],
    "long_run_day": "sun",
    "level": "intermediate",
}
FIELDS = ["kind", "race_distance_m", "race_date", "target_time_s", "weekly_km_target", "by_date"]
VERDICT = ["feasibility", "feasibility_reason", "realistic_target", "weeks_left", "predicted_time_s"]


def in_days(days: int) -> str:
    # The app's clock is the system clock (tests/app_main.py); a day's slack either side is harmless.
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def race(**changes: Any) -> dict[str, Any]:
    return {"kind": "race", "race_distance_m": 10_000, "race_date": in_days(84), **changes}


async def with_profile(http: httpx.AsyncClient, runner: Runner) -> Runner:
    response = await http.put("/api/profile", json=PROFILE, headers=runner.headers)
    assert response.status_code == 200, response.text
    return runner


async def post(http: httpx.AsyncClient, runner: Runner, data: Any) -> httpx.Response:
    return await http.post("/api/goals", json=data, headers=runner.headers)


async def test_a_goal_without_a_profile_is_404_saying_what_to_do(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    response = await post(http, ann, race())
    assert response.status_code == 404
    assert response.json() == {"detail": "Set your profile first: a recent race or an easy pace"}


async def test_post_get_and_list_round_trip(http: httpx.AsyncClient, ann: Runner) -> None:
    await with_profile(http, ann)
    response = await post(http, ann, race(target_time_s=3000))
    assert response.status_code == 201, response.text
    goal = response.json()
    assert {k: goal[k] for k in FIELDS} == {
        **dict.fromkeys(FIELDS),
        **race(target_time_s=3000),
    }
    assert goal["feasibility"] in {"ok", "ambitious", "unrealistic"} and goal["weeks_left"] == 12
    assert goal["feasibility_reason"].endswith(".") and goal["required_vdot"] > 0
    assert datetime.fromisoformat(goal["assessed_at"]) == datetime.fromisoformat(goal["created_at"])
    assert (await http.get(f"/api/goals/{goal['id']}", headers=ann.headers)).json() == goal
    keep_fit = await post(http, ann, {"kind": "volume"})
    assert keep_fit.status_code == 201 and keep_fit.json()["feasibility"] == "ok"
    listed = (await http.get("/api/goals", headers=ann.headers)).json()
    assert [g["id"] for g in listed] == [keep_fit.json()["id"], goal["id"]]


@pytest.mark.parametrize(("target", "verdict"), [(None, "ok"), (1500 * 2.05, "ok"), (2400, "unrealistic")])
async def test_the_verdict_follows_the_target(
    http: httpx.AsyncClient, ann: Runner, target: float | None, verdict: str
) -> None:
    await with_profile(http, ann)
    goal = (await post(http, ann, race(target_time_s=target))).json()
    assert goal["feasibility"] == verdict, goal
    assert (goal["realistic_target"] is None) == (verdict == "ok")


@pytest.mark.parametrize(
    ("data", "loc", "message"),
    [
        (race(race_date="2020-01-01"), ["body", "race_date"], "in the past"),
        (
            {"kind": "volume", "weekly_km_target": 30, "by_date": "2020-01-01"},
            ["body", "by_date"],
            "in the past",
        ),
        (race(weekly_km_target=30), ["body"], "A race goal has no volume fields: weekly_km_target"),
        (
            {"kind": "volume", "race_date": in_days(3)},
            ["body"],
            "A volume goal has no race fields: race_date",
        ),
        ({"kind": "volume", "weekly_km_target": 30}, ["body"], "needs both weekly_km_target and by_date"),
        (race(race_distance_m=True), ["body", "race_distance_m"], "a number, not true or false"),
        (
            {"kind": "volume", "weekly_km_target": False, "by_date": in_days(30)},
            ["body", "weekly_km_target"],
            "a number, not true or false",
        ),
        (race(race_date=True), ["body", "race_date"], "a date as YYYY-MM-DD"),
        (race(target_time_s=10), ["body", "target_time_s"], "greater than or equal to 180"),
        (race(race_date=20300101), ["body", "race_date"], "a date as YYYY-MM-DD"),
        (race(race_distance_m=100), ["body", "race_distance_m"], "greater than or equal to 1500"),
        (race(colour="red"), ["body", "colour"], "Extra inputs are not permitted"),
        ({"kind": "swim"}, ["body", "kind"], "'race' or 'volume'"),
    ],
)
async def test_bad_input_is_422_with_field_and_reason(
    http: httpx.AsyncClient, ann: Runner, data: dict[str, Any], loc: list[Any], message: str
) -> None:
    await with_profile(http, ann)
    response = await post(http, ann, data)
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert any(e["loc"] == loc and message in e["msg"] for e in errors), errors
    assert (await http.get("/api/goals", headers=ann.headers)).json() == []


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("field", ["race_distance_m", "target_time_s"])
async def test_nan_and_infinity_are_422_never_500(
    http: httpx.AsyncClient, ann: Runner, field: str, value: float
) -> None:
    await with_profile(http, ann)
    headers = {**ann.headers, "Content-Type": "application/json"}
    response = await http.post("/api/goals", content=json.dumps(race(**{field: value})), headers=headers)
    assert response.status_code == 422, response.text
    assert any(e["loc"] == ["body", field] and "finite number" in e["msg"] for e in response.json()["detail"])


async def test_a_megabyte_body_is_refused_without_echo(http: httpx.AsyncClient, ann: Runner) -> None:
    await with_profile(http, ann)
    headers = {**ann.headers, "Content-Type": "application/json"}
    over = json.dumps(race(notes="a" * LIMIT))
    response = await http.post("/api/goals", content=over, headers=headers)
    assert response.status_code == 413 and len(response.content) < 200
    under = json.dumps(race(notes="a" * (LIMIT - 200)))
    response = await http.post("/api/goals", content=under, headers=headers)
    assert response.status_code == 422 and len(response.content) < 1000
    assert (await http.get("/api/goals", headers=ann.headers)).json() == []


async def test_twenty_concurrent_posts_make_twenty_goals(http: httpx.AsyncClient, ann: Runner) -> None:
    await with_profile(http, ann)
    answers = await asyncio.gather(*(post(http, ann, race(race_date=in_days(40 + i))) for i in range(20)))
    assert [a.status_code for a in answers] == [201] * 20
    listed = (await http.get("/api/goals", headers=ann.headers)).json()
    assert len({g["id"] for g in listed}) == 20


async def test_another_runners_goal_is_404_and_not_listed(
    http: httpx.AsyncClient, ann: Runner, bob: Runner
) -> None:
    await with_profile(http, ann)
    await with_profile(http, bob)
    goal = (await post(http, ann, race())).json()
    response = await http.get(f"/api/goals/{goal['id']}", headers=bob.headers)
    assert response.status_code == 404 and response.json() == {"detail": "No such goal"}
    assert (await http.get("/api/goals", headers=bob.headers)).json() == []
    unknown = await http.get(f"/api/goals/{goal['id'] + 1}", headers=ann.headers)
    assert unknown.json() == response.json()  # unknown and somebody else's look the same


@pytest.mark.parametrize("text", [*HUGE_IDS, "0"])
async def test_an_id_no_row_can_have_is_refused_never_500(
    http: httpx.AsyncClient, ann: Runner, text: str
) -> None:
    response = await http.get(f"/api/goals/{text}", headers=ann.headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["path", "goal_id"]


async def test_signed_out_is_401(http: httpx.AsyncClient) -> None:
    for method, path in [("GET", "/api/goals"), ("POST", "/api/goals"), ("GET", "/api/goals/1")]:
        assert (await http.request(method, path)).status_code == 401


async def test_the_openapi_documents_the_routes(http: httpx.AsyncClient) -> None:
    paths = (await http.get("/openapi.json")).json()["paths"]
    assert {"201", "401", "404", "422", "503"} <= set(paths["/api/goals"]["post"]["responses"])
    assert {"200", "401", "503"} <= set(paths["/api/goals"]["get"]["responses"])
    assert {"200", "401", "404", "422", "503"} <= set(paths["/api/goals/{goal_id}"]["get"]["responses"])
    listed = paths["/api/goals"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed["type"] == "array"
