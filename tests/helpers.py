"""Test helpers shared by every test module (test files never import each other).

Page stories run on a busy 2-core machine: navigation builds the next page in a background task
from the database, so waits are generous (see `PATIENCE` and the conftest's patient `should_see`).
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import secrets
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from argon2 import PasswordHasher
from nicegui import ui
from nicegui.testing import User
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.auth import service as auth_service
from runcoach.config import Settings
from runcoach.context import context
from runcoach.db import sessions as session_queries
from runcoach.db.engine import Database
from runcoach.domain.accounts import User as Account
from runcoach.domain.paces import Race, SpeedRange, Zone
from runcoach.domain.plan_model import (
    HARD_BY_DEFAULT,
    GoalKind,
    Phase,
    PlanConstraints,
    PlanWeek,
    Weekday,
    WorkoutType,
)
from runcoach.domain.plan_model import WorkoutType as T
from runcoach.domain.plans import DayPlan, Methodology, PlanDraft
from runcoach.domain.profile import Profile
from runcoach.domain.session import Command, EventKind, RunSession, SessionState
from runcoach.domain.structure import Console, Repeat, Step, StepKind, StructuredWorkout, Treadmill
from runcoach.domain.workouts import Goal, Segment, SegmentLabel, WorkoutSpec
from runcoach.live.channels import ChangeHandler
from runcoach.live.hub import Hub
from runcoach.workouts import service as workouts

PASSWORD = "a-Strong-pass-9"
#: The fake clock's start in the hub tests.
T0 = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
#: should_see retries every 0.1 s: 100 retries is 10 s, plenty for a page build on a loaded box.
PATIENCE = 100

#: argon2id at the lowest cost (about 1 ms a hash instead of 0.1 to 0.3 s), for in-process tests: they
#: hash and check through the same code, threads and gate as production, only cheaper. Servers and
#: command lines started as processes keep the production cost; tests/db/test_accounts.py checks it.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

#: Ids no database row can have: past PostgreSQL's INTEGER, SQLite's INTEGER, and 64 bits.
HUGE_IDS = (str(2**31), str(2**63), str(2**64), "9" * 40)

E = TypeVar("E", bound=ui.element)


async def add_account(email: str, name: str | None = None, *, admin: bool = False) -> Account:
    """A new account with PASSWORD, made through the accounts service of the running app."""
    ctx = context()
    return await auth_service.create_user(
        ctx.db,
        email=email,
        name=name or email.split("@")[0].title(),
        password=PASSWORD,
        is_admin=admin,
        now=ctx.clock.now(),
    )


async def sign_in(user: User, email: str, password: str = PASSWORD, *, wait: bool = True) -> None:
    """Sign in on /login; with `wait`, until the workouts page is there."""
    await user.open("/login")
    user.find("Email").type(email)
    user.find("Password").type(password)
    user.find(kind=ui.button, content="Sign in").click()
    if wait:
        await user.should_see(marker="generate", retries=PATIENCE)


def the(user: User, kind: type[E], marker: str) -> E:
    """The one element of `kind` with this marker on the current page."""
    (element,) = user.find(kind=kind, marker=marker).elements
    return element


async def watching(session: RunSession, views: int = 1) -> None:
    """`views` pages have connected and watch the session, as open browsers' pages have before a tap.

    The page tests' app has one session per test, so every listener of the ticker is one of its views.
    """
    ticker = context().hub.ticker
    deadline = asyncio.get_running_loop().time() + PATIENCE / 10
    while not (ticker.is_watched(session.id) and ticker.listener_count >= views):
        assert asyncio.get_running_loop().time() < deadline, "the pages never watched their session"
        await asyncio.sleep(0.01)


# --- time and runs in the page tests' app ---------------------------------------------------------


class JumpClock:
    """The page tests' app clock: the system clock plus the jumps a story makes.

    Real time flows (the ticker, NiceGUI, the views), and `jump` moves the app's time ahead at once,
    so a story can play a 20-minute workout to its end without waiting 20 minutes.
    """

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def jump(self, seconds: float) -> None:
        self._offset += timedelta(seconds=seconds)


async def jump(seconds: float) -> None:
    """Move the app's time ahead, then let the ticker push what changed (a boundary, the end) at once."""
    ctx = context()
    assert isinstance(ctx.clock, JumpClock), "the app was not set up with tests/app_main.py"
    ctx.clock.jump(seconds)
    await ctx.hub.tick()


async def a_run(
    account: Account, goal: Goal = Goal.INTERVALS, minutes: int = 20, *, seed: int = 11
) -> RunSession:
    """A generated workout of the runner's and a new session playing it, through the app's services."""
    ctx = context()
    spec = WorkoutSpec(duration_min=minutes, goal=goal)
    workout = await workouts.generate(ctx.db, owner_id=account.id, spec=spec, seed=seed, now=ctx.clock.now())
    return await ctx.hub.create_session(workout_id=workout.id, owner_id=account.id)


async def run_commands(session: RunSession, *commands: Command) -> None:
    """Commands through the app's hub, as the runner's own device would send them."""
    for each in commands:
        await context().hub.command(session.id, each, owner_id=session.owner_id)


async def state_now(session: RunSession) -> SessionState:
    """The session's state in the app right now, folded from the database."""
    hub = context().hub
    return (await hub.get(session.id, owner_id=None)).state(hub.now())


def flat(seconds: int, kmh: float, label: SegmentLabel = SegmentLabel.RUN) -> Segment:
    """A segment at 1 % incline (flat enough for the VDOT from runs)."""
    return Segment(label=label, duration_s=seconds, speed_kmh=kmh, incline_pct=1.0)


async def past_run(
    owner_id: int,
    start: datetime,
    segments: Sequence[Segment],
    *,
    finish_after_s: float | None = None,
    plan_day: tuple[int, int] | None = None,
    calibration: float = 1.0,
) -> RunSession:
    """A session run in the past, stored straight in the app's database (the clock only moves ahead):
    created and started at `start`, then played to its program's end, or finished after
    `finish_after_s` seconds of running."""
    db_ = context().db
    async with db_.session() as db:
        stored = await session_queries.add_session(
            db,
            owner_id=owner_id,
            name="Past run",
            segments=tuple(segments),
            pair_code=secrets.token_hex(6).upper(),
            now=start,
            plan_day=plan_day,
            console=Console(calibration=calibration),
        )
        await session_queries.append_event(db, session_id=stored.id, seq=2, kind=EventKind.STARTED, at=start)
        if finish_after_s is not None:
            end = start + timedelta(seconds=finish_after_s)
            finished = EventKind.FINISHED
            await session_queries.append_event(db, session_id=stored.id, seq=3, kind=finished, at=end)
    return stored


# --- the hub on a bare database (no app) -------------------------------------------------------


async def owner_and_workout(database: Database, email: str = "ann@example.com") -> tuple[int, int]:
    """A runner and a 20-minute interval workout of theirs, straight through the services."""
    user = await auth_service.create_user(
        database, email=email, name="Ann", password="Correct-Horse-42", is_admin=False, now=T0
    )
    spec = WorkoutSpec(duration_min=20, goal=Goal.INTERVALS)
    workout = await workouts.generate(database, owner_id=user.id, spec=spec, seed=5, now=T0)
    return user.id, workout.id


async def new_session(hub: Hub, database: Database) -> RunSession:
    """A new runner's new session, created through the hub."""
    owner, workout = await owner_and_workout(database)
    return await hub.create_session(workout_id=workout, owner_id=owner)


# --- outages and replicas ------------------------------------------------------------------------


class SqliteOutage:
    """A real SQLite outage: close the pool, then put a directory where the database file was.

    Every new connection then fails with "unable to open database file", as with a lost disk.
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        self._before: set[threading.Thread] = set()

    async def start(self) -> None:
        # No await between the snapshot and the swap: every worker thread started after the
        # snapshot belongs to a connection attempt that fails (see `settle`).
        self._before = set(threading.enumerate())
        _replace_with_directory(Path(make_url(self.database.url).database or ""))
        await self.database.close()  # pooled connections still hold the old file open: drop them

    async def settle(self, timeout_s: float = 30.0) -> None:
        """Let the worker threads of failed connections finish while this event loop still runs.

        On a failed connect aiosqlite queues "stop" with a future of the current loop; a thread
        that gets to it after the test's loop closed dies with "Event loop is closed" (an error here).
        """
        if not self._before:
            return  # never started
        for thread in set(threading.enumerate()) - self._before:
            if thread.name.endswith("(_connection_worker_thread)"):
                await asyncio.to_thread(thread.join, timeout_s)


def _replace_with_directory(path: Path) -> None:
    path.rename(path.with_name(path.name + ".away"))
    path.mkdir()


class TcpRelay:
    """A TCP relay in front of a server that a test can cut (refused) or freeze (no answer)."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.frozen = False
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        """Listen on a free local port; returns it."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self._writers.add(up_writer)
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await source.read(65536):
                if not self.frozen:  # frozen: swallow everything, answer nothing
                    sink.write(data)
                    await sink.drain()
        sink.close()

    async def cut(self) -> None:
        """Stop listening and drop every open connection: the server is gone."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


class MemoryNotifier:
    """Cross-replica sync inside one test: every hub subscribed hears every hub's notifications
    (after the commit: it cannot join a transaction)."""

    def __init__(self) -> None:
        self.handlers: list[ChangeHandler] = []
        self.sent: list[tuple[int, int]] = []

    def subscribe(self, handler: ChangeHandler) -> None:
        self.handlers.append(handler)

    async def within(self, db: AsyncSession, session_id: int, seq: int) -> None:
        return None

    async def notify(self, session_id: int, seq: int) -> None:
        self.sent.append((session_id, seq))
        for handler in list(self.handlers):
            await handler(session_id, seq)


class Recorder:
    """A broadcaster that remembers what it sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, dict[str, Any]]] = []

    async def broadcast(self, session_id: int, payload: dict[str, Any]) -> None:
        self.sent.append((session_id, payload))


@dataclass
class Fragile:
    """`db` works until `cut()`; then the database does not answer (refused, or a missing file)."""

    db: Database
    cut: Callable[[], Awaitable[None]]
    relay: TcpRelay | None = None  # PostgreSQL only: `relay.frozen = True` makes it hang instead


def imported_modules(path: Path) -> set[str]:
    """The absolute module names a Python file imports (for the layer tests)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


# --- real browsers (Selenium on Debian's Chromium; the `browser` fixture is in tests/e2e/conftest.py) ---

WAIT_S = 10


def describe(driver: WebDriver) -> str:
    """The page's address and visible text, for failure messages."""
    try:
        body = driver.find_element(By.TAG_NAME, "body").text
    except WebDriverException as exc:
        body = f"<unreadable: {exc}>"
    return f"{driver.current_url}\n{body[:1500]}"


def wait_for(
    driver: WebDriver, condition: Callable[[WebDriver], Any], what: str, timeout: float = WAIT_S
) -> Any:
    # A page that reloads (a restarted server, a reconnect past its timeout) replaces the element a
    # condition just found: that poll says "not yet", like a missing element, and the next one looks again.
    ignored = (NoSuchElementException, StaleElementReferenceException)
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1, ignored_exceptions=ignored).until(condition)
    except TimeoutException:
        raise AssertionError(
            f"timed out after {timeout} s waiting for {what} on:\n{describe(driver)}"
        ) from None


def wait_connected(driver: WebDriver) -> None:
    """NiceGUI's socket has finished its handshake: clicks reach the server, pushes reach the page."""
    wait_for(
        driver, lambda d: d.execute_script("return window.did_handshake === true"), "the socket handshake"
    )


def text_of(driver: WebDriver, element_id: str) -> str:
    """The element's DOM text (textContent: CSS may show it upper-case, as the status pill does)."""
    return str(driver.find_element(By.ID, element_id).get_property("textContent") or "").strip()


def wait_text(driver: WebDriver, element_id: str, expected: str) -> None:
    def shows(d: WebDriver) -> bool:
        try:
            return text_of(d, element_id) == expected
        except WebDriverException:  # not rendered yet, or re-rendered between find and read
            return False

    wait_for(driver, shows, f"#{element_id} to read {expected!r}")


def holds_for(driver: WebDriver, condition: Callable[[WebDriver], bool], what: str, seconds: float) -> None:
    """The condition stays true for `seconds` (checked ten times a second; fails at the first miss)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert condition(driver), f"{what} changed:\n{describe(driver)}"
        time.sleep(0.1)  # the polling interval of an observation window, not a wait for something


def tap(driver: WebDriver, element_id: str) -> None:
    wait_for(driver, ec.element_to_be_clickable((By.ID, element_id)), f"#{element_id} to be tappable").click()


def field(driver: WebDriver, label: str) -> WebElement:
    """The <input> of the Quasar field labelled `label`."""
    xpath = f"//label[.//*[contains(@class, 'q-field__label') and normalize-space()='{label}']]//input"
    return wait_for(driver, ec.visibility_of_element_located((By.XPATH, xpath)), f"the {label} field")


def sign_in_browser(driver: WebDriver, base: str, email: str, password: str) -> None:
    """Sign in through the real form; returns once the browser has left /login."""
    driver.get(f"{base}/login")
    wait_connected(driver)
    field(driver, "Email").send_keys(email)
    field(driver, "Password").send_keys(password)
    button = "//button[.//*[normalize-space()='Sign in'] or normalize-space()='Sign in']"
    wait_for(driver, ec.element_to_be_clickable((By.XPATH, button)), "the Sign in button").click()
    wait_for(driver, lambda d: "/login" not in d.current_url, "the sign-in to navigate away from /login")


def open_signed_in(driver: WebDriver, base: str, path: str, email: str, password: str) -> None:
    """Sign in through the real form, open `path`, and wait until its socket is connected."""
    sign_in_browser(driver, base, email, password)
    driver.get(base + path)
    wait_for(driver, lambda d: path in d.current_url, f"the browser to stay on {path}")
    wait_connected(driver)


# --------------------------------------------------------------------------- plans

#: A runner who trains Monday, Wednesday, Friday and Sunday, an hour at most on weekdays.
PLAN_PROFILE = Profile.model_validate(
    {
        "easy_pace_s_per_km": 360,
        "weekly_km": 25,
        "available_days": ["mon", "wed", "fri", "sun"],
        "max_minutes": {"mon": 60, "wed": 60, "fri": 60, "sun": 120},
        "long_run_day": "sun",
        "level": "intermediate",
    }
)


def easy_run(minutes: int, name: str = "Easy run") -> StructuredWorkout:
    return StructuredWorkout(
        name=name, items=(Step(kind=StepKind.STEADY, duration_s=minutes * 60, zone=Zone.EASY),)
    )


def easy_plan(
    monday: date, weeks: int = 3, minutes: int = 40, weekdays: tuple[int, ...] = (0, 2, 4)
) -> PlanDraft:
    """A base-phase volume plan of easy runs on `weekdays`, the same every week: it breaks no rule
    for PLAN_PROFILE, and moving a run to a day the runner does not train on breaks one."""
    days = [
        DayPlan(
            wid=week * len(weekdays) + i + 1,
            date=monday + timedelta(weeks=week, days=weekday),
            type=WorkoutType.EASY,
            hard=False,
            title=f"Easy {minutes} min",
            structure=easy_run(minutes),
        )
        for week in range(weeks)
        for i, weekday in enumerate(weekdays)
    ]
    plan_weeks = [
        PlanWeek(index=i, start_date=monday + timedelta(weeks=i), phase=Phase.BASE) for i in range(weeks)
    ]
    return PlanDraft(
        methodology=Methodology.DANIELS, weeks=tuple(plan_weeks), days=tuple(days), goal=GoalKind.VOLUME
    )


# --- hand-built plans for the plan edit and Adapt today tests -----------------------------------------
#
# Round zones (E 11, M 13, T 14, I 15.3 km/h) so every figure in those tests can be worked out by hand.
# The plan (a 10K on Sunday 30 March 2025), with `build_workout`'s shapes (a tempo is 5 min E, the rest
# at T, 5 min E):
#   week 0  base      Tue 30 easy, Wed 60 easy, Thu 30 easy, Sat 30 easy, Sun 55 long    37.58 km, all easy
#   week 1  build     Tue 30 easy, Wed 60 tempo, Thu 30 easy, Sat 30 easy, Sun 55 long   40.08 km, 75.6 % easy
#   week 2  recovery  Tue 30 easy, Wed 40 tempo, Thu 30 easy, Sat 30 easy, Sun 50 long   34.50 km
#   week 3  race      Tue 30 easy, Wed 30 tempo, Thu 30 easy, Sat rest, Sun the race     19.83 km, 77.8 % easy
# Mondays and Fridays are free; the runner may train any day for up to 120 minutes.

EDIT_ZONES = {
    Zone.EASY: SpeedRange(min_kmh=10.0, max_kmh=12.0),
    Zone.MARATHON: SpeedRange(min_kmh=12.8, max_kmh=13.2),
    Zone.THRESHOLD: SpeedRange(min_kmh=13.5, max_kmh=14.0),
    Zone.INTERVAL: SpeedRange(min_kmh=15.0, max_kmh=15.6),
    Zone.REPETITION: SpeedRange(min_kmh=16.3, max_kmh=17.0),
}
EDIT_TREADMILL = Treadmill(min_speed_kmh=1.0, max_speed_kmh=20.0, max_incline_pct=15.0)
EDIT_CONSTRAINTS = PlanConstraints(weekday_minutes=dict.fromkeys(Weekday, 120))
PLAN_START = date(2025, 3, 3)
_MAIN_ZONE = {T.TEMPO: Zone.THRESHOLD, T.PROGRESSION: Zone.MARATHON, T.FARTLEK: Zone.MARATHON}

_EDIT_WEEKS: list[tuple[Phase, bool, dict[int, tuple[T, int]]]] = [
    (
        Phase.BASE,
        False,
        {1: (T.EASY, 30), 2: (T.EASY, 60), 3: (T.EASY, 30), 5: (T.EASY, 30), 6: (T.LONG, 55)},
    ),
    (
        Phase.BUILD,
        False,
        {1: (T.EASY, 30), 2: (T.TEMPO, 60), 3: (T.EASY, 30), 5: (T.EASY, 30), 6: (T.LONG, 55)},
    ),
    (
        Phase.BUILD,
        True,
        {1: (T.EASY, 30), 2: (T.TEMPO, 40), 3: (T.EASY, 30), 5: (T.EASY, 30), 6: (T.LONG, 50)},
    ),
    (
        Phase.RACE_WEEK,
        False,
        {1: (T.EASY, 30), 2: (T.TEMPO, 30), 3: (T.EASY, 30), 5: (T.REST, 0), 6: (T.RACE, 0)},
    ),
]


def build_workout(kind: T, minutes: int) -> StructuredWorkout:
    """The tests' `Build`: one E step for easy, recovery and long runs; otherwise 5 min E (2 below 20
    minutes), the main part, the same again E (intervals as 3 min I + 2 min E repeats)."""
    if kind in (T.EASY, T.RECOVERY, T.LONG):
        return StructuredWorkout(
            name=f"{minutes} min {kind}",
            items=(Step(kind=StepKind.STEADY, duration_s=minutes * 60, zone=Zone.EASY),),
        )
    frame = 300 if minutes >= 20 else 120
    main: Step | Repeat = Step(
        kind=StepKind.WORK, duration_s=minutes * 60 - 2 * frame, zone=_MAIN_ZONE.get(kind, Zone.THRESHOLD)
    )
    if kind is T.INTERVALS:
        work = Step(kind=StepKind.WORK, duration_s=180, zone=Zone.INTERVAL)
        rounds = max(2, (minutes * 60 - 2 * frame) // 300)
        main = Repeat(
            times=rounds, steps=(work, Step(kind=StepKind.RECOVERY, duration_s=120, zone=Zone.EASY))
        )
    return StructuredWorkout(
        name=f"{minutes} min {kind}",
        items=(
            Step(kind=StepKind.WARMUP, duration_s=frame, zone=Zone.EASY),
            main,
            Step(kind=StepKind.COOLDOWN, duration_s=frame, zone=Zone.EASY),
        ),
    )


def edits_plan() -> PlanDraft:
    """The hand-built 10K plan above; wids count up from 1 in date order."""
    days: list[DayPlan] = []
    for index, (_, _, pattern) in enumerate(_EDIT_WEEKS):
        for offset, (kind, minutes) in sorted(pattern.items()):
            day = PLAN_START + timedelta(weeks=index, days=offset)
            structure = build_workout(kind, minutes) if kind not in (T.REST, T.RACE) else None
            title = structure.name if structure is not None else kind.value.title()
            hard = kind in HARD_BY_DEFAULT
            days.append(
                DayPlan(wid=len(days) + 1, date=day, type=kind, hard=hard, title=title, structure=structure)
            )
    weeks = tuple(
        PlanWeek(index=i, start_date=PLAN_START + timedelta(weeks=i), phase=phase, recovery=recovery)
        for i, (phase, recovery, _) in enumerate(_EDIT_WEEKS)
    )
    return PlanDraft(
        methodology=Methodology.DANIELS,
        weeks=weeks,
        days=tuple(days),
        goal=GoalKind.RACE,
        race_distance=Race.TEN_K,
        race_date=PLAN_START + timedelta(weeks=3, days=6),
    )


def wid_on(draft: PlanDraft, day: date) -> int:
    """The wid of the day planned on `day`."""
    found = draft.on(day)
    assert found is not None, day
    return found.wid


def tempo_today(today: date) -> PlanDraft:
    """Easy 40-minute runs every day from this Monday for three weeks, with a 40-minute tempo today
    (the built-in coach makes a hard day easier for a runner who says they are sore)."""
    draft = easy_plan(today - timedelta(days=today.weekday()), weekdays=tuple(range(7)))
    tempo = build_workout(T.TEMPO, 40)
    days = tuple(
        d.model_copy(update={"type": T.TEMPO, "hard": True, "title": "Tempo 40 min", "structure": tempo})
        if d.date == today
        else d
        for d in draft.days
    )
    return draft.model_copy(update={"days": days})


def body_text(driver: WebDriver) -> str:
    """Everything the page shows, as text."""
    return str(driver.find_element(By.TAG_NAME, "body").text)


def no_sideways_scrolling(driver: WebDriver) -> bool:
    """The page is no wider than the window: nothing to scroll sideways to."""
    return bool(driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"))


@contextlib.asynccontextmanager
async def server_database(data_dir: Path, email: str) -> AsyncIterator[tuple[Settings, Database, int]]:
    """A real server's settings and database (on `data_dir`) and the id of its account `email`:
    where a browser story stores its starting point through the services."""
    from runcoach.db import users

    settings = Settings(_env_file=None, data_dir=data_dir)
    database = Database(settings.resolved_database_url)
    await database.start()
    try:
        async with database.session() as db:
            account = await users.get_user_by_email(db, email=email)
        assert account is not None, email
        yield settings, database, account.id
    finally:
        await database.close()


async def store_plan(data_dir: Path, email: str, draft: PlanDraft) -> None:
    """`draft` as the active plan of the account `email`, stored through the plan service on a
    server's database (a browser story's starting point)."""
    from runcoach.plans import service as plans

    async with server_database(data_dir, email) as (settings, database, account_id):
        now = datetime.now(settings.zone)
        await plans.store_new(database, account_id, goal_id=None, seed=1, draft=draft, now=now)


# --- Strava on the fake --------------------------------------------------------------------------

STRAVA_SCOPES = "read,activity:read_all,activity:write"
STRAVA_VERIFY = "verify-token-for-the-tests"


def use_fake_strava(fake: Any) -> None:
    """Set the running app's Strava up against `fake` (a tests.fake_strava.FakeStrava), as the
    settings would: a new service on the app's database, its jobs run by the app's worker."""
    from pydantic import SecretStr

    from runcoach.strava.service import Strava

    ctx = context()
    settings = ctx.settings.model_copy(
        update={
            "public_url": "http://127.0.0.1:9",
            "strava_client_id": "1234",
            "strava_client_secret": SecretStr("s3cret"),
            "strava_verify_token": SecretStr(STRAVA_VERIFY),
            "strava_oauth_url": fake.oauth_url,
            "strava_api_url": fake.api_url,
        }
    )
    strava = Strava(settings, ctx.db, ctx.clock, ctx.strava.cipher)
    strava.on_enqueue(ctx.jobs.wake)
    ctx.strava = strava
    ctx.jobs.handlers |= strava.handlers()


async def connect_strava(user_id: int, fake: Any, athlete: int, scope: str = STRAVA_SCOPES) -> None:
    """The runner connects Strava as `athlete` (the callback's work, without a browser)."""
    import httpx

    strava = context().strava
    state = httpx.URL(strava.connect_url(user_id)).params["state"]
    code = fake.grant(athlete, scope)
    await strava.finish_connect(user_id, state=state, code=code, scope=scope, error=None)
