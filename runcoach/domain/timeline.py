"""What a run session was, in time: when the belt ran, on which segment, how far; its laps and pauses.

Pure: standard library and `runcoach.domain` only. Read from the fold's own replay
(`runcoach.domain.session.replay`), so a pause, a skip or a back means here exactly what it meant
on the screens: no second set of rules.

- A stretch is running time on one segment with no pause or change inside.
- A lap is one segment as actually run: it begins when the segment does (the start, a boundary,
  a skip, a back) and ends when the next change comes (a boundary, a skip, a back, the end). A back
  replays a segment, so a new lap; a pause does not end a lap. A segment left before it ran at all
  (two skips in a row) is no lap; the next lap starts where the last one ended, and a session
  that ends on such a segment ends its last lap run there, so the laps of a finished session
  cover it from its start to its end without a gap.
- Distances are what the belt covered at the targets: segment speed x calibration x running time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from runcoach.domain.session import Change, Event, Marked, Ran, RunSession, SessionState, Trace, replay
from runcoach.domain.workouts import Segment, SegmentLabel

_SECOND = timedelta(seconds=1)


class Intensity(StrEnum):
    """How hard a lap is meant to be, as a watch's lap intensity reads it."""

    ACTIVE = "active"
    WARMUP = "warmup"
    COOLDOWN = "cooldown"
    REST = "rest"


#: A segment's intensity by its label; any other label is active work.
INTENSITY: dict[SegmentLabel, Intensity] = {
    SegmentLabel.WARM_UP: Intensity.WARMUP,
    SegmentLabel.COOL_DOWN: Intensity.COOLDOWN,
    # Rest, not FIT's newer "recovery": every FIT reader knows rest, and the workout files say it too.
    SegmentLabel.RECOVERY: Intensity.REST,
}


def intensity_of(label: SegmentLabel) -> Intensity:
    return INTENSITY.get(label, Intensity.ACTIVE)


class LapEnd(StrEnum):
    """What ended a lap."""

    TIME = "time"  # the segment's time was up: the program went on to the next one
    SKIP = "skip"
    BACK = "back"
    END = "end"  # the session ended: the program's end, a finish, or a skip past the last segment
    OPEN = "open"  # the session has not ended: the lap goes on


_LAP_END: dict[Change, LapEnd] = {
    Change.BOUNDARY: LapEnd.TIME,
    Change.SKIPPED: LapEnd.SKIP,
    Change.WENT_BACK: LapEnd.BACK,
    Change.ENDED: LapEnd.END,
}


@dataclass(frozen=True, slots=True)
class Stretch:
    """Running on one segment from `start` to `end` (wall clock) at `speed_kmh` on the belt."""

    segment_index: int
    start: datetime
    end: datetime
    speed_kmh: float
    incline_pct: float
    #: Belt metres covered before this stretch began, and running seconds before it.
    distance_before_m: float
    timer_before_s: float

    @property
    def seconds(self) -> float:
        return (self.end - self.start) / _SECOND

    @property
    def distance_m(self) -> float:
        return self.seconds * self.speed_kmh / 3.6


@dataclass(frozen=True, slots=True)
class Lap:
    """One segment as actually run (see the module's docstring)."""

    segment_index: int
    label: SegmentLabel
    start: datetime
    end: datetime
    #: Running seconds (pauses excluded) and belt metres.
    timer_s: float
    distance_m: float
    #: The segment's belt speed and incline: the targets the treadmill held.
    speed_kmh: float
    incline_pct: float
    ended_by: LapEnd
    stretches: tuple[Stretch, ...]

    @property
    def elapsed_s(self) -> float:
        """Wall-clock seconds from the lap's start to its end, pauses included."""
        return (self.end - self.start) / _SECOND

    @property
    def avg_speed_kmh(self) -> float:
        return self.distance_m / self.timer_s * 3.6 if self.timer_s > 0 else 0.0

    @property
    def intensity(self) -> Intensity:
        return intensity_of(self.label)


@dataclass(frozen=True, slots=True)
class Pause:
    """The timer stopped at `start`; `end` is the resume, None if the session ended (or is) paused."""

    start: datetime
    end: datetime | None


@dataclass(frozen=True, slots=True)
class Timeline:
    """A session in time, as of `state.as_of`."""

    state: SessionState
    #: The first start; None when the session never started.
    start: datetime | None
    #: When the session ended; None while it goes on (or when it ended before it started).
    end: datetime | None
    stretches: tuple[Stretch, ...]
    laps: tuple[Lap, ...]
    pauses: tuple[Pause, ...]
    calibration: float = 1.0

    @property
    def ran(self) -> bool:
        """Any running time at all (a session finished before its start has none)."""
        return bool(self.stretches)

    @property
    def timer_s(self) -> float:
        """Running seconds, pauses excluded: the state's elapsed time."""
        return sum(s.seconds for s in self.stretches)

    @property
    def elapsed_s(self) -> float:
        """Wall-clock seconds from the start to the end (or to now), pauses included."""
        if self.start is None:
            return 0.0
        return ((self.end or self.state.as_of) - self.start) / _SECOND

    @property
    def distance_m(self) -> float:
        """Belt metres: each segment's speed x calibration x its running time."""
        return sum(s.distance_m for s in self.stretches)

    @property
    def avg_speed_kmh(self) -> float:
        timer = self.timer_s
        return self.distance_m / timer * 3.6 if timer > 0 else 0.0

    @property
    def max_speed_kmh(self) -> float:
        return max((s.speed_kmh for s in self.stretches), default=0.0)


@dataclass
class _Visit:
    """A lap being read: one segment from one change to the next."""

    index: int
    stretches: list[Stretch] = field(default_factory=list)


def timeline(
    segments: Sequence[Segment], events: Sequence[Event], now: datetime, calibration: float = 1.0
) -> Timeline:
    """The session's timeline as of `now`; segments hold console speeds, the belt runs `calibration`
    times as fast."""
    trace: Trace = []
    state = replay(segments, events, now, trace)
    return _Reader(segments, calibration, state).read(trace)


def session_timeline(session: RunSession, now: datetime) -> Timeline:
    """A stored session's timeline, with the calibration of the console it was created for."""
    calibration = session.console.calibration if session.console is not None else 1.0
    return timeline(session.segments, session.events, now, calibration)


class _Reader:
    """Groups a replay's trace into stretches, laps and pauses (one pass, in order)."""

    def __init__(self, segments: Sequence[Segment], calibration: float, state: SessionState) -> None:
        self.segments, self.calibration, self.state = segments, calibration, state
        self.start: datetime | None = None
        self.end: datetime | None = None
        self.visit: _Visit | None = None
        self.stretches: list[Stretch] = []
        self.laps: list[Lap] = []
        self.pauses: list[Pause] = []
        self.metres = 0.0
        self.seconds = 0.0

    def read(self, trace: Trace) -> Timeline:
        for item in trace:
            if isinstance(item, Ran):
                self._ran(item)
            else:
                self._marked(item)
        if self.visit is not None:  # still going: the lap so far
            self._close(self.state.as_of, LapEnd.OPEN)
        return Timeline(
            state=self.state,
            start=self.start,
            end=self.end,
            stretches=tuple(self.stretches),
            laps=tuple(self.laps),
            pauses=tuple(self.pauses),
            calibration=self.calibration,
        )

    def _ran(self, ran: Ran) -> None:
        segment = self.segments[ran.index]
        speed = segment.speed_kmh * self.calibration
        stretch = Stretch(
            ran.index, ran.start, ran.end, speed, segment.incline_pct, self.metres, self.seconds
        )
        self.metres += stretch.distance_m
        self.seconds += stretch.seconds
        self.stretches.append(stretch)
        if self.visit is not None:
            self.visit.stretches.append(stretch)

    def _marked(self, marked: Marked) -> None:
        match marked.change:
            case Change.STARTED:
                self.start = marked.at
                self.visit = _Visit(marked.index)
            case Change.PAUSED:
                self.pauses.append(Pause(marked.at, None))
            case Change.RESUMED:
                if self.pauses:
                    self.pauses[-1] = Pause(self.pauses[-1].start, marked.at)
            case Change.BOUNDARY | Change.SKIPPED | Change.WENT_BACK:
                if self.visit is not None:  # before the start there is no lap to end
                    self._close(marked.at, _LAP_END[marked.change])
                    self.visit = _Visit(marked.index)
            case Change.ENDED:
                self.end = marked.at if self.start is not None else None
                if self.visit is not None and self.visit.stretches:
                    self._close(marked.at, LapEnd.END)
                elif self.laps:  # ended on a segment never run: the last lap run ends with the session
                    self.laps[-1] = replace(self.laps[-1], end=marked.at, ended_by=LapEnd.END)
                self.visit = None

    def _close(self, at: datetime, ended_by: LapEnd) -> None:
        """End the current visit at `at`: a lap if the segment ran at all."""
        visit = self.visit
        assert visit is not None
        if not visit.stretches:
            return  # left before it ran: the next lap starts where the last one ended
        start = self.laps[-1].end if self.laps else self.start
        assert start is not None  # a segment ran, so the session had started
        segment = self.segments[visit.index]
        self.laps.append(
            Lap(
                segment_index=visit.index,
                label=segment.label,
                start=start,
                end=at,
                timer_s=sum(s.seconds for s in visit.stretches),
                distance_m=sum(s.distance_m for s in visit.stretches),
                speed_kmh=segment.speed_kmh * self.calibration,
                incline_pct=segment.incline_pct,
                ended_by=ended_by,
                stretches=tuple(visit.stretches),
            )
        )
