"""Two replicas (real `runcoach serve` processes on one PostgreSQL) racing over the same 200 due
reminders send each exactly once, counted at a real local mail server (aiosmtpd on 127.0.0.1).

The mail server holds every message until five wait at once: one replica's worker sends at most
four at a time, so five prove both replicas were sending together before any got through."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from runcoach.auth import service as accounts
from runcoach.clock import SystemClock
from runcoach.config import Settings
from runcoach.db.engine import Database
from runcoach.db.tables import JobRow, NotificationRow
from runcoach.domain.notifications import Delivery, Kind, Message
from runcoach.notifications.mail import Mailer
from runcoach.notifications.service import SEND, Reminders
from tests.e2e.conftest import ServerFactory
from tests.smtp import Inbox, local_smtp

pytestmark = pytest.mark.postgres

EMAIL, PASSWORD = "ann@example.com", "correct horse battery"
REMINDERS = 200
#: More than one replica's worker sends at once (runcoach.jobs.worker: concurrency 4).
AT_ONCE = 5
DEADLINE_S = 240.0


async def store_due(url: str, data_dir: Path, n: int) -> None:
    """`n` reminders due now for the runner, each with its send job, as the sweep stores them."""
    database = Database(url)
    try:
        await database.start()
        user = await accounts.user_by_email(database, email=EMAIL)
        settings = Settings(_env_file=None, data_dir=data_dir)
        reminders = Reminders(settings, database, SystemClock(), Mailer(settings))
        now = datetime.now(UTC)
        for i in range(n):
            message = Message(title=f"Reminder {i}", body=f"Body {i}")
            assert await reminders.store(user.id, Kind.GOAL, f"race:{i}", message, now, now) is not None
    finally:
        await database.close()


async def progress(url: str) -> tuple[int, int]:
    """(notifications sent, send jobs still to run)."""
    database = Database(url)
    try:
        await database.start()  # the gate (the schema is there already)
        async with database.session() as db:
            sent = await db.scalar(select(func.count()).where(NotificationRow.status == Delivery.SENT.value))
            open_jobs = await db.scalar(
                select(func.count()).where(JobRow.kind == SEND, JobRow.done_at.is_(None))
            )
        return int(sent or 0), int(open_jobs or 0)
    finally:
        await database.close()


def test_two_replicas_racing_over_200_due_reminders_send_each_exactly_once(
    runcoach_server: ServerFactory, postgres_url: str, tmp_path: Path
) -> None:
    handler = Inbox(hold_until=AT_ONCE, hold_s=90)
    with local_smtp(handler) as port:
        runcoach_server.env |= {
            "RUNCOACH_DATABASE_URL": postgres_url,
            "RUNCOACH_SMTP_HOST": "127.0.0.1",
            "RUNCOACH_SMTP_PORT": str(port),
            "RUNCOACH_SMTP_SECURITY": "none",
            "RUNCOACH_SMTP_FROM": "RunCoach <coach@example.com>",
            "RUNCOACH_SMTP_TIMEOUT_S": "120",  # the mail server holds the first ones on purpose
        }
        runcoach_server.user_with_token(EMAIL, PASSWORD, admin=False)  # the schema, and the runner
        asyncio.run(asyncio.wait_for(store_due(postgres_url, tmp_path, REMINDERS), timeout=120))
        # Due before either starts: both replicas' workers find them at once and race.
        runcoach_server.start(data_dir=tmp_path / "a")
        runcoach_server.start(data_dir=tmp_path / "b")

        deadline = time.monotonic() + DEADLINE_S
        while (state := asyncio.run(asyncio.wait_for(progress(postgres_url), 30))) != (REMINDERS, 0):
            assert time.monotonic() < deadline, f"not all sent in time: (sent, open jobs) = {state}"
            time.sleep(0.5)

    assert handler.held_open, f"the replicas never sent {AT_ONCE} at once (at most {handler.most_at_once})"
    subjects = handler.subjects()
    assert len(subjects) == REMINDERS, f"{len(subjects) - len(set(subjects))} sent twice"
    assert set(subjects) == {f"Reminder {i}" for i in range(REMINDERS)}
