"""Progress: how am I doing. The figures the coach explains, as big numbers with one line each, and
charts of weekly volume (planned vs done, with its trend), plan completion, consistency and the VDOT
shown by runs.

Thin: the service (`runcoach.coach.analysis`) computes every figure, the presenter
(`runcoach.coach.present`) words them and builds the chart options.
"""

from __future__ import annotations

from fastapi.responses import RedirectResponse, Response
from nicegui import ui

from pages.layout import frame
from runcoach.auth.web import current_user
from runcoach.coach import analysis, present
from runcoach.context import context
from runcoach.domain.accounts import Units
from runcoach.domain.errors import NotFound
from runcoach.domain.progress import Progress
from runcoach.live.present import units_of


def figure_cards(progress: Progress, units: Units) -> None:
    with ui.grid().classes("w-full gap-3 grid-cols-1 sm:grid-cols-2 lg:grid-cols-3"):
        for figure in present.figures(progress, units):
            with ui.card().classes("gap-1 p-3"):
                ui.label(figure.title).classes("text-xs text-gray-500 uppercase")
                ui.label(figure.value).classes("text-3xl font-semibold").mark(f"figure-{figure.key}")
                ui.label(figure.caption).classes("text-sm text-gray-700").mark(f"caption-{figure.key}")


def volume_card(progress: Progress, units: Units) -> None:
    with ui.card().classes("w-full p-2 sm:p-4"):
        title = "Weekly volume, planned vs done" if progress.has_plan else "Weekly volume"
        ui.label(title).classes("font-medium")
        ui.echart(present.volume_chart(progress, units)).classes("w-full h-52 sm:h-64").mark("volume-chart")


def completion_card(progress: Progress) -> None:
    with ui.card().classes("grow basis-64 p-2 sm:p-4"):
        ui.label("Plan completion").classes("font-medium")
        if progress.completion.planned:
            ui.echart(present.completion_chart(progress.completion)).classes("w-full h-48").mark(
                "completion-chart"
            )
        else:
            ui.label(present.completion_figure(progress.completion, progress.has_plan).caption).classes(
                "text-gray-600"
            )
            if not progress.has_plan:
                ui.link("Set a goal and make a plan", "/goals").mark("goals-link")


def consistency_card(progress: Progress) -> None:
    with ui.card().classes("grow basis-64 p-2 sm:p-4 gap-2"):
        ui.label("Weeks with a run").classes("font-medium")
        ui.add_css(present.CONSISTENCY_CSS)
        ui.html(present.consistency_html(progress.volume.weeks), sanitize=False).mark("consistency")


def vdot_card(progress: Progress) -> None:
    with ui.card().classes("w-full p-2 sm:p-4 gap-2"):
        ui.label("VDOT shown by runs").classes("font-medium")
        if progress.vdot.points:
            ui.echart(present.vdot_chart(progress.vdot)).classes("w-full h-52 sm:h-64").mark("vdot-chart")
        ui.label(present.vdot_note(progress.vdot)).classes("text-sm text-gray-600").mark("vdot-note")


def no_profile(message: str) -> None:
    with ui.card().classes("w-full gap-2").mark("no-profile"):
        ui.label(message).classes("text-gray-700")
        ui.link("Set your profile", "/profile").mark("profile-link")


@ui.page("/progress")
async def progress_page() -> Response | None:
    user = await current_user()
    if user is None:
        return RedirectResponse("/login")
    ctx = context()
    try:
        progress = await analysis.analysis(
            ctx.db, user, today=ctx.today(), zone=ctx.settings.zone, now=ctx.clock.now()
        )
    except NotFound as exc:
        with frame("Progress", user):
            no_profile(str(exc))
        return None
    units = units_of(user.units)
    with frame("Progress", user):
        ui.label(present.window_line(progress)).classes("text-gray-600").mark("window")
        figure_cards(progress, units)
        volume_card(progress, units)
        with ui.row().classes("w-full gap-3"):
            completion_card(progress)
            consistency_card(progress)
        vdot_card(progress)
    return None
