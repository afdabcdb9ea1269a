"""How a live session reads: units, clocks, labels, the spoken cue and the data live.js starts from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from runcoach.domain.accounts import Units
from runcoach.domain.session import Command, Event, EventKind, SessionState, Status, fold
from runcoach.domain.structure import KMH_PER_MPH, Console, ConsoleUnit
from runcoach.domain.workouts import Segment, SegmentLabel
from runcoach.live import present

T0 = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
KM, MI = Units.METRIC, Units.IMPERIAL


def seg(label: SegmentLabel, duration_s: int, speed: float, incline: float = 0.0) -> Segment:
    return Segment(label=label, duration_s=duration_s, speed_kmh=speed, incline_pct=incline)


PROGRAM = (
    seg(SegmentLabel.WARM_UP, 300, 8.0, 1.0),
    seg(SegmentLabel.INTERVAL, 120, 12.0, 2.0),
    seg(SegmentLabel.RECOVERY, 90, 7.5),
    seg(SegmentLabel.SPRINT, 5, 16.0, 0.5),
    seg(SegmentLabel.COOL_DOWN, 240, 6.5),
)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("kmh", "units", "text"),
    [
        (12.0, KM, "12.0 km/h"),
        (12.0, MI, "7.5 mph"),
        (10.0, MI, "6.2 mph"),
        (16.09344, MI, "10.0 mph"),
        (0.0, KM, "0.0 km/h"),
    ],
)
def test_speed_shows_in_the_runners_unit_to_a_tenth(kmh: float, units: Units, text: str) -> None:
    assert present.speed_text(kmh, units) == text


@pytest.mark.parametrize(
    ("kmh", "units", "text"),
    [
        (12.0, KM, "5:00 min/km"),
        (10.0, KM, "6:00 min/km"),
        (12.0, MI, "8:03 min/mi"),
        (9.656064, MI, "10:00 min/mi"),
        (0.0, KM, "–"),
        (None, MI, "–"),
    ],
)
def test_pace_is_per_km_or_per_mile(kmh: float | None, units: Units, text: str) -> None:
    assert present.pace_text(kmh, units) == text


@pytest.mark.parametrize(
    ("value", "expected"), [("imperial", MI), ("metric", KM), (None, KM), ("", KM), ("furlongs", KM)]
)
def test_unknown_units_read_as_metric(value: str | None, expected: Units) -> None:
    assert present.units_of(value) is expected


@pytest.mark.parametrize(
    ("seconds", "elapsed", "left"),
    [
        (0, "0:00", "0:00"),
        (59.9, "0:59", "1:00"),
        (60, "1:00", "1:00"),
        (0.2, "0:00", "0:01"),
        (3725, "1:02:05", "1:02:05"),
    ],
)
def test_elapsed_counts_whole_seconds_and_time_left_rounds_up(
    seconds: float, elapsed: str, left: str
) -> None:
    assert present.elapsed_clock(seconds) == elapsed
    assert present.countdown(seconds) == left


@pytest.mark.parametrize(
    ("following", "units", "line"),
    [
        (seg(SegmentLabel.INTERVAL, 120, 12.0, 2.0), KM, "Next: 2 minutes at 12 km/h, incline 2 percent"),
        (
            seg(SegmentLabel.RUN, 90, 10.5, 1.5),
            KM,
            "Next: 1 minute 30 seconds at 10.5 km/h, incline 1.5 percent",
        ),
        (seg(SegmentLabel.SPRINT, 45, 16.0), KM, "Next: 45 seconds at 16 km/h, flat"),
        (seg(SegmentLabel.INTERVAL, 60, 12.0, 2.0), MI, "Next: 1 minute at 7.5 mph, incline 2 percent"),
        (None, KM, "Last seconds: finish strong"),
    ],
)
def test_the_spoken_cue_names_duration_speed_and_incline(
    following: Segment | None, units: Units, line: str
) -> None:
    assert present.cue_line(following, units) == line


def test_each_segment_announces_the_next_one_unless_it_is_too_short_to_speak() -> None:
    lines = present.cue_lines(PROGRAM, KM)
    assert lines[0] == "Next: 2 minutes at 12 km/h, incline 2 percent"
    assert lines[2] == "Next: 5 seconds at 16 km/h, incline 0.5 percent"
    assert lines[3] == ""  # a 5-second sprint: beeps only
    assert lines[4] == "Last seconds: finish strong"


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(120, "2 minutes"), (60, "1 minute"), (90, "1 minute 30 seconds"), (1, "1 second"), (0, "0 seconds")],
)
def test_durations_are_said_in_words(seconds: int, words: str) -> None:
    assert present.duration_words(seconds) == words


def test_labels_follow_the_state_in_the_runners_units() -> None:
    state = fold(PROGRAM, [Event(1, EventKind.CREATED, T0), Event(2, EventKind.STARTED, T0)], at(310))
    texts = present.live_texts(state, MI)
    assert texts == {
        "status": "Running",
        "segment": "Interval",
        "speed": "7.5 mph",
        "pace": "8:03 min/mi",
        "incline": "2.0 %",
        "next": "Recovery · 1:30 · 4.7\u00a0mph · 0.0\u00a0%",
        "progress": "Segment 2 of 5",
    }


KMH_CONSOLE, MPH_CONSOLE = Console(unit=ConsoleUnit.KMH), Console(unit=ConsoleUnit.MPH)
FAST_BELT = Console(unit=ConsoleUnit.KMH, calibration=1.05)  # the belt runs 5 % faster than it says


@pytest.mark.parametrize(
    ("console", "units", "speed", "pace", "next_speed"),
    [
        # The console reads as it is built, whatever the runner's units; the pace is the runner's.
        (KMH_CONSOLE, KM, "12.0 km/h", "5:00 min/km", "7.5\u00a0km/h"),
        (MPH_CONSOLE, KM, "7.5 mph", "5:00 min/km", "4.7\u00a0mph"),
        (KMH_CONSOLE, MI, "12.0 km/h", "8:03 min/mi", "7.5\u00a0km/h"),
        # 12.0 on the console is 12.6 km/h on this belt: a faster pace than the console says.
        (FAST_BELT, KM, "12.0 km/h", "4:46 min/km", "7.5\u00a0km/h"),
        (Console(unit=ConsoleUnit.MPH, calibration=1.05), MI, "7.5 mph", "7:40 min/mi", "4.7\u00a0mph"),
        # No console known (no profile when the session was made): the runner's units, taken as true.
        (None, KM, "12.0 km/h", "5:00 min/km", "7.5\u00a0km/h"),
        (None, MI, "7.5 mph", "8:03 min/mi", "4.7\u00a0mph"),
    ],
)
def test_the_big_speed_is_the_number_to_press_and_the_pace_is_the_belts(
    console: Console | None, units: Units, speed: str, pace: str, next_speed: str
) -> None:
    state = fold(PROGRAM, [Event(1, EventKind.CREATED, T0), Event(2, EventKind.STARTED, T0)], at(310))
    texts = present.live_texts(state, units, console)
    assert (texts["speed"], texts["pace"]) == (speed, pace)
    assert texts["next"] == f"Recovery · 1:30 · {next_speed} · 0.0\u00a0%"


@pytest.mark.parametrize(
    ("console", "kmh", "pressed"),
    [
        (MPH_CONSOLE, 7.5 * KMH_PER_MPH, "7.5 mph"),  # a speed compiled on the 0.1 mph grid reads exact
        (MPH_CONSOLE, 10.0, "6.2 mph"),
        (KMH_CONSOLE, 12.34, "12.3 km/h"),
        (FAST_BELT, 10.0, "10.0 km/h"),  # the calibration moves the pace, never the number to press
    ],
)
def test_the_console_number_reads_to_the_tenth_in_its_unit(
    console: Console, kmh: float, pressed: str
) -> None:
    assert present.console_speed_text(kmh, console) == pressed


def test_the_cue_says_the_next_number_to_press_in_the_consoles_unit() -> None:
    following = seg(SegmentLabel.INTERVAL, 60, 12.0, 2.0)
    assert present.cue_line(following, KM, MPH_CONSOLE) == "Next: 1 minute at 7.5 mph, incline 2 percent"
    assert present.cue_line(following, MI, FAST_BELT) == "Next: 1 minute at 12 km/h, incline 2 percent"
    data = present.view_data(PROGRAM, {}, KM, cues=True, wake_lock=False, console=MPH_CONSOLE)
    assert data["cues"][1] == "Next: 1 minute 30 seconds at 4.7 mph, flat"


@pytest.mark.parametrize(
    ("events", "status", "buttons"),
    [
        ([], "Ready", {Command.START, Command.FINISH}),
        ([EventKind.STARTED], "Running", {Command.PAUSE, Command.SKIP, Command.BACK, Command.FINISH}),
        (
            [EventKind.STARTED, EventKind.PAUSED],
            "Paused",
            {Command.RESUME, Command.SKIP, Command.BACK, Command.FINISH},
        ),
        ([EventKind.STARTED, EventKind.FINISHED], "Finished\u00a0early", set()),
    ],
)
def test_status_text_and_buttons_by_status(
    events: list[EventKind], status: str, buttons: set[Command]
) -> None:
    log = [Event(1, EventKind.CREATED, T0), *(Event(i, k, at(i)) for i, k in enumerate(events, start=2))]
    state = fold(PROGRAM, log, at(30))
    assert present.live_texts(state, KM)["status"] == status
    assert present.AVAILABLE[state.status] == buttons


def ended(*steps: tuple[EventKind, float], now_s: float = 5000) -> SessionState:
    """PROGRAM (5 segments, 12:35) after these events, started at T0."""
    events = [Event(1, EventKind.CREATED, T0), Event(2, EventKind.STARTED, T0)]
    events += [Event(seq, kind, at(s)) for seq, (kind, s) in enumerate(steps, start=3)]
    return fold(PROGRAM, events, at(now_s))


#: How each ending reads: status, title, progress, the done message, the sessions-list summary.
ENDINGS: dict[str, tuple[SessionState, tuple[str, str, str, str, str]]] = {
    "finished after 11 s": (
        ended((EventKind.FINISHED, 11)),
        (
            "Finished\u00a0early",  # a no-break space: the pill never wraps between its words
            "Workout ended",
            "0 of 5 segments",
            "Finished early: 0 of 5 segments, 0:11 of 12:35",
            "Finished early: 0 of 5 segments, 0:11 of 12:35",
        ),
    ),
    "finished while paused in the second segment": (
        ended((EventKind.PAUSED, 400), (EventKind.FINISHED, 900)),
        (
            "Finished\u00a0early",  # a no-break space: the pill never wraps between its words
            "Workout ended",
            "1 of 5 segments",
            "Finished early: 1 of 5 segments, 6:40 of 12:35",
            "Finished early: 1 of 5 segments, 6:40 of 12:35",
        ),
    ),
    "skipped off the end of the last segment": (
        ended((EventKind.SKIPPED, 700)),
        (
            "Finished\u00a0early",  # a no-break space: the pill never wraps between its words
            "Workout ended",
            "4 of 5 segments",
            "Finished early: 4 of 5 segments, 11:40 of 12:35",
            "Finished early: 4 of 5 segments, 11:40 of 12:35",
        ),
    ),
    "played to the end after a skip": (
        ended((EventKind.SKIPPED, 10)),
        (
            "Completed",
            "Workout complete",
            "4 of 5 segments",
            "Done: 4 of 5 segments, 7:45 of 12:35",
            "7:45 of 12:35 · 4 of 5 segments",
        ),
    ),
    "played in full": (
        ended(),
        (
            "Completed",
            "Workout complete",
            "All 5 segments",
            "Done: well run!",
            "12:35 of 12:35 · All 5 segments",
        ),
    ),
    "running": (
        ended(now_s=310),
        (
            "Running",
            "Interval",
            "Segment 2 of 5",
            "Recovery · 1:30 · 7.5\u00a0km/h · 0.0\u00a0%",
            "5:10 of 12:35 · Segment 2 of 5",
        ),
    ),
}


@pytest.mark.parametrize(("state", "expected"), list(ENDINGS.values()), ids=list(ENDINGS))
def test_a_finished_session_says_how_far_it_got(
    state: SessionState, expected: tuple[str, str, str, str, str]
) -> None:
    texts = present.live_texts(state, KM)
    shown = (texts["status"], texts["segment"], texts["progress"], texts["next"], present.summary_text(state))
    assert shown == expected
    if state.is_final:
        assert (texts["speed"], texts["incline"]) == ("–", "–")


@pytest.mark.parametrize(
    ("state", "position_s"),
    [
        (ended((EventKind.FINISHED, 11)), 11),
        (ended((EventKind.SKIPPED, 10), (EventKind.FINISHED, 40)), 330),
        (ended((EventKind.SKIPPED, 700)), 515 + 185),
        (ended((EventKind.SKIPPED, 10)), 755),
        (ended(), 755),
    ],
    ids=[
        "finished after 11 s",
        "finished after a skip",
        "skipped off the end",
        "end after a skip",
        "in full",
    ],
)
def test_the_chart_marker_stands_where_the_run_stopped(state: SessionState, position_s: float) -> None:
    assert present.program_position_s(PROGRAM, state) == pytest.approx(position_s)
    line = present.live_chart(PROGRAM, KM, present.program_position_s(PROGRAM, state))
    assert line["series"][0]["markLine"]["data"] == [{"xAxis": round(position_s / 60, 3)}]


def test_the_last_segment_has_no_next() -> None:
    state = fold(PROGRAM, [Event(1, EventKind.CREATED, T0), Event(2, EventKind.STARTED, T0)], at(520))
    assert state.segment_index == 4
    assert present.next_text(state, KM) == "Last segment"


@pytest.mark.parametrize(
    ("typed", "clean", "shown"),
    [("abcd-efgh", "ABCDEFGH", "ABCD-EFGH"), (" ABCD EFGH ", "ABCDEFGH", "ABCD-EFGH"), ("abc", "ABC", "ABC")],
)
def test_pairing_codes_are_typed_loosely_and_shown_in_two_halves(typed: str, clean: str, shown: str) -> None:
    assert present.clean_pair_code(typed) == clean
    assert present.pair_code_text(typed) == shown


def test_the_pairing_link_is_absolute() -> None:
    assert present.pair_url("http://tablet.local:8080/", "abcd-efgh") == "http://tablet.local:8080/r/ABCDEFGH"


def test_the_chart_is_in_the_runners_units_with_a_line_at_the_position() -> None:
    options = present.live_chart(PROGRAM, MI, 450)
    speed, incline = options["series"]
    assert speed["name"] == "Speed mph" and options["yAxis"][0]["name"] == "mph"
    columns = options["dataset"]["source"]
    assert speed["encode"] == {"x": "minute", "y": "speed"} and incline["encode"] == {
        "x": "minute",
        "y": "incline",
    }
    assert (columns["minute"][1], columns["speed"][1]) == (5.0, 7.5)  # 12 km/h from minute 5
    assert speed["markLine"]["data"] == [{"xAxis": 7.5}]
    assert columns["incline"][1] == 2.0
    assert len(columns["minute"]) == len(columns["speed"]) == len(columns["incline"]) == len(PROGRAM) + 1
    assert "data" not in speed and "data" not in incline  # the points are the dataset's, once
    assert options["legend"]["data"] == ["Speed mph", "Incline %"]


def test_the_position_in_the_program_follows_skips_not_elapsed_time() -> None:
    log = [
        Event(1, EventKind.CREATED, T0),
        Event(2, EventKind.STARTED, T0),
        Event(3, EventKind.SKIPPED, at(10)),
    ]
    state = fold(PROGRAM, log, at(40))
    assert state.elapsed_s == pytest.approx(40)
    assert present.program_position_s(PROGRAM, state) == pytest.approx(300 + 30)


def test_the_view_data_carries_the_snapshot_and_the_programs_facts() -> None:
    snapshot = {"id": 7, "seq": 2, "status": "running"}
    data = present.view_data(PROGRAM, snapshot, KM, cues=True, wake_lock=True, chart_id=12)
    assert data["state"] is snapshot
    assert data["durations"] == [300, 120, 90, 5, 240]
    assert data["offsets"] == [0, 300, 420, 510, 515]
    assert data["cues"][1] == "Next: 1 minute 30 seconds at 7.5 km/h, flat"
    assert (data["beeps"], data["wake_lock"], data["chart_id"]) == (True, True, 12)
    quiet = present.view_data(PROGRAM, snapshot, KM, cues=False, wake_lock=False)
    assert quiet["cues"] == [] and quiet["beeps"] is False


@pytest.mark.parametrize("kind", list(EventKind))
def test_every_event_has_words(kind: EventKind) -> None:
    assert present.event_text(kind)


@pytest.mark.parametrize("status", list(Status))
def test_every_status_has_words_and_buttons(status: Status) -> None:
    assert present.status_text(status) in {"Ready", "Running", "Paused", "Completed"}
    assert status in present.AVAILABLE
