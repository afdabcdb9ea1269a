"""The run screens of a session: the run view (tablet), the TV view, and my sessions list.

The live-view component they share with the phone remote is in pages/live_view.py.
"""

from __future__ import annotations

import segno
from fastapi.responses import RedirectResponse, Response
from nicegui import Client, ui

from pages.forms import ErrorLabel
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
    open_owned,
)
from runcoach.auth.web import current_user
from runcoach.context import context
from runcoach.domain.accounts import Units
from runcoach.domain.session import Command, RunSession, SessionState
from runcoach.live import present as live
from runcoach.pwa import STATIC_DIR
from runcoach.workouts import present as workout_present

# --- the run view (tablet) -----------------------------------------------------------------------


def _top_bar(view: LiveView, session: RunSession) -> None:
    with ui.row().classes("w-full items-center gap-4 no-wrap"):
        view.label("status", "rc-status")
        ui.label(session.name).classes("text-xl font-semibold text-slate-200 truncate")
        view.label("progress", "text-lg text-slate-400 whitespace-nowrap")
        ui.space()
        ui.element("button").props("id=rc-mute type=button aria-label='Sound on or off'").classes("rc-mute")
        ui.link("Remote", f"/remote/{session.id}").classes("rc-link")
        ui.link("TV", f"/sessions/{session.id}/tv").classes("rc-link")
        ui.link("Sessions", "/sessions").classes("rc-link")


def _now_card(view: LiveView, state: SessionState) -> None:
    with ui.column().classes("rc-card grow gap-2 justify-between no-wrap"):
        with ui.row().classes("w-full items-baseline justify-between no-wrap"):
            view.label("segment", "rc-segment")
            view.while_open.append(ui.label("left in segment").classes("rc-caption"))
        initial_clock(view, state, "remaining", "rc-clock")
        bar("rc-segment-bar")
        with ui.row().classes("w-full gap-12 no-wrap items-end") as tiles:
            view.while_open.append(tiles)
            with ui.column().classes("gap-1"):
                with ui.row().classes("items-baseline gap-3 no-wrap"):
                    ui.label("Speed").classes("rc-caption")
                    view.label("pace", "rc-sub")
                view.label("speed", "rc-value rc-speed")
            with ui.column().classes("gap-1"):
                ui.label("Incline").classes("rc-caption")
                view.label("incline", "rc-value rc-incline")


def _side(view: LiveView, session: RunSession, state: SessionState) -> None:
    with ui.column().classes("gap-3 w-[36%] shrink-0 no-wrap"):
        with ui.column().classes("rc-card w-full gap-1"):
            ui.label("Elapsed").classes("rc-caption")
            initial_clock(view, state, "elapsed", "rc-elapsed")
        with ui.column().classes("rc-card w-full gap-1"):
            ui.label("Next").classes("rc-caption")
            view.label("next", "rc-next")
        _pairing(view, session)


def _pairing(view: LiveView, session: RunSession) -> None:
    url = live.pair_url(str(ui.context.client.request.base_url), session.pair_code)
    qr = segno.make(url, error="m").svg_inline(omitsize=True, border=2, dark="#0b1220", light="#ffffff")
    with ui.row().classes("rc-card w-full items-center gap-4 no-wrap").mark("pairing") as pairing:
        ui.html(qr, sanitize=False).classes("rc-qr shrink-0").mark("qr")
        with ui.column().classes("gap-1"):
            ui.label("Phone remote").classes("rc-caption")
            code = ui.label(live.pair_code_text(session.pair_code)).props("id=rc-pair-code")
            code.classes("rc-code").mark("pair-code")
            ui.label("Scan, or type the code at /pair").classes("text-sm text-slate-400")
    view.while_open.append(pairing)  # a completed session's code no longer works


def _controls(view: LiveView) -> None:
    with ui.row().classes("rc-controls w-full gap-3 no-wrap"):
        for command in (Command.START, Command.PAUSE, Command.RESUME):
            control(view, command).classes("grow basis-0")
        for command in (Command.BACK, Command.SKIP):
            control(view, command).classes("w-44")
        finish_control(view).classes("w-44")  # beside Skip: it asks first, as the phone does
        done = ui.button("My sessions", icon="list", on_click=lambda: ui.navigate.to("/sessions"))
        done.props("id=rc-done unelevated no-caps color=primary").classes("grow").mark("done")
        view.when_done.append(done)


def _chart(session: RunSession, state: SessionState, units: Units) -> ui.echart:
    options = live.live_chart(session.segments, units, live.program_position_s(session.segments, state))
    with ui.column().classes("rc-card w-full gap-1 p-2"):
        chart = ui.echart(options).classes("w-full h-[16vh] min-h-[110px]").mark("profile")
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
        with ui.row().classes("rc-fill w-full gap-3 no-wrap items-stretch"):
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


@ui.page("/sessions/{session_id}/tv", reconnect_timeout=RECONNECT_TIMEOUT_S)
async def tv_page(session_id: str, client: Client) -> Response | None:
    opened = await open_owned(session_id)
    if not isinstance(opened, tuple):
        return opened
    user, session = opened
    ui.page_title(f"TV · {session.name} · RunCoach")
    ui.add_css(TV_CSS)
    state = session.state(context().hub.now())
    view = LiveView(session.id, live.units_of(user.units), session.last_seq, owner_id=user.id)
    with live_root(view, state, "rc-tv"):
        with ui.row().classes("items-center gap-6"):
            view.label("status", "rc-status")
            view.label("progress", "rc-progress")
        view.label("segment", "rc-segment")
        initial_clock(view, state, "remaining", "rc-clock")
        bar("rc-segment-bar")
        with ui.row().classes("items-baseline gap-4"):
            ui.label("Elapsed").classes("rc-caption")
            initial_clock(view, state, "elapsed", "rc-elapsed")
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
            colour = {"running": "positive", "paused": "warning", "completed": "primary"}.get(
                state.status.value, "grey"
            )
            ui.badge(live.status_text(state.status), color=colour).mark(f"status-{session.id}")
            ui.space()
            if active:
                _open_buttons(session.id)
        total = workout_present.clock(state.total_duration_s)
        ui.label(
            f"Created {workout_present.created(session.created_at)} UTC · "
            f"{live.elapsed_clock(state.elapsed_s)} of {total} · {live.progress_text(state)}"
        ).classes("text-sm text-gray-600")
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
