"""Walk every registered page and API route and prove that signed-out access is refused."""

from __future__ import annotations

import re

import httpx
from nicegui import app
from starlette.routing import BaseRoute, Route

from runcoach.auth.middleware import is_public
from tests.api.conftest import Runner


def all_routes() -> list[BaseRoute]:
    """The app's routes, with included routers (kept as one lazy route by newer FastAPI) flattened."""
    routes: list[BaseRoute] = []
    for route in app.routes:
        router = getattr(route, "original_router", None)
        routes.extend(router.routes if router is not None else [route])
    return routes


def protected_routes() -> list[tuple[str, str]]:
    found = []
    for route in all_routes():
        if not isinstance(route, Route) or route.path.startswith("/_nicegui"):
            continue
        if is_public(route.path) and not route.path.startswith("/api/"):  # the API checks tokens itself
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        found.extend((method, path) for method in sorted(route.methods or ()) if method != "HEAD")
    return found


async def test_every_protected_route_refuses_a_signed_out_client(http: httpx.AsyncClient) -> None:
    routes = protected_routes()
    # Guard against a vacuous pass: the walk must reach the pages and the API.
    assert {("GET", "/workouts"), ("GET", "/settings"), ("POST", "/api/workouts/generate")} <= set(routes)
    for method, path in routes:
        response = await http.request(method, path, follow_redirects=False)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path, response.status_code)
        else:
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/login?redirect_to="), (method, path)


async def test_public_routes_stay_reachable_signed_out(http: httpx.AsyncClient, ann: Runner) -> None:
    for path in (
        "/health",
        "/manifest.webmanifest",
        "/sw.js",
        "/offline.html",
        "/login",
        "/register",
        "/docs",
    ):
        response = await http.get(path, follow_redirects=False)
        assert response.status_code == 200, (path, response.status_code)
