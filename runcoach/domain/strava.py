"""Strava, the pure parts: what an activity says, which scopes a connection needs, how long a rate
limit makes us wait, how long a failed job waits, and which planned day an outdoor run counts for.

Pure: standard library and `runcoach.domain` only. Strava's wire format is read loosely (its
`sport_type` is a free string and fields come and go): a field we cannot read is left out, never
guessed, and an activity without an id or a start cannot be stored at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from runcoach.domain.completion import DONE_SHARE
from runcoach.domain.errors import InvalidInput
from runcoach.domain.plan_model import PlannedWorkout, WorkoutType

# --- scopes ---------------------------------------------------------------------------------------

#: What RunCoach asks for: the profile, every activity (private ones too), and uploads.
SCOPES = ("read", "activity:read_all", "activity:write")
READ_SCOPES = frozenset({"activity:read", "activity:read_all"})
WRITE_SCOPE = "activity:write"

MISSING_READ = (
    "Strava did not let RunCoach read your activities, so runs done outdoors cannot count in your "
    "plan. Connect again and leave “View data about your activities” ticked."
)
MISSING_WRITE = (
    "Strava did not let RunCoach upload activities, so treadmill runs cannot be sent to Strava. "
    "Connect again and leave “Upload your activities from RunCoach to Strava” ticked."
)
ONLY_PUBLIC = (
    "RunCoach may read only your public activities: runs you keep private on Strava will not be "
    "imported. Connect again and allow private activities to import them too."
)


def parse_scopes(granted: str | None) -> frozenset[str]:
    """Strava's comma-separated scope string (spaces tolerated) as a set."""
    return frozenset(s.strip() for s in (granted or "").replace(" ", ",").split(",") if s.strip())


def can_read(scopes: frozenset[str]) -> bool:
    return bool(scopes & READ_SCOPES)


def can_write(scopes: frozenset[str]) -> bool:
    return WRITE_SCOPE in scopes


def scope_problems(scopes: frozenset[str]) -> tuple[str, ...]:
    """One sentence per thing the granted scopes leave out, in the order a runner cares."""
    problems = []
    if not can_read(scopes):
        problems.append(MISSING_READ)
    elif "activity:read_all" not in scopes:
        problems.append(ONLY_PUBLIC)
    if not can_write(scopes):
        problems.append(MISSING_WRITE)
    return tuple(problems)


# --- activities -----------------------------------------------------------------------------------

#: sport_type (or the older `type`) values that are running, lower-cased without separators.
RUNNING = frozenset({"run", "trailrun", "virtualrun", "treadmill", "treadmillrun", "running"})
#: Strava's ids are 64-bit: anything larger (or not positive) is not an activity id.
MAX_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Activity:
    """A Strava activity as RunCoach reads it."""

    strava_id: int
    name: str
    sport_type: str
    start: datetime  # UTC
    day: date  # the local date Strava gives (start_date_local), where the runner was
    distance_m: float
    moving_s: float
    elapsed_s: float
    trainer: bool
    external_id: str | None
    average_heartrate: float | None = None

    @property
    def is_run(self) -> bool:
        return _key(self.sport_type) in RUNNING

    @property
    def distance_km(self) -> float:
        return self.distance_m / 1000


def _key(value: str) -> str:
    return "".join(ch for ch in value.lower() if ch.isalnum())


def strava_id(value: Any) -> int | None:
    """A Strava object id, or None for anything that is not one (strings of digits are accepted)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value
    return None


def parse_activity(raw: Mapping[str, Any]) -> Activity:
    """The activity in Strava's JSON; InvalidInput when it has no usable id or start."""
    ident = strava_id(raw.get("id"))
    start = _instant(raw.get("start_date"))
    if ident is None or start is None:
        raise InvalidInput("activity", "A Strava activity needs an id and a start date")
    local = _instant(raw.get("start_date_local"), naive_ok=True)
    return Activity(
        strava_id=ident,
        name=_text(raw.get("name"), "Strava activity")[:200],
        sport_type=_text(raw.get("sport_type") or raw.get("type"), "Workout")[:40],
        start=start,
        day=(local or start).date(),
        distance_m=_amount(raw.get("distance")),
        moving_s=_amount(raw.get("moving_time")),
        elapsed_s=_amount(raw.get("elapsed_time")),
        trainer=raw.get("trainer") is True,
        external_id=_text(raw.get("external_id"), "")[:200] or None,
        average_heartrate=_amount(raw.get("average_heartrate")) or None,
    )


def _text(value: Any, default: str) -> str:
    return value.strip() if isinstance(value, str) and value.strip() else default


def _amount(value: Any) -> float:
    """A non-negative finite number, else 0 (Strava leaves distance out of a manual yoga entry)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    number = float(value)
    return number if math.isfinite(number) and 0 <= number < 1e9 else 0.0


def _instant(value: Any, *, naive_ok: bool = False) -> datetime | None:
    """An ISO 8601 time ("2026-01-02T06:30:00Z"); start_date_local is the local wall time, which
    Strava marks with a Z it does not mean, so for it the zone is dropped."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if naive_ok:
        return parsed.replace(tzinfo=None)
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- webhook events -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Event:
    """A webhook event: an activity created, updated or deleted, or an athlete's deauthorization."""

    object_type: str  # "activity" or "athlete"
    object_id: int
    aspect_type: str  # "create", "update", "delete"
    owner_id: int
    event_time: int
    deauthorized: bool

    @property
    def key(self) -> str:
        """The same for Strava's retries of one event, different for a later event."""
        return f"strava:event:{self.object_type}:{self.object_id}:{self.aspect_type}:{self.event_time}"


ASPECTS = frozenset({"create", "update", "delete"})


def parse_event(raw: Any) -> Event:
    """A webhook POST's JSON; InvalidInput for anything that is not a Strava event."""
    if not isinstance(raw, Mapping):
        raise InvalidInput("event", "A Strava event is a JSON object")
    object_id, owner_id = strava_id(raw.get("object_id")), strava_id(raw.get("owner_id"))
    object_type, aspect = raw.get("object_type"), raw.get("aspect_type")
    event_time = raw.get("event_time")
    if (
        object_id is None
        or owner_id is None
        or object_type not in ("activity", "athlete")
        or aspect not in ASPECTS
        or isinstance(event_time, bool)
        or not isinstance(event_time, int)
    ):
        raise InvalidInput("event", "Not a Strava event: object_type, object_id, aspect_type, owner_id")
    updates = raw.get("updates")
    # Strava sends "false" as a string; a boolean is accepted too.
    revoked = isinstance(updates, Mapping) and str(updates.get("authorized", "")).lower() == "false"
    return Event(object_type, object_id, aspect, owner_id, event_time, object_type == "athlete" and revoked)


# --- rate limits ----------------------------------------------------------------------------------

#: Requests kept in reserve below each limit: other jobs, a webhook fetch, an upload poll.
RESERVE = 2


@dataclass(frozen=True, slots=True)
class Usage:
    """One of Strava's limit pairs: used and allowed in the 15-minute window and the day."""

    used_15: int
    limit_15: int
    used_day: int
    limit_day: int


def parse_usage(limit: str | None, usage: str | None) -> Usage | None:
    """The "15min,daily" header pair, or None when either is missing or unreadable."""
    try:
        limit_15, limit_day = (int(x) for x in (limit or "").split(","))
        used_15, used_day = (int(x) for x in (usage or "").split(","))
    except ValueError:
        return None
    return Usage(used_15, limit_15, used_day, limit_day)


def next_quarter(now: datetime) -> datetime:
    """The next quarter hour (UTC): when Strava's 15-minute windows reset."""
    base = now.astimezone(UTC).replace(second=0, microsecond=0)
    return base.replace(minute=base.minute - base.minute % 15) + timedelta(minutes=15)


def next_midnight(now: datetime) -> datetime:
    base = now.astimezone(UTC)
    return datetime.combine(base.date() + timedelta(days=1), datetime.min.time(), UTC)


def wait_for(usages: Iterable[Usage | None], now: datetime, *, margin_s: float = 1.0) -> float:
    """Seconds to wait before the next request so no limit is crossed: 0 while there is room,
    else until the window that is full resets (and `margin_s` more, for clocks that differ)."""
    until = now
    for usage in usages:
        if usage is None:
            continue
        if usage.used_day >= usage.limit_day - RESERVE:
            until = max(until, next_midnight(now))
        elif usage.used_15 >= usage.limit_15 - RESERVE:
            until = max(until, next_quarter(now))
    return 0.0 if until == now else (until - now).total_seconds() + margin_s


# --- retries --------------------------------------------------------------------------------------

#: A job is tried this many times before it is given up and shown as failed.
MAX_ATTEMPTS = 8


def backoff_s(attempt: int) -> float:
    """Seconds before try `attempt + 1` of a failed job: 30 s, 1 min, 2 min ... at most an hour."""
    return float(min(30 * 2 ** max(attempt - 1, 0), 3600))


# --- matching runs to the plan --------------------------------------------------------------------

#: A run counts for a neighbouring day only when it is a similar workout: this share of its time.
SIMILAR = (0.6, 1.5)


def counts_for(
    activity: Activity, planned: Mapping[date, PlannedWorkout], taken: Iterable[date] = ()
) -> date | None:
    """The planned day a run counts for: its own local day when a run is planned that day, else the
    nearest day within one whose planned run is still open (`taken` days have a run already) and
    is the same kind of effort (about as long: `SIMILAR`). None when it matches nothing: it is then
    an extra run on its own day."""
    if not activity.is_run:
        return None
    same = planned.get(activity.day)
    if same is not None and same.type is not WorkoutType.REST:
        return activity.day
    busy = set(taken)
    candidates = [
        day
        for day in (activity.day - timedelta(days=1), activity.day + timedelta(days=1))
        if day not in busy and _similar(activity, planned.get(day))
    ]
    return min(candidates, key=lambda d: _gap(activity, planned[d]), default=None)


def _similar(activity: Activity, planned: PlannedWorkout | None) -> bool:
    if planned is None or planned.type is WorkoutType.REST or planned.duration_s <= 0:
        return False
    low, high = SIMILAR
    return low <= activity.moving_s / planned.duration_s <= high


def _gap(activity: Activity, planned: PlannedWorkout) -> float:
    return abs(activity.moving_s - planned.duration_s)


def covered_plan(activity: Activity, planned: PlannedWorkout | None) -> bool:
    """Whether the run covered its planned day by distance (the time test is completion's own)."""
    return (
        planned is not None
        and planned.distance_km > 0
        and activity.distance_km >= DONE_SHARE * planned.distance_km
    )


def match_all(
    activities: Sequence[Activity],
    planned: Mapping[date, PlannedWorkout],
    taken: Iterable[date] = (),
    manual: Mapping[int, date | None] | None = None,
) -> dict[int, date | None]:
    """Each activity's day (by Strava id), oldest first so an earlier run claims a day first.

    `manual` holds the runner's own choices (a day, or None for "no planned day"), which win.
    """
    chosen = dict(manual or {})
    busy = set(taken) | {d for d in chosen.values() if d is not None}
    for activity in sorted(activities, key=lambda a: a.start):
        if activity.strava_id in chosen:
            continue
        day = counts_for(activity, planned, busy)
        chosen[activity.strava_id] = day
        if day is not None:
            busy.add(day)
    return chosen


# --- records --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Account:
    """A runner's Strava connection as stored; the tokens are the encrypted text, never clear."""

    user_id: int
    athlete_id: int
    athlete_name: str
    scopes: frozenset[str]
    access_token: str
    refresh_token: str
    expires_at: datetime
    connected_at: datetime
    last_sync_at: datetime | None
    backfill_from: datetime
    backfill_cursor: datetime | None
    backfill_done_at: datetime | None
    problem: str | None
    auto_upload: bool

    def backfill_share(self, now: datetime) -> float:
        """How much of the backfill's time span is imported: 0 to 1 (1 once it ended).

        The number of activities is not known until the last page, but their dates are: the
        backfill walks forward in time, so the share of the span behind the cursor is its progress.
        """
        if self.backfill_done_at is not None:
            return 1.0
        if self.backfill_cursor is None:
            return 0.0
        span = (now - self.backfill_from).total_seconds()
        done = (self.backfill_cursor - self.backfill_from).total_seconds()
        return min(max(done / span, 0.0), 0.99) if span > 0 else 0.0


@dataclass(frozen=True, slots=True)
class StoredActivity:
    """An imported activity with the runner's own matching, if any (`manual`; `match_day` None
    then means "counts for no planned day")."""

    activity: Activity
    manual: bool
    match_day: date | None


class UploadStatus(StrEnum):
    CLAIMED = "claimed"
    PROCESSING = "processing"
    DONE = "done"
    DUPLICATE = "duplicate"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Upload:
    """The one upload of a run session."""

    session_id: int
    owner_id: int
    external_id: str
    status: str
    upload_id: int | None
    activity_id: int | None
    error: str | None
    updated_at: datetime

    @property
    def over(self) -> bool:
        return self.status in (UploadStatus.DONE, UploadStatus.DUPLICATE, UploadStatus.FAILED)


#: Strava's answer to a file it already has: "run.fit duplicate of activity 123456789".
def duplicate_of(error: str | None) -> int | None:
    """The activity id in Strava's "duplicate of activity N" upload error, else None."""
    if not error or "duplicate of" not in error:
        return None
    digits = "".join(ch if ch.isdigit() else " " for ch in error.split("duplicate of", 1)[1]).split()
    return strava_id(digits[0]) if digits else None


def external_id(installation: str, session_id: int) -> str:
    """The upload's external id: unique to this session of this RunCoach installation."""
    return f"runcoach-{installation}-session-{session_id}.fit"
