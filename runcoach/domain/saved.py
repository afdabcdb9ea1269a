"""A runner's saved workouts: what the quick generator made, and what they imported from a file.

Pure: standard library, pydantic and `runcoach.domain` only. A saved workout is its structure
(`runcoach.domain.structure`) with every step's speed named, so it plays the same wherever it is
run; `segments` is that structure unrolled, the program a run session plays.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from runcoach.domain.structure import AS_WRITTEN, StructuredWorkout, compile_workout
from runcoach.domain.workouts import Goal, Segment, WorkoutSpec


class WorkoutSource(StrEnum):
    GENERATED = "generated"
    IMPORTED = "imported"


class Workout(BaseModel):
    """A stored workout: its structure, who owns it and where it came from.

    A generated one keeps the generator's `goal`, `inputs` and `seed` (and `parent_id` when it
    was regenerated from another); an imported one has none of them, and `file_name` instead.
    """

    model_config = ConfigDict(frozen=True)

    id: int
    owner_id: int
    parent_id: int | None
    name: str
    source: WorkoutSource = WorkoutSource.GENERATED
    goal: Goal | None
    inputs: WorkoutSpec | None
    seed: int | None
    file_name: str | None = None
    structure: StructuredWorkout
    created_at: datetime

    @property
    def segments(self) -> tuple[Segment, ...]:
        """The flat program a run session plays: the structure with its repeats unrolled."""
        return compile_workout(self.structure, {}, AS_WRITTEN)

    @property
    def total_duration_s(self) -> int:
        return sum(segment.duration_s for segment in self.segments)
