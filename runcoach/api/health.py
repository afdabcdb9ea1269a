"""GET /health: no auth, checks the database; what Docker's HEALTHCHECK and load balancers call."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from runcoach import __version__
from runcoach.api.deps import Ctx

router = APIRouter(tags=["health"])


@router.get("/health")
async def health(ctx: Ctx) -> JSONResponse:
    body: dict[str, Any] = {"version": __version__, "database": ctx.db.engine.dialect.name}
    if not ctx.db.is_ready:
        return JSONResponse({"status": "starting", **body}, status_code=503)
    try:
        await ctx.db.ping()
    except Exception as exc:  # any failure to reach the database makes us unhealthy
        return JSONResponse({"status": "error", **body, "error": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ok", **body})
