"""The HTTP edge in-process: body limit, the 422 for bad input, security headers, pages-only storage, docs."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from nicegui import app
from nicegui.version import __version__ as nicegui_version
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from runcoach.api.middleware import BodySizeLimit, PagesOnlyRequestTracking
from runcoach.api.validation import EXCERPT_CHARS, excerpt
from runcoach.config import Settings
from tests.api.conftest import Runner

GENERATE = "/api/workouts/generate"
LIMIT = 1024 * 1024  # the default RUNCOACH_MAX_BODY_BYTES
CHUNK = 64 * 1024
VALID = {"duration_min": 30, "goal": "easy"}


def padded_body(size: int) -> bytes:
    """A syntactically valid generate request of about `size` bytes (the padding is an unknown field)."""
    return json.dumps({**VALID, "padding": "a" * size}).encode()


# -- body size ---------------------------------------------------------------------------------------


async def test_a_body_over_the_limit_is_413_json_without_echo(http: httpx.AsyncClient, ann: Runner) -> None:
    headers = ann.headers | {"Content-Type": "application/json"}
    response = await http.post(GENERATE, content=padded_body(2 * LIMIT), headers=headers)
    assert response.status_code == 413, response.text[:300]
    assert response.headers["content-type"] == "application/json"
    assert "limit" in response.json()["detail"] and len(response.content) < 200


async def test_a_chunked_body_stops_being_read_once_past_the_limit(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    pulled = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(4 * LIMIT // CHUNK):
            pulled += 1
            yield b" " * CHUNK  # JSON whitespace: a body the parser would accept, if it got all of it

    headers = ann.headers | {"Content-Type": "application/json"}
    response = await http.post(GENERATE, content=chunks(), headers=headers)
    assert response.status_code == 413, response.text[:300]
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert pulled <= LIMIT // CHUNK + 1, f"{pulled} chunks of {CHUNK} bytes read for a {LIMIT} byte limit"


async def test_a_body_under_the_limit_is_served(http: httpx.AsyncClient, ann: Runner) -> None:
    response = await http.post(GENERATE, json=VALID, headers=ann.headers)
    assert response.status_code == 201, response.text


def echo_length_app(max_bytes: int) -> BodySizeLimit:
    """A bare app that answers the length of the body it read, behind the limit."""

    async def length(request: Request) -> PlainTextResponse:
        return PlainTextResponse(str(len(await request.body())))

    return BodySizeLimit(Starlette(routes=[Route("/", length, methods=["POST"])]), max_bytes=max_bytes)


@pytest.mark.parametrize(("size", "status"), [(2048, 200), (2049, 413)])
async def test_the_limit_is_the_configured_one_to_the_byte(size: int, status: int) -> None:
    transport = httpx.ASGITransport(echo_length_app(2048))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/", content=b"x" * size)
    assert response.status_code == status


def test_the_limit_is_read_from_the_environment_and_has_a_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNCOACH_MAX_BODY_BYTES", "4096")
    assert Settings().max_body_bytes == 4096
    monkeypatch.setenv("RUNCOACH_MAX_BODY_BYTES", "10")
    with pytest.raises(ValidationError):
        Settings()


# -- the 422 for bad input --------------------------------------------------------------------------

FLOAT_FIELDS = [
    ("constraints", "min_speed_kmh"),
    ("constraints", "max_speed_kmh"),
    ("constraints", "max_incline_pct"),
    ("constraints", "easy_speed_kmh"),
    ("constraints", "warmup_min"),
    ("constraints", "cooldown_min"),
    ("duration_min",),
    ("seed",),
]
#: Raw JSON tokens Python's json module accepts (1e400 becomes Infinity) and what the 422 shows for them.
NON_FINITE = [("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"), ("1e400", "Infinity")]


def raw_body(field: tuple[str, ...], token: str) -> str:
    """A generate request whose `field` is the raw JSON `token` (json.dumps would refuse NaN)."""
    marker = "__VALUE__"
    body: dict[str, Any] = dict(VALID)
    if len(field) == 2:
        body["constraints"] = {field[1]: marker}
    else:
        body[field[0]] = marker
    return json.dumps(body).replace(f'"{marker}"', token)


def entry_for(errors: list[dict[str, Any]], field: tuple[str, ...]) -> dict[str, Any]:
    """The one error naming `field` (its location ends with the field's path)."""
    found = [e for e in errors if tuple(e["loc"][-len(field) :]) == field]
    assert len(found) == 1, errors
    return found[0]


@pytest.mark.parametrize("field", FLOAT_FIELDS, ids=lambda f: ".".join(f))
@pytest.mark.parametrize(("token", "shown"), NON_FINITE, ids=[t for t, _ in NON_FINITE])
async def test_non_finite_numbers_are_422_with_the_field_and_reason(
    http: httpx.AsyncClient, ann: Runner, field: tuple[str, ...], token: str, shown: str
) -> None:
    headers = ann.headers | {"Content-Type": "application/json"}
    response = await http.post(GENERATE, content=raw_body(field, token), headers=headers)
    assert response.status_code == 422, response.text
    entry = entry_for(response.json()["detail"], field)
    assert entry["msg"] and entry["type"] and entry["input"] == shown


@pytest.mark.parametrize("field", [*FLOAT_FIELDS, ("goal",)], ids=lambda f: ".".join(f))
async def test_a_huge_string_is_422_with_a_short_excerpt(
    http: httpx.AsyncClient, ann: Runner, field: tuple[str, ...]
) -> None:
    huge = json.dumps("9" * 500_000)
    headers = ann.headers | {"Content-Type": "application/json"}
    response = await http.post(GENERATE, content=raw_body(field, huge), headers=headers)
    assert response.status_code == 422, response.text[:300]
    entry = entry_for(response.json()["detail"], field)
    assert len(entry["input"]) <= EXCERPT_CHARS and entry["input"].startswith("999")
    assert len(response.content) < 2_000


async def test_a_huge_unknown_field_name_is_shortened_in_the_location(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    body = {**VALID, "x" * 300_000: 1}
    response = await http.post(GENERATE, json=body, headers=ann.headers)
    assert response.status_code == 422
    (entry,) = response.json()["detail"]
    assert entry["type"] == "extra_forbidden" and len(entry["loc"][-1]) <= EXCERPT_CHARS
    assert len(response.content) < 1_000


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, True),
        (42, 42),
        (2.5, 2.5),
        (float("nan"), "NaN"),
        (float("-inf"), "-Infinity"),
        (10**400, "<integer too large>"),
        ("short", "short"),
        ({"a": float("inf")}, '{"a": Infinity}'),
    ],
)
def test_excerpts_are_json_safe(value: Any, expected: Any) -> None:
    shown = excerpt(value)
    assert shown == expected
    json.dumps(shown, allow_nan=False)  # raises for anything a JSON reader could not take


def test_an_excerpt_of_a_long_container_is_short_text() -> None:
    shown = excerpt({"items": list(range(100_000))})
    assert isinstance(shown, str) and len(shown) == EXCERPT_CHARS and shown.endswith("…")


# -- security headers -------------------------------------------------------------------------------

BASE_HEADERS = {
    "content-security-policy": "frame-ancestors 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
}


@pytest.mark.parametrize(
    ("path", "referrer_policy"),
    [
        ("/login", "same-origin"),  # a page
        ("/workouts", "same-origin"),  # the sign-in redirect
        ("/api/workouts", "same-origin"),  # the API (401)
        ("/health", "same-origin"),
        ("/docs", "same-origin"),
        ("/r/XXXX", "no-referrer"),  # the paired remote: the pairing code is in the URL
    ],
)
async def test_every_response_carries_the_security_headers(
    http: httpx.AsyncClient, path: str, referrer_policy: str
) -> None:
    response = await http.get(path, follow_redirects=False)
    assert response.status_code < 500, (path, response.status_code)
    for name, value in BASE_HEADERS.items():
        assert response.headers.get(name) == value, (path, name, response.headers.get(name))
    assert response.headers.get("referrer-policy") == referrer_policy


# -- browser storage only for pages -----------------------------------------------------------------

STATELESS_REQUESTS: list[tuple[str, dict[str, str]]] = [
    ("/health", {}),
    ("/api/workouts", {}),
    ("/api/workouts", {"Authorization": "Bearer not-a-token"}),
    ("/openapi.json", {}),
    ("/docs", {}),
    ("/static/docs/swagger-ui.css", {}),
    ("/manifest.webmanifest", {}),
    ("/sw.js", {}),
    ("/offline.html", {}),
    ("/favicon.ico", {}),
    ("/static/icons/icon-192.png", {}),
    (f"/_nicegui/{nicegui_version}/static/nicegui.css", {}),
]


def user_storages() -> int:
    """How many server-side browser storages NiceGUI holds (its private dict: what leaked before)."""
    return len(app.storage._users)


async def cookieless_get(http: httpx.AsyncClient, path: str, headers: dict[str, str]) -> httpx.Response:
    """GET without any cookie, as a health checker or a script sends it."""
    http.cookies.clear()
    return await http.get(path, headers=headers, follow_redirects=False)


@pytest.mark.parametrize(("path", "headers"), STATELESS_REQUESTS, ids=[p for p, _ in STATELESS_REQUESTS])
async def test_stateless_paths_create_no_storage_and_set_no_cookie(
    http: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> None:
    before = user_storages()
    response = await cookieless_get(http, path, headers)
    assert response.status_code in (200, 401), (path, response.status_code)
    assert "set-cookie" not in response.headers, (path, response.headers["set-cookie"])
    assert user_storages() == before


async def test_pages_still_get_their_session_cookie(http: httpx.AsyncClient, ann: Runner) -> None:
    before = user_storages()
    response = await cookieless_get(http, "/login", {})
    assert response.status_code == 200
    assert response.headers["set-cookie"].startswith("session=")
    assert user_storages() == before + 1


# -- offline docs -----------------------------------------------------------------------------------

ASSET_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".json": "application/json"}


def referenced_urls(page: str) -> list[str]:
    """Every src/href in the page plus the OpenAPI document the script loads."""
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    return urls + re.findall(r"""(?:url|spec-url)[:=]\s*['"]([^'"]+)['"]""", page)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_load_only_local_assets_that_answer(http: httpx.AsyncClient, page: str) -> None:
    html = (await http.get(page)).text
    assert not re.search(r"""(?:src|href)=["']https?://""", html), html
    urls = referenced_urls(html)
    assert any(url.endswith(".js") for url in urls) and "/openapi.json" in urls, urls
    for url in urls:
        assert url.startswith("/"), url
        response = await cookieless_get(http, url, {})
        assert response.status_code == 200, (url, response.status_code)
        suffix = url[url.rindex(".") :]
        assert response.headers["content-type"].startswith(ASSET_TYPES[suffix]), (url, response.headers)


async def test_an_unknown_docs_asset_is_404(http: httpx.AsyncClient) -> None:
    assert (await http.get("/static/docs/..%2F..%2Fconfig.py")).status_code == 404
    assert (await http.get("/static/docs/nothing.js")).status_code == 404


# -- NiceGUI's middlewares, as pure ASGI ------------------------------------------------------------


async def test_no_middleware_runs_a_task_per_request(http: httpx.AsyncClient) -> None:
    """`BaseHTTPMiddleware` costs ~0.1 ms of CPU per layer per request; NiceGUI's three are swapped.

    NiceGUI's own request tracking still runs, for pages only, inside `PagesOnlyRequestTracking`.
    """
    layers = [m.cls for m in app.user_middleware]
    assert PagesOnlyRequestTracking in layers
    assert [c.__name__ for c in layers if issubclass(c, BaseHTTPMiddleware)] == []  # type: ignore[arg-type]


async def test_versioned_nicegui_assets_keep_their_cache_control(http: httpx.AsyncClient) -> None:
    asset = await http.get(f"/_nicegui/{nicegui_version}/static/nicegui.css")
    assert asset.status_code == 200
    assert asset.headers["cache-control"] == app.config.cache_control_directives
    assert "cache-control" not in (await http.get("/health")).headers


@pytest.mark.parametrize(("prefix", "location"), [("", "/login"), ("/coach", "/coach/login")])
async def test_a_redirect_behind_a_proxy_keeps_its_prefix(
    http: httpx.AsyncClient, prefix: str, location: str
) -> None:
    headers = {"X-Forwarded-Prefix": prefix} if prefix else {}
    response = await http.get("/workouts?week=2", headers=headers, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"{location}?redirect_to=%2Fworkouts%3Fweek%3D2"
