"""The run screens of a session: the run view (tablet), the TV view, and my sessions list.

The live-view component they share with the phone remote is in pages/live_view.py.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import segno
from fastapi.responses import RedirectResponse, Response
from nicegui import Client, ui

from pages.forms import ErrorLabel
from pages.layout import frame
from pages.live_view import (
    RECONNECT_TIMEOUT_S,
    LiveView,
    bar,
    captioned,
    control,
    finish_control,
    initial_clock,
    live_page,
    live_root,
    open_owned,
    stylesheet,
)
from runcoach.auth.web import current_user
from runcoach.context import context
from runcoach.domain.accounts import Units
from runcoach.domain.errors import RunCoachError
from runcoach.domain.session import Command, RunSession, SessionState
from runcoach.live import present as live
from runcoach.pwa import STATIC_DIR
from runcoach.workouts import present as workout_present

# --- the run view (tablet) -----------------------------------------------------------------------


def _top_bar(view: LiveView, session: RunSession) -> None:
    with ui.row().classes("rc-top w-full items-center no-wrap"):
        view.label("status", "rc-status")
        ui.label(session.name).classes("rc-name truncate")
        view.label("progress", "rc-progress")
        # Static: one element for the sound button (live.js draws and runs it) and the links.
        ui.html(_top_links(session.id), sanitize=False).classes("rc-top-links")


MUTE_BUTTON = '<button id="rc-mute" type="button" class="rc-mute" aria-label="Sound on or off"></button>'


def _top_links(session_id: int) -> str:
    links = (
        ("Remote", f"/remote/{session_id}"),
        ("TV", f"/sessions/{session_id}/tv"),
        ("Sessions", "/sessions"),
    )
    return MUTE_BUTTON + "".join(f'<a class="rc-link" href="{href}">{label}</a>' for label, href in links)


def _now_card(view: LiveView, state: SessionState) -> None:
    # The card is a CSS size container: the clock and the targets scale with the room it gets
    # (runcoach/static/css/live.css), so nothing overlaps on a short or a portrait tablet. Its parts
    # are its grid's cells: no rows or tiles around them.
    with ui.element("div").classes("rc-card rc-now"):
        view.label("segment", "rc-segment truncate")
        view.while_open.append(ui.label("left in segment").classes("rc-caption rc-left"))
        initial_clock(view, state, "remaining", "rc-clock")
        bar("rc-segment-bar")
        with ui.element("div").classes("rc-targets") as tiles:
            view.while_open.append(tiles)
            # The number to press on the console, big, and under it the pace the belt really runs.
            view.label("speed", "rc-value rc-speed rc-cap-block", caption="Console")
            view.label("incline", "rc-value rc-incline rc-cap-block", caption="Incline")
            view.label("pace", "rc-sub", caption="Pace")


def _side(view: LiveView, session: RunSession, state: SessionState) -> None:
    with ui.element("div").classes("rc-side"):
        initial_clock(view, state, "elapsed", "rc-card rc-elapsed rc-cap-block", caption="Elapsed")
        view.label("next", "rc-card rc-next rc-cap-block", caption="Next")
        PairingCard(view, session)


class PairingCard:
    """The QR code and the code a phone pairs with, the address to type it at, and a button for a new one.

    A code works for 12 hours from when it was drawn: the card says so when that passes, open or
    reloaded, and "New code" draws another (also whenever the runner wants a code nobody else has
    seen). Every run view of the session shows the newest code: one drawn on another tablet too.
    """

    def __init__(self, view: LiveView, session: RunSession) -> None:
        self.session_id, self.owner_id = session.id, session.owner_id
        self.base_url = str(ui.context.client.request.base_url)
        self.shown_until = session.pairing_expires_at  # the shown code's end: a later one is newer
        self._expiry: asyncio.TimerHandle | None = None
        expired = not session.pairing_open(context().hub.now())
        with ui.element("div").classes("rc-card rc-pairing").mark("pairing") as card:
            self.qr = ui.html(self._qr(session.pair_code), sanitize=False).classes("rc-qr").mark("qr")
            self.code = ui.label(live.pair_code_text(session.pair_code)).props("id=rc-pair-code")
            captioned(self.code.classes("rc-code rc-cap-block").mark("pair-code"), "Phone remote")
            hint = ui.label(live.pair_hint(self.base_url)).props("id=rc-pair-hint")
            hint.classes("rc-pair-hint").mark("pair-hint")
            self.note = ui.label().props("id=rc-pair-note").classes("rc-pair-note").mark("pair-note")
            renew = ui.button("New code", icon="refresh", on_click=self.renew)
            renew.props("id=rc-pair-renew flat dense no-caps").classes("rc-pair-renew").mark("pair-renew")
        self.card = card
        if expired:
            self._expired()
        else:
            self._note("")
            self._expire_at(session.pairing_expires_at)
        view.while_open.append(card)  # a completed session's code no longer works
        view.followers.append(self.follow)
        ui.context.client.on_delete(self._disarm)

    def _qr(self, code: str) -> str:
        url = live.pair_url(self.base_url, code)
        return segno.make(url, error="m").svg_inline(omitsize=True, border=2, dark="#0b1220", light="#ffffff")

    async def renew(self) -> None:
        try:
            renewed = await context().hub.renew_pairing(self.session_id, owner_id=self.owner_id)
        except RunCoachError as exc:  # finished meanwhile, or the database is down: say so here
            self._note(str(exc))
            return
        self.follow(renewed)  # the hub's push did this already when the page is watching

    def follow(self, session: RunSession) -> None:
        """Show the session's code if drawn after the one shown: a stale copy never brings an old one back."""
        if session.pairing_expires_at <= self.shown_until:
            return
        self.shown_until = session.pairing_expires_at
        self.qr.set_content(self._qr(session.pair_code))
        self.code.set_text(live.pair_code_text(session.pair_code))
        self.card.classes(remove="rc-expired")
        self._note(live.PAIRING_RENEWED)
        self._expire_at(session.pairing_expires_at)

    def _expire_at(self, moment: datetime) -> None:
        """Mark the code expired when its 12 hours are up, on an open page too: one timer, no element."""
        self._disarm()
        delay = (moment - context().hub.now()).total_seconds()
        self._expiry = asyncio.get_running_loop().call_later(max(0.0, delay), self._expire_or_wait, moment)

    def _expire_or_wait(self, moment: datetime) -> None:
        self._expiry = None
        if moment != self.shown_until:
            return  # a newer code came meanwhile and has its own timer
        if context().hub.now() < moment:
            self._expire_at(moment)  # the loop's clock ran ahead of the app's: wait the rest
        else:
            self._expired()

    def _expired(self) -> None:
        self.card.classes(add="rc-expired")
        self._note(live.PAIRING_EXPIRED)

    def _disarm(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None

    def _note(self, message: str) -> None:
        self.note.set_text(message)
        self.note.set_visibility(bool(message))


def _controls(view: LiveView) -> None:
    with ui.row().classes("rc-controls w-full gap-3 no-wrap"):
        for command in (Command.START, Command.PAUSE, Command.RESUME):
            control(view, command).classes("grow basis-0")
        for command in (Command.BACK, Command.SKIP):
            control(view, command).classes("w-44")
        finish_control(view).classes("w-44")  # beside Skip: it asks first, as the phone does
        summary = f"/sessions/{view.session_id}/summary"  # the laps, the check-in, the FIT file
        done = ui.button("Run summary", icon="insights", on_click=lambda: ui.navigate.to(summary))
        done.props("id=rc-done unelevated no-caps color=primary").classes("grow").mark("done")
        view.when_done.append(done)


def _chart(session: RunSession, state: SessionState, units: Units) -> ui.echart:
    options = live.live_chart(session.segments, units, live.program_position_s(session.segments, state))
    with ui.element("div").classes("rc-card rc-chart"):
        chart = ui.echart(options).classes("rc-profile").mark("profile")
        bar("rc-workout-bar", "rc-thin")
    return chart


@ui.page("/sessions/{session_id}/run", reconnect_timeout=RECONNECT_TIMEOUT_S)
async def run_page(session_id: str, client: Client) -> Response | None:
    opened = await open_owned(session_id)
    if not isinstance(opened, tuple):
        return opened
    user, session = opened
    ui.page_title(f"{session.name} · RunCoach")
    state = session.state(context().hub.now())
    units = live.units_of(user.units)
    view = LiveView(session.id, units, session.last_seq, owner_id=user.id)
    with live_root(view, state, "rc-run no-wrap"):
        _top_bar(view, session)
        with ui.element("div").classes("rc-body"):
            _now_card(view, state)
            _side(view, session, state)
        chart = _chart(session, state, units)
        view.error = ErrorLabel()
        view.error.classes("rc-error").mark("error")
        _controls(view)
    view.update(session, state)
    live_page(session, state, units, cues=True, wake_lock=True, chart_id=chart.id)
    view.attach(client)
    return None


# --- the TV view -----------------------------------------------------------------------------------


TV_CSS = STATIC_DIR / "css" / "tv.css"


def _tv_targets(view: LiveView) -> None:
    """Speed and incline to set, and the segment after this one: read from the treadmill across the room."""
    with ui.element("div").classes("rc-tv-targets") as targets:
        view.while_open.append(targets)
        for key, caption in (("speed", "Console"), ("incline", "Incline")):
            view.label(key, f"rc-value rc-{key} rc-cap-block", caption=caption)
    view.label("next", "rc-next", caption="Next")


@ui.page("/sessions/{session_id}/tv", reconnect_timeout=RECONNECT_TIMEOUT_S)
async def tv_page(session_id: str, client: Client) -> Response | None:
    opened = await open_owned(session_id)
    if not isinstance(opened, tuple):
        return opened
    user, session = opened
    ui.page_title(f"TV · {session.name} · RunCoach")
    stylesheet(TV_CSS)
    state = session.state(context().hub.now())
    view = LiveView(session.id, live.units_of(user.units), session.last_seq, owner_id=user.id)
    with live_root(view, state, "rc-tv"):
        with ui.row().classes("items-center gap-6 no-wrap"):
            view.label("status", "rc-status")
            view.label("progress", "rc-progress")
            initial_clock(view, state, "elapsed", "rc-elapsed", caption="Elapsed")
        view.label("segment", "rc-segment")
        initial_clock(view, state, "remaining", "rc-clock")
        bar("rc-segment-bar")
        _tv_targets(view)

    view.update(session, state)
    live_page(session, state, view.units, wake_lock=True)
    view.attach(client)
    return None


# --- my sessions ---------------------------------------------------------------------------------


def _events(session: RunSession) -> None:
    with ui.list().props("dense").classes("w-full").mark(f"events-{session.id}"):
        for event in session.events:
            with ui.item().classes("min-h-0 py-0"):
                with ui.item_section().props("side"):
                    ui.item_label(event.at.strftime("%Y-%m-%d %H:%M:%S")).props("caption").classes(
                        "font-mono"
                    )
                with ui.item_section():
                    ui.item_label(live.event_text(event.kind))


def _open_buttons(session_id: int) -> None:
    targets = (
        ("Run view", "tablet", f"/sessions/{session_id}/run"),
        ("Remote", "smartphone", f"/remote/{session_id}"),
        ("TV", "tv", f"/sessions/{session_id}/tv"),
    )
    for label, icon, href in targets:
        ui.button(label, icon=icon, on_click=lambda h=href: ui.navigate.to(h)).props("flat no-caps")


def _session_card(session: RunSession, state: SessionState) -> None:
    active = not state.is_final
    with ui.card().classes("w-full gap-2").mark(f"session-{session.id}"):
        with ui.row().classes("w-full items-center gap-3"):
            ui.label(session.name).classes("text-lg font-medium")
            ui.badge(live.state_status_text(state), color=live.status_colour(state)).mark(
                f"status-{session.id}"
            )
            ui.space()
            if active:
                _open_buttons(session.id)
            else:
                summary = f"/sessions/{session.id}/summary"
                ui.button("Summary", icon="insights", on_click=lambda: ui.navigate.to(summary)).props(
                    "flat no-caps"
                ).mark(f"open-summary-{session.id}")
        ui.label(
            f"Created {workout_present.created(session.created_at)} UTC · {live.summary_text(state)}"
        ).classes("text-sm text-gray-600").mark(f"summary-{session.id}")
        with ui.expansion(f"Events ({len(session.events)})", icon="history").classes("w-full").props("dense"):
            _events(session)


@ui.page("/sessions")
async def sessions_page() -> Response | None:
    user = await current_user()
    if user is None:
        return RedirectResponse("/login")
    hub = context().hub
    sessions = await hub.list(owner_id=user.id)
    now = hub.now()
    states = [(s, s.state(now)) for s in sessions]
    with frame("Sessions", user):
        for title, finished, marker in (("Active", False, "active"), ("Finished", True, "finished")):
            ui.label(title).classes("text-lg font-medium")
            chosen = [(s, st) for s, st in states if st.is_final == finished]
            with ui.column().classes("w-full gap-3").mark(marker):
                if not chosen:
                    ui.label(
                        "None yet: start a run from a workout." if not finished else "None yet."
                    ).classes("text-gray-600")
                for session, state in chosen:
                    _session_card(session, state)
    return None
