"""Queries for reminders: the runner's preferences, and notifications with their delivery state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db.engine import insert_for
from runcoach.db.tables import NotificationPrefsRow, NotificationRow, UserRow
from runcoach.domain.notifications import Delivery, Kind, Preferences


@dataclass(frozen=True, slots=True)
class Notification:
    id: int
    owner_id: int
    kind: Kind
    title: str
    body: str
    body_html: str | None
    plan_id: int | None
    wid: int | None
    due_at: datetime
    status: Delivery
    claims: int
    sent_at: datetime | None
    last_error: str | None
    read_at: datetime | None
    created_at: datetime


def _notification(row: NotificationRow) -> Notification:
    return Notification(
        id=row.id,
        owner_id=row.owner_id,
        kind=Kind(row.kind),
        title=row.title,
        body=row.body,
        body_html=row.body_html,
        plan_id=row.plan_id,
        wid=row.wid,
        due_at=row.due_at,
        status=Delivery(row.status),
        claims=row.claims,
        sent_at=row.sent_at,
        last_error=row.last_error,
        read_at=row.read_at,
        created_at=row.created_at,
    )


async def get_prefs(db: AsyncSession, *, user_id: int) -> Preferences | None:
    row = await db.get(NotificationPrefsRow, user_id)
    return Preferences.model_validate(row.prefs) if row else None


async def save_prefs(db: AsyncSession, *, user_id: int, prefs: Preferences) -> None:
    data = prefs.model_dump(mode="json")
    statement = insert_for(db)(NotificationPrefsRow).values(user_id=user_id, prefs=data)
    await db.execute(statement.on_conflict_do_update(index_elements=["user_id"], set_={"prefs": data}))


async def active_runners(db: AsyncSession) -> list[tuple[int, Preferences | None]]:
    """Every account that is not disabled, with its preferences if it saved any."""
    query = (
        select(UserRow.id, NotificationPrefsRow.prefs)
        .outerjoin(NotificationPrefsRow, NotificationPrefsRow.user_id == UserRow.id)
        .where(UserRow.disabled_at.is_(None))
    )
    return [
        (user_id, Preferences.model_validate(prefs) if prefs else None)
        for user_id, prefs in (await db.execute(query)).all()
    ]


async def add(
    db: AsyncSession,
    *,
    owner_id: int,
    kind: Kind,
    key: str,
    title: str,
    body: str,
    due_at: datetime,
    now: datetime,
    body_html: str | None = None,
    plan_id: int | None = None,
    wid: int | None = None,
) -> int | None:
    """Store the notification unless its key exists; its id when stored."""
    values = {
        "owner_id": owner_id, "kind": kind.value, "key": key, "title": title[:300], "body": body,
        "body_html": body_html, "plan_id": plan_id, "wid": wid, "due_at": due_at,
        "status": Delivery.PENDING.value, "claims": 0, "created_at": now,
    }  # fmt: skip
    statement = (
        insert_for(db)(NotificationRow).values(**values).on_conflict_do_nothing(index_elements=["key"])
    )
    result = await db.execute(statement.returning(NotificationRow.id))
    return result.scalar_one_or_none()


async def claim(db: AsyncSession, *, notification_id: int) -> Notification | None:
    """Begin a send: count the claim; None when it is over (sent, in the app only, failed)."""
    result = await db.execute(
        update(NotificationRow)
        .where(
            NotificationRow.id == notification_id,
            NotificationRow.status.in_([Delivery.PENDING.value, Delivery.SENDING.value]),
        )
        .values(status=Delivery.SENDING.value, claims=NotificationRow.claims + 1)
        .returning(NotificationRow)
    )
    row = result.scalar_one_or_none()
    return _notification(row) if row else None


async def settle(
    db: AsyncSession, *, notification_id: int, status: Delivery, now: datetime, error: str | None = None
) -> None:
    """The send's end: sent, in the app only, or failed for good."""
    values: dict[str, Any] = {"status": status.value, "last_error": error}
    if status is Delivery.SENT:
        values["sent_at"] = now
    await db.execute(update(NotificationRow).where(NotificationRow.id == notification_id).values(**values))


async def unclaim(db: AsyncSession, *, notification_id: int, error: str) -> None:
    """The mail server refused it: nothing was handed over, so this claim does not count."""
    await db.execute(
        update(NotificationRow)
        .where(NotificationRow.id == notification_id)
        .values(status=Delivery.PENDING.value, claims=NotificationRow.claims - 1, last_error=error)
    )


async def list_for(db: AsyncSession, *, owner_id: int, limit: int = 50) -> list[Notification]:
    query = (
        select(NotificationRow)
        .where(NotificationRow.owner_id == owner_id)
        .order_by(NotificationRow.created_at.desc(), NotificationRow.id.desc())
        .limit(limit)
    )
    return [_notification(row) for row in (await db.execute(query)).scalars()]


async def unread(db: AsyncSession, *, owner_id: int) -> int:
    query = select(func.count()).where(
        NotificationRow.owner_id == owner_id, NotificationRow.read_at.is_(None)
    )
    return int((await db.execute(query)).scalar_one())


async def mark_read(db: AsyncSession, *, owner_id: int, now: datetime) -> None:
    await db.execute(
        update(NotificationRow)
        .where(NotificationRow.owner_id == owner_id, NotificationRow.read_at.is_(None))
        .values(read_at=now)
    )


async def troubled(db: AsyncSession, *, limit: int = 50) -> list[Notification]:
    """Notifications that failed, or wait for a retry after an error (the admin page)."""
    query = (
        select(NotificationRow)
        .where(NotificationRow.last_error.is_not(None), NotificationRow.status != Delivery.SENT.value)
        .order_by(NotificationRow.created_at.desc())
        .limit(limit)
    )
    return [_notification(row) for row in (await db.execute(query)).scalars()]


async def by_ids(db: AsyncSession, *, ids: Sequence[int]) -> list[Notification]:
    query = select(NotificationRow).where(NotificationRow.id.in_(ids))
    return [_notification(row) for row in (await db.execute(query)).scalars()]
