"""Reminders: made by a sweep job, sent by a job each, listed in the app.

Made once: every minute one sweep (a job: one replica runs it) looks at each runner's switches and
local time and stores what is due (today's workout, the week's summary on Sunday evening, a goal
that became unrealistic) under a key that makes it once per kind and day (or goal). Storing it
stores its send job in the same transaction.

Sent at most once: the send job (claimed by one worker, `FOR UPDATE SKIP LOCKED` on PostgreSQL)
marks the notification `sending` and counts the claim before it talks to the mail server, and
`sent` after. A claim that ends in a refusal is given back (nothing was handed over). A sender
that dies between the two leaves the claim counted: the next sends once more, with a warning in
the log that the runner may get it twice, and a third never sends (the notification is marked
failed with the reason, for the admin page). Without a mail server the reminder is shown in the
app only.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from runcoach.auth import service as accounts
from runcoach.clock import Clock
from runcoach.config import Settings
from runcoach.db import jobs as job_queries
from runcoach.db import notifications as queries
from runcoach.db.engine import Database
from runcoach.db.notifications import Notification
from runcoach.domain.accounts import Units
from runcoach.domain.errors import NotFound, RunCoachError
from runcoach.domain.goals import Feasibility
from runcoach.domain.jobs import Job
from runcoach.domain.notifications import (
    MAX_CLAIMS,
    STALE,
    Delivery,
    Kind,
    Message,
    Preferences,
    WeekLine,
    goal_message,
    key,
    local_today,
    morning_due,
    morning_message,
    weekly_due,
    weekly_message,
)
from runcoach.domain.plan_model import WorkoutType
from runcoach.domain.structure import describe
from runcoach.fit import workouts as fit_files
from runcoach.fit.files import FitFile
from runcoach.goals import present as goal_present
from runcoach.goals import service as goals
from runcoach.jobs.worker import Handler, Later
from runcoach.notifications.mail import Mailer
from runcoach.plans import calendar as calendars
from runcoach.plans import present as plan_present
from runcoach.plans import service as plans

log = logging.getLogger("runcoach.notifications")

SWEEP = "notify.sweep"
SEND = "notify.send"
SWEEP_S = 60.0


class Reminders:
    def __init__(self, settings: Settings, database: Database, clock: Clock, mailer: Mailer) -> None:
        self.settings = settings
        self.database = database
        self.clock = clock
        self.mailer = mailer

    def handlers(self) -> dict[str, Handler]:
        return {SWEEP: self.sweep, SEND: self.send}

    def defaults(self) -> Preferences:
        """A runner who never chose: the reminders on, at the server's time zone."""
        return Preferences(timezone=self.settings.timezone or "UTC")

    async def start_sweep(self) -> None:
        now = self.clock.now()
        async with self.database.session() as db:
            await job_queries.enqueue(
                db, kind=SWEEP, key=SWEEP, payload={}, owner_id=None, due_at=now, now=now
            )

    # --- the runner's side --------------------------------------------------------------------

    async def preferences(self, user_id: int) -> Preferences:
        async with self.database.session() as db:
            return await queries.get_prefs(db, user_id=user_id) or self.defaults()

    async def save_preferences(self, user_id: int, prefs: Preferences) -> Preferences:
        async with self.database.session() as db:
            await queries.save_prefs(db, user_id=user_id, prefs=prefs)
        return prefs

    async def recent(self, user_id: int) -> list[Notification]:
        async with self.database.session() as db:
            return await queries.list_for(db, owner_id=user_id)

    async def unread(self, user_id: int) -> int:
        async with self.database.session() as db:
            return await queries.unread(db, owner_id=user_id)

    async def mark_read(self, user_id: int) -> None:
        async with self.database.session() as db:
            await queries.mark_read(db, owner_id=user_id, now=self.clock.now())

    async def troubled(self) -> list[Notification]:
        async with self.database.session() as db:
            return await queries.troubled(db)

    # --- making them ----------------------------------------------------------------------------

    async def sweep(self, job: Job) -> None:
        """The sweep job: store what is due for every runner, then come back in a minute."""
        now = self.clock.now()
        async with self.database.session() as db:
            runners = await queries.active_runners(db)
        for user_id, prefs in runners:
            try:
                await self.plan_for(user_id, prefs or self.defaults(), now)
            except RunCoachError as exc:  # one runner's missing profile must not stop the others
                log.info("no reminders for runner %s now: %s", user_id, exc)
        raise Later(now + timedelta(seconds=SWEEP_S), "the reminder sweep comes back")

    async def plan_for(self, user_id: int, prefs: Preferences, now: datetime) -> list[int]:
        """Store the runner's reminders due by `now` (each once); the ids stored now."""
        stored = []
        if (due := morning_due(now, prefs)) is not None and now - due < STALE:
            stored.append(await self._morning(user_id, prefs, due, now))
        if (due := weekly_due(now, prefs)) is not None and now - due < STALE:
            stored.append(await self._weekly(user_id, prefs, due, now))
        if prefs.goal_alerts:
            stored += await self._goal_alerts(user_id, now)
        return [i for i in stored if i is not None]

    async def _morning(self, user_id: int, prefs: Preferences, due: datetime, now: datetime) -> int | None:
        today = local_today(now, prefs)
        try:
            plan = await plans.view(self.database, user_id)
        except NotFound:
            return None
        compiled = next((c for c in plan.days if c.day.date == today), None)
        if compiled is None or compiled.day.type is WorkoutType.REST:
            return None
        day = compiled.day
        units = Units.METRIC
        structure = describe(day.structure, plan.profile.paces().zones, units) if day.structure else ""
        message = morning_message(today, day.title, plan_present.day_facts(compiled, units), structure)
        wid = day.wid if prefs.attach_fit else None
        return await self.store(user_id, Kind.MORNING, key(Kind.MORNING, user_id, today.isoformat()),
                                 message, due, now, plan_id=plan.version.plan.id, wid=wid)  # fmt: skip

    async def _weekly(self, user_id: int, prefs: Preferences, due: datetime, now: datetime) -> int | None:
        today = local_today(now, prefs)
        monday = today - timedelta(days=today.weekday())
        cal = await calendars.calendar(
            self.database, user_id, start=monday, end=today, today=today, zone=prefs.zone, now=now
        )
        if cal.plan is None:
            return None
        planned_km, done_km = plan_present.week_volume(cal.days)
        lines = [_week_line(d) for d in cal.days]
        verdict = await self._verdict(user_id, now)
        message = weekly_message(monday, lines, planned_km, done_km, verdict)
        return await self.store(
            user_id, Kind.WEEKLY, key(Kind.WEEKLY, user_id, monday.isoformat()), message, due, now
        )

    async def _verdict(self, user_id: int, now: datetime) -> str | None:
        found = await goals.list_goals(self.database, user_id, now)
        return f"{goal_present.title(found[0])}: {found[0].assessment.reason}" if found else None

    async def _goal_alerts(self, user_id: int, now: datetime) -> list[int | None]:
        stored = []
        for goal in await goals.list_goals(self.database, user_id, now):
            if goal.assessment.feasibility is not Feasibility.UNREALISTIC:
                continue
            message = goal_message(
                goal_present.title(goal), goal.assessment.reason, goal.assessment.realistic_target
            )
            marker = key(Kind.GOAL, user_id, f"{goal.id}:unrealistic")
            stored.append(await self.store(user_id, Kind.GOAL, marker, message, now, now))
        return stored

    async def store(
        self,
        user_id: int,
        kind: Kind,
        marker: str,
        message: Message,
        due: datetime,
        now: datetime,
        *,
        plan_id: int | None = None,
        wid: int | None = None,
    ) -> int | None:
        """Store a reminder and its send job, in one transaction; None when one with `marker` exists."""
        async with self.database.session() as db:
            made = await queries.add(
                db, owner_id=user_id, kind=kind, key=marker, title=message.title, body=message.body,
                body_html=message.html, due_at=due, now=now, plan_id=plan_id, wid=wid,
            )  # fmt: skip
            if made is not None:
                await job_queries.enqueue(
                    db, kind=SEND, key=f"notify:{made}", payload={"id": made}, owner_id=user_id,
                    due_at=now, now=now,
                )  # fmt: skip
        return made

    # --- sending them ---------------------------------------------------------------------------

    async def send(self, job: Job) -> None:
        """The send job: at most once more than once (see the module docstring)."""
        notification_id = int(job.payload["id"])
        async with self.database.session() as db:
            found = await queries.claim(db, notification_id=notification_id)
        if found is None:
            return
        if not self.mailer.configured:
            return await self._settle(found, Delivery.IN_APP)
        if found.claims > MAX_CLAIMS:
            why = "not sent again: an earlier send may have reached the mail server before it stopped"
            return await self._settle(found, Delivery.FAILED, why)
        if found.claims == MAX_CLAIMS:
            log.warning("notification %s: a sender stopped while sending it; sending it once more, "
                        "so the runner may get it twice", found.id)  # fmt: skip
        user = await accounts.active_user(self.database, user_id=found.owner_id)
        if user is None:
            return await self._settle(found, Delivery.FAILED, "the account is gone or disabled")
        attachment = await self._attachment(found)
        mail = self.mailer.message(
            to=user.email, subject=found.title, body=found.body, html=found.body_html, attachment=attachment
        )
        try:
            await self.mailer.send(mail)
        except Exception as exc:  # refused, unreachable, timed out: nothing was handed over
            async with self.database.session() as db:
                await queries.unclaim(db, notification_id=found.id, error=f"{type(exc).__name__}: {exc}")
            raise
        await self._settle(found, Delivery.SENT)

    async def _attachment(self, found: Notification) -> FitFile | None:
        if found.plan_id is None or found.wid is None:
            return None
        try:
            return await fit_files.planned_day_file(
                self.database, user_id=found.owner_id, plan_id=found.plan_id, wid=found.wid,
                now=self.clock.now(), tolerance_pct=self.settings.fit_speed_tolerance_pct,
            )  # fmt: skip
        except RunCoachError:  # the plan changed since: the mail goes without the file
            return None

    async def _settle(self, found: Notification, status: Delivery, error: str | None = None) -> None:
        async with self.database.session() as db:
            await queries.settle(
                db, notification_id=found.id, status=status, now=self.clock.now(), error=error
            )


def _week_line(d: calendars.CalendarDay) -> WeekLine:
    """A day of the week's summary, with its kilometres (counted as the week's total counts them)."""
    planned_km, done_km = plan_present.day_volume(d)
    title = d.planned.day.title if d.planned else "rest"
    return WeekLine(d.date, title, d.status.value, planned_km=planned_km, done_km=done_km)
