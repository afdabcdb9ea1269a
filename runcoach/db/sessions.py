"""Queries for run sessions and their append-only event log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db.tables import RunSessionRow, SessionEventRow, UserRow
from runcoach.domain.session import Event, EventKind, RunSession
from runcoach.domain.structure import Console
from runcoach.domain.workouts import Segment


def to_session(row: RunSessionRow, events: list[SessionEventRow]) -> RunSession:
    return RunSession(
        id=row.id,
        owner_id=row.owner_id,
        workout_id=row.workout_id,
        name=row.name,
        segments=tuple(Segment.model_validate(s) for s in row.segments),
        pair_code=row.pair_code,
        created_at=row.created_at,
        events=tuple(Event(seq=e.seq, kind=EventKind(e.kind), at=e.at) for e in events),
        paired_at=row.paired_at,
        plan_id=row.plan_id,
        plan_wid=row.plan_wid,
        console=None if row.console is None else Console.model_validate(row.console),
    )


async def add_session(
    db: AsyncSession,
    *,
    owner_id: int,
    name: str,
    segments: tuple[Segment, ...],
    pair_code: str,
    now: datetime,
    workout_id: int | None = None,
    plan_day: tuple[int, int] | None = None,
    console: Console | None = None,
) -> RunSession:
    """A new session of a generated workout (`workout_id`) or of a planned day (`plan_day`: the
    plan's id and the day's wid), playing `segments` from now on whatever later happens to either,
    with its `created` event; `console` is the treadmill's snapshot."""
    plan_id, plan_wid = plan_day if plan_day is not None else (None, None)
    row = RunSessionRow(
        owner_id=owner_id,
        workout_id=workout_id,
        plan_id=plan_id,
        plan_wid=plan_wid,
        name=name,
        segments=[s.model_dump(mode="json") for s in segments],
        pair_code=pair_code,
        created_at=now,
        console=None if console is None else console.model_dump(mode="json"),
    )
    db.add(row)
    await db.flush()
    created = SessionEventRow(session_id=row.id, seq=1, kind=EventKind.CREATED.value, at=now)
    db.add(created)
    await db.flush()
    return to_session(row, [created])


async def _events(db: AsyncSession, session_id: int) -> list[SessionEventRow]:
    query = (
        select(SessionEventRow).where(SessionEventRow.session_id == session_id).order_by(SessionEventRow.seq)
    )
    return list(await db.scalars(query))


def _of_active_owner() -> Select[RunSessionRow]:
    """Sessions whose owner's account is not disabled: a disabled runner's screens stop at once."""
    return (
        select(RunSessionRow)
        .join(UserRow, UserRow.id == RunSessionRow.owner_id)
        .where(UserRow.disabled_at.is_(None))
    )


async def get_session(db: AsyncSession, *, session_id: int, owner_id: int | None = None) -> RunSession | None:
    """The session with its events, scoped to `owner_id` unless None (a paired remote: caller checks).

    With an owner id, a disabled owner's session is not found.
    """
    if owner_id is None:
        query = select(RunSessionRow).where(RunSessionRow.id == session_id)
    else:
        query = _of_active_owner().where(RunSessionRow.id == session_id, RunSessionRow.owner_id == owner_id)
    row = await db.scalar(query)
    return to_session(row, await _events(db, row.id)) if row else None


async def find_by_pair_code(db: AsyncSession, *, pair_code: str) -> RunSession | None:
    """The session this code pairs with, unless the owner is disabled (the caller checks its age)."""
    row = await db.scalar(_of_active_owner().where(RunSessionRow.pair_code == pair_code))
    return to_session(row, await _events(db, row.id)) if row else None


async def set_pair_code(db: AsyncSession, *, session_id: int, pair_code: str, now: datetime) -> None:
    """Replace the session's pairing code (the old one stops working); a taken code is an IntegrityError."""
    await db.execute(
        update(RunSessionRow).where(RunSessionRow.id == session_id).values(pair_code=pair_code, paired_at=now)
    )
    await db.flush()


async def list_sessions(db: AsyncSession, *, owner_id: int, limit: int = 50) -> list[RunSession]:
    query = (
        _of_active_owner()
        .where(RunSessionRow.owner_id == owner_id)
        .order_by(RunSessionRow.created_at.desc(), RunSessionRow.id.desc())
        .limit(limit)
    )
    return await _with_events(db, list(await db.scalars(query)))


async def list_between(
    db: AsyncSession, *, owner_id: int, start: datetime, end: datetime | None = None, limit: int = 500
) -> list[RunSession]:
    """The owner's sessions created in [start, end) (no end: up to now), oldest first, with their events."""
    query = _of_active_owner().where(RunSessionRow.owner_id == owner_id, RunSessionRow.created_at >= start)
    if end is not None:
        query = query.where(RunSessionRow.created_at < end)
    query = query.order_by(RunSessionRow.created_at, RunSessionRow.id).limit(limit)
    return await _with_events(db, list(await db.scalars(query)))


async def _with_events(db: AsyncSession, rows: list[RunSessionRow]) -> list[RunSession]:
    """The sessions of these rows, with their events in two queries (not one per session)."""
    events = await db.scalars(
        select(SessionEventRow)
        .where(SessionEventRow.session_id.in_([r.id for r in rows]))
        .order_by(SessionEventRow.seq)
    )
    by_session: dict[int, list[SessionEventRow]] = {}
    for event in events:
        by_session.setdefault(event.session_id, []).append(event)
    return [to_session(row, by_session.get(row.id, [])) for row in rows]


async def append_event(
    db: AsyncSession, *, session_id: int, seq: int, kind: EventKind, at: datetime
) -> Event:
    """Insert one event; the unique (session_id, seq) makes a lost race an IntegrityError."""
    db.add(SessionEventRow(session_id=session_id, seq=seq, kind=kind.value, at=at))
    await db.flush()
    return Event(seq=seq, kind=kind, at=at)
