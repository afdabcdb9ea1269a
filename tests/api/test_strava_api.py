"""Strava over the JSON API and Strava's webhook, on the whole app (SQLite and PostgreSQL), with the
real client against the fake Strava on 127.0.0.1 and the app's own job worker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from runcoach.context import context
from runcoach.db.tables import JobRow, StravaActivityRow
from tests.api.conftest import Runner, new_session
from tests.fake_strava import FakeStrava
from tests.helpers import STRAVA_VERIFY, connect_strava, use_fake_strava

pytestmark = pytest.mark.usefixtures("app_backend")

ATHLETE = 6_600_000_001


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeStrava]:
    with FakeStrava() as fake:
        yield fake


@pytest.fixture
def fake(http: httpx.AsyncClient, fake_server: FakeStrava) -> FakeStrava:
    """The app's Strava, set up against the fresh fake (as the settings would set it up)."""
    fake_server.reset()
    fake_server.upload_polls = 0
    fake_server.add_athlete(ATHLETE, "Ada", "Runner")
    use_fake_strava(fake_server)
    return fake_server


async def connect(runner: Runner, fake: FakeStrava) -> None:
    await connect_strava(runner.id, fake, ATHLETE)


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check():
        assert time.monotonic() < deadline, f"never: {what}"
        await asyncio.sleep(0.05)


async def count(table: type) -> int:
    async with context().db.session() as db:
        return int((await db.execute(select(func.count()).select_from(table))).scalar_one())


def event(fake: FakeStrava, activity: dict[str, Any], aspect: str = "create") -> dict[str, Any]:
    return {**fake.event_for(activity, aspect), "event_time": int(time.time()), "subscription_id": 1}


async def test_without_settings_strava_says_it_is_not_set_up(http: httpx.AsyncClient, ann: Runner) -> None:
    status = (await http.get("/api/strava", headers=ann.headers)).json()
    assert status["configured"] is False and status["connected"] is False
    response = await http.post("/api/strava/sync", headers=ann.headers)
    assert response.status_code == 409 and "RUNCOACH_STRAVA_CLIENT_ID" in response.json()["detail"]


async def test_connected_status_shows_the_athlete_and_the_import_finishing(
    http: httpx.AsyncClient, ann: Runner, fake: FakeStrava
) -> None:
    fake.add_activities(ATHLETE, 250, start=datetime.now(UTC) - timedelta(weeks=5), every=timedelta(hours=3))
    assert (await http.get("/api/strava", headers=ann.headers)).json()["connected"] is False
    await connect(ann, fake)

    async def imported() -> bool:
        status = (await http.get("/api/strava", headers=ann.headers)).json()
        return bool(status["imported"] == 250 and status["backfill_share"] == 1.0)

    await eventually(imported, "250 activities imported")
    status = (await http.get("/api/strava", headers=ann.headers)).json()
    assert status["athlete_name"] == "Ada Runner" and status["problems"] == [] and not status["importing"]
    assert status["last_sync_at"] is not None


async def test_the_webhook_check_echoes_only_for_the_verify_token(
    http: httpx.AsyncClient, fake: FakeStrava
) -> None:
    params = {"hub.mode": "subscribe", "hub.challenge": "c-123", "hub.verify_token": STRAVA_VERIFY}
    answer = await http.get("/strava/webhook", params=params)
    assert answer.status_code == 200 and answer.json() == {"hub.challenge": "c-123"}
    wrong = await http.get("/strava/webhook", params=params | {"hub.verify_token": "guess"})
    assert wrong.status_code == 401


async def test_the_same_event_twenty_times_at_once_is_one_job_and_one_row(
    http: httpx.AsyncClient, ann: Runner, fake: FakeStrava
) -> None:
    await connect(ann, fake)
    [run] = fake.add_activities(ATHLETE, 1, start=datetime.now(UTC) - timedelta(hours=1))
    body = event(fake, run)
    answers = await asyncio.gather(*(http.post("/strava/webhook", json=body) for _ in range(20)))
    assert {a.status_code for a in answers} == {200}

    async def stored() -> bool:
        return await count(StravaActivityRow) == 1

    await eventually(stored, "the activity stored")
    async with context().db.session() as db:
        jobs = (await db.execute(select(JobRow).where(JobRow.kind == "strava.event"))).scalars().all()
    assert len(jobs) == 1

    async def fetched() -> bool:  # the backfill may store it first: the event's job still fetches it
        return fake.count(f"/api/v3/activities/{run['id']}") >= 1

    await eventually(fetched, "the event's job fetched the activity")
    assert fake.count(f"/api/v3/activities/{run['id']}") == 1


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b"[]", 422),
        (b'{"object_type": "activity", "object_id": 18446744073709551616, "aspect_type": "create",'
         b' "owner_id": 1, "event_time": 1}', 422),
        (b'{"object_type": "activity", "object_id": NaN, "aspect_type": "create", "owner_id": 1,'
         b' "event_time": 1}', 422),
        (b"{" + b'"a": 1,' * 400_000 + b'"b": 2}', 413),
    ],
)  # fmt: skip
async def test_junk_at_the_webhook_is_refused_and_stores_nothing(
    http: httpx.AsyncClient, fake: FakeStrava, body: bytes, status: int
) -> None:
    response = await http.post("/strava/webhook", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    async with context().db.session() as db:
        events = (await db.execute(select(JobRow).where(JobRow.kind == "strava.event"))).scalars().all()
    assert events == []


async def test_a_finished_run_is_uploaded_once_however_often_it_is_sent(
    http: httpx.AsyncClient, ann: Runner, fake: FakeStrava
) -> None:
    await connect(ann, fake)
    session = await new_session(http, ann)
    sid = session["id"]
    for command in ("start", "finish"):
        assert (await http.post(f"/api/sessions/{sid}/{command}", headers=ann.headers)).status_code == 200
    answers = await asyncio.gather(
        *(http.post(f"/api/strava/uploads/{sid}", headers=ann.headers) for _ in range(20))
    )
    assert {a.status_code for a in answers} == {202}

    async def done() -> bool:
        answer = (await http.get(f"/api/strava/uploads/{sid}", headers=ann.headers)).json()
        return bool(answer["status"] == "done")

    await eventually(done, "the upload done")
    assert fake.uploads_created == 1


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("post", f"/api/strava/uploads/{2**63}", 422),
        ("post", f"/api/strava/uploads/{2**31}", 422),  # row ids are 32-bit
        ("get", f"/api/strava/uploads/{2**31 - 1}", 404),
        ("post", f"/api/strava/uploads/{2**31 - 1}", 404),
        ("put", f"/api/strava/activities/{2**64}/match", 422),
        ("put", f"/api/strava/activities/{2**62}/match", 404),
        ("delete", f"/api/strava/activities/{2**62}/match", 404),
        ("post", "/api/strava/sync", 404),
        ("put", "/api/strava/auto-upload", 404),
    ],
)
async def test_ids_out_of_range_or_unknown_are_clear_errors(
    http: httpx.AsyncClient, ann: Runner, fake: FakeStrava, method: str, path: str, status: int
) -> None:
    body = {"day": "2026-03-01"} if path.endswith("match") else {"on": True}
    kwargs: dict[str, Any] = {"json": body} if method == "put" else {}
    response = await http.request(method.upper(), path, headers=ann.headers, **kwargs)
    assert response.status_code == status, response.text


async def test_disconnect_revokes_at_strava(http: httpx.AsyncClient, ann: Runner, fake: FakeStrava) -> None:
    await connect(ann, fake)
    assert (await http.delete("/api/strava", headers=ann.headers)).status_code == 204
    assert ATHLETE in fake.deauthorized
    assert (await http.get("/api/strava", headers=ann.headers)).json()["connected"] is False


async def test_signed_out_callers_reach_only_the_webhook(http: httpx.AsyncClient, fake: FakeStrava) -> None:
    assert (await http.get("/api/strava")).status_code == 401
    assert (await http.post("/api/sessions/1/strava")).status_code == 401
    params = {"hub.mode": "subscribe", "hub.challenge": "x", "hub.verify_token": STRAVA_VERIFY}
    assert (await http.get("/strava/webhook", params=params)).status_code == 200
