"""The live-view component every run screen shares: tablet, TV and phone remote.

A `LiveView` is one page's view of one session. It is built from the database (hub.get + fold),
so a reload shows the truth; then the hub keeps it current without a timer on the page: its
listener sets the labels that change with the status or the segment, and its one ticker pushes
the clock snapshot that runcoach/static/live.js interpolates in the browser (elapsed, time left,
bars, the chart's line). Pages lay out widgets with the helpers here and hand off.

Taps: live.js drops a second tap within 0.6 s of a command and disables the command buttons while
the socket is down; here a view ignores a tap while its previous command is still being saved
(and says so), Finish asks first on every view, and the error line clears with the next push.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fastapi.responses import RedirectResponse, Response
from nicegui import Client, core, ui
from nicegui.events import GenericEventArguments
from starlette.requests import Request

from pages.forms import ErrorLabel
from pages.layout import frame
from runcoach.auth.web import current_user
from runcoach.context import context
from runcoach.domain.accounts import Units, User
from runcoach.domain.errors import NotFound, RunCoachError
from runcoach.domain.session import Command, RunSession, SessionState
from runcoach.live import fanout
from runcoach.live import present as live
from runcoach.live.ticker import payload
from runcoach.pwa import STATIC_DIR
from runcoach.workouts import present as workout_present

log = logging.getLogger(__name__)

#: A tablet on a treadmill loses Wi-Fi now and then: keep its page (and replay what it missed)
#: for this long before the browser has to reload it from the server.
RECONNECT_TIMEOUT_S = 30.0
#: label, icon, colour of each command's button.
BUTTONS: dict[Command, tuple[str, str, str]] = {
    # WCAG AA (4.5:1) in a bright gym: white on green-9 is 5.1:1, on blue-grey-7 5.4:1; amber-6 gets
    # dark text from live.css (11:1); Finish is an outline, red-4 on the dark page is 6.2:1.
    Command.START: ("Start", "play_arrow", "green-9"),
    Command.PAUSE: ("Pause", "pause", "amber-6"),
    Command.RESUME: ("Resume", "play_arrow", "green-9"),
    Command.BACK: ("Back", "skip_previous", "blue-grey-7"),
    Command.SKIP: ("Skip", "skip_next", "blue-grey-7"),
    Command.FINISH: ("Finish", "stop", "red-4"),
}

LIVE_CSS = STATIC_DIR / "css" / "live.css"


@functools.cache
def _static_url(path: Path) -> str:
    """The file's URL with a hash of its content, so a new version is never served from a cache."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    return f"/static/{path.relative_to(STATIC_DIR).as_posix()}?v={digest}"


LIVE_JS_URL = _static_url(STATIC_DIR / "live.js")


def stylesheet(path: Path) -> None:
    """Link a stylesheet of runcoach/static into this page's head (its URL carries a content hash).

    Not `ui.add_css(path)`: that copies the whole file into every client's head HTML, kept in server
    memory for as long as the page lives (about 8 KB per open live view, benchmarks/README.md).
    """
    ui.add_head_html(f'<link rel="stylesheet" href="{_static_url(path)}">')


#: What a view says about a tap that came while its previous command was still being saved. A double
#: tap (two taps within 0.6 s) never gets here: live.js drops the second in the browser, which sees
#: the tap first and at its real time. The page keeps only this cheap guard against what gets past
#: it (a slow save, a script): a time window here would also swallow a test's or a script's quick
#: but deliberate second command, and the server sees tap times blurred by the network anyway.
IGNORED = "That tap came after another one and was ignored"
#: live.js tells the page that a push newer than its error line arrived (the line then clears).
SEEN_EVENT = "runcoach_seen"
#: Marks every command button (and the Finish question's confirm) for live.js: guarded, disabled offline.
COMMAND_CLASS = "rc-command"


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
    #: Parts that follow the session itself, not its state (the pairing card: a new code).
    followers: list[Callable[[RunSession], None]] = field(default_factory=list)
    _unwatch: Callable[[], None] | None = None
    _watching: bool = False
    #: The last session `update` saw: a (re)connected page gets a fresh snapshot of it at once.
    _session: RunSession | None = None
    _in_flight: bool = False
    _repeated: bool = False  # a tap came while the command in flight was being saved
    #: Server time (ms) at which the error line showed its message; None while it is empty.
    _error_at: int | None = None

    def label(self, key: str, classes: str = "", *, caption: str | None = None) -> ui.label:
        """A label `update` keeps current (key in live.live_texts); DOM id 'rc-<key>'.

        Pages call `update` once after building, so the label starts empty here.
        """
        element = captioned(ui.label().props(f"id=rc-{key}").classes(classes).mark(key), caption)
        self.labels[key] = element
        return element

    def update(self, session: RunSession, state: SessionState) -> None:
        """The hub's listener: only on a new status, segment or event, and cheap (no-ops are free)."""
        self.seq = session.last_seq
        self._session = session
        if self._error_at is not None and _ms(state.as_of) > self._error_at:
            self.show_error("")  # the message was about a tap on a state this newer one replaces
        texts = live.live_texts(state, self.units, session.console)
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
        for follower in self.followers:
            follower(session)

    async def send(self, command: Command) -> None:
        """A button's command, checked against the seq this page last saw (a stale tap is a conflict).

        A tap while this view's previous command is still being saved is this view's own repeat:
        it does nothing and says so (never "another screen").
        """
        if self._in_flight:
            self._repeated = True  # said once the first one is done: its own update would clear it
            return
        self._in_flight, self._repeated = True, False
        try:
            session, state = await self._command(command)
        except RunCoachError as exc:  # every kind carries a sentence meant for the runner
            self.show_error(str(exc))
            return
        finally:
            self._in_flight = False
        self.update(session, state)  # the listener did this already when the page is watching
        self.show_error(IGNORED if self._repeated else "")

    async def _command(self, command: Command) -> tuple[RunSession, SessionState]:
        hub = context().hub
        if self.pair_code is not None:
            paired = await hub.by_pair_code(self.pair_code)  # expired or completed: NotFound
            if paired.id != self.session_id:
                raise NotFound("This pairing code is not valid")
        # This view's own commands are never in flight together (see `send`), so a stale seq means
        # another screen or the API changed the session, and the hub's conflict sentence says so.
        return await hub.command(self.session_id, command, owner_id=self.owner_id, if_seq=self.seq)

    def show_error(self, message: str) -> None:
        if self.error is None or (not message and self._error_at is None):
            return  # clearing an empty line sends nothing to the browser
        self._error_at = _ms(context().hub.now()) if message else None
        if message:
            self.error.props(f"data-at={self._error_at}")  # live.js compares pushes with it
        self.error.show(message)

    def _seen(self, event: GenericEventArguments) -> None:
        """live.js got a push newer than the error line's message: that message is old news."""
        pushed_ms = event.args
        if isinstance(pushed_ms, int | float) and self._error_at is not None and pushed_ms > self._error_at:
            self.show_error("")

    def attach(self, client: Client) -> None:
        """Join the session's push room on every (re)connect; watch it until the page is deleted.

        NiceGUI runs connect handlers on the first handshake too, so this covers the first
        connection and every reconnect (a reconnected socket has a new id: it must join again).
        """
        client.on_connect(self._connected)
        client.on_delete(self.detach)
        client.layout.on(SEEN_EVENT, self._seen)
        release_request(client)

    async def _connected(self, client: Client) -> None:
        await fanout.join(client, self.session_id)
        if self._watching or await self._watch(client):
            await self._send_snapshot(client)

    async def _send_snapshot(self, client: Client) -> None:
        """The page's clock starts from a fresh snapshot at once, not at the next push (up to a
        heartbeat away): a reloaded page's embedded one is a moment old, a reconnected one may
        have missed a pause."""
        if self._session is None:
            return
        data = payload(self._session, self._session.state(context().hub.now()))
        for sid in fanout.socket_ids(client):
            await core.sio.emit(fanout.STATE_EVENT, data, to=sid)

    async def _watch(self, client: Client) -> bool:
        """Start watching the session (once per page); False if it cannot be watched right now."""
        self._watching = True
        hub = context().hub
        try:
            self._unwatch = await hub.watch(self.session_id, self.update, owner_id=self.owner_id)
            # Anything that happened between building the page and now: show it. The hub's copy,
            # kept current by every command, is shared by all of the session's views in this process
            # (a copy of its own per view would cost 5 to 16 KB each, for as long as the page is open).
            session = hub.watched(self.session_id) or await hub.get(self.session_id, owner_id=self.owner_id)
        except RunCoachError as exc:  # gone, or the database is down: the next reconnect tries again
            log.info("session %s view not watching: %s", self.session_id, exc)
            self.detach()
            self._watching = False
            return False
        if client.is_deleted:
            self.detach()
            return False
        self.update(session, session.state(hub.now()))
        return True

    def detach(self) -> None:
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None


#: What a live page still reads from its request once it is built: its address and headers, the
#: browser session NiceGUI's storage keys on, and the app.
KEPT_SCOPE = (
    *("type", "asgi", "http_version", "method", "scheme", "server", "client", "root_path", "app_root_path"),
    *("path", "raw_path", "query_string", "headers", "path_params", "app", "session", "state"),
    "nicegui_page_path",
)


def release_request(client: Client) -> None:
    """Keep a copy of the page's request without the machinery that served it.

    NiceGUI keeps the request a page was built for as long as the page lives: for a live view, the
    whole run. Its receive channel holds every HTTP middleware's streams, events and task state
    (about 18 KB a view, benchmarks/README.md). A request over the same scope facts answers all
    that the page and NiceGUI ask later (URL, headers, cookies, client address, session).
    """
    request = client.request
    scope = {key: request.scope[key] for key in KEPT_SCOPE if key in request.scope}
    client._request = Request(scope)  # NiceGUI has no setter; pinned to 3.x in pyproject


def _ms(moment: datetime) -> int:
    """Milliseconds since the epoch, as the pushes' server_ms."""
    return int(moment.timestamp() * 1000)


def control(view: LiveView, command: Command, *, on_click: Callable[[], object] | None = None) -> ui.button:
    """A command button with DOM id 'rc-<command>' and marker '<command>'."""
    label, icon, colour = BUTTONS[command]
    handler = on_click or (lambda: view.send(command))
    button = ui.button(label, icon=icon, color=colour, on_click=handler)
    button.props(f"id=rc-{command.value} unelevated no-caps").classes(COMMAND_CLASS).mark(command.value)
    view.buttons[command] = button
    return button


def finish_control(view: LiveView) -> ui.button:
    """Finish, which asks first on every view: it ends the run on every screen and cannot be undone,
    and a pocket tap or a reach for Skip beside it is easy.

    The question is built on the first tap and kept: most runs never ask it, and its seven elements
    would cost every open view about 30 KB of server memory for the whole run.
    """
    dialog: ui.dialog | None = None

    def ask() -> None:
        nonlocal dialog
        if dialog is None:
            with view.root or ui.context.client.content:
                dialog = finish_dialog(view)
        dialog.open()

    return control(view, Command.FINISH, on_click=ask).props("outline")


def finish_dialog(view: LiveView) -> ui.dialog:
    async def confirm() -> None:
        dialog.close()
        await view.send(Command.FINISH)

    with ui.dialog().mark("finish-dialog") as dialog, ui.card().classes("rc-dialog p-6 gap-4 min-w-[300px]"):
        ui.label("Finish this run?").classes("text-2xl font-bold")
        ui.label("The session ends on every screen; it cannot be resumed.").classes("text-base")
        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Keep running", on_click=dialog.close).props(
                "id=rc-finish-cancel flat no-caps size=lg"
            ).mark("finish-cancel")
            ui.button("Finish", icon="stop", color="negative", on_click=confirm).props(
                "id=rc-finish-confirm unelevated no-caps size=lg"
            ).classes(COMMAND_CLASS).mark("finish-confirm")
    return dialog


def live_page(
    session: RunSession,
    state: SessionState,
    units: Units,
    *,
    cues: bool = False,
    wake_lock: bool = False,
    chart_id: int | None = None,
) -> None:
    """The page-level parts every live view needs: styles (the theme colour too: live.css, not a
    `ui.colors` element per view), the initial snapshot, live.js."""
    stylesheet(LIVE_CSS)
    data = live.view_data(
        session.segments,
        payload(session, state),
        units,
        cues=cues,
        wake_lock=wake_lock,
        chart_id=chart_id,
        console=session.console,
    )
    script_safe = json.dumps(data).replace("</", "<\\/")  # '</' inside a <script> would end it early
    ui.add_body_html(f"<script>window.RC_VIEW = {script_safe};</script>")
    ui.add_body_html(f'<script src="{LIVE_JS_URL}"></script>')


def initial_clock(
    view: LiveView, state: SessionState, key: str, classes: str, *, caption: str | None = None
) -> ui.label:
    """A clock label live.js moves (rc-elapsed, rc-remaining): the server sets only its first value."""
    text = (
        live.elapsed_clock(state.elapsed_s) if key == "elapsed" else live.countdown(state.segment_remaining_s)
    )
    return captioned(ui.label(text).props(f"id=rc-{key}").classes(classes).mark(key), caption)


# --- few elements: every element of an open view costs the server about 4 KB for the whole run ------


def captioned(element: ui.label, caption: str | None) -> ui.label:
    """A static caption ('Speed', 'Next') drawn by live.css before the label's text, not an element of
    its own (nor the row around the two). Screen readers read it; Selenium's text and live.js's
    text node are the label's own text alone. `rc-cap-block` puts it on a line above the text."""
    if caption is not None:
        element.props["data-caption"] = caption
    return element


def bar(dom_id: str, classes: str = "") -> ui.html:
    """A progress bar live.js fills (the inner div `dom_id`): one element, the fill is plain HTML."""
    return ui.html(f'<div id="{dom_id}"></div>', sanitize=False).classes(f"rc-bar {classes}")


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
