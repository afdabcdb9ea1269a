"""Replicas in sync over PostgreSQL's LISTEN/NOTIFY: two hubs on one database, each with its own
listening connection, as two processes would have; the listener killed with pg_terminate_backend
reconnects and re-syncs what it missed."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import text

from runcoach.clock import FakeClock
from runcoach.db.engine import Database
from runcoach.domain.session import Command, CommandConflict, RunSession, SessionState, Status
from runcoach.live.hub import Hub
from runcoach.live.pg_notify import PostgresNotifier
from tests.helpers import T0, new_session

pytestmark = pytest.mark.postgres


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
async def replicas(database: Database, clock: FakeClock) -> AsyncIterator[tuple[Hub, Hub, PostgresNotifier]]:
    """Two hubs (phone side, tablet side), each listening on a channel of this test's own."""
    channel = f"test_{secrets.token_hex(6)}"  # this test's own, whatever else runs on the server
    hubs, notifiers, tasks = [], [], []
    for _ in range(2):
        notifier = PostgresNotifier(database, channel=channel)
        hub = Hub(database, clock, notifier=notifier)
        notifier.on_connect(hub.resync)
        hubs.append(hub)
        notifiers.append(notifier)
        tasks.append(asyncio.create_task(notifier.run()))
    await until(lambda: all(n.connects == 1 for n in notifiers), "both listening")
    yield hubs[0], hubs[1], notifiers[1]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def until(check: Callable[[], bool], what: str, timeout_s: float = 30) -> None:
    for _ in range(int(timeout_s / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never: {what}")


async def started_under_watch(
    phone: Hub, tablet: Hub, database: Database
) -> tuple[RunSession, list[SessionState]]:
    """A session the tablet's replica watches, started on the phone's; what the tablet saw so far."""
    session = await new_session(phone, database)
    seen: list[SessionState] = []
    await tablet.watch(session.id, lambda _s, state: seen.append(state), owner_id=session.owner_id)
    await phone.command(session.id, Command.START, owner_id=session.owner_id)
    await until(lambda: bool(seen) and seen[-1].status is Status.RUNNING, "the tablet sees it running")
    return session, seen


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_a_command_on_one_replica_reaches_the_views_of_the_other(
    replicas: tuple[Hub, Hub, PostgresNotifier], database: Database
) -> None:
    phone, tablet, _ = replicas
    session, seen = await started_under_watch(phone, tablet, database)
    await phone.command(session.id, Command.PAUSE, owner_id=session.owner_id)
    await until(lambda: seen[-1].status is Status.PAUSED, "the tablet sees it paused")


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_a_killed_listener_reconnects_and_catches_up_on_what_it_missed(
    replicas: tuple[Hub, Hub, PostgresNotifier], database: Database
) -> None:
    phone, tablet, listener = replicas
    session, seen = await started_under_watch(phone, tablet, database)

    pid = listener._connection.get_server_pid()
    async with database.session() as db:
        killed = (await db.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})).scalar_one()
    assert killed
    # Sent while the tablet's replica is not listening: only the re-sync can bring it.
    await phone.command(session.id, Command.PAUSE, owner_id=session.owner_id)
    await until(lambda: listener.connects == 2, "the listener back")
    await until(lambda: seen[-1].status is Status.PAUSED, "the tablet caught up")
    await phone.command(session.id, Command.RESUME, owner_id=session.owner_id)
    await until(lambda: seen[-1].status is Status.RUNNING, "commands keep arriving")


@pytest.mark.parametrize("database", ["postgres"], indirect=True)
async def test_an_announcement_leaves_with_its_commit_and_never_without_one(
    replicas: tuple[Hub, Hub, PostgresNotifier], database: Database
) -> None:
    """Announced inside the writer's transaction: a rolled-back change is never announced, and a
    committed one needs nothing more after the commit (no second connection that could fail)."""
    phone, _, listener = replicas
    heard: list[tuple[int, int]] = []

    async def hear(session_id: int, seq: int) -> None:
        heard.append((session_id, seq))

    listener.subscribe(hear)
    with pytest.raises(RuntimeError):
        async with database.session() as db:
            await phone.notifier.within(db, 2**40, 7)
            raise RuntimeError("the change fails after it was announced")
    async with database.session() as db:
        await phone.notifier.within(db, 2**40, 8)
    # PostgreSQL delivers in commit order: once seq 8 is here, seq 7 would have come before it.
    await until(lambda: (2**40, 8) in heard, "the committed announcement")
    assert heard == [(2**40, 8)]

    session = await new_session(phone, database)
    heard.clear()
    await phone.command(session.id, Command.START, owner_id=session.owner_id)
    await until(lambda: (session.id, 2) in heard, "the command's announcement")
    with pytest.raises(CommandConflict):  # refused: nothing saved, nothing announced
        await phone.command(session.id, Command.RESUME, owner_id=session.owner_id)
    await phone.command(session.id, Command.PAUSE, owner_id=session.owner_id)
    await until(lambda: (session.id, 3) in heard, "the pause's announcement")
    assert heard == [(session.id, 2), (session.id, 3)]
