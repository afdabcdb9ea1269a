"""Widgets the plan pages share: "Run it now", the no-plan pointer, and the not-found page."""

from __future__ import annotations

from nicegui import ui

from pages.forms import ErrorLabel
from pages.layout import frame
from runcoach.context import context
from runcoach.domain.accounts import User
from runcoach.domain.errors import RunCoachError
from runcoach.plans import service


def run_it_now(user: User, plan_id: int, wid: int) -> None:
    """The "Run it now" button: a live session of the day's compiled program, then the run view."""

    async def start() -> None:
        ctx = context()
        try:
            session = await service.run_day(ctx.db, ctx.hub, user.id, plan_id, wid)
        except RunCoachError as exc:
            error.show(str(exc))
            return
        ui.navigate.to(f"/sessions/{session.id}/run")

    button = ui.button("Run it now", icon="play_arrow", color="positive", on_click=start)
    button.props("id=rc-run-it-now").mark("run-it-now")
    error = ErrorLabel().mark("run-error")


def make_plan_link() -> None:
    """Plans are made from a goal: each goal on the Goals page has its "Make a plan" button."""
    ui.link("Make a plan from one of your goals", "/goals").mark("goals-link")


def no_plan() -> None:
    """What the plan pages show when the runner has no plan yet."""
    with ui.card().classes("w-full gap-2").mark("no-plan"):
        ui.label("No plan yet.").classes("text-lg font-medium")
        ui.label("Make a plan for one of your goals and your calendar fills with workouts.").classes(
            "text-gray-700"
        )
        make_plan_link()


def not_found(user: User, what: str = "workout") -> None:
    # The same page for an unknown id and somebody else's: nothing tells whether it exists.
    ui.status_code(404)
    with frame(f"{what.capitalize()} not found", user):
        ui.label(f"There is no such {what} in your plans.").classes("text-gray-600").mark("not-found")
        ui.link("Back to the plan", "/plan")
