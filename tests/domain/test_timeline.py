"""The timeline of a run session: its running stretches, its laps (one per segment as run) and pauses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runcoach.domain.session import (
    Command,
    CommandConflict,
    Event,
    EventKind,
    RunSession,
    Trace,
    decide,
    fold,
    replay,
)
from runcoach.domain.structure import Console
from runcoach.domain.timeline import Intensity, Lap, LapEnd, Pause, Timeline, session_timeline, timeline
from runcoach.domain.volume import distance_run_m
from runcoach.domain.workouts import Segment, SegmentLabel

K = EventKind
L = SegmentLabel
T0 = datetime(2025, 3, 1, 7, 0, tzinfo=UTC)
EPS = 1e-6

#: 60 s warm-up at 7 km/h, 120 s run at 10, 60 s recovery at 6, 60 s cool-down at 6.5: 240 s.
PROGRAM = (
    Segment(label=L.WARM_UP, duration_s=60, speed_kmh=7.0, incline_pct=1.0),
    Segment(label=L.RUN, duration_s=120, speed_kmh=10.0, incline_pct=2.0),
    Segment(label=L.RECOVERY, duration_s=60, speed_kmh=6.0, incline_pct=0.0),
    Segment(label=L.COOL_DOWN, duration_s=60, speed_kmh=6.5, incline_pct=0.5),
)
LATER = 10_000  # seconds: long after any of these runs ended


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def log(*steps: tuple[EventKind, float]) -> list[Event]:
    """Events numbered in order, each `seconds` after T0, after a `created` at T0."""
    return [Event(seq, kind, at(s)) for seq, (kind, s) in enumerate(((K.CREATED, 0), *steps), start=1)]


def metres(kmh: float, seconds: float) -> float:
    return kmh / 3.6 * seconds


def laps_as(line: Timeline) -> list[tuple[int, float, float, float, LapEnd]]:
    """(segment, start s, end s, timer s, what ended it) per lap, times since T0."""
    return [
        (
            lap.segment_index,
            (lap.start - T0).total_seconds(),
            (lap.end - T0).total_seconds(),
            pytest.approx(lap.timer_s, abs=EPS),
            lap.ended_by,
        )
        for lap in line.laps
    ]


def assert_consistent(line: Timeline, calibration: float = 1.0) -> None:
    """What every timeline keeps: the fold's running time and distance, laps that tile the run."""
    state = line.state
    assert line.timer_s == pytest.approx(state.elapsed_s, abs=EPS)
    assert line.distance_m == pytest.approx(state.distance_m * calibration, rel=1e-9, abs=1e-6)
    assert sum(lap.timer_s for lap in line.laps) == pytest.approx(line.timer_s, abs=EPS)
    assert sum(lap.distance_m for lap in line.laps) == pytest.approx(line.distance_m, abs=1e-6)
    for lap in line.laps:
        assert lap.timer_s > 0 and lap.start <= lap.end
        assert lap.timer_s <= lap.elapsed_s + EPS
        assert all(lap.start <= s.start <= s.end <= lap.end for s in lap.stretches)
    if line.laps:
        assert line.laps[0].start == line.start
        assert all(a.end == b.start for a, b in zip(line.laps, line.laps[1:], strict=False))
        last = line.laps[-1]
        if line.end is not None:
            assert last.end == line.end and last.ended_by is LapEnd.END
        else:  # going on: up to now, unless the runner left the last lap for a segment not run yet
            assert last.end == state.as_of if last.ended_by is LapEnd.OPEN else last.end <= state.as_of
    for a, b in zip(line.stretches, line.stretches[1:], strict=False):
        assert a.end <= b.start
        assert b.distance_before_m == pytest.approx(a.distance_before_m + a.distance_m, abs=1e-6)


# --------------------------------------------------------------------------- scenarios


def test_a_run_played_to_its_end_has_a_lap_per_segment_each_ended_by_time() -> None:
    line = timeline(PROGRAM, log((K.STARTED, 10)), at(LATER))
    assert laps_as(line) == [
        (0, 10, 70, 60, LapEnd.TIME),
        (1, 70, 190, 120, LapEnd.TIME),
        (2, 190, 250, 60, LapEnd.TIME),
        (3, 250, 310, 60, LapEnd.END),
    ]
    assert line.start == at(10) and line.end == at(310) and line.state.played_in_full
    assert line.timer_s == 300 == line.elapsed_s and line.pauses == ()
    assert line.distance_m == pytest.approx(metres(7, 60) + metres(10, 120) + metres(6, 60) + metres(6.5, 60))
    assert_consistent(line)


def test_a_pause_stops_the_timer_but_not_the_lap() -> None:
    line = timeline(PROGRAM, log((K.STARTED, 0), (K.PAUSED, 30), (K.RESUMED, 50)), at(LATER))
    first = line.laps[0]
    assert (first.timer_s, first.elapsed_s) == (60, 80) and first.end == at(80)
    assert [(s.start, s.end) for s in first.stretches] == [(at(0), at(30)), (at(50), at(80))]
    assert line.pauses == (Pause(at(30), at(50)),)
    assert line.timer_s == 300 and line.elapsed_s == 320
    assert_consistent(line)


def test_skips_and_a_back_end_laps_where_they_happened_and_a_back_replays_a_segment() -> None:
    line = timeline(
        PROGRAM,
        log((K.STARTED, 0), (K.SKIPPED, 20), (K.PAUSED, 50), (K.WENT_BACK, 70), (K.RESUMED, 80)),
        at(LATER),
    )
    assert laps_as(line) == [
        (0, 0, 20, 20, LapEnd.SKIP),  # the warm-up, skipped after 20 s
        (1, 20, 70, 30, LapEnd.BACK),  # the run, 30 s, then paused; back during the pause
        (0, 70, 140, 60, LapEnd.TIME),  # the warm-up again, in full once resumed
        (1, 140, 260, 120, LapEnd.TIME),
        (2, 260, 320, 60, LapEnd.TIME),
        (3, 320, 380, 60, LapEnd.END),
    ]
    assert line.distance_m == pytest.approx(
        metres(7, 20) + metres(10, 30) + metres(7, 60) + metres(10, 120) + metres(6, 60) + metres(6.5, 60)
    )
    assert_consistent(line)


def test_a_back_on_the_first_segment_replays_it_as_a_new_lap() -> None:
    line = timeline(PROGRAM, log((K.STARTED, 0), (K.WENT_BACK, 25), (K.FINISHED, 40)), at(LATER))
    assert laps_as(line) == [(0, 0, 25, 25, LapEnd.BACK), (0, 25, 40, 15, LapEnd.END)]
    assert_consistent(line)


def test_a_segment_left_before_it_ran_is_no_lap_and_the_laps_leave_no_gap() -> None:
    line = timeline(
        PROGRAM,
        log((K.STARTED, 0), (K.PAUSED, 30), (K.SKIPPED, 40), (K.SKIPPED, 45), (K.RESUMED, 60)),
        at(LATER),
    )
    assert [(lap.segment_index, lap.ended_by) for lap in line.laps] == [
        (0, LapEnd.SKIP),
        (2, LapEnd.TIME),  # the run was skipped during the pause: it never ran
        (3, LapEnd.END),
    ]
    assert line.laps[0].end == at(40) and line.laps[1].start == at(40) and line.laps[1].timer_s == 60
    assert_consistent(line)


@pytest.mark.parametrize("paused_at_the_end", [False, True])
def test_an_early_finish_ends_the_last_lap_there(paused_at_the_end: bool) -> None:
    steps = [(K.STARTED, 0.0), (K.SKIPPED, 10.0)]
    steps += [(K.PAUSED, 100.0), (K.FINISHED, 130.0)] if paused_at_the_end else [(K.FINISHED, 100.0)]
    line = timeline(PROGRAM, log(*steps), at(LATER))
    end = 130 if paused_at_the_end else 100
    assert laps_as(line) == [(0, 0, 10, 10, LapEnd.SKIP), (1, 10, end, 90, LapEnd.END)]
    assert line.state.finished_early and line.end == at(end)
    assert line.timer_s == 100 and line.elapsed_s == end
    assert line.pauses == ((Pause(at(100), None),) if paused_at_the_end else ())
    assert_consistent(line)


def test_a_finish_on_a_segment_never_run_ends_the_last_lap_run() -> None:
    line = timeline(
        PROGRAM, log((K.STARTED, 0), (K.PAUSED, 30), (K.SKIPPED, 40), (K.FINISHED, 70)), at(LATER)
    )
    assert laps_as(line) == [(0, 0, 70, 30, LapEnd.END)]
    assert_consistent(line)


def test_a_skip_past_the_last_segment_ends_the_session() -> None:
    line = timeline(
        PROGRAM,
        log((K.STARTED, 0), (K.SKIPPED, 5), (K.SKIPPED, 6), (K.SKIPPED, 7), (K.SKIPPED, 9)),
        at(LATER),
    )
    assert [(lap.segment_index, lap.ended_by) for lap in line.laps] == [
        (0, LapEnd.SKIP),
        (1, LapEnd.SKIP),
        (2, LapEnd.SKIP),
        (3, LapEnd.END),
    ]
    assert line.end == at(9) and line.timer_s == 9
    assert_consistent(line)


def test_a_session_finished_before_its_start_never_ran() -> None:
    line = timeline(PROGRAM, log((K.FINISHED, 30)), at(LATER))
    assert line.state.is_final and not line.ran
    assert (line.start, line.end, line.laps, line.timer_s, line.elapsed_s) == (None, None, (), 0, 0)


def test_a_session_still_running_has_an_open_last_lap_up_to_now() -> None:
    line = timeline(PROGRAM, log((K.STARTED, 0)), at(100))
    assert laps_as(line) == [(0, 0, 60, 60, LapEnd.TIME), (1, 60, 100, 40, LapEnd.OPEN)]
    assert line.end is None and line.elapsed_s == 100
    assert_consistent(line)


@pytest.mark.parametrize("calibration", [0.9, 1.0, 1.07])
def test_the_belt_distance_is_the_console_speed_times_the_calibration(calibration: float) -> None:
    events = log((K.STARTED, 0), (K.PAUSED, 100), (K.RESUMED, 200), (K.FINISHED, 250))
    line = timeline(PROGRAM, events, at(LATER), calibration)
    assert line.distance_m == pytest.approx((metres(7, 60) + metres(10, 90)) * calibration)
    assert line.distance_m == pytest.approx(distance_run_m(PROGRAM, events, at(LATER), calibration))
    assert [lap.speed_kmh for lap in line.laps] == pytest.approx([7 * calibration, 10 * calibration])
    assert line.laps[1].avg_speed_kmh == pytest.approx(10 * calibration)
    assert line.max_speed_kmh == pytest.approx(10 * calibration)
    assert_consistent(line, calibration)


def test_a_stored_session_uses_the_calibration_of_its_console() -> None:
    def stored(console: Console | None) -> RunSession:
        events = tuple(log((K.STARTED, 0), (K.FINISHED, 60)))
        return RunSession(1, 1, 1, "Run", PROGRAM, "ABCDEFGH", T0, events, console=console)

    plain = session_timeline(stored(None), at(LATER))
    fast = session_timeline(stored(Console(calibration=1.1)), at(LATER))
    assert plain.distance_m == pytest.approx(metres(7, 60))
    assert fast.distance_m == pytest.approx(metres(7, 60) * 1.1) and fast.calibration == 1.1


@pytest.mark.parametrize(
    ("label", "intensity"),
    [
        (L.WARM_UP, Intensity.WARMUP),
        (L.COOL_DOWN, Intensity.COOLDOWN),
        (L.RECOVERY, Intensity.REST),
        (L.RUN, Intensity.ACTIVE),
        (L.INTERVAL, Intensity.ACTIVE),
        (L.HILL, Intensity.ACTIVE),
        (L.SPRINT, Intensity.ACTIVE),
    ],
)
def test_a_laps_intensity_follows_its_segment(label: SegmentLabel, intensity: Intensity) -> None:
    segment = Segment(label=label, duration_s=60, speed_kmh=9.0, incline_pct=0.0)
    (lap,) = timeline((segment,), log((K.STARTED, 0)), at(LATER)).laps
    assert isinstance(lap, Lap) and lap.intensity is intensity


def test_an_event_stamped_behind_an_earlier_one_counts_at_the_earlier_ones_time() -> None:
    """Another replica's clock a little behind: no stretch runs backwards, no second counts twice."""
    line = timeline(PROGRAM, log((K.STARTED, 50), (K.PAUSED, 45), (K.RESUMED, 60)), at(LATER))
    assert all(s.start <= s.end for s in line.stretches)
    assert line.pauses == (Pause(at(50), at(60)),)
    assert_consistent(line)


def test_the_trace_leaves_the_fold_as_it_was() -> None:
    events = log((K.STARTED, 0), (K.SKIPPED, 20), (K.PAUSED, 50), (K.WENT_BACK, 70), (K.RESUMED, 80))
    for now in (0, 30, 75, 100, 250, LATER):
        trace: Trace = []
        assert replay(PROGRAM, events, at(now), trace) == fold(PROGRAM, events, at(now))


# --------------------------------------------------------------------------- properties

durations = st.lists(st.integers(5, 300), min_size=1, max_size=6)
steps = st.lists(
    st.tuples(st.floats(0, 400, allow_nan=False, allow_infinity=False), st.sampled_from(Command)), max_size=20
)


def played(program: Sequence[Segment], commands: Sequence[tuple[float, Command]]) -> list[Event]:
    """An event log as the hub would store it: each command that fits the state, at its time."""
    events = [Event(1, K.CREATED, T0)]
    t = 0.0
    for gap, command in commands:
        t += gap
        try:
            kind = decide(fold(program, events, at(t)), command)
        except CommandConflict:
            continue
        events.append(Event(len(events) + 1, kind, at(t)))
    return events


@settings(max_examples=300, deadline=None)
@given(durations, steps, st.sampled_from([0.85, 1.0, 1.12]), st.floats(0, 3000))
def test_every_timeline_agrees_with_the_fold_and_its_laps_tile_the_run(
    lengths: list[int], commands: list[tuple[float, Command]], calibration: float, extra: float
) -> None:
    program = [
        Segment(label=L.RUN, duration_s=d, speed_kmh=8.0 + i, incline_pct=0.0) for i, d in enumerate(lengths)
    ]
    events = played(program, commands)
    now = events[-1].at + timedelta(seconds=extra)
    line = timeline(program, events, now, calibration)
    assert_consistent(line, calibration)
    pauses = sum(1 for e in events if e.kind is K.PAUSED)
    assert len(line.pauses) == pauses
    if line.state.is_final and line.ran:
        assert line.end is not None and line.elapsed_s == pytest.approx(sum(x.elapsed_s for x in line.laps))
