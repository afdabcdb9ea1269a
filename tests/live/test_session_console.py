"""A session keeps the treadmill console it was made for, as it keeps its program (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update

from runcoach.clock import FakeClock
from runcoach.db.engine import Database
from runcoach.db.tables import RunSessionRow
from runcoach.domain.profile import Profile
from runcoach.domain.structure import MPH_STEP_KMH, Console, ConsoleUnit
from runcoach.live.hub import Hub
from runcoach.profiles import service
from tests.helpers import T0, owner_and_workout


def profile(**treadmill: Any) -> Profile:
    return Profile.model_validate(
        {
            "easy_pace_s_per_km": 360,
            "weekly_km": 20,
            "available_days": ["tue", "sun"],
            "long_run_day": "sun",
            "level": "beginner",
            "treadmill": treadmill,
        }
    )


async def test_a_session_snapshots_the_owners_console_and_keeps_it(database: Database) -> None:
    hub = Hub(database, FakeClock(T0))
    owner, workout = await owner_and_workout(database)
    await service.save_profile(database, owner, profile(speed_step_kmh=MPH_STEP_KMH, calibration=1.05), T0)
    session = await hub.create_session(workout_id=workout, owner_id=owner)
    mph = Console(unit=ConsoleUnit.MPH, calibration=1.05)
    assert session.console == mph
    assert (await hub.get(session.id, owner_id=owner)).console == mph

    # New treadmill settings are for the next session: this one plays what it was made for.
    await service.save_profile(database, owner, profile(), T0 + timedelta(minutes=1))
    assert (await hub.get(session.id, owner_id=owner)).console == mph
    later = await hub.create_session(workout_id=workout, owner_id=owner)
    assert later.console == Console(unit=ConsoleUnit.KMH, calibration=1.0)
    assert [s.console for s in await hub.list(owner_id=owner)] == [later.console, mph]


async def test_without_a_profile_there_is_no_console_and_an_old_row_reads_the_same(
    database: Database,
) -> None:
    hub = Hub(database, FakeClock(T0))
    owner, workout = await owner_and_workout(database)
    session = await hub.create_session(workout_id=workout, owner_id=owner)
    assert session.console is None  # the views read it in the runner's units, taken as true
    assert (await hub.get(session.id, owner_id=owner)).console is None

    # A session from before 0007 has a NULL console: it reads as one made without a profile.
    await service.save_profile(database, owner, profile(calibration=1.1), T0)
    older = await hub.create_session(workout_id=workout, owner_id=owner)
    assert older.console == Console(calibration=1.1)
    async with database.session() as db:
        await db.execute(update(RunSessionRow).where(RunSessionRow.id == older.id).values(console=None))
    assert (await hub.by_pair_code(older.pair_code)).console is None
