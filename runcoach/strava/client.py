"""Strava's OAuth and API v3 over httpx: one method per call RunCoach makes, nothing stored.

Every API answer's rate-limit headers are read into `Limits`, shared by everything that talks to
Strava in this process, so a request is not even tried while a window is full: the caller is told
when to come back (`RateLimited`) instead. Errors are sorted once, here:

- 401 -> `TokenRefused` (revoked, expired, or a missing scope: the connection needs the runner);
- 429 -> `RateLimited` with the time the window resets;
- 5xx, time-outs, refused connections -> `StravaDown` (a domain `Unavailable`: try again later);
- 404 on one activity -> None (deleted at Strava, or never this athlete's).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from runcoach.clock import Clock
from runcoach.domain.errors import AuthFailed, InvalidInput, Unavailable
from runcoach.domain.strava import Usage, next_midnight, next_quarter, parse_usage, wait_for

#: Strava's largest page of activities.
PAGE_SIZE = 200

STRAVA_DOWN = "Strava is not answering just now. RunCoach will try again."
TOKEN_REFUSED = "Strava no longer accepts RunCoach's access: connect Strava again."


class StravaDown(Unavailable):
    """Strava failed or did not answer (5xx, time-out, connection refused)."""


class TokenRefused(AuthFailed):
    """Strava refused the token (revoked, expired refresh token, missing scope)."""


class RateLimited(Exception):
    """A rate-limit window is full: nothing was sent (or Strava answered 429); come back `at`."""

    def __init__(self, at: datetime) -> None:
        super().__init__(f"Strava's rate limit is reached until {at.isoformat()}")
        self.at = at


@dataclass(frozen=True, slots=True)
class Grant:
    """What the token endpoint answered: a token pair, and with a code exchange the athlete."""

    access_token: str
    refresh_token: str
    expires_at: datetime
    athlete_id: int | None = None
    athlete_name: str = ""


@dataclass
class Limits:
    """The usage Strava reported, overall and for reads, plus the requests sent and not yet
    answered: with four jobs at once, the last answer's count alone lets a fifth request through
    a window that is full."""

    overall: Usage | None = None
    reads: Usage | None = None
    in_flight: int = 0
    reads_in_flight: int = 0

    def note(self, headers: Mapping[str, str]) -> None:
        """Take the counts in an answer; answers arrive out of order, so counts only grow within
        a window (`new_quarter` and `new_day` start them again)."""
        overall = parse_usage(headers.get("x-ratelimit-limit"), headers.get("x-ratelimit-usage"))
        reads = parse_usage(headers.get("x-readratelimit-limit"), headers.get("x-readratelimit-usage"))
        self.overall = _larger(self.overall, overall)
        self.reads = _larger(self.reads, reads)

    def wait(self, now: datetime, *, read: bool) -> float:
        overall = _plus(self.overall, self.in_flight)
        reads = _plus(self.reads, self.reads_in_flight) if read else None
        return wait_for((overall, reads), now)

    def new_quarter(self) -> None:
        """A new 15-minute window: its count starts at 0; the day's goes on."""
        self.overall = replace(self.overall, used_15=0) if self.overall else None
        self.reads = replace(self.reads, used_15=0) if self.reads else None

    def new_day(self) -> None:
        self.overall = self.reads = None


def _larger(old: Usage | None, new: Usage | None) -> Usage | None:
    if old is None or new is None:
        return new or old
    return replace(new, used_15=max(old.used_15, new.used_15), used_day=max(old.used_day, new.used_day))


def _plus(usage: Usage | None, pending: int) -> Usage | None:
    if usage is None or not pending:
        return usage
    return replace(usage, used_15=usage.used_15 + pending, used_day=usage.used_day + pending)


class StravaClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        clock: Clock,
        *,
        oauth_url: str,
        api_url: str,
        client_id: str,
        client_secret: str,
    ) -> None:
        self.http = http
        self.clock = clock
        self.oauth_url = oauth_url.rstrip("/")
        self.api_url = api_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.limits = Limits()
        self._quarter_end: datetime | None = None
        self._day_end: datetime | None = None

    # --- OAuth -------------------------------------------------------------------------------

    def authorize_url(self, *, redirect_uri: str, state: str, scope: str) -> str:
        params = {
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "approval_prompt": "auto",
            "scope": scope,
            "state": state,
        }
        return str(httpx.URL(f"{self.oauth_url}/authorize", params=params))

    async def exchange(self, code: str) -> Grant:
        """Trade the authorization code for tokens and the athlete; InvalidInput for a bad code."""
        body = await self._token({"grant_type": "authorization_code", "code": code})
        athlete = body.get("athlete") or {}
        name = " ".join(str(athlete.get(k) or "") for k in ("firstname", "lastname")).strip()
        return _grant(body, athlete_id=_int(athlete.get("id")), athlete_name=name or "Strava athlete")

    async def refresh(self, refresh_token: str) -> Grant:
        """A new token pair (the refresh token may be new too); TokenRefused if it is not valid."""
        return _grant(await self._token({"grant_type": "refresh_token", "refresh_token": refresh_token}))

    async def deauthorize(self, access_token: str) -> None:
        """Revoke RunCoach's access; a token Strava no longer knows is as good as revoked."""
        with contextlib.suppress(TokenRefused):
            await self._send("POST", f"{self.oauth_url}/deauthorize", data={"access_token": access_token})

    async def _token(self, form: dict[str, str]) -> dict[str, Any]:
        form = {"client_id": self.client_id, "client_secret": self.client_secret, **form}
        response = await self._send("POST", f"{self.oauth_url}/token", data=form, check=False)
        if response.status_code == 400:
            if form["grant_type"] == "refresh_token":
                raise TokenRefused(TOKEN_REFUSED)
            raise InvalidInput("code", "Strava did not accept the sign-in: connect again.")
        _raise_for(response)
        return _json(response)

    # --- API ---------------------------------------------------------------------------------

    async def activities(self, token: str, *, after: int, page: int = 1) -> list[dict[str, Any]]:
        """One page of the athlete's activities started after `after` (unix s), oldest first."""
        params = {"after": after, "page": page, "per_page": PAGE_SIZE}
        body = _json(await self._api("GET", "/athlete/activities", token, params=params))
        if not isinstance(body, list):
            raise StravaDown(STRAVA_DOWN)
        return [item for item in body if isinstance(item, dict)]

    async def athlete(self, token: str) -> dict[str, Any]:
        """The athlete the token is for; TokenRefused once the athlete revoked RunCoach's access."""
        body = _json(await self._api("GET", "/athlete", token))
        return body if isinstance(body, dict) else {}

    async def activity(self, token: str, activity_id: int) -> dict[str, Any] | None:
        response = await self._api("GET", f"/activities/{activity_id}", token, missing_ok=True)
        if response.status_code == 404:
            return None
        body = _json(response)
        return body if isinstance(body, dict) else None

    async def upload(self, token: str, *, data: bytes, file_name: str, name: str, external_id: str) -> dict:
        form = {"data_type": "fit", "name": name, "external_id": external_id, "trainer": "1"}
        files = {"file": (file_name, data, "application/octet-stream")}
        return _json(await self._api("POST", "/uploads", token, data=form, files=files))

    async def upload_status(self, token: str, upload_id: int) -> dict:
        return _json(await self._api("GET", f"/uploads/{upload_id}", token))

    async def subscribe(self, *, callback_url: str, verify_token: str) -> int:
        form = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "callback_url": callback_url,
            "verify_token": verify_token,
        }
        response = await self._send("POST", f"{self.api_url}/push_subscriptions", data=form, check=False)
        if response.status_code == 400:
            raise InvalidInput("callback_url", f"Strava refused the subscription: {_message(response)}")
        _raise_for(response)
        return int(_json(response)["id"])

    async def subscriptions(self) -> list[dict[str, Any]]:
        params = {"client_id": self.client_id, "client_secret": self.client_secret}
        body = _json(await self._send("GET", f"{self.api_url}/push_subscriptions", params=params))
        return body if isinstance(body, list) else []

    # --- plumbing ----------------------------------------------------------------------------

    async def _api(
        self, method: str, path: str, token: str, *, missing_ok: bool = False, **kwargs: Any
    ) -> httpx.Response:
        read = method == "GET"
        self._check_window(read=read)
        headers = {"Authorization": f"Bearer {token}"}
        self.limits.in_flight += 1
        self.limits.reads_in_flight += read
        try:
            response = await self._send(
                method, f"{self.api_url}{path}", headers=headers, check=False, **kwargs
            )
        finally:
            self.limits.in_flight -= 1
            self.limits.reads_in_flight -= read
        self.limits.note(response.headers)
        if response.status_code == 429:
            raise RateLimited(self._reset_after_429())
        if missing_ok and response.status_code == 404:
            return response
        _raise_for(response)
        return response

    def _check_window(self, *, read: bool) -> None:
        """Raise RateLimited (nothing is sent) while a window is full, counting what is in flight."""
        now = self.clock.now()
        if self._day_end is not None and now >= self._day_end:
            self.limits.new_day()
        elif self._quarter_end is not None and now >= self._quarter_end:
            self.limits.new_quarter()
        self._quarter_end, self._day_end = next_quarter(now), next_midnight(now)
        wait = self.limits.wait(now, read=read)
        if wait > 0:
            raise RateLimited(now + timedelta(seconds=wait))

    def _reset_after_429(self) -> datetime:
        now = self.clock.now()
        daily = any(u and u.used_day >= u.limit_day for u in (self.limits.overall, self.limits.reads))
        return next_midnight(now) if daily else next_quarter(now)

    async def _send(self, method: str, url: str, *, check: bool = True, **kwargs: Any) -> httpx.Response:
        try:
            response = await self.http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise StravaDown(STRAVA_DOWN) from exc
        if check:
            _raise_for(response)
        return response


def _raise_for(response: httpx.Response) -> None:
    if response.status_code == 401:
        raise TokenRefused(TOKEN_REFUSED)
    if response.status_code >= 500 or response.status_code == 429:
        raise StravaDown(STRAVA_DOWN)
    if response.status_code >= 400:
        raise StravaDown(f"Strava answered {response.status_code}: {_message(response)}")


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    errors = body.get("errors") if isinstance(body, dict) else None
    detail = "; ".join(f"{e.get('field')} {e.get('code')}" for e in errors or () if isinstance(e, dict))
    return f"{body.get('message', '')} {detail}".strip() if isinstance(body, dict) else str(body)[:200]


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise StravaDown(STRAVA_DOWN) from exc


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _grant(body: dict[str, Any], *, athlete_id: int | None = None, athlete_name: str = "") -> Grant:
    try:
        return Grant(
            access_token=str(body["access_token"]),
            refresh_token=str(body["refresh_token"]),
            expires_at=datetime.fromtimestamp(int(body["expires_at"]), UTC),
            athlete_id=athlete_id,
            athlete_name=athlete_name,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise StravaDown(STRAVA_DOWN) from exc
