"""Page stories for the plan: the calendar (month and week, statuses, navigation), a planned
workout (structure, profile, segments, history, Run it now), Today as the home page, no plan,
and other runners' plans."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from nicegui import ui
from nicegui.testing import User

from runcoach.auth import service as accounts
from runcoach.context import context
from runcoach.domain.accounts import User as Account
from runcoach.domain.goals import Goal, GoalKind
from runcoach.domain.plan_model import WorkoutType
from runcoach.domain.plans import Author, DayPlan, PlanDraft, PlanVersion
from runcoach.domain.profile import Profile
from runcoach.domain.rules import weekday_date
from runcoach.domain.session import Command
from runcoach.domain.structure import describe
from runcoach.goals import service as goals
from runcoach.plans import present, service
from runcoach.profiles import service as profiles
from tests.helpers import (
    HUGE_IDS,
    PLAN_PROFILE,
    add_account,
    easy_plan,
    easy_run,
    jump,
    run_commands,
    sign_in,
    the,
)

#: PLAN_PROFILE free every day, so a test can put a run on whatever weekday it runs on.
EVERY_DAY = Profile.model_validate(
    PLAN_PROFILE.model_dump(mode="json")
    | {
        "available_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "max_minutes": dict.fromkeys(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], 60),
    }
)


def last_monday() -> date:
    today = context().today()
    return today - timedelta(days=today.weekday() + 7)


async def runner_with_plan(
    email: str, draft: PlanDraft | None = None, profile: Profile = PLAN_PROFILE
) -> tuple[Account, PlanVersion]:
    """A runner with a profile and a plan stored through the services (by default: 3 weeks of easy
    runs on Monday, Wednesday and Friday from last week's Monday)."""
    await context().db.ready()
    account = await add_account(email)
    ctx = context()
    await profiles.save_profile(ctx.db, account.id, profile, ctx.clock.now())
    stored = await service.store_new(
        ctx.db,
        account.id,
        goal_id=None,
        seed=1,
        draft=draft or easy_plan(last_monday()),
        now=ctx.clock.now(),
    )
    return account, stored


def cell(page: str, day: date) -> str:
    """The HTML of one day's cell in the calendar grid."""
    found = re.search(rf'data-date="{day.isoformat()}">(.*?)</div>', page)
    assert found is not None, f"{day} is not on the calendar"
    return found.group(1)


async def the_run_view_plays(user: User, plan_id: int, wid: int) -> None:
    """The page is the run view of a new session started from planned day `wid`."""
    found = re.fullmatch(r"/sessions/(\d+)/run", user.back_history[-1])
    assert found is not None, user.back_history[-1]
    session = await context().hub.get(int(found.group(1)), owner_id=None)
    assert (session.plan_id, session.plan_wid) == (plan_id, wid)
    await user.should_see(marker="pairing")  # the run view, ready to pair the phone remote


def calendar_html(user: User) -> str:
    return the(user, ui.html, "calendar").content


async def test_the_month_shows_each_planned_day_with_its_status_and_the_plan_above(user: User) -> None:
    account, stored = await runner_with_plan("ann@example.com")
    monday = last_monday()
    ctx = context()
    done = await service.run_day(ctx.db, ctx.hub, account.id, stored.plan.id, 1)
    await run_commands(done, Command.START)
    await jump(40 * 60 + 5)  # Monday's 40 minutes played to the end
    partial = await service.run_day(ctx.db, ctx.hub, account.id, stored.plan.id, 2)
    await run_commands(partial, Command.START)
    await jump(5 * 60)
    await run_commands(partial, Command.FINISH)  # Wednesday's run stopped after 5 minutes

    await sign_in(user, "ann@example.com")
    await user.open(f"/plan?view=month&day={monday.isoformat()}")
    await user.should_see(marker="calendar")
    await user.should_see("Goal: build and keep your weekly volume")
    assert "version 1 · 3 weeks" in the(user, ui.label, "plan-caption").text
    page = calendar_html(user)
    assert "done ✓" in cell(page, monday)
    assert "partial" in cell(page, monday + timedelta(days=2))
    assert "missed" in cell(page, monday + timedelta(days=4))
    assert "Easy 40 min" in cell(page, monday) and 'href="/plan/workouts/1"' in cell(page, monday)
    assert re.search(r"40 min · \d+\.\d km", cell(page, monday))
    assert "rc-w" not in cell(page, monday + timedelta(days=1))  # Tuesday: nothing planned
    chart = the(user, ui.echart, "volume").options
    planned, ran = (s["data"] for s in chart["series"])
    assert len(planned) == 3 and len(ran) == 3
    first_done = ran[0]["value"] if isinstance(ran[0], dict) else ran[0]
    assert 0 < first_done < (planned[0]["value"] if isinstance(planned[0], dict) else planned[0])


async def test_a_plan_for_a_goal_names_the_goal_above_the_calendar(user: User) -> None:
    await context().db.ready()
    account = await add_account("ann@example.com")
    ctx = context()
    await profiles.save_profile(ctx.db, account.id, PLAN_PROFILE, ctx.clock.now())
    by = ctx.today() + timedelta(days=60)
    goal = Goal(kind=GoalKind.VOLUME, weekly_km_target=30, by_date=by)
    stored_goal = await goals.create_goal(ctx.db, account.id, goal, ctx.clock.now())
    draft = easy_plan(last_monday())
    await service.store_new(
        ctx.db, account.id, goal_id=stored_goal.id, seed=1, draft=draft, now=ctx.clock.now()
    )
    await sign_in(user, "ann@example.com")
    await user.open("/plan")
    await user.should_see(f"Goal: 30 km a week by {by.isoformat()}")


async def test_today_stands_out_on_the_month_and_the_arrows_change_month(user: User) -> None:
    await runner_with_plan("ann@example.com")
    await sign_in(user, "ann@example.com")
    await user.open("/plan")
    await user.should_see(marker="calendar")
    today = context().today()
    assert f'rc-today" data-date="{today.isoformat()}"' in calendar_html(user)
    assert calendar_html(user).count("rc-today") == 1
    assert the(user, ui.label, "range").text == present.range_title(present.CalendarView.MONTH, today)

    user.find(marker="next").click()
    following = present.shifted(present.CalendarView.MONTH, today, 1)
    await user.should_see(present.range_title(present.CalendarView.MONTH, following))
    assert "rc-today" not in calendar_html(user)

    the(user, ui.toggle, "view").value = "week"  # the week of the day shown: the month's first
    await user.should_see(present.range_title(present.CalendarView.WEEK, following))
    assert calendar_html(user).count('class="rc-day') == 7


async def test_the_week_view_shows_seven_days_with_each_workout_as_text(user: User) -> None:
    _, stored = await runner_with_plan("ann@example.com")
    monday = last_monday() + timedelta(weeks=1)
    await sign_in(user, "ann@example.com")
    await user.open(f"/plan?view=week&day={(monday + timedelta(days=3)).isoformat()}")
    await user.should_see(marker="calendar")
    page = calendar_html(user)
    assert page.count('class="rc-day') == 7
    assert re.findall(r'data-date="([\d-]+)"', page) == [
        (monday + timedelta(days=i)).isoformat() for i in range(7)
    ]
    day = stored.draft.on(monday)
    assert day is not None and day.structure is not None
    text = describe(day.structure, PLAN_PROFILE.paces().zones)
    assert text in cell(page, monday)
    await user.should_see(f"Week of {weekday_date(monday)} {monday.year}")

    user.find(marker="previous").click()
    earlier = monday - timedelta(weeks=1)
    await user.should_see(f"Week of {weekday_date(earlier)} {earlier.year}")
    assert f'data-date="{earlier.isoformat()}"' in calendar_html(user)


async def test_without_a_plan_the_calendar_and_today_point_to_goals(user: User) -> None:
    await context().db.ready()
    await add_account("new@example.com")
    await sign_in(user, "new@example.com")
    await user.open("/plan")
    await user.should_see("No plan yet.")
    await user.should_see(marker="goals-link")
    await user.should_not_see(marker="calendar")
    await user.open("/today")
    await user.should_see(marker="no-plan")
    await user.should_see(marker="quick-workout")
    user.find(marker="goals-link").click()
    await user.should_see(marker="no-profile")  # the goals page, which asks for a profile first


async def test_a_planned_workout_shows_its_structure_profile_and_segments_and_runs_now(user: User) -> None:
    _, stored = await runner_with_plan("ann@example.com")
    wid = 7  # next week's Monday: always ahead
    day = stored.draft.day(wid)
    assert day is not None and day.structure is not None
    await sign_in(user, "ann@example.com")
    await user.open(f"/plan/workouts/{wid}")
    await user.should_see(marker="run-it-now")
    await user.should_see("Easy 40 min")
    assert the(user, ui.label, "structure").text == describe(day.structure, PLAN_PROFILE.paces().zones)
    assert the(user, ui.label, "type").text == "Easy"
    assert the(user, ui.label, "date").text == f"{weekday_date(day.date)} {day.date.year}"
    options = the(user, ui.echart, "profile").options
    assert options["xAxis"]["max"] == 40
    rows = the(user, ui.table, "segments").rows
    assert [(r["zone"], r["duration"]) for r in rows] == [("E", "40:00")]
    await user.should_see(marker="no-history")

    user.find(marker="run-it-now").click()
    await user.should_not_see(marker="run-it-now")
    await the_run_view_plays(user, stored.plan.id, wid)


async def test_a_past_day_has_no_run_button(user: User) -> None:
    await runner_with_plan("ann@example.com")
    await sign_in(user, "ann@example.com")
    await user.open("/plan/workouts/1")  # last week's Monday
    await user.should_see(marker="segments")
    await user.should_not_see(marker="run-it-now")


async def test_the_history_shows_a_change_with_who_and_why(user: User) -> None:
    account, stored = await runner_with_plan("ann@example.com")
    wid = 8  # next week's Wednesday: the last week, so a shorter run breaks no rise rule

    def shorter(current: PlanVersion, _profile: Profile) -> tuple[PlanDraft, str]:
        days = tuple(
            d.model_copy(update={"title": "Easy 30 min", "structure": easy_run(30)}) if d.wid == wid else d
            for d in current.draft.days
        )
        return current.draft.model_copy(update={"days": days}), "A busy day: 30 minutes"

    ctx = context()
    await service.change(
        ctx.db, account.id, stored.plan.id, shorter, author=Author.RUNNER, now=ctx.clock.now()
    )
    day = stored.draft.day(wid)
    assert day is not None
    await sign_in(user, "ann@example.com")
    await user.open(f"/plan/workouts/{wid}")
    await user.should_see(marker="history")
    when = present.short_date(day.date)
    await user.should_see(f"{when}: Easy 40 min (easy, 40 min) → {when}: Easy 30 min (easy, 30 min)")
    await user.should_see("Version 2 by you · A busy day: 30 minutes")
    await user.open("/plan/workouts/7")  # untouched by the change
    await user.should_see(marker="no-history")


async def test_other_runners_plans_and_odd_ids_are_not_found(user: User) -> None:
    _, theirs = await runner_with_plan("ann@example.com")
    await runner_with_plan("bob@example.com")
    await sign_in(user, "bob@example.com")
    foreign = await user.http_client.get(f"/plan/workouts/1?plan={theirs.plan.id}")
    unknown = await user.http_client.get("/plan/workouts/999")
    odd = [await user.http_client.get(f"/plan/workouts/{text}") for text in ("nope", *HUGE_IDS)]
    odd_plan = await user.http_client.get("/plan/workouts/1?plan=x")
    for response in (foreign, unknown, *odd, odd_plan):
        assert response.status_code == 404
        assert "Workout not found" in response.text
    mine = await user.http_client.get("/plan/workouts/1")
    assert mine.status_code == 200 and "Easy 40 min" in mine.text


async def test_home_is_today_with_todays_workout_and_run_it_now(user: User) -> None:
    today = context().today()
    monday = today - timedelta(days=today.weekday())
    draft = easy_plan(monday, weeks=2, weekdays=(today.weekday(),))
    _, stored = await runner_with_plan("ann@example.com", draft, EVERY_DAY)
    await sign_in(user, "ann@example.com")
    await user.open("/")
    await user.should_see(marker="run-it-now")
    assert the(user, ui.link, "title").text == "Easy 40 min"
    assert the(user, ui.label, "week-volume").text.startswith("This week: 0.0 of ")
    await user.should_see(marker="week-link")
    user.find(marker="run-it-now").click()
    await user.should_not_see(marker="run-it-now")
    await the_run_view_plays(user, stored.plan.id, draft.days[0].wid)


async def test_on_a_day_without_a_run_today_shows_the_next_one(user: User) -> None:
    today = context().today()
    monday = today - timedelta(days=today.weekday())
    draft = easy_plan(monday, weeks=2, weekdays=((today.weekday() + 2) % 7,))
    await runner_with_plan("ann@example.com", draft, EVERY_DAY)
    following = next(d for d in draft.days if d.date > today)
    await sign_in(user, "ann@example.com")
    await user.open("/today")
    await user.should_see(marker="rest-today")
    assert the(user, ui.label, "rest-today").text == "Nothing planned today."
    assert the(user, ui.label, "next").text == f"Next: {weekday_date(following.date)}, Easy 40 min"
    assert the(user, ui.link, "title").text == "Easy 40 min"
    await user.should_see(marker="run-it-now")


@pytest.mark.parametrize("path", ["/plan", "/today", "/plan/workouts/1"])
async def test_signed_out_the_plan_pages_ask_to_sign_in(user: User, path: str) -> None:
    await context().db.ready()
    await add_account("ann@example.com")
    response = await user.http_client.get(path)
    assert response.status_code in (302, 303, 307) and "/login" in response.headers["location"]


async def test_a_rest_day_says_so_and_has_no_run_button(user: User) -> None:
    draft = easy_plan(last_monday())
    tuesday = last_monday() + timedelta(weeks=2, days=1)
    rest = DayPlan(wid=100, date=tuesday, type=WorkoutType.REST, hard=False, title="Rest")
    await runner_with_plan("ann@example.com", draft.model_copy(update={"days": (*draft.days, rest)}))
    await sign_in(user, "ann@example.com")
    await user.open("/plan/workouts/100")
    await user.should_see("Rest day: no running planned.")
    assert the(user, ui.label, "facts").text == "Rest"
    await user.should_not_see(marker="run-it-now")
    await user.should_not_see(marker="segments")


async def test_an_imperial_runner_reads_miles_on_the_calendar_and_the_workout(user: User) -> None:
    account, _ = await runner_with_plan("ann@example.com")
    await accounts.set_units(context().db, user_id=account.id, units="imperial")
    await sign_in(user, "ann@example.com")
    await user.open(f"/plan?view=week&day={last_monday().isoformat()}")
    await user.should_see(marker="calendar")
    assert re.search(r"40 min · \d+\.\d mi", cell(calendar_html(user), last_monday()))
    assert the(user, ui.echart, "volume").options["series"][0]["name"] == "Planned mi"
    await user.open("/plan/workouts/7")
    await user.should_see(marker="segments")
    assert re.fullmatch(r"40 min · \d+\.\d mi", the(user, ui.label, "facts").text)
    columns = [c["label"] for c in the(user, ui.table, "segments").columns]
    assert "Console mph" in columns and "Pace min/mi" in columns


async def test_after_a_reset_the_old_plan_is_readable_by_id_but_not_run(user: User) -> None:
    account, stored = await runner_with_plan("ann@example.com")
    ctx = context()
    await service.reset(ctx.db, account.id, ctx.clock.now())
    await sign_in(user, "ann@example.com")
    await user.open("/plan")
    await user.should_see("No plan yet.")
    await user.open(f"/plan/workouts/7?plan={stored.plan.id}")
    await user.should_see(marker="segments")
    await user.should_not_see(marker="run-it-now")
    response = await user.http_client.get("/plan/workouts/7")  # no active plan to find it in
    assert response.status_code == 404
