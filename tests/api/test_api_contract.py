"""The API's contract at its edges: ids no row can have, stale commands, outages, and the OpenAPI document."""

from __future__ import annotations

import shutil
from typing import Any

import httpx
import pytest

from runcoach.context import context
from runcoach.db.engine import Database
from runcoach.domain.ids import MAX_ID
from tests.api.conftest import Runner, new_session
from tests.helpers import HUGE_IDS

ID_ROUTES = [
    ("GET", "/api/workouts/{id}"),
    ("GET", "/api/workouts/{id}/history"),
    ("POST", "/api/workouts/{id}/regenerate"),
    ("GET", "/api/sessions/{id}"),
    ("POST", "/api/sessions/{id}/pause"),
    ("GET", "/api/goals/{id}"),
    ("GET", "/api/plans/{id}"),
    ("GET", "/api/plans/{id}/versions"),
]


@pytest.mark.parametrize("text", [*HUGE_IDS, "0"])
@pytest.mark.parametrize(("method", "path"), ID_ROUTES)
async def test_an_id_no_row_can_have_is_a_422_with_the_reason(
    http: httpx.AsyncClient, ann: Runner, method: str, path: str, text: str
) -> None:
    response = await http.request(method, path.format(id=text), headers=ann.headers)
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"][0] == "path" and ("than or equal to" in error["msg"] or "integer" in error["msg"])


@pytest.mark.parametrize("text", [str(MAX_ID), "-1", "abc", "1.5"])
async def test_the_largest_id_and_text_that_is_no_id_are_not_found(
    http: httpx.AsyncClient, ann: Runner, text: str
) -> None:
    for method, path in ID_ROUTES:
        response = await http.request(method, path.format(id=text), headers=ann.headers)
        assert response.status_code == 404, (path, response.text)


async def test_a_wrong_method_is_a_405_that_names_every_allowed_one(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    response = await http.request("PUT", "/api/sessions", headers=ann.headers)
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) >= {"GET", "POST"}
    generate = await http.get("/api/workouts/generate", headers=ann.headers)
    assert generate.status_code == 405 and "POST" in generate.headers["allow"]


@pytest.mark.parametrize("workout_id", [2**31, 2**63, 2**64, 0])
async def test_a_session_of_an_impossible_workout_id_is_a_422(
    http: httpx.AsyncClient, ann: Runner, workout_id: int
) -> None:
    response = await http.post("/api/sessions", json={"workout_id": workout_id}, headers=ann.headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "workout_id"]


async def test_a_command_with_a_stale_if_seq_is_a_409_and_changes_nothing(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    session = await new_session(http, ann)
    sid, seen = session["id"], session["events"][-1]["seq"]
    started = await http.post(f"/api/sessions/{sid}/start?if_seq={seen}", headers=ann.headers)
    assert started.status_code == 200, started.text
    stale = await http.post(f"/api/sessions/{sid}/skip?if_seq={seen}", headers=ann.headers)
    assert stale.status_code == 409
    assert "changed" in stale.json()["detail"]
    state = (await http.get(f"/api/sessions/{sid}", headers=ann.headers)).json()
    assert [e["kind"] for e in state["events"]] == ["created", "started"]
    fresh = await http.post(
        f"/api/sessions/{sid}/skip?if_seq={state['events'][-1]['seq']}", headers=ann.headers
    )
    assert fresh.status_code == 200 and fresh.json()["segment_index"] == 1


async def test_an_unreachable_database_is_a_503_with_an_honest_message(
    http: httpx.AsyncClient, ann: Runner, data_dir: Any
) -> None:
    """SQLite's file turns into a directory: every connection fails, as with a lost disk."""
    ctx = context()
    broken_path = data_dir / "gone" / "runcoach.db"
    broken = Database(f"sqlite+aiosqlite:///{broken_path}")
    await broken.start()
    await broken.close()
    shutil.rmtree(broken_path.parent)
    broken_path.mkdir(parents=True)  # "unable to open database file" from now on
    working, ctx.db = ctx.db, broken
    try:
        response = await http.get("/api/workouts", headers=ann.headers)
    finally:
        ctx.db = working
    assert response.status_code == 503, response.text
    assert "database is not answering" in response.json()["detail"]
    assert response.headers["retry-after"].isdigit()


async def test_the_openapi_document_lists_every_status_a_route_answers(http: httpx.AsyncClient) -> None:
    spec = (await http.get("/openapi.json")).json()
    for path, methods in spec["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in methods.items():
            codes = set(operation["responses"])
            assert {"401", "503"} <= codes, (method, path, codes)
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if operation.get("requestBody"):
                assert "413" in codes, (method, path)
            for code in codes - {"200", "201", "202", "204", "422"}:  # 204: success, no body
                schema = operation["responses"][code]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, code)
    commands = spec["paths"]["/api/sessions/{session_id}/{command}"]["post"]
    assert "409" in commands["responses"]
    assert any(p["name"] == "if_seq" for p in commands["parameters"])
