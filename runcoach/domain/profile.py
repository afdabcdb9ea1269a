"""A runner's profile: what the coach needs to set paces and plan a week.

Pure: standard library and pydantic only. A race date in the future needs today's date, which the
domain does not read: `Profile.check_dates(today)` is called by the service that saves a profile.
"""

from __future__ import annotations

import math
import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from runcoach.domain.errors import InvalidInput
from runcoach.domain.paces import (
    MAX_RACE_M,
    MIN_RACE_M,
    Paces,
    paces_for,
    vdot_from_easy_pace,
    vdot_from_race,
)
from runcoach.domain.structure import Treadmill
from runcoach.domain.workouts import Number as _Number
from runcoach.domain.workouts import WholeNumber

MAX_WEEKLY_KM = 300
MIN_DAY_MINUTES = 10
MAX_DAY_MINUTES = 360
MAX_INJURY_NOTES = 2000
#: Faster than the 1500 m world record (3:26): the shortest race VDOT describes. It also keeps
#: the time far from zero, where the model's division would fail instead of refusing.
MIN_RACE_S = 180
#: Longer than any race VDOT describes (a 50 km walked is under 12 hours); keeps messages sane.
MAX_RACE_S = 48 * 3600
#: 2:00/km is faster than any easy pace, 30:00/km slower than walking; VDOT refuses both anyway.
MIN_EASY_PACE_S = 120
MAX_EASY_PACE_S = 1800


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


class Level(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _a_date_text(value: Any) -> Any:
    # pydantic's lax mode reads a number (even "0" in a query string) as a Unix timestamp: a date
    # written any other way than YYYY-MM-DD is a mistake, say so.
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("Input should be a date as YYYY-MM-DD")


def _finite(value: Any) -> Any:
    # Refused before the range checks, whose message ("less than or equal to 300") would hide why.
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("Input should be a finite number, not NaN or infinity")
    return value


#: A number that refuses booleans, NaN and the infinities, each with its own message.
Number = Annotated[_Number, BeforeValidator(_finite)]
IsoDate = Annotated[date, BeforeValidator(_a_date_text)]
DayMinutes = Annotated[WholeNumber, Field(ge=MIN_DAY_MINUTES, le=MAX_DAY_MINUTES)]


class RecentRace(BaseModel):
    """A race run hard, 1,500 m to 50 km, on or before today."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    distance_m: Number = Field(ge=MIN_RACE_M, le=MAX_RACE_M, description="Metres, 1500 to 50000")
    time_s: Number = Field(ge=MIN_RACE_S, le=MAX_RACE_S, description="Finish time in seconds, 180 to 172800")
    date: IsoDate = Field(description="The race day; not in the future")

    @model_validator(mode="after")
    def _a_race(self) -> Self:
        vdot(self.distance_m, self.time_s)
        return self


def vdot(distance_m: float, time_s: float) -> float:
    """`vdot_from_race`, its refusal turned into the ValueError pydantic reports as a 422."""
    try:
        return vdot_from_race(distance_m, time_s)
    except InvalidInput as exc:
        raise ValueError(str(exc)) from exc


class Profile(BaseModel):
    """What the coach knows about a runner. Besides each field's range (else 422):

    - a `recent_race` or an `easy_pace_s_per_km` (or both): the coach needs one to set paces;
    - `available_days` lists each weekday at most once; `long_run_day` and the keys of `max_minutes`
      are among them;
    - the race date is not in the future.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    recent_race: RecentRace | None = None
    easy_pace_s_per_km: Number | None = Field(
        default=None, ge=MIN_EASY_PACE_S, le=MAX_EASY_PACE_S, description="Usual easy pace, seconds per km"
    )
    weekly_km: Number = Field(ge=0, le=MAX_WEEKLY_KM, description="Recent weekly volume, 0 to 300 km")
    available_days: list[Weekday] = Field(min_length=1, max_length=7, description="Each weekday at most once")
    max_minutes: dict[Weekday, DayMinutes] = Field(
        default_factory=dict, description="Longest run per available day, 10 to 360 minutes"
    )
    long_run_day: Weekday
    level: Level
    injury_notes: str = Field(default="", max_length=MAX_INJURY_NOTES)
    treadmill: Treadmill = Field(default_factory=Treadmill)

    @field_validator("easy_pace_s_per_km")
    @classmethod
    def _a_running_pace(cls, value: float | None) -> float | None:
        if value is not None:
            try:
                vdot_from_easy_pace(value)
            except InvalidInput as exc:
                raise ValueError(str(exc)) from exc
        return value

    @field_validator("available_days")
    @classmethod
    def _each_day_once(cls, days: list[Weekday]) -> list[Weekday]:
        repeated = sorted({day.value for day in days if days.count(day) > 1})
        if repeated:
            raise ValueError(f"Each day may be listed once; repeated: {', '.join(repeated)}")
        return [day for day in Weekday if day in days]  # in week order

    @model_validator(mode="after")
    def _fits_together(self) -> Self:
        if self.recent_race is None and self.easy_pace_s_per_km is None:
            raise ValueError("Give a recent race or an easy pace: the coach needs one to set paces")
        if self.long_run_day not in self.available_days:
            raise ValueError(f"long_run_day {self.long_run_day.value} is not one of the available days")
        others = sorted(
            (d for d in self.max_minutes if d not in self.available_days), key=list(Weekday).index
        )
        if others:
            raise ValueError(
                f"max_minutes names days that are not available: {', '.join(d.value for d in others)}"
            )
        return self

    def check_dates(self, today: date) -> None:
        """InvalidInput when the race is dated after `today` (a result not yet run)."""
        if self.recent_race is not None and self.recent_race.date > today:
            raise InvalidInput(
                "recent_race.date", f"The race date {self.recent_race.date.isoformat()} is in the future."
            )

    def vdot(self) -> float:
        """From the race when there is one (a race is the better measure), else from the easy pace."""
        if self.recent_race is not None:
            return vdot_from_race(self.recent_race.distance_m, self.recent_race.time_s)
        assert self.easy_pace_s_per_km is not None  # the model refuses a profile with neither
        return vdot_from_easy_pace(self.easy_pace_s_per_km)

    def paces(self) -> Paces:
        return paces_for(self.vdot())
