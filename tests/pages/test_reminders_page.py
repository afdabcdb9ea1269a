"""User stories for reminders: the bell counts the unread ones, the list shows them and reads them,
Settings keeps the runner's switches and local time, and the admin sees what was not delivered."""

from __future__ import annotations

from datetime import time

from nicegui.testing import User
from sqlalchemy import update

from runcoach.context import context
from runcoach.db.tables import NotificationRow
from runcoach.domain.notifications import Kind, Message
from tests.helpers import add_account, sign_in

EMAIL = "runner@example.com"


async def remind(user_id: int, n: int) -> None:
    reminders = context().reminders
    now = context().clock.now()
    for i in range(n):
        message = Message(title=f"Reminder {i}", body=f"Body of reminder {i}")
        await reminders.store(user_id, Kind.GOAL, f"goal:{user_id}:{i}", message, now, now)


async def test_the_bell_counts_unread_reminders_and_the_list_reads_them(user: User) -> None:
    await user.open("/login")
    runner = await add_account(EMAIL, "Runner")
    await remind(runner.id, 3)
    await sign_in(user, EMAIL)
    await user.should_see(marker="bell-count", content="3")
    await user.open("/notifications")
    await user.should_see("Reminder 2")
    await user.should_see("Body of reminder 0")
    assert await context().reminders.unread(runner.id) == 0
    await user.open("/settings")
    await user.should_not_see(marker="bell-count")


async def test_settings_keep_the_reminder_switches_and_times(user: User) -> None:
    await user.open("/login")
    runner = await add_account(EMAIL, "Runner")
    await sign_in(user, EMAIL)
    await user.open("/settings")
    await user.should_see("Reminders come here, under the bell")
    user.find("The week's summary, on Sunday").click()
    await user.should_see(marker="reminders-saved", content="Saved.")
    prefs = await context().reminders.preferences(runner.id)
    assert prefs.weekly is False and prefs.morning is True and prefs.morning_at == time(7, 0)


async def test_the_admin_sees_reminders_that_were_not_delivered(user: User) -> None:
    await user.open("/login")
    admin = await add_account(EMAIL, "Admin", admin=True)
    await remind(admin.id, 1)
    async with context().db.session() as db:
        await db.execute(
            update(NotificationRow).values(
                status="failed", last_error="SMTPRecipientsRefused: 550 no such user"
            )
        )
    await sign_in(user, EMAIL)
    await user.open("/admin")
    await user.should_see("given up: SMTPRecipientsRefused: 550 no such user")
