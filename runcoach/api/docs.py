"""/docs (Swagger UI) and /redoc served with their assets from the app: they work offline.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, so they are blank on a home server with no
internet. The `fastapi-offline` package ships those bundles (Swagger UI 5, which reads OpenAPI 3.1,
and ReDoc 2); we serve its files under /static/docs/ (public and stateless, see runcoach/auth and
runcoach/api/middleware) and build the pages with FastAPI's helpers pointed at them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.requests import Request
from starlette.routing import Route

OPENAPI_URL = "/openapi.json"
DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
REDOC_URL = "/redoc"
ASSETS_URL = "/static/docs"
ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))
#: Bundles change only with the package: cache for a day, revalidate with the ETag after that.
ASSET_CACHE_CONTROL = "public, max-age=86400"
#: Swagger UI would ask an online validator to check the document; offline there is none.
SWAGGER_PARAMETERS = {"validatorUrl": None}


@dataclass(frozen=True, slots=True)
class Asset:
    """One file of the docs bundle."""

    name: str
    media_type: str

    @property
    def url(self) -> str:
        return f"{ASSETS_URL}/{self.name}"


SWAGGER_JS = Asset("swagger-ui-bundle.js", "text/javascript; charset=utf-8")
SWAGGER_CSS = Asset("swagger-ui.css", "text/css; charset=utf-8")
REDOC_JS = Asset("redoc.standalone.js", "text/javascript; charset=utf-8")
FAVICON = Asset("favicon.png", "image/png")
ASSETS = {asset.name: asset for asset in (SWAGGER_JS, SWAGGER_CSS, REDOC_JS, FAVICON)}


def register_docs(app: FastAPI, *, title: str) -> None:
    """Serve /openapi.json, /docs, /docs/oauth2-redirect, /redoc and the assets they reference.

    Call instead of `ui.run(fastapi_docs=True)`, which would add FastAPI's CDN pages.
    """
    app.openapi_url, app.docs_url, app.redoc_url = OPENAPI_URL, None, None
    app.setup()  # with no docs or redoc URL, FastAPI adds only the /openapi.json route
    # First in the route list: the /static mount (added by the PWA set-up, and kept across NiceGUI's
    # test resets, which remove only plain routes) would otherwise answer /static/docs/... with 404.
    app.router.routes.insert(0, Route(f"{ASSETS_URL}/{{name}}", _asset, methods=["GET"]))
    app.add_api_route(DOCS_URL, _page(swagger_page, title), methods=["GET"], include_in_schema=False)
    app.add_api_route(OAUTH2_REDIRECT_URL, _oauth2_redirect, methods=["GET"], include_in_schema=False)
    app.add_api_route(REDOC_URL, _page(redoc_page, title), methods=["GET"], include_in_schema=False)


def swagger_page(title: str) -> HTMLResponse:
    """Swagger UI on /openapi.json with local assets only."""
    return get_swagger_ui_html(
        openapi_url=OPENAPI_URL,
        title=f"{title} API - Swagger UI",
        oauth2_redirect_url=OAUTH2_REDIRECT_URL,
        swagger_js_url=SWAGGER_JS.url,
        swagger_css_url=SWAGGER_CSS.url,
        swagger_favicon_url=FAVICON.url,
        swagger_ui_parameters=SWAGGER_PARAMETERS,
    )


def redoc_page(title: str) -> HTMLResponse:
    """ReDoc on /openapi.json with the local bundle and no web fonts."""
    return get_redoc_html(
        openapi_url=OPENAPI_URL,
        title=f"{title} API - ReDoc",
        redoc_js_url=REDOC_JS.url,
        redoc_favicon_url=FAVICON.url,
        with_google_fonts=False,
    )


def _page(build: Callable[[str], HTMLResponse], title: str) -> Callable[[], Awaitable[HTMLResponse]]:
    """An endpoint answering `build(title)`."""

    async def endpoint() -> HTMLResponse:
        return build(title)

    return endpoint


async def _oauth2_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


async def _asset(request: Request) -> Response:
    """One file of the bundle by name; anything else is 404 (no paths reach the file system)."""
    asset = ASSETS.get(request.path_params["name"])
    if asset is None:
        return Response(status_code=404)
    headers = {"Cache-Control": ASSET_CACHE_CONTROL}
    return FileResponse(ASSETS_DIR / asset.name, media_type=asset.media_type, headers=headers)
