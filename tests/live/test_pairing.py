"""Pairing codes: 12 hours from when they were drawn, until the run ends; a new code on the runner's word."""

from __future__ import annotations

from datetime import timedelta

import pytest

from runcoach.clock import FakeClock
from runcoach.db.engine import Database
from runcoach.domain.errors import Conflict, NotFound
from runcoach.domain.session import PAIRING_TTL_S, Command
from runcoach.live.hub import Hub
from tests.helpers import T0, new_session, owner_and_workout


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


async def test_a_new_code_pairs_for_twelve_hours_from_when_it_was_drawn(
    database: Database, clock: FakeClock
) -> None:
    hub = Hub(database, clock)
    session = await new_session(hub, database)
    clock.advance(PAIRING_TTL_S)
    with pytest.raises(NotFound, match="not valid"):
        await hub.by_pair_code(session.pair_code)

    renewed = await hub.renew_pairing(session.id, owner_id=session.owner_id)
    assert renewed.pair_code != session.pair_code and renewed.paired_at == clock.now()
    assert (await hub.by_pair_code(renewed.pair_code)).id == session.id
    assert (await hub.get(session.id, owner_id=session.owner_id)).pair_code == renewed.pair_code
    with pytest.raises(NotFound):
        await hub.by_pair_code(session.pair_code)  # the old code is gone for good

    clock.advance(PAIRING_TTL_S - 1)
    assert (await hub.by_pair_code(renewed.pair_code)).id == session.id
    clock.advance(1)
    with pytest.raises(NotFound):
        await hub.by_pair_code(renewed.pair_code)


async def test_a_renewed_code_replaces_an_open_one_at_once(database: Database, clock: FakeClock) -> None:
    hub = Hub(database, clock)
    session = await new_session(hub, database)
    before = await hub.get(session.id, owner_id=session.owner_id)
    assert (before.pair_code, before.paired_at) == (session.pair_code, None)
    assert before.pairing_expires_at == session.created_at + timedelta(seconds=PAIRING_TTL_S)
    clock.advance(60)
    renewed = await hub.renew_pairing(session.id, owner_id=session.owner_id)
    with pytest.raises(NotFound):
        await hub.by_pair_code(session.pair_code)
    current = await hub.get(session.id, owner_id=session.owner_id)
    assert (current.pair_code, current.paired_at) == (renewed.pair_code, renewed.paired_at)
    assert current.pairing_expires_at == clock.now() + timedelta(seconds=PAIRING_TTL_S)


async def test_a_finished_run_draws_no_new_code(database: Database, clock: FakeClock) -> None:
    hub = Hub(database, clock)
    session = await new_session(hub, database)
    await hub.command(session.id, Command.START, owner_id=session.owner_id)
    await hub.command(session.id, Command.FINISH, owner_id=session.owner_id)
    with pytest.raises(Conflict, match="ended"):
        await hub.renew_pairing(session.id, owner_id=session.owner_id)
    assert (await hub.get(session.id, owner_id=session.owner_id)).pair_code == session.pair_code


async def test_only_the_owner_draws_a_new_code(database: Database, clock: FakeClock) -> None:
    hub = Hub(database, clock)
    session = await new_session(hub, database)
    other, _ = await owner_and_workout(database, "bob@example.com")
    for session_id, owner in ((session.id, other), (session.id + 1000, session.owner_id)):
        with pytest.raises(NotFound):
            await hub.renew_pairing(session_id, owner_id=owner)
    assert (await hub.by_pair_code(session.pair_code)).id == session.id
