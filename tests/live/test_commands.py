"""Command persistence: locks that do not pile up, serialised commands, and honest outages."""

from __future__ import annotations

import asyncio

import pytest

from runcoach.clock import FakeClock
from runcoach.db.engine import Database
from runcoach.domain.errors import Conflict, NotFound, Unavailable
from runcoach.domain.session import Command, CommandConflict, Status
from runcoach.live.hub import Hub
from tests.helpers import T0, Fragile, new_session

#: A leak keeps one lock per id: 2,000 ids show it as well as more (the e2e memory test sends 10,000).
UNKNOWN_IDS = range(1_000_000, 1_002_000)
#: Commands in flight at once while flooding unknown ids (several wait for one lock, most do not).
FLOOD_BATCH = 200


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


async def _unknown(hub: Hub, session_id: int) -> None:
    with pytest.raises(NotFound):
        await hub.command(session_id, Command.PAUSE, owner_id=None)


async def test_commands_to_unknown_sessions_leave_no_locks_behind(
    database: Database, clock: FakeClock
) -> None:
    hub = Hub(database, clock)
    ids = list(UNKNOWN_IDS)
    for start in range(0, len(ids), FLOOD_BATCH):
        batch = ids[start : start + FLOOD_BATCH]
        # The same id twice in a batch: one command waits on the other's lock.
        await asyncio.gather(*(_unknown(hub, sid) for sid in (*batch, batch[0])))
    assert hub.command_locks == 0


async def test_concurrent_commands_to_one_session_on_one_hub_are_serialised(
    database: Database, clock: FakeClock
) -> None:
    """Five pauses at once through one hub: the lock queues them, so four see "already paused"."""
    hub = Hub(database, clock)
    session = await new_session(hub, database)
    await hub.command(session.id, Command.START, owner_id=session.owner_id)
    results = await asyncio.gather(
        *(hub.command(session.id, Command.PAUSE, owner_id=session.owner_id) for _ in range(5)),
        return_exceptions=True,
    )
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1 and won[0][1].status is Status.PAUSED, results
    assert all(isinstance(r, CommandConflict) and "already paused" in str(r) for r in lost), results
    stored = await hub.get(session.id, owner_id=None)
    assert [e.seq for e in stored.events] == [1, 2, 3]
    assert hub.command_locks == 0


async def test_a_database_that_does_not_answer_is_unavailable_not_busy(
    fragile: Fragile, clock: FakeClock
) -> None:
    """SQLite without its file, PostgreSQL refusing connections: an honest sentence, nothing saved."""
    hub = Hub(fragile.db, clock)
    session = await new_session(hub, fragile.db)
    await hub.command(session.id, Command.START, owner_id=session.owner_id)
    await fragile.cut()
    with pytest.raises(Unavailable, match="not answering, so this tap was not saved") as caught:
        await hub.command(session.id, Command.PAUSE, owner_id=session.owner_id)
    assert not isinstance(caught.value, Conflict)
    assert hub.command_locks == 0


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgres"], indirect=True)  # SQLite has no server to hang
async def test_a_postgres_server_that_hangs_is_unavailable(fragile: Fragile, clock: FakeClock) -> None:
    """A frozen server (connections accepted, nothing answered) times out into Unavailable."""
    assert fragile.relay is not None
    hub = Hub(fragile.db, clock)
    session = await new_session(hub, fragile.db)
    fragile.relay.frozen = True
    with pytest.raises(Unavailable, match="not answering"):
        await hub.command(session.id, Command.START, owner_id=session.owner_id)


async def test_reads_during_an_outage_are_unavailable_too(fragile: Fragile, clock: FakeClock) -> None:
    hub = Hub(fragile.db, clock)
    session = await new_session(hub, fragile.db)
    await fragile.cut()
    for read in (
        hub.get(session.id, owner_id=session.owner_id),
        hub.by_pair_code(session.pair_code),
        hub.list(owner_id=session.owner_id),
        hub.owner_units(session),
        hub.create_session(workout_id=session.workout_id, owner_id=session.owner_id),
    ):
        with pytest.raises(Unavailable, match="not answering"):
            await read
