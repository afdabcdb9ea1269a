"""Runs imported from Strava on the calendar: matched to the planned day, completion from their
time and distance, re-matched or unmatched by the runner, and counted in the goal's volume."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from runcoach.config import Settings
from runcoach.domain.completion import DayStatus
from runcoach.domain.errors import InvalidInput, NotFound
from runcoach.goals.service import current_volume
from runcoach.plans import calendar as calendars
from runcoach.plans import service as plans
from runcoach.profiles import service as profiles
from runcoach.strava import matching
from tests.helpers import PLAN_PROFILE, easy_plan
from tests.strava.conftest import ATHLETE, T0, Rig, new_user

MONDAY = T0.date()  # easy 40 min on Monday, Wednesday and Friday, three weeks
SATURDAY = MONDAY + timedelta(days=5)


async def a_week_of_runs(rig: Rig) -> dict[str, int]:
    """The plan, and a week of Strava activities imported by the backfill; their ids by name."""
    await profiles.save_profile(rig.database, rig.user_id, PLAN_PROFILE, T0)
    await plans.store_new(rig.database, rig.user_id, goal_id=None, seed=1, draft=easy_plan(MONDAY), now=T0)
    ids = {}
    for name, day, hour, sport, km, minutes in (
        ("monday", 0, 6, "Run", 8.0, 45),  # the planned Monday: done
        ("tuesday", 1, 17, "Run", 7.0, 40),  # no plan Tuesday, Monday taken: counts for Wednesday
        ("ride", 3, 7, "Ride", 30.0, 60),  # not a run: never matched
        ("friday", 4, 6, "Run", 2.0, 12),  # the planned Friday, short of it: partial
    ):
        start = datetime.combine(MONDAY + timedelta(days=day), datetime.min.time(), UTC) + timedelta(
            hours=hour
        )
        [made] = rig.fake.add_activities(
            ATHLETE, 1, start=start, sport_type=sport, distance_m=km * 1000, moving_time_s=minutes * 60
        )
        ids[name] = made["id"]
    rig.clock.advance(5 * 86400)  # Saturday morning
    await rig.connect()
    await rig.settle()
    return ids


async def week(rig: Rig) -> dict[date, calendars.CalendarDay]:
    zone = Settings(timezone="Europe/Berlin").zone
    found = await calendars.calendar(
        rig.database, rig.user_id, start=MONDAY, end=MONDAY + timedelta(days=6),
        today=SATURDAY, zone=zone, now=rig.clock.now(),
    )  # fmt: skip
    return {d.date: d for d in found.days}


async def test_imported_runs_count_for_their_planned_days(rig: Rig) -> None:
    ids = await a_week_of_runs(rig)
    days = await week(rig)
    monday, wednesday, thursday, friday = (days[MONDAY + timedelta(days=n)] for n in (0, 2, 3, 4))
    assert monday.status is DayStatus.DONE and [r.strava_id for r in monday.runs] == [ids["monday"]]
    assert wednesday.status is DayStatus.DONE and [r.strava_id for r in wednesday.runs] == [ids["tuesday"]]
    assert days[MONDAY + timedelta(days=1)].runs == ()  # it counts on Wednesday, not as an extra
    assert thursday.runs == ()  # the ride is no run
    assert friday.status is DayStatus.PARTIAL


async def test_the_runner_can_unmatch_rematch_and_go_back_to_the_rule(rig: Rig) -> None:
    ids = await a_week_of_runs(rig)
    wednesday = MONDAY + timedelta(days=2)
    await matching.set_match(rig.database, rig.user_id, ids["tuesday"], None)
    days = await week(rig)
    assert days[wednesday].status is DayStatus.MISSED
    [extra] = days[MONDAY + timedelta(days=1)].runs
    assert not extra.counts and extra.matched_by_hand
    await matching.set_match(rig.database, rig.user_id, ids["friday"], wednesday)
    days = await week(rig)
    assert days[wednesday].status is DayStatus.PARTIAL  # 12 minutes of a planned 40
    assert days[MONDAY + timedelta(days=4)].status is DayStatus.MISSED
    await matching.clear_match(rig.database, rig.user_id, ids["tuesday"])
    await matching.clear_match(rig.database, rig.user_id, ids["friday"])
    days = await week(rig)
    assert days[wednesday].status is DayStatus.DONE


async def test_a_run_moves_at_most_three_days_and_only_the_runners_own(rig: Rig) -> None:
    ids = await a_week_of_runs(rig)
    with pytest.raises(InvalidInput):
        await matching.set_match(rig.database, rig.user_id, ids["monday"], MONDAY + timedelta(days=4))
    with pytest.raises(NotFound):
        await matching.set_match(rig.database, rig.user_id, 2**62, MONDAY)
    bob = await new_user(rig.database, "bob@example.com")
    with pytest.raises(NotFound):
        await matching.set_match(rig.database, bob, ids["monday"], MONDAY)


async def test_imported_runs_count_in_the_goal_volume(rig: Rig) -> None:
    await a_week_of_runs(rig)
    async with rig.database.session() as db:
        volume = await current_volume(
            db, rig.user_id, PLAN_PROFILE.model_copy(update={"weekly_km": 0}), rig.clock.now()
        )
    # 8 + 7 + 2 km of running in the last four weeks (the ride does not count): 17 / 4 a week.
    assert volume == pytest.approx(17 / 4)
