"""The phone remote: the runner's own (/remote/{id}) and a paired one (/r/{code}, no sign-in), and /pair.

A pairing code controls exactly one session, only while it is open (12 hours, until the session
completes): the page checks it when it is built and again before every command.
"""

from __future__ import annotations

from fastapi.responses import Response
from nicegui import Client, ui

from pages.forms import ErrorLabel, card
from pages.layout import frame
from pages.live_view import (
    RECONNECT_TIMEOUT_S,
    LiveView,
    bar,
    control,
    finish_control,
    initial_clock,
    live_page,
    live_root,
    not_found,
    open_owned,
    stylesheet,
)
from runcoach.auth.web import current_user
from runcoach.context import context
from runcoach.domain.errors import NotFound, RunCoachError
from runcoach.domain.session import Command, RunSession, SessionState
from runcoach.live import present as live
from runcoach.pwa import STATIC_DIR

REMOTE_CSS = STATIC_DIR / "css" / "remote.css"


def remote(view: LiveView, session: RunSession, state: SessionState) -> None:
    """The phone's screen: status, segment and time left on top, big buttons under the thumb.

    The card's parts are cells of its grid and the buttons children of the page's column (the
    landscape grid places them): no rows or wrappers, which cost server memory on every open phone.
    """
    stylesheet(REMOTE_CSS)
    with live_root(view, state, "rc-remote"):
        with ui.row().classes("w-full items-center justify-between no-wrap"):
            ui.label(session.name).classes("text-base font-semibold text-slate-300 truncate")
            view.label("status", "rc-status text-base")
        with ui.element("div").classes("rc-card rc-remote-card w-full"):
            view.label("segment", "rc-segment")
            view.label("progress", "rc-remote-progress")
            initial_clock(view, state, "remaining", "rc-clock")
            bar("rc-segment-bar")
            view.label("speed", "rc-value rc-speed")
            view.label("incline", "rc-value rc-incline")
            view.label("next", "rc-remote-line", caption="Next")
            initial_clock(view, state, "elapsed", "rc-remote-line", caption="Elapsed")
        view.error = ErrorLabel()
        view.error.classes("rc-error").mark("error")
        for command in (Command.START, Command.PAUSE, Command.RESUME):
            control(view, command).classes("rc-main")
        with ui.row().classes("rc-pair w-full gap-3 no-wrap"):
            control(view, Command.BACK).classes("basis-0 grow")
            control(view, Command.SKIP).classes("basis-0 grow")
        finish_control(view).classes("rc-end")
    view.update(session, state)
    live_page(session, state, view.units)


@ui.page("/remote/{session_id}", reconnect_timeout=RECONNECT_TIMEOUT_S)
async def remote_page(session_id: str, client: Client) -> Response | None:
    opened = await open_owned(session_id)
    if not isinstance(opened, tuple):
        return opened
    user, session = opened
    ui.page_title(f"Remote · {session.name} · RunCoach")
    state = session.state(context().hub.now())
    view = LiveView(session.id, live.units_of(user.units), session.last_seq, owner_id=user.id)
    remote(view, session, state)
    view.attach(client)
    return None


@ui.page("/r/{code}", reconnect_timeout=RECONNECT_TIMEOUT_S)
async def paired_remote_page(code: str, client: Client) -> None:
    """Public: the code is the authorization, for this one session only."""
    hub = context().hub
    try:
        session = await hub.by_pair_code(code)
    except NotFound as exc:
        not_found(None, str(exc))
        return
    ui.page_title(f"Remote · {session.name} · RunCoach")
    state = session.state(hub.now())
    units = await hub.owner_units(session)  # the paired phone is the runner's own: their units
    view = LiveView(session.id, units, session.last_seq, owner_id=None, pair_code=session.pair_code)
    remote(view, session, state)
    view.attach(client)


@ui.page("/pair")
async def pair_page() -> None:
    """Type the code the run view shows (ABCD-EFGH) to open the remote on this phone."""

    async def submit() -> None:
        try:
            session = await context().hub.by_pair_code(code.value or "")
        except RunCoachError as exc:  # not valid, or the database is down: say so
            error.show(str(exc))
            return
        ui.navigate.to(f"/r/{session.pair_code}")

    with frame("Pair a phone", await current_user()), card():
        ui.label("Enter the code shown on the run screen.").classes("text-gray-600")
        code = (
            ui.input("Pairing code", placeholder="ABCD-EFGH")
            .props(
                'autofocus autocapitalize=characters autocomplete=off spellcheck=false input-class="text-2xl"'
            )
            .classes("w-full")
            .mark("code")
            .on("keydown.enter", submit)
        )
        error = ErrorLabel()
        error.mark("error")
        ui.button("Open remote", icon="smartphone", on_click=submit).classes("w-full").mark("open")
