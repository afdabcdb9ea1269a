"""The plan as an iCalendar feed (RFC 5545) for phone calendars: one all-day event per planned run.

Pure text: no clock, no database. Each event's UID is the plan and the day's wid, so a calendar
app that refreshes the feed moves an edited workout instead of duplicating it; DTSTAMP is when
the plan version was made, so the feed is the same bytes until the plan changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from runcoach.domain.accounts import Units
from runcoach.domain.paces import clock
from runcoach.domain.plan_model import WorkoutType
from runcoach.domain.plans import CompiledDay
from runcoach.domain.structure import describe
from runcoach.plans import present
from runcoach.plans.service import PlanView

#: RFC 5545 3.1: lines longer than 75 octets are folded.
LINE_OCTETS = 75
PRODUCT = "-//RunCoach//Training plan//EN"


def feed(plan: PlanView | None, *, units: Units, title: str) -> str:
    """The whole calendar, CRLF line endings; an empty calendar without a plan (still a valid feed)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_text(title)}",
    ]
    if plan is not None:
        for day in plan.days:
            if day.day.type is not WorkoutType.REST:
                lines.extend(_event(plan, day, units))
    lines.append("END:VCALENDAR")
    return "".join(f"{folded}\r\n" for line in lines for folded in _fold(line))


def _event(plan: PlanView, c: CompiledDay, units: Units) -> list[str]:
    day = c.day
    plan_id = plan.version.plan.id
    summary = f"{day.title} · {present.distance_text(c.summary.distance_km, units)}"
    if day.structure is not None:
        details = describe(day.structure, plan.profile.paces().zones, units)
        summary += f" · {clock(c.summary.duration_s)}"
    else:
        details = day.title
    return [
        "BEGIN:VEVENT",
        f"UID:plan-{plan_id}-day-{day.wid}@runcoach",
        f"DTSTAMP:{_utc(plan.version.created_at)}",
        f"DTSTART;VALUE=DATE:{day.date:%Y%m%d}",
        f"DTEND;VALUE=DATE:{day.date + timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{_text(summary)}",
        f"DESCRIPTION:{_text(details)}",
        f"CATEGORIES:{day.type.value.upper()}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _text(value: str) -> str:
    """TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return escaped.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _fold(line: str) -> Iterator[str]:
    """Split a line into 75-octet pieces, never inside a UTF-8 character; continuations start with a space."""
    while len(line.encode()) > LINE_OCTETS:
        cut = LINE_OCTETS
        while len(line[:cut].encode()) > LINE_OCTETS:
            cut -= 1
        yield line[:cut]
        line = " " + line[cut:]
    yield line
