"""Strava sync through the real client and services against the fake Strava, on SQLite and
PostgreSQL: connecting, tokens, the backfill, webhook events, and disconnecting."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from runcoach.db import strava as queries
from runcoach.db.tables import JobRow, StravaAccountRow, StravaActivityRow
from runcoach.domain.errors import AuthFailed, Conflict, InvalidInput
from runcoach.domain.strava import MISSING_READ, MISSING_WRITE, parse_activity
from runcoach.jobs.worker import LEASE_S, Worker
from runcoach.strava.client import TokenRefused
from runcoach.strava.service import Strava
from tests.strava.conftest import ATHLETE, OTHER_ATHLETE, T0, Rig, new_user

START = T0 - timedelta(weeks=10)


async def activity_rows(rig: Rig) -> list[StravaActivityRow]:
    async with rig.database.session() as db:
        return list((await db.execute(select(StravaActivityRow))).scalars())


def event(fields: dict[str, object], at_s: int = 0) -> dict[str, object]:
    """An event as Strava posts it (`fake.event_for` gives the fields but the time)."""
    return {**fields, "event_time": int(T0.timestamp()) + at_s, "subscription_id": 1}


async def account_row(rig: Rig) -> StravaAccountRow | None:
    async with rig.database.session() as db:
        return (await db.execute(select(StravaAccountRow))).scalar_one_or_none()


async def rows_at_least(rig: Rig, n: int, timeout_s: float = 60.0) -> None:
    for _ in range(int(timeout_s / 0.01)):
        if len(await activity_rows(rig)) >= n:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"fewer than {n} activities stored after {timeout_s} s")


async def requests_at_least(rig: Rig, path: str, n: int, timeout_s: float = 60.0) -> None:
    for _ in range(int(timeout_s / 0.01)):
        if rig.fake.count(path) >= n:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"fewer than {n} requests to {path} after {timeout_s} s")


# --- connecting ---------------------------------------------------------------------------------


async def test_connecting_stores_the_athlete_and_the_tokens_encrypted(rig: Rig) -> None:
    await rig.connect()
    status = await rig.strava.status(rig.user_id)
    assert status.connected and status.athlete_name == "Ada Runner"
    assert status.problems == ()
    row = await account_row(rig)
    assert row is not None and row.athlete_id == ATHLETE
    issued = rig.fake.tokens_of(ATHLETE)[-1]
    # Nothing in the database holds a token in clear text: not the columns, not the file's bytes.
    async with rig.database.session() as db:
        dump = " ".join(str(v) for v in (await db.execute(text("SELECT * FROM strava_accounts"))).one())
    assert issued.access_token not in dump and issued.refresh_token not in dump
    assert rig.strava.cipher.open(row.access_token) == issued.access_token


@pytest.mark.parametrize(
    ("scope", "problems"),
    [
        ("read", (MISSING_READ, MISSING_WRITE)),
        ("read,activity:read_all", (MISSING_WRITE,)),
        ("read,activity:write", (MISSING_READ,)),
    ],
)
async def test_a_scope_left_out_is_explained_not_ignored(
    rig: Rig, scope: str, problems: tuple[str, ...]
) -> None:
    rig.fake.add_activities(ATHLETE, 3, start=START)
    await rig.connect(scope=scope)
    status = await rig.strava.status(rig.user_id)
    assert status.connected and status.problems == problems
    await rig.settle()
    expected = 0 if MISSING_READ in problems else 3
    assert len(await activity_rows(rig)) == expected


async def test_a_state_made_for_another_runner_or_too_old_is_refused(rig: Rig) -> None:
    bob = await new_user(rig.database, "bob@example.com")
    for state in (rig.state(bob), "not-a-state", ""):
        with pytest.raises(AuthFailed):
            await rig.strava.finish_connect(
                rig.user_id, state=state, code=rig.fake.grant(ATHLETE), scope="read", error=None
            )
    old = rig.state()
    rig.clock.advance(11 * 60)
    with pytest.raises(AuthFailed):
        await rig.strava.finish_connect(
            rig.user_id, state=old, code=rig.fake.grant(ATHLETE), scope="read", error=None
        )
    assert await account_row(rig) is None


async def test_cancelling_at_strava_or_a_used_code_connects_nothing(rig: Rig) -> None:
    with pytest.raises(InvalidInput, match="cancelled"):
        await rig.strava.finish_connect(
            rig.user_id, state=rig.state(), code=None, scope=None, error="access_denied"
        )
    code = rig.fake.grant(ATHLETE)
    await rig.strava.finish_connect(rig.user_id, state=rig.state(), code=code, scope="read", error=None)
    with pytest.raises(InvalidInput):
        await rig.strava.finish_connect(rig.user_id, state=rig.state(), code=code, scope="read", error=None)


async def test_one_athlete_connects_to_one_runner(rig: Rig) -> None:
    await rig.connect()
    bob = await new_user(rig.database, "bob@example.com")
    with pytest.raises(Conflict):
        await rig.strava.finish_connect(
            bob, state=rig.state(bob), code=rig.fake.grant(ATHLETE), scope="read", error=None
        )


async def test_two_runners_connecting_one_athlete_at_once_get_taken_not_an_error(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    await rig.connect()
    bob = await new_user(rig.database, "bob@example.com")

    async def not_yet(_db: object, **_: object) -> None:  # checked before Ann's connection committed
        return None

    monkeypatch.setattr(queries, "account_of_athlete", not_yet)
    with pytest.raises(Conflict, match="another"):
        await rig.strava.finish_connect(
            bob, state=rig.state(bob), code=rig.fake.grant(ATHLETE), scope="read", error=None
        )
    assert (await account_row(rig)).user_id == rig.user_id  # type: ignore[union-attr]


# --- tokens -------------------------------------------------------------------------------------


async def test_twenty_requests_after_expiry_refresh_once_and_store_the_rotated_pair(rig: Rig) -> None:
    await rig.connect()
    rig.clock.advance(6 * 3600 - 60)  # inside the five minutes before expiry
    tokens = await asyncio.gather(*(rig.strava.tokens.access_token(rig.user_id) for _ in range(20)))
    assert rig.fake.refreshes == 1
    assert len(set(tokens)) == 1
    newest = rig.fake.tokens_of(ATHLETE)[-1]
    assert tokens[0] == newest.access_token
    row = await account_row(rig)
    assert row is not None and rig.strava.cipher.open(row.refresh_token) == newest.refresh_token


async def test_a_refresh_token_strava_refuses_asks_the_runner_to_reconnect(rig: Rig) -> None:
    await rig.connect()
    async with rig.database.session() as db:  # a pair nobody can refresh (Strava forgot it)
        await queries.update_account(db, user_id=rig.user_id, refresh_token=rig.strava.cipher.seal("gone"))
    rig.clock.advance(7 * 3600)
    with pytest.raises(TokenRefused):
        await rig.strava.tokens.access_token(rig.user_id)
    status = await rig.strava.status(rig.user_id)
    assert any("connect Strava again" in p for p in status.problems)


async def test_a_replica_that_lost_the_refresh_race_takes_the_winners_pair(rig: Rig) -> None:
    await rig.connect()
    other = Strava(rig.strava.settings, rig.database, rig.clock, rig.strava.cipher)
    try:
        rig.clock.advance(7 * 3600)
        first = await other.tokens.access_token(rig.user_id)  # the other replica refreshes first
        second = await rig.strava.tokens.access_token(rig.user_id)
    finally:
        await other.close()
    assert first == second
    assert rig.fake.refreshes == 1


# --- the backfill -------------------------------------------------------------------------------


async def test_backfill_of_500_with_429s_in_the_middle_stores_each_activity_once(rig: Rig) -> None:
    made = rig.fake.add_activities(ATHLETE, 500, start=START, every=timedelta(hours=3))
    rig.fake.add_activities(ATHLETE, 5, start=START - timedelta(weeks=8))  # older than the backfill
    await rig.connect()
    rig.fake.fail_next(429, times=2, path="/api/v3/athlete/activities")
    await rig.worker.drain()
    assert len(await activity_rows(rig)) < 500  # the 429 made it wait for the window
    await rig.settle()
    rows = await activity_rows(rig)
    assert sorted(r.strava_id for r in rows) == sorted(a["id"] for a in made)
    status = await rig.strava.status(rig.user_id)
    assert status.imported == 500 and status.backfill_share == 1.0 and not status.importing
    pages = rig.fake.count("/api/v3/athlete/activities")
    assert pages <= 2 + 500 // 200 + 2  # the two refused, then a page per 200 (plus the overlap)
    assert rig.fake.count("/api/v3/activities/") == 0  # nothing fetched one by one


async def test_backfill_waits_for_strava_s_window_instead_of_failing(rig: Rig) -> None:
    rig.fake.read_limits = (4, 1000)  # a window of four reads: the fifth would be refused
    rig.fake.add_activities(ATHLETE, 1500, start=START, every=timedelta(minutes=60))
    await rig.connect()
    await rig.worker.drain()
    first_window = len(await activity_rows(rig))
    # Two pages (the second repeats the first's last second), then it stops short of the limit: two
    # requests are kept in reserve for webhook fetches and uploads.
    assert first_window == 200 + 199
    async with rig.database.session() as db:
        job = (await db.execute(select(JobRow).where(JobRow.kind == "strava.backfill"))).scalar_one()
    assert job.done_at is None and job.due_at.minute % 15 == 0 and job.attempts == 0
    await rig.settle()
    assert len(await activity_rows(rig)) == 1500
    assert not [seen for seen in rig.fake.requests if seen.status == 429]


async def test_a_backfill_killed_between_pages_resumes_where_it_stopped(rig: Rig) -> None:
    made = rig.fake.add_activities(ATHLETE, 900, start=START, every=timedelta(hours=2))
    await rig.connect()
    rig.fake.delay_s = 1.0  # each page takes a second: the kill lands while the second is asked for
    killed = asyncio.create_task(rig.worker.run_once())
    await rows_at_least(rig, 200)
    await requests_at_least(rig, "/api/v3/athlete/activities", 2)
    killed.cancel()  # the process dies waiting for Strava (no transaction open)
    await asyncio.gather(killed, return_exceptions=True)
    rig.fake.delay_s = 0.0
    before = rig.fake.count("/api/v3/athlete/activities")
    # A new process: another Strava and worker on the same database, after the dead one's lease.
    other = Strava(rig.strava.settings, rig.database, rig.clock, rig.strava.cipher)
    try:
        rig.worker = Worker(rig.database, rig.clock, other.handlers())
        rig.clock.advance(LEASE_S + 1)
        await rig.settle()
    finally:
        await other.close()
    rows = await activity_rows(rig)
    assert sorted(r.strava_id for r in rows) == sorted(a["id"] for a in made)
    assert rig.fake.count("/api/v3/athlete/activities") - before <= 900 // 200  # it did not start over


# --- webhook events -----------------------------------------------------------------------------


async def test_an_event_delivered_three_times_makes_one_row(rig: Rig) -> None:
    await rig.connect()
    await rig.settle()
    [new] = rig.fake.add_activities(ATHLETE, 1, start=T0 - timedelta(hours=2))
    created = event(rig.fake.event_for(new, "create"))
    for _ in range(3):
        await rig.strava.receive(created)
    async with rig.database.session() as db:
        jobs = (await db.execute(select(JobRow).where(JobRow.kind == "strava.event"))).scalars().all()
    assert len(jobs) == 1
    await rig.settle()
    await rig.strava.receive(created)  # a retry after it was processed: still one row
    await rig.settle()
    assert [r.strava_id for r in await activity_rows(rig)] == [new["id"]]
    assert rig.fake.count(f"/api/v3/activities/{new['id']}") == 1


async def test_update_and_delete_events_change_the_row(rig: Rig) -> None:
    await rig.connect()
    [run] = rig.fake.add_activities(ATHLETE, 1, start=T0 - timedelta(hours=2))
    await rig.strava.receive(event(rig.fake.event_for(run, "create")))
    await rig.settle()
    rig.fake.update_activity(run["id"], name="Morning tempo", distance=10_000.0)
    await rig.strava.receive(event(rig.fake.event_for(run, "update"), 60))
    await rig.settle()
    [row] = await activity_rows(rig)
    assert row.name == "Morning tempo" and row.distance_m == 10_000.0
    rig.fake.delete_activity(run["id"])
    await rig.strava.receive(event(rig.fake.event_for(run, "delete"), 120))
    await rig.settle()
    [row] = await activity_rows(rig)
    assert row.deleted
    assert (await rig.strava.status(rig.user_id)).imported == 0


async def test_events_for_unknown_athletes_are_ignored(rig: Rig) -> None:
    await rig.connect()
    [theirs] = rig.fake.add_activities(OTHER_ATHLETE, 1, start=T0 - timedelta(hours=1))
    await rig.strava.receive(event(rig.fake.event_for(theirs, "create")))
    await rig.settle()
    assert await activity_rows(rig) == []
    assert rig.fake.count(f"/api/v3/activities/{theirs['id']}") == 0


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"object_type": "activity"},
        {
            "object_type": "activity",
            "object_id": 2**64,
            "aspect_type": "create",
            "owner_id": 1,
            "event_time": 1,
        },
        {"object_type": "club", "object_id": 1, "aspect_type": "create", "owner_id": 1, "event_time": 1},
        {
            "object_type": "activity",
            "object_id": 1,
            "aspect_type": "create",
            "owner_id": 1,
            "event_time": "x",
        },
    ],
)
async def test_a_body_that_is_not_a_strava_event_is_refused(rig: Rig, body: object) -> None:
    with pytest.raises(InvalidInput):
        await rig.strava.receive(body)


async def test_deauthorization_removes_the_tokens_and_the_imported_runs(rig: Rig) -> None:
    rig.fake.add_activities(ATHLETE, 3, start=START)
    await rig.connect()
    await rig.settle()
    assert len(await activity_rows(rig)) == 3
    rig.fake.revoke(ATHLETE)  # on strava.com; then Strava posts the event
    await rig.strava.receive(event(rig.fake.deauthorization_event(ATHLETE)))
    await rig.settle()
    assert await account_row(rig) is None
    assert await activity_rows(rig) == []
    assert not (await rig.strava.status(rig.user_id)).connected


async def test_a_forged_deauthorization_strava_does_not_confirm_changes_nothing(rig: Rig) -> None:
    rig.fake.add_activities(ATHLETE, 3, start=START)
    await rig.connect()
    await rig.settle()
    await rig.strava.receive(event(rig.fake.deauthorization_event(ATHLETE)))  # not from Strava
    await rig.settle()
    assert [seen.path for seen in rig.fake.requests].count("/api/v3/athlete") == 1  # asked Strava, once
    assert (await rig.strava.status(rig.user_id)).connected
    assert len(await activity_rows(rig)) == 3


async def test_disconnect_revokes_at_strava_and_deletes_the_tokens(rig: Rig) -> None:
    await rig.connect()
    await rig.strava.disconnect(rig.user_id)
    assert ATHLETE in rig.fake.deauthorized
    assert await account_row(rig) is None
    await rig.strava.disconnect(rig.user_id)  # twice: nothing left to do, no error


async def test_disconnect_deletes_the_tokens_even_when_strava_is_down(rig: Rig) -> None:
    await rig.connect()
    rig.fake.fail_next(503, times=5, path="/oauth/deauthorize")
    await rig.strava.disconnect(rig.user_id)
    assert await account_row(rig) is None


async def test_verify_echoes_the_challenge_only_for_our_token(rig: Rig) -> None:
    assert rig.strava.verify(mode="subscribe", token="verify-me-please", challenge="abc") == {
        "hub.challenge": "abc"
    }
    for mode, token in (("subscribe", "wrong"), ("unsubscribe", "verify-me-please"), (None, None)):
        with pytest.raises(AuthFailed):
            rig.strava.verify(mode=mode, token=token, challenge="abc")


async def test_a_page_arriving_after_disconnect_is_not_stored(rig: Rig) -> None:
    rig.fake.add_activities(ATHLETE, 300, start=START, every=timedelta(hours=3))
    await rig.connect()
    rig.fake.delay_s = 1.0
    running = asyncio.create_task(rig.worker.run_once())
    await requests_at_least(rig, "/api/v3/athlete/activities", 1)  # the first page on its way
    await rig.strava.disconnect(rig.user_id)
    await running
    assert await activity_rows(rig) == []
    assert await account_row(rig) is None


async def test_a_disconnect_waits_for_the_page_being_stored_then_deletes_it(rig: Rig) -> None:
    """Whatever lands between an import's check of the account and its insert: the check holds the
    account, so the disconnect waits for the page and deletes it with the rest."""
    made = rig.fake.add_activities(ATHLETE, 3, start=START, every=timedelta(hours=3))
    await rig.connect()

    async def disconnect() -> None:
        async with rig.database.session() as db:
            await queries.delete_account(db, user_id=rig.user_id)

    async with rig.database.session(hold=True) as db:  # as the import does
        assert await queries.get_account(db, user_id=rig.user_id, for_update=True) is not None
        deleting = asyncio.create_task(disconnect())
        with pytest.raises(TimeoutError):  # held: it may not delete before the page is in
            await asyncio.wait_for(asyncio.shield(deleting), 0.5)
        found = [(parse_activity(raw), raw) for raw in made]
        await queries.upsert_activities(db, owner_id=rig.user_id, activities=found, now=T0)
    await asyncio.wait_for(deleting, 30)
    assert await activity_rows(rig) == []
    assert await account_row(rig) is None
