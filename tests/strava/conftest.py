"""Strava tests: the real client and services against the fake Strava on 127.0.0.1, on SQLite and
PostgreSQL, with one clock shared by the fake and the code under test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from runcoach.auth import service as accounts
from runcoach.clock import FakeClock
from runcoach.config import Settings
from runcoach.db import jobs as job_queries
from runcoach.db.engine import Database
from runcoach.jobs.worker import Worker
from runcoach.strava.jobs import AUTO_UPLOAD
from runcoach.strava.service import Strava
from runcoach.strava.tokens import Cipher
from tests.fake_strava import FakeStrava

#: A Monday morning; the fake's clock reads the test's clock.
T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
ATHLETE = 7_000_000_001
OTHER_ATHLETE = 7_000_000_002
VERIFY = "verify-me-please"


class SharedClock:
    """The clock of the current test, for the fake started once per run."""

    clock = FakeClock(T0)

    def unix(self) -> float:
        return self.clock.now().timestamp()


SHARED = SharedClock()


@pytest.fixture(scope="session")
def fake_strava_server() -> Iterator[FakeStrava]:
    with FakeStrava(SHARED.unix) as fake:
        yield fake


@pytest.fixture
def clock() -> FakeClock:
    SHARED.clock = FakeClock(T0)
    return SHARED.clock


@pytest.fixture
def fake(fake_strava_server: FakeStrava, clock: FakeClock) -> FakeStrava:
    """The fake, fresh, with two athletes; limits as Strava's."""
    fake_strava_server.reset()
    fake_strava_server.add_athlete(ATHLETE, "Ada", "Runner")
    fake_strava_server.add_athlete(OTHER_ATHLETE, "Bo", "Other")
    return fake_strava_server


def strava_settings(data_dir: Path, fake: FakeStrava, **changes: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": data_dir,
        "public_url": "http://127.0.0.1:9",
        "strava_client_id": "1234",
        "strava_client_secret": SecretStr("s3cret"),
        "strava_verify_token": SecretStr(VERIFY),
        "strava_oauth_url": fake.oauth_url,
        "strava_api_url": fake.api_url,
        "strava_backfill_weeks": 12,
        "timezone": "Europe/Berlin",
        "token_key": SecretStr(Cipher.new_key()),
    }
    return Settings(**(values | changes))  # type: ignore[arg-type]


@dataclass
class Rig:
    """Strava's services on a real database, with the worker that runs their jobs."""

    database: Database
    clock: FakeClock
    fake: FakeStrava
    strava: Strava
    worker: Worker
    user_id: int

    async def connect(
        self, athlete: int = ATHLETE, scope: str = "read,activity:read_all,activity:write"
    ) -> None:
        await self.strava.finish_connect(
            self.user_id, state=self.state(), code=self.fake.grant(athlete, scope), scope=scope, error=None
        )

    def state(self, user_id: int | None = None) -> str:
        """The state of a connect link made for the runner (or `user_id`)."""
        url = httpx.URL(self.strava.connect_url(user_id or self.user_id))
        return url.params["state"]

    async def settle(self, *, rounds: int = 200) -> None:
        """Run the jobs, moving the clock to each next due time, until none is left."""
        for _ in range(rounds):
            await self.worker.drain()
            async with self.database.session() as db:
                due = await job_queries.next_due(
                    db, kinds=[k for k in self.worker.handlers if k != AUTO_UPLOAD]
                )
            if due is None:
                return
            self.clock.advance(max((due - self.clock.now()).total_seconds(), 0) + 0.001)
        raise AssertionError("the jobs did not settle")


async def new_user(database: Database, email: str = "ann@example.com") -> int:
    user = await accounts.create_user(
        database, email=email, name=email.split("@")[0], password="Correct-Horse-42", is_admin=False, now=T0
    )
    return user.id


@pytest.fixture
async def rig(database: Database, clock: FakeClock, fake: FakeStrava, data_dir: Path) -> AsyncIterator[Rig]:
    key = Cipher.new_key()
    settings = strava_settings(data_dir, fake, token_key=SecretStr(key))
    strava = Strava(settings, database, clock, Cipher(key, clock))
    worker = Worker(database, clock, strava.handlers())
    yield Rig(database, clock, fake, strava, worker, await new_user(database))
    await strava.close()
