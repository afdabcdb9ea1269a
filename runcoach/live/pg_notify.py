"""Replicas on one PostgreSQL database in sync: "session N changed" over LISTEN/NOTIFY.

Each replica keeps one connection of its own (not from the pool) that LISTENs on the channel;
`within` sends `pg_notify` inside the transaction that saves the change, so PostgreSQL delivers
the announcement exactly when the change commits: never for a change rolled back, never lost to
a failure between the commit and a separate announcement. A notification names the session and
its newest event; the hub re-folds that session from the database and pushes it to the views it
has here (`Hub.changed_elsewhere`), so the database stays the one source of truth and a
notification is only a nudge.

A nudge can be lost: the listening connection drops (a restart of PostgreSQL, a proxy's idle
time-out, `pg_terminate_backend`), and whatever was announced meanwhile never arrives. So the
listener reconnects (1 s, doubling to 30 s) and, once listening again, re-syncs every session
this replica has views of (`on_connect`): a missed notification never leaves a view wrong.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db.engine import Database
from runcoach.live.channels import ChangeHandler

log = logging.getLogger("runcoach.live")

CHANNEL = "runcoach_sessions"
#: The listening connection's name in pg_stat_activity, with the process id (operators, and the
#: tests, find one replica's listener by it).
APPLICATION_NAME = "runcoach-listen"
PING_S = 15.0
PING_TIMEOUT_S = 5.0
FIRST_RETRY_S = 1.0
LAST_RETRY_S = 30.0


def listen_dsn(url: str) -> str:
    """The asyncpg DSN of a SQLAlchemy `postgresql+asyncpg://` URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresNotifier:
    def __init__(self, database: Database, *, channel: str = CHANNEL) -> None:
        self.database = database
        self.channel = channel
        self._handlers: list[ChangeHandler] = []
        self._on_connect: list[Callable[[], Awaitable[None]]] = []
        self._lost = asyncio.Event()
        self._connection: Any = None
        self._pending: set[asyncio.Future[None]] = set()
        #: Times the listener (re)connected: 1 after the first start.
        self.connects = 0
        self._stopped = False

    def subscribe(self, handler: ChangeHandler) -> None:
        self._handlers.append(handler)

    def on_connect(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Call `callback()` each time the listener is connected again (re-sync what may be missed)."""
        self._on_connect.append(callback)

    async def within(self, db: AsyncSession, session_id: int, seq: int) -> None:
        await db.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": self.channel, "payload": f"{session_id}:{seq}"},
        )

    async def notify(self, session_id: int, seq: int) -> None:
        return None  # announced by `within`, with the commit

    async def run(self) -> None:
        """Listen until cancelled, reconnecting (and re-syncing) whenever the connection is lost."""
        await self.database.ready()
        wait = FIRST_RETRY_S
        while not self._stopped:
            try:
                await self._listen()
                wait = FIRST_RETRY_S
                await self._watch()
                log.warning("the LISTEN connection was lost: reconnecting")
            except asyncio.CancelledError:
                await self._close()
                raise
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("could not LISTEN on PostgreSQL (%s): trying again in %.0f s", exc, wait)
                await self._close()
                await asyncio.sleep(wait)
                wait = min(wait * 2, LAST_RETRY_S)
            else:
                await self._close()

    async def _listen(self) -> None:
        self._lost.clear()
        settings = {"application_name": f"{APPLICATION_NAME} {os.getpid()}"}
        connecting = asyncio.ensure_future(
            asyncpg.connect(listen_dsn(self.database.url), server_settings=settings)
        )
        try:
            connection = await asyncio.shield(connecting)
        except asyncio.CancelledError:  # stopped while connecting: close what the connect makes
            with contextlib.suppress(Exception):
                (await connecting).terminate()
            raise
        self._connection = connection
        if self._stopped:
            await self._close()
            return
        try:
            connection.add_termination_listener(lambda _conn: self._lost.set())
            await connection.add_listener(self.channel, self._heard)
        except BaseException:  # cancelled or refused half-way: never leave the connection open
            await self._close()
            raise
        self.connects += 1
        for callback in self._on_connect:
            await callback()

    async def _watch(self) -> None:
        """Return when the connection is lost: closed (the termination listener), or silent (a
        ping every PING_S that does not answer within PING_TIMEOUT_S: a half-open socket)."""
        while not self._lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._lost.wait(), timeout=PING_S)
                return
            try:
                await asyncio.wait_for(self._connection.execute("SELECT 1"), timeout=PING_TIMEOUT_S)
            except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                return

    def _heard(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            session_id, seq = (int(part) for part in payload.split(":"))
        except ValueError:
            log.warning("ignored a notification that is not 'session:seq': %.80r", payload)
            return
        for handler in self._handlers:
            task = asyncio.ensure_future(handler(session_id, seq))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None or connection.is_closed():
            return
        try:
            await connection.close(timeout=2)
        except asyncio.CancelledError:  # shutting down: drop the socket at once, then go on stopping
            connection.terminate()
            raise
        except Exception:  # timed out or broken: drop the socket instead
            connection.terminate()

    async def close(self) -> None:
        """Stop listening for good (the app shuts down): no reconnecting after this."""
        self._stopped = True
        self._lost.set()
        await self._close()
