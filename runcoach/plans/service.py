"""Training plans: make one for a goal, read it, change it only through the rule checker, revert,
reset, and run a planned day on the treadmill.

Every function owns its unit of work. Every new version (generated, edited, adapted, reverted)
is compiled for the runner's current paces and treadmill and checked by `rules.check` inside the
transaction that stores it: a plan with a violation never becomes current. Two changes racing for
the same plan cannot both win (see `db.plans.add_version`); the loser is re-applied to the new
current version, which is what its author asked for, and checked again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db import goals as goal_queries
from runcoach.db import plans as queries
from runcoach.db import profiles as profile_queries
from runcoach.db.engine import Database
from runcoach.db.errors import is_lost_race
from runcoach.domain import library, planner
from runcoach.domain.errors import Conflict, InvalidInput, NotFound
from runcoach.domain.plan_edits import Build, Edit, EditRefused, PlanDiff, changes, diff, try_edit
from runcoach.domain.plan_model import WorkoutType
from runcoach.domain.plans import (
    Author,
    CompiledDay,
    DayPlan,
    Methodology,
    PlanDraft,
    PlanVersion,
    compile_day,
    compile_plan,
    constraints_for,
    summarise,
    week_totals,
)
from runcoach.domain.profile import Profile
from runcoach.domain.readiness import Action, Adaptation, Checkin, Readiness, adapt
from runcoach.domain.rules import PlanBreaksRules, Violation, check
from runcoach.domain.session import RunSession
from runcoach.domain.structure import StructuredWorkout
from runcoach.live.hub import Hub
from runcoach.plans import checkins
from runcoach.profiles.service import NO_PROFILE

log = logging.getLogger(__name__)

#: A plan may start up to a year ahead (a spring marathon planned in autumn), never in a past week.
MAX_START_AHEAD_DAYS = 366
ARCHIVED = "This plan was reset and is kept as it was: change or run your current plan"
NO_PLAN = "No plan yet: make one for a goal first"
BUSY = "The plan kept changing while this change was saved; reload and try again"
CHANGE_ATTEMPTS = 3

#: A change: from the current version (and the runner's profile), the new draft and why.
Change = Callable[[PlanVersion, Profile], tuple[PlanDraft, str]]
#: More work in the transaction that stores a new version (the coach marks its proposal applied):
#: it commits with the version or neither does.
Also = Callable[[AsyncSession, PlanVersion], Awaitable[None]]


def violations(draft: PlanDraft, profile: Profile) -> list[Violation]:
    """Every rule the draft breaks for this runner, compiled for their paces and treadmill."""
    summary = summarise(draft, profile.paces().zones, profile.treadmill)
    return check(summary, constraints_for(profile))


def require_valid(draft: PlanDraft, profile: Profile) -> None:
    found = violations(draft, profile)
    if found:
        raise PlanBreaksRules(found)


@dataclass(frozen=True)
class PlanView:
    """A plan version compiled for its runner today: what the calendar, the pages and the API show."""

    version: PlanVersion
    profile: Profile
    days: list[CompiledDay]
    #: (km, seconds) planned per week, in week order.
    totals: list[tuple[float, float]]

    @property
    def draft(self) -> PlanDraft:
        return self.version.draft

    def day(self, wid: int) -> CompiledDay:
        found = next((c for c in self.days if c.day.wid == wid), None)
        if found is None:
            raise NotFound(_no_day(self.version.plan.id, wid))
        return found


async def view(
    database: Database, user_id: int, plan_id: int | None = None, number: int | None = None
) -> PlanView:
    """A version (the active plan's current one when `plan_id` is None) compiled for the runner."""
    found, profile = await _with_profile(database, user_id, plan_id, number)
    days = compile_plan(found.draft, profile.paces().zones, profile.treadmill)
    return PlanView(found, profile, days, week_totals(found.draft, days))


async def _with_profile(
    database: Database, user_id: int, plan_id: int | None, number: int | None = None
) -> tuple[PlanVersion, Profile]:
    """A version (see `view`) and the runner's profile, read in one transaction."""
    async with database.session() as db:
        if plan_id is None:
            found = await queries.active_version(db, owner_id=user_id)
        else:
            found = await queries.get_version(db, plan_id=plan_id, owner_id=user_id, number=number)
        profile = await _profile(db, user_id) if found is not None else None
    if found is None or profile is None:
        raise NotFound(NO_PLAN if plan_id is None else _missing(plan_id, number))
    return found, profile


async def current(database: Database, user_id: int) -> PlanVersion:
    """The current version of the runner's active plan; NotFound when they have none."""
    async with database.session() as db:
        version = await queries.active_version(db, owner_id=user_id)
    if version is None:
        raise NotFound(NO_PLAN)
    return version


async def version(database: Database, user_id: int, plan_id: int, number: int | None = None) -> PlanVersion:
    """A version of one of the runner's plans (None: the current one); NotFound otherwise."""
    async with database.session() as db:
        found = await queries.get_version(db, plan_id=plan_id, owner_id=user_id, number=number)
    if found is None:
        raise NotFound(_missing(plan_id, number))
    return found


async def versions(database: Database, user_id: int, plan_id: int) -> list[PlanVersion]:
    """Every version of one of the runner's plans, newest first."""
    async with database.session() as db:
        found = await queries.list_versions(db, plan_id=plan_id, owner_id=user_id)
    if found is None:
        raise NotFound(f"Plan {plan_id} not found")
    return found


async def store_new(
    database: Database,
    user_id: int,
    *,
    goal_id: int | None,
    seed: int,
    draft: PlanDraft,
    now: datetime,
    author: Author = Author.GENERATOR,
    reason: str | None = None,
    also: Also | None = None,
) -> PlanVersion:
    """Make `draft` the runner's active plan (version 1, by the generator), archiving the one before.

    Checked first: a draft that breaks a rule is refused with every violation. Two plans made at
    once: the second one wins the archive and the first is archived, or the insert of one fails
    and it is a Conflict; either way one active plan remains.
    """
    try:
        async with database.session() as db:
            profile = await _profile(db, user_id)
            require_valid(draft, profile)
            await queries.archive_active(db, owner_id=user_id, now=now)
            made = await queries.add_plan(
                db,
                owner_id=user_id,
                goal_id=goal_id,
                seed=seed,
                draft=draft,
                reason=reason or _made(draft),
                now=now,
                author=author,
            )
            if also is not None:
                await also(db, made)
            return made
    except SQLAlchemyError as exc:
        if is_lost_race(exc):
            raise Conflict("Another plan was being made at the same time; reload to see it") from exc
        raise


async def change(
    database: Database,
    user_id: int,
    plan_id: int,
    make: Change,
    *,
    author: Author,
    now: datetime,
    also: Also | None = None,
) -> PlanVersion:
    """Apply `make` to the current version of an active plan and store the result as the next one.

    NotFound for a plan that is not the runner's; Conflict for an archived one, or when other changes
    kept winning the race; PlanBreaksRules (422) when the new draft breaks a rule.
    """
    for attempt in range(1, CHANGE_ATTEMPTS + 1):
        try:
            return await _change_once(database, user_id, plan_id, make, author=author, now=now, also=also)
        except SQLAlchemyError as exc:
            if not is_lost_race(exc):
                raise
            log.info("plan %s change lost race %d: %s", plan_id, attempt, exc)
    raise Conflict(BUSY)


async def revert(
    database: Database, user_id: int, plan_id: int, number: int, *, author: Author, now: datetime
) -> PlanVersion:
    """A new current version equal to version `number` (checked again: the runner's week may have changed)."""
    old = await version(database, user_id, plan_id, number)

    def back(_current: PlanVersion, _profile: Profile) -> tuple[PlanDraft, str]:
        return old.draft, f"Back to version {number}"

    return await change(database, user_id, plan_id, back, author=author, now=now)


async def reset(database: Database, user_id: int, now: datetime) -> int:
    """Archive the runner's active plan (it stays readable by id); its id. NotFound without one."""
    async with database.session() as db:
        archived = await queries.archive_active(db, owner_id=user_id, now=now)
    if archived is None:
        raise NotFound(NO_PLAN)
    return archived


async def planned_day(database: Database, user_id: int, plan_id: int, wid: int) -> tuple[DayPlan, Profile]:
    """A day of the plan's current version and the runner's profile; NotFound for unknown ones."""
    _, day, profile = await _day(database, user_id, plan_id, wid)
    return day, profile


async def _day(
    database: Database, user_id: int, plan_id: int, wid: int
) -> tuple[PlanVersion, DayPlan, Profile]:
    plan, profile = await _with_profile(database, user_id, plan_id)
    day = plan.draft.day(wid)
    if day is None:
        raise NotFound(_no_day(plan_id, wid))
    return plan, day, profile


async def run_day(database: Database, hub: Hub, user_id: int, plan_id: int, wid: int) -> RunSession:
    """A run session of a planned day of the active plan, compiled for today's paces and treadmill."""
    plan, day, profile = await _day(database, user_id, plan_id, wid)
    if plan.plan.archived_at is not None:
        raise Conflict(ARCHIVED)
    compiled = compile_day(day, profile.paces().zones, profile.treadmill, plan.draft)
    if compiled.program is None:
        raise Conflict(f"{day.title} on {day.date.isoformat()} has no treadmill program to run")
    return await hub.create_planned_session(
        owner_id=user_id,
        name=day.title,
        segments=compiled.program.segments,
        plan_day=(plan_id, wid),
        console=profile.treadmill.console,
    )


def builder(profile: Profile, methodology: Methodology) -> Build:
    """The workout library as plan edits and Adapt today need it: a type and minutes, this runner's
    treadmill (hills only as steep as it climbs) and the plan's methodology."""

    def build(type: WorkoutType, minutes: int) -> StructuredWorkout:
        return library.build(
            type, minutes, methodology=methodology, max_incline_pct=profile.treadmill.max_incline_pct
        )

    return build


async def create(
    database: Database,
    user_id: int,
    *,
    goal_id: int,
    start_date: date,
    methodology: Methodology,
    seed: int,
    today: date,
    now: datetime,
) -> PlanVersion:
    """A new plan for one of the runner's goals, generated and stored as their active plan.

    PlanRefused (422) with the reasons when the goal cannot be planned safely; InvalidInput for a
    start before this week or more than a year ahead; NotFound for an unknown or foreign goal, or
    without a profile.
    """
    monday = today - timedelta(days=today.weekday())
    if not monday <= start_date <= today + timedelta(days=MAX_START_AHEAD_DAYS):
        raise InvalidInput(
            "start_date", f"A plan starts between {monday.isoformat()} (this Monday) and a year from today."
        )
    async with database.session() as db:
        profile = await _profile(db, user_id)
        goal = await goal_queries.get_goal(db, goal_id=goal_id, owner_id=user_id)
    if goal is None:
        raise NotFound(f"Goal {goal_id} not found")
    # Generation is pure CPU (tens of milliseconds for a long plan): off the event loop.
    draft = await asyncio.to_thread(planner.plan, profile, goal.goal, start_date, methodology, seed)
    return await store_new(database, user_id, goal_id=goal_id, seed=seed, draft=draft, now=now)


async def edit(
    database: Database, user_id: int, plan_id: int, change_: Edit, *, today: date, now: datetime
) -> tuple[PlanVersion, str]:
    """Make one edit as the runner: the new version and the sentence that says what changed.

    EditRefused (422) with the violations and the nearest valid alternative when it breaks a rule;
    NotFound / InvalidInput for an edit that cannot be made at all (unknown day, the race, the past).
    """
    said: list[str] = []

    def make(current: PlanVersion, profile: Profile) -> tuple[PlanDraft, str]:
        outcome = try_edit(
            current.draft,
            change_,
            zones=profile.paces().zones,
            treadmill=profile.treadmill,
            constraints=constraints_for(profile),
            build=builder(profile, current.draft.methodology),
            today=today,
        )
        if outcome.draft is None:
            raise EditRefused(outcome)
        said.append(outcome.message)
        return outcome.draft, outcome.message

    version = await change(database, user_id, plan_id, make, author=Author.RUNNER, now=now)
    return version, said[-1]


async def adapt_today(
    database: Database, user_id: int, plan_id: int, wid: int, checkin: Checkin, *, today: date, now: datetime
) -> tuple[PlanVersion | None, Adaptation, Readiness]:
    """Fit a planned day to today's time and readiness; the check-in is kept either way.

    Readiness comes from the last two weeks' check-ins with this one. When the day changes, the new
    version is the runner's with the adaptation's reason; when it is kept, no version is made.
    """
    await checkins.record(database, user_id, checkin, session_id=None, now=now)
    ready = await checkins.readiness_on(database, user_id, today)
    adapted: list[Adaptation] = []

    def make(current: PlanVersion, profile: Profile) -> tuple[PlanDraft, str]:
        result = adapt(
            current.draft,
            wid,
            checkin,
            ready,
            zones=profile.paces().zones,
            treadmill=profile.treadmill,
            constraints=constraints_for(profile),
            build=builder(profile, current.draft.methodology),
            today=today,
        )
        adapted.append(result)
        if result.action is Action.KEEP:
            raise _Kept
        return result.draft, result.reason

    try:
        version = await change(database, user_id, plan_id, make, author=Author.RUNNER, now=now)
    except _Kept:
        return None, adapted[-1], ready
    return version, adapted[-1], ready


class _Kept(Exception):
    """Adapt today kept the day: nothing to store (ends the change's transaction without a version)."""


async def diff_versions(database: Database, user_id: int, plan_id: int, old: int, new: int) -> PlanDiff:
    """What changed from version `old` to version `new`, compiled for the runner's paces now."""
    a = await version(database, user_id, plan_id, old)
    b = await version(database, user_id, plan_id, new)
    async with database.session() as db:
        profile = await _profile(db, user_id)
    return diff(a.draft, b.draft, zones=profile.paces().zones, treadmill=profile.treadmill)


async def _change_once(
    database: Database,
    user_id: int,
    plan_id: int,
    make: Change,
    *,
    author: Author,
    now: datetime,
    also: Also | None = None,
) -> PlanVersion:
    # Held: a reset or a new plan archiving it meanwhile would leave this edit on an old plan.
    async with database.session(hold=True) as db:
        plan = await queries.get_plan(db, plan_id=plan_id, owner_id=user_id, for_update=True)
        if plan is None:
            raise NotFound(f"Plan {plan_id} not found")
        if plan.archived_at is not None:
            raise Conflict(ARCHIVED)
        current_version = await queries.get_version(db, plan_id=plan_id, owner_id=user_id)
        assert current_version is not None  # a plan always has a current version
        profile = await _profile(db, user_id)
        draft, reason = make(current_version, profile)
        require_valid(draft, profile)
        made = await queries.add_version(
            db,
            plan=plan,
            base=current_version.number,
            author=author,
            reason=reason,
            draft=draft,
            changes=[c.model_dump(mode="json") for c in changes(current_version.draft, draft)],
            now=now,
        )
        if also is not None:
            await also(db, made)
        return made


async def _profile(db: AsyncSession, user_id: int) -> Profile:
    profile = await profile_queries.get_profile(db, user_id=user_id)
    if profile is None:
        raise NotFound(NO_PROFILE)
    return profile


def _no_day(plan_id: int, wid: int) -> str:
    return f"Workout {wid} of plan {plan_id} not found"


def _missing(plan_id: int, number: int | None) -> str:
    return f"Plan {plan_id} not found" if number is None else f"Version {number} of plan {plan_id} not found"


def _made(draft: PlanDraft) -> str:
    weeks = len(draft.weeks)
    return f"Generated: {weeks} week{'s' if weeks != 1 else ''}, {draft.methodology.value} methodology"
