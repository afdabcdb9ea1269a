"""Queries for Strava: the connection, imported activities and uploads.

Every query is scoped by the runner (`user_id` / `owner_id`), except the two a webhook needs:
the account by athlete id, and an activity by its (globally unique) Strava id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.db.engine import insert_for
from runcoach.db.tables import StravaAccountRow, StravaActivityRow, StravaUploadRow
from runcoach.domain.strava import (
    Account,
    Activity,
    StoredActivity,
    Upload,
    UploadStatus,
    parse_scopes,
)

# --- the connection -------------------------------------------------------------------------------


def _account(row: StravaAccountRow) -> Account:
    return Account(
        user_id=row.user_id,
        athlete_id=row.athlete_id,
        athlete_name=row.athlete_name,
        scopes=parse_scopes(row.scopes),
        access_token=row.access_token,
        refresh_token=row.refresh_token,
        expires_at=row.expires_at,
        connected_at=row.connected_at,
        last_sync_at=row.last_sync_at,
        backfill_from=row.backfill_from,
        backfill_cursor=row.backfill_cursor,
        backfill_done_at=row.backfill_done_at,
        problem=row.problem,
        auto_upload=row.auto_upload,
    )


async def get_account(db: AsyncSession, *, user_id: int, for_update: bool = False) -> Account | None:
    """The runner's connection; `for_update` holds it until the transaction ends (PostgreSQL locks
    the row; on SQLite the session must hold the database, `Database.session(hold=True)`), so a
    disconnect waits for what is being stored and then deletes that too."""
    query = select(StravaAccountRow).where(StravaAccountRow.user_id == user_id)
    if for_update:
        query = query.with_for_update()
    row = (await db.execute(query)).scalar_one_or_none()
    return _account(row) if row else None


async def account_of_athlete(db: AsyncSession, *, athlete_id: int) -> Account | None:
    query = select(StravaAccountRow).where(StravaAccountRow.athlete_id == athlete_id)
    row = (await db.execute(query)).scalar_one_or_none()
    return _account(row) if row else None


async def save_account(
    db: AsyncSession,
    *,
    user_id: int,
    athlete_id: int,
    athlete_name: str,
    scopes: str,
    access_token: str,
    refresh_token: str,
    expires_at: datetime,
    now: datetime,
    backfill_from: datetime,
) -> None:
    """Store a new connection (a reconnect replaces the old one, and its backfill starts again)."""
    await db.execute(delete(StravaAccountRow).where(StravaAccountRow.user_id == user_id))
    db.add(
        StravaAccountRow(
            user_id=user_id,
            athlete_id=athlete_id,
            athlete_name=athlete_name[:200],
            scopes=scopes[:200],
            access_token=access_token,
            refresh_token=refresh_token,
            expires_at=expires_at,
            connected_at=now,
            backfill_from=backfill_from,
        )
    )
    await db.flush()


async def swap_tokens(
    db: AsyncSession,
    *,
    user_id: int,
    old_refresh: str,
    access_token: str,
    refresh_token: str,
    expires_at: datetime,
) -> bool:
    """Store a refreshed pair in one statement, only if the pair is still the one refreshed from
    (`old_refresh`): False when another refresh got there first."""
    result = await db.execute(
        update(StravaAccountRow)
        .where(StravaAccountRow.user_id == user_id, StravaAccountRow.refresh_token == old_refresh)
        .values(access_token=access_token, refresh_token=refresh_token, expires_at=expires_at, problem=None)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def update_account(db: AsyncSession, *, user_id: int, **values: Any) -> None:
    await db.execute(update(StravaAccountRow).where(StravaAccountRow.user_id == user_id).values(**values))


async def auto_upload_owners(db: AsyncSession) -> list[int]:
    """The runners who want every finished run sent to Strava."""
    query = select(StravaAccountRow.user_id).where(StravaAccountRow.auto_upload.is_(True))
    return list((await db.execute(query)).scalars())


async def delete_account(db: AsyncSession, *, user_id: int) -> bool:
    """Drop the connection and its tokens, and the activities imported through it.

    The account first: an import storing a page holds the account's row (FOR UPDATE) until it
    commits, so the activities are deleted after that page, never before it (which would leave
    the page behind)."""
    result = await db.execute(delete(StravaAccountRow).where(StravaAccountRow.user_id == user_id))
    await db.execute(delete(StravaActivityRow).where(StravaActivityRow.owner_id == user_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- activities -----------------------------------------------------------------------------------


def _values(owner_id: int, activity: Activity, raw: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "owner_id": owner_id,
        "strava_id": activity.strava_id,
        "name": activity.name,
        "sport_type": activity.sport_type,
        "start_at": activity.start,
        "day": activity.day,
        "distance_m": activity.distance_m,
        "moving_s": activity.moving_s,
        "elapsed_s": activity.elapsed_s,
        "trainer": activity.trainer,
        "external_id": activity.external_id,
        "raw": raw,
        "deleted": False,
        "updated_at": now,
    }


#: Columns an update from Strava may change (never the owner or the runner's own matching).
_FROM_STRAVA = (
    "name", "sport_type", "start_at", "day", "distance_m", "moving_s", "elapsed_s", "trainer",
    "external_id", "raw", "deleted", "updated_at",
)  # fmt: skip


async def upsert_activities(
    db: AsyncSession, *, owner_id: int, activities: Sequence[tuple[Activity, dict[str, Any]]], now: datetime
) -> None:
    """Store each activity once per Strava id: a second import of the same one updates it."""
    if not activities:
        return
    rows = {a.strava_id: _values(owner_id, a, raw, now) for a, raw in activities}  # last one wins
    # One statement run for every row (executemany): compiled once, unlike a 200-row VALUES list.
    statement = insert_for(db)(StravaActivityRow)
    statement = statement.on_conflict_do_update(
        index_elements=["strava_id"],
        set_={name: statement.excluded[name] for name in _FROM_STRAVA},
        where=StravaActivityRow.owner_id == owner_id,
    )
    await db.execute(statement, list(rows.values()))


async def mark_deleted(db: AsyncSession, *, owner_id: int, strava_id: int, now: datetime) -> None:
    await db.execute(
        update(StravaActivityRow)
        .where(StravaActivityRow.owner_id == owner_id, StravaActivityRow.strava_id == strava_id)
        .values(deleted=True, updated_at=now)
    )


def _stored(row: StravaActivityRow) -> StoredActivity:
    activity = Activity(
        strava_id=row.strava_id,
        name=row.name,
        sport_type=row.sport_type,
        start=row.start_at,
        day=row.day,
        distance_m=row.distance_m,
        moving_s=row.moving_s,
        elapsed_s=row.elapsed_s,
        trainer=row.trainer,
        external_id=row.external_id,
    )
    return StoredActivity(activity, row.manual, row.match_day)


async def list_activities(
    db: AsyncSession, *, owner_id: int, first: date, last: date
) -> list[StoredActivity]:
    """The runner's activities (not deleted) on local days `first`..`last`, oldest first."""
    query = (
        select(StravaActivityRow)
        .where(
            StravaActivityRow.owner_id == owner_id,
            StravaActivityRow.deleted.is_(False),
            StravaActivityRow.day >= first,
            StravaActivityRow.day <= last,
        )
        .order_by(StravaActivityRow.start_at)
    )
    return [_stored(row) for row in (await db.execute(query)).scalars()]


async def get_activity(db: AsyncSession, *, owner_id: int, strava_id: int) -> StoredActivity | None:
    query = select(StravaActivityRow).where(
        StravaActivityRow.owner_id == owner_id,
        StravaActivityRow.strava_id == strava_id,
        StravaActivityRow.deleted.is_(False),
    )
    row = (await db.execute(query)).scalar_one_or_none()
    return _stored(row) if row else None


async def set_match(
    db: AsyncSession, *, owner_id: int, strava_id: int, manual: bool, match_day: date | None
) -> bool:
    result = await db.execute(
        update(StravaActivityRow)
        .where(
            StravaActivityRow.owner_id == owner_id,
            StravaActivityRow.strava_id == strava_id,
            StravaActivityRow.deleted.is_(False),
        )
        .values(manual=manual, match_day=match_day)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def imported_since(db: AsyncSession, *, owner_id: int, since: datetime) -> list[Activity]:
    """The runner's activities (not deleted) started since `since`, without the copies of runs
    uploaded from here (they count as their sessions)."""
    ours = select(StravaUploadRow.external_id).where(StravaUploadRow.owner_id == owner_id)
    linked = select(StravaUploadRow.activity_id).where(
        StravaUploadRow.owner_id == owner_id, StravaUploadRow.activity_id.is_not(None)
    )
    query = select(StravaActivityRow).where(
        StravaActivityRow.owner_id == owner_id,
        StravaActivityRow.deleted.is_(False),
        StravaActivityRow.start_at >= since,
        StravaActivityRow.strava_id.not_in(linked),
        (StravaActivityRow.external_id.is_(None)) | StravaActivityRow.external_id.not_in(ours),
    )
    return [_stored(row).activity for row in (await db.execute(query)).scalars()]


async def count_activities(db: AsyncSession, *, owner_id: int) -> int:
    query = select(func.count()).where(
        StravaActivityRow.owner_id == owner_id, StravaActivityRow.deleted.is_(False)
    )
    return int((await db.execute(query)).scalar_one())


# --- uploads --------------------------------------------------------------------------------------


def _upload(row: StravaUploadRow) -> Upload:
    return Upload(
        session_id=row.session_id,
        owner_id=row.owner_id,
        external_id=row.external_id,
        status=UploadStatus(row.status),
        upload_id=row.upload_id,
        activity_id=row.activity_id,
        error=row.error,
        updated_at=row.updated_at,
    )


async def claim_upload(
    db: AsyncSession, *, session_id: int, owner_id: int, external_id: str, now: datetime
) -> bool:
    """Claim the session's one upload; False when it was claimed before (by any click or device)."""
    values = {
        "session_id": session_id,
        "owner_id": owner_id,
        "external_id": external_id,
        "status": UploadStatus.CLAIMED,
        "created_at": now,
        "updated_at": now,
    }
    statement = insert_for(db)(StravaUploadRow).values(**values).on_conflict_do_nothing()
    return bool((await db.execute(statement)).rowcount)  # type: ignore[attr-defined]


async def get_upload(db: AsyncSession, *, session_id: int, owner_id: int) -> Upload | None:
    query = select(StravaUploadRow).where(
        StravaUploadRow.session_id == session_id, StravaUploadRow.owner_id == owner_id
    )
    row = (await db.execute(query)).scalar_one_or_none()
    return _upload(row) if row else None


async def update_upload(db: AsyncSession, *, session_id: int, now: datetime, **values: Any) -> None:
    await db.execute(
        update(StravaUploadRow)
        .where(StravaUploadRow.session_id == session_id)
        .values(updated_at=now, **values)
    )


async def uploads_of(db: AsyncSession, *, owner_id: int) -> list[Upload]:
    query = select(StravaUploadRow).where(StravaUploadRow.owner_id == owner_id)
    return [_upload(row) for row in (await db.execute(query)).scalars()]
