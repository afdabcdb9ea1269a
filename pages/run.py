"""The live views of a run session: the run view (tablet), the TV view, and my sessions list.

Every view is built from the database (hub.get + fold), so a reload shows the truth. Then the
hub keeps it current without a timer on the page: its listener sets the labels that change with
the status or the segment, and its one ticker pushes the clock snapshot that
runcoach/static/live.js interpolates in the browser (elapsed, time left, bars, the chart's line).
`LiveView` is shared with the remote (pages/remote.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import segno
from fastapi.responses import RedirectResponse, Response
from nicegui import Client, ui

from pages.forms import ErrorLabel
from pages.layout import frame
from runcoach.auth.web import current_user
from runcoach.context import context
from runcoach.domain.accounts import Units, User
from runcoach.domain.errors import NotFound
from runcoach.domain.session import Command, CommandConflict, RunSession, SessionState
from runcoach.live import fanout
from runcoach.live import present as live
from runcoach.live.hub import payload
from runcoach.pwa import STATIC_DIR
from runcoach.workouts import present as workout_present

log = logging.getLogger(__name__)

#: A tablet on a treadmill loses Wi-Fi now and then: keep its page (and replay what it missed)
#: for this long before the browser has to reload it from the server.
RECONNECT_TIMEOUT_S = 30.0
#: The script's URL carries a hash of its content, so a new version is never served from a cache.
LIVE_JS_URL = f"/static/live.js?v={hashlib.sha256((STATIC_DIR / 'live.js').read_bytes()).hexdigest()[:10]}"

#: label, icon, colour of each command's button.
BUTTONS: dict[Command, tuple[str, str, str]] = {
    Command.START: ("Start", "play_arrow", "positive"),
    Command.PAUSE: ("Pause", "pause", "warning"),
    Command.RESUME: ("Resume", "play_arrow", "positive"),
    Command.BACK: ("Back", "skip_previous", "blue-grey-7"),
    Command.SKIP: ("Skip", "skip_next", "blue-grey-7"),
    Command.FINISH: ("Finish", "stop", "negative"),
}

LIVE_CSS = STATIC_DIR / "css" / "live.css"


# --- one view of one session ---------------------------------------------------------------------


@dataclass(eq=False)
class LiveView:
    """One page's view of one session: the labels the hub's listener updates, and its commands.

    `owner_id` None means a paired phone: every command then re-checks `pair_code` first.
    """

    session_id: int
    units: Units
    seq: int
    owner_id: int | None
    pair_code: str | None = None
    labels: dict[str, ui.label] = field(default_factory=dict)
    buttons: dict[Command, ui.button] = field(default_factory=dict)
    root: ui.element | None = None
    error: ErrorLabel | None = None
    #: Shown only while the session is open (the pairing card), or only once it is over.
    while_open: list[ui.element] = field(default_factory=list)
    when_done: list[ui.element] = field(default_factory=list)
    _unwatch: Callable[[], None] | None = None
    _watching: bool = False

    def label(self, key: str, classes: str = "") -> ui.label:
        """A label `update` keeps current (key in live.live_texts); DOM id 'rc-<key>'.

        Pages call `update` once after building, so the label starts empty here.
        """
        element = ui.label().props(f"id=rc-{key}").classes(classes).mark(key)
        self.labels[key] = element
        return element

    def update(self, session: RunSession, state: SessionState) -> None:
        """The hub's listener: only on a new status, segment or event, and cheap (no-ops are free)."""
        self.seq = session.last_seq
        texts = live.live_texts(state, self.units)
        for key, label in self.labels.items():
            label.set_text(texts[key])
        available = live.AVAILABLE[state.status]
        for command, button in self.buttons.items():
            button.set_visibility(command in available)
        for open_part in self.while_open:
            open_part.set_visibility(not state.is_final)
        for done_part in self.when_done:
            done_part.set_visibility(state.is_final)
        if self.root is not None and self.root.props.get("data-status") != state.status.value:
            self.root.props["data-status"] = state.status.value

    async def send(self, command: Command) -> None:
        """A button's command, checked against the seq this page last saw (a stale tap is a conflict)."""
        hub = context().hub
        try:
            if self.pair_code is not None:
                paired = await hub.by_pair_code(self.pair_code)  # expired or completed: NotFound
                if paired.id != self.session_id:
                    raise NotFound("This pairing code is not valid")
            session, state = await hub.command(
                self.session_id, command, owner_id=self.owner_id, if_seq=self.seq
            )
        except (CommandConflict, NotFound) as exc:
            self.show_error(str(exc))
            return
        self.show_error("")
        self.update(session, state)  # the listener did this already when the page is watching

    def show_error(self, message: str) -> None:
        if self.error is not None:
            self.error.show(message)

    def attach(self, client: Client) -> None:
        """Join the session's push room on every (re)connect; watch it until the page is deleted.

        NiceGUI runs connect handlers on the first handshake too, so this covers the first
        connection and every reconnect (a reconnected socket has a new id: it must join again).
        """
        client.on_connect(self._connected)
        client.on_delete(self.detach)

    async def _connected(self, client: Client) -> None:
        await fanout.join(client, self.session_id)
        if self._watching:
            return
        self._watching = True
        hub = context().hub
        try:
            self._unwatch = await hub.watch(self.session_id, self.update, owner_id=self.owner_id)
            # Anything that happened between building the page and now: show it.
            session = await hub.get(self.session_id, owner_id=self.owner_id)
        except NotFound:
            log.info("session %s went away before its view connected", self.session_id)
            return
        if client.is_deleted:
            self.detach()
            return
        self.update(session, session.state(hub.now()))

    def detach(self) -> None:
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None


def control(view: LiveView, command: Command, *, on_click: Callable[[], object] | None = None) -> ui.button:
    """A command button with DOM id 'rc-<command>' and marker '<command>'."""
    label, icon, colour = BUTTONS[command]
    handler = on_click or (lambda: view.send(command))
    button = ui.button(label, icon=icon, color=colour, on_click=handler)
    button.props(f"id=rc-{command.value} unelevated no-caps").mark(command.value)
    view.buttons[command] = button
    return button


def live_page(
    session: RunSession,
    state: SessionState,
    units: Units,
    *,
    cues: bool = False,
    wake_lock: bool = False,
    chart_id: int | None = None,
) -> None:
    """The page-level parts every live view needs: styles, the initial snapshot, live.js."""
    ui.add_css(LIVE_CSS)
    ui.colors(primary="#0f766e")
    data = live.view_data(
        session.segments,
        payload(session, state),
        units,
        cues=cues,
        wake_lock=wake_lock,
        chart_id=chart_id,
    )
    script_safe = json.dumps(data).replace("</", "<\\/")  # '</' inside a <script> would end it early
    ui.add_body_html(f"<script>window.RC_VIEW = {script_safe};</script>")
    ui.add_body_html(f'<script src="{LIVE_JS_URL}"></script>')


def initial_clock(view: LiveView, state: SessionState, key: str, classes: str) -> ui.label:
    """A clock label live.js moves (rc-elapsed, rc-remaining): the server sets only its first value."""
    text = (
        live.elapsed_clock(state.elapsed_s) if key == "elapsed" else live.countdown(state.segment_remaining_s)
    )
    return ui.label(text).props(f"id=rc-{key}").classes(classes).mark(key)


def bar(dom_id: str, classes: str = "") -> None:
    with ui.element("div").classes(f"rc-bar {classes}"):
        ui.element("div").props(f"id={dom_id}")


@contextmanager
def live_root(view: LiveView, state: SessionState, classes: str) -> Iterator[ui.column]:
    with ui.column().classes(f"rc-live {classes}").props(f"data-status={state.status.value}") as root:
        view.root = root
        yield root


async def owned_session(session_id: str, user: User) -> RunSession:
    """The signed-in runner's session by the id in the URL; NotFound for anything else."""
    wanted = workout_present.parse_id(session_id)
    return await context().hub.get(wanted, owner_id=user.id)


def not_found(user: User | None, message: str = "There is no such session among yours.") -> None:
    # The same page for an unknown id and somebody else's: nothing tells whether it exists.
    ui.status_code(404)
    with frame("Session not found", user):
        ui.label(message).classes("text-gray-600").mark("not-found")
        if user is not None:
            ui.link("My sessions", "/sessions")
        else:
            ui.link("Pair with a code", "/pair")


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
        for command in (Command.BACK, Command.SKIP, Command.FINISH):
            control(view, command).classes("w-44").props("outline" if command is Command.FINISH else "")
        done = ui.button("My sessions", icon="list", on_click=lambda: ui.navigate.to("/sessions"))
        done.props("id=rc-done unelevated no-caps color=primary").classes("grow").mark("done")
        view.when_done.append(done)


def _chart(session: RunSession, state: SessionState, units: Units) -> ui.echart:
    options = live.live_chart(session.segments, units, live.program_position_s(session.segments, state))
    with ui.column().classes("rc-card w-full gap-1 p-2"):
        chart = ui.echart(options).classes("w-full h-[16vh] min-h-[110px]").mark("profile")
        bar("rc-workout-bar", "rc-thin")
    return chart


async def open_owned(session_id: str) -> tuple[User, RunSession] | Response | None:
    """The signed-in user and their session; else a redirect to sign in, or a rendered not-found page."""
    user = await current_user()
    if user is None:
        return RedirectResponse("/login")
    try:
        return user, await owned_session(session_id, user)
    except NotFound:
        not_found(user)
        return None


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
