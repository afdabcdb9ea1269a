"""The signed-in browser: read, set and clear the user in NiceGUI's signed user storage."""

from __future__ import annotations

from nicegui import app

from runcoach.auth.middleware import signed_in_user_id
from runcoach.context import context
from runcoach.db.users import count_users, get_user
from runcoach.domain.accounts import User


async def current_user() -> User | None:
    """The signed-in user, or None (also when the account no longer exists)."""
    user_id = signed_in_user_id()
    if user_id is None:
        return None
    async with context().db.session() as db:
        return await get_user(db, user_id=user_id)


async def setup_needed() -> bool:
    """True while no account exists: the first visitor creates the admin on /setup."""
    async with context().db.session() as db:
        return await count_users(db) == 0


def remember(user: User) -> None:
    app.storage.user.update(user_id=user.id)


def forget() -> None:
    app.storage.user.clear()
