"""Profiles on a real database (SQLite and PostgreSQL): upsert, ownership, cascade, the future date."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from runcoach.auth import service as accounts
from runcoach.db.engine import Database
from runcoach.db.tables import ProfileRow
from runcoach.domain.errors import InvalidInput, NotFound
from runcoach.domain.profile import Profile
from runcoach.profiles import service

T0 = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)


def profile(**changes: Any) -> Profile:
    data: dict[str, Any] = {
        "recent_race": {"distance_m": 5000, "time_s": 1200, "date": "2026-10-01"},
        "weekly_km": 30,
        "available_days": ["tue", "thu", "sun"],
        "long_run_day": "sun",
        "level": "intermediate",
    }
    return Profile.model_validate({**data, **changes})


async def make_user(database: Database, email: str) -> int:
    user = await accounts.create_user(
        database, email=email, name="Ann", password="Correct-Horse-42", is_admin=False, now=T0
    )
    return user.id


async def rows(database: Database) -> int:
    async with database.session() as db:
        return int(await db.scalar(select(func.count()).select_from(ProfileRow)) or 0)


async def test_none_until_saved_and_paces_say_what_to_do(database: Database) -> None:
    ann = await make_user(database, "ann@example.com")
    assert await service.get_profile(database, ann) is None
    with pytest.raises(NotFound, match="Set your profile first: a recent race or an easy pace"):
        await service.paces(database, ann)


async def test_saving_twice_keeps_one_row_with_the_latest(database: Database) -> None:
    ann = await make_user(database, "ann@example.com")
    first = await service.save_profile(database, ann, profile(), T0)
    assert await service.get_profile(database, ann) == first
    second = profile(weekly_km=42.5, injury_notes="left achilles")
    await service.save_profile(database, ann, second, T0 + timedelta(days=1))
    assert await service.get_profile(database, ann) == second
    assert await rows(database) == 1
    async with database.session() as db:
        row = await db.get_one(ProfileRow, ann)
        assert row.updated_at == T0 + timedelta(days=1)
    assert (await service.paces(database, ann)).vdot == pytest.approx(49.8, abs=0.05)


async def test_concurrent_first_saves_both_succeed(database: Database) -> None:
    ann = await make_user(database, "ann@example.com")
    await asyncio.gather(*(service.save_profile(database, ann, profile(weekly_km=k), T0) for k in (10, 20)))
    assert await rows(database) == 1


async def test_profiles_are_per_user(database: Database) -> None:
    ann = await make_user(database, "ann@example.com")
    bob = await make_user(database, "bob@example.com")
    await service.save_profile(database, ann, profile(), T0)
    assert await service.get_profile(database, bob) is None


async def test_a_race_after_today_is_refused(database: Database) -> None:
    ann = await make_user(database, "ann@example.com")
    future = {"distance_m": 5000, "time_s": 1200, "date": "2026-11-03"}
    with pytest.raises(InvalidInput, match="in the future"):
        await service.save_profile(database, ann, profile(recent_race=future), T0)
    assert await service.get_profile(database, ann) is None
    # Already the 2nd somewhere east of UTC: a race run "today" there is accepted.
    tomorrow = {"distance_m": 5000, "time_s": 1200, "date": "2026-11-02"}
    await service.save_profile(database, ann, profile(recent_race=tomorrow), T0.replace(hour=12))


async def test_deleting_the_user_deletes_the_profile(database: Database) -> None:
    ann = await make_user(database, "ann@example.com")
    await service.save_profile(database, ann, profile(), T0)
    await accounts.delete_user(database, email="ann@example.com")
    assert await rows(database) == 0
