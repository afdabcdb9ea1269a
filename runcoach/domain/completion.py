"""Whether a planned day was run: done, partial, missed, still planned, or a rest day.

Pure: standard library and `runcoach.domain` only. One rule for every screen that judges a day
(the calendar, Today, the progress figures), so they can never disagree.

A planned day is done when a run for it ended having covered at least `DONE_SHARE` of the planned
time (or played every segment); partial when a run for it ended short of that; missed when its
date is past with no run at all; otherwise planned. A session ended within its first minute is
listed but is no run (a tap on Finish to try the button is not a partial workout).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Protocol

from runcoach.domain.plan_model import PlannedWorkout, WorkoutType

#: Running at least this share of the planned time makes the day done rather than partial.
DONE_SHARE = 0.8
#: A session ended before this much running is listed but is no run: it does not make a day partial.
MIN_RUN_S = 60


class DayStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    PARTIAL = "partial"
    MISSED = "missed"
    REST = "rest"


class Outcome(Protocol):
    """What the rule reads of a run session: whether it ended, its running time, and whether every
    segment was played to its end."""

    @property
    def completed(self) -> bool: ...

    @property
    def elapsed_s(self) -> float: ...

    @property
    def played_in_full(self) -> bool: ...


def is_a_run(run: Outcome) -> bool:
    """An ended session with at least a minute of running: what counts as having run."""
    return run.completed and run.elapsed_s >= MIN_RUN_S


def day_status(day: date, planned: PlannedWorkout | None, runs: Sequence[Outcome], today: date) -> DayStatus:
    """The status of `day`, planned as `planned` (None: nothing planned), with the runs that count for it."""
    ended = [r for r in runs if is_a_run(r)]
    if planned is None or planned.type is WorkoutType.REST:
        return DayStatus.DONE if ended else DayStatus.REST
    if any(r.played_in_full or r.elapsed_s >= DONE_SHARE * planned.duration_s for r in ended):
        return DayStatus.DONE
    if ended:
        return DayStatus.PARTIAL
    return DayStatus.MISSED if day < today else DayStatus.PLANNED
