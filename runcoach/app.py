"""Wiring: settings, database, routers, pages, start-up and shutdown on NiceGUI's FastAPI app.

This is the composition root and the one module in `runcoach` that imports `pages`
(by name, so NiceGUI's test reset can re-import them for every test).
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter
from nicegui import app, ui

from runcoach.api import (
    calendar,
    checkins,
    coach,
    errors,
    feeds,
    goals,
    health,
    plans,
    profile,
    sessions,
    strava,
    workouts,
)
from runcoach.api.docs import register_docs
from runcoach.api.middleware import BodySizeLimit, SecurityHeaders, use_lean_middlewares
from runcoach.api.validation import register_validation_handler
from runcoach.auth.middleware import AuthMiddleware
from runcoach.clock import Clock, SystemClock
from runcoach.coach.setup import make_coach
from runcoach.config import Settings, load_storage_secret, load_token_key
from runcoach.context import Context, set_context
from runcoach.db.engine import Database
from runcoach.jobs.worker import Worker
from runcoach.live.fanout import SocketBroadcaster
from runcoach.live.hub import Hub
from runcoach.live.pg_notify import PostgresNotifier
from runcoach.notifications.mail import Mailer
from runcoach.notifications.service import Reminders
from runcoach.pwa import FAVICON_FILE, register_pwa_routes
from runcoach.strava.service import Strava
from runcoach.strava.tokens import Cipher

log = logging.getLogger("runcoach")

#: How long the shutdown waits for the background tasks to end once cancelled.
STOP_TIMEOUT_S = 5.0
ERROR_PAGE_MODULE = "pages.errors"
PAGE_MODULES = (
    "pages.login",
    "pages.workouts",
    "pages.settings",
    "pages.profile",
    "pages.goals",
    "pages.plan",
    "pages.plan_workout",
    "pages.today",
    "pages.progress",
    "pages.coach",
    "pages.plan_versions",
    "pages.checkin",
    "pages.summary",
    "pages.run",
    "pages.remote",
    "pages.strava",
    "pages.notifications",
)


def setup(settings: Settings, *, clock: Clock | None = None) -> Context:
    """Create the process's services and register every route and page. Call once per process."""
    clock = clock or SystemClock()
    db = Database(settings.resolved_database_url)
    replicas = settings.replica_sync and db.engine.dialect.name == "postgresql"
    notifier = PostgresNotifier(db) if replicas else None
    hub = Hub(db, clock, broadcaster=SocketBroadcaster(), notifier=notifier)
    background = Background()
    app.on_shutdown(background.stop)  # first: nothing of ours is running when the rest closes
    if notifier is not None:  # replicas on one PostgreSQL: every view in sync (see live/pg_notify.py)
        notifier.on_connect(hub.resync)
        background.start(notifier.run, "runcoach-listen")
        app.on_shutdown(notifier.close)
    linked = Strava(settings, db, clock, Cipher(load_token_key(settings), clock))
    reminders = Reminders(settings, db, clock, Mailer(settings))
    jobs = Worker(
        db,
        clock,
        linked.handlers() | reminders.handlers(),
        on_start=[linked.start_sweep, reminders.start_sweep],
    )
    linked.on_enqueue(jobs.wake)
    ctx = Context(
        settings=settings,
        db=db,
        clock=clock,
        hub=hub,
        coach=make_coach(settings, db, clock),
        strava=linked,
        jobs=jobs,
        reminders=reminders,
    )
    set_context(ctx)
    app.add_middleware(AuthMiddleware)
    # Added later means further out: the size limit wraps the auth check, the headers wrap both.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    use_lean_middlewares()
    errors.install(app)
    register_validation_handler(app)
    register_docs(app, title=settings.title)
    for router in (
        health.router,
        workouts.router,
        sessions.router,
        profile.router,
        goals.router,
        plans.router,
        calendar.router,
        checkins.router,
        coach.router,
        strava.router,
        strava.uploads,
        strava.public,
        feeds.router,
        feeds.public,
    ):
        _include(router)
    register_pwa_routes(settings)
    for name in PAGE_MODULES:
        importlib.import_module(name)
    # A page whose build raised (the database down, say) shows the error's sentence.
    app.on_page_exception(importlib.import_module(ERROR_PAGE_MODULE).error_page)
    app.on_startup(ctx.db.start)
    background.start(lambda: _ticker(ctx), "runcoach-ticker")
    background.start(ctx.jobs.run, "runcoach-jobs")
    app.on_shutdown(ctx.coach.close)
    app.on_shutdown(ctx.strava.close)
    app.on_shutdown(ctx.db.close)
    return ctx


def _include(router: APIRouter) -> None:
    """Include a router of ours, which has no lifespan of its own, without FastAPI merging one in.

    FastAPI wraps the app's lifespan around every included router's, empty or not. NiceGUI's test
    fixture runs set-up again for every test in one process and resets routes but not the lifespan,
    so the nesting grew by one per router per test until a recursion error some 170 tests in.
    """
    assert not router.on_startup and not router.on_shutdown, "a router with start-up work needs its lifespan"
    lifespan = app.router.lifespan_context
    app.include_router(router)
    app.router.lifespan_context = lifespan


class Background:
    """The process's own long-running tasks (the ticker, the job worker, the listener): started
    with the app, and stopped (cancelled, then awaited) before anything they use is closed.

    NiceGUI cancels background tasks only after the app's own shutdown handlers, so without this
    the database closed under a job's query, and its SQLite thread could answer a loop already
    gone ("Event loop is closed").
    """

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, work: Callable[[], Coroutine[Any, Any, None]], name: str) -> None:
        """Run `work()` from the app's start until its shutdown."""
        app.on_startup(lambda: self.run(work(), name))

    def run(self, work: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = asyncio.create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._ended)
        return task

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("background task %s stopped", task.get_name(), exc_info=error)

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, set()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_TIMEOUT_S)


async def _ticker(ctx: Context) -> None:
    await ctx.db.ready()
    await ctx.hub.run()


def tune_gc() -> None:
    """Keep the garbage collector from pausing live views (see benchmarks/README.md).

    Each connected view adds ~700 tracked objects; with default thresholds a full collection at
    1,000 views paused the loop ~600 ms twice a minute and set the command latency tail.
    Freezing the start-up objects and collecting less often removed those pauses.
    """
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def serve(settings: Settings, *, clock: Clock | None = None) -> None:
    """Set up and run the server (under NiceGUI's test fixture, only configure it).

    `clock` is the system clock unless given: page tests pass one they can move forward.
    """
    secret = load_storage_secret(settings)
    setup(settings, clock=clock)
    log.info(
        "RunCoach on http://%s:%s, database %s", settings.host, settings.port, settings.resolved_database_url
    )
    app.on_startup(tune_gc)
    ui.run(**run_options(settings, secret))


def run_options(settings: Settings, secret: str) -> dict[str, Any]:
    """The options `ui.run` gets (shared with the benchmark server)."""
    return {
        "host": settings.host,
        "port": settings.port,
        "title": settings.title,
        "storage_secret": secret,
        "fastapi_docs": False,  # register_docs serves /openapi.json and offline /docs, /redoc
        "reload": False,
        "show": False,
        "favicon": FAVICON_FILE,
        "show_welcome_message": False,
    }
