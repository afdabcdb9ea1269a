"""Strava end to end with real server processes and the fake Strava on 127.0.0.1:

- the webhook: `runcoach strava subscribe` (the fake checks the callback the way Strava does),
  then events posted by the fake, delivered three times as Strava may, make one activity; a
  deauthorization drops the connection;
- a server killed (SIGKILL) in the middle of a backfill resumes it when it starts again, with
  each activity stored once and the pages already stored not fetched again;
- the tokens are nowhere in the database's files in clear text."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from runcoach.config import Settings
from runcoach.db.engine import Database
from runcoach.db.tables import StravaAccountRow, StravaActivityRow
from tests.e2e.conftest import ServerFactory, connect_strava, free_port, strava_env
from tests.fake_strava import FakeStrava

ATHLETE = 5_500_000_001
EMAIL = "runner@example.com"


@pytest.fixture
def fake() -> Iterator[FakeStrava]:
    with FakeStrava() as fake:
        fake.add_athlete(ATHLETE, "Ada", "Runner")
        yield fake


async def connect(data_dir: Path, fake: FakeStrava, port: int, key: str) -> Database:
    """The runner connected to Strava, and the server's database."""
    database = Database(Settings(_env_file=None, data_dir=data_dir).resolved_database_url)
    await database.start()
    public = f"http://127.0.0.1:{port}"
    await connect_strava(
        database,
        fake,
        public_url=public,
        key=key,
        email=EMAIL,
        athlete=ATHLETE,
        scope="read,activity:read_all",
    )
    return database


async def rows(database: Database, table: type[StravaActivityRow] | type[StravaAccountRow]) -> int:
    async with database.session() as db:
        return int((await db.execute(select(func.count()).select_from(table))).scalar_one())


async def wait_rows(database: Database, table: type, expected: int, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while await rows(database, table) != expected:
        assert time.monotonic() < deadline, f"{table.__tablename__} never had {expected} rows"
        await asyncio.sleep(0.1)


async def test_subscribe_then_events_posted_three_times_make_one_activity(
    runcoach_server: ServerFactory, data_dir: Path, fake: FakeStrava
) -> None:
    key = Fernet.generate_key().decode()
    port = free_port()
    runcoach_server.env |= strava_env(fake, f"http://127.0.0.1:{port}", key)
    server = runcoach_server.start(port=port)
    runcoach_server.user_with_token(EMAIL)
    database = await connect(data_dir, fake, port, key)
    try:
        out = await asyncio.to_thread(runcoach_server.cli, "strava", "subscribe")
        assert f"{server.base}/strava/webhook" in out
        assert (
            fake.subscription is not None
            and fake.subscription.callback_url == f"{server.base}/strava/webhook"
        )
        listed = await asyncio.to_thread(runcoach_server.cli, "strava", "subscriptions")
        assert f"{server.base}/strava/webhook" in listed

        [run] = fake.add_activities(ATHLETE, 1, start=datetime.now(UTC) - timedelta(hours=1))
        status = await fake.send_event(**fake.event_for(run, "create"), times=3)
        assert status == 200
        assert all(d.status == 200 and d.attempt == 1 for d in fake.deliveries)  # each answered in time
        await wait_rows(database, StravaActivityRow, 1)
        assert fake.count(f"/api/v3/activities/{run['id']}") == 1

        fake.revoke(ATHLETE)  # on strava.com; then Strava posts the event
        await fake.send_event(**fake.deauthorization_event(ATHLETE))
        await wait_rows(database, StravaAccountRow, 0)
        await wait_rows(database, StravaActivityRow, 0)
    finally:
        await database.close()


async def test_a_server_killed_mid_backfill_resumes_it_on_restart(
    runcoach_server: ServerFactory, data_dir: Path, fake: FakeStrava
) -> None:
    made = fake.add_activities(
        ATHLETE, 1000, start=datetime.now(UTC) - timedelta(weeks=10), every=timedelta(hours=1)
    )
    fake.delay_s = 0.4  # every page takes a while: the kill lands between two
    key = Fernet.generate_key().decode()
    port = free_port()
    runcoach_server.env |= strava_env(fake, f"http://127.0.0.1:{port}", key)
    server = runcoach_server.start(port=port)
    token = runcoach_server.user_with_token(EMAIL)
    database = await connect(data_dir, fake, port, key)
    try:
        with server.api(token) as api:  # wakes the server's worker for the job stored here
            assert api.client.post("/api/strava/sync").status_code == 200
        await wait_rows_at_least(database, 200)
        server.kill()
        fetched = fake.count("/api/v3/athlete/activities")
        stored = await rows(database, StravaActivityRow)
        assert stored < 1000

        await asyncio.to_thread(runcoach_server.start, port=port)
        await wait_rows(database, StravaActivityRow, 1000, timeout_s=60)
        async with database.session() as db:
            ids = (await db.execute(select(StravaActivityRow.strava_id))).scalars().all()
        assert sorted(ids) == sorted(a["id"] for a in made)
        # It went on from the cursor: the pages stored before the kill were not fetched again.
        again = fake.count("/api/v3/athlete/activities") - fetched
        assert again <= (1000 - stored) // 200 + 2
        await no_token_in_clear(data_dir, fake)
    finally:
        await database.close()


async def wait_rows_at_least(database: Database, n: int, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while await rows(database, StravaActivityRow) < n:
        assert time.monotonic() < deadline, f"fewer than {n} activities stored"
        await asyncio.sleep(0.02)


async def no_token_in_clear(data_dir: Path, fake: FakeStrava) -> None:
    """No token Strava issued appears in the database file or its write-ahead log."""
    files = await asyncio.to_thread(lambda: b"".join(p.read_bytes() for p in data_dir.glob("runcoach.db*")))
    issued = fake.tokens_of(ATHLETE)
    assert issued
    for token in issued:
        assert token.access_token.encode() not in files
        assert token.refresh_token.encode() not in files
