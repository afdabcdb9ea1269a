"""FastAPI dependencies: the context, a database session, and the bearer-token user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.auth.service import user_for_token
from runcoach.context import Context, context
from runcoach.domain.accounts import User

_bearer = HTTPBearer(auto_error=False, description="A personal API token (Settings -> API tokens)")


def get_ctx() -> Context:
    return context()


Ctx = Annotated[Context, Depends(get_ctx)]


async def get_db(ctx: Ctx) -> AsyncIterator[AsyncSession]:
    async with ctx.db.session() as db:
        yield db


Db = Annotated[AsyncSession, Depends(get_db)]


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
