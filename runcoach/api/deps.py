"""FastAPI dependencies: the context, the bearer-token user, and ids checked before a database sees them."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from runcoach.auth.service import user_for_token
from runcoach.context import Context, context
from runcoach.domain.accounts import User
from runcoach.domain.ids import MAX_ID

_bearer = HTTPBearer(auto_error=False, description="A personal API token (Settings -> API tokens)")


async def get_ctx() -> Context:
    # Async on purpose: FastAPI runs a plain `def` dependency in a worker thread, a thread hop
    # on every request for a global read.
    return context()


Ctx = Annotated[Context, Depends(get_ctx)]


async def get_user(
    request: Request, ctx: Ctx, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> User:
    """The token's owner; 401 JSON for a missing, malformed, unknown or revoked token."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("Missing bearer token: send 'Authorization: Bearer <token>'")
    user = await user_for_token(ctx.db, token=credentials.credentials, now=ctx.clock.now())
    if user is None:
        raise _unauthorized("Invalid or revoked API token")
    return user


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


CurrentUser = Annotated[User, Depends(get_user)]


#: A row id in a path: 1 to MAX_ID; anything else is a 422 with the reason, never a database error.
RowId = Annotated[int, Path(ge=1, le=MAX_ID, description=f"A row id, 1 to {MAX_ID}")]
