"""Page story: a runner sets a profile on /profile and sees the paces it gives; bad input says why."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from runcoach.context import context
from tests.helpers import PATIENCE, add_account, sign_in


async def test_a_runner_sets_a_race_and_sees_the_paces(user: User) -> None:
    await context().db.ready()
    await add_account("ann@example.com")
    await sign_in(user, "ann@example.com")
    await user.open("/profile")
    await user.should_see("Set your profile first: a recent race or an easy pace", retries=PATIENCE)
    user.find(marker="race-time").type("20:00")
    user.find(marker="race-date").type("2026-01-10")
    user.find(kind=ui.button, content="Save profile").click()
    await user.should_see("VDOT 49.8", retries=PATIENCE)

    await user.open("/profile")  # saved: the form comes back filled in
    await user.should_see("VDOT 49.8", retries=PATIENCE)
    (time_input,) = user.find(marker="race-time").elements
    assert time_input.value == "20:00"  # type: ignore[attr-defined]


async def test_bad_input_says_what_is_wrong(user: User) -> None:
    await context().db.ready()
    await add_account("bob@example.com")
    await sign_in(user, "bob@example.com")
    await user.open("/profile")
    user.find(marker="race-time").type("twenty")
    user.find(kind=ui.button, content="Save profile").click()
    await user.should_see("Write times as m:ss or h:mm:ss", retries=PATIENCE)
    user.find(marker="race-time").clear()
    user.find(kind=ui.button, content="Save profile").click()
    await user.should_see("recent race or an easy pace", retries=PATIENCE)


async def test_signed_out_goes_to_login(user: User) -> None:
    await context().db.ready()
    response = await user.http_client.get("/profile", follow_redirects=False)
    assert response.status_code in (302, 303, 307) and "/login" in response.headers["location"]
