"""How a plan's versions and the diff between two of them read on the versions page. Pure."""

from __future__ import annotations

from typing import Any

from runcoach.domain.paces import clock
from runcoach.domain.plan_edits import PlanDiff
from runcoach.domain.plans import Author, PlanVersion
from runcoach.domain.rules import weekday_date

AUTHOR_WORDS = {Author.GENERATOR: "the generator", Author.RUNNER: "you", Author.COACH: "the coach"}


def version_line(version: PlanVersion) -> str:
    """'Version 3 · by you · 26 Nov 07:10 UTC · 2 days changed'."""
    days = len(version.changes)
    changed = "" if version.number == 1 else f" · {days} day{'s' if days != 1 else ''} changed"
    when = version.created_at.strftime("%d %b %H:%M UTC")
    return f"Version {version.number} · by {AUTHOR_WORDS[version.created_by]} · {when}{changed}"


def diff_lines(d: PlanDiff) -> list[tuple[str, str]]:
    """(kind, sentence) per difference (kind: added, removed, moved or changed), as the page lists them."""
    lines = [("added", f"Added: {weekday_date(day.date)}, {day.title}") for day in d.added]
    lines += [("removed", f"Removed: {weekday_date(day.date)}, {day.title}") for day in d.removed]
    lines += [("moved", f"Moved: {weekday_date(m.from_date)} → {weekday_date(m.to_date)}") for m in d.moved]
    for c in d.changed:
        before = f"{c.before_type.value} {clock(c.before_duration_s)}"
        after = (
            f"{c.after_type.value} {clock(c.after_duration_s)}" if c.after_duration_s else c.after_type.value
        )
        lines.append(("changed", f"Changed: {weekday_date(c.date)}, {before} → {after}"))
    return lines


def volume_chart(d: PlanDiff) -> dict[str, Any]:
    """ECharts options: planned km per week before and after, side by side, so a change stands out."""
    weeks = [w.start_date.strftime("%d %b") for w in d.weeks]
    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["Before", "After"]},
        "grid": {"left": 40, "right": 10, "top": 30, "bottom": 40},
        "xAxis": {"type": "category", "data": weeks, "axisLabel": {"rotate": 45}},
        "yAxis": {"type": "value", "name": "km"},
        "series": [
            {
                "name": "Before",
                "type": "bar",
                "data": [round(w.before_km, 1) for w in d.weeks],
                "color": "#9ca3af",
            },
            {
                "name": "After",
                "type": "bar",
                "data": [round(w.after_km, 1) for w in d.weeks],
                "color": "#2563eb",
            },
        ],
    }
