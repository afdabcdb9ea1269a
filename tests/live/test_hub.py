"""The hub with a fake clock on a real database: commands, conflicts, races, restarts, the ticker."""

from __future__ import annotations

import asyncio

import pytest

from runcoach.clock import FakeClock
from runcoach.db.engine import Database
from runcoach.domain.errors import NotFound
from runcoach.domain.session import Command, CommandConflict, RunSession, SessionState, Status
from runcoach.live.hub import Hub
from tests.helpers import T0, Recorder, new_session, owner_and_workout


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


async def test_a_session_plays_its_workout_and_pauses_keep_elapsed(
    database: Database, clock: FakeClock
) -> None:
    hub = Hub(database, clock)
    session = await new_session(hub, database)
    assert session.state(clock.now()).status is Status.CREATED and len(session.pair_code) == 8
    await hub.command(session.id, Command.START, owner_id=session.owner_id)
    clock.advance(90)
    _, paused = await hub.command(session.id, Command.PAUSE, owner_id=session.owner_id)
    assert paused.status is Status.PAUSED and paused.elapsed_s == pytest.approx(90)
    clock.advance(600)
    stored = await hub.get(session.id, owner_id=session.owner_id)
    assert stored.state(clock.now()).elapsed_s == pytest.approx(90)


@pytest.mark.parametrize(
    ("commands", "message"),
    [
        ([Command.START, Command.START], "already running"),
        ([Command.START, Command.PAUSE, Command.PAUSE], "already paused"),
        ([Command.RESUME], "not started"),
        ([Command.START, Command.FINISH, Command.RESUME], "completed"),
    ],
)
async def test_a_command_that_does_not_fit_is_a_conflict(
    database: Database, clock: FakeClock, commands: list[Command], message: str
) -> None:
    hub = Hub(database, clock)
    session = await new_session(hub, database)
    *fine, last = commands
    for command in fine:
        await hub.command(session.id, command, owner_id=session.owner_id)
    with pytest.raises(CommandConflict, match=message):
        await hub.command(session.id, last, owner_id=session.owner_id)
    assert (await hub.get(session.id, owner_id=None)).last_seq == 1 + len(fine)


async def test_another_users_session_is_not_found(database: Database, clock: FakeClock) -> None:
    hub = Hub(database, clock)
    session = await new_session(hub, database)
    stranger, _ = await owner_and_workout(database, "bob@example.com")
    with pytest.raises(NotFound):
        await hub.command(session.id, Command.START, owner_id=stranger)
    with pytest.raises(NotFound):
        await hub.get(session.id, owner_id=stranger)


async def test_devices_racing_on_separate_hubs_never_lose_or_duplicate(
    database: Database, clock: FakeClock
) -> None:
    """Four hubs (as if four processes) press pause at once: exactly one wins, the rest are conflicts."""
    hubs = [Hub(database, clock) for _ in range(4)]
    session = await new_session(hubs[0], database)
    await hubs[0].command(session.id, Command.START, owner_id=session.owner_id)
    clock.advance(30)
    results = await asyncio.gather(
        *(hub.command(session.id, Command.PAUSE, owner_id=session.owner_id) for hub in hubs),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1, results
    assert all(isinstance(r, CommandConflict) for r in results if isinstance(r, BaseException)), results
    stored = await hubs[0].get(session.id, owner_id=None)
    assert [e.seq for e in stored.events] == [1, 2, 3]
    assert [e.kind.value for e in stored.events] == ["created", "started", "paused"]


async def test_a_stale_skip_from_a_second_device_is_refused(database: Database, clock: FakeClock) -> None:
    hub = Hub(database, clock)
    session = await new_session(hub, database)
    started, _ = await hub.command(session.id, Command.START, owner_id=session.owner_id)
    seen = started.last_seq
    await hub.command(session.id, Command.SKIP, owner_id=session.owner_id, if_seq=seen)
    with pytest.raises(CommandConflict, match="another screen"):
        await hub.command(session.id, Command.SKIP, owner_id=session.owner_id, if_seq=seen)


async def test_after_a_restart_a_running_session_counts_the_downtime(
    database: Database, clock: FakeClock
) -> None:
    first = Hub(database, clock)
    session = await new_session(first, database)
    await first.command(session.id, Command.START, owner_id=session.owner_id)
    clock.advance(100)
    restarted = Hub(database, clock)  # nothing in memory survives
    clock.advance(50)
    state = (await restarted.get(session.id, owner_id=None)).state(clock.now())
    assert state.status is Status.RUNNING and state.elapsed_s == pytest.approx(150)


async def test_watchers_get_segment_changes_and_the_ticker_wakes_at_the_boundary(
    database: Database, clock: FakeClock
) -> None:
    recorder = Recorder()
    hub = Hub(database, clock, broadcaster=recorder, heartbeat_s=5)
    session = await new_session(hub, database)
    seen: list[SessionState] = []
    await hub.watch(session.id, lambda _s, state: seen.append(state), owner_id=session.owner_id)
    await hub.command(session.id, Command.START, owner_id=session.owner_id)
    first_len = session.segments[0].duration_s
    assert seen[-1].status is Status.RUNNING and seen[-1].segment_index == 0

    delay = await hub.tick()
    assert delay == pytest.approx(5)  # heartbeat first: the boundary is further away
    clock.advance(first_len - 1)
    delay = await hub.tick()
    assert delay == pytest.approx(1, abs=0.01)  # next wake: the boundary
    clock.advance(delay)
    await hub.tick()
    assert seen[-1].segment_index == 1 and seen[-1].segment_elapsed_s < 0.1
    assert recorder.sent[-1][1]["segment_index"] == 1


async def test_heartbeats_broadcast_without_calling_listeners(database: Database, clock: FakeClock) -> None:
    recorder = Recorder()
    hub = Hub(database, clock, broadcaster=recorder, heartbeat_s=5)
    session = await new_session(hub, database)
    calls: list[int] = []
    await hub.watch(
        session.id, lambda _s, state: calls.append(state.segment_index), owner_id=session.owner_id
    )
    await hub.command(session.id, Command.START, owner_id=session.owner_id)
    before_calls, before_sent = len(calls), len(recorder.sent)
    clock.advance(5)
    await hub.tick()
    assert len(calls) == before_calls and len(recorder.sent) == before_sent + 1
    assert recorder.sent[-1][1]["elapsed_s"] == pytest.approx(5)


async def test_pairing_codes_open_the_session_until_it_completes(
    database: Database, clock: FakeClock
) -> None:
    hub = Hub(database, clock)
    session = await new_session(hub, database)
    spaced = f"{session.pair_code[:4].lower()}-{session.pair_code[4:].lower()}"
    assert (await hub.by_pair_code(spaced)).id == session.id
    await hub.command(session.id, Command.START, owner_id=session.owner_id)
    await hub.command(session.id, Command.FINISH, owner_id=session.owner_id)
    with pytest.raises(NotFound, match="not valid"):
        await hub.by_pair_code(session.pair_code)


async def test_pairing_codes_expire_after_twelve_hours(database: Database, clock: FakeClock) -> None:
    hub = Hub(database, clock)
    session = await new_session(hub, database)
    clock.advance(12 * 3600)
    with pytest.raises(NotFound):
        await hub.by_pair_code(session.pair_code)


async def test_views_opening_at_once_are_all_watched(database: Database, clock: FakeClock) -> None:
    """Several first viewers race through the database read: every listener must end up registered."""
    hub = Hub(database, clock)
    session = await new_session(hub, database)
    seen: list[int] = []
    await asyncio.gather(
        *(
            hub.watch(session.id, lambda _s, _st, n=n: seen.append(n), owner_id=session.owner_id)
            for n in range(5)
        )
    )
    await hub.command(session.id, Command.START, owner_id=session.owner_id)
    assert sorted(seen) == [0, 1, 2, 3, 4]


async def test_a_command_saved_while_the_first_viewer_loads_is_not_lost(
    database: Database, clock: FakeClock
) -> None:
    """The first view's read races a command: the command publishes to no entry yet, and the views
    (which share the hub's copy) must still show it, not the older read, until the next command."""
    hub = Hub(database, clock)
    session = await new_session(hub, database)
    reads = 0

    async def load_while_a_command_lands(session_id: int, owner_id: int | None) -> RunSession:
        nonlocal reads
        reads += 1
        read = await hub.get(session_id, owner_id=owner_id)
        if reads == 1:  # the tablet's Start is saved right after this read
            await hub.command(session_id, Command.START, owner_id=session.owner_id)
        return read

    seen: list[Status] = []
    await hub.ticker.watch(
        session.id,
        lambda _s, st: seen.append(st.status),
        owner_id=session.owner_id,
        load=load_while_a_command_lands,
    )
    cached = hub.watched(session.id)
    assert cached is not None and cached.state(clock.now()).status is Status.RUNNING
    assert cached.last_seq == 2 and reads == 2


async def test_the_ticker_folds_only_sessions_that_are_due(database: Database, clock: FakeClock) -> None:
    recorder = Recorder()
    hub = Hub(database, clock, broadcaster=recorder, heartbeat_s=5)
    first, second = await new_session(hub, database), None
    owner, workout = first.owner_id, first.workout_id
    second = await hub.create_session(workout_id=workout, owner_id=owner)
    for session in (first, second):
        await hub.watch(session.id, lambda _s, _st: None, owner_id=owner)
    await hub.tick()  # both new: pushed at once
    await hub.command(first.id, Command.START, owner_id=owner)
    clock.advance(3)
    await hub.command(second.id, Command.START, owner_id=owner)
    sent = len(recorder.sent)
    clock.advance(2)  # the first is due its heartbeat, the second is not
    await hub.tick()
    assert [sid for sid, _ in recorder.sent[sent:]] == [first.id]
