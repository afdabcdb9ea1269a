"""The run summary, where a finished run leads: time, distance, pace, laps, run vs plan, the check-in
and the FIT download.

Thin: the session's timeline (the fold's own account of the run) says what happened, the summary
presenter (runcoach/live/summary.py) how it reads, the FIT service writes the file. The download
goes through the page's own connection (`ui.download.content`), not the bearer-token API.
"""

from __future__ import annotations

from fastapi.responses import Response
from nicegui import ui

from pages.checkin_card import checkin_card
from pages.downloads import fit_download_button
from pages.layout import frame
from pages.live_view import open_owned
from pages.strava_upload import strava_upload_card
from runcoach.context import context
from runcoach.domain.accounts import User
from runcoach.domain.session import RunSession
from runcoach.domain.timeline import Timeline, session_timeline
from runcoach.fit import activities
from runcoach.fit.files import FitFile
from runcoach.live import present as live
from runcoach.live import summary
from runcoach.plans import checkins
from runcoach.workouts import present as workout_present


def _head(session: RunSession, line: Timeline) -> None:
    with ui.card().classes("w-full gap-1"):
        ui.label(session.name).classes("text-lg font-semibold")
        moment = line.start or session.created_at
        zone = context().settings.zone
        ui.label(workout_present.created(moment.astimezone(zone))).classes("text-sm text-gray-600")
        ui.label(summary.headline(line)).props("id=rc-headline").classes("text-gray-800").mark("headline")


def _figures(line: Timeline, user: User) -> None:
    with ui.row().classes("w-full gap-3"):
        for figure in summary.figures(line, live.units_of(user.units)):
            with ui.card().classes("grow basis-32 items-center gap-0 p-3"):
                value = ui.label(figure.value).props(f"id=rc-{figure.marker}")
                value.classes("text-2xl font-semibold").mark(figure.marker)
                ui.label(figure.label).classes("text-xs text-gray-500 uppercase")


FOR_LOGS = "For Garmin Connect, Strava or any training log that reads FIT"


async def _activity_file(user: User, session: RunSession) -> FitFile:
    ctx = context()
    return await activities.activity_file(
        ctx.db, session.id, user.id, ctx.clock.now(), zone=ctx.settings.zone
    )


def _chart(session: RunSession, line: Timeline, user: User) -> None:
    options = summary.run_vs_plan_chart(session.segments, line, live.units_of(user.units))
    with ui.card().classes("w-full p-2 sm:p-4"):
        ui.label("Run vs plan").classes("text-lg font-medium")
        ui.echart(options).classes("w-full h-64 sm:h-80").mark("run-vs-plan")


def _laps(session: RunSession, line: Timeline, user: User) -> None:
    units = live.units_of(user.units)
    ui.label(f"Laps ({len(line.laps)})").classes("text-lg font-medium")
    ui.table(
        columns=summary.lap_columns(units),
        rows=summary.lap_rows(session.segments, line.laps, units),
        row_key="n",
        pagination=0,
    ).props("dense flat bordered hide-bottom").classes("w-full").mark("laps")


def _not_over(session: RunSession) -> None:
    with ui.row().classes("items-center gap-3"):
        ui.label("The run is not over yet: its summary is ready when it ends.").classes("text-gray-600")
        run = f"/sessions/{session.id}/run"
        ui.button("Back to the run", icon="directions_run", on_click=lambda: ui.navigate.to(run)).props(
            "flat no-caps"
        ).mark("back-to-run")


@ui.page("/sessions/{session_id}/summary")
async def summary_page(session_id: str) -> Response | None:
    opened = await open_owned(session_id)
    if not isinstance(opened, tuple):
        return opened
    user, session = opened
    ctx = context()
    line = session_timeline(session, ctx.clock.now())
    earlier = await checkins.for_session(ctx.db, user.id, session.id)
    with frame("Run summary", user):
        _head(session, line)
        if not line.state.is_final:
            _not_over(session)
            return None
        _figures(line, user)
        if line.ran:
            fit_download_button(
                lambda: _activity_file(user, session),
                "For Garmin Connect, Strava or any training log that reads FIT",
            )
            await strava_upload_card(user, session.id)
            _chart(session, line, user)
            _laps(session, line, user)
        checkin_card(user, session.id, earlier)
        ui.button("My sessions", icon="list", on_click=lambda: ui.navigate.to("/sessions")).props("flat")
    return None
