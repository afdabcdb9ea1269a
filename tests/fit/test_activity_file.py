"""FIT activity files of finished runs, decoded with Garmin's SDK and with fitdecode, against the source.

Every file a test here writes goes through `check`: both decoders read it whole (CRCs checked),
and what they read is compared with the session: a lap per segment run, the totals, a timer
event for every start, pause, resume and the end, a record every second while the belt ran.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fit_tool.utils.crc import crc16 as fit_tool_crc16
from hypothesis import given, settings
from hypothesis import strategies as st

from runcoach.domain.session import Event, EventKind, RunSession
from runcoach.domain.structure import Console, ConsoleUnit
from runcoach.domain.timeline import Timeline, session_timeline
from runcoach.domain.workouts import Segment, SegmentLabel
from runcoach.fit.activity_file import NotAnActivity, session_to_fit
from runcoach.fit.encoder import FIT_EPOCH, crc16, fit_seconds
from runcoach.fit.files import MAX_SERIAL, file_name, file_serial
from tests.fit.decoders import fitdecode_messages, garmin_messages

K = EventKind
L = SegmentLabel
T0 = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
LATER = timedelta(hours=6)
FIT_INTENSITY = {"warmup": "warmup", "cooldown": "cooldown", "rest": "rest", "active": "active"}

#: Warm-up, three reps of 2 min fast + 1 min recovery, cool-down: 15 minutes.
INTERVALS = (
    Segment(label=L.WARM_UP, duration_s=180, speed_kmh=8.0, incline_pct=1.0),
    *(
        Segment(label=label, duration_s=seconds, speed_kmh=speed, incline_pct=incline)
        for _ in range(3)
        for label, seconds, speed, incline in ((L.INTERVAL, 120, 13.0, 1.0), (L.RECOVERY, 60, 7.5, 0.5))
    ),
    Segment(label=L.COOL_DOWN, duration_s=180, speed_kmh=7.0, incline_pct=0.0),
)
FLAT = tuple(s.model_copy(update={"incline_pct": 0.0}) for s in INTERVALS)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def a_session(
    segments: Sequence[Segment], *steps: tuple[EventKind, float], calibration: float | None = None
) -> RunSession:
    events = tuple(
        Event(seq, kind, at(s)) for seq, (kind, s) in enumerate(((K.CREATED, -30.0), *steps), start=1)
    )
    console = None if calibration is None else Console(unit=ConsoleUnit.KMH, calibration=calibration)
    return RunSession(
        42, 7, 3, "Intervals 3 × 2 min", tuple(segments), "ABCDEFGH", at(-30), events, console=console
    )


def fit_time(seconds: float) -> int:
    """The FIT timestamp of `seconds` after T0."""
    return fit_seconds(at(seconds))


def check(
    session: RunSession, now: datetime | None = None
) -> tuple[dict[str, list[dict[str, Any]]], Timeline]:
    """Write the file, decode it with both decoders, and compare it with the session; returns Garmin's
    reading and the timeline for a test's own checks."""
    now = now or session.events[-1].at + LATER
    data = session_to_fit(session, now)
    messages = garmin_messages(data)
    line = session_timeline(session, now)
    state = session.state(now)
    calibration = session.console.calibration if session.console else 1.0

    (file_id,) = messages["file_id_mesgs"]
    assert file_id["type"] == "activity" and file_id["manufacturer"] == "development"
    assert file_id["serial_number"] == session.id
    (device,) = messages["device_info_mesgs"]
    assert device["product_name"] == "RunCoach" and device["device_index"] == "creator"

    # Laps: one per segment run, in order, with its time, distance, speed and intensity.
    laps = messages["lap_mesgs"]
    assert len(laps) == len(line.laps)
    for decoded, lap in zip(laps, line.laps, strict=True):
        segment = session.segments[lap.segment_index]
        assert decoded["total_timer_time"] == pytest.approx(lap.timer_s, abs=0.001)
        assert decoded["total_elapsed_time"] == pytest.approx(lap.elapsed_s, abs=0.001)
        assert decoded["total_distance"] == pytest.approx(lap.distance_m, abs=0.01)
        assert decoded["enhanced_avg_speed"] == pytest.approx(
            segment.speed_kmh * calibration / 3.6, abs=0.001
        )
        assert decoded["avg_grade"] == pytest.approx(segment.incline_pct)
        assert decoded["intensity"] == FIT_INTENSITY[lap.intensity.value]
        assert (decoded["sport"], decoded["sub_sport"]) == ("running", "treadmill")
    assert sum(lap["total_timer_time"] for lap in laps) == pytest.approx(state.elapsed_s, abs=0.05)

    # The session: running time as the screens showed it, distance as the belt ran it.
    (summary,) = messages["session_mesgs"]
    assert (summary["sport"], summary["sub_sport"]) == ("running", "treadmill")
    assert summary["total_timer_time"] == pytest.approx(state.elapsed_s, abs=1)
    belt_m = sum(
        s.seconds * session.segments[s.segment_index].speed_kmh * calibration / 3.6 for s in line.stretches
    )
    # Within 1 % (and FIT's centimetre, for a run of a few seconds).
    assert summary["total_distance"] == pytest.approx(belt_m, rel=0.01, abs=0.01)
    assert summary["total_distance"] == pytest.approx(state.distance_m * calibration, rel=0.01, abs=0.01)
    assert summary["total_elapsed_time"] == pytest.approx(line.elapsed_s, abs=1)
    assert summary["num_laps"] == len(laps)
    if state.elapsed_s:
        assert summary["enhanced_avg_speed"] == pytest.approx(belt_m / state.elapsed_s, abs=0.001)
    (activity,) = messages["activity_mesgs"]
    assert activity["num_sessions"] == 1
    assert activity["total_timer_time"] == pytest.approx(state.elapsed_s, abs=1)

    # Timer events: the start, every pause and resume, the end.
    timer = [(e["event_type"], e["timestamp"]) for e in messages["event_mesgs"] if e["event"] == "timer"]
    expected = [("start", line.start)]
    for pause in line.pauses:
        expected += [("stop_all", pause.start)] + ([("start", pause.end)] if pause.end else [])
    expected.append(("stop_all", line.end))
    assert timer == [(kind, fit_seconds(moment)) for kind, moment in expected]

    check_records(messages["record_mesgs"], line, session, calibration)
    check_fitdecode(data, messages)
    return messages, line


def check_records(
    records: list[dict[str, Any]], line: Timeline, session: RunSession, calibration: float
) -> None:
    """A record every second while running, none in a pause; distance as the belt ran it."""
    stamps = [r["timestamp"] for r in records]
    assert stamps == sorted(set(stamps)), "one record per second, in order"
    running = {
        second
        for s in line.stretches
        for second in range(
            int((s.start - FIT_EPOCH).total_seconds() + 0.999999),
            int((s.end - FIT_EPOCH).total_seconds()) + 1,
        )
    }
    assert running <= set(stamps), "a record every second while running"
    assert len(stamps) <= len(running) + len(line.pauses) + 1, "no records in the pauses"
    distances = [r["distance"] for r in records]
    assert distances == sorted(distances)
    assert distances[-1] == pytest.approx(line.distance_m, abs=0.01), "the last record carries the total"
    speeds = {round(s.speed_kmh * calibration / 3.6, 3) for s in session.segments}
    grades = {s.incline_pct for s in session.segments}
    assert all(round(r["enhanced_speed"], 3) in speeds and r["grade"] in grades for r in records)
    for record in records:  # the distance at each record is the belt's at that instant
        moment = FIT_EPOCH + timedelta(seconds=record["timestamp"])
        assert record["distance"] == pytest.approx(distance_at(line, moment), abs=0.02)


def distance_at(line: Timeline, moment: datetime) -> float:
    covered = 0.0
    for s in line.stretches:
        if moment <= s.start:
            break
        covered = s.distance_before_m + min((moment - s.start).total_seconds(), s.seconds) * s.speed_kmh / 3.6
    return covered


def check_fitdecode(data: bytes, garmin: dict[str, list[dict[str, Any]]]) -> None:
    """fitdecode reads the same messages, with the same laps and totals."""
    frames = fitdecode_messages(data)
    by_name: dict[str, list[Any]] = {}
    for frame in frames:
        by_name.setdefault(frame.name, []).append(frame)
    assert len(by_name["record"]) == len(garmin["record_mesgs"])
    assert len(by_name["lap"]) == len(garmin["lap_mesgs"])
    assert len(by_name["event"]) == len(garmin["event_mesgs"])
    for frame, lap in zip(by_name["lap"], garmin["lap_mesgs"], strict=True):
        assert frame.get_value("total_timer_time") == pytest.approx(lap["total_timer_time"])
        assert frame.get_value("total_distance") == pytest.approx(lap["total_distance"])
    (session,) = by_name["session"]
    (summary,) = garmin["session_mesgs"]
    assert session.get_value("total_distance") == pytest.approx(summary["total_distance"])
    assert session.get_value("sub_sport") == "treadmill"
    assert [r.get_value("distance") for r in by_name["record"]] == pytest.approx(
        [r["distance"] for r in garmin["record_mesgs"]]
    )


# --------------------------------------------------------------------------- cases


def test_a_run_played_to_its_end_has_a_lap_per_segment() -> None:
    messages, _ = check(a_session(INTERVALS, (K.STARTED, 0)))
    assert len(messages["lap_mesgs"]) == len(INTERVALS)
    assert [lap["total_timer_time"] for lap in messages["lap_mesgs"]] == [s.duration_s for s in INTERVALS]
    assert [lap["intensity"] for lap in messages["lap_mesgs"]] == [
        "warmup", "active", "rest", "active", "rest", "active", "rest", "cooldown",
    ]  # fmt: skip
    assert [lap["lap_trigger"] for lap in messages["lap_mesgs"]][-2:] == ["time", "session_end"]
    assert len(messages["record_mesgs"]) == 15 * 60 + 1  # 0 s to 900 s, both ends
    assert messages["session_mesgs"][0]["total_timer_time"] == 900


def test_pauses_skips_and_a_back_give_timer_events_and_laps_where_they_happened() -> None:
    session = a_session(
        INTERVALS,
        (K.STARTED, 0),
        (K.PAUSED, 100),
        (K.RESUMED, 160),  # a minute's pause in the warm-up
        (K.SKIPPED, 200),  # the rest of the warm-up skipped
        (K.WENT_BACK, 230),  # back to the warm-up after 30 s of the first rep
        (K.PAUSED, 300),
        (K.SKIPPED, 320),  # skipped during a pause
        (K.RESUMED, 330),
        (K.FINISHED, 400),
    )
    messages, line = check(session)
    assert [lap.segment_index for lap in line.laps] == [0, 1, 0, 1]
    assert [lap["lap_trigger"] for lap in messages["lap_mesgs"]] == [
        "manual",
        "manual",
        "manual",
        "session_end",
    ]
    assert [lap["total_timer_time"] for lap in messages["lap_mesgs"]] == [140, 30, 70, 70]
    assert [lap["total_elapsed_time"] for lap in messages["lap_mesgs"]] == [200, 30, 90, 80]
    # No records while paused: 100 s to 160 s and 300 s to 330 s.
    stamps = {r["timestamp"] for r in messages["record_mesgs"]}
    assert not stamps & {fit_time(s) for s in (*range(101, 160), *range(301, 330))}
    assert messages["session_mesgs"][0]["total_elapsed_time"] == 400
    assert messages["session_mesgs"][0]["total_timer_time"] == 310


def test_a_run_finished_early_ends_its_last_lap_at_the_finish() -> None:
    messages, line = check(a_session(INTERVALS, (K.STARTED, 0), (K.FINISHED, 250)))
    assert [lap["total_timer_time"] for lap in messages["lap_mesgs"]] == [180, 70]
    assert messages["lap_mesgs"][-1]["timestamp"] == fit_time(250)
    assert line.state.finished_early
    assert messages["record_mesgs"][-1]["timestamp"] == fit_time(250)


def test_a_run_finished_while_paused_counts_the_pause_in_elapsed_time_only() -> None:
    messages, _ = check(a_session(INTERVALS, (K.STARTED, 0), (K.PAUSED, 90), (K.FINISHED, 150)))
    (summary,) = messages["session_mesgs"]
    assert (summary["total_timer_time"], summary["total_elapsed_time"]) == (90, 150)
    timer = [e["event_type"] for e in messages["event_mesgs"] if e["event"] == "timer"]
    assert timer == ["start", "stop_all", "stop_all"]  # the pause, then the end


def test_zero_incline_is_a_zero_grade() -> None:
    messages, _ = check(a_session(FLAT, (K.STARTED, 0), (K.SKIPPED, 30), (K.FINISHED, 200)))
    assert {r["grade"] for r in messages["record_mesgs"]} == {0.0}
    assert {lap["avg_grade"] for lap in messages["lap_mesgs"]} == {0.0}


@pytest.mark.parametrize("calibration", [0.92, 1.08])
def test_the_belt_speed_and_distance_carry_the_calibration(calibration: float) -> None:
    messages, _ = check(a_session(INTERVALS, (K.STARTED, 0), (K.FINISHED, 300), calibration=calibration))
    first = messages["lap_mesgs"][0]
    assert first["total_distance"] == pytest.approx(8.0 * calibration / 3.6 * 180, abs=0.01)
    assert messages["record_mesgs"][1]["enhanced_speed"] == pytest.approx(8.0 * calibration / 3.6, abs=0.001)
    expected = (8.0 * 180 + 13.0 * 120) * calibration / 3.6
    assert messages["session_mesgs"][0]["total_distance"] == pytest.approx(expected, rel=0.001)


def test_times_between_whole_seconds_keep_a_record_per_second_and_the_exact_totals() -> None:
    """The app's clock has microseconds: a record each whole second, one at each spell's end."""
    session = a_session(
        INTERVALS,
        (K.STARTED, 0.37),
        (K.PAUSED, 75.81),
        (K.RESUMED, 76.02),  # a pause of a fifth of a second
        (K.PAUSED, 120.5),
        (K.RESUMED, 140.25),
        (K.SKIPPED, 301.9),
        (K.FINISHED, 333.333),
    )
    messages, line = check(session)
    assert messages["lap_mesgs"][0]["total_timer_time"] == pytest.approx(180.0, abs=0.001)
    assert messages["session_mesgs"][0]["total_timer_time"] == pytest.approx(line.timer_s, abs=0.001)


def test_the_same_session_writes_the_same_file() -> None:
    """A second download is the same activity (Garmin Connect sees a duplicate, not a new run)."""
    session = a_session(INTERVALS, (K.STARTED, 0), (K.PAUSED, 50), (K.RESUMED, 70), (K.FINISHED, 300))
    first = session_to_fit(session, at(1000))
    assert first == session_to_fit(session, at(99_999))
    check(session, at(1000))  # the same bytes: decoded by both decoders there


def test_the_activitys_local_time_is_the_runners() -> None:
    session = a_session(INTERVALS, (K.STARTED, 0), (K.FINISHED, 300))
    data = session_to_fit(session, at(1000), zone=ZoneInfo("America/New_York"))
    assert fitdecode_messages(data)
    (activity,) = garmin_messages(data)["activity_mesgs"]
    assert activity["local_timestamp"] == activity["timestamp"] - 5 * 3600  # EST in March


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param([], id="created"),
        pytest.param([(K.STARTED, 0)], id="running"),
        pytest.param([(K.STARTED, 0), (K.PAUSED, 10)], id="paused"),
        pytest.param([(K.FINISHED, 10)], id="finished-before-its-start"),
    ],
)
def test_a_session_not_ended_or_never_run_is_not_an_activity(steps: list[tuple[EventKind, float]]) -> None:
    with pytest.raises(NotAnActivity):
        session_to_fit(a_session(INTERVALS, *steps), at(60))


def two_hours(laps: int = 40) -> RunSession:
    """A two-hour run of `laps` three-minute segments with inclines, played to its end."""
    labels = [L.WARM_UP, *([L.INTERVAL, L.RECOVERY] * ((laps - 2) // 2)), L.COOL_DOWN]
    segments = tuple(
        Segment(label=label, duration_s=7200 // laps, speed_kmh=9.0 + i % 4, incline_pct=(i % 5) * 0.5)
        for i, label in enumerate(labels)
    )
    return a_session(segments, (K.STARTED, 0), calibration=1.03)


def test_a_two_hour_run_has_7200_seconds_of_records_and_40_laps_in_one_file() -> None:
    # How fast it is written is benchmarks/fit.py's to say; here: what is written, and always the same.
    session = two_hours()
    data = session_to_fit(session, at(8000))
    messages, _ = check(session, at(8000))  # writes the same bytes again, and decodes them
    assert session_to_fit(session, at(8000)) == data
    assert len(messages["lap_mesgs"]) == 40 and len(messages["record_mesgs"]) == 7201
    assert len(data) < 120_000


# --------------------------------------------------------------------------- properties

commands = st.lists(
    st.tuples(
        st.floats(0.0, 200.0, allow_nan=False, allow_infinity=False),
        st.sampled_from([K.PAUSED, K.RESUMED, K.SKIPPED, K.WENT_BACK]),
    ),
    max_size=8,
)


def valid_log(raw: list[tuple[float, EventKind]], finish_after: float) -> list[tuple[EventKind, float]]:
    """Start at 0, then the raw events that fit (pause only while running, resume only while paused),
    then a finish."""
    steps: list[tuple[EventKind, float]] = [(K.STARTED, 0.0)]
    t, paused = 0.0, False
    for gap, kind in raw:
        if (kind is K.PAUSED and paused) or (kind is K.RESUMED and not paused):
            continue
        t += gap
        paused = {K.PAUSED: True, K.RESUMED: False}.get(kind, paused)
        steps.append((kind, t))
    return [*steps, (K.FINISHED, t + finish_after)]


@settings(max_examples=25, deadline=None)
@given(commands, st.floats(0.5, 300.0), st.sampled_from([None, 0.9, 1.1]))
def test_any_finished_run_decodes_cleanly_and_matches_its_session(
    raw: list[tuple[float, EventKind]], finish_after: float, calibration: float | None
) -> None:
    session = a_session(INTERVALS, *valid_log(raw, finish_after), calibration=calibration)
    if session_timeline(session, at(100_000)).ran:
        check(session, at(100_000))


# --------------------------------------------------------------------------- small parts


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Intervals 3 × 2 min", "intervals-3-x-2-min.fit"),
        ("30-min Easy run", "30-min-easy-run.fit"),
        ("Läufchen über die Brücke", "laufchen-uber-die-brucke.fit"),
        ('../../etc/passwd"; rm -rf', "etc-passwd-rm-rf.fit"),
        ("持久跑", "run.fit"),
        ("x" * 200, f"{'x' * 60}.fit"),
    ],
)
def test_file_names_are_the_name_in_safe_characters(name: str, expected: str) -> None:
    assert file_name(name, "run") == expected


@given(st.binary(max_size=300), st.integers(0, 0xFFFF))
def test_the_crc_is_fits(data: bytes, start: int) -> None:
    assert crc16(data, start) == fit_tool_crc16(data, start)


@pytest.mark.parametrize(
    ("number", "serial"),
    [
        (1, 1),
        (2**31 - 1, 2**31 - 1),
        (MAX_SERIAL, MAX_SERIAL),
        (MAX_SERIAL + 1, 1),
        ((2**31 - 1) * 1000 + 999, None),
    ],
)
def test_serial_numbers_stay_inside_fits_range(number: int, serial: int | None) -> None:
    # A planned day's serial is the plan's id × 1000 + its day: past 2**32 for plan ids a database allows.
    folded = file_serial(number)
    assert 1 <= folded <= MAX_SERIAL and (serial is None or folded == serial)
