"""What the Strava page says about an imported run's matching: the choices, in words."""

from __future__ import annotations

from runcoach.plans.calendar import ImportedMatch

#: The select's values besides a day: back to the rule, and "counts for no planned day".
AUTO = "auto"
NONE = "none"


def match_options(match: ImportedMatch) -> dict[str, str]:
    """The choices for the run: as the plan matches it, each planned day near it, or none."""
    rule = f"{match.counted_on:%a %d %b}" if match.counted_on and not match.run.matched_by_hand else None
    options = {AUTO: f"Matched by the plan ({rule})" if rule else "Matched by the plan"}
    for day in match.choices:
        assert day.planned is not None
        options[day.date.isoformat()] = f"{day.date:%a %d %b}: {day.planned.day.title}"
    options[NONE] = "No planned day"
    return options


def match_value(match: ImportedMatch) -> str:
    """The choice in force: the rule's, unless the runner picked a day (or none)."""
    if not match.run.matched_by_hand:
        return AUTO
    return match.counted_on.isoformat() if match.counted_on else NONE
