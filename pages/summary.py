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
from pages.forms import ErrorLabel
from pages.layout import frame
from pages.live_view import open_owned
from runcoach.context import context
from runcoach.domain.accounts import User
from runcoach.domain.errors import RunCoachError
from runcoach.domain.session import RunSession
from runcoach.domain.timeline import Timeline, session_timeline
from runcoach.fit import activities
from runcoach.fit.activity_file import FIT_MEDIA_TYPE
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


class DownloadButton:
    """Download FIT: the file written now by the FIT service, sent through this page's connection."""

    def __init__(self, user: User, session_id: int) -> None:
        self.user_id, self.session_id = user.id, session_id
        with ui.row().classes("items-center gap-3"):
            button = ui.button("Download FIT", icon="download", on_click=self.download)
            button.props("id=rc-download-fit unelevated").mark("download-fit")
            ui.label("For Garmin Connect, Strava or any training log that reads FIT").classes(
                "text-sm text-gray-600"
            )
        self.error = ErrorLabel()

    async def download(self) -> None:
        ctx = context()
        try:
            filename, data = await activities.activity_file(
                ctx.db, self.session_id, self.user_id, ctx.clock.now(), zone=ctx.settings.zone
            )
        except RunCoachError as exc:  # the database is down, say: the same sentence as the API's
            self.error.show(str(exc))
            return
        self.error.show("")
        ui.download.content(data, filename, FIT_MEDIA_TYPE)


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
            DownloadButton(user, session.id)
            _chart(session, line, user)
            _laps(session, line, user)
        checkin_card(user, session.id, earlier)
        ui.button("My sessions", icon="list", on_click=lambda: ui.navigate.to("/sessions")).props("flat")
    return None
