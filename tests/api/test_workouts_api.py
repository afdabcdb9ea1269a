"""The workouts JSON API through the ASGI app: tokens, ownership, validation, regeneration."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.conftest import Runner

BODY: dict[str, Any] = {"duration_min": 40, "goal": "intervals", "seed": 1234}


async def generate(http: httpx.AsyncClient, runner: Runner, **overrides: Any) -> dict[str, Any]:
    response = await http.post("/api/workouts/generate", json={**BODY, **overrides}, headers=runner.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_generate_returns_the_documented_workout_shape(http: httpx.AsyncClient, ann: Runner) -> None:
    workout = await generate(http, ann)
    assert set(workout) == {
        "id", "parent_id", "name", "source", "goal", "inputs", "seed", "file_name", "total_duration_s",
        "structure", "segments", "created_at",
    }  # fmt: skip
    assert workout["parent_id"] is None and workout["seed"] == 1234 and workout["goal"] == "intervals"
    assert (workout["source"], workout["file_name"]) == ("generated", None)
    assert workout["total_duration_s"] == 40 * 60 == sum(s["duration_s"] for s in workout["segments"])
    assert set(workout["segments"][0]) == {"label", "duration_s", "speed_kmh", "incline_pct"}
    assert workout["segments"][0]["label"] == "warm-up" and workout["segments"][-1]["label"] == "cool-down"


async def test_the_structure_keeps_the_repeats_and_unrolls_to_the_segments(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    workout = await generate(http, ann)
    structure = workout["structure"]
    assert structure["name"] == workout["name"]
    blocks = [item for item in structure["items"] if item["type"] == "repeat"]
    assert len(blocks) == 1 and blocks[0]["times"] >= 2
    assert [s["kind"] for s in blocks[0]["steps"]] == ["work", "recovery"]
    assert [s["zone"] for s in blocks[0]["steps"]] == ["I", "E"]
    assert unrolled(structure) == workout["segments"]


def unrolled(structure: dict[str, Any]) -> list[dict[str, Any]]:
    """The segments a structure of explicit speeds stands for, read from the JSON alone."""
    segments = []
    for item in structure["items"]:
        for step in item["steps"] * item["times"] if item["type"] == "repeat" else [item]:
            keys = ("label", "duration_s", "speed_kmh", "incline_pct")
            segments.append({key: step[key] for key in keys})
    return segments


async def test_same_seed_same_segments_and_a_drawn_seed_is_recorded(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    first, second = await generate(http, ann), await generate(http, ann)
    assert first["segments"] == second["segments"] and first["id"] != second["id"]
    drawn = await generate(http, ann, seed=None)
    assert isinstance(drawn["seed"], int)
    again = await generate(http, ann, seed=drawn["seed"])
    assert again["segments"] == drawn["segments"]


async def test_list_is_mine_newest_first(http: httpx.AsyncClient, ann: Runner, bob: Runner) -> None:
    ids = [(await generate(http, ann, duration_min=m))["id"] for m in (20, 30, 40)]
    await generate(http, bob)
    listed = (await http.get("/api/workouts", headers=ann.headers)).json()
    assert [w["id"] for w in listed] == ids[::-1]


async def test_regenerate_links_a_new_workout_and_keeps_the_parent(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    parent = await generate(http, ann)
    response = await http.post(f"/api/workouts/{parent['id']}/regenerate", headers=ann.headers)
    assert response.status_code == 201
    child = response.json()
    assert child["parent_id"] == parent["id"] and child["seed"] != parent["seed"]
    assert child["inputs"] == parent["inputs"]
    still = await http.get(f"/api/workouts/{parent['id']}", headers=ann.headers)
    assert still.json()["segments"] == parent["segments"]
    history = (await http.get(f"/api/workouts/{child['id']}/history", headers=ann.headers)).json()
    assert [w["id"] for w in history] == [parent["id"], child["id"]]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/workouts/{id}"),
        ("POST", "/api/workouts/{id}/regenerate"),
        ("GET", "/api/workouts/{id}/history"),
    ],
)
async def test_another_users_or_an_unknown_workout_is_404(
    http: httpx.AsyncClient, ann: Runner, bob: Runner, method: str, path: str
) -> None:
    workout = await generate(http, ann)
    for workout_id in (workout["id"], 999_999):
        response = await http.request(method, path.format(id=workout_id), headers=bob.headers)
        assert response.status_code == 404, response.text
        assert "not found" in response.json()["detail"]


@pytest.mark.parametrize(
    ("overrides", "field", "why"),
    [
        ({"duration_min": 9}, "duration_min", "greater than or equal to 10"),
        ({"duration_min": 181}, "duration_min", "less than or equal to 180"),
        ({"goal": "sprint-to-the-moon"}, "goal", "Input should be"),
        ({"seed": -1}, "seed", "greater than or equal to 0"),
        ({"constraints": {"min_speed_kmh": 12, "max_speed_kmh": 8}}, "constraints", "below max_speed_kmh"),
        ({"constraints": {"max_incline_pct": 2.3}}, "constraints", "multiple of 0.5"),
        ({"constraints": {"warmup_min": 10, "cooldown_min": 10}, "duration_min": 20}, "body", "warm-up plus"),
        ({"constraints": {"topspeed": 30}}, "topspeed", "Extra inputs are not permitted"),
    ],
)
async def test_bad_input_is_422_naming_the_field_and_why(
    http: httpx.AsyncClient, ann: Runner, overrides: dict[str, Any], field: str, why: str
) -> None:
    response = await http.post("/api/workouts/generate", json={**BODY, **overrides}, headers=ann.headers)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert any(field in map(str, e["loc"]) and why in e["msg"] for e in errors), errors
    assert (await http.get("/api/workouts", headers=ann.headers)).json() == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer rc_not-a-real-token"},
        {"Authorization": "Basic YTpi"},
        {"Authorization": "Bearer"},
    ],
)
async def test_missing_or_bad_token_is_401_json(
    http: httpx.AsyncClient, ann: Runner, headers: dict[str, str]
) -> None:
    response = await http.get("/api/workouts", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert "detail" in response.json()


async def test_health_checks_the_database_without_auth(http: httpx.AsyncClient) -> None:
    response = await http.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_openapi_documents_the_workout_routes(http: httpx.AsyncClient) -> None:
    paths = (await http.get("/openapi.json")).json()["paths"]
    assert {"/api/workouts/generate", "/api/workouts", "/api/workouts/{workout_id}/regenerate"} <= set(paths)
