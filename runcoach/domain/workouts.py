"""The canonical workout structure shared by the generator, the database and the API.

Pure: standard library and pydantic only. Speeds are km/h on the treadmill's 0.1 km/h
grid, inclines are percent on its 0.5 % grid, durations are whole seconds.
"""

from __future__ import annotations

import math
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

SPEED_STEP_KMH = 0.1
INCLINE_STEP_PCT = 0.5
MIN_DURATION_MIN = 10
MAX_DURATION_MIN = 180
#: Seeds stay below 2**53 so that they survive a round trip through JavaScript numbers.
MAX_SEED = 2**53 - 1


def _not_a_bool(value: Any) -> Any:
    # pydantic's lax mode reads true as 1: a JSON boolean where a number belongs is a mistake, say so.
    if isinstance(value, bool):
        raise ValueError("Input should be a number, not true or false")
    return value


#: A number that refuses booleans; NaN and infinities are refused by `allow_inf_nan=False`.
Number = Annotated[float, BeforeValidator(_not_a_bool), Field(allow_inf_nan=False)]
WholeNumber = Annotated[int, BeforeValidator(_not_a_bool)]


class Goal(StrEnum):
    EASY = "easy"
    LONG = "long"
    TEMPO = "tempo"
    INTERVALS = "intervals"
    HILLS = "hills"
    FARTLEK = "fartlek"
    PYRAMID = "pyramid"
    RECOVERY = "recovery"
    PROGRESSION = "progression"


class Level(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


#: A runner's typical easy speed by level, used when no easy pace is given.
LEVEL_EASY_SPEED_KMH: dict[Level, float] = {
    Level.BEGINNER: 7.5,
    Level.INTERMEDIATE: 9.5,
    Level.ADVANCED: 11.5,
}


class SegmentLabel(StrEnum):
    WARM_UP = "warm-up"
    RUN = "run"
    STEADY = "steady"
    TEMPO = "tempo"
    INTERVAL = "interval"
    SPRINT = "sprint"
    HILL = "hill"
    SURGE = "surge"
    RECOVERY = "recovery"
    COOL_DOWN = "cool-down"


def snap_speed(kmh: float) -> float:
    """Round a speed to the treadmill's 0.1 km/h grid."""
    return round(round(kmh / SPEED_STEP_KMH) * SPEED_STEP_KMH, 1)


def snap_incline(pct: float) -> float:
    """Round an incline to the treadmill's 0.5 % grid."""
    return round(round(pct / INCLINE_STEP_PCT) * INCLINE_STEP_PCT, 1)


def on_grid(value: float, step: float) -> bool:
    return math.isclose(value / step, round(value / step), abs_tol=1e-6)


class Constraints(BaseModel):
    """What the runner and the treadmill allow. Every field has a safe default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_speed_kmh: Number = Field(default=5.0, ge=1.0, le=25.0, description="Slowest speed to use, km/h")
    max_speed_kmh: Number = Field(default=16.0, ge=1.0, le=25.0, description="Fastest speed to use, km/h")
    max_incline_pct: Number = Field(default=6.0, ge=0.0, le=15.0, description="Steepest incline to use, %")
    easy_speed_kmh: Number | None = Field(
        default=None, ge=1.0, le=25.0, description="The runner's easy pace as a speed, km/h"
    )
    level: Level = Field(default=Level.INTERMEDIATE, description="Used when no easy speed is given")
    warmup_min: WholeNumber | None = Field(
        default=None, ge=0, le=30, description="Warm-up minutes (default by goal)"
    )
    cooldown_min: WholeNumber | None = Field(
        default=None, ge=0, le=30, description="Cool-down minutes (default by goal)"
    )

    @model_validator(mode="after")
    def _check_ranges(self) -> Self:
        if not on_grid(self.min_speed_kmh, SPEED_STEP_KMH) or not on_grid(self.max_speed_kmh, SPEED_STEP_KMH):
            raise ValueError("min_speed_kmh and max_speed_kmh must be multiples of 0.1 km/h")
        if not on_grid(self.max_incline_pct, INCLINE_STEP_PCT):
            raise ValueError("max_incline_pct must be a multiple of 0.5 %")
        if self.min_speed_kmh >= self.max_speed_kmh:
            raise ValueError("min_speed_kmh must be below max_speed_kmh")
        easy = self.easy_speed_kmh
        if easy is not None and not self.min_speed_kmh <= easy <= self.max_speed_kmh:
            raise ValueError("easy_speed_kmh must lie between min_speed_kmh and max_speed_kmh")
        return self

    @property
    def easy_kmh(self) -> float:
        """The runner's easy speed, from the explicit value or the level, clamped to the range."""
        base = self.easy_speed_kmh if self.easy_speed_kmh is not None else LEVEL_EASY_SPEED_KMH[self.level]
        return snap_speed(min(max(base, self.min_speed_kmh), self.max_speed_kmh))


class WorkoutSpec(BaseModel):
    """The inputs of the generator, the seed aside."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    duration_min: WholeNumber = Field(
        ge=MIN_DURATION_MIN, le=MAX_DURATION_MIN, description="Total minutes, 10 to 180"
    )
    goal: Goal
    constraints: Constraints = Field(default_factory=Constraints)

    @model_validator(mode="after")
    def _check_fits(self) -> Self:
        c = self.constraints
        framing = (c.warmup_min or 0) + (c.cooldown_min or 0)
        if framing > self.duration_min - 5:
            raise ValueError(
                f"warm-up plus cool-down ({framing} min) must leave at least 5 minutes of a "
                f"{self.duration_min}-minute workout"
            )
        return self


class Segment(BaseModel):
    """One stretch at constant speed and incline."""

    model_config = ConfigDict(frozen=True)

    label: SegmentLabel
    duration_s: int = Field(gt=0)
    speed_kmh: float
    incline_pct: float
