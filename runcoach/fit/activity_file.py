"""A finished run session as a Garmin FIT activity file: a lap per segment run, a record per second.

Pure (no database, no clock): the session and `now` in, bytes out. What the file says comes from
the session's timeline (`runcoach.domain.timeline`), which is the fold's own account of the run:

- file id (type activity, manufacturer development) and device info (the creator, "RunCoach");
- timer events: start at the first start, stop_all at each pause, start at each resume, stop_all
  at the end;
- a record every whole second while the belt ran (timestamp, cumulative distance, speed, grade =
  the incline), and one at the end of each running spell, so the last record carries the total;
- a lap per segment as actually run (start, end, timer and elapsed time, distance, average and
  maximum speed, grade, intensity by the segment's kind, what triggered it), written when it ends;
- a session (running on a treadmill; timer time = the session's running time, elapsed time with
  the pauses, distance, average and maximum speed) and the activity.

Speeds and distances are the belt's: the segment's console speed times the calibration.
Messages go out in time order, so a reader that replays the file sees the run as it happened.
The file is the same for the same session: its serial number is the session's id and its
creation time the run's end, so a second download is the same activity, not a new one.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo

from fit_tool.data_message import DataMessage
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.device_info_message import DeviceInfoMessage
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.lap_message import LapMessage
from fit_tool.profile.messages.record_message import (
    RecordDistanceField,
    RecordGradeField,
    RecordMessage,
    RecordSpeedField,
)
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import (
    Activity,
    DeviceIndex,
    Event,
    EventType,
    FileType,
    Intensity,
    LapTrigger,
    Manufacturer,
    SessionTrigger,
    Sport,
    SubSport,
    TimerTrigger,
)

from runcoach.domain.session import RunSession
from runcoach.domain.timeline import Intensity as LapIntensity
from runcoach.domain.timeline import Lap, LapEnd, Stretch, Timeline, session_timeline
from runcoach.fit.encoder import FIT_EPOCH, FitEncoder, RowField, RowLayout, fit_seconds, unix_ms

#: The media type of FIT files (Garmin's, as registered for ANT+ FIT).
PRODUCT_NAME = "RunCoach"
SOFTWARE_VERSION = 1.0

#: The record layout: timestamp, distance (cm), speed (mm/s), grade (0.01 %). No enhanced_speed: the
#: profile makes it a component of speed, so readers expand it, and it would add 30 % to the file.
RECORD = RowLayout(
    RecordMessage.ID,
    (
        RowField(253, "I", 0x86),  # timestamp, s since the FIT epoch
        RowField(RecordDistanceField.ID, "I", 0x86),
        RowField(RecordSpeedField.ID, "H", 0x84),
        RowField(RecordGradeField.ID, "h", 0x83),
    ),
)

_INTENSITY: dict[LapIntensity, Intensity] = {
    LapIntensity.ACTIVE: Intensity.ACTIVE,
    LapIntensity.WARMUP: Intensity.WARMUP,
    LapIntensity.COOLDOWN: Intensity.COOLDOWN,
    LapIntensity.REST: Intensity.REST,
}
#: A lap the program ended is a time lap; one the runner ended (skip, back) a manual one.
_TRIGGER: dict[LapEnd, LapTrigger] = {
    LapEnd.TIME: LapTrigger.TIME,
    LapEnd.SKIP: LapTrigger.MANUAL,
    LapEnd.BACK: LapTrigger.MANUAL,
    LapEnd.END: LapTrigger.SESSION_END,
    LapEnd.OPEN: LapTrigger.SESSION_END,
}


class NotAnActivity(ValueError):
    """The session has not ended, or never ran: there is no activity to write."""


def session_to_fit(session: RunSession, now: datetime, *, zone: tzinfo = UTC) -> bytes:
    """The session's FIT activity file as of `now`; `zone` is where the runner is (the activity's
    local time). NotAnActivity while the session goes on, or if it never ran."""
    line = session_timeline(session, now)
    if line.end is None or line.start is None or not line.ran:
        raise NotAnActivity(
            "the session has not ended" if line.start is not None else "the session never ran"
        )
    encoder = FitEncoder()
    encoder.add(_file_id(session, line.end))
    encoder.add(_device_info(line.start))
    encoder.define_rows(RECORD)
    rows: list[tuple[int, ...]] = []
    for item in _in_time_order(line):
        if isinstance(item, tuple):
            rows.append(item)
            continue
        if rows:
            encoder.add_rows(RECORD, rows)
            rows = []
        encoder.add(item)
    if rows:
        encoder.add_rows(RECORD, rows)
    encoder.add(_session(line))
    encoder.add(_activity(line, zone))
    return encoder.to_bytes()


# --- the messages, in time order ---------------------------------------------------------------


def _in_time_order(line: Timeline) -> Iterator[DataMessage | tuple[int, ...]]:
    """Every timer event, record (a raw row) and lap in time order. At one instant: a timer start,
    then the record, then a lap that ends, then a timer stop; timer events keep their own order (a
    pause and a resume in the same microsecond are a stop, then a start)."""
    assert line.start is not None and line.end is not None
    timer = [(line.start, EventType.START)]
    for pause in line.pauses:
        timer.append((pause.start, EventType.STOP_ALL))
        if pause.end is not None:
            timer.append((pause.end, EventType.START))
    timer.append((line.end, EventType.STOP_ALL))
    laps = [(_instant(lap.end), 1, _lap(index, lap)) for index, lap in enumerate(line.laps)]
    others: list[tuple[float, int, DataMessage | tuple[int, ...]]] = sorted(
        [*((instant, 0, row) for instant, row in _records(line)), *laps], key=lambda item: item[:2]
    )
    i = 0
    for moment, kind in timer:
        instant, stops = _instant(moment), kind is EventType.STOP_ALL
        while i < len(others) and (others[i][0] < instant or (stops and others[i][0] == instant)):
            yield others[i][2]
            i += 1
        yield _timer(moment, kind)
    for _, _, item in others[i:]:
        yield item


def _instant(moment: datetime) -> float:
    return (moment - FIT_EPOCH).total_seconds()


def _spells(line: Timeline) -> Iterator[list[Stretch]]:
    """The running spells: stretches that follow each other without a pause."""
    spell: list[Stretch] = []
    for stretch in line.stretches:
        if spell and stretch.start != spell[-1].end:
            yield spell
            spell = []
        spell.append(stretch)
    if spell:
        yield spell


def _record_seconds(line: Timeline) -> list[int]:
    """Every whole second inside a running spell, and the second after each spell's end (when it
    ends between two), so that a record carries the distance at every pause and at the end."""
    seconds: set[int] = set()
    for spell in _spells(line):
        begin, end = _instant(spell[0].start), _instant(spell[-1].end)
        seconds.update(range(math.ceil(begin), math.floor(end) + 1))
        seconds.add(math.ceil(end))
    return sorted(seconds)


def _records(line: Timeline) -> Iterator[tuple[float, tuple[int, ...]]]:
    """(instant, row) per record second: the belt's distance then (it stands still in a pause, so a
    record stamped just after a pause began carries the distance at the pause), the speed and grade
    of the stretch run then or last."""
    stretches = line.stretches
    i = 0
    for second in _record_seconds(line):
        while i + 1 < len(stretches) and _instant(stretches[i + 1].start) <= second:
            i += 1
        yield min(float(second), _instant(stretches[i].end)), _record_row(second, stretches[i])


def _record_row(second: int, stretch: Stretch) -> tuple[int, ...]:
    mps = stretch.speed_kmh / 3.6
    ran = min(max(second - _instant(stretch.start), 0.0), stretch.seconds)
    metres = stretch.distance_before_m + ran * mps
    return (second, round(metres * 100), round(mps * 1000), round(stretch.incline_pct * 100))


# --- fit-tool messages ---------------------------------------------------------------------------


def _file_id(session: RunSession, end: datetime) -> FileIdMessage:
    message = FileIdMessage()
    message.type = FileType.ACTIVITY
    message.manufacturer = Manufacturer.DEVELOPMENT.value
    message.product = 0
    message.serial_number = session.id  # ids are 1 .. 2**31 - 1: a valid uint32z
    message.time_created = unix_ms(end)
    return message


def _device_info(start: datetime) -> DeviceInfoMessage:
    message = DeviceInfoMessage()
    message.timestamp = unix_ms(start)
    message.device_index = DeviceIndex.CREATOR.value
    message.manufacturer = Manufacturer.DEVELOPMENT.value
    message.product = 0
    message.product_name = PRODUCT_NAME
    message.software_version = SOFTWARE_VERSION
    return message


def _timer(moment: datetime, kind: EventType) -> EventMessage:
    message = EventMessage()
    message.timestamp = unix_ms(moment)
    message.event = Event.TIMER
    message.event_type = kind
    message.timer_trigger = TimerTrigger.MANUAL
    return message


def _lap(index: int, lap: Lap) -> LapMessage:
    message = LapMessage()
    message.message_index = index
    message.timestamp = unix_ms(lap.end)
    message.event = Event.LAP
    message.event_type = EventType.STOP
    message.start_time = unix_ms(lap.start)
    message.total_elapsed_time = lap.elapsed_s
    message.total_timer_time = lap.timer_s
    message.total_distance = lap.distance_m
    _speeds(message, lap.avg_speed_kmh, lap.speed_kmh)
    message.avg_grade = lap.incline_pct
    message.intensity = _INTENSITY[lap.intensity]
    message.lap_trigger = _TRIGGER[lap.ended_by]
    message.sport = Sport.RUNNING
    message.sub_sport = SubSport.TREADMILL
    return message


def _session(line: Timeline) -> SessionMessage:
    assert line.start is not None and line.end is not None
    message = SessionMessage()
    message.message_index = 0
    message.timestamp = unix_ms(line.end)
    message.event = Event.SESSION
    message.event_type = EventType.STOP
    message.start_time = unix_ms(line.start)
    message.sport = Sport.RUNNING
    message.sub_sport = SubSport.TREADMILL
    message.total_elapsed_time = line.elapsed_s
    message.total_timer_time = line.timer_s
    message.total_distance = line.distance_m
    _speeds(message, line.avg_speed_kmh, line.max_speed_kmh)
    message.first_lap_index = 0
    message.num_laps = len(line.laps)
    message.trigger = SessionTrigger.ACTIVITY_END
    return message


def _speeds(message: LapMessage | SessionMessage, avg_kmh: float, max_kmh: float) -> None:
    """Average and maximum speed (m/s), also as the enhanced fields newer readers prefer."""
    message.avg_speed = avg_kmh / 3.6
    message.max_speed = max_kmh / 3.6
    message.enhanced_avg_speed = avg_kmh / 3.6
    message.enhanced_max_speed = max_kmh / 3.6


def _activity(line: Timeline, zone: tzinfo) -> DataMessage:
    assert line.end is not None
    message = ActivityMessage()
    message.timestamp = unix_ms(line.end)
    message.total_timer_time = line.timer_s
    message.num_sessions = 1
    message.type = Activity.MANUAL
    message.event = Event.ACTIVITY
    message.event_type = EventType.STOP
    offset = line.end.astimezone(zone).utcoffset()
    message.local_timestamp = fit_seconds(line.end) + int(offset.total_seconds() if offset else 0)
    return message
