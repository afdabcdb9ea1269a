"""A run session: an append-only event log folded into the state every screen shows.

Pure: the state is a function of the program (segments), the events and `now`. Auto-advance
to the next segment needs no event, it follows from time. All transitions live here.

`replay` is the same fold, telling on the way what happened when: the running stretches (one
segment, no pause inside) and the changes (start, pause, resume, a segment boundary, a skip, a
back, the end) at the wall-clock instants the fold used. The laps of an activity file are read
from it (`runcoach.domain.timeline`), so they can never disagree with what the screens showed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple, assert_never

from runcoach.domain.errors import Conflict
from runcoach.domain.structure import Console
from runcoach.domain.workouts import Segment

#: The fold counts in whole microseconds (the resolution of `datetime`), so boundaries are exact.
_US = timedelta(microseconds=1)
_US_PER_S = 1_000_000


class Status(StrEnum):
    CREATED = "created"
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"


class Command(StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    SKIP = "skip"
    BACK = "back"
    FINISH = "finish"


class EventKind(StrEnum):
    CREATED = "created"
    STARTED = "started"
    PAUSED = "paused"
    RESUMED = "resumed"
    SKIPPED = "skipped"
    WENT_BACK = "went_back"
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class Event:
    """One stored transition: `seq` is unique within the session, `at` is UTC wall-clock time."""

    seq: int
    kind: EventKind
    at: datetime


class CommandConflict(Conflict):
    """A command that does not fit the session's state (or a stale `if_seq`); the message says why."""


class Change(StrEnum):
    """What a `Marked` instant of a replay changed."""

    STARTED = "started"  # the timer starts for the first time
    PAUSED = "paused"
    RESUMED = "resumed"
    BOUNDARY = "boundary"  # time reached the end of a segment and the next one began
    SKIPPED = "skipped"
    WENT_BACK = "went_back"
    ENDED = "ended"  # completed: the program's end, a finish, or a skip past the last segment


@dataclass(frozen=True, slots=True)
class Ran:
    """Running time on one segment from `start` to `end` (wall clock): no pause, no change inside."""

    index: int
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Marked:
    """A change at the wall-clock instant `at`; `index` is the segment current after it."""

    change: Change
    at: datetime
    index: int


#: What a replay tells, in the order it happened.
Trace = list[Ran | Marked]


@dataclass(frozen=True, slots=True)
class SessionState:
    """What every view shows, as of `as_of`.

    How a session ended is part of the state, so no view has to guess it from the status:
    `segments_done` counts the segments played to their end (a skipped or unfinished one is not
    done; one played again after a back counts once), `finished_early` says the session ended
    before its last segment was played to the end (a finish, or a skip past the last segment),
    and `position_s` is where in the program the runner is, or stopped.
    """

    status: Status
    elapsed_s: float
    segment_index: int
    segment_elapsed_s: float
    segment_remaining_s: float
    segment: Segment | None
    next_segment: Segment | None
    segment_count: int
    total_duration_s: int
    as_of: datetime
    #: Seconds into the program: the current segment's start plus its elapsed time. It differs from
    #: `elapsed_s` after a skip or a back; once completed it stays where the session stopped
    #: (`total_duration_s` when the last segment played to its end).
    position_s: float
    #: How many distinct segments were played to their end.
    segments_done: int
    #: Completed by a command (finish, or skip on the last segment) before the program's end.
    finished_early: bool
    #: Metres covered at the programmed (console) speeds while running: pauses add nothing, a
    #: skipped remainder adds nothing, a segment run again after a back adds again.
    distance_m: float = 0.0

    @property
    def is_final(self) -> bool:
        return self.status is Status.COMPLETED

    @property
    def played_in_full(self) -> bool:
        """Completed with every segment played to its end: the only ending that earns the happy words."""
        return self.is_final and self.segments_done == self.segment_count


class _Timed(NamedTuple):
    duration: int  # microseconds
    metres_per_us: float


@dataclass(frozen=True, slots=True)
class _Cursor:
    """The fold's running position: totals in microseconds of running time."""

    status: Status
    elapsed: int
    index: int
    segment_start: int  # elapsed time at which the current segment began
    clock: datetime | None  # wall time `elapsed` refers to while running
    played: frozenset[int] = frozenset()  # segments played to their end
    metres: float = 0.0  # covered at the programmed speeds while running


def _advance(
    cursor: _Cursor, segments: Sequence[_Timed], at: datetime, trace: Trace | None = None
) -> _Cursor:
    """Let running time pass until `at`, crossing segment boundaries; past the last one: completed."""
    if cursor.status is not Status.RUNNING or cursor.clock is None:
        return cursor
    elapsed = cursor.elapsed + max(0, (at - cursor.clock) // _US)
    index, start, played = cursor.index, cursor.segment_start, set(cursor.played)
    metres, counted = cursor.metres, cursor.elapsed
    while index < len(segments) and elapsed - start >= segments[index].duration:
        # Crossing a boundary by time is the one way a segment gets done (a skip never is).
        played.add(index)
        start += segments[index].duration
        metres += (start - counted) * segments[index].metres_per_us
        if trace is not None:
            _trace_crossing(trace, cursor, index, counted, start, last=index + 1 >= len(segments))
        counted = start
        index += 1
    if index >= len(segments):
        # The belt stopped at the end of the last segment: elapsed is the program's end, not `at`.
        last = len(segments) - 1
        begun = start - segments[-1].duration
        return _Cursor(Status.COMPLETED, start, last, begun, None, frozenset(played), metres)
    metres += (elapsed - counted) * segments[index].metres_per_us
    if trace is not None and elapsed > counted:
        trace.append(Ran(index, _wall(cursor, counted), _wall(cursor, elapsed)))
    return _Cursor(Status.RUNNING, elapsed, index, start, at, frozenset(played), metres)


def _wall(cursor: _Cursor, elapsed: int) -> datetime:
    """The wall-clock instant a running cursor reaches `elapsed` (microseconds of running time)."""
    assert cursor.clock is not None
    return cursor.clock + (elapsed - cursor.elapsed) * _US


def _trace_crossing(trace: Trace, cursor: _Cursor, index: int, counted: int, end: int, *, last: bool) -> None:
    """Segment `index` ran from `counted` to its end `end`; then the next began, or the program ended."""
    if end > counted:
        trace.append(Ran(index, _wall(cursor, counted), _wall(cursor, end)))
    change = Change.ENDED if last else Change.BOUNDARY
    trace.append(Marked(change, _wall(cursor, end), index if last else index + 1))


def _apply(cursor: _Cursor, kind: EventKind, segments: Sequence[_Timed], at: datetime) -> _Cursor:
    """One event on a cursor already advanced to `at`."""
    match kind:
        case EventKind.CREATED:
            return cursor
        case EventKind.STARTED | EventKind.RESUMED:
            return replace(cursor, status=Status.RUNNING, clock=at)
        case EventKind.PAUSED:
            return replace(cursor, status=Status.PAUSED, clock=None)
        case EventKind.SKIPPED:
            if cursor.index + 1 >= len(segments):
                return replace(cursor, status=Status.COMPLETED, clock=None)
            return replace(cursor, index=cursor.index + 1, segment_start=cursor.elapsed)
        case EventKind.WENT_BACK:
            return replace(cursor, index=max(0, cursor.index - 1), segment_start=cursor.elapsed)
        case EventKind.FINISHED:
            return replace(cursor, status=Status.COMPLETED, clock=None)
        case _:
            assert_never(kind)


def fold(segments: Sequence[Segment], events: Sequence[Event], now: datetime) -> SessionState:
    """The session's state at `now` from its events (in `seq` order).

    An event stamped after `now` (another replica's clock a little ahead) moves `now` up to it:
    state never runs backwards behind a stored event.
    """
    return replay(segments, events, now, None)


def replay(
    segments: Sequence[Segment], events: Sequence[Event], now: datetime, trace: Trace | None
) -> SessionState:
    """`fold`, appending to `trace` (unless None) what happened when: `Ran` stretches and `Marked`
    changes, at the wall-clock instants the fold used (a stamp behind an earlier one counts at the
    earlier one's time, the end of a program played out at the instant time reached it)."""
    if not segments:
        raise ValueError("a session needs at least one segment")
    timed = [_Timed(s.duration_s * _US_PER_S, s.speed_kmh / 3.6 / _US_PER_S) for s in segments]
    ordered = sorted(events, key=lambda e: e.seq)
    now = max([now, *(e.at for e in ordered)])
    cursor = _Cursor(Status.CREATED, 0, 0, 0, None)
    clock: datetime | None = None
    for event in ordered:
        # Wall time never runs backwards either: an event stamped behind an earlier one (a replica's
        # clock a little behind) happens at the earlier one's time, so no running time counts twice.
        clock = event.at if clock is None else max(clock, event.at)
        cursor = _advance(cursor, timed, clock, trace)
        if cursor.status is Status.COMPLETED:
            break  # completed is final, also when time completed it before this event
        before = cursor
        cursor = _apply(cursor, event.kind, timed, clock)
        if trace is not None and (marked := _marked(event.kind, before, cursor, clock)) is not None:
            trace.append(marked)
    cursor = _advance(cursor, timed, now, trace)
    return _state(cursor, segments, now)


def _marked(kind: EventKind, before: _Cursor, after: _Cursor, at: datetime) -> Marked | None:
    """What an applied event changed, if anything (a stored pause of a paused session changes nothing)."""
    if after.status is Status.COMPLETED:
        return Marked(Change.ENDED, at, after.index)
    if after.status is Status.RUNNING and before.status is not Status.RUNNING:
        return Marked(Change.STARTED if before.status is Status.CREATED else Change.RESUMED, at, after.index)
    if after.status is Status.PAUSED and before.status is Status.RUNNING:
        return Marked(Change.PAUSED, at, after.index)
    if after.segment_start != before.segment_start or after.index != before.index:
        return Marked(Change.SKIPPED if kind is EventKind.SKIPPED else Change.WENT_BACK, at, after.index)
    return None


def _state(cursor: _Cursor, segments: Sequence[Segment], now: datetime) -> SessionState:
    segment = segments[cursor.index]
    duration = segment.duration_s * _US_PER_S
    segment_elapsed = min(cursor.elapsed - cursor.segment_start, duration)
    done = cursor.status is Status.COMPLETED
    offset = sum(s.duration_s for s in segments[: cursor.index])
    # Time completes a session only by playing the last segment to its end; any other ending
    # (finish, skip on the last segment) came first, so the last segment is not among the played.
    early = done and len(segments) - 1 not in cursor.played
    return SessionState(
        status=cursor.status,
        elapsed_s=cursor.elapsed / _US_PER_S,
        segment_index=cursor.index,
        segment_elapsed_s=segment_elapsed / _US_PER_S,
        segment_remaining_s=0.0 if done else (duration - segment_elapsed) / _US_PER_S,
        segment=segment,
        next_segment=None if done or cursor.index + 1 >= len(segments) else segments[cursor.index + 1],
        segment_count=len(segments),
        total_duration_s=sum(s.duration_s for s in segments),
        as_of=now,
        position_s=offset + segment_elapsed / _US_PER_S,
        segments_done=len(cursor.played),
        finished_early=early,
        distance_m=cursor.metres,
    )


#: Which command each status accepts, and the event it becomes.
_ALLOWED: dict[Status, dict[Command, EventKind]] = {
    Status.CREATED: {Command.START: EventKind.STARTED, Command.FINISH: EventKind.FINISHED},
    Status.RUNNING: {
        Command.PAUSE: EventKind.PAUSED,
        Command.SKIP: EventKind.SKIPPED,
        Command.BACK: EventKind.WENT_BACK,
        Command.FINISH: EventKind.FINISHED,
    },
    Status.PAUSED: {
        Command.RESUME: EventKind.RESUMED,
        Command.SKIP: EventKind.SKIPPED,
        Command.BACK: EventKind.WENT_BACK,
        Command.FINISH: EventKind.FINISHED,
    },
    Status.COMPLETED: {},
}

_WHY: dict[tuple[Status, Command], str] = {
    (Status.CREATED, Command.PAUSE): "The session has not started yet",
    (Status.CREATED, Command.RESUME): "The session has not started yet: start it",
    (Status.CREATED, Command.SKIP): "Start the session before skipping",
    (Status.CREATED, Command.BACK): "Start the session before going back",
    (Status.RUNNING, Command.START): "The session is already running",
    (Status.RUNNING, Command.RESUME): "The session is already running",
    (Status.PAUSED, Command.START): "The session has already started: resume it",
    (Status.PAUSED, Command.PAUSE): "The session is already paused",
}


def allowed_commands(status: Status) -> frozenset[Command]:
    """The commands a session in this status accepts (what a view offers as buttons)."""
    return frozenset(_ALLOWED[status])


def decide(state: SessionState, command: Command) -> EventKind:
    """The event a command becomes in this state; CommandConflict with a clear message otherwise."""
    event = _ALLOWED[state.status].get(command)
    if event is not None:
        return event
    if state.status is Status.COMPLETED:
        raise CommandConflict(f"The session is completed: cannot {command.value}")
    raise CommandConflict(_WHY[(state.status, command)])


def seconds_to_boundary(state: SessionState) -> float | None:
    """How long until the state changes by itself (a segment boundary or the end), if running."""
    return state.segment_remaining_s if state.status is Status.RUNNING else None


#: A pairing link or code controls its session for at most this long (and never after completion).
PAIRING_TTL_S = 12 * 3600


def clean_pair_code(text: str) -> str:
    """A pairing code as typed or linked ('abcd-efgh'), as it is stored: upper case, letters and digits."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


@dataclass(frozen=True, slots=True)
class RunSession:
    """A stored session: the program it plays and its event log."""

    id: int
    owner_id: int
    #: The generated workout played, or None for a planned day (`plan_id`, `plan_wid`).
    workout_id: int | None
    name: str
    segments: tuple[Segment, ...]
    pair_code: str
    created_at: datetime
    events: tuple[Event, ...]
    #: When the current pairing code was drawn; None: with the session (the runner drew no new one).
    paired_at: datetime | None = None
    plan_id: int | None = None
    plan_wid: int | None = None
    #: The runner's treadmill console when the session was created (the program was compiled for
    #: it): how its speeds read and how true they are. None: no treadmill was known (no profile, or
    #: a session older than the snapshot), so speeds read in the runner's units, taken as true.
    console: Console | None = None

    def state(self, now: datetime) -> SessionState:
        return fold(self.segments, self.events, now)

    @property
    def last_seq(self) -> int:
        return max((e.seq for e in self.events), default=0)

    @property
    def pairing_expires_at(self) -> datetime:
        """The current code works for PAIRING_TTL_S from when it was drawn."""
        return (self.paired_at or self.created_at) + timedelta(seconds=PAIRING_TTL_S)

    def pairing_open(self, now: datetime) -> bool:
        """Whether a paired phone may pair with (or keep controlling) this session now."""
        return now < self.pairing_expires_at and not self.state(now).is_final
