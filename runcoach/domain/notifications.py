"""Reminders, the pure parts: what a runner wants to be told and when, each notification's key
(one per kind and day or goal verdict), and its words.

Pure: standard library and `runcoach.domain` only; times are given, never read from a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from runcoach.domain.weekly_html import weekly_html
from runcoach.domain.zones import known_zone


class Kind(StrEnum):
    MORNING = "morning"  # today's workout
    WEEKLY = "weekly"  # the week: planned vs done, the goal's verdict
    GOAL = "goal"  # a goal flagged unrealistic


class Delivery(StrEnum):
    """Where a notification stands. `sending` is claimed: a sender that dies there may have handed
    the mail over, so the next one sends at most once more (`resent`) and says so."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    IN_APP = "in_app"  # no mail server set up: shown in the app only
    FAILED = "failed"


class Preferences(BaseModel):
    """A runner's reminder switches, at their own local times."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    morning: bool = Field(default=True, description="Today's workout, each morning a run is planned")
    morning_at: time = Field(default=time(7, 0), description="Local time of the morning reminder")
    attach_fit: bool = Field(default=False, description="Attach the workout's FIT file to it")
    weekly: bool = Field(default=True, description="A summary of the week, on Sunday evening")
    weekly_at: time = Field(default=time(19, 0), description="Local time of the weekly summary (Sunday)")
    goal_alerts: bool = Field(default=True, description="Tell me when a goal is flagged unrealistic")
    timezone: str = Field(default="UTC", min_length=1, max_length=64, description="IANA time zone")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @property
    def zone(self) -> tzinfo:
        return ZoneInfo(self.timezone)


#: The weekly summary goes out on this weekday (Monday 0): the end of the runner's week.
SUMMARY_WEEKDAY = 6


def local_today(now: datetime, prefs: Preferences) -> date:
    return now.astimezone(prefs.zone).date()


def at_local(day: date, moment: time, prefs: Preferences) -> datetime:
    """`moment` on `day` where the runner is, as an aware datetime."""
    return datetime.combine(day, moment, prefs.zone)


def morning_due(now: datetime, prefs: Preferences) -> datetime | None:
    """When today's morning reminder is due, if it is on and due by `now`."""
    due = at_local(local_today(now, prefs), prefs.morning_at, prefs)
    return due if prefs.morning and due <= now else None


def weekly_due(now: datetime, prefs: Preferences) -> datetime | None:
    """When this week's summary is due, if it is on, today is its day and the time has come."""
    today = local_today(now, prefs)
    due = at_local(today, prefs.weekly_at, prefs)
    return due if prefs.weekly and today.weekday() == SUMMARY_WEEKDAY and due <= now else None


def key(kind: Kind, user_id: int, what: str) -> str:
    """One notification per kind, runner and day (or goal verdict): a second replica's sweep, or a
    second sweep after a restart, finds it made."""
    return f"{kind.value}:{user_id}:{what}"


@dataclass(frozen=True, slots=True)
class Message:
    """A notification's words: a title (the mail's subject), a plain-text body, and optionally the
    same as an HTML document (the mail's alternative part; the app shows the text)."""

    title: str
    body: str
    html: str | None = None


def morning_message(day: date, title: str, facts: str, structure: str) -> Message:
    return Message(
        title=f"Today: {title}",
        body=f"{day:%A %d %B}: {title}.\n{facts}\n\n{structure}\n\nHave a good run.",
    )


def rest_message(day: date) -> Message:
    return Message(title="Today is a rest day", body=f"{day:%A %d %B}: no run planned. Rest well.")


@dataclass(frozen=True, slots=True)
class WeekLine:
    day: date
    planned: str  # "Easy 40 min" or "rest"
    done: str  # "done", "partial", "missed", ...
    planned_km: float  # 0 on a rest day
    done_km: float  # every run of the day, planned or not


def weekly_message(
    monday: date, lines: Sequence[WeekLine], planned_km: float, done_km: float, verdict: str | None
) -> Message:
    """The week as a table in text: each day planned and how it went, the volume, the goal; and the
    same in HTML, with a bar chart of each day's kilometres planned and done."""
    rows = [f"{line.day:%a %d}  {line.planned:<28} {line.done}" for line in lines]
    bar = _bar(done_km, planned_km)
    body = [
        f"Week of {monday:%d %B}",
        "",
        *rows,
        "",
        f"Volume: {done_km:.1f} of {planned_km:.1f} km planned  {bar}",
    ]
    if verdict:
        body += ["", f"Goal: {verdict}"]
    return Message(
        title=f"Your week: {done_km:.1f} of {planned_km:.1f} km",
        body="\n".join(body),
        html=weekly_html(monday, lines, planned_km, done_km, verdict),
    )


def _bar(done: float, planned: float, width: int = 20) -> str:
    """A text bar of done over planned, for mail readers that show no images."""
    share = 0.0 if planned <= 0 else min(done / planned, 1.0)
    filled = round(share * width)
    return "[" + "#" * filled + "." * (width - filled) + f"] {share:.0%}"


def goal_message(goal_name: str, reason: str, target: str | None) -> Message:
    body = f"{goal_name} now looks unrealistic: {reason}"
    if target:
        body += f"\n\nWhat would make it realistic: {target}"
    return Message(title=f"Your goal needs a look: {goal_name}", body=body)


#: A notification claimed this many times without being marked sent is not sent again: the
#: first sender may have handed it over before it died, so one more try is all that is allowed.
MAX_CLAIMS = 2
#: The reminders of the past this long are still sent when a server comes back; older ones not.
STALE = timedelta(hours=6)
