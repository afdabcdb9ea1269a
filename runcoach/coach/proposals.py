"""The coach's tool calls made into proposals, and Apply / Discard.

A tool call is data from the model: it is validated against its schema, acted out on the
signed-in runner's own plan (the runner comes from the session, never from the call), and checked
by the whole rule checker. Only what passes is stored, as a pending proposal with its diff; the
plan changes when the runner presses Apply, and Apply runs the edits again on the plan as it is
then (it may have changed since): 422 when they no longer pass, and the proposal stays pending.

Apply marks the proposal applied in the transaction that stores the new version, guarded on
"still pending": two Apply clicks, two devices or two replicas make one version.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db import coach as queries
from runcoach.db import goals as goal_queries
from runcoach.db import plans as plan_queries
from runcoach.db import profiles as profile_queries
from runcoach.db.engine import Database
from runcoach.domain.accounts import User
from runcoach.domain.coach import (
    TOOL_INPUTS,
    AdaptToday,
    DraftPlan,
    Proposal,
    ProposalKind,
    ProposalStatus,
    ProposeChanges,
    ToolCall,
)
from runcoach.domain.errors import Conflict, InvalidInput, NotFound
from runcoach.domain.plan_edits import Edit, EditRefused, diff
from runcoach.domain.plans import Author, PlanDraft, PlanVersion, constraints_for, summarise
from runcoach.domain.profile import Profile
from runcoach.domain.proposals import plan_from, run_edits
from runcoach.domain.readiness import Action, Checkin, adapt
from runcoach.domain.rules import check
from runcoach.plans import checkins
from runcoach.plans import service as plans

NO_PLAN = "The runner has no active plan: nothing to change. Suggest making one on the Plan page."
NO_PROFILE = "The runner has no profile yet: paces and plans need one (Profile page)."
GONE = "This proposal was already {status}."
STALE = "The plan changed since this was proposed and the change no longer passes the rules"


@dataclass(frozen=True)
class ToolOutcome:
    """What goes back to the model as the tool_result (`content`, JSON), and the proposal made."""

    content: dict[str, Any]
    is_error: bool
    proposal: Proposal | None = None
    #: A rule break or bad input: the model may try once more.
    repairable: bool = field(default=False)


def _error(message: str, *, repairable: bool = True) -> ToolOutcome:
    return ToolOutcome({"ok": False, "error": message}, is_error=True, repairable=repairable)


def _validated(call: ToolCall) -> BaseModel | ToolOutcome:
    schema = TOOL_INPUTS.get(call.name)
    if schema is None:
        return _error(f"There is no tool called {call.name!r}.", repairable=False)
    if not isinstance(call.input, dict):
        return _error("The tool input is not a JSON object matching the tool's schema.")
    try:
        return schema.model_validate(call.input)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'input'}: {e['msg']}" for e in exc.errors())
        return _error(f"The tool input does not match the schema: {problems}"[:1000])


async def propose(
    database: Database, user: User, call: ToolCall, *, message_id: int, today: date, now: datetime
) -> ToolOutcome:
    """Act out one tool call on the runner's data and store what passes as a proposal."""
    parsed = _validated(call)
    if isinstance(parsed, ToolOutcome):
        return parsed
    try:
        match parsed:
            case ProposeChanges():
                return await _changes(database, user, parsed, message_id=message_id, today=today, now=now)
            case AdaptToday():
                return await _adapt(database, user, parsed, message_id=message_id, today=today, now=now)
            case DraftPlan():
                return await _plan(database, user, parsed, message_id=message_id, today=today, now=now)
    except InvalidInput as exc:  # no plan or no profile: trying again cannot help
        return _error(str(exc), repairable=exc.field not in ("plan", "profile"))
    except NotFound as exc:
        return _error(str(exc))
    return _error(f"There is no tool called {call.name!r}.", repairable=False)


async def _state(database: Database, user: User) -> tuple[PlanVersion, Profile]:
    async with database.session() as db:
        version = await plan_queries.active_version(db, owner_id=user.id)
        profile = await profile_queries.get_profile(db, user_id=user.id)
    if profile is None:
        raise InvalidInput("profile", NO_PROFILE)
    if version is None:
        raise InvalidInput("plan", NO_PLAN)
    return version, profile


async def _changes(
    database: Database, user: User, call: ProposeChanges, *, message_id: int, today: date, now: datetime
) -> ToolOutcome:
    version, profile = await _state(database, user)
    edits = list(call.edits)
    outcome = await asyncio.to_thread(_run, version, profile, edits, today)
    if outcome.refused is not None:
        refused = outcome.refused
        return ToolOutcome(
            {
                "ok": False,
                "violations": [v.message for v in refused.violations],
                "alternative": None
                if refused.alternative is None
                else refused.alternative.model_dump(mode="json"),
                "message": refused.message,
                "edit": outcome.refused_index,
            },
            is_error=True,
            repairable=True,
        )
    assert outcome.draft is not None
    summary = " ".join(outcome.sentences)
    return await _store(
        database, user, version, profile, outcome.draft, edits, call.reason, summary, message_id, now
    )


def _json(edit: BaseModel | None) -> dict[str, Any] | None:
    return None if edit is None else edit.model_dump(mode="json")


def _run(version: PlanVersion, profile: Profile, edits: list[Edit], today: date) -> Any:
    return run_edits(
        version.draft,
        edits,
        zones=profile.paces().zones,
        treadmill=profile.treadmill,
        constraints=constraints_for(profile),
        build=plans.builder(profile, version.draft.methodology),
        today=today,
    )


async def _store(
    database: Database,
    user: User,
    version: PlanVersion,
    profile: Profile,
    draft: PlanDraft,
    edits: list[Edit],
    reason: str,
    summary: str,
    message_id: int,
    now: datetime,
) -> ToolOutcome:
    changed = diff(version.draft, draft, zones=profile.paces().zones, treadmill=profile.treadmill)
    async with database.session() as db:
        proposal = await queries.add_proposal(
            db,
            owner_id=user.id,
            message_id=message_id,
            kind=ProposalKind.EDITS,
            plan_id=version.plan.id,
            base_version=version.number,
            goal_id=None,
            edits=[e.model_dump(mode="json") for e in edits],
            draft=None,
            reason=reason,
            summary=summary,
            diff=changed,
            now=now,
        )
    return _made(proposal)


def _made(proposal: Proposal) -> ToolOutcome:
    content = {
        "ok": True,
        "proposal_id": proposal.id,
        "summary": proposal.summary,
        "note": "Shown to the runner as a card with Apply and Discard; nothing changes until Apply.",
    }
    return ToolOutcome(content, is_error=False, proposal=proposal)


async def _adapt(
    database: Database, user: User, call: AdaptToday, *, message_id: int, today: date, now: datetime
) -> ToolOutcome:
    version, profile = await _state(database, user)
    checkin = Checkin(
        day=today,
        soreness=call.soreness,
        fatigue=call.fatigue,
        sleep=call.sleep,
        minutes_available=call.minutes_available,
    )
    ready = await checkins.readiness_on(database, user.id, today, extra=checkin)
    result = adapt(
        version.draft,
        call.wid,
        checkin,
        ready,
        zones=profile.paces().zones,
        treadmill=profile.treadmill,
        constraints=constraints_for(profile),
        build=plans.builder(profile, version.draft.methodology),
        today=today,
    )
    if result.action is Action.KEEP or result.edit is None:
        return ToolOutcome({"ok": True, "kept": True, "message": result.reason}, is_error=False)
    edits: list[Edit] = [result.edit]
    return await _store(
        database, user, version, profile, result.draft, edits, result.reason, result.reason, message_id, now
    )


async def _plan(
    database: Database, user: User, call: DraftPlan, *, message_id: int, today: date, now: datetime
) -> ToolOutcome:
    async with database.session() as db:
        goal = await goal_queries.get_goal(db, goal_id=call.goal_id, owner_id=user.id)
        profile = await profile_queries.get_profile(db, user_id=user.id)
    if goal is None:
        raise NotFound(f"Goal {call.goal_id} is not one of the runner's goals.")
    if profile is None:
        raise InvalidInput("profile", NO_PROFILE)
    draft = plan_from(call, goal.goal, today=today)
    try:
        summary = summarise(draft, profile.paces().zones, profile.treadmill)
    except ValueError as exc:  # a day the rules cannot read (a long run not marked hard, say)
        raise InvalidInput("weeks", f"The drafted plan is not a valid plan: {_first_error(exc)}") from exc
    violations = check(summary, constraints_for(profile))
    if violations:
        sentences = [v.message for v in violations]
        return ToolOutcome(
            {"ok": False, "violations": sentences[:20], "alternative": None, "message": sentences[0]},
            is_error=True,
            repairable=True,
        )
    weeks = len(draft.weeks)
    said = f"A new {weeks}-week plan from {draft.start_date.isoformat()} ({draft.methodology.value})"
    async with database.session() as db:
        proposal = await queries.add_proposal(
            db,
            owner_id=user.id,
            message_id=message_id,
            kind=ProposalKind.PLAN,
            plan_id=None,
            base_version=None,
            goal_id=call.goal_id,
            edits=[],
            draft=draft.model_dump(mode="json"),
            reason=call.reason,
            summary=said,
            diff=None,
            now=now,
        )
    return _made(proposal)


def _first_error(exc: ValueError) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(str(e["msg"]) for e in exc.errors()[:3])
    return str(exc)


# --------------------------------------------------------------------------- Apply / Discard


async def get(database: Database, user: User, proposal_id: int) -> Proposal:
    async with database.session() as db:
        found = await queries.get_proposal(db, owner_id=user.id, proposal_id=proposal_id)
    if found is None:
        raise NotFound(f"Proposal {proposal_id} not found")
    return found


Mark = Callable[[AsyncSession, PlanVersion], Awaitable[None]]


def _marker(user: User, proposal: Proposal, now: datetime) -> Mark:
    async def mark(db: AsyncSession, made: PlanVersion) -> None:
        decided = await queries.decide_proposal(
            db,
            owner_id=user.id,
            proposal_id=proposal.id,
            status=ProposalStatus.APPLIED,
            version=made.number,
            now=now,
        )
        if not decided:
            raise Conflict("This proposal was applied or discarded meanwhile; reload to see it.")

    return mark


async def apply(
    database: Database, user: User, proposal_id: int, *, today: date, now: datetime
) -> tuple[Proposal, PlanVersion]:
    """Make the proposal a new plan version by the coach, with its reason.

    Conflict when it is no longer pending; EditRefused / PlanBreaksRules (422) when the plan
    changed since and the change no longer passes (it stays pending: the runner may discard it).
    """
    proposal = await get(database, user, proposal_id)
    if proposal.status is not ProposalStatus.PENDING:
        raise Conflict(GONE.format(status=proposal.status.value))
    mark = _marker(user, proposal, now)
    try:
        if proposal.kind is ProposalKind.PLAN:
            made = await _apply_plan(database, user, proposal, now, mark)
        else:
            made = await _apply_edits(database, user, proposal, today, now, mark)
    except InvalidInput:
        # Refused on a plan another Apply of this very proposal already changed: say that, not
        # that the rules refuse it.
        if (again := await get(database, user, proposal_id)).status is not ProposalStatus.PENDING:
            raise Conflict(GONE.format(status=again.status.value)) from None
        raise
    return await get(database, user, proposal_id), made


async def _apply_edits(
    database: Database,
    user: User,
    proposal: Proposal,
    today: date,
    now: datetime,
    mark: Mark,
) -> PlanVersion:
    assert proposal.plan_id is not None

    def make(current: PlanVersion, profile: Profile) -> tuple[PlanDraft, str]:
        try:
            outcome = _run(current, profile, list(proposal.edits), today)
        except NotFound as exc:
            raise InvalidInput("proposal", f"{STALE}: {exc}") from exc
        if outcome.refused is not None:
            raise EditRefused(outcome.refused)
        return outcome.draft, f"Coach: {proposal.reason}"

    return await plans.change(
        database, user.id, proposal.plan_id, make, author=Author.COACH, now=now, also=mark
    )


async def _apply_plan(
    database: Database,
    user: User,
    proposal: Proposal,
    now: datetime,
    mark: Mark,
) -> PlanVersion:
    assert proposal.draft is not None
    draft = PlanDraft.model_validate(proposal.draft)
    return await plans.store_new(
        database,
        user.id,
        goal_id=proposal.goal_id,
        seed=0,
        draft=draft,
        now=now,
        author=Author.COACH,
        reason=f"Coach: {proposal.reason}",
        also=mark,
    )


async def discard(database: Database, user: User, proposal_id: int, *, now: datetime) -> Proposal:
    """Mark the proposal discarded; Conflict when it was already applied or discarded."""
    async with database.session() as db:
        found = await queries.get_proposal(db, owner_id=user.id, proposal_id=proposal_id)
        if found is None:
            raise NotFound(f"Proposal {proposal_id} not found")
        decided = await queries.decide_proposal(
            db,
            owner_id=user.id,
            proposal_id=proposal_id,
            status=ProposalStatus.DISCARDED,
            version=None,
            now=now,
        )
        if not decided:
            raise Conflict(GONE.format(status=found.status.value))
    return await get(database, user, proposal_id)
