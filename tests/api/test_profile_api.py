"""The profile and paces JSON API through the ASGI app: round trip, refusals, 404s, ownership."""

from __future__ import annotations

import json
import math
from typing import Any

import httpx
import pytest

from runcoach.context import context
from tests.api.conftest import Runner

# Every test here runs on SQLite and again on PostgreSQL.
pytestmark = pytest.mark.usefixtures("app_backend")


def body(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "recent_race": {"distance_m": 5000, "time_s": 1200, "date": "2026-01-10"},
        "weekly_km": 30,
        "available_days": ["tue", "thu", "sun"],
        "max_minutes": {"tue": 60, "sun": 120},
        "long_run_day": "sun",
        "level": "intermediate",
    }
    return {**data, **changes}


async def put(http: httpx.AsyncClient, runner: Runner, data: Any) -> httpx.Response:
    return await http.put("/api/profile", json=data, headers=runner.headers)


async def test_no_profile_is_404_for_both_routes(http: httpx.AsyncClient, ann: Runner) -> None:
    response = await http.get("/api/profile", headers=ann.headers)
    assert response.status_code == 404 and "No profile yet" in response.json()["detail"]
    response = await http.get("/api/paces", headers=ann.headers)
    assert response.status_code == 404
    assert response.json() == {"detail": "Set your profile first: a recent race or an easy pace"}


async def test_put_then_get_round_trips_with_defaults(http: httpx.AsyncClient, ann: Runner) -> None:
    response = await put(http, ann, body(available_days=["sun", "tue", "thu"]))
    assert response.status_code == 200, response.text
    saved = response.json()
    assert saved["available_days"] == ["tue", "thu", "sun"]
    assert saved["treadmill"]["max_speed_kmh"] == 16.0 and saved["injury_notes"] == ""
    assert (await http.get("/api/profile", headers=ann.headers)).json() == saved
    again = await put(http, ann, {**saved, "weekly_km": 45, "recent_race": None, "easy_pace_s_per_km": 330})
    assert again.status_code == 200, again.text
    assert (await http.get("/api/profile", headers=ann.headers)).json()["weekly_km"] == 45


async def test_paces_for_a_20_minute_5k(http: httpx.AsyncClient, ann: Runner) -> None:
    assert (await put(http, ann, body(easy_pace_s_per_km=500))).status_code == 200
    paces = (await http.get("/api/paces", headers=ann.headers)).json()
    assert paces["vdot"] == pytest.approx(49.8, abs=0.05)  # the race wins over the easy pace
    assert list(paces["zones"]) == ["E", "M", "T", "I", "R"]
    lows = [paces["zones"][z]["min_kmh"] for z in "EMTIR"]
    assert lows == sorted(lows)
    for zone in paces["zones"].values():
        assert zone["min_kmh"] < zone["max_kmh"]
    assert set(paces["predictions_s"]) == {"5k", "10k", "half", "marathon"}
    assert paces["predictions_s"]["5k"] == pytest.approx(1200, abs=5)


async def test_paces_from_an_easy_pace_alone(http: httpx.AsyncClient, ann: Runner) -> None:
    assert (await put(http, ann, body(recent_race=None, easy_pace_s_per_km=360))).status_code == 200
    paces = (await http.get("/api/paces", headers=ann.headers)).json()
    assert 30 < paces["vdot"] < 60


@pytest.mark.parametrize(
    ("data", "loc", "message"),
    [
        (body(long_run_day="mon"), ["body"], "long_run_day mon is not one of the available days"),
        (body(weekly_km=1e308), ["body", "weekly_km"], "less than or equal to 300"),
        (body(max_minutes={"tue": 10**30}), ["body", "max_minutes", "tue"], "less than or equal to 360"),
        (body(colour="red"), ["body", "colour"], "Extra inputs are not permitted"),
        (body(recent_race=None), ["body"], "recent race or an easy pace"),
        (
            body(recent_race={"distance_m": 5000, "time_s": 1200, "date": "2999-01-01"}),
            ["body", "recent_race.date"],
            "in the future",
        ),
        (body(available_days=["tue", "tue", "sun"]), ["body", "available_days"], "repeated: tue"),
    ],
)
async def test_bad_input_is_422_with_field_and_reason(
    http: httpx.AsyncClient, ann: Runner, data: dict[str, Any], loc: list[Any], message: str
) -> None:
    response = await put(http, ann, data)
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert any(e["loc"] == loc and message in e["msg"] for e in errors), errors
    assert (await http.get("/api/profile", headers=ann.headers)).status_code == 404


@pytest.mark.parametrize(
    ("data", "loc"),
    [
        (body(weekly_km=math.nan), ["body", "weekly_km"]),
        (body(weekly_km=math.inf), ["body", "weekly_km"]),
        (body(easy_pace_s_per_km=-math.inf), ["body", "easy_pace_s_per_km"]),
        (body(recent_race={"distance_m": 5000, "time_s": math.nan, "date": "2026-01-01"}), None),
    ],
)
async def test_nan_and_infinity_are_422_never_500(
    http: httpx.AsyncClient, ann: Runner, data: dict[str, Any], loc: list[str] | None
) -> None:
    # json.dumps writes NaN and Infinity, as some clients do; Python's json module reads them back.
    headers = {**ann.headers, "Content-Type": "application/json"}
    response = await http.put("/api/profile", content=json.dumps(data), headers=headers)
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert any("finite number" in e["msg"] for e in errors), errors
    if loc is not None:
        assert any(e["loc"] == loc for e in errors), errors


@pytest.mark.parametrize(("digits", "status"), [(31, 422), (401, 422), (5000, 400)])
async def test_a_huge_number_is_refused_never_500(
    http: httpx.AsyncClient, ann: Runner, digits: int, status: int
) -> None:
    """Beyond float range is a 422 like any out-of-range number; beyond what JSON parsing accepts
    (4,300 digits) the body is not read at all: 400, as for any body that is not JSON."""
    headers = {**ann.headers, "Content-Type": "application/json"}
    text = json.dumps(body()).replace('"weekly_km": 30', '"weekly_km": ' + "9" * digits)
    response = await http.put("/api/profile", content=text, headers=headers)
    assert response.status_code == status, response.text


async def test_another_users_profile_is_never_visible(
    http: httpx.AsyncClient, ann: Runner, bob: Runner
) -> None:
    assert (await put(http, ann, body())).status_code == 200
    assert (await http.get("/api/profile", headers=bob.headers)).status_code == 404
    assert (await http.get("/api/paces", headers=bob.headers)).status_code == 404
    assert (await put(http, bob, body(recent_race=None, easy_pace_s_per_km=420))).status_code == 200
    assert (await http.get("/api/profile", headers=ann.headers)).json()["recent_race"] is not None
    assert (await http.get("/api/profile", headers=bob.headers)).json()["recent_race"] is None


async def test_signed_out_is_401(http: httpx.AsyncClient) -> None:
    for method, path in [("GET", "/api/profile"), ("PUT", "/api/profile"), ("GET", "/api/paces")]:
        assert (await http.request(method, path)).status_code == 401


async def test_the_openapi_documents_every_status(http: httpx.AsyncClient) -> None:
    await context().db.ready()
    paths = (await http.get("/openapi.json")).json()["paths"]
    assert {"200", "401", "404", "503"} <= set(paths["/api/profile"]["get"]["responses"])
    assert {"200", "401", "422", "503"} <= set(paths["/api/profile"]["put"]["responses"])
    assert {"200", "401", "404", "503"} <= set(paths["/api/paces"]["get"]["responses"])
