"""Workout files: any workout as a FIT file for the watch, and workouts imported from a file.

Every public function owns its unit of work (see `runcoach.workouts.service`). Encoding and
decoding run in a worker thread: a file is small, but parsing one is CPU work the event loop
(every live clock on the server) should not wait for.

Decisions:

- A file's speeds are belt speeds, what a watch measures: a saved workout (quick or imported)
  plays its speeds as written on the console, so its file targets console speed × the runner's
  calibration; a planned day is compiled for the runner's paces and treadmill as they are now,
  and its file targets the belt speed each step runs at.
- An import reads the file's paces as belt speeds, fills a step that has none from the runner's
  zones (or, with no profile yet, from the default intermediate easy pace the quick generator
  uses), turns them into console speeds for the runner's calibration and brings every speed and
  incline inside the runner's treadmill, saying so for each change.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from runcoach.db import workouts as queries
from runcoach.db.engine import Database
from runcoach.domain.errors import Conflict, InvalidInput
from runcoach.domain.paces import Paces, paces_for, vdot_from_easy_pace
from runcoach.domain.profile import Profile
from runcoach.domain.saved import Workout
from runcoach.domain.structure import StructuredWorkout, Treadmill, as_played, pin_speeds
from runcoach.domain.workouts import LEVEL_EASY_SPEED_KMH, Level
from runcoach.fit.files import FitFile, file_name, file_serial
from runcoach.fit.workout_file import fit_to_workout, workout_to_fit
from runcoach.fit.zwo import zwo_to_workout
from runcoach.plans import service as plans
from runcoach.profiles import service as profiles
from runcoach.workouts import service as workouts

#: Bytes 8..11 of every FIT file's header.
FIT_SIGNATURE = b".FIT"


@dataclass(frozen=True)
class Imported:
    """A workout saved from a file, and one sentence for each thing the treadmill changed."""

    workout: Workout
    changes: list[str]


async def saved_workout_file(
    database: Database, *, workout_id: int, owner_id: int, now: datetime, tolerance_pct: float
) -> FitFile:
    """One of the runner's saved workouts as a FIT workout file; NotFound for others'."""
    workout = await workouts.get(database, workout_id=workout_id, owner_id=owner_id)
    profile = await profiles.get_profile(database, owner_id)
    structure, treadmill = as_played(workout.structure, profile.treadmill.calibration if profile else 1.0)
    data = await asyncio.to_thread(
        workout_to_fit,
        structure,
        {},
        treadmill,
        tolerance_pct=tolerance_pct,
        created=now,
        serial=file_serial(workout.id),
    )
    return FitFile(file_name(workout.name), data)


async def planned_day_file(
    database: Database, *, user_id: int, plan_id: int, wid: int, now: datetime, tolerance_pct: float
) -> FitFile:
    """A planned day as a FIT workout file for the runner's paces and treadmill; NotFound for
    others' plans and unknown days, Conflict for a rest day or a race (there is no workout)."""
    day, profile = await plans.planned_day(database, user_id, plan_id, wid)
    if day.structure is None:
        raise Conflict(f"{day.title} on {day.date.isoformat()} has no workout to put on a watch")
    data = await asyncio.to_thread(
        workout_to_fit,
        day.structure,
        profile.paces().zones,
        profile.treadmill,
        tolerance_pct=tolerance_pct,
        created=now,
        serial=file_serial(plan_id * 1000 + wid),
    )
    return FitFile(file_name(f"{day.date.isoformat()} {day.title}"), data)


async def import_file(
    database: Database, *, owner_id: int, name: str, data: bytes, now: datetime, max_bytes: int
) -> Imported:
    """Save the workout in a FIT workout file or a Zwift run workout (.zwo); InvalidInput, and
    nothing stored, for a file that is too large, not a workout, or not a running one."""
    if len(data) > max_bytes:
        raise InvalidInput(
            "file", f"The file is {_kib(len(data))}; the largest workout file accepted is {_kib(max_bytes)}."
        )
    if not data:
        raise InvalidInput("file", "The file is empty.")
    profile = await profiles.get_profile(database, owner_id)
    paces, treadmill = _paces_and_treadmill(profile)
    structure = await asyncio.to_thread(_read, name, data, paces, profile is not None)
    pinned, changes = pin_speeds(structure, paces.zones, treadmill)
    async with database.session() as db:
        workout = await queries.add_imported(
            db, owner_id=owner_id, structure=pinned, file_name=_shown_name(name), now=now
        )
    return Imported(workout, changes)


def _read(name: str, data: bytes, paces: Paces, has_profile: bool) -> StructuredWorkout:
    suffix = PurePath(name).suffix.lower()
    if suffix == ".fit" or (suffix != ".zwo" and data[8:12] == FIT_SIGNATURE):
        return fit_to_workout(data, zones=paces.zones)
    if suffix == ".zwo" or data.lstrip()[:1] == b"<":
        return zwo_to_workout(data, paces=paces if has_profile else None)
    raise InvalidInput("file", "Upload a FIT workout file (.fit) or a Zwift workout file (.zwo).")


def _paces_and_treadmill(profile: Profile | None) -> tuple[Paces, Treadmill]:
    if profile is not None:
        return profile.paces(), profile.treadmill
    default_easy = LEVEL_EASY_SPEED_KMH[Level.INTERMEDIATE]
    return paces_for(vdot_from_easy_pace(3600 / default_easy)), Treadmill()


def _shown_name(name: str) -> str:
    """The uploaded file's own name (no directories a browser may send), as the list shows it."""
    return (PurePath(name.replace("\\", "/")).name or "workout file")[:200]


def _kib(size: int) -> str:
    return f"{size / 1024:,.0f} KiB" if size >= 1024 else f"{size} bytes"
