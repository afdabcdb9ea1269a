"""How far a runner actually ran: the distance of a run session and their recent weekly volume.

Pure: standard library only. The distance comes from the same fold every screen shows
(`runcoach.domain.session.fold`), so a pause, a skip or a back counts exactly as the run views
counted it: only running time on a segment covers ground, at that segment's speed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from runcoach.domain.profile import MAX_WEEKLY_KM
from runcoach.domain.session import Event, RunSession, fold
from runcoach.domain.workouts import Segment

#: The window the recent volume averages over: long enough that one missed week does not hide a
#: runner's volume, short enough that last month's training counts, not last season's.
RECENT_WEEKS = 4


def distance_run_m(
    segments: Sequence[Segment], events: Sequence[Event], now: datetime, calibration: float = 1.0
) -> float:
    """Metres the runner covered in a session with this program and these events, as of `now`.

    Segments hold console speeds; the belt moves `calibration` (belt / console) times as fast,
    and the belt is what the runner ran on. The fold counts only running time on a segment as
    ground covered: a skip or a back is not, and a segment played again after a back counts again.
    """
    return fold(segments, events, now).distance_m * calibration


def weekly_km_ran(distances_m: Iterable[float], weeks: int = RECENT_WEEKS) -> float:
    """The weekly average, in km, of the runs (metres each) of the last `weeks` weeks."""
    return sum(distances_m) / 1000 / weeks


def current_weekly_km(profile_km: float, ran_km: float) -> float:
    """The volume a goal is judged against: the larger of what the runner said and what they ran.

    The larger, because a runner who logs some runs elsewhere (outdoors, another app) has not
    run less than their profile says; and a runner who ran more than they said has shown it.
    """
    return min(max(profile_km, ran_km), float(MAX_WEEKLY_KM))


def recent_weekly_km(
    sessions: Iterable[RunSession], now: datetime, weeks: int = RECENT_WEEKS, calibration: float = 1.0
) -> float:
    """The weekly average over `weeks` of the completed sessions among `sessions` (the caller picks
    the window's sessions). A session still running or left unfinished has not been completed:
    it counts once it is, which a finish or the end of its program makes it."""
    done = (s for s in sessions if s.state(now).is_final)
    return weekly_km_ran((distance_run_m(s.segments, s.events, now, calibration) for s in done), weeks)
