"""The fake Strava keeps Strava's promises: what the Strava client tests (and the benchmark) rely on."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import FileType, Manufacturer, Sport, SubSport
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fake_strava import FakeStrava
from tests.local_server import LocalServer

#: A Monday, 10:05 UTC: ten minutes before a quarter-hour window ends.
T0 = datetime(2026, 1, 5, 10, 5, tzinfo=UTC).timestamp()
ADA, BOB = 7, 8
APP = {"client_id": "1234", "client_secret": "s3cret"}
SCOPE = "read,activity:read_all,activity:write"
JAN_1 = datetime(2026, 1, 1, 6, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeStrava]:
    """Started once (stopping uvicorn takes about 0.2 s, too long to pay per test)."""
    with FakeStrava(clock=lambda: T0) as fake:
        yield fake


@pytest.fixture
def fake(fake_server: FakeStrava) -> FakeStrava:
    """The fake, fresh, with two athletes: Ada (who approves the consent page) and Bob."""
    fake_server.reset()
    fake_server.add_athlete(ADA)
    fake_server.add_athlete(BOB, firstname="Bob", lastname="Other")
    return fake_server


@pytest.fixture
async def http(fake: FakeStrava) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=fake.base_url, trust_env=False) as client:
        yield client


async def exchange(http: httpx.AsyncClient, code: str, **overrides: str) -> httpx.Response:
    form = {**APP, "code": code, "grant_type": "authorization_code", **overrides}
    return await http.post("/oauth/token", data=form)


async def access(http: httpx.AsyncClient, fake: FakeStrava, athlete: int = ADA, scope: str = SCOPE) -> str:
    answer = await exchange(http, fake.grant(athlete, scope))
    assert answer.status_code == 200
    return str(answer.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def errors(answer: httpx.Response) -> list[tuple[str, str, str]]:
    return [(e["resource"], e["field"], e["code"]) for e in answer.json()["errors"]]


def fit_file(
    *, start: datetime = JAN_1, distance_m: float = 5000.0, timer_s: float = 1800.0, serial: int = 1
) -> bytes:
    """A tiny FIT activity: a file id and a treadmill running session."""
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = serial
    file_id.time_created = round(start.timestamp() * 1000)
    builder.add(file_id)
    session = SessionMessage()
    session.timestamp = round((start.timestamp() + timer_s) * 1000)
    session.start_time = round(start.timestamp() * 1000)
    session.sport = Sport.RUNNING
    session.sub_sport = SubSport.TREADMILL
    session.total_distance = distance_m
    session.total_timer_time = timer_s
    session.total_elapsed_time = timer_s
    builder.add(session)
    return bytes(builder.build().to_bytes())


async def upload(
    http: httpx.AsyncClient, token: str, content: bytes, *, file_name: str = "run.fit", **form: str
) -> httpx.Response:
    files = {"file": (file_name, content, "application/octet-stream")}
    data = {"data_type": "fit", **form}
    return await http.post("/api/v3/uploads", headers=bearer(token), data=data, files=files)


async def poll(http: httpx.AsyncClient, token: str, upload_id: int) -> dict[str, Any]:
    answer = await http.get(f"/api/v3/uploads/{upload_id}", headers=bearer(token))
    assert answer.status_code == 200
    return dict(answer.json())


# --------------------------------------------------------------------------- OAuth


async def test_a_code_is_exchanged_for_tokens_and_the_athlete(
    fake: FakeStrava, http: httpx.AsyncClient
) -> None:
    answer = await exchange(http, fake.grant(ADA))

    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_at"] == int(T0) + 21600 and body["expires_in"] == 21600
    assert body["access_token"] != body["refresh_token"]
    assert (body["athlete"]["id"], body["athlete"]["firstname"], body["athlete"]["resource_state"]) == (
        ADA,
        "Ada",
        2,
    )
    me = await http.get("/api/v3/athlete", headers=bearer(body["access_token"]))
    assert me.status_code == 200 and me.json()["id"] == ADA


async def test_a_code_works_once_and_only_with_the_apps_credentials(
    fake: FakeStrava, http: httpx.AsyncClient
) -> None:
    code = fake.grant(ADA)

    wrong_secret = await exchange(http, code, client_secret="nope")
    wrong_id = await exchange(http, code, client_id="999")
    first = await exchange(http, code)
    second = await exchange(http, code)

    assert wrong_secret.status_code == 400 and errors(wrong_secret) == [
        ("Application", "client_secret", "invalid")
    ]
    assert wrong_id.status_code == 400 and errors(wrong_id) == [("Application", "client_id", "invalid")]
    assert first.status_code == 200
    assert second.status_code == 400 and second.json()["message"] == "Bad Request"
    assert errors(second) == [("AuthorizationCode", "code", "invalid")]


async def test_a_refresh_rotates_the_refresh_token_and_refuses_the_old_one(
    fake: FakeStrava, http: httpx.AsyncClient
) -> None:
    first = (await exchange(http, fake.grant(ADA))).json()
    fake.advance(5.5 * 3600)  # half an hour left: Strava gives a new access token

    renewed = await http.post(
        "/oauth/token", data={**APP, "grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    again = await http.post(
        "/oauth/token", params={**APP, "grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )

    assert renewed.status_code == 200
    body = renewed.json()
    assert set(body) == {"token_type", "access_token", "expires_at", "expires_in", "refresh_token"}
    assert body["refresh_token"] != first["refresh_token"] and body["access_token"] != first["access_token"]
    assert body["expires_at"] == int(T0 + 5.5 * 3600) + 21600
    assert again.status_code == 400 and errors(again) == [("RefreshToken", "refresh_token", "invalid")]
    assert fake.refreshes == 1
    old = await http.get("/api/v3/athlete", headers=bearer(first["access_token"]))
    assert old.status_code == 200  # the previous access token works until it expires


async def test_a_refresh_long_before_expiry_keeps_the_access_token(
    fake: FakeStrava, http: httpx.AsyncClient
) -> None:
    first = (await exchange(http, fake.grant(ADA))).json()
    fake.rotate_refresh = False

    renewed = await http.post(
        "/oauth/token", data={**APP, "grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )

    body = renewed.json()
    assert (body["access_token"], body["refresh_token"]) == (first["access_token"], first["refresh_token"])


async def test_an_expired_or_unknown_token_is_refused(fake: FakeStrava, http: httpx.AsyncClient) -> None:
    token = await access(http, fake)
    fake.advance(21600)

    expired = await http.get("/api/v3/athlete", headers=bearer(token))
    unknown = await http.get("/api/v3/athlete", headers=bearer("nope"))
    missing = await http.get("/api/v3/athlete")

    for answer in (expired, unknown, missing):
        assert answer.status_code == 401 and answer.json()["message"] == "Authorization Error"
        assert errors(answer) == [("Athlete", "access_token", "invalid")]


async def test_expire_tokens_expires_them_now(fake: FakeStrava, http: httpx.AsyncClient) -> None:
    token = await access(http, fake)

    fake.expire_tokens(ADA)

    assert (await http.get("/api/v3/athlete", headers=bearer(token))).status_code == 401
    assert fake.tokens_of(ADA)[0].expires_at < T0


async def test_a_missing_scope_is_refused(fake: FakeStrava, http: httpx.AsyncClient) -> None:
    token = await access(http, fake, scope="read")

    listed = await http.get("/api/v3/athlete/activities", headers=bearer(token))
    uploaded = await upload(http, token, fit_file())

    assert listed.status_code == 401 and errors(listed) == [
        ("AccessToken", "activity:read_permission", "missing")
    ]
    assert uploaded.status_code == 401
    assert errors(uploaded) == [("AccessToken", "activity:write_permission", "missing")]


async def test_deauthorize_revokes_every_token_of_the_athlete(
    fake: FakeStrava, http: httpx.AsyncClient
) -> None:
    first = (await exchange(http, fake.grant(ADA))).json()
    second = await access(http, fake)
    bobs = await access(http, fake, BOB)

    answer = await http.post("/oauth/deauthorize", data={"access_token": second})

    assert answer.status_code == 200 and answer.json() == {"access_token": second}
    assert fake.deauthorized == {ADA} and fake.tokens_of(ADA) == []
    for token in (first["access_token"], second):
        assert (await http.get("/api/v3/athlete", headers=bearer(token))).status_code == 401
    refresh = await http.post(
        "/oauth/token", data={**APP, "grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    assert refresh.status_code == 400
    assert (await http.get("/api/v3/athlete", headers=bearer(bobs))).status_code == 200


async def test_the_consent_page_redirects_with_code_state_and_scope(
    fake: FakeStrava, http: httpx.AsyncClient
) -> None:
    fake.authorize_as = BOB
    params = {
        "client_id": "1234",
        "redirect_uri": "http://127.0.0.1:9/strava/callback",
        "response_type": "code",
        "approval_prompt": "force",
        "scope": "read,activity:read_all,activity:write",
        "state": "xyz",
    }

    page = await http.get("/oauth/authorize", params=params)

    assert page.status_code == 200
    assert "Authorize RunCoach to connect to Strava" in page.text and "Bob Other" in page.text
    assert 'id="authorize"' in page.text and 'id="cancel"' in page.text
    assert 'data-scope="activity:write"' in page.text
    accepted = await http.get("/oauth/accept_application", params=params)  # the form's GET
    assert accepted.status_code == 302
    location = urlsplit(accepted.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == params["redirect_uri"]
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"] and query["scope"] == ["read,activity:read_all,activity:write"]
    token = await exchange(http, query["code"][0])
    assert token.json()["athlete"]["id"] == BOB


async def test_the_athlete_may_grant_less_and_cancel(fake: FakeStrava, http: httpx.AsyncClient) -> None:
    fake.grant_scope = "activity:read_all"
    params = {
        "client_id": "1234",
        "redirect_uri": "http://127.0.0.1:9/cb?x=1",
        "response_type": "code",
        "scope": "read,activity:read_all,activity:write",
        "state": "s1",
    }

    accepted = await http.get("/oauth/accept_application", params=params)
    cancelled = await http.get(
        "/oauth/cancel", params={"redirect_uri": params["redirect_uri"], "state": "s1"}
    )
    again = await http.get("/oauth/authorize", params={**params, "scope": "read"})  # auto: no page

    assert parse_qs(urlsplit(accepted.headers["location"]).query)["scope"] == ["read,activity:read_all"]
    assert cancelled.status_code == 302
    assert cancelled.headers["location"] == "http://127.0.0.1:9/cb?x=1&state=s1&error=access_denied"
    assert again.status_code == 302 and "code=" in again.headers["location"]


# --------------------------------------------------------------------------- activities


async def test_activities_page_in_stravas_order(fake: FakeStrava, http: httpx.AsyncClient) -> None:
    made = fake.add_activities(ADA, 250, start=JAN_1, every=timedelta(hours=6))
    token = await access(http, fake)
    third = datetime(2026, 1, 1, 18, 30, tzinfo=UTC).timestamp()  # made[2]'s start

    newest = await http.get("/api/v3/athlete/activities", headers=bearer(token))
    capped = await http.get("/api/v3/athlete/activities", headers=bearer(token), params={"per_page": 500})
    after = await http.get("/api/v3/athlete/activities", headers=bearer(token), params={"after": int(third)})
    page_2 = await http.get(
        "/api/v3/athlete/activities", headers=bearer(token), params={"after": 0, "page": 2, "per_page": 100}
    )
    before = await http.get(
        "/api/v3/athlete/activities", headers=bearer(token), params={"before": int(third)}
    )

    ids = [a["id"] for a in made]
    assert [a["id"] for a in newest.json()] == ids[::-1][:30]
    assert len(capped.json()) == 200
    assert [a["id"] for a in after.json()] == ids[3:33]  # exclusive, oldest first
    assert [a["id"] for a in page_2.json()] == ids[100:200]
    assert [a["id"] for a in before.json()] == [ids[1], ids[0]]  # newest first
    assert all(i > 2**32 for i in ids) and len(set(ids)) == 250


async def test_an_activity_looks_like_stravas(fake: FakeStrava, http: httpx.AsyncClient) -> None:
    [made] = fake.add_activities(ADA, 1, start=datetime(2026, 1, 2, 6, 30, tzinfo=UTC), trainer=True)
    token = await access(http, fake)

    summary = (await http.get("/api/v3/athlete/activities", headers=bearer(token))).json()[0]
    detail = (await http.get(f"/api/v3/activities/{made['id']}", headers=bearer(token))).json()

    assert summary == made
    assert summary["start_date"] == "2026-01-02T06:30:00Z"
    assert summary["start_date_local"] == "2026-01-02T07:30:00Z"  # local time with Strava's bogus Z
    assert summary["timezone"] == "(GMT+01:00) Europe/Berlin"
    assert (summary["type"], summary["sport_type"], summary["trainer"], summary["manual"]) == (
        "Run",
        "Run",
        True,
        False,
    )
    assert summary["elapsed_time"] == summary["moving_time"] + 60
    assert summary["average_speed"] == pytest.approx(8000 / 2700, abs=0.001)
    assert summary["athlete"] == {"id": ADA, "resource_state": 1} and summary["resource_state"] == 2
    assert detail["resource_state"] == 3 and "description" in detail and len(detail["laps"]) == 1


async def test_an_activity_of_another_athlete_or_a_huge_id_is_not_found(
    fake: FakeStrava, http: httpx.AsyncClient
) -> None:
    [bobs] = fake.add_activities(BOB, 1, start=JAN_1)
    [adas] = fake.add_activities(ADA, 1, start=JAN_1)
    fake.delete_activity(adas["id"])
    token = await access(http, fake)

    for path in (
        f"/api/v3/activities/{bobs['id']}",
        f"/api/v3/activities/{adas['id']}",
        f"/api/v3/activities/{2**64}",
    ):
        answer = await http.get(path, headers=bearer(token))
        assert answer.status_code == 404 and answer.json()["message"] == "Record Not Found"
        assert errors(answer) == [("Activity", "id", "invalid")]
    assert fake.activities(ADA) == []


# --------------------------------------------------------------------------- uploads


async def test_an_upload_is_processed_then_listed(fake: FakeStrava, http: httpx.AsyncClient) -> None:
    token = await access(http, fake)

    posted = await upload(http, token, fit_file(), name="Treadmill intervals", external_id="runcoach-1.fit")

    assert posted.status_code == 201
    body = posted.json()
    assert body["status"] == "Your activity is still being processed." and body["activity_id"] is None
    assert (body["id_str"], body["external_id"], body["error"]) == (str(body["id"]), "runcoach-1.fit", None)
    assert (await poll(http, token, body["id"]))["activity_id"] is None
    assert fake.activities(ADA) == []  # not before it is ready
    assert (await poll(http, token, body["id"]))["status"] == "Your activity is still being processed."
    ready = await poll(http, token, body["id"])
    assert ready["status"] == "Your activity is ready." and ready["activity_id"] is not None
    [listed] = (await http.get("/api/v3/athlete/activities", headers=bearer(token))).json()
    assert listed["id"] == ready["activity_id"] and listed["external_id"] == "runcoach-1.fit"
    assert (listed["name"], listed["distance"], listed["moving_time"]) == (
        "Treadmill intervals",
        5000.0,
        1800,
    )
    assert listed["trainer"] is True and listed["start_date"] == "2026-01-01T06:30:00Z"
    assert fake.uploads_created == 1 and fake.uploads[0].activity_id == listed["id"]


async def test_a_duplicate_upload_names_the_activity_it_duplicates(
    fake: FakeStrava, http: httpx.AsyncClient
) -> None:
    fake.upload_polls = 0
    token = await access(http, fake)
    first = (await upload(http, token, fit_file(), external_id="a.fit")).json()
    activity_id = (await poll(http, token, first["id"]))["activity_id"]

    same_bytes = (await upload(http, token, fit_file(), file_name="copy.fit", external_id="b.fit")).json()
    same_id = (await upload(http, token, fit_file(serial=2), external_id="a.fit")).json()

    for posted, name in ((same_bytes, "copy.fit"), (same_id, "run.fit")):
        done = await poll(http, token, posted["id"])
        assert done["status"] == "There was an error processing your activity."
        assert done["error"] == f"{name} duplicate of activity {activity_id}" and done["activity_id"] is None
    assert len(fake.activities(ADA)) == 1


async def test_a_file_that_does_not_decode_ends_in_an_error(
    fake: FakeStrava, http: httpx.AsyncClient
) -> None:
    fake.upload_polls = 0
    token = await access(http, fake)

    posted = (await upload(http, token, b"not a fit file")).json()

    done = await poll(http, token, posted["id"])
    assert (done["status"], done["error"]) == (
        "There was an error processing your activity.",
        "Improperly formatted data.",
    )


# --------------------------------------------------------------------------- rate limits and faults


async def test_rate_limit_headers_count_and_429_at_the_limit(
    fake: FakeStrava, http: httpx.AsyncClient
) -> None:
    fake.limits, fake.read_limits = (5, 100), (3, 50)
    token = await access(http, fake)

    reads = [await http.get("/api/v3/athlete", headers=bearer(token)) for _ in range(4)]
    write = await upload(http, token, fit_file())
    refused = await upload(http, token, fit_file(serial=3))

    assert [r.status_code for r in reads] == [200, 200, 200, 429]
    assert reads[0].headers["X-RateLimit-Limit"] == "5,100"
    assert reads[0].headers["X-ReadRateLimit-Limit"] == "3,50"
    assert [r.headers["X-ReadRateLimit-Usage"] for r in reads] == ["1,1", "2,2", "3,3", "4,4"]
    assert reads[3].json()["message"] == "Rate Limit Exceeded"
    assert errors(reads[3]) == [("Application", "rate limit", "exceeded")]
    assert write.status_code == 201 and write.headers["X-RateLimit-Usage"] == "5,5"
    assert refused.status_code == 429 and refused.headers["X-RateLimit-Usage"] == "6,6"
    assert refused.headers["X-ReadRateLimit-Usage"] == "4,4"


async def test_windows_reset_at_the_quarter_hour_and_at_midnight(
    fake: FakeStrava, http: httpx.AsyncClient
) -> None:
    token = await access(http, fake)
    fake.advance(9 * 60 + 50)  # 10:14:50
    for _ in range(3):
        await http.get("/api/v3/athlete", headers=bearer(token))

    fake.advance(10)  # 10:15:00
    quarter = await http.get("/api/v3/athlete", headers=bearer(token))
    fake.advance(14 * 3600)  # 00:15 the next day
    day = await http.get("/api/v3/athlete", headers=bearer(token))

    assert quarter.headers["X-RateLimit-Usage"] == "1,4"
    assert day.headers["X-RateLimit-Usage"] == "1,1"
    assert fake.usage().read == (1, 1)


async def test_no_limits_means_no_limit_headers(fake: FakeStrava, http: httpx.AsyncClient) -> None:
    fake.limits = fake.read_limits = None
    token = await access(http, fake)

    answer = await http.get("/api/v3/athlete", headers=bearer(token))

    assert answer.status_code == 200 and "X-RateLimit-Usage" not in answer.headers
    assert fake.usage().overall == (1, 1)


async def test_fail_next_answers_the_fault_then_serves(fake: FakeStrava, http: httpx.AsyncClient) -> None:
    token = await access(http, fake)
    fake.fail_next(500)
    fake.fail_next(503, path="/oauth/token", retry_after=30)

    failed = await http.get("/api/v3/athlete", headers=bearer(token))
    served = await http.get("/api/v3/athlete", headers=bearer(token))
    down = await exchange(http, fake.grant(ADA))

    assert failed.status_code == 500 and failed.json() == {"message": "Internal Server Error"}
    assert failed.headers["X-RateLimit-Usage"] == "1,1"
    assert served.status_code == 200
    assert down.status_code == 503 and down.headers["Retry-After"] == "30" and "<html>" in down.text
    assert fake.count("/api/v3/athlete") == 2 and fake.count("/oauth/token", "POST") == 2
    assert [seen.status for seen in fake.requests] == [200, 500, 200, 503]
    fake.reset_counts()
    assert fake.requests == [] and fake.count("/") == 0


# --------------------------------------------------------------------------- push subscriptions


class Hub:
    """A webhook receiver on its own LocalServer: answers the validation GET (echoing the challenge
    unless told not to) and records the events POSTed, answering `status`."""

    def __init__(self) -> None:
        self.reset()
        app = Starlette(routes=[Route("/hook", self._hook, methods=["GET", "POST"])])
        self.server = LocalServer(app, name="hub")

    def reset(self) -> None:
        self.echo = True
        self.status = 200
        self.checks: list[dict[str, str]] = []
        self.events: list[dict[str, Any]] = []

    async def _hook(self, request: Request) -> Response:
        if request.method == "GET":
            self.checks.append(dict(request.query_params))
            challenge = request.query_params["hub.challenge"] if self.echo else "wrong"
            return JSONResponse({"hub.challenge": challenge})
        self.events.append(await request.json())
        return JSONResponse({}, status_code=self.status)

    @property
    def url(self) -> str:
        return f"{self.server.base_url}/hook"


@pytest.fixture(scope="module")
def hub_server() -> Iterator[Hub]:
    hub = Hub()
    with hub.server:
        yield hub


@pytest.fixture
def hub(hub_server: Hub) -> Hub:
    hub_server.reset()
    return hub_server


async def test_a_subscription_is_made_only_for_a_callback_that_answers_the_challenge(
    fake: FakeStrava, http: httpx.AsyncClient, hub: Hub
) -> None:
    form = {**APP, "callback_url": hub.url, "verify_token": "vt"}
    hub.echo = False
    refused = await http.post("/api/v3/push_subscriptions", data=form)
    hub.echo = True

    made = await http.post("/api/v3/push_subscriptions", data=form)
    second = await http.post("/api/v3/push_subscriptions", data=form)
    listed = await http.get("/api/v3/push_subscriptions", params=APP)

    assert refused.status_code == 400 and errors(refused) == [
        ("PushSubscription", "callback url", "not verifiable")
    ]
    assert made.status_code == 201
    assert hub.checks[-1]["hub.mode"] == "subscribe" and hub.checks[-1]["hub.verify_token"] == "vt"
    assert second.status_code == 400 and errors(second)[0][2] == "already exists"
    [sub] = listed.json()
    assert (sub["id"], sub["callback_url"], sub["resource_state"]) == (made.json()["id"], hub.url, 2)
    deleted = await http.delete(f"/api/v3/push_subscriptions/{sub['id']}", params=APP)
    assert deleted.status_code == 204 and fake.subscription is None


async def test_an_event_is_delivered_as_often_as_asked(
    fake: FakeStrava, http: httpx.AsyncClient, hub: Hub
) -> None:
    await http.post("/api/v3/push_subscriptions", data={**APP, "callback_url": hub.url, "verify_token": "v"})
    [made] = fake.add_activities(ADA, 1, start=JAN_1)

    status = await fake.send_event(**fake.event_for(made, "create"), times=3)

    assert status == 200 and len(hub.events) == 3
    assert hub.events[0] == {
        "aspect_type": "create",
        "event_time": int(T0),
        "object_id": made["id"],
        "object_type": "activity",
        "owner_id": ADA,
        "subscription_id": fake.subscription.id if fake.subscription else None,
        "updates": {},
    }


async def test_an_event_is_retried_until_the_callback_answers_200(fake: FakeStrava, hub: Hub) -> None:
    hub.status = 500

    status = await fake.send_event(**fake.deauthorization_event(ADA), callback_url=hub.url)

    assert status == 500 and len(hub.events) == 3
    assert [d.attempt for d in fake.deliveries] == [1, 2, 3]
    assert hub.events[0]["updates"] == {"authorized": "false"} and hub.events[0]["object_type"] == "athlete"


# --------------------------------------------------------------------------- from a shell


def test_the_command_line_serves_until_interrupted() -> None:
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "tests.fake_strava", "--activities", "3", "--no-limits", "--port", "0"]
    with subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        athlete = process.stdout.readline().split()
        token = athlete[2].removeprefix("access_token=")
        answer = httpx.get(f"{base_url}/api/v3/athlete/activities", headers=bearer(token), trust_env=False)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    assert athlete[:2] == ["athlete", "1001"]
    assert answer.status_code == 200 and len(answer.json()) == 3
