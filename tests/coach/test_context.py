"""What the coach sees: the runner's context built through the running app's services, on SQLite and
PostgreSQL, checked against the calendar and the compiled plan (the panel's tests are pure, elsewhere)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from nicegui.testing import User

from runcoach.coach import context as coach_context
from runcoach.coach.present_context import NO_PROFILE, panel
from runcoach.context import context
from runcoach.db import sessions as session_queries
from runcoach.domain.accounts import User as Account
from runcoach.domain.coach import CoachContext, Memory, MemoryKind
from runcoach.domain.goals import Feasibility, Goal, GoalKind
from runcoach.domain.plan_edits import Rest
from runcoach.domain.plan_model import WorkoutType
from runcoach.domain.readiness import Checkin
from runcoach.domain.session import EventKind
from runcoach.domain.workouts import Segment
from runcoach.goals import service as goals
from runcoach.plans import calendar, checkins, service
from runcoach.plans.service import PlanView
from runcoach.profiles import service as profiles
from tests.helpers import PLAN_PROFILE, add_account, easy_plan, past_run

# Every test here runs on SQLite and again on PostgreSQL.
pytestmark = pytest.mark.usefixtures("app_backend")


def this_monday() -> date:
    today = context().today()
    return today - timedelta(days=today.weekday())


def at_seven(day: date) -> datetime:
    return datetime.combine(day, time(7), context().settings.zone)


async def runner(email: str) -> Account:
    await context().db.ready()
    account = await add_account(email)
    ctx = context()
    await profiles.save_profile(ctx.db, account.id, PLAN_PROFILE, ctx.clock.now())
    return account


async def build(account: Account, memories: tuple[Memory, ...] = ()) -> CoachContext:
    ctx = context()
    return await coach_context.build(
        ctx.db, account, today=ctx.today(), zone=ctx.settings.zone, now=ctx.clock.now(), memories=memories
    )


async def with_plan(account: Account, minutes: int = 40) -> PlanView:
    """Easy runs on Monday, Wednesday and Friday from last week's Monday for three weeks (wids 1-9,
    three a week), for a 10K goal ten weeks out; next week's Wednesday (wid 8) then rested."""
    ctx = context()
    now, today = ctx.clock.now(), ctx.today()
    goal = Goal(kind=GoalKind.RACE, race_distance_m=10_000, race_date=today + timedelta(weeks=10))
    stored = await goals.create_goal(ctx.db, account.id, goal, now)
    draft = easy_plan(this_monday() - timedelta(weeks=1), minutes=minutes)
    plan = await service.store_new(ctx.db, account.id, goal_id=stored.id, seed=1, draft=draft, now=now)
    await service.edit(ctx.db, account.id, plan.plan.id, Rest(wid=8), today=today, now=now)
    return await service.view(ctx.db, account.id)


def program(plan: PlanView, wid: int) -> tuple[Segment, ...]:
    found = plan.day(wid).program
    assert found is not None
    return found.segments


def belt_km(segments: tuple[Segment, ...]) -> float:
    return sum(s.duration_s * s.speed_kmh for s in segments) / 3600


async def test_the_next_14_days_are_the_calendars_with_wids_minutes_and_rest(user: User) -> None:
    ann = await runner("ann@example.com")
    plan = await with_plan(ann)
    ctx = context()
    seen = await build(ann)
    today = ctx.today()
    shown = await calendar.calendar(
        ctx.db,
        ann.id,
        start=today,
        end=today + timedelta(days=13),
        today=today,
        zone=ctx.settings.zone,
        now=ctx.clock.now(),
    )
    planned = [d.planned for d in shown.days if d.planned is not None]
    assert (seen.plan_id, seen.plan_version) == (plan.version.plan.id, 2)  # version 2: the rest edit
    assert [d.wid for d in seen.days] == [c.day.wid for c in planned]
    assert [d.date for d in seen.days] == [c.day.date for c in planned]
    assert [d.minutes for d in seen.days] == [round(c.summary.duration_s / 60) for c in planned]
    assert [d.km for d in seen.days] == pytest.approx([c.summary.distance_km for c in planned], abs=0.01)
    rest = next(d for d in seen.days if d.wid == 8)
    assert rest.type is WorkoutType.REST and rest.minutes == 0
    easy = next(d for d in seen.days if d.wid == 7)
    assert (easy.type, easy.title, easy.hard, easy.minutes) == (WorkoutType.EASY, "Easy 40 min", False, 40)
    assert easy.description.startswith("40 min steady E")
    text = seen.text()
    assert f"Active plan {plan.version.plan.id}, version 2." in text
    assert f"- 7: {easy.date.strftime('%a')} {easy.date.isoformat()} easy: Easy 40 min, 40 min," in text
    assert f"- 8: {rest.date.strftime('%a')} {rest.date.isoformat()} rest" in text
    assert all(f"- {d.wid}: " in text for d in seen.days)


async def test_recent_runs_and_this_week_are_judged_as_the_calendar_judges_them(user: User) -> None:
    ann = await runner("ann@example.com")
    plan = await with_plan(ann)
    ctx = context()
    plan_id, last_monday = plan.version.plan.id, this_monday() - timedelta(weeks=1)
    await past_run(ann.id, at_seven(last_monday), program(plan, 1), plan_day=(plan_id, 1))  # done
    await past_run(ann.id, at_seven(last_monday + timedelta(days=1)), program(plan, 1)[:1])  # unplanned
    partial = await past_run(
        ann.id, at_seven(last_monday + timedelta(days=2)), program(plan, 2), plan_day=(plan_id, 2)
    )
    await past_run(
        ann.id, at_seven(ctx.today() - timedelta(days=20)), program(plan, 1)
    )  # too long ago to be listed
    forty = program(plan, 4)
    now = ctx.clock.now()
    await past_run(ann.id, now - timedelta(minutes=41), forty, plan_day=(plan_id, 4))  # this Monday's, done
    async with ctx.db.session() as db:  # Wednesday's run stopped after 10 minutes
        stop = at_seven(last_monday + timedelta(days=2)) + timedelta(minutes=10)
        await session_queries.append_event(db, session_id=partial.id, seq=3, kind=EventKind.FINISHED, at=stop)

    seen = await build(ann)

    assert [(r.status, round(r.minutes)) for r in seen.runs] == [
        ("done", 40),
        ("partial", 10),
        ("unplanned", round(program(plan, 1)[0].duration_s / 60)),
        ("done", 40),
    ]
    assert seen.runs[0].km == pytest.approx(belt_km(forty), abs=0.01)
    assert seen.runs[-1].day == last_monday and seen.runs[1].day == last_monday + timedelta(days=2)
    today = ctx.today()
    missed = sum(1 for weekday in (2, 4) if this_monday() + timedelta(days=weekday) < today)
    planned_km = sum(plan.day(wid).summary.distance_km for wid in (4, 5, 6))
    assert seen.week == (
        f"done {belt_km(forty):.1f} km of {planned_km:.1f} km planned; 1 of 3 runs done, {missed} missed"
    )
    text = seen.text()
    assert f"This week: {seen.week}" in text
    assert f"- {last_monday.isoformat()} Past run: 40 min, {belt_km(program(plan, 1)):.1f} km, done" in text


async def test_goal_feasibility_readiness_progress_and_memories_are_there(user: User) -> None:
    ann = await runner("ann@example.com")
    plan = await with_plan(ann)
    ctx = context()
    await checkins.record(
        ctx.db, ann.id, Checkin(day=ctx.today(), soreness=8), session_id=None, now=ctx.clock.now()
    )
    memory = Memory(
        id=1, kind=MemoryKind.INJURY, text="Left calf tight after hills", created_at=ctx.clock.now()
    )

    seen = await build(ann, (memory,))

    assert seen.goal_id == plan.version.plan.goal_id and seen.goal is not None
    assert seen.goal.startswith("10K on ")
    assert seen.feasibility is not None and seen.feasibility.split(":")[0] in {f.value for f in Feasibility}
    assert seen.readiness == "rest: Leg soreness is 8.0 of 10: rest today."
    assert seen.profile is not None and "VDOT" in seen.profile and "25 km a week" in seen.profile
    assert "units metric" in seen.profile and "treadmill 1.0–16.0 km/h" in seen.profile
    assert [p.split(" ")[0] for p in seen.paces] == ["E", "M", "T", "I", "R"]
    assert seen.paces[0].startswith("E easy: ") and seen.paces[0].endswith(" km/h)")
    assert len(seen.progress) == 4
    assert seen.progress[0].startswith("Weekly volume") and seen.progress[1].startswith("Plan completion")
    assert seen.memories == (memory,)
    text = seen.text()
    assert f"Goal (id {seen.goal_id}): {seen.goal}" in text and "Readiness: rest:" in text
    assert "Remembered (Injuries and issues): Left calf tight after hills" in text


async def test_without_a_plan_the_nearest_goal_is_current_and_an_unrealistic_one_says_so(user: User) -> None:
    bob = await runner("bob@example.com")
    ctx = context()
    now, today = ctx.clock.now(), ctx.today()
    later = Goal(kind=GoalKind.RACE, race_distance_m=10_000, race_date=today + timedelta(weeks=20))
    soon = Goal(
        kind=GoalKind.RACE,
        race_distance_m=42_195,
        race_date=today + timedelta(weeks=3),
        target_time_s=3 * 3600,
    )
    marathon = await goals.create_goal(ctx.db, bob.id, soon, now)
    await goals.create_goal(ctx.db, bob.id, later, now)

    seen = await build(bob)

    assert seen.goal_id == marathon.id and seen.plan_id is None and seen.days == ()
    assert seen.feasibility is not None and seen.feasibility.startswith("unrealistic: ")
    assert "Plan: none active." in seen.text()


async def test_a_runner_with_nothing_gets_a_context_that_says_so(user: User) -> None:
    await context().db.ready()
    cat = await add_account("cat@example.com")

    seen = await build(cat)

    assert (seen.name, seen.profile, seen.goal, seen.plan_id, seen.week, seen.readiness) == (
        "Cat",
        None,
        None,
        None,
        None,
        None,
    )
    assert seen.paces == seen.days == seen.runs == seen.progress == ()
    text = seen.text()
    assert "Runner: Cat." in text and "Profile: not set up yet." in text
    assert "Goal: none yet." in text and "Plan: none active." in text
    assert dict(panel(seen))["Profile"] == [NO_PROFILE]


async def test_another_runners_plan_and_runs_never_appear(user: User) -> None:
    ann = await runner("ann@example.com")
    bob = await runner("bob@example.com")
    anns = await with_plan(ann)
    bobs = await with_plan(bob, minutes=30)
    last_monday = this_monday() - timedelta(weeks=1)
    await past_run(bob.id, at_seven(last_monday), program(bobs, 1), plan_day=(bobs.version.plan.id, 1))

    mine = await build(ann)
    theirs = await build(bob)

    assert mine.plan_id == anns.version.plan.id != theirs.plan_id == bobs.version.plan.id
    assert mine.goal_id == anns.version.plan.goal_id != theirs.goal_id
    assert {d.title for d in mine.days if d.type is not WorkoutType.REST} == {"Easy 40 min"}
    assert {d.title for d in theirs.days if d.type is not WorkoutType.REST} == {"Easy 30 min"}
    assert mine.runs == () and [r.minutes for r in theirs.runs] == [30.0]
    assert mine.week is not None and mine.week.startswith("done 0.0 km")
