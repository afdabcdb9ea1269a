"""One place maps the domain's errors to HTTP: one exception handler per kind, and their OpenAPI entries.

Routes never catch to translate: a service raises NotFound, the handler answers 404 with the
same sentence the pages show. A database that does not answer is a 503, never a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import InterfaceError, OperationalError

from runcoach.domain.errors import (
    AuthFailed,
    Conflict,
    InvalidInput,
    NotFound,
    RunCoachError,
    Unavailable,
)

log = logging.getLogger(__name__)

#: Seconds a client should wait before retrying after a 503.
RETRY_AFTER_S = 5
DATABASE_DOWN = "The database is not answering, so nothing was changed. Try again in a moment."


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
}

_DESCRIPTIONS = {
    401: "Missing, malformed, unknown or revoked bearer token, or a disabled account",
    404: "Unknown, or somebody else's (the two are indistinguishable)",
    409: "The request does not fit the current state; `detail` says why",
    413: "The request body is larger than the server accepts",
    503: "The database is not answering; nothing was changed, retry later",
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for these error statuses, each with the `{"detail": "..."}` body."""
    return {code: {"model": ErrorOut, "description": _DESCRIPTIONS[code]} for code in codes}


def _body(exc: RunCoachError) -> dict[str, Any]:
    if isinstance(exc, InvalidInput):  # the shape FastAPI's own 422s have, so clients parse one form
        return {"detail": [{"loc": ["body", exc.field], "msg": str(exc), "type": "value_error"}]}
    return {"detail": str(exc)}


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RunCoachError)
    status = next(code for kind, code in STATUS.items() if isinstance(exc, kind))
    headers = _headers(status)
    return JSONResponse(_body(exc), status_code=status, headers=headers)


async def _database_down(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database error on %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse({"detail": DATABASE_DOWN}, status_code=503, headers=_headers(503))


def _headers(status: int) -> dict[str, str] | None:
    if status == 401:
        return {"WWW-Authenticate": "Bearer"}
    if status == 503:
        return {"Retry-After": str(RETRY_AFTER_S)}
    return None


def install(app: FastAPI) -> None:
    """Register the handlers: one per domain kind, one for a database that does not answer."""
    for kind in STATUS:
        app.add_exception_handler(kind, _domain_error)
    # A connection refused or lost (OperationalError, InterfaceError, OSError under them): not a bug here.
    for outage in (OperationalError, InterfaceError, ConnectionError):
        app.add_exception_handler(outage, _database_down)
