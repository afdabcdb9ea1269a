"""A real local fake of Strava's OAuth server and API v3, for tests and benchmarks: on 127.0.0.1 (a
free port), in Strava's own wire format. Our Strava client (httpx) talks to it through `oauth_url`
and `api_url`, so everything between our code and the socket (form and multipart encoding, JSON,
status codes, headers, time-outs) is exercised for real, and nothing reaches the internet.

    with FakeStrava(clock=fake_clock) as fake:
        fake.add_athlete(7)
        fake.add_activities(7, 40, start=datetime(2026, 1, 2, 6, 30, tzinfo=UTC))
        code = fake.grant(7)  # or drive the consent page: GET fake.oauth_url + "/authorize?..."
        ...  # our client: POST /oauth/token, GET /api/v3/athlete/activities, POST /api/v3/uploads
        assert fake.count("/api/v3/athlete/activities") == 1

Or from a shell, for a benchmark (prints the base URL, then a token pair per athlete, and serves
until interrupted):

    python -m tests.fake_strava --athletes 1 --activities 1000 --no-limits --port 0

What it imitates (Strava's documentation, developers.strava.com):

- OAuth: the consent page at `/oauth/authorize` ("Authorize" redirects 302 to the redirect_uri with
  `state`, `code` and the granted `scope`, comma-separated; "Cancel" with `error=access_denied`;
  `approval_prompt=auto` skips the page for an athlete who already granted every requested scope).
  `/oauth/token`: single-use codes; a refresh gives a new refresh token while `rotate_refresh` (the
  old one is refused at once) and a new access token only when the current one expires within an
  hour (`reissue_within_s`), as Strava does; otherwise the same access token comes back. Old access
  tokens work until they expire. `/oauth/deauthorize` revokes every token of the athlete.
- API v3: the athlete; the athlete's activities (paged; `after` alone lists oldest first, anything
  else newest first); one activity (404 for unknown, deleted or another athlete's, whatever the
  id's size); uploads (the FIT file is decoded with fitdecode; the result shows after
  `upload_polls` status reads; duplicates and unreadable files end in Strava's errors); push
  subscriptions (the callback is validated with hub.challenge first) and webhook events
  (`send_event`, retried like Strava when the callback does not answer 200 within 2 s).
- Errors in Strava's shape: {"message": ..., "errors": [{"resource", "field", "code"}]}; 401 for a
  missing, unknown or expired token and for a missing scope.
- Rate limits: `limits` (overall) and `read_limits` (GETs) per 15 minutes and per day, counted for
  every /api/v3 request and reported in X-RateLimit-Limit / X-RateLimit-Usage and
  X-ReadRateLimit-Limit / X-ReadRateLimit-Usage on every /api/v3 answer. Windows start at :00, :15,
  :30 and :45 and at midnight UTC of the fake clock. Beyond a limit the answer is 429; refused
  requests still count, as on Strava. `limits=None` (`read_limits=None`) leaves the matching
  headers out and refuses nothing; the usage is still counted (`usage()`). OAuth is not limited.
- Faults on demand: `fail_next(503, times=2)`; slow answers: `delay_s`.

The clock (unix seconds, `time.time` by default, plus `advance()`) decides every expiry and window,
so a test or a benchmark can jump hours ahead. It is called from the server thread too.

It runs in `tests.local_server.LocalServer` (uvicorn in a thread with its own event loop, as the
Anthropic fake does), so it keeps answering while a test's loop is blocked in an assertion.

Simplified: the athlete's time zone is fixed at UTC+1 ("(GMT+01:00) Europe/Berlin", no summer
time); start_date_local carries a "Z" it does not mean, exactly as Strava's does; only FIT files
(fit, fit.gz) are decoded, other data types end as "Improperly formatted data."; an upload without
external_id has none; activity:read hides activities marked private (`update_activity(id,
private=True)`), activity:read_all shows them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import dataclasses
import gzip
import hashlib
import html
import http
import io
import itertools
import re
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import fitdecode
import httpx
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.local_server import LocalServer

FIRST_ACTIVITY_ID = 10_000_000_000
FIRST_UPLOAD_ID = 20_000_000_000
LOCAL_OFFSET = timedelta(hours=1)
TIMEZONE = "(GMT+01:00) Europe/Berlin"
QUARTER_S = 15 * 60
DAY_S = 24 * 60 * 60

#: Strava's scopes, in the order the fake writes granted scopes.
SCOPES = (
    "read",
    "read_all",
    "profile:read_all",
    "profile:write",
    "activity:read",
    "activity:read_all",
    "activity:write",
)
SCOPE_WORDS = {
    "read": "View data about your public profile (required)",
    "read_all": "View data about your private routes, segments, and events",
    "profile:read_all": "View your complete Strava profile",
    "profile:write": "Update your weight and Functional Threshold Power (FTP)",
    "activity:read": "View data about your activities",
    "activity:read_all": "View data about your private activities",
    "activity:write": "Upload your activities to Strava",
}
DEFAULT_GRANT = "read,activity:read_all,activity:write"
READ_ACTIVITIES = frozenset({"activity:read", "activity:read_all"})
WRITE_ACTIVITIES = frozenset({"activity:write"})

PROCESSING = "Your activity is still being processed."
READY = "Your activity is ready."
FAILED = "There was an error processing your activity."
GONE = "The created activity has been deleted."
UNREADABLE = "Improperly formatted data."
DATA_TYPES = frozenset({"fit", "fit.gz", "tcx", "tcx.gz", "gpx", "gpx.gz"})
#: Detailed-only activity fields (update_activity puts them there).
DETAIL_KEYS = frozenset({"description", "calories", "device_name", "gear_id"})
LEGACY_TYPES = {
    "TrailRun": "Run",
    "VirtualRun": "VirtualRun",
    "MountainBikeRide": "Ride",
    "GravelRide": "Ride",
}
FIT_SPORTS = {"running": "Run", "cycling": "Ride", "walking": "Walk", "hiking": "Hike"}

Handler = Callable[["_Call"], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


# --------------------------------------------------------------------------- what callers see


@dataclass
class Seen:
    """One request as the fake received it: `query` and `form` as sent (a file field gives its file
    name), header names lower case, `at` on the fake clock, `status` once answered."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str] | None
    headers: dict[str, str]
    at: float
    status: int | None = None


@dataclass(frozen=True)
class Token:
    """An access token (not revoked, maybe expired) and the refresh token its grant holds now."""

    athlete_id: int
    access_token: str
    refresh_token: str
    expires_at: int
    scope: str


@dataclass
class Upload:
    """An upload as the fake keeps it (`fake.uploads` gives copies). `activity_id` is set from the
    start when the upload will make an activity; the activity appears once `ready`."""

    id: int
    athlete_id: int
    file_name: str
    data_type: str
    external_id: str | None
    name: str | None
    description: str | None
    trainer: bool
    commute: bool
    sha256: str
    polls_needed: int
    error: str | None = None
    activity_id: int | None = None
    polls: int = 0
    ready: bool = False


@dataclass(frozen=True)
class Subscription:
    id: int
    application_id: int
    callback_url: str
    created_at: str
    updated_at: str

    def wire(self) -> dict[str, Any]:
        return {"resource_state": 2, **dataclasses.asdict(self)}


@dataclass(frozen=True)
class Delivery:
    """One POST of a webhook event: `status` 0 when the callback did not answer in time."""

    event: dict[str, Any]
    attempt: int
    status: int


@dataclass(frozen=True)
class Usage:
    """Requests counted in the current 15-minute and daily windows: all, and reads (GETs)."""

    overall: tuple[int, int]
    read: tuple[int, int]


# --------------------------------------------------------------------------- inside


@dataclass(frozen=True)
class _Options:
    """What the constructor was given (`reset` goes back to it)."""

    client_id: str
    client_secret: str
    app_name: str
    limits: tuple[int, int] | None
    read_limits: tuple[int, int] | None
    token_ttl_s: int
    reissue_within_s: int
    rotate_refresh: bool
    upload_polls: int
    delay_s: float


@dataclass
class _Call:
    request: Request
    params: dict[str, str]
    files: dict[str, UploadFile]
    athlete_id: int = 0
    scope: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Code:
    athlete_id: int
    scope: frozenset[str]


@dataclass
class _Grant:
    athlete_id: int
    scope: frozenset[str]
    refresh_token: str
    access: list[_Access] = field(default_factory=list)


@dataclass
class _Access:
    token: str
    grant: _Grant
    expires_at: int
    seq: int


@dataclass
class _Activity:
    data: dict[str, Any]
    detail: dict[str, Any]
    owner: int
    deleted: bool = False
    visible: bool = True
    sha256: str | None = None


@dataclass
class _Fault:
    status: int
    times: int
    path: str | None
    method: str | None
    retry_after: int | None

    def matches(self, path: str, method: str) -> bool:
        where = path.startswith("/api/v3") if self.path is None else path.startswith(self.path)
        return where and (self.method is None or self.method.upper() == method)


@dataclass
class _Counter:
    quarter: int = -1
    day: int = -1
    overall: list[int] = field(default_factory=lambda: [0, 0])
    read: list[int] = field(default_factory=lambda: [0, 0])

    def roll(self, now: float) -> None:
        quarter, day = int(now // QUARTER_S), int(now // DAY_S)
        if day != self.day:
            self.day, self.overall[1], self.read[1] = day, 0, 0
        if quarter != self.quarter:
            self.quarter, self.overall[0], self.read[0] = quarter, 0, 0

    def usage(self) -> Usage:
        return Usage(overall=(self.overall[0], self.overall[1]), read=(self.read[0], self.read[1]))


@dataclass(frozen=True)
class _Run:
    """What an activity is made of, from add_activities or a FIT file."""

    start: datetime
    sport_type: str = "Run"
    distance_m: float = 8000.0
    moving_time_s: int = 2700
    elapsed_time_s: int = 2760
    trainer: bool = False
    commute: bool = False
    external_id: str | None = None
    name: str | None = None
    description: str | None = None
    heartrate: tuple[float, float] | None = (145.0, 168.0)
    max_speed: float | None = None
    elevation_m: float = 0.0
    device_name: str | None = None


class _BadParam(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class FakeStrava:
    """The fake Strava. `start()` / `stop()`, or use it as a context manager. See the module
    docstring for what it imitates; every attribute below may be changed while it runs."""

    def __init__(
        self,
        clock: Callable[[], float] = time.time,
        *,
        client_id: str = "1234",
        client_secret: str = "s3cret",
        app_name: str = "RunCoach",
        limits: tuple[int, int] | None = (200, 2000),
        read_limits: tuple[int, int] | None = (100, 1000),
        token_ttl_s: int = 21600,
        reissue_within_s: int = 3600,
        rotate_refresh: bool = True,
        upload_polls: int = 2,
        delay_s: float = 0.0,
        port: int = 0,
    ) -> None:
        self._clock = clock
        self._options = _Options(
            client_id=client_id,
            client_secret=client_secret,
            app_name=app_name,
            limits=limits,
            read_limits=read_limits,
            token_ttl_s=token_ttl_s,
            reissue_within_s=reissue_within_s,
            rotate_refresh=rotate_refresh,
            upload_polls=upload_polls,
            delay_s=delay_s,
        )
        self._lock = threading.Lock()
        self._activity_ids = itertools.count(FIRST_ACTIVITY_ID)  # never reset: ids never repeat
        self._upload_ids = itertools.count(FIRST_UPLOAD_ID)
        self._subscription_ids = itertools.count(1)
        self._seq = itertools.count(1)
        self._clear()
        self._server = LocalServer(self._app(), port=port, name="fake-strava")

    def reset(self) -> None:
        """Back to a fresh fake: the constructor's options, no athletes, tokens, uploads, subscription,
        faults or requests, zero usage, the clock without `advance`s. Ids go on counting."""
        with self._lock:
            self._clear()

    def _clear(self) -> None:
        options = self._options
        self.client_id = options.client_id
        self.client_secret = options.client_secret
        self.app_name = options.app_name
        self.limits = options.limits
        self.read_limits = options.read_limits
        self.token_ttl_s = options.token_ttl_s
        self.reissue_within_s = options.reissue_within_s
        self.rotate_refresh = options.rotate_refresh
        self.upload_polls = options.upload_polls
        self.delay_s = options.delay_s
        self.callback_timeout_s = 2.0
        self.authorize_as: int | None = None
        self.grant_scope: str | None = None
        self.refreshes = 0
        self.uploads_created = 0
        self.deauthorized: set[int] = set()
        self._offset = 0.0
        self._requests: list[Seen] = []
        self._athletes: dict[int, dict[str, Any]] = {}
        self._activities: dict[int, _Activity] = {}
        self._uploads: dict[int, Upload] = {}
        self._codes: dict[str, _Code] = {}
        self._grants: dict[str, _Grant] = {}  # by their current refresh token
        self._access: dict[str, _Access] = {}
        self._authorized: dict[int, frozenset[str]] = {}
        self._subscription: Subscription | None = None
        self._deliveries: list[Delivery] = []
        self._faults: list[_Fault] = []
        self._counter = _Counter()

    # ---- lifecycle and addresses

    def start(self) -> FakeStrava:
        """Bind 127.0.0.1 (a free port unless `port` was given) and serve from a background thread."""
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> FakeStrava:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return self._server.base_url

    @property
    def oauth_url(self) -> str:
        return f"{self.base_url}/oauth"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/v3"

    # ---- the clock

    def now(self) -> float:
        """The fake clock: the given clock plus every `advance`."""
        return self._clock() + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds

    # ---- athletes and activities

    def add_athlete(self, athlete_id: int, firstname: str = "Ada", lastname: str = "Runner") -> None:
        """A Strava athlete; the first one added is who approves the consent page (`authorize_as`)."""
        with self._lock:
            self._athletes[athlete_id] = _athlete_data(athlete_id, firstname, lastname, _iso(self.now()))
            if self.authorize_as is None:
                self.authorize_as = athlete_id

    def add_activities(
        self,
        athlete_id: int,
        n: int,
        *,
        start: datetime,
        every: timedelta = timedelta(days=1),
        sport_type: str = "Run",
        distance_m: float = 8000.0,
        moving_time_s: int = 2700,
        trainer: bool = False,
    ) -> list[dict[str, Any]]:
        """`n` activities, the first at `start` (UTC aware), then one `every`; their summaries."""
        if start.tzinfo is None:
            raise ValueError("start must be timezone aware")
        runs = [
            _Run(
                start=start + i * every,
                sport_type=sport_type,
                distance_m=distance_m,
                moving_time_s=moving_time_s,
                elapsed_time_s=moving_time_s + 60,
                trainer=trainer,
            )
            for i in range(n)
        ]
        with self._lock:
            self._athlete(athlete_id)
            made = [self._new_activity(athlete_id, run, next(self._upload_ids)) for run in runs]
            return [copy.deepcopy(activity.data) for activity in made]

    def update_activity(self, activity_id: int, **fields: Any) -> dict[str, Any]:
        """Change an activity's fields (name, private, sport_type, description...); returns it in detail."""
        with self._lock:
            activity = self._activities[activity_id]
            detail = {k: v for k, v in fields.items() if k in DETAIL_KEYS}
            summary = {k: v for k, v in fields.items() if k not in DETAIL_KEYS}
            activity.data = {**activity.data, **summary}  # copy on write: readers hold the old one
            activity.detail = {**activity.detail, **detail}
            return copy.deepcopy(_detailed(activity))

    def delete_activity(self, activity_id: int) -> None:
        with self._lock:
            self._activities[activity_id].deleted = True

    def activities(self, athlete_id: int) -> list[dict[str, Any]]:
        """The athlete's activities as listed (not deleted, uploads finished), oldest first."""
        with self._lock:
            rows = [a.data for a in self._activities.values() if a.owner == athlete_id and _listed(a)]
            rows = copy.deepcopy(rows)
        return sorted(rows, key=lambda row: (_epoch(row), row["id"]))

    def activity(self, activity_id: int) -> dict[str, Any]:
        """One activity in detail, deleted or not (KeyError when unknown)."""
        with self._lock:
            return copy.deepcopy(_detailed(self._activities[activity_id]))

    # ---- OAuth from the test's side

    def grant(self, athlete_id: int, scope: str = DEFAULT_GRANT) -> str:
        """A fresh authorization code, as if the athlete had approved `scope` on the consent page."""
        scopes = _scopes(scope)
        if scopes is None:
            raise ValueError(f"unknown scope in {scope!r}")
        with self._lock:
            self._athlete(athlete_id)
            return self._new_code(athlete_id, scopes)

    def token_for(self, athlete_id: int, scope: str = DEFAULT_GRANT) -> Token:
        """A token pair issued directly, as if a code had been exchanged."""
        code = self.grant(athlete_id, scope)
        with self._lock:
            entry = self._codes.pop(code)
            return _token(self._issue(entry.athlete_id, entry.scope))

    def expire_tokens(self, athlete_id: int | None = None) -> None:
        """Every access token (of the athlete) is expired from now on; refresh tokens still work."""
        with self._lock:
            past = int(self.now()) - 1
            for access in self._access.values():
                if athlete_id is None or access.grant.athlete_id == athlete_id:
                    access.expires_at = min(access.expires_at, past)

    def tokens_of(self, athlete_id: int) -> list[Token]:
        """The athlete's access tokens not revoked (expired ones too), oldest first."""
        with self._lock:
            found = [a for a in self._access.values() if a.grant.athlete_id == athlete_id]
            return [_token(a) for a in sorted(found, key=lambda a: a.seq)]

    # ---- uploads, subscriptions, faults, the log

    @property
    def uploads(self) -> list[Upload]:
        with self._lock:
            return [dataclasses.replace(u) for u in self._uploads.values()]

    def finish_uploads(self) -> None:
        """Finish every upload still processing, as Strava would without being polled."""
        with self._lock:
            for upload in self._uploads.values():
                self._finish(upload)

    @property
    def subscription(self) -> Subscription | None:
        """The app's push subscription, if one was made."""
        return self._subscription

    @property
    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._deliveries)

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        path: str | None = None,
        method: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        """The next `times` requests answer `status` instead of being served: /api/v3 requests, or
        those whose path starts with `path` (which may be "/oauth/token"). 429 comes with the rate
        limit body, 500 with Strava's JSON, 502/503/504 with a proxy's HTML page; `retry_after`
        adds a Retry-After header."""
        with self._lock:
            self._faults.append(_Fault(status, times, path, method, retry_after))

    def usage(self) -> Usage:
        """The rate-limit usage now (windows rolled to the fake clock)."""
        with self._lock:
            self._counter.roll(self.now())
            return self._counter.usage()

    def reset_usage(self) -> None:
        with self._lock:
            self._counter = _Counter()

    @property
    def requests(self) -> list[Seen]:
        """Every request so far, oldest first (a copy of the list)."""
        with self._lock:
            return list(self._requests)

    def count(self, path_prefix: str, method: str | None = None) -> int:
        """Requests whose path starts with `path_prefix` (and of `method`)."""
        with self._lock:
            return sum(
                1
                for seen in self._requests
                if seen.path.startswith(path_prefix) and (method is None or seen.method == method.upper())
            )

    def reset_counts(self) -> None:
        """Forget the request log, `refreshes` and `uploads_created` (not the rate-limit usage)."""
        with self._lock:
            self._requests.clear()
            self.refreshes = 0
            self.uploads_created = 0

    # ---- webhook events

    def event_for(
        self, activity: dict[str, Any] | int, aspect_type: str, updates: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Keyword arguments for `send_event` about an activity (a dict or its id):
        `await fake.send_event(**fake.event_for(activity, "create"))`."""
        data = self.activity(activity) if isinstance(activity, int) else activity
        return {
            "object_type": "activity",
            "object_id": data["id"],
            "aspect_type": aspect_type,
            "owner_id": data["athlete"]["id"],
            "updates": updates or {},
        }

    def revoke(self, athlete_id: int) -> None:
        """The athlete revokes RunCoach's access on strava.com (Strava then sends the event)."""
        with self._lock:
            self._revoke(athlete_id)

    @staticmethod
    def deauthorization_event(athlete_id: int) -> dict[str, Any]:
        """Keyword arguments for `send_event`: the athlete revoked access (as Strava says it)."""
        return {
            "object_type": "athlete",
            "object_id": athlete_id,
            "aspect_type": "update",
            "owner_id": athlete_id,
            "updates": {"authorized": "false"},
        }

    async def send_event(
        self,
        *,
        object_id: int,
        aspect_type: str,
        owner_id: int,
        object_type: str = "activity",
        updates: dict[str, Any] | None = None,
        event_time: int | None = None,
        subscription_id: int | None = None,
        callback_url: str | None = None,
        times: int = 1,
        attempts: int = 3,
    ) -> int:
        """POST an event to the subscription's callback (or `callback_url`), from the caller's event
        loop. Each delivery is tried up to `attempts` times until the callback answers 200 within
        `callback_timeout_s`; `times` delivers the same event again (Strava does send duplicates).
        Returns the last status code (0: no answer in time)."""
        url, sub_id = self._event_target(callback_url, subscription_id)
        event = {
            "aspect_type": aspect_type,
            "event_time": int(self.now()) if event_time is None else event_time,
            "object_id": object_id,
            "object_type": object_type,
            "owner_id": owner_id,
            "subscription_id": sub_id,
            "updates": updates or {},
        }
        status = 0
        async with httpx.AsyncClient(trust_env=False) as client:
            for _ in range(times):
                status = await self._deliver(client, url, event, attempts)
        return status

    def _event_target(self, callback_url: str | None, subscription_id: int | None) -> tuple[str, int]:
        sub = self._subscription
        url = callback_url or (sub.callback_url if sub else None)
        if url is None:
            raise RuntimeError("no push subscription: give callback_url=")
        return url, subscription_id if subscription_id is not None else (sub.id if sub else 0)

    async def _deliver(
        self, client: httpx.AsyncClient, url: str, event: dict[str, Any], attempts: int
    ) -> int:
        status = 0
        for attempt in range(1, attempts + 1):
            status = await _post_event(client, url, event, self.callback_timeout_s)
            with self._lock:
                self._deliveries.append(Delivery(dict(event), attempt, status))
            if status == 200:
                break
        return status

    # ---- serving: the routes and what every request goes through

    def _app(self) -> Starlette:
        api, oauth = self._api, self._oauth
        every = ["GET", "POST", "PUT", "PATCH", "DELETE"]
        return Starlette(
            routes=[
                Route("/oauth/authorize", oauth(self._authorize), methods=["GET"]),
                Route("/oauth/accept_application", oauth(self._accept), methods=["GET", "POST"]),
                Route("/oauth/cancel", oauth(self._cancel), methods=["GET"]),
                Route("/oauth/token", oauth(self._token), methods=["POST"]),
                Route("/oauth/deauthorize", oauth(self._deauthorize), methods=["POST"]),
                Route("/api/v3/athlete", api(self._get_athlete), methods=["GET"]),
                Route("/api/v3/athlete/activities", api(self._list_activities), methods=["GET"]),
                Route("/api/v3/activities/{id}", api(self._get_activity), methods=["GET"]),
                Route("/api/v3/uploads", api(self._create_upload), methods=["POST"]),
                Route("/api/v3/uploads/{id}", api(self._get_upload), methods=["GET"]),
                Route("/api/v3/push_subscriptions", api(self._subscribe, app=True), methods=["POST"]),
                Route("/api/v3/push_subscriptions", api(self._list_subs, app=True), methods=["GET"]),
                Route(
                    "/api/v3/push_subscriptions/{id}", api(self._unsubscribe, app=True), methods=["DELETE"]
                ),
                Route("/api/v3/{rest:path}", api(_no_route, app=True), methods=every),
            ],
        )

    def _api(self, handler: Handler, *, app: bool = False) -> Endpoint:
        """An /api/v3 endpoint: logged, delayed, counted, faults and limits, then the bearer token
        (unless the app's own credentials are the authentication), then `handler`."""

        async def endpoint(request: Request) -> Response:
            call, seen = await self._arrive(request)
            try:
                usage = self._count(request.method)
                response = self._refusal(call, usage, bearer=not app)
                if response is None:
                    response = await handler(call)
                response.headers.update(self._rate_headers(usage))
                seen.status = response.status_code
                return response
            finally:
                await request.close()

        return endpoint

    def _oauth(self, handler: Handler) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            call, seen = await self._arrive(request)
            try:
                response = self._injected(request)
                if response is None:
                    response = await handler(call)
                seen.status = response.status_code
                return response
            finally:
                await request.close()

        return endpoint

    async def _arrive(self, request: Request) -> tuple[_Call, Seen]:
        fields, files, has_form = await _read_form(request)
        query = dict(request.query_params)
        form = {**fields, **{k: f.filename or "" for k, f in files.items()}} if has_form else None
        seen = Seen(request.method, request.url.path, query, form, dict(request.headers), self.now())
        with self._lock:
            self._requests.append(seen)
        if self.delay_s > 0:
            await asyncio.sleep(self.delay_s)
        return _Call(request, {**query, **fields}, files), seen

    def _refusal(self, call: _Call, usage: Usage, *, bearer: bool) -> Response | None:
        refusal = self._injected(call.request)
        if refusal is None:
            refusal = self._over_limit(call.request.method, usage)
        if refusal is None and bearer:
            refusal = self._authenticate(call)
        return refusal

    def _injected(self, request: Request) -> Response | None:
        with self._lock:
            fault = next((f for f in self._faults if f.matches(request.url.path, request.method)), None)
            if fault is None:
                return None
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
        return _fault_response(fault.status, fault.retry_after)

    def _count(self, method: str) -> Usage:
        with self._lock:
            counter = self._counter
            counter.roll(self.now())
            counter.overall[0] += 1
            counter.overall[1] += 1
            if method == "GET":
                counter.read[0] += 1
                counter.read[1] += 1
            return counter.usage()

    def _over_limit(self, method: str, usage: Usage) -> Response | None:
        over = _exceeds(self.limits, usage.overall) or (
            method == "GET" and _exceeds(self.read_limits, usage.read)
        )
        return _rate_limited() if over else None

    def _rate_headers(self, usage: Usage) -> dict[str, str]:
        headers: dict[str, str] = {}
        limits, read_limits = self.limits, self.read_limits
        if limits is not None:
            headers["X-RateLimit-Limit"] = _pair(limits)
            headers["X-RateLimit-Usage"] = _pair(usage.overall)
        if read_limits is not None:
            headers["X-ReadRateLimit-Limit"] = _pair(read_limits)
            headers["X-ReadRateLimit-Usage"] = _pair(usage.read)
        return headers

    def _authenticate(self, call: _Call) -> Response | None:
        token = _bearer(call.request)
        with self._lock:
            access = self._access.get(token) if token else None
            if access is None or access.expires_at <= self.now():
                return _unauthorized("Athlete", "access_token", "invalid")
            call.athlete_id, call.scope = access.grant.athlete_id, access.grant.scope
        return None

    # ---- OAuth: the consent page

    async def _authorize(self, call: _Call) -> Response:
        p = call.params
        problem = self._authorize_problem(p)
        if problem is not None:
            return problem
        requested = _scopes(p.get("scope") or "read") or frozenset()
        athlete_id = self._approver()
        if athlete_id is None:
            return _bad_request("Athlete", "authorize_as", "invalid")
        with self._lock:
            known = self._authorized.get(athlete_id, frozenset())
            athlete = dict(self._athletes[athlete_id])
        if p.get("approval_prompt", "auto") != "force" and requested <= known:
            return self._approve(athlete_id, p["redirect_uri"], p.get("state", ""), requested)
        return HTMLResponse(_consent_page(self.app_name, athlete, requested, p))

    def _authorize_problem(self, p: dict[str, str]) -> Response | None:
        if p.get("client_id") != self.client_id:
            return _bad_request("Application", "client_id", "invalid")
        if not p.get("redirect_uri"):
            return _bad_request("Application", "redirect_uri", "invalid")
        if p.get("response_type") != "code":
            return _bad_request("Application", "response_type", "invalid")
        if _scopes(p.get("scope") or "read") is None:
            return _bad_request("Application", "scope", "invalid")
        return None

    async def _accept(self, call: _Call) -> Response:
        p = call.params
        problem = self._authorize_problem({**p, "response_type": "code"})
        athlete_id = self._approver()
        if problem is not None or athlete_id is None:
            return problem or _bad_request("Athlete", "authorize_as", "invalid")
        requested = _scopes(p.get("scope") or "read") or frozenset()
        return self._approve(athlete_id, p["redirect_uri"], p.get("state", ""), requested)

    async def _cancel(self, call: _Call) -> Response:
        p = call.params
        if not p.get("redirect_uri"):
            return _bad_request("Application", "redirect_uri", "invalid")
        return _redirect(p["redirect_uri"], {"state": p.get("state", ""), "error": "access_denied"})

    def _approver(self) -> int | None:
        with self._lock:
            athlete_id = self.authorize_as
            return athlete_id if athlete_id in self._athletes else None

    def _approve(self, athlete_id: int, redirect_uri: str, state: str, requested: frozenset[str]) -> Response:
        granted = self._granted(requested)
        with self._lock:
            code = self._new_code(athlete_id, granted)
        return _redirect(redirect_uri, {"state": state, "code": code, "scope": _scope_text(granted)})

    def _granted(self, requested: frozenset[str]) -> frozenset[str]:
        chosen = requested if self.grant_scope is None else (_scopes(self.grant_scope) or frozenset())
        return (chosen & requested) | (requested & {"read"})

    def _new_code(self, athlete_id: int, scope: frozenset[str]) -> str:
        """(lock held) A code, and the athlete's consent remembered for approval_prompt=auto."""
        code = secrets.token_hex(20)
        self._codes[code] = _Code(athlete_id, scope)
        self._authorized[athlete_id] = self._authorized.get(athlete_id, frozenset()) | scope
        return code

    # ---- OAuth: tokens

    async def _token(self, call: _Call) -> Response:
        p = call.params
        refused = self._check_app(p)
        if refused is not None:
            return refused
        grant_type = p.get("grant_type") or ("authorization_code" if "code" in p else "")
        if grant_type == "authorization_code":
            return self._exchange(p.get("code", ""))
        if grant_type == "refresh_token":
            return self._refresh(p.get("refresh_token", ""))
        return _bad_request("Application", "grant_type", "invalid")

    def _check_app(self, p: dict[str, str]) -> Response | None:
        if p.get("client_id") != self.client_id:
            return _bad_request("Application", "client_id", "invalid")
        if p.get("client_secret") != self.client_secret:
            return _bad_request("Application", "client_secret", "invalid")
        return None

    def _exchange(self, code: str) -> Response:
        with self._lock:
            entry = self._codes.pop(code, None)
            if entry is None or entry.athlete_id not in self._athletes:
                return _bad_request("AuthorizationCode", "code", "invalid")
            access = self._issue(entry.athlete_id, entry.scope)
            athlete = dict(self._athletes[entry.athlete_id])
        return JSONResponse({**self._token_body(access), "athlete": athlete})

    def _refresh(self, refresh_token: str) -> Response:
        with self._lock:
            grant = self._grants.get(refresh_token)
            if grant is None:
                return _bad_request("RefreshToken", "refresh_token", "invalid")
            self.refreshes += 1
            access = self._current_access(grant)
            if self.rotate_refresh:
                del self._grants[grant.refresh_token]
                grant.refresh_token = secrets.token_hex(20)
                self._grants[grant.refresh_token] = grant
            return JSONResponse(self._token_body(access))

    def _token_body(self, access: _Access) -> dict[str, Any]:
        return {
            "token_type": "Bearer",
            "expires_at": access.expires_at,
            "expires_in": max(access.expires_at - int(self.now()), 0),
            "refresh_token": access.grant.refresh_token,
            "access_token": access.token,
        }

    def _issue(self, athlete_id: int, scope: frozenset[str]) -> _Access:
        """(lock held) A new grant: a refresh token and its first access token."""
        grant = _Grant(athlete_id, scope, secrets.token_hex(20))
        self._grants[grant.refresh_token] = grant
        return self._new_access(grant)

    def _new_access(self, grant: _Grant) -> _Access:
        access = _Access(secrets.token_hex(20), grant, int(self.now()) + self.token_ttl_s, next(self._seq))
        grant.access.append(access)
        self._access[access.token] = access
        return access

    def _current_access(self, grant: _Grant) -> _Access:
        """(lock held) Strava's rule: the same access token while it has more than an hour left."""
        latest = grant.access[-1] if grant.access else None
        if latest is not None and latest.expires_at - self.now() > self.reissue_within_s:
            return latest
        return self._new_access(grant)

    async def _deauthorize(self, call: _Call) -> Response:
        token = call.params.get("access_token") or _bearer(call.request)
        with self._lock:
            access = self._access.get(token) if token else None
            if access is None or access.expires_at <= self.now():
                return _unauthorized("Athlete", "access_token", "invalid")
            self._revoke(access.grant.athlete_id)
        return JSONResponse({"access_token": token})

    def _revoke(self, athlete_id: int) -> None:
        """(lock held) Every token, code and consent of the athlete is gone."""
        for grant in [g for g in self._grants.values() if g.athlete_id == athlete_id]:
            del self._grants[grant.refresh_token]
            for access in grant.access:
                self._access.pop(access.token, None)
        for code in [c for c, entry in self._codes.items() if entry.athlete_id == athlete_id]:
            del self._codes[code]
        self._authorized.pop(athlete_id, None)
        self.deauthorized.add(athlete_id)

    # ---- API: athlete and activities

    async def _get_athlete(self, call: _Call) -> Response:
        with self._lock:
            athlete = dict(self._athletes[call.athlete_id])
        return JSONResponse({**athlete, **_ATHLETE_DETAIL})

    async def _list_activities(self, call: _Call) -> Response:
        denied = _needs(call, READ_ACTIVITIES, "activity:read_permission")
        if denied is not None:
            return denied
        try:
            before, after = _int_param(call.params, "before"), _int_param(call.params, "after")
            page = max(_int_param(call.params, "page") or 1, 1)
            per_page = min(max(_int_param(call.params, "per_page") or 30, 1), 200)
        except _BadParam as bad:
            return _bad_request("Application", bad.name, "invalid")
        rows = self._listable(call)
        rows = [r for r in rows if _between(_epoch(r), after, before)]
        rows.sort(key=lambda r: (_epoch(r), r["id"]), reverse=not (after is not None and before is None))
        first = (page - 1) * per_page
        return JSONResponse(rows[first : first + per_page])

    def _listable(self, call: _Call) -> list[dict[str, Any]]:
        private_too = "activity:read_all" in call.scope
        with self._lock:
            return [
                a.data
                for a in self._activities.values()
                if a.owner == call.athlete_id and _listed(a) and (private_too or not a.data.get("private"))
            ]

    async def _get_activity(self, call: _Call) -> Response:
        denied = _needs(call, READ_ACTIVITIES, "activity:read_permission")
        if denied is not None:
            return denied
        activity_id = _path_id(call)
        private_too = "activity:read_all" in call.scope
        with self._lock:
            found = self._activities.get(activity_id) if activity_id is not None else None
            if found is None or found.owner != call.athlete_id or not _listed(found):
                return _not_found("Activity")
            if found.data.get("private") and not private_too:
                return _not_found("Activity")
            return JSONResponse(_detailed(found))

    def _athlete(self, athlete_id: int) -> dict[str, Any]:
        if athlete_id not in self._athletes:
            raise KeyError(f"no athlete {athlete_id}: add_athlete first")
        return self._athletes[athlete_id]

    def _new_activity(
        self, athlete_id: int, run: _Run, upload_id: int, *, visible: bool = True, sha256: str | None = None
    ) -> _Activity:
        """(lock held)"""
        activity_id = next(self._activity_ids)
        data = _summary_data(activity_id, athlete_id, upload_id, run)
        detail = {
            "description": run.description,
            "calories": round(run.distance_m / 1000 * 65, 1),
            "device_name": run.device_name,
            "gear_id": None,
        }
        activity = _Activity(data, detail, athlete_id, visible=visible, sha256=sha256)
        self._activities[activity_id] = activity
        return activity

    # ---- API: uploads

    async def _create_upload(self, call: _Call) -> Response:
        denied = _needs(call, WRITE_ACTIVITIES, "activity:write_permission")
        if denied is not None:
            return denied
        file = call.files.get("file")
        if file is None:
            return _bad_request("Upload", "file", "not a file")
        if call.params.get("data_type") not in DATA_TYPES:
            return _bad_request("Upload", "data_type", "invalid")
        content = await file.read()
        fit = _read_fit(content, call.params["data_type"])
        with self._lock:
            upload = self._new_upload(call, file.filename or "upload", content)
            self._process(upload, fit)
            return JSONResponse(self._upload_json(upload, posted=True), status_code=201)

    def _new_upload(self, call: _Call, file_name: str, content: bytes) -> Upload:
        """(lock held)"""
        p = call.params
        upload = Upload(
            id=next(self._upload_ids),
            athlete_id=call.athlete_id,
            file_name=file_name,
            data_type=p["data_type"],
            external_id=p.get("external_id") or None,
            name=p.get("name") or None,
            description=p.get("description") or None,
            trainer=_flag(p.get("trainer")),
            commute=_flag(p.get("commute")),
            sha256=hashlib.sha256(content).hexdigest(),
            polls_needed=self.upload_polls,
        )
        self._uploads[upload.id] = upload
        self.uploads_created += 1
        return upload

    def _process(self, upload: Upload, fit: _Run | None) -> None:
        """(lock held) Decide now what the upload ends as; it shows after `polls_needed` reads."""
        twin = self._twin(upload)
        if fit is None:
            upload.error = UNREADABLE
        elif twin is not None:
            upload.error = f"{upload.file_name} duplicate of activity {twin}"
        else:
            run = dataclasses.replace(
                fit,
                trainer=fit.trainer or upload.trainer,
                commute=upload.commute,
                external_id=upload.external_id,
                name=upload.name,
                description=upload.description,
            )
            made = self._new_activity(upload.athlete_id, run, upload.id, visible=False, sha256=upload.sha256)
            upload.activity_id = made.data["id"]
        if upload.polls_needed <= 0:
            self._finish(upload)

    def _twin(self, upload: Upload) -> int | None:
        """(lock held) The athlete's activity this upload duplicates: same external_id or same file."""
        for activity in self._activities.values():
            if activity.owner != upload.athlete_id or activity.deleted:
                continue
            same_id = upload.external_id is not None and activity.data["external_id"] == upload.external_id
            if same_id or activity.sha256 == upload.sha256:
                return int(activity.data["id"])
        return None

    def _finish(self, upload: Upload) -> None:
        """(lock held)"""
        upload.ready = True
        if upload.activity_id is not None:
            self._activities[upload.activity_id].visible = True

    async def _get_upload(self, call: _Call) -> Response:
        denied = _needs(call, WRITE_ACTIVITIES, "activity:write_permission")
        if denied is not None:
            return denied
        upload_id = _path_id(call)
        with self._lock:
            upload = self._uploads.get(upload_id) if upload_id is not None else None
            if upload is None or upload.athlete_id != call.athlete_id:
                return _not_found("Upload")
            upload.polls += 1
            if upload.polls > upload.polls_needed:
                self._finish(upload)
            return JSONResponse(self._upload_json(upload))

    def _upload_json(self, upload: Upload, *, posted: bool = False) -> dict[str, Any]:
        """(lock held) The upload as Strava shows it; just posted, it is always still processing."""
        body: dict[str, Any] = {
            "id": upload.id,
            "id_str": str(upload.id),
            "external_id": upload.external_id,
            "error": None,
            "status": PROCESSING,
            "activity_id": None,
        }
        if posted or not upload.ready:
            return body
        if upload.error is not None:
            return {**body, "error": upload.error, "status": FAILED}
        made = self._activities.get(upload.activity_id or 0)
        status = GONE if made is None or made.deleted else READY
        return {**body, "status": status, "activity_id": upload.activity_id}

    # ---- API: push subscriptions

    async def _subscribe(self, call: _Call) -> Response:
        p = call.params
        refused = self._check_app(p)
        if refused is not None:
            return refused
        if not p.get("callback_url"):
            return _bad_request("PushSubscription", "callback url", "invalid")
        if self._subscription is not None:
            return _bad_request("PushSubscription", "", "already exists")
        if not await _verify_callback(p["callback_url"], p.get("verify_token", ""), self.callback_timeout_s):
            return _bad_request("PushSubscription", "callback url", "not verifiable")
        with self._lock:
            if self._subscription is not None:
                return _bad_request("PushSubscription", "", "already exists")
            stamp = _iso(self.now())
            app_id = int(self.client_id) if self.client_id.isdigit() else 0
            sub = Subscription(next(self._subscription_ids), app_id, p["callback_url"], stamp, stamp)
            self._subscription = sub
        return JSONResponse({"id": sub.id}, status_code=201)

    async def _list_subs(self, call: _Call) -> Response:
        refused = self._check_app(call.params)
        if refused is not None:
            return refused
        sub = self._subscription
        return JSONResponse([sub.wire()] if sub else [])

    async def _unsubscribe(self, call: _Call) -> Response:
        refused = self._check_app(call.params)
        if refused is not None:
            return refused
        sub_id = _path_id(call)
        with self._lock:
            if self._subscription is None or self._subscription.id != sub_id:
                return _not_found("PushSubscription")
            self._subscription = None
        return Response(status_code=204)


# --------------------------------------------------------------------------- wire helpers


_ATHLETE_DETAIL: dict[str, Any] = {
    "resource_state": 3,
    "follower_count": 0,
    "friend_count": 0,
    "measurement_preference": "meters",
    "ftp": None,
    "clubs": [],
    "bikes": [],
    "shoes": [],
}


async def _no_route(call: _Call) -> Response:
    return _errors(404, "Record Not Found", "resource", "path", "invalid")


def _errors(status: int, message: str, resource: str, field_name: str, code: str) -> JSONResponse:
    body = {"message": message, "errors": [{"resource": resource, "field": field_name, "code": code}]}
    return JSONResponse(body, status_code=status)


def _bad_request(resource: str, field_name: str, code: str) -> JSONResponse:
    return _errors(400, "Bad Request", resource, field_name, code)


def _unauthorized(resource: str, field_name: str, code: str) -> JSONResponse:
    return _errors(401, "Authorization Error", resource, field_name, code)


def _not_found(resource: str) -> JSONResponse:
    return _errors(404, "Record Not Found", resource, "id", "invalid")


def _rate_limited() -> JSONResponse:
    return _errors(429, "Rate Limit Exceeded", "Application", "rate limit", "exceeded")


def _fault_response(status: int, retry_after: int | None) -> Response:
    if status == 429:
        response: Response = _rate_limited()
    elif status == 500:
        response = JSONResponse({"message": "Internal Server Error"}, status_code=500)
    elif status in (502, 503, 504):
        phrase = f"{status} {_phrase(status)}"
        page = f"<html><head><title>{phrase}</title></head><body><h1>{phrase}</h1></body></html>"
        response = HTMLResponse(page, status_code=status)
    else:
        response = JSONResponse({"message": _phrase(status), "errors": []}, status_code=status)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _needs(call: _Call, accepted: frozenset[str], field_name: str) -> Response | None:
    return None if call.scope & accepted else _unauthorized("AccessToken", field_name, "missing")


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _read_form(request: Request) -> tuple[dict[str, str], dict[str, UploadFile], bool]:
    """The body's fields and files, when it is a form (url-encoded or multipart)."""
    kind = request.headers.get("content-type", "")
    if not kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return {}, {}, False
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    files = {k: v for k, v in form.items() if isinstance(v, UploadFile)}
    return fields, files, True


def _int_param(params: dict[str, str], name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except ValueError:
        raise _BadParam(name) from None


def _path_id(call: _Call) -> int | None:
    text = str(call.request.path_params.get("id", ""))
    return int(text) if text.isdigit() else None


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes"}


def _pair(values: tuple[int, int]) -> str:
    return f"{values[0]},{values[1]}"


def _exceeds(limits: tuple[int, int] | None, used: tuple[int, int]) -> bool:
    return limits is not None and (used[0] > limits[0] or used[1] > limits[1])


def _redirect(url: str, params: dict[str, str]) -> RedirectResponse:
    joiner = "&" if "?" in url else "?"
    return RedirectResponse(f"{url}{joiner}{urlencode(params, safe=',:')}", status_code=302)


def _scopes(text: str) -> frozenset[str] | None:
    """The scopes in Strava's comma-separated list, or None if one is unknown."""
    names = frozenset(s for s in re.split(r"[\s,]+", text) if s)
    return names if names <= set(SCOPES) else None


def _scope_text(scope: frozenset[str]) -> str:
    return ",".join(s for s in SCOPES if s in scope)


def _token(access: _Access) -> Token:
    grant = access.grant
    return Token(
        grant.athlete_id, access.token, grant.refresh_token, access.expires_at, _scope_text(grant.scope)
    )


def _iso(moment: datetime | float) -> str:
    when = moment if isinstance(moment, datetime) else datetime.fromtimestamp(moment, UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _epoch(data: dict[str, Any]) -> float:
    return datetime.fromisoformat(str(data["start_date"]).replace("Z", "+00:00")).timestamp()


def _between(moment: float, after: int | None, before: int | None) -> bool:
    """Strava's after/before: both exclusive."""
    return (after is None or moment > after) and (before is None or moment < before)


def _listed(activity: _Activity) -> bool:
    return activity.visible and not activity.deleted


def _consent_page(
    app_name: str, athlete: dict[str, Any], requested: frozenset[str], p: dict[str, str]
) -> str:
    """Strava's consent page, in short: who, what, Authorize (a GET form) or Cancel (a link)."""
    who = html.escape(f"{athlete['firstname']} {athlete['lastname']}")
    app = html.escape(app_name)
    items = "".join(
        f'<li data-scope="{s}">{html.escape(SCOPE_WORDS[s])}</li>' for s in SCOPES if s in requested
    )
    keep = {k: p.get(k, "") for k in ("client_id", "redirect_uri", "state", "scope", "approval_prompt")}
    hidden = "".join(
        f'<input type="hidden" name="{k}" value="{html.escape(v, quote=True)}">' for k, v in keep.items()
    )
    cancel = html.escape("/oauth/cancel?" + urlencode({k: keep[k] for k in ("redirect_uri", "state")}))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Strava | Authorize {app}</title></head>"
        f"<body><h1>Authorize {app} to connect to Strava</h1>"
        f'<p id="athlete">Signed in as {who}</p>'
        f'<ul id="scopes">{items}</ul>'
        f'<form id="authorize-form" method="get" action="/oauth/accept_application">{hidden}'
        f'<button id="authorize" type="submit">Authorize</button></form>'
        f'<a id="cancel" href="{cancel}">Cancel</a></body></html>'
    )


def _athlete_data(athlete_id: int, firstname: str, lastname: str, created: str) -> dict[str, Any]:
    return {
        "id": athlete_id,
        "username": None,
        "resource_state": 2,
        "firstname": firstname,
        "lastname": lastname,
        "bio": None,
        "city": "Berlin",
        "state": "Berlin",
        "country": "Germany",
        "sex": None,
        "premium": False,
        "summit": False,
        "created_at": created,
        "updated_at": created,
        "badge_type_id": 0,
        "weight": None,
        "profile_medium": "avatar/athlete/medium.png",
        "profile": "avatar/athlete/large.png",
        "friend": None,
        "follower": None,
    }


def _summary_data(activity_id: int, athlete_id: int, upload_id: int, run: _Run) -> dict[str, Any]:
    local = run.start.astimezone(UTC) + LOCAL_OFFSET
    speed = run.distance_m / run.moving_time_s if run.moving_time_s else 0.0
    data: dict[str, Any] = {
        "resource_state": 2,
        "athlete": {"id": athlete_id, "resource_state": 1},
        "name": run.name or _default_name(local, run.sport_type),
        "distance": run.distance_m,
        "moving_time": run.moving_time_s,
        "elapsed_time": run.elapsed_time_s,
        "total_elevation_gain": run.elevation_m,
        "type": LEGACY_TYPES.get(run.sport_type, run.sport_type),
        "sport_type": run.sport_type,
        "workout_type": None,
        "id": activity_id,
        "start_date": _iso(run.start),
        "start_date_local": _iso(local.replace(tzinfo=UTC)),
        "timezone": TIMEZONE,
        "utc_offset": LOCAL_OFFSET.total_seconds(),
        "map": {"id": f"a{activity_id}", "summary_polyline": "", "resource_state": 2},
        "trainer": run.trainer,
        "commute": run.commute,
        "manual": False,
        "private": False,
        "visibility": "everyone",
        "average_speed": round(speed, 3),
        "max_speed": round(run.max_speed if run.max_speed is not None else speed * 1.1, 3),
        "has_heartrate": run.heartrate is not None,
        "external_id": run.external_id,
        "upload_id": upload_id,
        "upload_id_str": str(upload_id),
    }
    if run.heartrate is not None:
        data["average_heartrate"], data["max_heartrate"] = run.heartrate
    return data


def _detailed(activity: _Activity) -> dict[str, Any]:
    """The detailed representation: the summary, the detail fields and one lap for the whole run."""
    data = activity.data
    lap = {
        "id": data["id"] * 100 + 1,
        "resource_state": 2,
        "name": "Lap 1",
        "activity": {"id": data["id"], "resource_state": 1},
        "athlete": dict(data["athlete"]),
        "elapsed_time": data["elapsed_time"],
        "moving_time": data["moving_time"],
        "start_date": data["start_date"],
        "start_date_local": data["start_date_local"],
        "distance": data["distance"],
        "average_speed": data["average_speed"],
        "max_speed": data["max_speed"],
        "lap_index": 1,
        "split": 1,
        "total_elevation_gain": data["total_elevation_gain"],
    }
    return {**data, "resource_state": 3, **activity.detail, "laps": [lap]}


def _default_name(local: datetime, sport_type: str) -> str:
    """Strava's name for an unnamed activity: the part of the day, then the sport."""
    hour = local.hour
    if hour < 5 or hour >= 21:
        part = "Night"
    else:
        part = "Morning" if hour < 12 else "Afternoon" if hour < 17 else "Evening"
    return f"{part} {LEGACY_TYPES.get(sport_type, sport_type)}"


# --------------------------------------------------------------------------- FIT files and callbacks


def _read_fit(content: bytes, data_type: str) -> _Run | None:
    """What the FIT file's session says, or None when Strava could not read it."""
    if data_type not in ("fit", "fit.gz"):
        return None
    try:
        raw = gzip.decompress(content) if data_type == "fit.gz" else content
        return _fit_session(raw)
    except Exception:  # any decoding failure is the uploader's malformed file
        return None


def _fit_session(raw: bytes) -> _Run | None:
    with fitdecode.FitReader(io.BytesIO(raw)) as reader:
        sessions = [f for f in reader if isinstance(f, fitdecode.FitDataMessage) and f.name == "session"]
    if not sessions:
        return None
    session = sessions[0]

    def value(name: str) -> Any:
        return session.get_value(name, fallback=None)

    start = value("start_time")
    if not isinstance(start, datetime):
        return None
    timer_s = float(value("total_timer_time") or 0.0)
    avg_hr, max_hr = value("avg_heart_rate"), value("max_heart_rate")
    return _Run(
        start=start if start.tzinfo else start.replace(tzinfo=UTC),
        sport_type=FIT_SPORTS.get(str(value("sport")), "Workout"),
        distance_m=float(value("total_distance") or 0.0),
        moving_time_s=round(timer_s),
        elapsed_time_s=round(float(value("total_elapsed_time") or timer_s)),
        trainer=value("sub_sport") == "treadmill",
        heartrate=(float(avg_hr), float(max_hr or avg_hr)) if avg_hr else None,
        max_speed=_float_or_none(value("enhanced_max_speed") or value("max_speed")),
        elevation_m=float(value("total_ascent") or 0.0),
    )


def _float_or_none(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


async def _verify_callback(url: str, verify_token: str, timeout_s: float) -> bool:
    """Strava's validation GET: the callback must echo hub.challenge, with 200, within the time."""
    challenge = secrets.token_urlsafe(16)
    params = {"hub.mode": "subscribe", "hub.challenge": challenge, "hub.verify_token": verify_token}
    try:
        async with asyncio.timeout(timeout_s), httpx.AsyncClient(trust_env=False) as client:
            answer = await client.get(url, params=params)
        body = answer.json()
    except (httpx.HTTPError, TimeoutError, ValueError):
        return False
    return answer.status_code == 200 and isinstance(body, dict) and body.get("hub.challenge") == challenge


async def _post_event(client: httpx.AsyncClient, url: str, event: dict[str, Any], timeout_s: float) -> int:
    try:
        async with asyncio.timeout(timeout_s):
            answer = await client.post(url, json=event)
    except (httpx.HTTPError, TimeoutError):
        return 0
    return answer.status_code


# --------------------------------------------------------------------------- from a shell


def main(argv: Sequence[str] | None = None) -> None:
    """Serve a fake Strava until interrupted (for benchmarks): prints the base URL, then one line
    per athlete with a ready token pair."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--athletes", type=int, default=1, help="athletes 1001, 1002, ...")
    parser.add_argument("--activities", type=int, default=0, help="activities per athlete, one a day")
    parser.add_argument("--no-limits", action="store_true", help="no rate limits (no limit headers)")
    parser.add_argument("--client-id", default="1234")
    parser.add_argument("--client-secret", default="s3cret")
    parser.add_argument("--upload-polls", type=int, default=2, help="status reads before an upload is done")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before every answer")
    args = parser.parse_args(argv)
    limits = {"limits": None, "read_limits": None} if args.no_limits else {}
    fake = FakeStrava(
        client_id=args.client_id,
        client_secret=args.client_secret,
        upload_polls=args.upload_polls,
        delay_s=args.delay,
        port=args.port,
        **limits,
    )
    with fake:
        print(fake.base_url, flush=True)
        for token in _seed(fake, args.athletes, args.activities):
            print(
                f"athlete {token.athlete_id} access_token={token.access_token} "
                f"refresh_token={token.refresh_token}",
                flush=True,
            )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


def _seed(fake: FakeStrava, athletes: int, activities: int) -> list[Token]:
    first_day = datetime.fromtimestamp(fake.now(), UTC).replace(hour=6, minute=30, second=0, microsecond=0)
    tokens = []
    for athlete_id in range(1001, 1001 + athletes):
        fake.add_athlete(athlete_id)
        fake.add_activities(athlete_id, activities, start=first_day - timedelta(days=activities))
        tokens.append(fake.token_for(athlete_id))
    return tokens


if __name__ == "__main__":
    main()
