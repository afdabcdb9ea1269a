"""Page story: a runner sets a profile on /profile and sees the paces it gives; bad input says why."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from runcoach.context import context
from runcoach.domain.accounts import User as Account
from runcoach.domain.structure import KMH_PER_MPH, MPH_STEP_KMH, ConsoleUnit
from runcoach.profiles import service
from tests.helpers import PATIENCE, add_account, sign_in, the


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


# --- the treadmill section ------------------------------------------------------------------------


async def _profile_page(user: User, email: str) -> Account:
    await context().db.ready()
    account = await add_account(email)
    await sign_in(user, email)
    await user.open("/profile")
    await user.should_see(marker="console-unit", retries=PATIENCE)
    user.find(marker="race-time").type("20:00")
    user.find(marker="race-date").type("2026-01-10")
    return account


def _retype(user: User, marker: str, value: str) -> None:
    user.find(marker=marker).clear().type(value)


async def test_a_runner_sets_an_mph_treadmill_and_it_comes_back_in_mph(user: User) -> None:
    account = await _profile_page(user, "mia@example.com")
    the(user, ui.select, "console-unit").value = "mph"
    # The saved defaults (1 and 16 km/h) now read in mph: the same speeds, another unit.
    assert (the(user, ui.number, "min-speed").value, the(user, ui.number, "max-speed").value) == (0.6, 9.9)
    _retype(user, "max-speed", "12")
    _retype(user, "max-incline", "15")
    _retype(user, "calibration", "1.05")
    user.find(kind=ui.button, content="Save profile").click()
    await user.should_see("VDOT 49.8", retries=PATIENCE)

    saved = await service.get_profile(context().db, account.id)
    assert saved is not None
    assert saved.treadmill.unit is ConsoleUnit.MPH and saved.treadmill.speed_step_kmh == MPH_STEP_KMH
    assert saved.treadmill.max_speed_kmh == pytest.approx(12 * KMH_PER_MPH)
    assert (saved.treadmill.max_incline_pct, saved.treadmill.calibration) == (15.0, 1.05)

    await user.open("/profile")
    await user.should_see(marker="console-unit", retries=PATIENCE)
    assert the(user, ui.select, "console-unit").value == "mph"
    assert the(user, ui.number, "max-speed").value == 12.0
    assert the(user, ui.number, "calibration").value == 1.05


async def test_a_treadmill_number_out_of_range_is_refused_in_its_unit_and_nothing_typed_is_lost(
    user: User,
) -> None:
    account = await _profile_page(user, "max@example.com")
    the(user, ui.select, "console-unit").value = "mph"
    _retype(user, "max-speed", "40")
    _retype(user, "calibration", "1.04")
    user.find(kind=ui.button, content="Save profile").click()
    await user.should_see("Max speed must be a number from 3.2 to 18.6 mph.", marker="treadmill-error")
    assert await service.get_profile(context().db, account.id) is None
    assert the(user, ui.number, "max-speed").value == 40.0
    assert the(user, ui.number, "calibration").value == 1.04
    assert the(user, ui.input, "race-time").value == "20:00"

    _retype(user, "max-speed", "11")
    user.find(kind=ui.button, content="Save profile").click()
    await user.should_see("VDOT 49.8", retries=PATIENCE)
    await user.should_not_see(marker="treadmill-error")
    saved = await service.get_profile(context().db, account.id)
    assert saved is not None and saved.treadmill.calibration == 1.04


async def test_the_timed_belt_test_fills_in_the_calibration(user: User) -> None:
    await _profile_page(user, "lea@example.com")
    _retype(user, "belt-m", "6")
    _retype(user, "laps", "10")
    _retype(user, "lap-seconds", "20")  # 60 m in 20 s is 10.8 km/h on the belt ...
    _retype(user, "test-speed", "10")  # ... with the console at 10 km/h
    user.find(marker="use-factor").click()
    assert the(user, ui.number, "calibration").value == 1.08

    user.find(marker="lap-seconds").clear()
    user.find(marker="use-factor").click()
    await user.should_see("The time must be a number above 0.", marker="treadmill-error")
    assert the(user, ui.number, "calibration").value == 1.08
