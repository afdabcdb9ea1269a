"""Installable PWA: the web manifest, the service worker, the offline page and the icons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.responses import FileResponse, JSONResponse, Response
from nicegui import app, ui

from runcoach.config import Settings

STATIC_DIR = Path(__file__).parent / "static"
THEME_COLOUR = "#0f766e"
BACKGROUND_COLOUR = "#ffffff"
ICONS = (
    ("/static/icons/icon-192.png", "192x192", "any"),
    ("/static/icons/icon-512.png", "512x512", "any"),
    ("/static/icons/icon-maskable-512.png", "512x512", "maskable"),
)
HEAD_HTML = f"""
<link rel="manifest" href="/manifest.webmanifest">
<meta name="theme-color" content="{THEME_COLOUR}">
<link rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png">
<meta name="apple-mobile-web-app-capable" content="yes">
<meta name="mobile-web-app-capable" content="yes">
<script>
  if ("serviceWorker" in navigator) {{
    window.addEventListener("load", () => navigator.serviceWorker.register("/sw.js", {{ scope: "/" }}));
  }}
</script>
"""


def manifest(settings: Settings) -> dict[str, Any]:
    """The web app manifest: standalone, themed, with 192 and 512 px icons (one maskable)."""
    return {
        "name": settings.title,
        "short_name": settings.title[:12],
        "description": "Treadmill workouts with a server-owned clock on every screen.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": BACKGROUND_COLOUR,
        "theme_color": THEME_COLOUR,
        "icons": [{"src": src, "sizes": sizes, "type": "image/png", "purpose": p} for src, sizes, p in ICONS],
    }


def register_pwa_routes(settings: Settings) -> None:
    """Serve the manifest, service worker and offline page at the root, and add the head tags."""
    body = manifest(settings)

    @app.get("/manifest.webmanifest", include_in_schema=False)
    def _manifest() -> Response:
        return JSONResponse(body, media_type="application/manifest+json")

    @app.get("/sw.js", include_in_schema=False)
    def _service_worker() -> Response:
        # Scope "/" needs this header; no-cache so a new worker version is picked up promptly.
        headers = {"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"}
        return FileResponse(STATIC_DIR / "sw.js", media_type="application/javascript", headers=headers)

    @app.get("/offline.html", include_in_schema=False)
    def _offline() -> Response:
        return FileResponse(STATIC_DIR / "offline.html", media_type="text/html")

    @app.get("/favicon.ico", include_in_schema=False)
    def _favicon() -> Response:
        return FileResponse(STATIC_DIR / "icons" / "favicon-48.png", media_type="image/png")

    app.add_static_files("/static", STATIC_DIR)
    ui.add_head_html(HEAD_HTML, shared=True)
