"""Cross-replica sync through the Notifier hook: two hubs on one database, as two processes would be."""

from __future__ import annotations

import asyncio

import pytest

from runcoach.clock import FakeClock
from runcoach.db.engine import Database
from runcoach.domain.session import Command, RunSession, SessionState, Status
from runcoach.live.hub import Hub
from tests.helpers import T0, MemoryNotifier, Recorder, new_session


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


class BrokenNotifier(MemoryNotifier):
    async def notify(self, session_id: int) -> None:
        raise ConnectionError("the notification channel is down")


async def test_a_command_on_one_replica_reaches_a_view_watching_through_another(
    database: Database, clock: FakeClock
) -> None:
    bus = MemoryNotifier()
    tablet_side = Recorder()
    phone_replica = Hub(database, clock, notifier=bus)
    tablet_replica = Hub(database, clock, notifier=bus, broadcaster=tablet_side)
    session = await new_session(phone_replica, database)
    seen: list[SessionState] = []
    await tablet_replica.watch(session.id, lambda _s, state: seen.append(state), owner_id=session.owner_id)

    await phone_replica.command(session.id, Command.START, owner_id=session.owner_id)

    assert bus.sent == [session.id]
    assert seen[-1].status is Status.RUNNING
    assert tablet_side.sent[-1][1]["status"] == "running" and tablet_side.sent[-1][1]["seq"] == 2


async def test_without_a_notifier_the_other_replica_does_not_hear_of_it(
    database: Database, clock: FakeClock
) -> None:
    """The control: the default in-process notifier tells nobody, so the hook is what carries it."""
    phone_replica, tablet_replica = Hub(database, clock), Hub(database, clock)
    session = await new_session(phone_replica, database)
    seen: list[SessionState] = []
    await tablet_replica.watch(session.id, lambda _s, state: seen.append(state), owner_id=session.owner_id)
    await phone_replica.command(session.id, Command.START, owner_id=session.owner_id)
    assert seen == []


async def test_a_failing_notifier_does_not_fail_a_saved_command(database: Database, clock: FakeClock) -> None:
    hub = Hub(database, clock, notifier=BrokenNotifier())
    session = await new_session(hub, database)
    _, state = await hub.command(session.id, Command.START, owner_id=session.owner_id)
    assert state.status is Status.RUNNING
    assert (await hub.get(session.id, owner_id=None)).last_seq == 2


async def test_an_older_snapshot_never_replaces_a_newer_one(database: Database, clock: FakeClock) -> None:
    """A notification's re-read can land after a newer local command: the views keep the newer state."""
    recorder = Recorder()
    hub = Hub(database, clock, broadcaster=recorder)
    session = await new_session(hub, database)
    seen: list[tuple[int, Status]] = []
    await hub.watch(session.id, lambda s, st: seen.append((s.last_seq, st.status)), owner_id=session.owner_id)
    started, _ = await hub.command(session.id, Command.START, owner_id=session.owner_id)
    paused, _ = await hub.command(session.id, Command.PAUSE, owner_id=session.owner_id)
    sent = len(recorder.sent)
    await hub.publish(started)  # late: seq 2 after seq 3
    assert seen[-1] == (3, Status.PAUSED) and len(recorder.sent) == sent
    assert hub.ticker.cached(session.id) == paused


async def test_a_notification_for_a_session_nobody_here_watches_reads_nothing(
    database: Database, clock: FakeClock
) -> None:
    hub = Hub(database, clock)
    session = await new_session(hub, database)
    reads: list[int] = []
    original = hub.registry.find

    async def counted(session_id: int, *, owner_id: int | None) -> RunSession | None:
        reads.append(session_id)
        return await original(session_id, owner_id=owner_id)

    hub.registry.find = counted  # type: ignore[method-assign]
    await hub.changed_elsewhere(session.id)
    assert reads == []
    await hub.watch(session.id, lambda _s, _st: None, owner_id=None)
    reads.clear()
    await asyncio.gather(hub.changed_elsewhere(session.id), hub.changed_elsewhere(session.id + 1000))
    assert reads == [session.id]
