"""One place maps the domain's errors to HTTP: one exception handler per kind, and their OpenAPI entries.

Routes never catch to translate: a service raises NotFound, the handler answers 404 with the
same sentence the pages show. A database that does not answer is `Unavailable` (runcoach/db/engine.py
translates it once), so a 503 with Retry-After, never a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from runcoach.api.validation import error_entry
from runcoach.domain.errors import (
    AuthFailed,
    Conflict,
    InvalidInput,
    LimitReached,
    NotFound,
    RunCoachError,
    Unavailable,
)
from runcoach.domain.plan_edits import EditRefused
from runcoach.domain.planner import PlanRefused
from runcoach.domain.rules import PlanBreaksRules, Violation

log = logging.getLogger(__name__)

#: Seconds a client should wait before retrying after a 503.
RETRY_AFTER_S = 5


class ErrorOut(BaseModel):
    """Every error but 422: one sentence for the person who caused it."""

    detail: str


#: Status code of each kind; the most specific class wins (CommandConflict is a Conflict).
STATUS: dict[type[RunCoachError], int] = {
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    AuthFailed: 401,
    Unavailable: 503,
    LimitReached: 429,
}

_DESCRIPTIONS = {
    400: "The body is not valid JSON",
    401: "Missing, malformed, unknown or revoked bearer token, or a disabled account",
    404: "Unknown, or somebody else's (the two are indistinguishable)",
    409: "The request does not fit the current state; `detail` says why",
    413: "The request body is larger than the server accepts",
    429: "A per-runner limit is reached (the coach's daily messages); `detail` says when it resets",
    503: "The database is not answering; nothing was changed, retry later",
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for these error statuses, each with the `{"detail": "..."}` body."""
    return {code: {"model": ErrorOut, "description": _DESCRIPTIONS[code]} for code in codes}


def _body(exc: RunCoachError) -> dict[str, Any]:
    if isinstance(exc, EditRefused):  # the rules, the nearest edit that passes, and both in a sentence
        alternative = exc.alternative.model_dump(mode="json") if exc.alternative else None
        body = {"detail": [_violation(v) for v in exc.violations]}
        return body | {"alternative": alternative, "suggestion": exc.suggestion}
    if isinstance(exc, PlanBreaksRules):  # one entry per broken rule, with the rule and its date
        return {"detail": [_violation(v) for v in exc.violations]}
    if isinstance(exc, PlanRefused):  # every reason the goal cannot be planned safely
        return {"detail": [_entry(exc.field, reason) for reason in exc.reasons]}
    if isinstance(exc, InvalidInput):  # the one 422 shape, as for a body that fails its schema
        return {"detail": [error_entry({"loc": ("body", exc.field), "msg": str(exc), "type": "value_error"})]}
    return {"detail": str(exc)}


def _entry(field: str, message: str) -> dict[str, Any]:
    return error_entry({"loc": ("body", field), "msg": message, "type": "value_error"})


def _violation(v: Violation) -> dict[str, Any]:
    entry = error_entry({"loc": ("body", "plan"), "msg": v.message, "type": "rule_violation"})
    return entry | {"rule": v.rule.value, "date": v.date.isoformat()}


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RunCoachError)
    status = next(code for kind, code in STATUS.items() if isinstance(exc, kind))
    headers = _headers(status)
    return JSONResponse(_body(exc), status_code=status, headers=headers)


async def _method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
    """405 whose Allow lists every method of the path (Starlette names only the first route's)."""
    allowed = [method for method in _METHODS if _routable(request, method)]
    return JSONResponse(
        {"detail": "Method Not Allowed"}, status_code=405, headers={"Allow": ", ".join(allowed)}
    )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _routable(request: Request, method: str) -> bool:
    scope = {**request.scope, "method": method}
    return any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes)


def _headers(status: int) -> dict[str, str] | None:
    if status == 401:
        return {"WWW-Authenticate": "Bearer"}
    if status == 503:
        return {"Retry-After": str(RETRY_AFTER_S)}
    return None


def _json_404_under_api(page_404: Any) -> Any:
    """NiceGUI answers an unknown path with its HTML error page; under /api/ a client expects JSON."""
    # Set-up runs again for every test in one process: wrap NiceGUI's handler once, not ours again.
    page_404 = getattr(page_404, "wrapped_page_404", page_404)

    async def not_found(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api/") and isinstance(exc, StarletteHTTPException):
            return await http_exception_handler(request, exc)
        return await page_404(request, exc)

    not_found.wrapped_page_404 = page_404  # type: ignore[attr-defined]
    return not_found


def install(app: FastAPI) -> None:
    """Register the handlers: one per domain kind, JSON 404s under /api/, and a complete 405."""
    app.add_exception_handler(404, _json_404_under_api(app.exception_handlers[404]))
    for kind in STATUS:
        app.add_exception_handler(kind, _domain_error)
    app.add_exception_handler(405, _method_not_allowed)
