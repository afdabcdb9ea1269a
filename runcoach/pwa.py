"""Installable PWA: the web manifest, the service worker, the offline page and the icons.

NiceGUI has no PWA support, so the files are served from plain routes at the root (a service
worker's scope cannot be wider than its own path unless the `Service-Worker-Allowed` header says
so). The worker caches only the icons and the offline page, never page HTML, `/_nicegui*` or
`/api/`: every NiceGUI page embeds a per-load client id. The JavaScript and HTML live in
`runcoach/static/` and are read once at registration.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from nicegui import app, ui

from runcoach import __version__
from runcoach.config import Settings

STATIC_DIR = Path(__file__).parent / "static"
STATIC_URL = "/static"
ICONS_URL = f"{STATIC_URL}/icons"
SERVICE_WORKER_FILE = STATIC_DIR / "sw.js"
OFFLINE_FILE = STATIC_DIR / "offline.html"
#: A 48 px PNG; also a good `favicon=` for `ui.run` (then every page links `/favicon.ico`).
FAVICON_FILE = STATIC_DIR / "icons" / "favicon-48.png"
#: Placeholder in sw.js replaced by `cache_version()`.
CACHE_VERSION_TOKEN = "__CACHE_VERSION__"

THEME_COLOUR = "#0f766e"  # teal-700, also the icons' and the offline page's colour
BACKGROUND_COLOUR = "#f8fafc"  # splash screen while the app starts
DESCRIPTION = "Structured treadmill workouts with a server-owned clock, in sync on every screen."
SHORT_NAME_MAX = 12  # launchers truncate longer names


@dataclass(frozen=True, slots=True)
class Icon:
    """One PNG icon in `runcoach/static/icons/`."""

    file: str
    size: int
    purpose: str = "any"

    @property
    def src(self) -> str:
        """The URL the icon is served at."""
        return f"{ICONS_URL}/{self.file}"

    @property
    def path(self) -> Path:
        """The file in the package."""
        return STATIC_DIR / "icons" / self.file

    def manifest_entry(self) -> dict[str, str]:
        """The icon as one entry of the manifest's `icons` list."""
        sizes = f"{self.size}x{self.size}"
        return {"src": self.src, "sizes": sizes, "type": "image/png", "purpose": self.purpose}


#: Icons listed in the manifest: the maskable one keeps its motif inside the central 80 % circle.
MANIFEST_ICONS = (
    Icon("icon-192.png", 192),
    Icon("icon-512.png", 512),
    Icon("icon-maskable-512.png", 512, "maskable"),
)
APPLE_TOUCH_ICON = Icon("apple-touch-icon.png", 180)
FAVICON_ICON = Icon(FAVICON_FILE.name, 48)

#: Every URL the service worker stores; sw.js lists the same ones (checked by tests/test_pwa.py).
PRECACHE_URLS = (
    "/offline.html",
    *(icon.src for icon in (*MANIFEST_ICONS, APPLE_TOUCH_ICON, FAVICON_ICON)),
)


def short_name(title: str) -> str:
    """The launcher label: the title when short enough, else "RunCoach"."""
    return title if len(title) <= SHORT_NAME_MAX else "RunCoach"


def manifest(settings: Settings) -> dict[str, Any]:
    """The web app manifest: standalone, themed, with 192 and 512 px icons (one maskable)."""
    return {
        "id": "/",
        "name": settings.title,
        "short_name": short_name(settings.title),
        "description": DESCRIPTION,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": BACKGROUND_COLOUR,
        "theme_color": THEME_COLOUR,
        "categories": ["health", "fitness", "sports"],
        "icons": [icon.manifest_entry() for icon in MANIFEST_ICONS],
    }


def cache_version() -> str:
    """App version plus a hash of the worker and every cached file: a change installs a fresh cache."""
    digest = hashlib.sha256(SERVICE_WORKER_FILE.read_bytes())
    for url in PRECACHE_URLS:
        digest.update(_file_for_url(url).read_bytes())
    return f"{__version__}-{digest.hexdigest()[:12]}"


def _file_for_url(url: str) -> Path:
    """The packaged file behind one of the precached URLs."""
    if url == "/offline.html":
        return OFFLINE_FILE
    return STATIC_DIR / url.removeprefix(f"{STATIC_URL}/")


def service_worker_source() -> str:
    """The service worker's JavaScript with its cache version filled in."""
    source = SERVICE_WORKER_FILE.read_text(encoding="utf-8")
    if CACHE_VERSION_TOKEN not in source:
        raise RuntimeError(f"{SERVICE_WORKER_FILE} lost its {CACHE_VERSION_TOKEN} placeholder")
    return source.replace(CACHE_VERSION_TOKEN, cache_version())


def head_html(settings: Settings) -> str:
    """Tags for every page: manifest, theme colour, iOS home-screen hints, service worker registration."""
    title = html.escape(short_name(settings.title))
    return f"""
<link rel="manifest" href="/manifest.webmanifest">
<meta name="theme-color" content="{THEME_COLOUR}">
<link rel="apple-touch-icon" sizes="180x180" href="{APPLE_TOUCH_ICON.src}">
<meta name="apple-mobile-web-app-capable" content="yes">
<meta name="mobile-web-app-capable" content="yes">
<meta name="apple-mobile-web-app-title" content="{title}">
<script>
  if ("serviceWorker" in navigator) {{
    window.addEventListener("load", () => {{
      navigator.serviceWorker
        .register("/sw.js", {{ scope: "/", updateViaCache: "none" }})
        .catch((error) => console.warn("RunCoach: service worker not registered", error));
    }});
  }}
</script>"""


def register_pwa_routes(settings: Settings) -> None:
    """Serve the manifest, service worker, offline page, favicon and static files; add the head tags.

    Call once per app set-up, before `ui.run`: these routes then come before the `/favicon.ico`
    route NiceGUI adds at start-up, so ours wins.
    """
    _add_manifest_route(manifest(settings))
    _add_service_worker_route(service_worker_source())
    _add_file_routes()
    app.add_static_files(STATIC_URL, STATIC_DIR)
    _hide_from_openapi(STATIC_URL)
    ui.add_head_html(head_html(settings), shared=True)


def _hide_from_openapi(prefix: str) -> None:
    """NiceGUI documents its static-file route in /openapi.json; files are not part of the API."""
    for route in app.routes:
        if isinstance(route, APIRoute) and route.path.startswith(prefix):
            route.include_in_schema = False


def _add_manifest_route(body: dict[str, Any]) -> None:
    """GET /manifest.webmanifest."""

    @app.get("/manifest.webmanifest", include_in_schema=False)
    async def _manifest() -> Response:
        headers = {"Cache-Control": "no-cache"}
        return JSONResponse(body, media_type="application/manifest+json", headers=headers)


def _add_service_worker_route(source: str) -> None:
    """GET /sw.js, allowed to control the whole origin and revalidated on every update check."""
    headers = {"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"}

    @app.get("/sw.js", include_in_schema=False)
    async def _service_worker() -> Response:
        return Response(source, media_type="application/javascript", headers=headers)


def _add_file_routes() -> None:
    """GET /offline.html and /favicon.ico from the package's static files."""

    @app.get("/offline.html", include_in_schema=False)
    async def _offline() -> Response:
        return FileResponse(OFFLINE_FILE, media_type="text/html", headers={"Cache-Control": "no-cache"})

    @app.get("/favicon.ico", include_in_schema=False)
    async def _favicon() -> Response:
        return FileResponse(FAVICON_FILE, media_type="image/png")
