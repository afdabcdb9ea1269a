"""Goals on a real database (SQLite and PostgreSQL): stored, owner-scoped, newest first, and
re-assessed as the runner completes runs (sessions played through the hub)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from runcoach.auth import service as accounts
from runcoach.clock import FakeClock
from runcoach.db import goals as queries
from runcoach.db.engine import Database
from runcoach.db.tables import GoalRow
from runcoach.domain.errors import InvalidInput, NotFound
from runcoach.domain.goals import Feasibility, Goal
from runcoach.domain.profile import Profile
from runcoach.domain.session import Command
from runcoach.domain.volume import distance_run_m
from runcoach.domain.workouts import Goal as WorkoutGoal
from runcoach.domain.workouts import WorkoutSpec
from runcoach.goals import service
from runcoach.live.hub import Hub
from runcoach.profiles import service as profiles
from runcoach.workouts import service as workouts

T0 = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)
LONGEST_MIN = 180


def profile(**changes: Any) -> Profile:
    data: dict[str, Any] = {
        "recent_race": {"distance_m": 5000, "time_s": 1500, "date": "2026-10-01"},
        "weekly_km": 5,
        "available_days": ["tue", "thu", "sun"],
        "long_run_day": "sun",
        "level": "beginner",
    }
    return Profile.model_validate({**data, **changes})


def race(days: int = 70, **changes: Any) -> Goal:
    data = {"kind": "race", "race_distance_m": 10_000, "race_date": (T0 + timedelta(days=days)).date()}
    return Goal.model_validate({**data, **changes})


def volume(km: float, by: date) -> Goal:
    return Goal(kind="volume", weekly_km_target=km, by_date=by)  # type: ignore[arg-type]


async def runner(database: Database, email: str = "ann@example.com", **changes: Any) -> int:
    user = await accounts.create_user(
        database, email=email, name="Ann", password="Correct-Horse-42", is_admin=False, now=T0
    )
    await profiles.save_profile(database, user.id, profile(**changes), T0)
    return user.id


async def goal_rows(database: Database) -> int:
    async with database.session() as db:
        return int(await db.scalar(select(func.count()).select_from(GoalRow)) or 0)


async def test_a_goal_needs_a_profile_first(database: Database) -> None:
    user = await accounts.create_user(
        database, email="new@example.com", name="New", password="Correct-Horse-42", is_admin=False, now=T0
    )
    with pytest.raises(NotFound, match="Set your profile first"):
        await service.create_goal(database, user.id, race(), T0)
    assert not await service.has_profile(database, user.id)
    assert await goal_rows(database) == 0


async def test_stored_with_its_assessment_and_listed_newest_first(database: Database) -> None:
    ann = await runner(database)
    first = await service.create_goal(database, ann, race(), T0)
    second = await service.create_goal(database, ann, volume(8, date(2027, 1, 31)), T0 + timedelta(hours=1))
    assert first.goal == race() and first.created_at == first.assessed_at == T0
    assert first.assessment.feasibility is Feasibility.OK and first.assessment.weeks_left == 10
    assert await service.get_goal(database, ann, first.id, T0) == first
    listed = await service.list_goals(database, ann, T0 + timedelta(hours=1))
    assert [g.id for g in listed] == [second.id, first.id]


async def test_another_runners_goal_is_not_found(database: Database) -> None:
    ann = await runner(database)
    bob = await runner(database, "bob@example.com")
    goal = await service.create_goal(database, ann, race(), T0)
    with pytest.raises(NotFound):
        await service.get_goal(database, bob, goal.id, T0)
    assert await service.list_goals(database, bob, T0) == []
    async with database.session() as db:  # nor can bob's write touch it
        await queries.save_assessment(
            db, goal_id=goal.id, owner_id=bob, assessment=goal.assessment, now=T0 + timedelta(days=1)
        )
    assert (await service.get_goal(database, ann, goal.id, T0)).assessed_at == T0


@pytest.mark.parametrize(
    ("goal", "field"),
    [(race(days=-2), "race_date"), (volume(10, (T0 - timedelta(days=2)).date()), "by_date")],
)
async def test_a_past_date_is_refused(database: Database, goal: Goal, field: str) -> None:
    ann = await runner(database)
    with pytest.raises(InvalidInput, match="in the past") as refused:
        await service.create_goal(database, ann, goal, T0)
    assert refused.value.field == field
    assert await goal_rows(database) == 0


async def test_a_race_today_somewhere_west_is_not_past(database: Database) -> None:
    ann = await runner(database)
    # 07:00 UTC on the 1st is still the 31st in UTC-12: a race dated then is not over yet.
    stored = await service.create_goal(database, ann, race(days=-1), T0)
    assert stored.assessment.weeks_left == 0


async def test_twenty_goals_at_once_are_all_stored(database: Database) -> None:
    ann = await runner(database)
    await asyncio.gather(*(service.create_goal(database, ann, race(days=30 + i), T0) for i in range(20)))
    assert len(await service.list_goals(database, ann, T0)) == 20


async def test_a_goal_whose_date_passed_keeps_its_last_verdict(database: Database) -> None:
    ann = await runner(database)
    goal = await service.create_goal(database, ann, race(days=14), T0)
    later = T0 + timedelta(days=30)
    assert await service.get_goal(database, ann, goal.id, later) == goal


async def test_a_profile_change_is_seen_on_the_next_read(database: Database) -> None:
    ann = await runner(database)
    goal = await service.create_goal(database, ann, race(days=70, target_time_s=2700), T0)
    assert goal.assessment.feasibility is not Feasibility.OK
    faster = {"distance_m": 10_000, "time_s": 2640, "date": "2026-10-20"}
    await profiles.save_profile(database, ann, profile(recent_race=faster), T0)
    now = T0 + timedelta(minutes=5)
    again = await service.get_goal(database, ann, goal.id, now)
    assert again.assessment.feasibility is Feasibility.OK and again.assessed_at == now
    assert (await service.get_goal(database, ann, goal.id, now + timedelta(minutes=1))).assessed_at == now


# --- runs completed through the hub ---------------------------------------------------------------


async def play(
    hub: Hub, clock: FakeClock, owner: int, *, minutes: int = LONGEST_MIN, finish: bool = True
) -> float:
    """One long easy session started now; with `finish` it plays to its end. Returns metres run."""
    spec = WorkoutSpec(duration_min=minutes, goal=WorkoutGoal.EASY)
    workout = await workouts.generate(hub.db, owner_id=owner, spec=spec, seed=1, now=clock.now())
    session = await hub.create_session(workout_id=workout.id, owner_id=owner)
    await hub.command(session.id, Command.START, owner_id=owner)
    clock.advance(minutes * 60 + 1 if finish else 600)
    played = await hub.get(session.id, owner_id=owner)
    return distance_run_m(played.segments, played.events, clock.now())


async def test_completed_runs_raise_the_volume_and_the_verdict(database: Database) -> None:
    clock = FakeClock(T0)
    hub = Hub(database, clock)
    ann = await runner(database, weekly_km=5)
    # From 5 km a week, 20 km takes about 10 weeks (from 10 km, 10 % steps, recovery weeks); 8 are left.
    goal = await service.create_goal(database, ann, volume(20, (T0 + timedelta(weeks=8)).date()), T0)
    assert goal.assessment.feasibility is Feasibility.AMBITIOUS
    assert "From 5 to 20 km a week" in goal.assessment.reason

    ran_m = sum([await play(hub, clock, ann) for _ in range(3)])
    unfinished_m = await play(hub, clock, ann, finish=False)  # still running: not completed, not counted
    assert unfinished_m > 0
    weekly = ran_m / 1000 / 4
    assert weekly > 15  # from 15 km a week or more the 20 km take 5 weeks: ok

    async with database.session() as db:
        assert await service.current_volume(db, ann, profile(weekly_km=5), clock.now()) == pytest.approx(
            weekly
        )
    now = clock.now()
    again = await service.get_goal(database, ann, goal.id, now)
    assert again.assessment.feasibility is Feasibility.OK and again.assessed_at == now
    assert f"From {weekly:g} to 20 km a week" in again.assessment.reason
    stored = await service.list_goals(database, ann, now + timedelta(seconds=1))
    assert stored == [again]  # unchanged since: stored once, `assessed_at` stays


async def test_runs_older_than_four_weeks_no_longer_count(database: Database) -> None:
    clock = FakeClock(T0)
    hub = Hub(database, clock)
    ann = await runner(database, weekly_km=5)
    ran_m = await play(hub, clock, ann)
    async with database.session() as db:
        assert await service.current_volume(db, ann, profile(weekly_km=5), clock.now()) == pytest.approx(
            max(5, ran_m / 4000)
        )
        later = T0 + timedelta(weeks=4, minutes=1)
        assert await service.current_volume(db, ann, profile(weekly_km=5), later) == 5


async def test_deleting_the_user_deletes_their_goals(database: Database) -> None:
    ann = await runner(database)
    await service.create_goal(database, ann, race(), T0)
    await accounts.delete_user(database, email="ann@example.com")
    assert await goal_rows(database) == 0
