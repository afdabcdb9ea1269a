"""User stories with Strava connected: a finished run goes to Strava from its summary, once; runs
imported from Strava show on the plan calendar where they count."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
from nicegui.testing import User

from runcoach.context import context
from runcoach.domain.profile import Weekday
from runcoach.domain.session import Command
from runcoach.plans import service as plans
from runcoach.profiles import service as profiles
from tests.fake_strava import FakeStrava
from tests.helpers import (
    PATIENCE,
    PLAN_PROFILE,
    a_run,
    add_account,
    connect_strava,
    easy_plan,
    jump,
    run_commands,
    sign_in,
    use_fake_strava,
)

ATHLETE = 8_800_000_001
EMAIL = "runner@example.com"


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeStrava]:
    with FakeStrava() as fake:
        yield fake


@pytest.fixture
def fake(user: User, fake_server: FakeStrava) -> FakeStrava:
    fake_server.reset()
    fake_server.upload_polls = 1
    fake_server.add_athlete(ATHLETE, "Ada", "Runner")
    return fake_server


async def test_a_finished_run_goes_to_strava_from_its_summary_once(user: User, fake: FakeStrava) -> None:
    await user.open("/login")
    use_fake_strava(fake)
    runner = await add_account(EMAIL, "Runner")
    await sign_in(user, EMAIL)
    await connect_strava(runner.id, fake, ATHLETE)
    session = await a_run(runner)
    await run_commands(session, Command.START)
    await jump(300)
    await run_commands(session, Command.FINISH)

    await user.open(f"/sessions/{session.id}/summary")
    user.find(marker="strava-send").click()
    await user.should_see(marker="strava-upload-state", content="On Strava", retries=PATIENCE * 3)
    await user.should_see("Open it on Strava")
    assert fake.uploads_created == 1
    await user.open(f"/sessions/{session.id}/summary")  # again: the state, no second button
    await user.should_see(marker="strava-upload-state", content="On Strava")
    await user.should_not_see(marker="strava-send")


async def test_imported_runs_show_on_the_calendar_where_they_count(user: User, fake: FakeStrava) -> None:
    await user.open("/login")
    use_fake_strava(fake)
    runner = await add_account(EMAIL, "Runner")
    ctx = context()
    today = ctx.today()
    monday = today - timedelta(days=today.weekday())
    every_day = PLAN_PROFILE.model_copy(update={"available_days": list(Weekday), "max_minutes": {}})
    await profiles.save_profile(ctx.db, runner.id, every_day, ctx.clock.now())
    draft = easy_plan(monday, weekdays=tuple(range(7)))
    await plans.store_new(ctx.db, runner.id, goal_id=None, seed=1, draft=draft, now=ctx.clock.now())
    start = datetime.combine(today, time(5, 0), UTC)
    fake.add_activities(ATHLETE, 1, start=start, distance_m=7_500.0, moving_time_s=40 * 60)
    await sign_in(user, EMAIL)
    await connect_strava(runner.id, fake, ATHLETE)

    await user.open("/strava")
    await user.should_see(marker="strava-imported", content="Imported: 1 activities", retries=PATIENCE * 3)
    await user.open("/plan")
    await user.should_see("Ran 7.5 km · Strava")
