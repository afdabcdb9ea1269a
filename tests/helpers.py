"""Test helpers shared by every test module (test files never import each other).

Page stories run on a busy 2-core machine: navigation builds the next page in a background task
from the database, so waits are generous (see `PATIENCE` and the conftest's patient `should_see`).
"""

from __future__ import annotations

from typing import TypeVar

from nicegui import ui
from nicegui.testing import User

from runcoach.auth import service as auth_service
from runcoach.context import context
from runcoach.domain.accounts import User as Account

PASSWORD = "a-Strong-pass-9"
#: should_see retries every 0.1 s: 100 retries is 10 s, plenty for a page build on a loaded box.
PATIENCE = 100

E = TypeVar("E", bound=ui.element)


async def add_account(email: str, name: str | None = None, *, admin: bool = False) -> Account:
    """A new account with PASSWORD, made through the accounts service of the running app."""
    ctx = context()
    return await auth_service.create_user(
        ctx.db,
        email=email,
        name=name or email.split("@")[0].title(),
        password=PASSWORD,
        is_admin=admin,
        now=ctx.clock.now(),
    )


async def sign_in(user: User, email: str, password: str = PASSWORD, *, wait: bool = True) -> None:
    """Sign in on /login; with `wait`, until the workouts page is there."""
    await user.open("/login")
    user.find("Email").type(email)
    user.find("Password").type(password)
    user.find(kind=ui.button, content="Sign in").click()
    if wait:
        await user.should_see(marker="generate", retries=PATIENCE)


def the(user: User, kind: type[E], marker: str) -> E:
    """The one element of `kind` with this marker on the current page."""
    (element,) = user.find(kind=kind, marker=marker).elements
    return element
