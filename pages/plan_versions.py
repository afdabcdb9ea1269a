"""The plan's versions: who changed what and why, a visual diff of any two, and revert."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.responses import RedirectResponse, Response
from nicegui import ui

from pages.forms import ErrorLabel
from pages.layout import frame
from runcoach.auth.web import current_user
from runcoach.context import context
from runcoach.domain.accounts import User
from runcoach.domain.errors import NotFound, RunCoachError
from runcoach.domain.plans import Author, PlanVersion
from runcoach.live.present import units_of
from runcoach.plans import present, service


async def _diff(user: User, plan_id: int, old: int, new: int) -> None:
    d = await service.diff_versions(context().db, user.id, plan_id, old, new)
    ui.echart(present.diff_chart(d, units_of(user.units))).classes("w-full h-64").mark("diff-chart")
    lines = present.diff_lines(d)
    if not lines:
        ui.label("The two versions plan the same days.").classes("text-gray-600").mark("no-diff")
    for kind, text in lines:
        ui.label(text).classes(present.DIFF_CLASSES[kind]).mark(f"diff-{kind}")


def _version_row(user: User, version: PlanVersion, on_compare: Callable[[int, int], None]) -> None:
    async def revert() -> None:
        ctx = context()
        try:
            await service.revert(
                ctx.db, user.id, version.plan.id, version.number, author=Author.RUNNER, now=ctx.clock.now()
            )
        except RunCoachError as exc:
            error.show(str(exc))
            return
        ui.navigate.reload()

    with ui.column().classes("w-full gap-0 border-b py-2").mark(f"version-{version.number}"):
        with ui.row().classes("w-full items-center gap-2"):
            ui.label(present.version_line(version)).classes("font-medium")
            if version.is_current:
                ui.badge("current", color="positive")
            ui.space()
            if version.number > 1:
                ui.button(
                    "Compare with the one before",
                    on_click=lambda v=version.number: on_compare(v - 1, v),
                ).props("flat dense no-caps").mark(f"compare-{version.number}")
            if not version.is_current and version.plan.archived_at is None:
                ui.button("Revert to this", icon="undo", on_click=revert).props("flat dense no-caps").mark(
                    f"revert-{version.number}"
                )
        ui.label(version.reason).classes("text-sm text-gray-600")
        error = ErrorLabel()


@ui.page("/plan/versions")
async def versions_page(
    plan: str | None = None, old: int | None = None, new: int | None = None
) -> Response | None:
    user = await current_user()
    if user is None:
        return RedirectResponse("/login")
    ctx = context()
    try:
        current = await service.current(ctx.db, user.id)
        history = await service.versions(ctx.db, user.id, current.plan.id)
    except NotFound:
        with frame("Plan versions", user):
            ui.label("No plan yet: make one for a goal first.").classes("text-gray-600").mark("no-plan")
            ui.link("Goals", "/goals")
        return None
    newest = history[0].number

    def compare(a: int, b: int) -> None:
        ui.navigate.to(f"/plan/versions?old={a}&new={b}")

    with frame("Plan versions", user):
        if newest > 1:
            a = old if old is not None else newest - 1
            b = new if new is not None else newest
            ui.label(f"Version {a} → version {b}").classes("text-lg font-semibold").mark("diff-title")
            try:
                await _diff(user, current.plan.id, a, b)
            except NotFound as exc:
                ui.label(str(exc)).classes("text-negative")
        for version in history:
            _version_row(user, version, compare)
        ui.link("Back to the calendar", "/plan")
    return None
