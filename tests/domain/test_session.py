"""Tests of the run session fold: fixed scenarios, the command table, and properties against a reference."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runcoach.domain.session import (
    Command,
    CommandConflict,
    Event,
    EventKind,
    SessionState,
    Status,
    decide,
    fold,
    seconds_to_boundary,
)
from runcoach.domain.workouts import Segment, SegmentLabel

K = EventKind
T0 = datetime(2025, 3, 1, 7, 0, tzinfo=UTC)
EPS = 1e-6
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None)


def seg(label: SegmentLabel, duration_s: int, speed: float = 9.0) -> Segment:
    return Segment(label=label, duration_s=duration_s, speed_kmh=speed, incline_pct=1.0)


#: The small program of the table tests: 60 s + 120 s + 60 s = 240 s.
PROGRAM = (
    seg(SegmentLabel.WARM_UP, 60, 7.0),
    seg(SegmentLabel.RUN, 120, 10.0),
    seg(SegmentLabel.COOL_DOWN, 60, 6.5),
)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def log(*steps: tuple[EventKind, float]) -> list[Event]:
    """Events numbered in order, each `seconds` after T0."""
    return [Event(seq, kind, at(s)) for seq, (kind, s) in enumerate(steps, start=1)]


def fold_at(events: Sequence[Event], now_s: float, segments: Sequence[Segment] = PROGRAM) -> SessionState:
    return fold(segments, events, at(now_s))


def fields(state: SessionState) -> dict[str, Any]:
    """Every state field but `as_of`."""
    return {name: getattr(state, name) for name in SessionState.__slots__ if name != "as_of"}


# --------------------------------------------------------------------------- scenarios

STARTED = (K.CREATED, 0.0), (K.STARTED, 0.0)

#: (events, now in seconds after T0, expected status, elapsed, segment index, segment elapsed, remaining)
SCENARIOS: dict[str, tuple[list[Event], float, Status, float, int, float, float]] = {
    "no events at all": (log(), 100, Status.CREATED, 0, 0, 0, 60),
    "created, not started": (log((K.CREATED, 0)), 500, Status.CREATED, 0, 0, 0, 60),
    "started this instant": (log(*STARTED), 0, Status.RUNNING, 0, 0, 0, 60),
    "running mid first segment": (log((K.CREATED, 0), (K.STARTED, 10)), 40, Status.RUNNING, 30, 0, 30, 30),
    "fractional seconds": (log(*STARTED), 12.345678, Status.RUNNING, 12.345678, 0, 12.345678, 47.654322),
    "just before the first boundary": (
        log(*STARTED),
        59.999999,
        Status.RUNNING,
        59.999999,
        0,
        59.999999,
        1e-6,
    ),
    "exactly at the first boundary": (log(*STARTED), 60, Status.RUNNING, 60, 1, 0, 120),
    "mid second segment": (log(*STARTED), 100, Status.RUNNING, 100, 1, 40, 80),
    "exactly at the second boundary": (log(*STARTED), 180, Status.RUNNING, 180, 2, 0, 60),
    "paused mid first segment": (log(*STARTED, (K.PAUSED, 30)), 31, Status.PAUSED, 30, 0, 30, 30),
    "pause then resume excludes the pause": (
        log(*STARTED, (K.PAUSED, 30), (K.RESUMED, 100)),
        130,
        Status.RUNNING,
        60,
        1,
        0,
        120,
    ),
    "two pauses": (
        log(*STARTED, (K.PAUSED, 10), (K.RESUMED, 20), (K.PAUSED, 50), (K.RESUMED, 90)),
        100,
        Status.RUNNING,
        50,
        0,
        50,
        10,
    ),
    "paused exactly at a boundary": (log(*STARTED, (K.PAUSED, 60)), 300, Status.PAUSED, 60, 1, 0, 120),
    "skip mid segment": (log(*STARTED, (K.SKIPPED, 20)), 50, Status.RUNNING, 50, 1, 30, 90),
    "exactly at a boundary after a skip at a fractional time": (
        log(*STARTED, (K.SKIPPED, 10.2)),
        130.2,
        Status.RUNNING,
        130.2,
        2,
        0,
        60,
    ),
    "skip twice": (log(*STARTED, (K.SKIPPED, 20), (K.SKIPPED, 25)), 35, Status.RUNNING, 35, 2, 10, 50),
    "skip while paused stays paused": (
        log(*STARTED, (K.PAUSED, 20), (K.SKIPPED, 40)),
        100,
        Status.PAUSED,
        20,
        1,
        0,
        120,
    ),
    "skip on the last segment completes": (
        log(*STARTED, (K.SKIPPED, 190)),
        190,
        Status.COMPLETED,
        190,
        2,
        10,
        0,
    ),
    "skip on the last segment while paused": (
        log(*STARTED, (K.PAUSED, 200), (K.SKIPPED, 260)),
        400,
        Status.COMPLETED,
        200,
        2,
        20,
        0,
    ),
    "back mid segment goes to the previous one from its start": (
        log(*STARTED, (K.WENT_BACK, 100)),
        100,
        Status.RUNNING,
        100,
        0,
        0,
        60,
    ),
    "back then run on": (log(*STARTED, (K.WENT_BACK, 100)), 130, Status.RUNNING, 130, 0, 30, 30),
    "back then auto-advance again": (log(*STARTED, (K.WENT_BACK, 100)), 160, Status.RUNNING, 160, 1, 0, 120),
    "back on the first segment restarts it": (
        log(*STARTED, (K.WENT_BACK, 20)),
        30,
        Status.RUNNING,
        30,
        0,
        10,
        50,
    ),
    "back on the last segment": (log(*STARTED, (K.WENT_BACK, 200)), 210, Status.RUNNING, 210, 1, 10, 110),
    "back while paused stays paused": (
        log(*STARTED, (K.PAUSED, 100), (K.WENT_BACK, 150)),
        400,
        Status.PAUSED,
        100,
        0,
        0,
        60,
    ),
    "back replays a segment": (log(*STARTED, (K.WENT_BACK, 200)), 320, Status.RUNNING, 320, 2, 0, 60),
    "back delays completion": (log(*STARTED, (K.WENT_BACK, 200)), 380, Status.COMPLETED, 380, 2, 60, 0),
    "finish early keeps the real elapsed": (
        log(*STARTED, (K.FINISHED, 75)),
        75,
        Status.COMPLETED,
        75,
        1,
        15,
        0,
    ),
    "finish early, seen much later": (log(*STARTED, (K.FINISHED, 75)), 5000, Status.COMPLETED, 75, 1, 15, 0),
    "finish while paused": (
        log(*STARTED, (K.PAUSED, 50), (K.FINISHED, 200)),
        300,
        Status.COMPLETED,
        50,
        0,
        50,
        0,
    ),
    "finish before start": (log((K.CREATED, 0), (K.FINISHED, 5)), 60, Status.COMPLETED, 0, 0, 0, 0),
    "auto-complete exactly at the total": (log(*STARTED), 240, Status.COMPLETED, 240, 2, 60, 0),
    "completed state is frozen later": (log(*STARTED), 10_000, Status.COMPLETED, 240, 2, 60, 0),
    "auto-complete after pauses": (
        log(*STARTED, (K.PAUSED, 100), (K.RESUMED, 200)),
        1000,
        Status.COMPLETED,
        240,
        2,
        60,
        0,
    ),
    "auto-complete after a skip": (log(*STARTED, (K.SKIPPED, 30)), 500, Status.COMPLETED, 210, 2, 60, 0),
    "events after completion are ignored": (
        log(*STARTED, (K.FINISHED, 50), (K.RESUMED, 60), (K.SKIPPED, 70)),
        100,
        Status.COMPLETED,
        50,
        0,
        50,
        0,
    ),
    "events after auto-completion are ignored": (
        log(*STARTED, (K.WENT_BACK, 300), (K.RESUMED, 310)),
        400,
        Status.COMPLETED,
        240,
        2,
        60,
        0,
    ),
    "a pause stamped after auto-completion is ignored": (
        log(*STARTED, (K.PAUSED, 250)),
        400,
        Status.COMPLETED,
        240,
        2,
        60,
        0,
    ),
    "server down while running: time keeps counting": (
        log(*STARTED, (K.PAUSED, 10), (K.RESUMED, 20)),
        170,
        Status.RUNNING,
        160,
        1,
        100,
        20,
    ),
    "server down while running past the end: completed at the end": (
        log(*STARTED, (K.PAUSED, 10), (K.RESUMED, 20)),
        20 + 86_400,
        Status.COMPLETED,
        240,
        2,
        60,
        0,
    ),
    "server down while paused: elapsed stays": (
        log(*STARTED, (K.PAUSED, 30)),
        30 + 86_400,
        Status.PAUSED,
        30,
        0,
        30,
        30,
    ),
}


@pytest.mark.parametrize(
    ("events", "now_s", "status", "elapsed", "index", "segment_elapsed", "remaining"),
    list(SCENARIOS.values()),
    ids=list(SCENARIOS),
)
def test_scenario(
    events: list[Event],
    now_s: float,
    status: Status,
    elapsed: float,
    index: int,
    segment_elapsed: float,
    remaining: float,
) -> None:
    state = fold_at(events, now_s)
    assert state.status is status
    assert state.elapsed_s == pytest.approx(elapsed, abs=EPS)
    assert state.segment_index == index
    assert state.segment_elapsed_s == pytest.approx(segment_elapsed, abs=EPS)
    assert state.segment_remaining_s == pytest.approx(remaining, abs=EPS)
    assert state.segment == PROGRAM[index]
    assert state.segment_count == 3
    assert state.total_duration_s == 240
    assert state.as_of == max([at(now_s), *(e.at for e in events)])
    assert state.is_final is (status is Status.COMPLETED)


@pytest.mark.parametrize(
    ("events", "now_s", "expected"),
    [
        (log(), 0, PROGRAM[1]),
        (log(*STARTED), 30, PROGRAM[1]),
        (log(*STARTED), 60, PROGRAM[2]),
        (log(*STARTED), 180, None),
        (log(*STARTED, (K.PAUSED, 200)), 300, None),
        (log(*STARTED, (K.WENT_BACK, 200)), 200, PROGRAM[2]),
        (log(*STARTED, (K.FINISHED, 10)), 20, None),
        (log(*STARTED), 240, None),
    ],
    ids=["created", "first", "second", "last", "paused on last", "back to second", "finished", "auto-done"],
)
def test_next_segment(events: list[Event], now_s: float, expected: Segment | None) -> None:
    assert fold_at(events, now_s).next_segment == expected


def test_events_are_folded_in_seq_order_whatever_the_list_order() -> None:
    events = log(*STARTED, (K.PAUSED, 30), (K.RESUMED, 100), (K.SKIPPED, 110))
    assert fields(fold_at(events[::-1], 150)) == fields(fold_at(events, 150))


def test_an_event_stamped_after_now_moves_now_up_to_it() -> None:
    """A replica's clock a little ahead: the state never runs backwards behind a stored event."""
    events = log(*STARTED, (K.PAUSED, 30))
    state = fold_at(events, 20)
    assert state.as_of == at(30)
    assert state.status is Status.PAUSED
    assert state.elapsed_s == pytest.approx(30)


def test_an_event_stamped_behind_the_running_clock_adds_no_time() -> None:
    """A replica's clock a little behind: running time is never counted twice."""
    events = [Event(1, K.STARTED, at(10)), Event(2, K.SKIPPED, at(9)), Event(3, K.PAUSED, at(12))]
    state = fold_at(events, 20)
    assert state.status is Status.PAUSED
    assert state.elapsed_s == pytest.approx(2)  # started at 10, paused at 12
    assert state.segment_index == 1


def test_a_resume_stamped_before_the_pause_adds_no_time() -> None:
    events = [Event(1, K.STARTED, at(0)), Event(2, K.PAUSED, at(30)), Event(3, K.RESUMED, at(25))]
    state = fold_at(events, 40)
    assert state.elapsed_s == pytest.approx(40)  # never more than the wall time since the start


def test_a_session_needs_segments() -> None:
    with pytest.raises(ValueError, match="segment"):
        fold([], [], T0)


def test_state_is_a_pure_function_of_its_inputs() -> None:
    events = log(*STARTED, (K.PAUSED, 30), (K.RESUMED, 100))
    assert fold_at(events, 150) == fold_at(list(events), 150)


# --------------------------------------------------------------------------- how a session ended

#: (events, now) -> segments played to their end, finished early, position in the program (s).
#: PROGRAM is 60 s + 120 s + 60 s; a segment is done only when played to its end, never by a skip.
ENDINGS: dict[str, tuple[list[Event], float, int, bool, float]] = {
    "not started": (log((K.CREATED, 0)), 100, 0, False, 0),
    "running mid first segment": (log(*STARTED), 11, 0, False, 11),
    "running past the first boundary": (log(*STARTED), 100, 1, False, 100),
    "finish after 11 s": (log(*STARTED, (K.FINISHED, 11)), 5000, 0, True, 11),
    "finish before start": (log((K.CREATED, 0), (K.FINISHED, 5)), 60, 0, True, 0),
    "finish mid second segment": (log(*STARTED, (K.FINISHED, 75)), 75, 1, True, 75),
    "finish while paused": (log(*STARTED, (K.PAUSED, 70), (K.FINISHED, 200)), 300, 1, True, 70),
    "finish one second before the end": (log(*STARTED, (K.FINISHED, 239)), 400, 2, True, 239),
    "skips are not done": (log(*STARTED, (K.SKIPPED, 5), (K.FINISHED, 10)), 20, 0, True, 65),
    "skip past the last segment is an early finish": (
        log(*STARTED, (K.SKIPPED, 5), (K.SKIPPED, 6), (K.SKIPPED, 7)),
        20,
        0,
        True,
        181,
    ),
    "skip on the last segment after playing the rest": (log(*STARTED, (K.SKIPPED, 190)), 190, 2, True, 190),
    "played to the end": (log(*STARTED), 240, 3, False, 240),
    "played to the end, seen much later": (
        log(*STARTED, (K.PAUSED, 100), (K.RESUMED, 200)),
        9000,
        3,
        False,
        240,
    ),
    "reached the end after a skip: not early, not all done": (
        log(*STARTED, (K.SKIPPED, 30)),
        500,
        2,
        False,
        240,
    ),
    "a segment played twice counts once": (log(*STARTED, (K.WENT_BACK, 200)), 380, 3, False, 240),
    "a finish stamped after the end changes nothing": (log(*STARTED, (K.FINISHED, 250)), 300, 3, False, 240),
}


@pytest.mark.parametrize(
    ("events", "now_s", "done", "early", "position"), list(ENDINGS.values()), ids=list(ENDINGS)
)
def test_the_state_says_how_far_the_run_got(
    events: list[Event], now_s: float, done: int, early: bool, position: float
) -> None:
    state = fold_at(events, now_s)
    assert (state.segments_done, state.finished_early) == (done, early)
    assert state.position_s == pytest.approx(position, abs=EPS)
    assert state.played_in_full is (done == len(PROGRAM))


def test_an_early_finish_keeps_the_real_time_and_where_it_stopped() -> None:
    """The bug report's run: 11 s into a 45-minute, 15-segment workout, then Finish."""
    program = [seg(SegmentLabel.RUN, 180) for _ in range(15)]
    state = fold(program, log(*STARTED, (K.FINISHED, 11)), at(3600))
    assert state.status is Status.COMPLETED and state.finished_early and not state.played_in_full
    assert (state.segments_done, state.segment_count, state.total_duration_s) == (0, 15, 2700)
    assert state.elapsed_s == pytest.approx(11) and state.position_s == pytest.approx(11)


# --------------------------------------------------------------------------- commands

STATE_LOGS: dict[str, list[Event]] = {
    "created": log((K.CREATED, 0)),
    "running": log(*STARTED),
    "paused": log(*STARTED, (K.PAUSED, 10)),
    "finished": log(*STARTED, (K.FINISHED, 10)),
    "auto-completed": log(*STARTED),  # folded at 300 s, past the program's 240 s
}
STATE_STATUS = {
    "created": Status.CREATED,
    "running": Status.RUNNING,
    "paused": Status.PAUSED,
    "finished": Status.COMPLETED,
    "auto-completed": Status.COMPLETED,
}

#: What the product issue allows; everything else is a conflict.
ALLOWED: dict[Status, dict[Command, EventKind]] = {
    Status.CREATED: {Command.START: K.STARTED, Command.FINISH: K.FINISHED},
    Status.RUNNING: {
        Command.PAUSE: K.PAUSED,
        Command.SKIP: K.SKIPPED,
        Command.BACK: K.WENT_BACK,
        Command.FINISH: K.FINISHED,
    },
    Status.PAUSED: {
        Command.RESUME: K.RESUMED,
        Command.SKIP: K.SKIPPED,
        Command.BACK: K.WENT_BACK,
        Command.FINISH: K.FINISHED,
    },
    Status.COMPLETED: {},
}

#: A word of each conflict's message that names the situation.
CONFLICT_WORDS: dict[tuple[Status, Command], str] = {
    (Status.CREATED, Command.PAUSE): "not started",
    (Status.CREATED, Command.RESUME): "not started",
    (Status.CREATED, Command.SKIP): "start the session",
    (Status.CREATED, Command.BACK): "start the session",
    (Status.RUNNING, Command.START): "already running",
    (Status.RUNNING, Command.RESUME): "already running",
    (Status.PAUSED, Command.START): "already started",
    (Status.PAUSED, Command.PAUSE): "already paused",
    **{(Status.COMPLETED, c): "completed" for c in Command},
}


def state_named(name: str) -> SessionState:
    state = fold_at(STATE_LOGS[name], 300 if name == "auto-completed" else 20)
    assert state.status is STATE_STATUS[name]
    return state


@pytest.mark.parametrize(
    ("name", "command"),
    [(n, c) for n, c in itertools.product(STATE_LOGS, Command) if c in ALLOWED[STATE_STATUS[n]]],
)
def test_allowed_command_becomes_its_event(name: str, command: Command) -> None:
    assert decide(state_named(name), command) is ALLOWED[STATE_STATUS[name]][command]


@pytest.mark.parametrize(
    ("name", "command"),
    [(n, c) for n, c in itertools.product(STATE_LOGS, Command) if c not in ALLOWED[STATE_STATUS[n]]],
)
def test_misfit_command_is_a_clear_conflict(name: str, command: Command) -> None:
    with pytest.raises(CommandConflict) as excinfo:
        decide(state_named(name), command)
    message = str(excinfo.value)
    assert message.strip()
    assert CONFLICT_WORDS[(STATE_STATUS[name], command)] in message.lower()
    if STATE_STATUS[name] is Status.COMPLETED:
        assert command.value in message


def test_every_status_and_command_pair_is_covered() -> None:
    covered = {(STATE_STATUS[n], c) for n, c in itertools.product(STATE_LOGS, Command)}
    assert covered == set(itertools.product(Status, Command))
    for status, command in itertools.product(Status, Command):
        assert (command in ALLOWED[status]) != ((status, command) in CONFLICT_WORDS)


@pytest.mark.parametrize(
    ("events", "now_s", "expected"),
    [
        (log((K.CREATED, 0)), 10, None),
        (log(*STARTED), 10, 50),
        (log(*STARTED), 60, 120),
        (log(*STARTED), 200, 40),
        (log(*STARTED, (K.PAUSED, 10)), 20, None),
        (log(*STARTED), 240, None),
        (log(*STARTED, (K.FINISHED, 10)), 20, None),
    ],
    ids=["created", "first", "at boundary", "last", "paused", "auto-done", "finished"],
)
def test_seconds_to_boundary(events: list[Event], now_s: float, expected: float | None) -> None:
    got = seconds_to_boundary(fold_at(events, now_s))
    assert got == (None if expected is None else pytest.approx(expected, abs=EPS))


# --------------------------------------------------------------------------- reference model


@dataclass
class Reference:
    """A deliberately simple simulator in exact integer microseconds, independent of `fold`.

    It lets time pass segment by segment and records the running intervals explicitly.
    """

    durations_us: list[int]
    status: Status = Status.CREATED
    index: int = 0
    in_segment_us: int = 0  # running time spent in the current segment
    clock_us: int = 0  # wall time the simulation has reached
    open_since_us: int | None = None  # start of the running interval in progress
    intervals: list[tuple[int, int]] = field(default_factory=list)
    played: set[int] = field(default_factory=set)  # segments whose end the clock reached
    ended_by_command: bool = False  # completed by finish or a skip off the end, not by time

    @property
    def elapsed_us(self) -> int:
        closed = sum(end - begin for begin, end in self.intervals)
        return closed + (self.clock_us - self.open_since_us if self.open_since_us is not None else 0)

    def _close(self, end_us: int) -> None:
        assert self.open_since_us is not None
        self.intervals.append((self.open_since_us, end_us))
        self.open_since_us = None

    def run_until(self, t_us: int) -> None:
        while self.status is Status.RUNNING and self.clock_us < t_us:
            left = self.durations_us[self.index] - self.in_segment_us
            step = min(left, t_us - self.clock_us)
            self.clock_us += step
            self.in_segment_us += step
            if self.in_segment_us == self.durations_us[self.index]:
                self.played.add(self.index)
                if self.index == len(self.durations_us) - 1:
                    self.status = Status.COMPLETED  # auto-completion ends the interval
                    self._close(self.clock_us)
                else:
                    self.index += 1
                    self.in_segment_us = 0
        self.clock_us = max(self.clock_us, t_us)

    def allows(self, command: Command) -> bool:
        if self.status is Status.CREATED:
            return command in (Command.START, Command.FINISH)
        if self.status is Status.RUNNING:
            return command not in (Command.START, Command.RESUME)
        if self.status is Status.PAUSED:
            return command not in (Command.START, Command.PAUSE)
        return False

    def apply(self, command: Command) -> None:
        """`command` at the current clock; the caller checked `allows`."""
        if command in (Command.START, Command.RESUME):
            self.status = Status.RUNNING
            self.open_since_us = self.clock_us
        elif command is Command.PAUSE:
            self.status = Status.PAUSED
            self._close(self.clock_us)
        elif command is Command.FINISH:
            if self.open_since_us is not None:
                self._close(self.clock_us)
            self.status = Status.COMPLETED
            self.ended_by_command = True
        elif command is Command.SKIP:
            if self.index == len(self.durations_us) - 1:
                if self.open_since_us is not None:
                    self._close(self.clock_us)
                self.status = Status.COMPLETED
                self.ended_by_command = True
            else:
                self.index += 1
                self.in_segment_us = 0
        elif command is Command.BACK:
            self.index = max(0, self.index - 1)
            self.in_segment_us = 0


def us(t: timedelta) -> int:
    return t // timedelta(microseconds=1)


# --------------------------------------------------------------------------- properties

Gap = float | Literal["boundary"]
programs = st.lists(st.integers(20, 600), min_size=1, max_size=8)
gaps: st.SearchStrategy[Gap] = st.one_of(
    st.floats(0, 900, allow_nan=False, allow_infinity=False),
    st.integers(0, 900).map(float),
    st.just("boundary"),  # exactly to the next segment boundary, if running
)
step_lists = st.lists(st.tuples(gaps, st.sampled_from(Command)), max_size=25)


@dataclass
class Run:
    segments: list[Segment]
    events: list[Event]
    #: (time since T0 in µs, the reference at that time, events stored by then), in time order;
    #: one before and one after each command, plus points after the last one.
    samples: list[tuple[int, Reference, int]]


def copy_ref(ref: Reference) -> Reference:
    return Reference(
        ref.durations_us,
        ref.status,
        ref.index,
        ref.in_segment_us,
        ref.clock_us,
        ref.open_since_us,
        list(ref.intervals),
        set(ref.played),
        ref.ended_by_command,
    )


def play(durations: list[int], steps: list[tuple[Gap, Command]]) -> Run:
    """Apply each command that `decide` accepts at its time; check the rejected ones conflict."""
    segments = [seg(SegmentLabel.RUN, d) for d in durations]
    ref = Reference([d * 1_000_000 for d in durations])
    events: list[Event] = []
    samples: list[tuple[int, Reference, int]] = []
    t = timedelta(0)
    for gap, command in steps:
        if gap == "boundary":
            if ref.status is Status.RUNNING:
                t += timedelta(microseconds=ref.durations_us[ref.index] - ref.in_segment_us)
        else:
            t += timedelta(seconds=gap)
        ref.run_until(us(t))
        samples.append((us(t), copy_ref(ref), len(events)))
        state = fold(segments, events, T0 + t)
        if ref.allows(command):
            kind = decide(state, command)
            assert kind is ALLOWED[state.status][command]
            events.append(Event(len(events) + 1, kind, T0 + t))
            ref.apply(command)
            samples.append((us(t), copy_ref(ref), len(events)))
        else:
            with pytest.raises(CommandConflict) as excinfo:
                decide(state, command)
            assert str(excinfo.value).strip()
    end = us(t)
    total = sum(ref.durations_us)
    for later in (end + 1, end + total // 2, end + total, end + 10 * total):
        ref.run_until(later)
        samples.append((later, copy_ref(ref), len(events)))
    return Run(segments, events, samples)


def states_between(run: Run, n: int = 3) -> list[tuple[int, SessionState]]:
    """States at every sample and at `n` points between consecutive ones, each seeing only past events."""
    times = sorted({t for t, _, _ in run.samples})
    nows = set(times)
    for a, b in itertools.pairwise(times):
        nows.update(a + (b - a) * i // (n + 1) for i in range(1, n + 1))
    out = []
    for now in sorted(nows):
        seen = [e for e in run.events if e.at <= T0 + timedelta(microseconds=now)]
        out.append((now, fold(run.segments, seen, T0 + timedelta(microseconds=now))))
    return out


@PROPERTY_SETTINGS
@given(programs, step_lists)
def test_elapsed_never_decreases(durations: list[int], steps: list[tuple[Gap, Command]]) -> None:
    run = play(durations, steps)
    previous = 0.0
    for _, state in states_between(run):
        assert state.elapsed_s >= previous - EPS
        previous = state.elapsed_s
    # Appending an event never moves elapsed at the event's own time.
    for k, event in enumerate(run.events):
        before = fold(run.segments, run.events[:k], event.at)
        after = fold(run.segments, run.events[: k + 1], event.at)
        assert after.elapsed_s == pytest.approx(before.elapsed_s, abs=EPS)


@PROPERTY_SETTINGS
@given(programs, step_lists)
def test_fold_matches_the_reference(durations: list[int], steps: list[tuple[Gap, Command]]) -> None:
    run = play(durations, steps)
    for now_us, ref, stored in run.samples:
        state = fold(run.segments, run.events[:stored], T0 + timedelta(microseconds=now_us))
        assert state.status is ref.status
        assert state.segment_index == ref.index
        assert state.elapsed_s == pytest.approx(ref.elapsed_us / 1e6, abs=EPS)
        assert state.segment_elapsed_s == pytest.approx(ref.in_segment_us / 1e6, abs=EPS)
        # Elapsed is never more than the wall time since the first start.
        if run.events[:stored]:
            assert state.elapsed_s <= now_us / 1e6 + EPS


@PROPERTY_SETTINGS
@given(programs, step_lists)
def test_segment_bounds(durations: list[int], steps: list[tuple[Gap, Command]]) -> None:
    run = play(durations, steps)
    for _, state in states_between(run):
        assert 0 <= state.segment_index < len(durations)
        assert state.segment == run.segments[state.segment_index]
        duration = durations[state.segment_index]
        assert -EPS <= state.segment_elapsed_s <= duration + EPS
        if state.status is Status.COMPLETED:
            assert state.segment_remaining_s == 0
            assert state.next_segment is None
        else:
            assert state.segment_remaining_s == pytest.approx(duration - state.segment_elapsed_s, abs=EPS)
            assert state.segment_remaining_s > 0
            last = state.segment_index == len(durations) - 1
            assert state.next_segment == (None if last else run.segments[state.segment_index + 1])
        assert state.segment_count == len(durations)
        assert state.total_duration_s == sum(durations)


@PROPERTY_SETTINGS
@given(programs, step_lists)
def test_completed_is_final(durations: list[int], steps: list[tuple[Gap, Command]]) -> None:
    run = play(durations, steps)
    frozen: dict[str, Any] | None = None
    for _, state in states_between(run):
        if frozen is not None:
            assert fields(state) == frozen
        if state.status is Status.COMPLETED:
            frozen = fields(state) if frozen is None else frozen
            for command in Command:
                with pytest.raises(CommandConflict, match="completed"):
                    decide(state, command)
    # Not even a stray event stored after completion (a race with the clock) changes the outcome.
    if frozen is not None:
        last = run.samples[-1][0]
        for kind in EventKind:
            late = Event(len(run.events) + 1, kind, T0 + timedelta(microseconds=last + 1))
            assert fields(fold(run.segments, [*run.events, late], late.at)) == frozen


@PROPERTY_SETTINGS
@given(programs, step_lists)
def test_seconds_to_boundary_reaches_the_next_boundary(
    durations: list[int], steps: list[tuple[Gap, Command]]
) -> None:
    run = play(durations, steps)
    for now_us, state in states_between(run, n=2):
        wait = seconds_to_boundary(state)
        if state.status is not Status.RUNNING:
            assert wait is None
            continue
        assert wait is not None
        assert wait == pytest.approx(state.segment_remaining_s, abs=EPS)
        now = T0 + timedelta(microseconds=now_us)
        seen = [e for e in run.events if e.at <= now]
        then = fold(run.segments, seen, now + timedelta(seconds=wait))
        assert then.status is Status.COMPLETED or then.segment_index != state.segment_index
        if wait > 1e-3:
            before = fold(run.segments, seen, now + timedelta(seconds=wait - 1e-3))
            assert before.status is Status.RUNNING
            assert before.segment_index == state.segment_index


@PROPERTY_SETTINGS
@given(programs, step_lists)
def test_how_far_the_run_got_matches_the_reference(
    durations: list[int], steps: list[tuple[Gap, Command]]
) -> None:
    run = play(durations, steps)
    for now_us, ref, stored in run.samples:
        state = fold(run.segments, run.events[:stored], T0 + timedelta(microseconds=now_us))
        assert state.segments_done == len(ref.played)
        assert state.finished_early is ref.ended_by_command
        offset_us = sum(ref.durations_us[: ref.index])
        assert state.position_s == pytest.approx((offset_us + ref.in_segment_us) / 1e6, abs=EPS)


@PROPERTY_SETTINGS
@given(programs, step_lists)
def test_only_a_run_played_to_its_end_is_played_in_full(
    durations: list[int], steps: list[tuple[Gap, Command]]
) -> None:
    run = play(durations, steps)
    done_before = 0
    for _, state in states_between(run):
        assert 0 <= state.segments_done <= len(durations)
        assert state.segments_done >= done_before  # a segment once done stays done
        done_before = state.segments_done
        assert -EPS <= state.position_s <= state.total_duration_s + EPS
        if not state.is_final:
            assert not state.finished_early and not state.played_in_full
        elif state.finished_early:
            # An early finish never claims the whole program: not every segment, not the end.
            assert state.segments_done < len(durations)
            assert state.position_s < state.total_duration_s
        else:
            # Completed by time: the last segment played to its end, the marker at the very end.
            assert state.position_s == pytest.approx(state.total_duration_s, abs=EPS)
        assert state.played_in_full is (state.is_final and state.segments_done == len(durations))


# --------------------------------------------------------------------------- distance


@pytest.mark.parametrize(
    ("steps", "now_s", "metres"),
    [
        # Not started: nothing. Running 30 s of the 7 km/h warm-up: 30 x 7 / 3.6.
        ((), 100, 0.0),
        (((K.STARTED, 0),), 30, 30 * 7 / 3.6),
        # Across a boundary: the whole warm-up, then 40 s at 10 km/h.
        (((K.STARTED, 0),), 100, 60 * 7 / 3.6 + 40 * 10 / 3.6),
        # A pause adds nothing: 20 s run, paused 500 s, 10 s more.
        (((K.STARTED, 0), (K.PAUSED, 20), (K.RESUMED, 520)), 530, 30 * 7 / 3.6),
        # A skip 10 s into the warm-up: the rest of it is not covered; 20 s of the run are.
        (((K.STARTED, 0), (K.SKIPPED, 10)), 30, 10 * 7 / 3.6 + 20 * 10 / 3.6),
        # Back after 30 s of the run: the warm-up is run again and counts again.
        (((K.STARTED, 0), (K.WENT_BACK, 90)), 120, 60 * 7 / 3.6 + 30 * 10 / 3.6 + 30 * 7 / 3.6),
        # Finished early: what was run until the finish, however long after.
        (((K.STARTED, 0), (K.FINISHED, 90)), 5000, 60 * 7 / 3.6 + 30 * 10 / 3.6),
        # Played to the end: the whole program, and no more later.
        (((K.STARTED, 0),), 9000, (60 * 7 + 120 * 10 + 60 * 6.5) / 3.6),
    ],
)
def test_distance_is_what_the_belt_covered_at_the_programmed_speeds(
    steps: tuple[tuple[EventKind, float], ...], now_s: float, metres: float
) -> None:
    assert fold_at(log(*steps), now_s).distance_m == pytest.approx(metres, abs=1e-6)


@PROPERTY_SETTINGS
@given(programs, step_lists)
def test_distance_is_elapsed_time_at_one_speed_and_never_decreases(
    durations: list[int], steps: list[tuple[Gap, Command]]
) -> None:
    run = play(durations, steps)  # every segment at 9 km/h: 2.5 m a second
    previous = 0.0
    for _, state in states_between(run):
        assert state.distance_m == pytest.approx(state.elapsed_s * 2.5, abs=1e-3)
        assert state.distance_m >= previous - 1e-6
        previous = state.distance_m
