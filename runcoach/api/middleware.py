"""The HTTP edge: pure ASGI middlewares for body size and security headers, and pages-only browser storage.

Pure ASGI (not Starlette's `BaseHTTPMiddleware`) so a refused body is never read and a header costs
one dict operation, with no extra task per request. Each `BaseHTTPMiddleware` layer costs about
0.1 ms of CPU per request (a task group, two memory streams and a task for `call_next`); NiceGUI
adds three of them, and `/health` or an API call went through all of them. `use_lean_middlewares`
swaps NiceGUI's for pure ASGI ones that do the same, so only page loads still pay for its request
tracking (which pages need).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from nicegui import core, storage, ui_run, ui_run_with
from nicegui.version import __version__ as nicegui_version
from starlette.datastructures import URL, Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from runcoach.auth.middleware import PUBLIC_PATHS

#: Sent on every response. `frame-ancestors` only: NiceGUI pages need inline scripts and styles, so a
#: fuller Content-Security-Policy would break them; this one stops clickjacking (the remote can finish
#: a run) and X-Frame-Options says the same to older browsers.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
#: The paired remote carries its pairing code in the URL: never send that URL as a Referer.
NO_REFERRER_PREFIX = "/r/"

#: Paths that never need NiceGUI's per-browser storage: the API (bearer tokens), health checks, the
#: OpenAPI document and its viewer, static and versioned NiceGUI assets, the PWA files. NiceGUI's
#: upload routes (/_nicegui/client/...) and its socket (/_nicegui_ws) are pages' business: kept.
STATELESS_PREFIXES = ("/api/", "/static/", f"/_nicegui/{nicegui_version}/")
#: Exact stateless paths: the public non-page paths (health, PWA files, the OpenAPI document and
#: its viewers). A path without a session must be public, or the sign-in check would refuse it.
STATELESS_PATHS = PUBLIC_PATHS


def is_stateless(path: str) -> bool:
    """True for a path whose requests must create no browser storage and set no session cookie."""
    return path in STATELESS_PATHS or path.startswith(STATELESS_PREFIXES)


class BodyTooLarge(HTTPException):
    """Raised from `receive` once a streamed body passes the limit.

    An HTTPException so FastAPI's body reader passes it on instead of turning it into a 400;
    `BodySizeLimit` answers 413 itself whatever the inner app makes of it.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=too_large_detail(limit))


def too_large_detail(limit: int) -> str:
    """The sentence a refused body gets."""
    return f"Request body too large: the limit is {limit} bytes"


@dataclass
class _Exchange:
    """What `BodySizeLimit` knows about one request while it runs."""

    received: int = 0
    exceeded: bool = False
    response_started: bool = False


class BodySizeLimit:
    """Refuse request bodies over `max_bytes` with 413 before reading them.

    A Content-Length over the limit is refused at once, without calling the app. A body without
    one (chunked) is counted as the app reads it; past the limit reading stops, the app's own answer
    is discarded and the client gets the 413.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await send_json(send, 413, too_large_detail(self.max_bytes))
            return
        await self._counted(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        exchange = _Exchange()

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                exchange.received += len(message.get("body", b""))
                if exchange.received > self.max_bytes:
                    exchange.exceeded = True
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def guarded_send(message: Message) -> None:
            if exchange.exceeded and not exchange.response_started:
                return  # the app's answer to a refused body (400, 422, 413...) is replaced below
            exchange.response_started = exchange.response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            if exchange.response_started:
                raise
        if exchange.exceeded and not exchange.response_started:
            await send_json(send, 413, too_large_detail(self.max_bytes))


def declared_length(scope: Scope) -> int | None:
    """The request's Content-Length, or None when absent or not a number (the count then decides)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def send_json(send: Send, status: int, detail: str) -> None:
    """A short `{"detail": ...}` JSON response, sent straight through ASGI."""
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    # Tell HTTP/1.1 clients the connection ends: the rest of an unread body is not worth draining.
    headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Add `SECURITY_HEADERS` to every HTTP response (pages, API, files); no referrer on /r/ pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = headers_for(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                for name, value in headers.items():
                    response_headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def headers_for(path: str) -> dict[str, str]:
    """The security headers for a response to `path`."""
    if path.startswith(NO_REFERRER_PREFIX):
        return SECURITY_HEADERS | {"Referrer-Policy": "no-referrer"}
    return SECURITY_HEADERS


#: NiceGUI's own request tracking (a `BaseHTTPMiddleware`), which `PagesOnlyRequestTracking` runs for pages.
_NICEGUI_REQUEST_TRACKING = storage.RequestTrackingMiddleware


class PagesOnlyRequestTracking:
    """NiceGUI's request tracking for pages; stateless paths pass straight through.

    NiceGUI gives every request without a cookie a new browser id and a server-side user storage
    object (and so a `Set-Cookie`). Health checks and API scripts never send the cookie back, so each
    of their calls made one more. On stateless paths the session stays empty: Starlette's session
    middleware then sets no cookie, and no storage is created. Pages are tracked as before, by
    NiceGUI's own middleware; the API and health checks skip its per-request task as well.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.tracking = _NICEGUI_REQUEST_TRACKING(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_stateless(URL(scope=scope).path):
            await self.app(scope, receive, send)
            return
        await self.tracking(scope, receive, send)


#: Versioned NiceGUI assets, which NiceGUI serves with a long-lived Cache-Control (dynamic ones excepted).
VERSIONED_ASSETS = f"/_nicegui/{nicegui_version}/"
DYNAMIC_ASSETS = f"/_nicegui/{nicegui_version}/dynamic_resources/"


class AssetCacheControl:
    """NiceGUI's `SetCacheControlMiddleware` as pure ASGI: its Cache-Control setting on versioned assets."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = URL(scope=scope).path if scope["type"] == "http" else ""
        if not path.startswith(VERSIONED_ASSETS) or path.startswith(DYNAMIC_ASSETS):
            await self.app(scope, receive, send)
            return

        async def send_with_cache_control(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["Cache-Control"] = core.app.config.cache_control_directives
            await send(message)

        await self.app(scope, receive, send_with_cache_control)


class PrefixedRedirects:
    """NiceGUI's `RedirectWithPrefixMiddleware` as pure ASGI: a local redirect behind a proxy that
    sends `X-Forwarded-Prefix` keeps the prefix."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        prefix = Headers(scope=scope).get("x-forwarded-prefix", "") if scope["type"] == "http" else ""
        if not prefix:
            await self.app(scope, receive, send)
            return

        async def send_prefixed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                location = headers.get("location")
                if location is not None and location.startswith("/"):
                    headers["location"] = prefix + location
            await send(message)

        await self.app(scope, receive, send_prefixed)


def use_lean_middlewares() -> None:
    """Make NiceGUI install our pure ASGI middlewares instead of its `BaseHTTPMiddleware` ones.

    NiceGUI adds its middlewares inside `ui.run` (or the server's start), after our set-up and
    outside our middlewares, so they cannot be wrapped from here; it looks the classes up in its
    `storage` and `ui_run` modules when it adds them, so substituting ours there is enough. Call
    before `ui.run`. tests/api/test_edge.py proves cookie-less stateless requests make no storage,
    that the swapped middlewares behave like NiceGUI's and that no request path keeps an extra task.
    """
    storage.RequestTrackingMiddleware = PagesOnlyRequestTracking  # type: ignore[misc,assignment]
    ui_run.SetCacheControlMiddleware = AssetCacheControl  # type: ignore[misc,assignment]
    ui_run.RedirectWithPrefixMiddleware = PrefixedRedirects  # type: ignore[misc,assignment]
    ui_run_with.SetCacheControlMiddleware = AssetCacheControl  # type: ignore[misc,assignment]
    ui_run_with.RedirectWithPrefixMiddleware = PrefixedRedirects  # type: ignore[misc,assignment]
