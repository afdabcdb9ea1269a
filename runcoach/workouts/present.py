"""How workouts look on the pages: clock and pace formats, table rows, the profile chart, form errors.

Pure helpers (no NiceGUI, no database) so the page modules stay a thin layout and this logic
can be tested on its own.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from runcoach.domain import ids
from runcoach.domain.errors import NotFound
from runcoach.domain.saved import Workout
from runcoach.domain.workouts import MAX_SEED, Constraints, Segment, WorkoutSpec

#: Labels of the generate form's inputs, by the field name pydantic reports in its errors.
FIELD_LABELS: dict[str, str] = {
    "duration_min": "Duration (min)",
    "goal": "Goal",
    "seed": "Seed",
    "min_speed_kmh": "Min speed (km/h)",
    "max_speed_kmh": "Max speed (km/h)",
    "max_incline_pct": "Max incline (%)",
    "easy_speed_kmh": "Easy speed (km/h)",
    "level": "Level",
    "warmup_min": "Warm-up (min)",
    "cooldown_min": "Cool-down (min)",
}

#: Chart colours: the app's teal for speed, amber for incline, distinct also in grey scale.
SPEED_COLOUR = "#0f766e"
INCLINE_COLOUR = "#d97706"

#: Columns of the segments table (NiceGUI / Quasar table column dicts).
SEGMENT_COLUMNS: list[dict[str, Any]] = [
    {"name": "n", "label": "#", "field": "n", "align": "right"},
    {"name": "label", "label": "Segment", "field": "label", "align": "left"},
    {"name": "duration", "label": "Duration", "field": "duration", "align": "right"},
    {"name": "speed", "label": "Speed km/h", "field": "speed", "align": "right"},
    {"name": "pace", "label": "Pace min/km", "field": "pace", "align": "right"},
    {"name": "incline", "label": "Incline %", "field": "incline", "align": "right"},
]


def parse_id(text: str) -> int:
    """A workout id from a URL path segment; NotFound for anything that cannot be one (like an unknown id)."""
    if (parsed := ids.parse_id(text)) is None:
        raise NotFound(f"Workout {text[:20]} not found")
    return parsed


def clock(seconds: int) -> str:
    """`m:ss` below an hour, `h:mm:ss` from an hour on (e.g. 95 -> '1:35', 3725 -> '1:02:05')."""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def pace(speed_kmh: float | None) -> str:
    """The pace in min/km for a speed in km/h as `m:ss` (10 km/h -> '6:00'); '–' when there is none."""
    if speed_kmh is None or speed_kmh <= 0:
        return "–"
    return clock(round(3600 / speed_kmh))


def easy_pace_hint(speed_kmh: float | None) -> str:
    """The text next to the easy speed input: its pace, or how the default is chosen."""
    if speed_kmh is None or speed_kmh <= 0:
        return "Blank: taken from your level"
    return f"= {pace(speed_kmh)} min/km"


def created(moment: datetime) -> str:
    """A stored timestamp as the list shows it (times are kept in UTC)."""
    return moment.strftime("%Y-%m-%d %H:%M")


def segment_rows(segments: Sequence[Segment]) -> list[dict[str, Any]]:
    """One table row per segment: number, label, duration, speed, pace and incline as display strings."""
    return [
        {
            "n": i,
            "label": segment.label.value,
            "duration": clock(segment.duration_s),
            "speed": f"{segment.speed_kmh:.1f}",
            "pace": pace(segment.speed_kmh),
            "incline": f"{segment.incline_pct:.1f}",
        }
        for i, segment in enumerate(segments, start=1)
    ]


def _minutes(seconds: int) -> float:
    return round(seconds / 60, 3)


def _step_points(segments: Sequence[Segment], attr: str) -> list[list[float]]:
    """[minute, value] at every segment start, plus the end of the last one (so it is drawn to the end)."""
    points, start = [], 0
    for segment in segments:
        points.append([_minutes(start), getattr(segment, attr)])
        start += segment.duration_s
    if segments:
        points.append([_minutes(start), getattr(segments[-1], attr)])
    return points


def _series(name: str, data: list[list[float]], axis: int, colour: str) -> dict[str, Any]:
    # step 'end': each value holds until the next segment starts, like the treadmill does.
    speed = axis == 0
    return {
        "name": name,
        "type": "line",
        "step": "end",
        "yAxisIndex": axis,
        "data": data,
        "showSymbol": False,
        "color": colour,
        "z": 3 if speed else 2,
        "lineStyle": {"width": 3 if speed else 1.5},
        **({} if speed else {"areaStyle": {"opacity": 0.25}}),
    }


def incline_axis_max(segments: Sequence[Segment]) -> float:
    """Twice the steepest incline (at least 4 %), so the incline fills the lower half and never
    makes a 1 % rise look like a wall next to the speed line."""
    steepest = max((s.incline_pct for s in segments), default=0.0)
    return float(max(4, math.ceil(2 * steepest)))


def profile_chart(segments: Sequence[Segment]) -> dict[str, Any]:
    """ECharts options for the workout profile: speed (left axis) and incline (right axis) over minutes."""
    total = _minutes(sum(s.duration_s for s in segments))
    axis_label = {"fontSize": 11}
    return {
        "animation": False,
        "grid": {"left": 8, "right": 8, "top": 40, "bottom": 30, "containLabel": True},
        "legend": {"top": 0, "data": ["Speed km/h", "Incline %"]},
        "tooltip": {"trigger": "axis"},
        "xAxis": {
            "type": "value",
            "name": "Time (min)",
            "nameLocation": "middle",
            "nameGap": 24,
            "min": 0,
            "max": total,
            "axisLabel": axis_label,
        },
        "yAxis": [
            {"type": "value", "name": "km/h", "min": 0, "position": "left", "axisLabel": axis_label},
            {
                "type": "value",
                "name": "%",
                "min": 0,
                "max": incline_axis_max(segments),
                "position": "right",
                "splitLine": {"show": False},
                "axisLabel": axis_label,
            },
        ],
        "series": [
            _series("Speed km/h", _step_points(segments, "speed_kmh"), 0, SPEED_COLOUR),
            _series("Incline %", _step_points(segments, "incline_pct"), 1, INCLINE_COLOUR),
        ],
    }


def _optional_minutes(value: int | None) -> str:
    return "by goal" if value is None else f"{value} min"


def inputs_summary(spec: WorkoutSpec) -> list[tuple[str, str]]:
    """(label, value) pairs describing what the workout was generated from."""
    c = spec.constraints
    easy = (
        f"{c.easy_speed_kmh:.1f} km/h ({pace(c.easy_speed_kmh)} min/km)"
        if c.easy_speed_kmh is not None
        else f"from level: {c.easy_kmh:.1f} km/h ({pace(c.easy_kmh)} min/km)"
    )
    return [
        ("Duration", f"{spec.duration_min} min"),
        ("Goal", spec.goal.value),
        ("Speed range", f"{c.min_speed_kmh:.1f}–{c.max_speed_kmh:.1f} km/h"),
        ("Max incline", f"{c.max_incline_pct:.1f} %"),
        ("Easy speed", easy),
        ("Level", c.level.value),
        ("Warm-up", _optional_minutes(c.warmup_min)),
        ("Cool-down", _optional_minutes(c.cooldown_min)),
    ]


def list_caption(workout: Workout) -> str:
    """The second line of a workout in the list: goal, duration and seed, or the file it came from."""
    if workout.goal is None:
        return f"imported from {workout.file_name} · {clock(workout.total_duration_s)}"
    return f"{workout.goal.value} · {clock(workout.total_duration_s)} · seed {workout.seed}"


# --- the generate form -------------------------------------------------------------------------


class GenerateForm(BaseModel):
    """Everything the generate form submits, validated in one go so every error names its field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    spec: WorkoutSpec
    seed: int | None = Field(default=None, ge=0, le=MAX_SEED)


@dataclass(frozen=True)
class FormError:
    """One problem with the form: the field it concerns (None for cross-field rules) and the message."""

    field: str | None
    message: str


def parse_form(values: Mapping[str, Any]) -> GenerateForm:
    """Build the validated request from raw form values (ui.number gives floats or None).

    A blank constraint means "use the default"; a blank duration is an error. Raises ValidationError.
    """
    constraint_fields = Constraints.model_fields
    constraints = {k: v for k, v in values.items() if k in constraint_fields and v is not None}
    spec = {
        "duration_min": values.get("duration_min"),
        "goal": values.get("goal"),
        "constraints": constraints,
    }
    return GenerateForm.model_validate({"spec": spec, "seed": values.get("seed")})


_FIELD_NAME = re.compile(r"\b(" + "|".join(FIELD_LABELS) + r")\b")


def _humanize(message: str) -> str:
    """Drop pydantic's 'Value error, ' prefix and put the form's labels in place of field names."""
    message = message.removeprefix("Value error, ")
    message = _FIELD_NAME.sub(lambda m: FIELD_LABELS[m.group(1)], message)
    return message[:1].upper() + message[1:]


def form_errors(exc: ValidationError) -> list[FormError]:
    """The validation errors, each naming the input it concerns by its label."""
    errors = []
    for error in exc.errors():
        names = [part for part in error["loc"] if isinstance(part, str) and part in FIELD_LABELS]
        if not names:  # a cross-field rule: its message names the fields; mark the first one named
            named = _FIELD_NAME.search(error["msg"])
            errors.append(FormError(field=named.group(1) if named else None, message=_humanize(error["msg"])))
            continue
        field = names[-1]
        errors.append(FormError(field=field, message=f"{FIELD_LABELS[field]} {_plain(error)}"))
    return errors


#: Pydantic's messages for one field, said the way the form says them (by error type).
_PLAIN: dict[str, str] = {
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "greater_than": "must be more than {gt}",
    "less_than": "must be less than {lt}",
    "int_from_float": "must be a whole number",
}


def _plain(error: Any) -> str:
    if error.get("input") is None:
        return "is required"
    if template := _PLAIN.get(error["type"]):
        return template.format(**error.get("ctx", {}))
    message = _humanize(error["msg"])
    return f"is not valid: {message[:1].lower()}{message[1:]}"
