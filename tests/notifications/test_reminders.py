"""Reminders on a real database (SQLite and PostgreSQL) with a real local SMTP server (aiosmtpd on
127.0.0.1): made once per day, sent exactly once by racing workers, at most once more after a
sender died mid-send, retried after a refusal, in the app only without a mail server."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from runcoach.auth import service as accounts
from runcoach.clock import FakeClock
from runcoach.config import Settings
from runcoach.db import notifications as queries
from runcoach.db import sessions as session_queries
from runcoach.db.engine import Database
from runcoach.domain.notifications import Delivery, Kind, Message, Preferences
from runcoach.domain.session import EventKind
from runcoach.domain.weekly_html import BAR_PX, DONE, PLANNED
from runcoach.fit.files import FitFile
from runcoach.jobs.worker import Worker
from runcoach.notifications.mail import Mailer
from runcoach.notifications.service import SEND, Reminders
from runcoach.plans import service as plans
from runcoach.profiles import service as profiles
from tests.helpers import PLAN_PROFILE, easy_plan
from tests.smtp import Inbox, local_smtp

T0 = datetime(2026, 11, 2, 5, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    with local_smtp(handler) as port:
        yield handler, port


def settings(data_dir: Path, port: int | None) -> Settings:
    values: dict[str, Any] = {"data_dir": data_dir, "timezone": "Europe/Berlin"}
    if port is not None:
        values |= {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none",
                   "smtp_from": "RunCoach <coach@example.com>", "smtp_password": SecretStr("x")}  # fmt: skip
    return Settings(_env_file=None, **values)


def reminders_on(database: Database, data_dir: Path, port: int | None, clock: FakeClock) -> Reminders:
    """The reminders service mailing through the local server on `port` (None: in the app only)."""
    configured = settings(data_dir, port)
    return Reminders(configured, database, clock, Mailer(configured))


async def runner(database: Database, email: str) -> int:
    user = await accounts.create_user(
        database, email=email, name="Ann", password="Correct-Horse-42", is_admin=False, now=T0
    )
    return user.id


async def due_notifications(reminders: Reminders, database: Database, n: int, clock: FakeClock) -> list[int]:
    owner = await runner(database, "ann@example.com")
    ids = []
    for i in range(n):
        made = await reminders.store(
            owner, Kind.GOAL, f"goal:{owner}:{i}", _message(i), clock.now(), clock.now()
        )
        assert made is not None
        ids.append(made)
    return ids


async def monday_run_played_to_its_end(database: Database, owner: int) -> None:
    """Monday's planned run (wid 1), started at 07:00 and played to its end."""
    plan = await plans.view(database, owner)
    program = plan.day(1).program
    assert program is not None
    start = T0 + timedelta(hours=1)
    async with database.session() as db:
        stored = await session_queries.add_session(
            db, owner_id=owner, name="Easy 40 min", segments=program.segments, pair_code="MON001",
            now=start, plan_day=(plan.version.plan.id, 1),
        )  # fmt: skip
        await session_queries.append_event(db, session_id=stored.id, seq=2, kind=EventKind.STARTED, at=start)


def _message(i: int) -> Message:
    return Message(title=f"Reminder {i}", body=f"Body {i}")


async def test_two_workers_racing_send_each_of_200_exactly_once(
    database: Database, data_dir: Path, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    clock = FakeClock(T0)
    reminders = reminders_on(database, data_dir, port, clock)
    await due_notifications(reminders, database, 200, clock)
    workers = [Worker(database, clock, {SEND: reminders.send}, concurrency=8) for _ in range(2)]
    await asyncio.gather(*(w.drain() for w in workers))
    subjects = sorted(m["Subject"] for m in handler.messages)
    assert len(subjects) == 200 and len(set(subjects)) == 200
    async with database.session() as db:
        sent = await queries.list_for(db, owner_id=1, limit=500)
    assert {n.status for n in sent} == {Delivery.SENT}


async def test_a_sender_that_died_mid_send_is_followed_by_one_more_send_at_most(
    database: Database, data_dir: Path, inbox: tuple[Inbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    handler, port = inbox
    clock = FakeClock(T0)
    reminders = reminders_on(database, data_dir, port, clock)
    [first, second] = await due_notifications(reminders, database, 2, clock)
    async with database.session() as db:  # a sender claimed both, then died (it may have sent them)
        await queries.claim(db, notification_id=first)
        await queries.claim(db, notification_id=second)
        await queries.claim(db, notification_id=second)  # and the second was tried twice already
    worker = Worker(database, clock, {SEND: reminders.send})
    with caplog.at_level(logging.WARNING, logger="runcoach.notifications"):
        await worker.drain()
    assert [m["Subject"] for m in handler.messages] == ["Reminder 0"]
    assert "may get it twice" in caplog.text
    async with database.session() as db:
        [late] = await queries.by_ids(db, ids=[second])
    assert late.status is Delivery.FAILED and "not sent again" in (late.last_error or "")


async def test_a_refusal_is_retried_and_shows_on_the_admin_list_meanwhile(
    database: Database, data_dir: Path, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    handler.refuse = 1
    clock = FakeClock(T0)
    reminders = reminders_on(database, data_dir, port, clock)
    [only] = await due_notifications(reminders, database, 1, clock)
    worker = Worker(database, clock, {SEND: reminders.send})
    await worker.drain()
    troubled = await reminders.troubled()
    assert [t.id for t in troubled] == [only] and "550" in (troubled[0].last_error or "")
    assert troubled[0].claims == 0  # nothing was handed over: the refusal does not count
    clock.advance(31)
    await worker.drain()
    assert [m["Subject"] for m in handler.messages] == ["Reminder 0"]
    assert await reminders.troubled() == []


async def test_without_a_mail_server_reminders_are_in_the_app_only(
    database: Database, data_dir: Path
) -> None:
    clock = FakeClock(T0)
    reminders = reminders_on(database, data_dir, None, clock)
    [only] = await due_notifications(reminders, database, 1, clock)
    await Worker(database, clock, {SEND: reminders.send}).drain()
    async with database.session() as db:
        [shown] = await queries.by_ids(db, ids=[only])
    assert shown.status is Delivery.IN_APP
    assert await reminders.unread(shown.owner_id) == 1
    await reminders.mark_read(shown.owner_id)
    assert await reminders.unread(shown.owner_id) == 0


async def test_the_morning_reminder_is_made_once_at_the_runners_local_time(
    database: Database, data_dir: Path, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    clock = FakeClock(T0)  # 06:00 in Berlin
    reminders = reminders_on(database, data_dir, port, clock)
    owner = await runner(database, "ann@example.com")
    await profiles.save_profile(database, owner, PLAN_PROFILE, T0)
    await plans.store_new(database, owner, goal_id=None, seed=1, draft=easy_plan(T0.date()), now=T0)
    prefs = Preferences(morning_at=time(7, 0), timezone="Europe/Berlin", attach_fit=True)
    await reminders.save_preferences(owner, prefs)
    assert await reminders.plan_for(owner, prefs, clock.now()) == []  # 06:00: not yet
    clock.advance(3600 + 60)  # 07:01 in Berlin
    made = await reminders.plan_for(owner, prefs, clock.now())
    assert len(made) == 1
    assert await reminders.plan_for(owner, prefs, clock.now()) == []  # once a day
    await Worker(database, clock, {SEND: reminders.send}).drain()
    [mail] = handler.messages
    assert mail["Subject"].startswith("Today: ") and mail["To"] == "ann@example.com"
    attachments = [part.get_filename() for part in mail.iter_attachments()]
    assert len(attachments) == 1 and attachments[0].endswith(".fit")
    assert mail.get_body().get_content_type() == "text/plain"  # no HTML part for the morning


async def test_a_mail_with_html_and_a_fit_file_holds_both_alternatives_and_the_file(
    data_dir: Path, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    mailer = Mailer(settings(data_dir, port))
    fit = FitFile(name="easy.fit", data=b"\x0e\x10fit bytes")
    await mailer.send(
        mailer.message(to="ann@example.com", subject="Both", body="Text", html="<p>HTML</p>", attachment=fit)
    )
    [mail] = handler.messages
    assert mail.get_content_type() == "multipart/mixed"
    alternative, attached = mail.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    assert mail.get_body(("plain",)).get_content().strip() == "Text"
    assert mail.get_body(("html",)).get_content().strip() == "<p>HTML</p>"
    assert (attached.get_filename(), attached.get_content()) == ("easy.fit", fit.data)
    assert attached.get_content_type() == "application/vnd.ant.fit"


async def test_the_weekly_summary_comes_on_sunday_evening_with_planned_and_done(
    database: Database, data_dir: Path, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    clock = FakeClock(T0)
    reminders = reminders_on(database, data_dir, port, clock)
    owner = await runner(database, "ann@example.com")
    await profiles.save_profile(database, owner, PLAN_PROFILE, T0)
    await plans.store_new(database, owner, goal_id=None, seed=1, draft=easy_plan(T0.date()), now=T0)
    await monday_run_played_to_its_end(database, owner)
    prefs = Preferences(morning=False, weekly_at=time(19, 0), timezone="Europe/Berlin")
    saturday_evening = datetime.combine(date(2026, 11, 7), time(19, 30), prefs.zone)
    assert await reminders.plan_for(owner, prefs, saturday_evening) == []
    sunday_evening = saturday_evening + timedelta(days=1)
    assert len(await reminders.plan_for(owner, prefs, sunday_evening)) == 1
    clock.advance((sunday_evening - clock.now()).total_seconds())
    await Worker(database, clock, {SEND: reminders.send}).drain()
    [mail] = handler.messages
    assert mail.get_content_type() == "multipart/alternative"
    text, html = mail.iter_parts()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    body = text.get_content()
    assert "Volume:" in body and "planned" in body and "missed" in body and "done" in body
    chart = html.get_content()
    week = [date(2026, 11, 2) + timedelta(days=i) for i in range(7)]
    rows = [line for line in chart.splitlines() if line.startswith("<tr><td")]
    assert [row.split("</td>")[0].rsplit(">", 1)[1] for row in rows] == [f"{d:%a %d}" for d in week]
    [totals] = re.findall(r"Volume: (\d+\.\d of \d+\.\d km planned)", body)
    assert f"{totals} (33%)" in chart
    # Mon, Wed and Fri are planned alike: each has the full grey bar, Monday's run the full green
    # one too; the rest days have none.
    bars = [re.findall(r'bgcolor="(#[0-9a-f]{6})" style="width:(\d+)px', row) for row in rows]
    full = [(PLANNED, str(BAR_PX))]
    assert bars == [[*full, (DONE, str(BAR_PX))], [], full, [], full, [], []]
