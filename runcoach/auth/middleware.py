"""Signed-out browsers see only the sign-in pages; the JSON API has its own bearer-token check."""

from __future__ import annotations

import html
from urllib.parse import quote

from nicegui import app
from starlette.datastructures import URL
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from runcoach.auth import service
from runcoach.context import context
from runcoach.domain.errors import Unavailable

#: Pages a signed-out browser may open (/pair: a phone types the code the run view shows;
#: /login/complete: the sign-in's last step, authorized by its single-use ticket).
PUBLIC_PAGES = frozenset({"/login", "/login/complete", "/register", "/setup", "/pair"})
#: Prefixes that are not behind the sign-in: NiceGUI's own assets and socket, static files, the API
#: (bearer tokens), the paired remote /r/{code}, which the pairing code itself authorizes, and the
#: calendar feeds /feeds/{token}.ics, which their secret token authorizes.
PUBLIC_PREFIXES = ("/_nicegui", "/static/", "/api/", "/r/", "/feeds/")
#: Exact paths with no auth: health checks, the PWA files, the OpenAPI description.
PUBLIC_PATHS = frozenset(
    {
        "/health",
        "/manifest.webmanifest",
        "/sw.js",
        "/offline.html",
        "/favicon.ico",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
        "/openapi.json",
        "/strava/webhook",  # Strava's events: the verify token and athlete ids guard it
    }
)


def is_public(path: str) -> bool:
    return path in PUBLIC_PAGES or path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def signed_in_user_id() -> int | None:
    """The user id in NiceGUI's signed user storage, when this browser is signed in."""
    value = app.storage.user.get("user_id")
    return value if isinstance(value, int) else None


async def signed_in_and_active() -> bool:
    """The browser holds a user id whose account still exists and is not disabled."""
    user_id = signed_in_user_id()
    return user_id is not None and await service.active_user(context().db, user_id=user_id) is not None


def unavailable_page(exc: Unavailable) -> HTMLResponse:
    """A plain 503 page with the error's sentence: the database is needed to know who is signed in."""
    body = (
        "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>"
        f"<title>RunCoach</title><p>{html.escape(str(exc))}</p><p><a href=''>Try again</a></p>"
    )
    return HTMLResponse(body, status_code=503, headers={"Retry-After": "5"})


class AuthMiddleware:
    """Pages need a signed-in, active account; everything else passes (the API checks its tokens).

    Pure ASGI, not `BaseHTTPMiddleware`: every request passes here, and that class costs a task,
    a task group and two memory streams per request for what is one check.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        url = URL(scope=scope)
        refusal = None if is_public(url.path) else await refusal_of_page(url)
        if refusal is None:
            await self.app(scope, receive, send)
        else:
            await refusal(scope, receive, send)


async def refusal_of_page(url: URL) -> Response | None:
    """None when this browser may open the page; else the redirect to sign-in (or a 503 page)."""
    # A disabled account's browser is sent to sign-in on its next page load, not at cookie expiry.
    try:
        if await signed_in_and_active():
            return None
    except Unavailable as exc:
        return unavailable_page(exc)
    target = url.path + (f"?{url.query}" if url.query else "")
    return RedirectResponse(f"/login?redirect_to={quote(target, safe='')}", status_code=303)
