"""How a live session reads on the run, remote and TV views: units, clocks, cues, the view data.

Pure helpers (no NiceGUI, no database, no clock): the page modules lay out widgets and call
these, and the browser (runcoach/static/live.js) gets everything it needs to interpolate the
clock and play the cues in one JSON object built here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from runcoach.domain.accounts import Units
from runcoach.domain.session import (
    Command,
    EventKind,
    SessionState,
    Status,
    allowed_commands,
    clean_pair_code,
)
from runcoach.domain.structure import Console, ConsoleUnit
from runcoach.domain.workouts import Segment
from runcoach.workouts import present as workout_present

KM_PER_MILE = 1.609344
NBSP = "\u00a0"
#: Speak the next segment this many seconds before it starts (the 3-2-1 beeps follow).
CUE_LEAD_S = 6
#: Segments shorter than this get only the beeps: a spoken line would overlap the previous one.
MIN_SPOKEN_SEGMENT_S = 10

STATUS_TEXT: dict[Status, str] = {
    Status.CREATED: "Ready",
    Status.RUNNING: "Running",
    Status.PAUSED: "Paused",
    Status.COMPLETED: "Completed",
}

EVENT_TEXT: dict[EventKind, str] = {
    EventKind.CREATED: "Created",
    EventKind.STARTED: "Started",
    EventKind.PAUSED: "Paused",
    EventKind.RESUMED: "Resumed",
    EventKind.SKIPPED: "Skipped a segment",
    EventKind.WENT_BACK: "Went back a segment",
    EventKind.FINISHED: "Finished",
}


def units_of(value: str | None) -> Units:
    """The runner's units; anything unknown reads as metric (the default)."""
    try:
        return Units(value or Units.METRIC)
    except ValueError:
        return Units.METRIC


# --- speed, pace, incline ---------------------------------------------------------------------


def speed_value(speed_kmh: float, units: Units) -> float:
    """The speed in the runner's unit, rounded to the 0.1 a display shows."""
    value = speed_kmh if units is Units.METRIC else speed_kmh / KM_PER_MILE
    return round(value, 1)


def speed_unit(units: Units) -> str:
    return "km/h" if units is Units.METRIC else "mph"


def pace_unit(units: Units) -> str:
    return "min/km" if units is Units.METRIC else "min/mi"


def speed_text(speed_kmh: float, units: Units) -> str:
    """'12.0 km/h' or '7.5 mph'."""
    return f"{speed_value(speed_kmh, units):.1f} {speed_unit(units)}"


def pace_text(speed_kmh: float | None, units: Units) -> str:
    """Time per km or per mile as m:ss with its unit ('5:00 min/km', '8:03 min/mi'); '–' at a standstill."""
    if speed_kmh is None or speed_kmh <= 0:
        return "–"
    distance_km = 1.0 if units is Units.METRIC else KM_PER_MILE
    return f"{workout_present.clock(round(3600 * distance_km / speed_kmh))} {pace_unit(units)}"


CONSOLE_UNIT_TEXT: dict[ConsoleUnit, str] = {ConsoleUnit.KMH: "km/h", ConsoleUnit.MPH: "mph"}


def console_of(console: Console | None, units: Units) -> Console:
    """The console a session's speeds read on. None (no treadmill known) is what views did before
    consoles: the runner's units, taken as true; so such a session reads exactly as it always did."""
    if console is not None:
        return console
    return Console(unit=ConsoleUnit.KMH if units is Units.METRIC else ConsoleUnit.MPH)


def console_speed_text(speed_kmh: float, console: Console) -> str:
    """The number to press: a segment's console speed in the console's unit ('7.5 mph', '12.0 km/h')."""
    return f"{console.reading(speed_kmh):.1f} {CONSOLE_UNIT_TEXT[console.unit]}"


def belt_pace_text(speed_kmh: float, console: Console, units: Units) -> str:
    """The pace the belt really runs at that console speed (speed x calibration), in the runner's units."""
    return pace_text(console.belt_kmh(speed_kmh), units)


def incline_text(incline_pct: float) -> str:
    """'2.0 %': the treadmill's incline grid is half a percent, so one decimal is exact."""
    return f"{incline_pct:.1f} %"


# --- clocks and labels ------------------------------------------------------------------------


def elapsed_clock(seconds: float) -> str:
    """Elapsed time counts up: whole seconds done (59.9 s is still '0:59')."""
    return workout_present.clock(math.floor(max(0.0, seconds)))


def countdown(seconds: float) -> str:
    """Time left counts down: it shows '0:01' until the very end (0.2 s left is '0:01')."""
    return workout_present.clock(math.ceil(max(0.0, seconds) - 1e-6))


def status_text(status: Status) -> str:
    return STATUS_TEXT[status]


#: The status of a session that ended before its program did (see `SessionState.finished_early`).
FINISHED_EARLY = "Finished early"


def state_status_text(state: SessionState) -> str:
    """'Running', 'Completed'; 'Finished early' when the runner ended it before the program's end.

    The status is a pill beside the session's name: a no-break space keeps its two words on one
    line on a phone (the name is the part that gives way).
    """
    return FINISHED_EARLY.replace(" ", NBSP) if state.finished_early else status_text(state.status)


def status_colour(state: SessionState) -> str:
    """The status badge's Quasar colour; an early finish is a muted one, not a run played to its end."""
    if state.finished_early:
        return "blue-grey-6"
    return {"running": "positive", "paused": "warning", "completed": "primary"}.get(
        state.status.value, "grey"
    )


def segment_title(segment: Segment | None) -> str:
    """'Warm-up', 'Interval', 'Cool-down'."""
    if segment is None:
        return "–"
    label = segment.label.value
    return label[:1].upper() + label[1:]


def segment_title_for(state: SessionState) -> str:
    """The current segment's name; once over, 'Workout complete' only if it reached the program's end."""
    if state.finished_early:
        return "Workout ended"
    return "Workout complete" if state.is_final else segment_title(state.segment)


def next_text(state: SessionState, units: Units, console: Console | None = None) -> str:
    """The segment after this one in a line: 'Recovery · 2:00 · 8.0 km/h · 1.0 %'.

    The speed is the next number to press, so it reads as the big one does: on the console.
    """
    if state.is_final:
        return done_text(state)
    following = state.next_segment
    if following is None:
        return "Last segment"
    parts = (
        segment_title(following),
        workout_present.clock(following.duration_s),
        console_speed_text(following.speed_kmh, console_of(console, units)),
        incline_text(following.incline_pct),
    )
    # No-break spaces inside each part: a narrow screen wraps between parts, never inside "8.0 km/h".
    return " · ".join(part.replace(" ", NBSP) for part in parts)


def progress_text(state: SessionState) -> str:
    """Where in the workout: 'Segment 3 of 12'; once over, the segments played to their end."""
    if state.played_in_full:
        return f"All {state.segment_count} segments"
    if state.is_final:
        return segments_done_text(state)
    return f"Segment {state.segment_index + 1} of {state.segment_count}"


def segments_done_text(state: SessionState) -> str:
    """'3 of 15 segments': played to their end (a skipped or unfinished segment is not done)."""
    return f"{state.segments_done} of {state.segment_count} segments"


def time_of_total_text(state: SessionState) -> str:
    """'0:11 of 45:00': running time (pauses excluded) against the program's length."""
    return f"{elapsed_clock(state.elapsed_s)} of {workout_present.clock(state.total_duration_s)}"


def done_text(state: SessionState) -> str:
    """The line a finished session ends on; the happy words only for a run played in full.

    'Finished early: 3 of 15 segments, 0:11 of 45:00' after a finish (or a skip off the end);
    'Done: 14 of 15 segments, 42:00 of 45:00' when the program reached its end past a skip.
    """
    if state.played_in_full:
        return "Done: well run!"
    head = FINISHED_EARLY if state.finished_early else "Done"
    return f"{head}: {segments_done_text(state)}, {time_of_total_text(state)}"


def summary_text(state: SessionState) -> str:
    """A session in one line for the sessions list: '5:10 of 45:00 · Segment 2 of 15', or how it ended."""
    if state.finished_early:
        return done_text(state)
    return f"{time_of_total_text(state)} · {progress_text(state)}"


def event_text(kind: EventKind) -> str:
    return EVENT_TEXT[kind]


def pair_code_text(code: str) -> str:
    """An 8-character pairing code as it is read aloud and typed: 'ABCD-EFGH'."""
    clean = clean_pair_code(code)
    return f"{clean[:4]}-{clean[4:]}" if len(clean) == 8 else clean


# --- the spoken cue ---------------------------------------------------------------------------


def spoken_number(value: float) -> str:
    """12.0 -> '12', 12.5 -> '12.5': a speech engine reads '12.0' as 'twelve point zero'."""
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def duration_words(seconds: int) -> str:
    """'2 minutes', '1 minute 30 seconds', '45 seconds'."""
    minutes, secs = divmod(max(0, int(seconds)), 60)
    parts = []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    if secs or not minutes:
        parts.append(f"{secs} second{'s' if secs != 1 else ''}")
    return " ".join(parts)


def incline_words(incline_pct: float) -> str:
    return "flat" if incline_pct <= 0 else f"incline {spoken_number(incline_pct)} percent"


def cue_line(following: Segment | None, units: Units, console: Console | None = None) -> str:
    """What the run view says just before a segment ends: 'Next: 2 minutes at 12 km/h, incline 2 percent'.

    The speed is the number to press next, in the console's unit (as on the screen).
    """
    if following is None:
        return "Last seconds: finish strong"
    shown = console_of(console, units)
    speed = f"{spoken_number(shown.reading(following.speed_kmh))} {CONSOLE_UNIT_TEXT[shown.unit]}"
    return f"Next: {duration_words(following.duration_s)} at {speed}, {incline_words(following.incline_pct)}"


def cue_lines(segments: Sequence[Segment], units: Units, console: Console | None = None) -> list[str]:
    """cue_lines[i] is spoken near the end of segment i (about the one after it); '' when too short."""
    lines = []
    for i, segment in enumerate(segments):
        following = segments[i + 1] if i + 1 < len(segments) else None
        spoken = segment.duration_s >= MIN_SPOKEN_SEGMENT_S
        lines.append(cue_line(following, units, console) if spoken else "")
    return lines


# --- position in the program and the chart ----------------------------------------------------


def segment_offsets(segments: Sequence[Segment]) -> list[int]:
    """Seconds into the program at which each segment starts."""
    offsets, start = [], 0
    for segment in segments:
        offsets.append(start)
        start += segment.duration_s
    return offsets


def program_position_s(segments: Sequence[Segment], state: SessionState) -> float:
    """Where in the program the runner is, or where the session stopped (the chart's red line).

    It differs from elapsed after a skip or a back. The state knows it (`SessionState.position_s`):
    the program's end only for a run that got there, the very point of an early finish otherwise.
    `segments` is the program the state was folded from; the chart draws it.
    """
    return min(state.position_s, float(sum(s.duration_s for s in segments)))


NOW_COLOUR = "#f43f5e"
LIVE_SPEED_COLOUR = "#2dd4bf"  # the app's teal, lighter so it reads on the dark live views


def live_chart(segments: Sequence[Segment], units: Units, position_s: float) -> dict[str, Any]:
    """The workout profile in the runner's units with a red line at `position_s` (live.js moves it)."""
    options = workout_present.profile_chart(segments)
    speed, incline = (_from_dataset(series) for series in options["series"])
    # The points as one dataset of three columns, not a [minute, value] list per point: the server
    # keeps a chart's options as observable collections, about 0.6 KB for each list, for the whole
    # run on every open run view.
    options["dataset"] = {
        "source": {
            "minute": [minute for minute, _ in options["series"][0]["data"]],
            "speed": [speed_value(kmh, units) for _, kmh in options["series"][0]["data"]],
            "incline": [pct for _, pct in options["series"][1]["data"]],
        }
    }
    speed |= {
        "name": f"Speed {speed_unit(units)}",
        "color": LIVE_SPEED_COLOUR,
        "encode": {"x": "minute", "y": "speed"},
    }
    incline |= {"encode": {"x": "minute", "y": "incline"}}
    speed["markLine"] = {
        "silent": True,
        "symbol": "none",
        "animation": False,
        "label": {"show": False},
        "lineStyle": {"color": NOW_COLOUR, "width": 3, "type": "solid"},
        "data": [{"xAxis": round(position_s / 60, 3)}],
    }
    options["series"] = [speed, incline]
    # A strip under the big numbers: no legend (the line colours are the tiles' colours), axis
    # names on top, two steps per y axis so the labels stay apart at 130 px high.
    options["legend"] = options["legend"] | {"show": False, "data": [speed["name"], incline["name"]]}
    options["grid"] = options["grid"] | {"top": 26, "bottom": 6, "left": 6, "right": 6}
    options["xAxis"] = options["xAxis"] | {"name": ""}  # minutes: plain from the ticks
    options["yAxis"][0] |= {"name": speed_unit(units), "splitNumber": 2}
    options["yAxis"][1] |= {"splitNumber": 2}
    options["tooltip"] = {"show": False}  # a tablet has no hover; a tap would only cover the chart
    return _on_dark(options)


def _from_dataset(series: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in series.items() if key != "data"}


#: The live views are dark (readable across a gym, kind to a screen at night): light text, faint grid.
CHART_TEXT = "#cbd5e1"
CHART_GRID = "#1e293b"


def _on_dark(options: dict[str, Any]) -> dict[str, Any]:
    axis_style = {
        "axisLabel": {"color": CHART_TEXT, "fontSize": 13},
        "nameTextStyle": {"color": CHART_TEXT, "fontSize": 13},
        "axisLine": {"lineStyle": {"color": "#475569"}},
        "splitLine": {"lineStyle": {"color": CHART_GRID}},
    }
    options["xAxis"] = options["xAxis"] | axis_style
    options["yAxis"] = [
        axis | axis_style | {"splitLine": axis.get("splitLine", axis_style["splitLine"])}
        for axis in options["yAxis"]
    ]
    options["legend"] = options["legend"] | {"textStyle": {"color": CHART_TEXT, "fontSize": 14}}
    options["backgroundColor"] = "transparent"
    return options


# --- what the browser gets ----------------------------------------------------------------------


def view_data(
    segments: Sequence[Segment],
    snapshot: dict[str, Any],
    units: Units,
    *,
    cues: bool,
    wake_lock: bool,
    chart_id: int | None = None,
    console: Console | None = None,
) -> dict[str, Any]:
    """The JSON live.js starts from: the hub's snapshot plus the static facts of the program.

    Everything that changes only with the segment index (durations, offsets, the spoken lines) is
    sent once here, so a segment change costs the server no more than the snapshot it pushes anyway.
    """
    return {
        "state": snapshot,
        "durations": [s.duration_s for s in segments],
        "offsets": segment_offsets(segments),
        "cues": cue_lines(segments, units, console) if cues else [],
        "cue_lead_s": CUE_LEAD_S,
        "beeps": cues,
        "wake_lock": wake_lock,
        "chart_id": chart_id,
    }


def pair_url(base_url: str, code: str) -> str:
    """The absolute link a phone opens to control one session: '{base}/r/{CODE}'."""
    return f"{base_url.rstrip('/')}/r/{clean_pair_code(code)}"


def pair_address(base_url: str) -> str:
    """Where a phone types the code: the app's own address + '/pair' ('http://192.168.1.20:8080/pair')."""
    return f"{base_url.rstrip('/')}/pair"


def pair_hint(base_url: str) -> str:
    """The line under the pairing code: scan the QR code, or type the code at the full address."""
    return f"Scan, or open {pair_address(base_url)} and type the code"


#: The pairing card once its code no longer works (the run is still open: a new code pairs again).
PAIRING_EXPIRED = "This code has expired (codes last 12 hours): get a new one to pair a phone"
#: Under the code after drawing a new one: a phone paired with the old code must pair again.
PAIRING_RENEWED = "New code: phones paired with the old one must pair again"


def live_texts(state: SessionState, units: Units, console: Console | None = None) -> dict[str, str]:
    """Every label the server keeps current on a live view, by key (the DOM id is 'rc-' + key).

    They change only with the status, the segment or an event, so the hub's listener sets them;
    the moving clock (elapsed, time left) is the browser's job. "speed" is the number to press on
    the session's console, in its unit; "pace" is what the belt really runs at that number (the
    calibration applied), in the runner's units.
    """
    segment = None if state.is_final else state.segment
    shown = console_of(console, units)
    return {
        "status": state_status_text(state),
        "segment": segment_title_for(state),
        "speed": "–" if segment is None else console_speed_text(segment.speed_kmh, shown),
        "pace": "" if segment is None else belt_pace_text(segment.speed_kmh, shown, units),
        "incline": "–" if segment is None else incline_text(segment.incline_pct),
        "next": next_text(state, units, shown),
        "progress": progress_text(state),
    }


#: Which buttons a view offers in each status: exactly what the domain accepts.
AVAILABLE: dict[Status, frozenset[Command]] = {status: allowed_commands(status) for status in Status}
