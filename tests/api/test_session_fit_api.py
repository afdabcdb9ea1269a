"""GET /api/sessions/{id}/fit: the finished run as a FIT activity file, for its owner only."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
import pytest

from runcoach.context import context
from tests.api.conftest import Runner, new_session
from tests.fit.decoders import fitdecode_messages, garmin_messages
from tests.helpers import HUGE_IDS, jump

FIT = "application/vnd.ant.fit"


async def command(http: httpx.AsyncClient, runner: Runner, session_id: int, name: str) -> None:
    response = await http.post(f"/api/sessions/{session_id}/{name}", headers=runner.headers)
    assert response.status_code == 200, response.text


async def fit_of(http: httpx.AsyncClient, runner: Runner, session_id: int | str) -> httpx.Response:
    return await http.get(f"/api/sessions/{session_id}/fit", headers=runner.headers)


async def test_a_finished_run_downloads_as_a_fit_activity_with_its_name_and_date(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    session = await new_session(http, ann)
    sid = session["id"]
    await command(http, ann, sid, "start")
    await jump(150)
    await command(http, ann, sid, "pause")
    await jump(30)
    await command(http, ann, sid, "resume")
    await jump(100)
    await command(http, ann, sid, "finish")

    response = await fit_of(http, ann, sid)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == FIT
    disposition = response.headers["content-disposition"]
    match = re.fullmatch(r'attachment; filename="(\d{4}-\d{2}-\d{2})-([a-z0-9-]+)\.fit"', disposition)
    assert match is not None, disposition
    assert session["name"] == "20-min Intervals: 4 × 75 s" and match.group(2) == "20-min-intervals-4-x-75-s"
    state = (await http.get(f"/api/sessions/{sid}", headers=ann.headers)).json()
    started = datetime.fromisoformat(state["events"][1]["at"])
    assert match.group(1) == started.astimezone(context().settings.zone).date().isoformat()
    messages = garmin_messages(response.content)
    assert fitdecode_messages(response.content)
    (summary,) = messages["session_mesgs"]
    assert summary["sport"] == "running" and summary["sub_sport"] == "treadmill"
    assert summary["total_timer_time"] == pytest.approx(state["elapsed_s"], abs=1)
    assert summary["total_elapsed_time"] == pytest.approx(state["elapsed_s"] + 30, abs=1)
    assert summary["total_distance"] == pytest.approx(state["distance_km"] * 1000, rel=0.01)
    timer = [e["event_type"] for e in messages["event_mesgs"] if e["event"] == "timer"]
    assert timer == ["start", "stop_all", "start", "stop_all"]


@pytest.mark.parametrize("before", [[], ["start"], ["start", "pause"]])
async def test_a_run_not_finished_yet_is_a_409_that_says_so(
    http: httpx.AsyncClient, ann: Runner, before: list[str]
) -> None:
    sid = (await new_session(http, ann))["id"]
    for name in before:
        await command(http, ann, sid, name)
    response = await fit_of(http, ann, sid)
    assert response.status_code == 409
    assert "not over yet" in response.json()["detail"]


async def test_a_run_finished_before_it_started_has_no_activity(http: httpx.AsyncClient, ann: Runner) -> None:
    sid = (await new_session(http, ann))["id"]
    await command(http, ann, sid, "finish")
    response = await fit_of(http, ann, sid)
    assert response.status_code == 409 and "before it started" in response.json()["detail"]


async def test_somebody_elses_run_or_an_unknown_one_is_a_404(
    http: httpx.AsyncClient, ann: Runner, bob: Runner
) -> None:
    sid = (await new_session(http, ann))["id"]
    await command(http, ann, sid, "start")
    await jump(60)
    await command(http, ann, sid, "finish")
    assert (await fit_of(http, ann, sid)).status_code == 200
    for runner, wanted in ((bob, sid), (ann, sid + 1000), (ann, 2**31 - 1)):
        response = await fit_of(http, runner, wanted)
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("text", [*HUGE_IDS, "0"])
async def test_an_id_no_row_can_have_is_refused_before_the_database(
    http: httpx.AsyncClient, ann: Runner, text: str
) -> None:
    """Past 2**31 (PostgreSQL's INTEGER) and 2**63 (SQLite's): a 422 with the reason, as on every id route."""
    response = await fit_of(http, ann, text)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][0] == "path"


async def test_without_a_token_it_is_a_401(http: httpx.AsyncClient) -> None:
    assert (await http.get("/api/sessions/1/fit")).status_code == 401


async def test_the_openapi_document_describes_a_binary_fit_answer(http: httpx.AsyncClient) -> None:
    operation = (await http.get("/openapi.json")).json()["paths"]["/api/sessions/{session_id}/fit"]["get"]
    assert operation["responses"]["200"]["content"] == {
        FIT: {"schema": {"type": "string", "format": "binary"}}
    }
    assert "Content-Disposition" in operation["responses"]["200"]["headers"]
    assert {"401", "404", "409", "422", "503"} <= set(operation["responses"])


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
async def test_the_activity_file_is_read_only_a_405_that_names_get(
    http: httpx.AsyncClient, ann: Runner, method: str
) -> None:
    """POST too: the command route beside it (/{id}/{command}) takes any other word, not `fit`."""
    sid = (await new_session(http, ann))["id"]
    response = await http.request(method, f"/api/sessions/{sid}/fit", headers=ann.headers)
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "GET"
    unknown = await http.post(f"/api/sessions/{sid}/fitness", headers=ann.headers)
    assert unknown.status_code == 422  # still the command route: no such command
