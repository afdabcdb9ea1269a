"""The sessions JSON API through the ASGI app: create, commands, conflicts, ownership."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.conftest import Runner, new_session


async def command(http: httpx.AsyncClient, runner: Runner, session_id: int, name: str) -> httpx.Response:
    return await http.post(f"/api/sessions/{session_id}/{name}", headers=runner.headers)


async def test_a_new_session_has_the_documented_shape(http: httpx.AsyncClient, ann: Runner) -> None:
    session = await new_session(http, ann)
    assert {
        "id", "workout_id", "status", "elapsed_s", "segment_index", "segment_elapsed_s",
        "segment_remaining_s", "segment", "next_segment", "events",
    } <= set(session)  # fmt: skip
    assert session["status"] == "created" and session["elapsed_s"] == 0
    assert session["segment"]["label"] == "warm-up" and session["next_segment"] is not None
    assert [e["kind"] for e in session["events"]] == ["created"]


async def test_commands_change_the_state_and_are_logged(http: httpx.AsyncClient, ann: Runner) -> None:
    session = await new_session(http, ann)
    sid = session["id"]
    for name, status in [
        ("start", "running"),
        ("pause", "paused"),
        ("skip", "paused"),
        ("resume", "running"),
    ]:
        response = await command(http, ann, sid, name)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == status
    state = (await http.get(f"/api/sessions/{sid}", headers=ann.headers)).json()
    assert state["segment_index"] == 1
    assert [e["kind"] for e in state["events"]] == ["created", "started", "paused", "skipped", "resumed"]
    assert [e["seq"] for e in state["events"]] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("before", "name", "message"),
    [
        (["start"], "start", "already running"),
        (["start", "pause"], "pause", "already paused"),
        ([], "skip", "Start the session"),
        (["start", "finish"], "resume", "completed"),
    ],
)
async def test_a_command_that_does_not_fit_is_409(
    http: httpx.AsyncClient, ann: Runner, before: list[str], name: str, message: str
) -> None:
    sid = (await new_session(http, ann))["id"]
    for step in before:
        assert (await command(http, ann, sid, step)).status_code == 200
    response = await command(http, ann, sid, name)
    assert response.status_code == 409 and message in response.json()["detail"]


async def test_finish_keeps_the_elapsed_time_and_is_final(http: httpx.AsyncClient, ann: Runner) -> None:
    sid = (await new_session(http, ann))["id"]
    await command(http, ann, sid, "start")
    finished = (await command(http, ann, sid, "finish")).json()
    assert finished["status"] == "completed" and finished["next_segment"] is None
    assert (await command(http, ann, sid, "back")).status_code == 409


async def test_another_users_session_or_workout_is_404(
    http: httpx.AsyncClient, ann: Runner, bob: Runner
) -> None:
    session = await new_session(http, ann)
    assert (await http.get(f"/api/sessions/{session['id']}", headers=bob.headers)).status_code == 404
    assert (await command(http, bob, session["id"], "start")).status_code == 404
    foreign = await http.post(
        "/api/sessions", json={"workout_id": session["workout_id"]}, headers=bob.headers
    )
    assert foreign.status_code == 404
    assert (await http.get("/api/sessions/424242", headers=ann.headers)).status_code == 404


async def test_an_unknown_command_is_422(http: httpx.AsyncClient, ann: Runner) -> None:
    sid = (await new_session(http, ann))["id"]
    response = await command(http, ann, sid, "teleport")
    assert response.status_code == 422


async def test_list_shows_my_sessions_newest_first(http: httpx.AsyncClient, ann: Runner, bob: Runner) -> None:
    first, second = await new_session(http, ann), await new_session(http, ann)
    await new_session(http, bob)
    listed = (await http.get("/api/sessions", headers=ann.headers)).json()
    assert [s["id"] for s in listed] == [second["id"], first["id"]]


async def test_a_session_says_how_far_it_got_and_its_pairing(http: httpx.AsyncClient, ann: Runner) -> None:
    sid = (await new_session(http, ann))["id"]
    fresh = (await http.get(f"/api/sessions/{sid}", headers=ann.headers)).json()
    assert fresh["pairing_open"] is True and len(fresh["pair_code"]) == 8
    assert fresh["segments_done"] == 0 and fresh["finished_early"] is False and fresh["position_s"] == 0
    for step in ("start", "skip", "skip", "finish"):
        assert (await command(http, ann, sid, step)).status_code == 200
    done = (await http.get(f"/api/sessions/{sid}", headers=ann.headers)).json()
    # Two skipped segments are not done; the run ended early, at the third segment's start.
    assert done["status"] == "completed" and done["finished_early"] is True and done["segments_done"] == 0
    first_two = sum(s["duration_s"] for s in (await workout_segments(http, ann, done))[:2])
    assert done["position_s"] == pytest.approx(first_two, abs=1)  # finished a moment into the third
    assert done["pairing_open"] is False  # a finished run's code pairs nothing


async def workout_segments(http: httpx.AsyncClient, runner: Runner, session: dict[str, Any]) -> list[Any]:
    workout = (await http.get(f"/api/workouts/{session['workout_id']}", headers=runner.headers)).json()
    return list(workout["segments"])


async def test_a_new_pairing_code_through_the_api_retires_the_old_one(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    session = await new_session(http, ann)
    response = await http.post(f"/api/sessions/{session['id']}/pairing", headers=ann.headers)
    assert response.status_code == 200, response.text
    renewed = response.json()
    assert renewed["pair_code"] != session["pair_code"] and renewed["pairing_open"] is True
    assert renewed["pairing_expires_at"] > session["pairing_expires_at"]
    assert (await http.get(f"/r/{session['pair_code']}")).status_code == 404
    assert (await http.get(f"/r/{renewed['pair_code']}")).status_code == 200


async def test_a_new_pairing_code_is_the_owners_and_only_while_the_run_is_open(
    http: httpx.AsyncClient, ann: Runner, bob: Runner
) -> None:
    sid = (await new_session(http, ann))["id"]
    assert (await http.post(f"/api/sessions/{sid}/pairing", headers=bob.headers)).status_code == 404
    for step in ("start", "finish"):
        assert (await command(http, ann, sid, step)).status_code == 200
    over = await http.post(f"/api/sessions/{sid}/pairing", headers=ann.headers)
    assert over.status_code == 409 and "pair" in over.json()["detail"].lower()


async def test_a_session_shows_the_console_it_was_made_for(http: httpx.AsyncClient, ann: Runner) -> None:
    assert (await new_session(http, ann))["console"] is None  # no profile: speeds taken as true
    profile = {
        "easy_pace_s_per_km": 360,
        "weekly_km": 20,
        "available_days": ["tue", "sun"],
        "long_run_day": "sun",
        "level": "beginner",
        "treadmill": {"speed_step_kmh": 0.1609344, "calibration": 1.05},
    }
    assert (await http.put("/api/profile", json=profile, headers=ann.headers)).status_code == 200
    session = await new_session(http, ann)
    assert session["console"] == {"unit": "mph", "calibration": 1.05}
    again = (await http.get(f"/api/sessions/{session['id']}", headers=ann.headers)).json()
    assert again["console"] == session["console"]
