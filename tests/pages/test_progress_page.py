"""Page stories for /progress: how am I doing, from the nav; no profile yet; miles; and the weeks as
time goes by (the app's clock jumps, nothing sleeps)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from nicegui import ui
from nicegui.testing import User

from runcoach.auth import service as accounts
from runcoach.context import context
from runcoach.domain.accounts import User as Account
from runcoach.domain.paces import Zone
from runcoach.domain.session import Command
from runcoach.domain.workouts import SegmentLabel
from runcoach.plans import service
from runcoach.profiles import service as profiles
from runcoach.profiles.service import NO_PROFILE
from tests.helpers import (
    PLAN_PROFILE,
    a_run,
    add_account,
    easy_plan,
    flat,
    jump,
    past_run,
    run_commands,
    sign_in,
    the,
)

ZONES = PLAN_PROFILE.paces().zones
EASY_KMH = round(ZONES[Zone.EASY].max_kmh, 1)
THRESHOLD_KMH = round(ZONES[Zone.THRESHOLD].max_kmh, 1)


def this_monday() -> date:
    today = context().today()
    return today - timedelta(days=today.weekday())


async def runner_with_profile(email: str) -> Account:
    await context().db.ready()
    account = await add_account(email)
    ctx = context()
    await profiles.save_profile(ctx.db, account.id, PLAN_PROFILE, ctx.clock.now())
    return account


async def four_weeks_of_tempos(account: Account) -> None:
    """A tempo each Tuesday of the last four weeks (10 min easy, 20 at threshold, 5 easy)."""
    zone = context().settings.zone
    for back in range(4, 0, -1):
        tuesday = this_monday() - timedelta(weeks=back, days=-1)
        tempo = (
            flat(600, EASY_KMH, SegmentLabel.WARM_UP),
            flat(1200, THRESHOLD_KMH + 0.1 * (4 - back)),
            flat(300, EASY_KMH, SegmentLabel.COOL_DOWN),
        )
        await past_run(account.id, datetime.combine(tuesday, time(7), zone), tempo)


def text(user: User, marker: str) -> str:
    return the(user, ui.label, marker).text


async def test_a_runner_with_weeks_of_runs_and_a_plan_sees_how_they_are_doing(user: User) -> None:
    account = await runner_with_profile("ann@example.com")
    await four_weeks_of_tempos(account)
    ctx = context()
    stored = await service.store_new(
        ctx.db, account.id, goal_id=None, seed=1, draft=easy_plan(this_monday()), now=ctx.clock.now()
    )
    monday_run = await service.run_day(ctx.db, ctx.hub, account.id, stored.plan.id, 1)
    await run_commands(monday_run, Command.START)
    await jump(40 * 60 + 5)  # this week's Monday run played to its end

    await sign_in(user, "ann@example.com")
    user.find(kind=ui.button, content="Progress").click()  # from the nav
    await user.should_see(marker="window")
    assert text(user, "window").startswith("The last 4 full weeks and this one, from ")
    assert re.fullmatch(r"\d+\.\d km", text(user, "figure-volume"))
    assert text(user, "caption-volume") == "A week, on average over the last 4 full weeks."
    assert re.fullmatch(r"[+-]\d+\.\d km", text(user, "figure-trend"))
    assert text(user, "figure-consistency") == "4 of 4 weeks"
    assert "longest streak 5 weeks" in text(user, "caption-consistency")  # this week has a run too
    assert text(user, "figure-completion").endswith("%")
    assert text(user, "caption-completion").startswith("1 done")
    assert re.fullmatch(r"≥ \d+", text(user, "figure-vdot"))
    assert "floor" in text(user, "vdot-note")

    volume = the(user, ui.echart, "volume-chart").options
    assert [s["name"] for s in volume["series"]] == ["Planned km", "Done km", "Trend"]
    planned, done, trend = (s["data"] for s in volume["series"])
    assert planned[:4] == [None] * 4 and planned[4] is not None  # the plan began this week
    assert len(done) == 5 and all(v is not None for v in trend[:4]) and trend[4] is None
    vdot = the(user, ui.echart, "vdot-chart").options
    assert len(vdot["series"][0]["data"]) == 4  # the tempos; this week's easy run is no point
    donut = the(user, ui.echart, "completion-chart").options["series"][0]["data"]
    assert donut[0] == {"name": "Done", "value": 1, "itemStyle": {"color": "#15803d"}}
    strip = the(user, ui.html, "consistency").content
    assert strip.count("rc-ran") == 5 and "rc-now" in strip


async def test_without_a_profile_the_page_says_what_to_do(user: User) -> None:
    await context().db.ready()
    await add_account("new@example.com")
    await sign_in(user, "new@example.com")
    await user.open("/progress")
    await user.should_see(NO_PROFILE)
    await user.should_not_see(marker="window")
    user.find(marker="profile-link").click()
    await user.should_see(marker="save-profile")


async def test_a_new_runner_sees_this_week_so_far_and_the_weeks_count_as_they_end(user: User) -> None:
    account = await runner_with_profile("new@example.com")
    await sign_in(user, "new@example.com")
    await user.open("/progress")
    await user.should_see(marker="window")
    assert text(user, "figure-volume") == "0.0 km"
    assert text(user, "figure-consistency") == "0 runs"
    assert text(user, "figure-completion") == "–"
    await user.should_see(marker="goals-link")  # no plan: where to make one
    await user.should_not_see(marker="vdot-chart")

    session = await a_run(account, minutes=20)  # a quick workout, not from a plan
    await run_commands(session, Command.START)
    await jump(20 * 60 + 5)
    await user.open("/progress")
    await user.should_see("1 run")
    assert text(user, "figure-consistency") == "1 run"

    await jump(7 * 24 * 3600)  # a week on: the week of the run has ended
    await user.open("/progress")
    await user.should_see("1 of 1 weeks")
    assert text(user, "caption-volume") == "A week, on average over your first full week."
    assert text(user, "window").startswith("The last full week and this one, from ")


async def test_a_runner_in_miles_reads_miles(user: User) -> None:
    account = await runner_with_profile("mia@example.com")
    await accounts.set_units(context().db, user_id=account.id, units="imperial")
    await four_weeks_of_tempos(account)
    await sign_in(user, "mia@example.com")
    await user.open("/progress")
    await user.should_see(marker="window")
    assert text(user, "figure-volume").endswith(" mi") and text(user, "figure-trend").endswith(" mi")
    assert the(user, ui.echart, "volume-chart").options["yAxis"]["name"] == "mi"
