"""The chat page's "What the coach sees" panel: the coach's context as titled sections of lines.

Pure (no NiceGUI, no database, no clock): the page lays the sections out. The panel shows what the
model reads (`CoachContext.text()`), in the same order and with the same numbers, so a runner can
check what their coach is going on; an empty section says what would fill it.
"""

from __future__ import annotations

from datetime import date, timedelta

from runcoach.coach.context import DAYS_AHEAD
from runcoach.domain.coach import MEMORY_TITLES, CoachContext, ContextDay, ContextRun, MemoryKind
from runcoach.domain.plan_model import WorkoutType
from runcoach.plans.present import short_date

NO_PROFILE = "No profile yet: set one on the Profile page."
NO_PACES = "No paces yet: they come from your profile's race or easy pace."
NO_GOAL = "No goal yet: set one on the Goals page."
NO_PLAN = "No plan yet: make one on the Plan page."
NOTHING_PLANNED = "Nothing planned in the next 14 days."
NO_WEEK = "Nothing planned or run this week yet."
NO_RUNS = "No runs in the last 14 days."
NO_READINESS = "No check-ins in the last 14 days."
NO_PROGRESS = "No figures yet: they need your profile."
NO_MEMORIES = "Nothing remembered yet."

Section = tuple[str, list[str]]


def panel(context: CoachContext) -> list[Section]:
    """The panel's sections in order, each a title and its lines (a sentence when it is empty)."""
    return [
        ("Profile", [context.profile] if context.profile else [NO_PROFILE]),
        ("Paces", list(context.paces) or [NO_PACES]),
        ("Goal", goal_lines(context)),
        ("Next 14 days", day_lines(context)),
        ("This week", [context.week] if context.week else [NO_WEEK]),
        ("Recent runs", [run_line(r) for r in context.runs] or [NO_RUNS]),
        ("Readiness", [context.readiness] if context.readiness else [NO_READINESS]),
        ("Progress", list(context.progress) or [NO_PROGRESS]),
        ("Memories in use", memory_lines(context)),
    ]


def goal_lines(context: CoachContext) -> list[str]:
    if context.goal is None:
        return [NO_GOAL]
    lines = [f"{context.goal} (goal {context.goal_id})"]
    return lines + ([f"Feasibility: {context.feasibility}"] if context.feasibility else [])


def day_lines(context: CoachContext) -> list[str]:
    """The plan's version, then each of the next 14 days; a date with nothing planned says so (the
    coach sees it as a gap between the wids: a rest day within the plan)."""
    if context.plan_id is None:
        return [NO_PLAN]
    head = f"Plan {context.plan_id}, version {context.plan_version}"
    if not context.days:
        return [head, NOTHING_PLANNED]
    planned = {d.date: d for d in context.days}
    dates = (context.today + timedelta(days=i) for i in range(DAYS_AHEAD))
    return [head, *(day_line(planned[d]) if d in planned else _free(d) for d in dates)]


def day_line(day: ContextDay) -> str:
    """'Mon 2 Mar · wid 12 · Intervals 6 × 800 m, hard · 50 min · 9.1 km — <structure>'."""
    when = f"{short_date(day.date)} · wid {day.wid}"
    if day.type is WorkoutType.REST:
        return f"{when} · rest"
    hard = ", hard" if day.hard else ""
    return f"{when} · {day.title}{hard} · {day.minutes} min · {day.km:.1f} km — {day.description}"


def _free(day: date) -> str:
    return f"{short_date(day)} · nothing planned"


def run_line(run: ContextRun) -> str:
    """'Sat 28 Feb · Easy 40 min · 40 min · 6.7 km · done'."""
    return f"{short_date(run.day)} · {run.name} · {run.minutes:.0f} min · {run.km:.1f} km · {run.status}"


def memory_lines(context: CoachContext) -> list[str]:
    """Each memory under its kind's title, kinds in the order the coach reads them."""
    lines = [
        f"{MEMORY_TITLES[kind]}: {m.text}" for kind in MemoryKind for m in context.memories if m.kind is kind
    ]
    return lines or [NO_MEMORIES]
