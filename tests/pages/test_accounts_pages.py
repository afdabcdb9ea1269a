"""User stories for accounts: invites and registration, the sign-in lockout, API tokens on Settings."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from nicegui import ui
from nicegui.testing import User

from runcoach.auth import service
from runcoach.context import context
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
    (listed,) = await service.list_tokens(context().db, user_id=ada.id)
    assert listed.last_used_at is not None and listed.revoked_at is not None


async def test_signed_out_page_visit_goes_to_login_and_back(user: User) -> None:
    await context().db.ready()
    await add_account("ada@example.com", admin=True)
    response = await user.http_client.get("/settings", follow_redirects=False)
    assert response.headers["location"] == "/login?redirect_to=%2Fsettings"
    assert isinstance(response, httpx.Response)


async def test_sign_in_gives_the_browser_a_new_id_and_the_old_one_is_worth_nothing(user: User) -> None:
    await context().db.ready()
    await add_account("ada@example.com", admin=True)
    await user.open("/login")
    planted = user.http_client.cookies.get("session")  # what an attacker could have planted
    assert planted
    await sign_in(user, "ada@example.com")
    fresh = user.http_client.cookies.get("session")
    assert fresh and fresh != planted
    assert (await user.http_client.get("/settings", follow_redirects=False)).status_code == 200
    async with httpx.AsyncClient(transport=user.http_client._transport, base_url="http://test") as attacker:
        attacker.cookies.set("session", planted)
        response = await attacker.get("/settings", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_a_sign_in_ticket_works_once(user: User) -> None:
    await context().db.ready()
    await add_account("ada@example.com", admin=True)
    await user.open("/login")
    response = await user.http_client.get("/login/complete?ticket=made-up", follow_redirects=False)
    assert response.headers["location"] == "/login"
    assert (await user.http_client.get("/settings", follow_redirects=False)).status_code == 303


@pytest.mark.parametrize("target", ["/%5Cevil.example", "/%09/evil.example", "%2F%2Fevil.example"])
async def test_after_sign_in_an_off_site_redirect_lands_on_workouts(user: User, target: str) -> None:
    await context().db.ready()
    await add_account("ada@example.com", admin=True)
    await user.open(f"/login?redirect_to={target}")
    user.find("Email").type("ada@example.com")
    user.find("Password").type(PASSWORD)
    user.find(kind=ui.button, content="Sign in").click()
    await user.should_see(marker="generate", retries=PATIENCE)
    assert user.back_history[-1].startswith("/login/complete")


async def test_a_disabled_runners_open_browser_is_sent_to_sign_in(user: User) -> None:
    await context().db.ready()
    await add_account("ada@example.com", admin=True)
    await sign_in(user, "ada@example.com")
    ctx = context()
    await service.set_disabled(ctx.db, email="ada@example.com", disabled=True, now=ctx.clock.now())
    response = await user.http_client.get("/settings", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    await sign_in(user, "ada@example.com", wait=False)
    await user.should_see("This account is disabled", retries=PATIENCE)


async def test_an_admin_disables_and_enables_a_runner_on_the_admin_page(user: User) -> None:
    await context().db.ready()
    await add_account("ada@example.com", admin=True)
    bo = await add_account("bo@example.com")
    await sign_in(user, "ada@example.com")
    await user.open("/admin")
    user.find(marker=f"disable-{bo.id}").click()
    await user.should_see("disabled", kind=ui.badge)
    assert (await service.get_user(context().db, user_id=bo.id)).disabled  # type: ignore[union-attr]
    user.find(marker=f"disable-{bo.id}").click()
    await user.should_not_see("disabled", kind=ui.badge)


async def test_an_admin_unlocks_a_locked_out_runner_on_the_admin_page(
    user: User, create_user: Callable[[], User]
) -> None:
    await context().db.ready()
    await add_account("ada@example.com", admin=True)
    bo = await add_account("bo@example.com")
    runner = create_user()
    for _ in range(5):
        await sign_in(runner, "bo@example.com", "wrong-password-1", wait=False)
        await runner.should_see("Wrong email or password", retries=PATIENCE)
    await sign_in(runner, "bo@example.com", wait=False)
    await runner.should_see("Too many failed sign-ins", retries=PATIENCE)

    await sign_in(user, "ada@example.com")
    await user.open("/admin")
    user.find(marker=f"unlock-{bo.id}").click()
    await user.should_see("Unlocked bo@example.com: 5 failed sign-ins forgiven.")
    await sign_in(runner, "bo@example.com")


async def test_a_sign_in_attempt_is_recorded_with_the_browsers_address(user: User) -> None:
    from sqlalchemy import select

    from runcoach.db.tables import LoginAttemptRow

    await context().db.ready()
    await add_account("ada@example.com", admin=True)
    await sign_in(user, "ada@example.com", "wrong-password-1", wait=False)
    await user.should_see("Wrong email or password")
    async with context().db.session() as db:
        (attempt,) = await db.scalars(select(LoginAttemptRow))
    assert (attempt.email, attempt.address, attempt.outcome) == ("ada@example.com", "127.0.0.1", "failed")
