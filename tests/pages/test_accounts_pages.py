"""User stories for accounts: invites and registration, the sign-in lockout, API tokens on Settings."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from nicegui import ui
from nicegui.testing import User

from runcoach.context import context
from runcoach.db.tokens import list_tokens
from tests.helpers import PASSWORD, PATIENCE, add_account, sign_in


async def register(user: User, code: str, name: str, email: str) -> None:
    await user.open(f"/register?code={code}")
    user.find("Your name").type(name)
    user.find("Email").type(email)
    user.find("Password").type(PASSWORD)
    user.find("Repeat password").type(PASSWORD)
    user.find(kind=ui.button, content="Create account").click()


def text_of(user: User, marker: str) -> str:
    (label,) = user.find(kind=ui.label, marker=marker).elements
    return label.text


async def test_setup_is_gone_once_an_account_exists(user: User) -> None:
    await context().db.ready()
    await add_account("ada@example.com", admin=True)
    response = await user.http_client.get("/setup")
    assert response.status_code == 404


async def test_admin_invites_a_runner_who_registers_once(user: User, create_user: Callable[[], User]) -> None:
    await context().db.ready()
    await add_account("ada@example.com", admin=True)
    await sign_in(user, "ada@example.com")
    await user.should_see(marker="generate", retries=PATIENCE)
    await user.open("/admin")
    user.find(kind=ui.button, content="Create invite code").click()
    await user.should_see("shown only once")
    code = text_of(user, "invite-code")
    assert len(code) >= 12

    runner = create_user()
    await register(runner, code, "Bo", "bo@example.com")
    await runner.should_see(marker="generate", retries=PATIENCE)

    late = create_user()
    await register(late, code, "Cy", "cy@example.com")
    await late.should_see("This invite code is used", retries=PATIENCE)


async def test_a_runner_who_is_not_admin_cannot_open_admin(user: User) -> None:
    await context().db.ready()
    await add_account("ada@example.com", admin=True)
    await add_account("bo@example.com", admin=False)
    await sign_in(user, "bo@example.com")
    await user.should_see(marker="generate", retries=PATIENCE)
    response = await user.http_client.get("/admin")  # the simulated browser's session cookie is sent
    assert response.status_code == 403
    assert "Create invite code" not in response.text


async def test_sixth_sign_in_after_five_failures_is_refused_with_a_clear_message(user: User) -> None:
    await context().db.ready()
    await add_account("ada@example.com", admin=True)
    for _ in range(5):
        await sign_in(user, "ada@example.com", "wrong-password-1", wait=False)
        await user.should_see("Wrong email or password", retries=PATIENCE)
    await sign_in(user, "ada@example.com", wait=False)
    await user.should_see("Too many failed sign-ins", retries=PATIENCE)


async def test_a_token_made_on_settings_is_shown_once_works_and_can_be_revoked(user: User) -> None:
    await context().db.ready()
    ada = await add_account("ada@example.com", admin=True)
    await sign_in(user, "ada@example.com")
    await user.should_see(marker="generate", retries=PATIENCE)
    await user.open("/settings")
    user.find(marker="token-label").type("garage laptop")
    user.find(kind=ui.button, content="Create token").click()
    await user.should_see("shown only once")
    token = text_of(user, "new-token")
    headers = {"Authorization": f"Bearer {token}"}
    assert (await user.http_client.get("/api/workouts", headers=headers)).status_code == 200

    await user.open("/settings")
    await user.should_see("garage laptop")
    await user.should_not_see(token)  # listed by its prefix only
    user.find(kind=ui.button, content="Revoke").click()
    await user.should_see("revoked", retries=PATIENCE)
    assert (await user.http_client.get("/api/workouts", headers=headers)).status_code == 401
    async with context().db.session() as db:
        (listed,) = await list_tokens(db, user_id=ada.id)
    assert listed.last_used_at is not None and listed.revoked_at is not None


async def test_signed_out_page_visit_goes_to_login_and_back(user: User) -> None:
    await context().db.ready()
    await add_account("ada@example.com", admin=True)
    response = await user.http_client.get("/settings", follow_redirects=False)
    assert response.headers["location"] == "/login?redirect_to=%2Fsettings"
    assert isinstance(response, httpx.Response)
