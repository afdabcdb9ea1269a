"""Cross-replica sync through the Notifier hook: two hubs on one database, as two processes would be."""

from __future__ import annotations

import pytest

from runcoach.clock import FakeClock
from runcoach.db.engine import Database
from runcoach.domain.session import Command, RunSession, SessionState, Status
from runcoach.live.hub import Hub
from tests.helpers import T0, Fragile, MemoryNotifier, Recorder, new_session


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


class BrokenNotifier(MemoryNotifier):
    async def notify(self, session_id: int, seq: int) -> None:
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

    assert bus.sent == [(session.id, 2)]
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


async def test_a_notification_is_read_only_by_replicas_that_watch_and_lack_the_event(
    database: Database, clock: FakeClock
) -> None:
    bus = MemoryNotifier()
    sender, watching, idle = (Hub(database, clock, notifier=bus) for _ in range(3))
    session = await new_session(sender, database)
    for hub in (sender, watching):
        await hub.watch(session.id, lambda _s, _st: None, owner_id=None)
    reads: dict[Hub, list[int]] = {hub: [] for hub in (sender, watching, idle)}
    for hub in reads:
        _count_reads(hub, reads[hub])

    await sender.command(session.id, Command.START, owner_id=session.owner_id)

    # The sender has seq 2 already, the idle replica has no views: only one database read.
    assert reads == {sender: [], watching: [session.id], idle: []}
    assert watching.ticker.cached(session.id) == sender.ticker.cached(session.id)


def _count_reads(hub: Hub, reads: list[int]) -> None:
    original = hub.registry.find

    async def counted(session_id: int, *, owner_id: int | None) -> RunSession | None:
        reads.append(session_id)
        return await original(session_id, owner_id=owner_id)

    hub.registry.find = counted  # type: ignore[method-assign]


async def test_a_replica_that_cannot_re_read_keeps_its_views_on_the_last_state(
    fragile: Fragile, clock: FakeClock
) -> None:
    hub = Hub(fragile.db, clock)
    session = await new_session(hub, fragile.db)
    seen: list[Status] = []
    await hub.watch(session.id, lambda _s, st: seen.append(st.status), owner_id=None)
    await hub.tick()
    await fragile.cut()
    await hub.changed_elsewhere(session.id, session.last_seq + 1)  # logged, not raised
    assert hub.ticker.cached(session.id) == session and seen == [Status.CREATED]


async def test_resync_brings_every_watched_session_up_to_date(database: Database, clock: FakeClock) -> None:
    """What a replica does after its notifier lost the connection: re-read what its views watch."""
    phone, tablet = Hub(database, clock), Hub(database, clock)  # no notifier: the tablet hears nothing
    session = await new_session(phone, database)
    seen: list[SessionState] = []
    await tablet.watch(session.id, lambda _s, state: seen.append(state), owner_id=session.owner_id)
    await phone.command(session.id, Command.START, owner_id=session.owner_id)
    assert seen == []
    await tablet.resync()
    assert seen[-1].status is Status.RUNNING
    await tablet.resync()  # nothing new: nothing pushed
    assert len(seen) == 1


async def test_a_new_pairing_code_reaches_the_views_on_other_replicas(
    database: Database, clock: FakeClock
) -> None:
    bus = MemoryNotifier()
    phone_side = Hub(database, clock, notifier=bus)
    tablet_side = Hub(database, clock, notifier=bus)
    session = await new_session(phone_side, database)
    codes: list[str] = []
    await tablet_side.watch(
        session.id, lambda s, _state: codes.append(s.pair_code), owner_id=session.owner_id
    )
    renewed = await phone_side.renew_pairing(session.id, owner_id=session.owner_id)
    assert renewed.pair_code != session.pair_code
    assert codes[-1] == renewed.pair_code
    watched = tablet_side.watched(session.id)
    assert watched is not None and watched.pair_code == renewed.pair_code
