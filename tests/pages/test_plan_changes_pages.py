"""Stories of changing a plan in the browser's place: make a plan from a goal, move a day (refused
with the nearest alternative, then taken), adapt today, compare and revert versions, and the
check-in after a run."""

from __future__ import annotations

from datetime import timedelta

from nicegui.testing import User

from runcoach.context import context
from runcoach.domain.plan_edits import Rest
from runcoach.domain.plans import Methodology
from runcoach.domain.profile import Weekday
from runcoach.domain.session import Command
from runcoach.plans import checkins, service
from runcoach.profiles import service as profiles
from tests.helpers import PLAN_PROFILE, a_run, add_account, easy_plan, jump, sign_in


async def runner_with_profile(user: User) -> int:
    account = await add_account("ann@example.com")
    ctx = context()
    await profiles.save_profile(ctx.db, account.id, PLAN_PROFILE, ctx.clock.now())
    await sign_in(user, "ann@example.com")
    return account.id


async def a_plan_from_this_week(user_id: int) -> int:
    ctx = context()
    today = ctx.today()
    monday = today - timedelta(days=today.weekday())
    stored = await service.store_new(
        ctx.db, user_id, goal_id=None, seed=1, draft=easy_plan(monday), now=ctx.clock.now()
    )
    return stored.plan.id


async def test_a_goal_card_makes_a_plan_and_the_calendar_shows_it(user: User) -> None:
    await runner_with_profile(user)
    await user.open("/goals")
    race_day = (context().today() + timedelta(weeks=10)).isoformat()
    user.find(marker="race_distance").elements.pop().set_value("10000")
    user.find(marker="race_date").type(race_day)
    user.find(marker="set-goal").click()
    await user.should_see(marker="goal-1")
    user.find(marker="methodology-1").elements.pop().set_value(Methodology.EIGHTY_TWENTY.value)
    user.find(marker="make-plan-1").click()
    await user.should_see(marker="calendar")
    plan = await service.current(context().db, 1)
    assert plan.plan.goal_id == 1 and plan.draft.methodology is Methodology.EIGHTY_TWENTY


async def test_a_move_onto_a_rest_weekday_is_refused_and_the_alternative_is_one_tap(user: User) -> None:
    ann = await runner_with_profile(user)
    plan_id = await a_plan_from_this_week(ann)
    draft = (await service.current(context().db, ann)).draft
    ahead = [d for d in draft.days if d.date > context().today() + timedelta(days=1)]
    day = ahead[0]
    tuesday = day.date + timedelta(days=(1 - day.date.weekday()) % 7 or 7)
    await user.open(f"/plan/workouts/{day.wid}")
    user.find(marker="move-to").clear().type(tuesday.isoformat())
    user.find(marker="move").click()
    await user.should_see("Tuesday is not one of your training days")
    await user.should_see(marker="use-alternative")
    user.find(marker="use-alternative").click()
    await user.should_see(marker="history")
    now = await service.current(context().db, ann)
    assert now.number == 2 and now.plan.id == plan_id
    moved = now.draft.day(day.wid)
    assert moved is not None and moved.date != day.date and moved.date.weekday() in (0, 2, 4, 6)


async def test_adapt_today_when_sore_rests_the_day_and_says_why(user: User) -> None:
    ann = await runner_with_profile(user)
    ctx = context()
    every_day = PLAN_PROFILE.model_copy(update={"available_days": list(Weekday), "max_minutes": {}})
    await profiles.save_profile(ctx.db, ann, every_day, ctx.clock.now())
    today = ctx.today()
    draft = easy_plan(today - timedelta(days=today.weekday()), weekdays=(today.weekday(),))
    await service.store_new(ctx.db, ann, goal_id=None, seed=1, draft=draft, now=ctx.clock.now())
    planned = draft.on(today)
    assert planned is not None
    await user.open(f"/plan/workouts/{planned.wid}")
    await user.should_see(marker="adapt-card")
    user.find(marker="adapt-soreness").elements.pop().set_value(9)
    user.find(marker="adapt").click()
    await user.should_see("rest today")
    rested = (await service.current(ctx.db, ann)).draft.day(planned.wid)
    assert rested is not None and rested.type.value == "rest"


async def test_versions_page_shows_the_diff_and_reverts(user: User) -> None:
    ann = await runner_with_profile(user)
    plan_id = await a_plan_from_this_week(ann)
    ctx = context()
    draft = (await service.current(ctx.db, ann)).draft
    day = draft.days[-1]  # the last week: resting it lowers no later week's base
    await service.edit(ctx.db, ann, plan_id, Rest(wid=day.wid), today=ctx.today(), now=ctx.clock.now())
    await user.open("/plan/versions")
    await user.should_see("Version 1 → version 2")
    await user.should_see(marker="diff-changed")
    await user.should_see(marker="diff-chart")
    user.find(marker="revert-1").click()
    await user.should_see(marker="version-3")
    assert (await service.current(ctx.db, ann)).draft == draft


async def test_after_a_run_the_runner_says_how_it_felt(user: User) -> None:
    account = await add_account("ann@example.com")
    await sign_in(user, "ann@example.com")
    session = await a_run(account)
    hub = context().hub
    await hub.command(session.id, Command.START, owner_id=account.id)
    await jump(600)
    await hub.command(session.id, Command.FINISH, owner_id=account.id)
    await user.open(f"/sessions/{session.id}/checkin")
    await user.should_see("How did it feel?")
    user.find(marker="effort").elements.pop().set_value(8)
    user.find(marker="soreness").elements.pop().set_value(3)
    user.find(marker="save-checkin").click()
    await user.should_see("Saved.")
    saved = await checkins.for_session(context().db, account.id, session.id)
    assert saved is not None and (saved.effort, saved.soreness) == (8, 3)


async def test_someone_elses_run_has_no_check_in_page(user: User) -> None:
    bob = await add_account("bob@example.com")
    session = await a_run(bob)
    await runner_with_profile(user)
    for path in (
        f"/sessions/{session.id}/checkin",
        "/sessions/99999999999999/checkin",
        "/sessions/x/checkin",
    ):
        response = await user.http_client.get(path)
        assert response.status_code == 404 and "Run not found" in response.text


async def test_settings_makes_a_calendar_link_that_serves_the_plan_and_can_be_stopped(user: User) -> None:
    ann = await runner_with_profile(user)
    plan_id = await a_plan_from_this_week(ann)
    await user.open("/settings")
    await user.should_see("No feed yet.")
    user.find(marker="feed-new").click()
    await user.should_see("Copy it now: it is shown only once.")
    link = next(iter(user.find(marker="feed-link").elements)).text
    path = link[link.index("/feeds/") :]
    feed = await user.http_client.get(path)
    assert feed.status_code == 200 and f"UID:plan-{plan_id}-day-1@runcoach" in feed.text
    user.find(marker="feed-stop").click()
    await user.should_see("No feed: no link works.")
    assert (await user.http_client.get(path)).status_code == 404
