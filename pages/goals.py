"""Goals: set a race or volume goal and see how feasible each one is. Thin: the service decides."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.responses import RedirectResponse, Response
from nicegui import ui

from pages.forms import ErrorLabel
from pages.layout import frame
from runcoach.auth.web import current_user
from runcoach.context import context
from runcoach.domain.accounts import User
from runcoach.domain.errors import InvalidInput, RunCoachError
from runcoach.domain.goals import Feasibility, GoalKind, StoredGoal
from runcoach.domain.planner import PlanRefused
from runcoach.domain.plans import Methodology
from runcoach.goals import present, service
from runcoach.plans import service as plans
from runcoach.workouts.service import draw_seed

METHODOLOGIES = {Methodology.DANIELS.value: "Daniels", Methodology.EIGHTY_TWENTY.value: "80/20"}


def plan_row(user: User, stored: StoredGoal) -> None:
    """Make a plan for this goal: the methodology, then the plan service; a refusal lists its reasons."""

    async def make() -> None:
        ctx = context()
        refused.show("")
        try:
            await plans.create(
                ctx.db,
                user.id,
                goal_id=stored.id,
                start_date=ctx.today(),
                methodology=Methodology(method.value),
                seed=draw_seed(),
                today=ctx.today(),
                now=ctx.clock.now(),
            )
        except PlanRefused as exc:
            refused.show(" ".join(exc.reasons))
            return
        except RunCoachError as exc:
            refused.show(str(exc))
            return
        ui.navigate.to("/plan")

    with ui.row().classes("items-center gap-3"):
        method = ui.toggle(METHODOLOGIES, value=Methodology.DANIELS.value).props("dense no-caps")
        method.mark(f"methodology-{stored.id}")
        ui.button("Make a plan", icon="event_note", on_click=make).props("unelevated no-caps").mark(
            f"make-plan-{stored.id}"
        )
    ui.label("A new plan replaces your current one, which stays readable as an archived plan.").classes(
        "text-xs text-gray-500"
    )
    refused = ErrorLabel().mark(f"plan-refused-{stored.id}")


def goal_card(stored: StoredGoal, user: User, today: date) -> None:
    verdict = stored.assessment
    with ui.card().classes("w-full").mark(f"goal-{stored.id}"):
        with ui.row().classes("items-center gap-2"):
            ui.label(present.title(stored)).classes("text-lg font-semibold")
            ui.badge(verdict.feasibility.value, color=present.BADGE_COLOUR[verdict.feasibility]).mark(
                f"badge-{verdict.feasibility.value}"
            )
        ui.label(verdict.reason).classes("text-gray-700")
        if verdict.feasibility is not Feasibility.OK and verdict.realistic_target:
            ui.label(f"To make it realistic: {verdict.realistic_target}").classes("text-sm")
        last = stored.goal.race_date or stored.goal.by_date
        if last is None or last >= today:
            plan_row(user, stored)


@ui.refreshable
async def goals_list(user: User) -> None:
    ctx = context()
    goals = await service.list_goals(ctx.db, user.id, ctx.clock.now())
    if not goals:
        ui.label("No goals yet.").classes("text-gray-600").mark("no-goals")
    for stored in goals:
        goal_card(stored, user, ctx.today())


def goal_form(user: User) -> None:
    """The race or volume goal form; a refused goal keeps everything typed and says what is wrong."""

    async def submit() -> None:
        error.show("")
        for widget in inputs.values():
            widget.error = None
        ctx = context()
        try:
            goal = present.parse_form({name: widget.value for name, widget in inputs.items()})
            await service.create_goal(ctx.db, user.id, goal, ctx.clock.now())
        except InvalidInput as exc:
            field = present.form_field(exc.field)
            if field in inputs:
                inputs[field].error = ""  # a red outline; the words are on the error line
            error.show(present.error_line(exc))
            return
        except RunCoachError as exc:
            error.show(str(exc))
            return
        goals_list.refresh()

    with ui.card().classes("w-full"):
        ui.label("New goal").classes("text-lg font-semibold")
        kind = ui.toggle({GoalKind.RACE.value: "Race", GoalKind.VOLUME.value: "Volume"}, value="race")
        inputs: dict[str, Any] = {"kind": kind.mark("kind")}
        with ui.row().classes("w-full items-end").bind_visibility_from(kind, "value", value="race"):
            distance = ui.select(present.DISTANCES, value="5000", label="Race").mark("race_distance")
            inputs["race_distance"] = distance
            inputs["other_km"] = (
                ui.number("Distance (km)", step=0.1)
                .mark("other_km")
                .bind_visibility_from(distance, "value", value=present.OTHER)
            )
            inputs["race_date"] = ui.input("Race date (YYYY-MM-DD)").mark("race_date")
            inputs["target_time"] = ui.input("Target time (h:mm:ss, optional)").mark("target_time")
        with ui.row().classes("w-full items-end").bind_visibility_from(kind, "value", value="volume"):
            mode = ui.select(present.VOLUME_MODES, value=present.BY_DATE, label="Volume goal").mark(
                "volume_mode"
            )
            inputs["volume_mode"] = mode
            with ui.row().classes("items-end").bind_visibility_from(mode, "value", value=present.BY_DATE):
                inputs["weekly_km"] = ui.number("Weekly km", step=1).mark("weekly_km")
                inputs["by_date"] = ui.input("By date (YYYY-MM-DD)").mark("by_date")
        error = ErrorLabel().mark("goal-error")
        ui.button("Set goal", on_click=submit).mark("set-goal")


@ui.page("/goals")
async def goals_page() -> Response | None:
    user = await current_user()
    if user is None:
        return RedirectResponse("/login")
    with frame("Goals", user):
        if not await service.has_profile(context().db, user.id):
            ui.label(service.NO_PROFILE).classes("text-gray-700").mark("no-profile")
            ui.link("Set your profile", "/profile").mark("profile-link")
            return None
        goal_form(user)
        await goals_list(user)
    return None
