"""Plans on a real database (SQLite and PostgreSQL): versions, the one current version and the one
active plan the database enforces, changes only through the rule checker, races, revert, reset."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from runcoach.auth import service as accounts
from runcoach.db.engine import Database
from runcoach.db.tables import PlanVersionRow
from runcoach.domain.errors import Conflict, NotFound
from runcoach.domain.plans import Author, PlanDraft, PlanInfo, PlanVersion
from runcoach.domain.profile import Profile
from runcoach.domain.rules import PlanBreaksRules, Rule
from runcoach.plans import service
from runcoach.profiles import service as profiles
from tests.helpers import PLAN_PROFILE, easy_plan

T0 = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)
MONDAY = date(2026, 11, 2)


async def runner(database: Database, email: str = "ann@example.com") -> int:
    user = await accounts.create_user(
        database, email=email, name="Ann", password="Correct-Horse-42", is_admin=False, now=T0
    )
    await profiles.save_profile(database, user.id, PLAN_PROFILE, T0)
    return user.id


async def new_plan(database: Database, user_id: int) -> PlanInfo:
    stored = await service.store_new(database, user_id, goal_id=None, seed=1, draft=easy_plan(MONDAY), now=T0)
    return stored.plan


def move(wid: int, days: int) -> service.Change:
    """A change that moves day `wid` by `days` (no rule check of its own: the service checks)."""

    def make(current: PlanVersion, _profile: Profile) -> tuple[PlanDraft, str]:
        draft = current.draft
        day = draft.day(wid)
        assert day is not None
        moved = day.model_copy(update={"date": day.date + timedelta(days=days)})
        others = tuple(d for d in draft.days if d.wid != wid)
        return PlanDraft.model_validate({**draft.model_dump(), "days": (*others, moved)}), f"Moved {wid}"

    return make


async def test_a_new_plan_is_version_one_by_the_generator_and_current(database: Database) -> None:
    ann = await runner(database)
    stored = await service.store_new(database, ann, goal_id=None, seed=7, draft=easy_plan(MONDAY), now=T0)
    current = await service.current(database, ann)
    assert current == stored
    assert (current.number, current.is_current, current.created_by) == (1, True, Author.GENERATOR)
    assert current.draft == easy_plan(MONDAY)
    assert current.plan.seed == 7 and current.plan.archived_at is None


async def test_a_plan_that_breaks_a_rule_is_refused_and_nothing_is_stored(database: Database) -> None:
    ann = await runner(database)
    tuesdays = easy_plan(MONDAY, weekdays=(0, 1, 4))  # the runner does not train on Tuesdays
    with pytest.raises(PlanBreaksRules) as refused:
        await service.store_new(database, ann, goal_id=None, seed=1, draft=tuesdays, now=T0)
    assert {v.rule for v in refused.value.violations} == {Rule.UNAVAILABLE_DAY}
    assert "Tuesday is not one of your training days" in str(refused.value)
    with pytest.raises(NotFound, match="No plan yet"):
        await service.current(database, ann)


async def test_a_second_plan_archives_the_first_which_stays_readable(database: Database) -> None:
    ann = await runner(database)
    first = await service.store_new(database, ann, goal_id=None, seed=1, draft=easy_plan(MONDAY), now=T0)
    second = await service.store_new(database, ann, goal_id=None, seed=2, draft=easy_plan(MONDAY), now=T0)
    assert (await service.current(database, ann)).plan.id == second.plan.id
    old = await service.version(database, ann, first.plan.id)
    assert old.plan.archived_at == T0 and old.is_current  # still its own current version, archived


async def test_a_change_makes_the_next_version_and_records_the_days_it_changed(database: Database) -> None:
    ann = await runner(database)
    plan = await new_plan(database, ann)
    changed = await service.change(database, ann, plan.id, move(1, 6), author=Author.RUNNER, now=T0)
    assert (changed.number, changed.created_by, changed.reason) == (2, Author.RUNNER, "Moved 1")
    assert [c["wid"] for c in changed.changes] == [1]
    assert changed.changes[0]["before"]["date"] == "2026-11-02"
    assert changed.changes[0]["after"]["date"] == "2026-11-08"
    history = await service.versions(database, ann, plan.id)
    assert [(v.number, v.is_current) for v in history] == [(2, True), (1, False)]


async def test_a_change_that_breaks_a_rule_is_refused_and_the_plan_stays(database: Database) -> None:
    ann = await runner(database)
    plan = await new_plan(database, ann)
    with pytest.raises(PlanBreaksRules) as refused:
        await service.change(database, ann, plan.id, move(1, 1), author=Author.RUNNER, now=T0)  # to Tuesday
    assert [v.rule for v in refused.value.violations] == [Rule.UNAVAILABLE_DAY]
    assert (await service.current(database, ann)).number == 1


async def test_twenty_changes_at_once_each_win_or_conflict_and_one_version_is_current(
    database: Database,
) -> None:
    ann = await runner(database)
    plan = await new_plan(database, ann)
    # Each moves its own run by a week and back again alternately: always a valid plan.
    results = await asyncio.gather(
        *(
            service.change(database, ann, plan.id, move(1 + i % 3, 0), author=Author.RUNNER, now=T0)
            for i in range(20)
        ),
        return_exceptions=True,
    )
    won = [r for r in results if isinstance(r, PlanVersion)]
    assert all(isinstance(r, (PlanVersion, Conflict)) for r in results), results
    history = await service.versions(database, ann, plan.id)
    assert sorted(v.number for v in won) == [v.number for v in reversed(history)][1:]
    assert [v.number for v in history] == list(range(len(history), 0, -1))
    assert sum(v.is_current for v in history) == 1 and history[0].is_current


async def test_the_database_refuses_a_second_current_version(database: Database) -> None:
    ann = await runner(database)
    plan = await new_plan(database, ann)
    with pytest.raises(IntegrityError):
        async with database.session() as db:
            db.add(
                PlanVersionRow(
                    plan_id=plan.id,
                    number=2,
                    is_current=True,
                    created_by="runner",
                    reason="sneaky",
                    draft={},
                    changes=[],
                    created_at=T0,
                )
            )


async def test_revert_makes_a_new_version_equal_to_the_old_one(database: Database) -> None:
    ann = await runner(database)
    plan = await new_plan(database, ann)
    await service.change(database, ann, plan.id, move(1, 6), author=Author.RUNNER, now=T0)
    reverted = await service.revert(database, ann, plan.id, 1, author=Author.RUNNER, now=T0)
    assert (reverted.number, reverted.reason) == (3, "Back to version 1")
    assert reverted.draft == easy_plan(MONDAY)
    with pytest.raises(NotFound, match="Version 9 of plan"):
        await service.revert(database, ann, plan.id, 9, author=Author.RUNNER, now=T0)


async def test_reset_archives_the_plan_and_stops_changes(database: Database) -> None:
    ann = await runner(database)
    plan = await new_plan(database, ann)
    assert await service.reset(database, ann, T0) == plan.id
    with pytest.raises(NotFound, match="No plan yet"):
        await service.current(database, ann)
    with pytest.raises(Conflict, match="reset"):
        await service.change(database, ann, plan.id, move(1, 6), author=Author.RUNNER, now=T0)
    with pytest.raises(NotFound, match="No plan yet"):
        await service.reset(database, ann, T0)


async def test_a_reset_waits_for_the_change_in_progress_so_no_change_lands_on_an_archived_plan(
    database: Database,
) -> None:
    ann = await runner(database)
    plan = await new_plan(database, ann)
    resetting: list[asyncio.Task[int]] = []

    async def meanwhile(_db: object, _made: PlanVersion) -> None:  # inside the change's transaction
        resetting.append(asyncio.create_task(service.reset(database, ann, T0)))
        with pytest.raises(TimeoutError):  # the plan is held: no archiving under the change
            await asyncio.wait_for(asyncio.shield(resetting[0]), 0.5)

    made = await service.change(
        database, ann, plan.id, move(1, 6), author=Author.RUNNER, now=T0, also=meanwhile
    )
    assert await asyncio.wait_for(resetting[0], 30) == plan.id  # then the reset archives it, change and all
    assert (await service.version(database, ann, plan.id, made.number)).is_current
    with pytest.raises(Conflict, match="reset"):
        await service.change(database, ann, plan.id, move(1, 6), author=Author.RUNNER, now=T0)


async def test_another_runners_plan_is_not_found(database: Database) -> None:
    ann = await runner(database)
    bob = await runner(database, "bob@example.com")
    plan = await new_plan(database, ann)
    with pytest.raises(NotFound):
        await service.version(database, bob, plan.id)
    with pytest.raises(NotFound):
        await service.versions(database, bob, plan.id)
    with pytest.raises(NotFound):
        await service.change(database, bob, plan.id, move(1, 6), author=Author.RUNNER, now=T0)
    assert (await service.current(database, ann)).number == 1
