"""The distance a session covered and the recent weekly volume: scenarios and a property."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runcoach.domain.session import Event, EventKind, RunSession, fold
from runcoach.domain.volume import current_weekly_km, distance_run_m, recent_weekly_km, weekly_km_ran
from runcoach.domain.workouts import Segment, SegmentLabel

K = EventKind
T0 = datetime(2026, 11, 1, 7, 0, tzinfo=UTC)


def seg(duration_s: int, speed: float) -> Segment:
    return Segment(label=SegmentLabel.RUN, duration_s=duration_s, speed_kmh=speed, incline_pct=0.0)


#: 60 s at 7 km/h, 120 s at 10 km/h, 60 s at 6.5 km/h.
PROGRAM = (seg(60, 7.0), seg(120, 10.0), seg(60, 6.5))


def log(*steps: tuple[EventKind, float]) -> list[Event]:
    return [Event(seq, kind, T0 + timedelta(seconds=s)) for seq, (kind, s) in enumerate(steps, start=1)]


def m(*pairs: tuple[float, float]) -> float:
    """Metres for (seconds, km/h) stretches."""
    return sum(seconds * kmh / 3.6 for seconds, kmh in pairs)


@pytest.mark.parametrize(
    ("events", "now_s", "expected"),
    [
        pytest.param(log((K.CREATED, 0)), 500, 0.0, id="never started"),
        pytest.param(
            log((K.CREATED, 0), (K.STARTED, 0)), 240, m((60, 7), (120, 10), (60, 6.5)), id="in full"
        ),
        pytest.param(
            log((K.CREATED, 0), (K.STARTED, 0)),
            9999,
            m((60, 7), (120, 10), (60, 6.5)),
            id="time stops at end",
        ),
        pytest.param(log((K.CREATED, 0), (K.STARTED, 0)), 90, m((60, 7), (30, 10)), id="still running"),
        pytest.param(
            log((K.CREATED, 0), (K.STARTED, 0), (K.PAUSED, 30), (K.RESUMED, 100), (K.FINISHED, 130)),
            500,
            m((60, 7)),
            id="a pause covers no ground",
        ),
        pytest.param(
            log((K.CREATED, 0), (K.STARTED, 0), (K.SKIPPED, 10)), 70, m((10, 7), (60, 10)), id="a skip jumps"
        ),
        pytest.param(
            log((K.CREATED, 0), (K.STARTED, 0), (K.WENT_BACK, 70), (K.FINISHED, 100)),
            500,
            m((60, 7), (10, 10), (30, 7)),
            id="a segment run again counts again",
        ),
    ],
)
def test_distance_run(events: list[Event], now_s: float, expected: float) -> None:
    assert distance_run_m(PROGRAM, events, T0 + timedelta(seconds=now_s)) == pytest.approx(expected)


STEPS = st.lists(
    st.tuples(st.sampled_from([K.PAUSED, K.RESUMED, K.SKIPPED, K.WENT_BACK, K.FINISHED]), st.integers(0, 90)),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(steps=STEPS, speed=st.floats(3.0, 20.0), tail=st.integers(0, 400))
def test_at_one_speed_the_distance_is_speed_times_running_time(
    steps: list[tuple[EventKind, int]], speed: float, tail: int
) -> None:
    program = (seg(60, speed), seg(120, speed), seg(60, speed))
    clock, timeline = 0, [(K.CREATED, 0), (K.STARTED, 0)]
    for kind, gap in steps:
        clock += gap
        timeline.append((kind, clock))
    events = log(*timeline)
    now = T0 + timedelta(seconds=clock + tail)
    elapsed = fold(program, events, now).elapsed_s
    assert distance_run_m(program, events, now) == pytest.approx(speed / 3.6 * elapsed, abs=1e-6)


def test_the_belt_runs_calibration_times_the_console_speed() -> None:
    events, now = log((K.CREATED, 0), (K.STARTED, 0)), T0 + timedelta(seconds=240)
    console = distance_run_m(PROGRAM, events, now)
    assert distance_run_m(PROGRAM, events, now, calibration=1.1) == pytest.approx(console * 1.1)


def test_only_completed_sessions_count_towards_the_recent_volume() -> None:
    def session(id_: int, events: list[Event]) -> RunSession:
        return RunSession(
            id=id_, owner_id=1, workout_id=1, name="run", segments=PROGRAM, pair_code="X", created_at=T0,
            events=tuple(events),
        )  # fmt: skip

    done = session(1, log((K.CREATED, 0), (K.STARTED, 0)))
    finished = session(2, log((K.CREATED, 0), (K.STARTED, 0), (K.FINISHED, 60)))
    running = session(3, log((K.CREATED, 0), (K.STARTED, 0)))
    now = T0 + timedelta(seconds=240)
    later_start = session(4, log((K.CREATED, 0), (K.STARTED, 200)))  # 40 s in: still running
    full, first = m((60, 7), (120, 10), (60, 6.5)), m((60, 7))
    assert recent_weekly_km([done, finished, later_start], now) == pytest.approx((full + first) / 4000)
    assert recent_weekly_km([running], now - timedelta(seconds=1)) == 0.0


def test_weekly_km_is_the_average_of_the_window() -> None:
    assert weekly_km_ran([10_000, 12_000, 18_000]) == pytest.approx(10.0)
    assert weekly_km_ran([]) == 0.0
    assert weekly_km_ran([7_000], weeks=1) == pytest.approx(7.0)


@pytest.mark.parametrize(
    ("profile_km", "ran_km", "expected"), [(30, 12, 30), (10, 24.5, 24.5), (0, 0, 0), (250, 400, 300)]
)
def test_the_current_volume_is_the_larger_within_the_model_range(
    profile_km: float, ran_km: float, expected: float
) -> None:
    assert current_weekly_km(profile_km, ran_km) == expected
