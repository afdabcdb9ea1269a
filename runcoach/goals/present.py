"""How goals look on the Goals page: the form's choices and parsing, a goal's title and badge colour.

Pure helpers (no NiceGUI, no database) so the page stays a thin layout and this logic can be
tested on its own. Form errors are `InvalidInput` whose `field` is the form's own field name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from runcoach.domain.errors import InvalidInput
from runcoach.domain.goals import Feasibility, Goal, GoalKind, StoredGoal
from runcoach.domain.paces import MAX_RACE_M, MIN_RACE_M, RACE_DISTANCE_M, Race, clock

OTHER = "other"
#: The race picker: metres (as text, a select's keys) to the name runners use; "other" asks for km.
_RACE_NAMES = {Race.FIVE_K: "5K", Race.TEN_K: "10K", Race.HALF: "Half marathon", Race.MARATHON: "Marathon"}
DISTANCES: dict[str, str] = {
    **{f"{RACE_DISTANCE_M[race]:g}": name for race, name in _RACE_NAMES.items()},
    OTHER: "Other distance (km)",
}
KEEP_FIT = "keep-fit"
BY_DATE = "by-date"
VOLUME_MODES = {BY_DATE: "Weekly km by a date", KEEP_FIT: "Keep fit (no end)"}

#: The badge colour of each verdict: green, amber, red, as traffic lights.
BADGE_COLOUR = {Feasibility.OK: "green", Feasibility.AMBITIOUS: "amber", Feasibility.UNREALISTIC: "red"}

#: The form's field for each model field (the model's errors and the service's name those).
FORM_FIELD = {
    "race_distance_m": "race_distance",
    "race_date": "race_date",
    "target_time_s": "target_time",
    "weekly_km_target": "weekly_km",
    "by_date": "by_date",
}
#: What the form calls each field, for the error line.
LABELS = {
    "race_distance": "Race",
    "other_km": "Distance (km)",
    "race_date": "Race date",
    "target_time": "Target time",
    "weekly_km": "Weekly km",
    "by_date": "By date",
}


def parse_time(text: str) -> float | None:
    """'45:00' or '1:45:00' as seconds; None for an empty field; InvalidInput for anything else."""
    text = text.strip()
    if not text:
        return None
    parts = text.split(":")
    if not 1 <= len(parts) <= 3 or not all(p.strip().isdigit() for p in parts):
        raise InvalidInput("target_time", f"Write the time as h:mm:ss or m:ss, not {text[:20]!r}")
    total = 0
    for part in parts:
        total = total * 60 + int(part)
    return float(total)


def _distance_m(choice: str, other_km: float | None) -> float | None:
    if choice != OTHER:
        return float(choice) if choice else None
    if other_km is None:
        raise InvalidInput("other_km", "Give the race distance in km")
    return float(other_km) * 1000


def parse_form(values: Mapping[str, Any]) -> Goal:
    """The goal the form describes; InvalidInput naming the form field at fault.

    Keys: kind, race_distance, other_km, race_date, target_time, volume_mode, weekly_km, by_date.
    Only the chosen kind's fields are read, so what was typed for the other kind is kept, not sent.
    """
    data: dict[str, Any] = {"kind": values.get("kind") or GoalKind.RACE.value}
    if data["kind"] == GoalKind.RACE.value:
        data["race_distance_m"] = _distance_m(str(values.get("race_distance") or ""), values.get("other_km"))
        data["race_date"] = (values.get("race_date") or "").strip() or None
        data["target_time_s"] = parse_time(values.get("target_time") or "")
    elif values.get("volume_mode") != KEEP_FIT:
        data["weekly_km_target"] = values.get("weekly_km")
        data["by_date"] = (values.get("by_date") or "").strip() or None
    try:
        return Goal.model_validate(data)
    except ValidationError as exc:
        raise _form_error(exc, other=values.get("race_distance") == OTHER) from exc


def _form_error(exc: ValidationError, *, other: bool) -> InvalidInput:
    error = exc.errors()[0]
    name = str(error["loc"][0]) if error["loc"] else ""
    field = form_field(name)
    message = str(error["msg"]).removeprefix("Value error, ")
    if field == "race_distance" and other:
        # The km typed is what is wrong, not the picker; the model's range is in metres.
        return InvalidInput(
            "other_km", f"Give a distance from {MIN_RACE_M / 1000:g} to {MAX_RACE_M / 1000:g} km"
        )
    return InvalidInput(field, message)


def form_field(name: str) -> str:
    """The form's field for a model (or form) field name; '' when the error is about the whole goal."""
    return FORM_FIELD.get(name, name if name in LABELS else "")


def error_line(exc: InvalidInput) -> str:
    """The sentence under the form: the field's label, then the reason."""
    label = LABELS.get(form_field(exc.field))
    return f"{label}: {exc}" if label else str(exc)


def title(stored: StoredGoal) -> str:
    """A goal in a few words: 'Half marathon on 2027-04-11 in 1:45:00', '40 km a week by 2027-02-01'."""
    goal = stored.goal
    if goal.kind is GoalKind.RACE:
        assert goal.race_distance_m is not None and goal.race_date is not None
        name = DISTANCES.get(f"{goal.race_distance_m:g}") or f"{goal.race_distance_m / 1000:g} km race"
        target = f" in {clock(goal.target_time_s)}" if goal.target_time_s is not None else ""
        return f"{name} on {goal.race_date.isoformat()}{target}"
    if goal.weekly_km_target is None or goal.by_date is None:
        return "Keep fit"
    return f"{goal.weekly_km_target:g} km a week by {goal.by_date.isoformat()}"
