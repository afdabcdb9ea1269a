"""Page stories: a runner sets race and volume goals on /goals and sees each verdict; bad input says why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nicegui import ui
from nicegui.testing import User

from runcoach.context import context
from runcoach.domain.profile import Profile
from runcoach.profiles import service as profiles
from tests.helpers import add_account, sign_in, the

PROFILE = {
    "recent_race": {"distance_m": 5000, "time_s": 1500, "date": "2026-01-10"},
    "weekly_km": 10,
    "available_days": ["tue", "thu", "sun"],
    "long_run_day": "sun",
    "level": "beginner",
}


def in_days(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


async def signed_in_with_profile(user: User, email: str) -> None:
    await context().db.ready()
    account = await add_account(email)
    ctx = context()
    await profiles.save_profile(ctx.db, account.id, Profile.model_validate(PROFILE), ctx.clock.now())
    await sign_in(user, email)
    await user.open("/goals")
    await user.should_see(marker="set-goal")


async def test_without_a_profile_the_page_points_to_it(user: User) -> None:
    await context().db.ready()
    await add_account("new@example.com")
    await sign_in(user, "new@example.com")
    await user.open("/goals")
    await user.should_see("Set your profile first: a recent race or an easy pace")
    await user.should_not_see(marker="set-goal")
    user.find(marker="profile-link").click()
    await user.should_see(marker="save-profile")


async def test_a_runner_sets_a_race_goal_and_sees_its_verdict(user: User) -> None:
    await signed_in_with_profile(user, "ann@example.com")
    await user.should_see("No goals yet.")
    await user.should_see("Goals")  # the nav entry and the title
    date = in_days(70)
    user.find(marker="race_date").type(date)
    user.find(marker="target_time").type("24:00")
    user.find(kind=ui.button, content="Set goal").click()
    await user.should_see(f"5K on {date} in 24:00")
    await user.should_see(marker="badge-ok")
    await user.should_see("You run a 5K in about 25:00 now")
    await user.should_not_see("No goals yet.")

    user.find(marker="target_time").clear().type("19:00")  # a 6-minute jump in ten weeks
    user.find(kind=ui.button, content="Set goal").click()
    await user.should_see(f"5K on {date} in 19:00")
    await user.should_see(marker="badge-unrealistic")
    await user.should_see("To make it realistic:")


async def test_a_volume_goal_and_keep_fit(user: User) -> None:
    await signed_in_with_profile(user, "bob@example.com")
    the(user, ui.toggle, "kind").value = "volume"
    by = in_days(28)
    user.find(marker="weekly_km").type("40")
    user.find(marker="by_date").type(by)
    user.find(kind=ui.button, content="Set goal").click()
    await user.should_see(f"40 km a week by {by}")
    await user.should_see(marker="badge-unrealistic")
    await user.should_see("From 10 to 40 km a week")

    the(user, ui.select, "volume_mode").value = "keep-fit"
    user.find(kind=ui.button, content="Set goal").click()
    await user.should_see("Keep fit")
    await user.should_see(marker="badge-ok")


async def test_bad_input_says_why_and_keeps_what_was_typed(user: User) -> None:
    await signed_in_with_profile(user, "cy@example.com")
    user.find(marker="race_date").type("2020-05-01")
    user.find(marker="target_time").type("25:00")
    user.find(kind=ui.button, content="Set goal").click()
    await user.should_see("Race date: The race date 2020-05-01 is in the past.")
    assert the(user, ui.input, "race_date").value == "2020-05-01"
    assert the(user, ui.input, "target_time").value == "25:00"
    assert the(user, ui.input, "race_date").props["error"] is True

    the(user, ui.input, "race_date").value = in_days(60)
    user.find(marker="target_time").clear().type("fast")
    user.find(kind=ui.button, content="Set goal").click()
    await user.should_see("Target time: Write the time as h:mm:ss or m:ss, not 'fast'")
    assert not the(user, ui.input, "race_date").props["error"]

    the(user, ui.select, "race_distance").value = "other"
    user.find(marker="target_time").clear()
    user.find(kind=ui.button, content="Set goal").click()
    await user.should_see("Distance (km): Give the race distance in km")
    user.find(marker="other_km").type("0.5")
    user.find(kind=ui.button, content="Set goal").click()
    await user.should_see("Distance (km): Give a distance from 1.5 to 50 km")
    await user.should_see("No goals yet.")


async def test_signed_out_goes_to_login(user: User) -> None:
    await context().db.ready()
    response = await user.http_client.get("/goals", follow_redirects=False)
    assert response.status_code in (302, 303, 307) and "/login" in response.headers["location"]
