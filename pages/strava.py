"""Strava: connect (OAuth at Strava's page), what was granted, import progress, last sync,
auto-upload, disconnect; and the callback Strava's sign-in returns to."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from fastapi.responses import RedirectResponse, Response
from nicegui import app, ui

from pages.layout import frame
from runcoach.auth.web import current_user
from runcoach.context import context
from runcoach.domain.accounts import User
from runcoach.domain.errors import RunCoachError
from runcoach.plans.calendar import ImportedMatch, calendar, imported_matches
from runcoach.strava import matching
from runcoach.strava.present import AUTO, NONE, match_options, match_value
from runcoach.strava.service import NOT_SET_UP, Status

FLASH = "strava_flash"
STRAVA_ORANGE = "#fc4c02"
#: How often the page reads the import's progress while it runs.
POLL_S = 1.5


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "not yet"


def setup_card() -> None:
    with ui.card().classes("w-full").mark("strava-setup"):
        ui.label("Strava is not set up on this server").classes("text-lg font-semibold")
        ui.label(NOT_SET_UP).classes("text-gray-700")
        ui.markdown(
            "1. At strava.com/settings/api create an application; its *Authorization Callback Domain* "
            "is this server's host name.\n"
            "2. Set `RUNCOACH_STRAVA_CLIENT_ID`, `RUNCOACH_STRAVA_CLIENT_SECRET`, `RUNCOACH_PUBLIC_URL` "
            "and, for new runs to arrive by themselves, `RUNCOACH_STRAVA_VERIFY_TOKEN`.\n"
            "3. Restart RunCoach, then run `runcoach strava subscribe` once."
        )


def connect_card(user: User) -> None:
    def connect() -> None:
        ui.navigate.to(context().strava.connect_url(user.id))

    with ui.card().classes("w-full"):
        ui.label("Connect Strava").classes("text-lg font-semibold")
        ui.label(
            "Your runs done outdoors count in your plan, and treadmill runs done here go to Strava "
            "once, with their laps."
        ).classes("text-gray-700")
        ui.button("Connect with Strava", on_click=connect).style(
            f"background-color: {STRAVA_ORANGE} !important"
        ).mark("strava-connect")


class ConnectedPanel:
    """The connected runner's cards, one per page (a refreshable per page, so one runner's redraw
    never reaches another's page): the status, polled while it changes, and the imported runs."""

    def __init__(self, user: User, status: Status) -> None:
        self.user = user
        self.shown = status
        # Outside the refreshable card: a redraw during an import must not close it.
        self.confirm = self._confirm_dialog()

    @ui.refreshable_method
    def card(self) -> None:
        status = self.shown
        with ui.card().classes("w-full"):
            with ui.row().classes("items-center gap-2"):
                ui.icon("check_circle", color="positive")
                ui.label(f"Connected as {status.athlete_name}").classes("text-lg font-semibold").mark(
                    "strava-athlete"
                )
            for problem in status.problems:
                with ui.row().classes("items-start gap-2 bg-amber-50 rounded p-2 w-full no-wrap"):
                    ui.icon("warning", color="warning")
                    ui.label(problem).classes("text-sm").mark("strava-problem")
            _progress(status)
            with ui.row().classes("gap-2"):
                ui.button("Sync now", icon="sync", on_click=self._sync).props("outline")
                ui.button("Disconnect", icon="link_off", on_click=self.confirm.open).props(
                    "flat color=negative"
                ).mark("strava-disconnect")
            ui.switch(
                "Send each finished treadmill run to Strava",
                value=status.auto_upload,
                on_change=lambda e: self._auto_upload(bool(e.value)),
            ).mark("strava-auto-upload")

    @ui.refreshable_method
    async def runs(self) -> None:
        """The imported runs of the last weeks, each with the planned day it counts for, changeable."""
        ctx = context()
        today = ctx.today()
        cal = await calendar(
            ctx.db, self.user.id, start=today - timedelta(days=RECENT_DAYS - 1), end=today, today=today,
            zone=ctx.settings.zone, now=ctx.clock.now(),
        )  # fmt: skip
        found = imported_matches(cal)
        with ui.card().classes("w-full").mark("strava-runs"):
            ui.label("Runs from Strava").classes("text-lg font-semibold")
            if not found:
                ui.label(f"No runs imported from the last {RECENT_DAYS} days.").classes(
                    "text-sm text-gray-600"
                )
            for match in found:
                self._match_row(match)

    def _match_row(self, match: ImportedMatch) -> None:
        run = match.run
        with ui.row().classes("w-full items-center gap-2 border-b py-1"):
            ui.label(f"{run.day:%a %d %b}").classes("w-24 text-sm")
            ui.label(f"{run.name} · {run.distance_km:.1f} km").classes("grow text-sm")
            ui.select(
                match_options(match),
                value=match_value(match),
                on_change=lambda e: self._rematch(run.strava_id, e.value),
            ).props("dense outlined").classes("w-64").mark(f"strava-match-{run.strava_id}")

    async def poll(self) -> None:
        """Show the status again if it changed (a redraw while the runner taps would lose the tap);
        the runs too when the import brought more."""
        status = await context().strava.status(self.user.id)
        if status == self.shown:
            return
        more = status.imported != self.shown.imported
        self.shown = status
        self.card.refresh()
        if more:
            await self.runs.refresh()

    async def _rematch(self, strava_id: int | None, value: str) -> None:
        assert strava_id is not None
        db = context().db
        try:
            if value == AUTO:
                await matching.clear_match(db, self.user.id, strava_id)
            else:
                day = None if value == NONE else date.fromisoformat(value)
                await matching.set_match(db, self.user.id, strava_id, day)
        except RunCoachError as exc:
            ui.notify(str(exc), type="negative")
            return
        ui.notify("Saved: the calendar counts the run there")
        await self.runs.refresh()

    async def _sync(self) -> None:
        try:
            await context().strava.sync(self.user.id)
        except RunCoachError as exc:
            ui.notify(str(exc), type="negative")
            return
        ui.notify("Looking for new runs on Strava")
        await self.poll()

    async def _auto_upload(self, on: bool) -> None:
        await context().strava.set_auto_upload(self.user.id, on)
        ui.notify("Finished runs will go to Strava" if on else "Runs go to Strava only when you send them")

    def _confirm_dialog(self) -> ui.dialog:
        with ui.dialog() as dialog, ui.card():
            ui.label("Disconnect Strava?").classes("text-lg font-semibold")
            ui.label("RunCoach's access is revoked at Strava; the imported runs are removed from here.")
            with ui.row():
                ui.button("Cancel", on_click=dialog.close).props("flat")
                ui.button("Disconnect", on_click=self._disconnect).props("color=negative")
        return dialog

    async def _disconnect(self) -> None:
        await context().strava.disconnect(self.user.id)
        self.confirm.close()
        ui.navigate.to("/strava")


#: How far back the list of imported runs goes.
RECENT_DAYS = 21


def _progress(status: Status) -> None:
    label = "Importing your runs" if status.importing else "Imported"
    ui.label(f"{label}: {status.imported} activities").classes("text-sm").mark("strava-imported")
    ui.linear_progress(value=round(status.backfill_share, 3), show_value=False).props(
        "size=12px rounded" + ("" if status.importing else " color=positive")
    ).mark("strava-progress")
    ui.label(f"Last sync: {_when(status.last_sync_at)}").classes("text-sm text-gray-600")
    if status.import_error:
        ui.label(f"The import stopped: {status.import_error}").classes("text-sm text-negative")


@ui.page("/strava")
async def strava_page() -> Response | None:
    user = await current_user()
    if user is None:
        return RedirectResponse("/login?next=/strava")
    status = await context().strava.status(user.id)
    flash = app.storage.user.pop(FLASH, None)
    with frame("Strava", user):
        if isinstance(flash, str) and flash:
            ui.label(flash).classes("text-negative").mark("strava-flash")
        if not status.configured:
            setup_card()
        elif not status.connected:
            connect_card(user)
        else:
            panel = ConnectedPanel(user, status)
            panel.card()
            await panel.runs()
            ui.timer(POLL_S, panel.poll)
    return None


@ui.page("/strava/callback")
async def strava_callback(
    state: str = "", code: str | None = None, scope: str | None = None, error: str | None = None
) -> Response:
    """Strava's sign-in returns here: finish connecting, then show the Strava page."""
    user = await current_user()
    if user is None:
        return RedirectResponse("/login?next=/strava")
    try:
        await context().strava.finish_connect(user.id, state=state, code=code, scope=scope, error=error)
    except RunCoachError as exc:
        app.storage.user[FLASH] = str(exc)
    return RedirectResponse("/strava")
