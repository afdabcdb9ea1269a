"""The pure parts of Strava sync: reading activities and events loosely, scopes, rate-limit waits,
retries, Strava's duplicate answer, and which planned day a run counts for."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from runcoach.domain.errors import InvalidInput
from runcoach.domain.plan_model import PlannedWorkout, WorkoutType
from runcoach.domain.strava import (
    MISSING_READ,
    MISSING_WRITE,
    ONLY_PUBLIC,
    Activity,
    Usage,
    backoff_s,
    counts_for,
    duplicate_of,
    match_all,
    next_midnight,
    next_quarter,
    parse_activity,
    parse_event,
    parse_scopes,
    parse_usage,
    scope_problems,
    wait_for,
)

RAW: dict[str, Any] = {
    "id": 12_345_678_901,
    "name": "Morning Run",
    "sport_type": "Run",
    "start_date": "2026-03-01T06:30:00Z",
    "start_date_local": "2026-03-01T07:30:00Z",
    "distance": 8012.5,
    "moving_time": 2700,
    "elapsed_time": 2760,
    "trainer": False,
    "external_id": "garmin_push_1",
    "average_heartrate": 145.2,
}


def test_an_activity_reads_strava_s_fields_and_its_local_day() -> None:
    activity = parse_activity(RAW)
    assert activity.strava_id == RAW["id"] and activity.is_run
    assert activity.start == datetime(2026, 3, 1, 6, 30, tzinfo=UTC)
    assert activity.day == date(2026, 3, 1)
    assert (activity.distance_km, activity.moving_s) == (8.0125, 2700)


def test_the_local_day_is_strava_s_local_date_not_the_utc_one() -> None:
    late = parse_activity(
        RAW | {"start_date": "2026-03-01T23:30:00Z", "start_date_local": "2026-03-02T00:30:00Z"}
    )
    assert late.day == date(2026, 3, 2)


@pytest.mark.parametrize(
    ("changes", "check"),
    [
        ({"sport_type": "TrailRun"}, lambda a: a.is_run),
        ({"sport_type": None, "type": "VirtualRun"}, lambda a: a.is_run),
        ({"sport_type": "Ride"}, lambda a: not a.is_run),
        ({"sport_type": "treadmill_run"}, lambda a: a.is_run),
        ({"distance": float("nan")}, lambda a: a.distance_m == 0),
        ({"distance": -5}, lambda a: a.distance_m == 0),
        ({"distance": "8000"}, lambda a: a.distance_m == 0),
        ({"moving_time": True}, lambda a: a.moving_s == 0),
        ({"name": ""}, lambda a: a.name == "Strava activity"),
        ({"name": "x" * 5000}, lambda a: len(a.name) == 200),
        ({"id": "12345"}, lambda a: a.strava_id == 12345),
        ({"start_date_local": "garbage"}, lambda a: a.day == date(2026, 3, 1)),
        ({"external_id": None}, lambda a: a.external_id is None),
        ({"trainer": "yes"}, lambda a: not a.trainer),
    ],
)
def test_odd_fields_are_read_loosely(changes: dict[str, Any], check: Any) -> None:
    assert check(parse_activity(RAW | changes))


@pytest.mark.parametrize(
    "changes",
    [{"id": None}, {"id": 0}, {"id": 2**63}, {"id": True}, {"start_date": None}, {"start_date": "yesterday"}],
)
def test_an_activity_without_an_id_or_a_start_cannot_be_stored(changes: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        parse_activity(RAW | changes)


ATHLETE_UPDATE = {
    "object_type": "athlete",
    "object_id": 9,
    "aspect_type": "update",
    "owner_id": 9,
    "event_time": 1,
}


@pytest.mark.parametrize(
    ("updates", "revoked"),
    [({"authorized": "false"}, True), ({"authorized": False}, True), ({"title": "x"}, False), (None, False)],
)
def test_a_deauthorization_is_read_from_the_string_strava_sends(updates: object, revoked: bool) -> None:
    assert parse_event(ATHLETE_UPDATE | {"updates": updates}).deauthorized is revoked


def test_strava_s_retries_of_an_event_share_a_key_and_a_later_event_does_not() -> None:
    body = {
        "object_type": "activity",
        "object_id": 5,
        "aspect_type": "update",
        "owner_id": 9,
        "event_time": 100,
    }
    assert parse_event(body).key == parse_event(dict(body)).key
    assert parse_event(body).key != parse_event(body | {"event_time": 101}).key


@pytest.mark.parametrize(
    ("granted", "problems"),
    [
        ("read,activity:read_all,activity:write", ()),
        ("read,activity:read,activity:write", (ONLY_PUBLIC,)),
        ("read", (MISSING_READ, MISSING_WRITE)),
        ("", (MISSING_READ, MISSING_WRITE)),
        (" read, activity:read_all ", (MISSING_WRITE,)),
    ],
)
def test_each_scope_left_out_has_its_sentence(granted: str, problems: tuple[str, ...]) -> None:
    assert scope_problems(parse_scopes(granted)) == problems


def test_windows_reset_on_the_quarter_hour_and_at_midnight_utc() -> None:
    assert next_quarter(datetime(2026, 3, 1, 6, 14, 59, tzinfo=UTC)) == datetime(
        2026, 3, 1, 6, 15, tzinfo=UTC
    )
    assert next_quarter(datetime(2026, 3, 1, 6, 15, tzinfo=UTC)) == datetime(2026, 3, 1, 6, 30, tzinfo=UTC)
    assert next_quarter(datetime(2026, 3, 1, 23, 50, tzinfo=UTC)) == datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    assert next_midnight(datetime(2026, 3, 1, 23, 50, tzinfo=UTC)) == datetime(2026, 3, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("usage", "wait_s"),
    [
        (Usage(10, 100, 10, 1000), 0.0),
        (Usage(98, 100, 98, 1000), 5 * 60 + 1.0),  # two kept in reserve: wait for :15
        (Usage(10, 100, 998, 1000), 17 * 3600 + 50 * 60 + 1.0),  # the day is used up: midnight
        (None, 0.0),
    ],
)
def test_the_wait_is_until_the_full_window_resets(usage: Usage | None, wait_s: float) -> None:
    now = datetime(2026, 3, 1, 6, 10, tzinfo=UTC)
    assert wait_for([usage], now) == pytest.approx(wait_s)


@pytest.mark.parametrize(
    ("limit", "usage"), [(None, "1,2"), ("100", "1,2"), ("a,b", "1,2"), ("100,1000", "")]
)
def test_unreadable_rate_headers_are_no_usage(limit: str | None, usage: str) -> None:
    assert parse_usage(limit, usage) is None


def test_failed_jobs_wait_longer_each_time_up_to_an_hour() -> None:
    waits = [backoff_s(n) for n in range(1, 12)]
    assert waits[:3] == [30, 60, 120] and waits == sorted(waits) and waits[-1] == 3600


@pytest.mark.parametrize(
    ("error", "found"),
    [
        ("run.fit duplicate of activity 123456789", 123456789),
        ("x.fit duplicate of <a href='/activities/987'>987</a>", 987),
        ("Improperly formatted data.", None),
        (None, None),
        ("duplicate of activity", None),
    ],
)
def test_strava_s_duplicate_answer_names_the_activity(error: str | None, found: int | None) -> None:
    assert duplicate_of(error) == found


# --- matching -------------------------------------------------------------------------------------

MON = date(2026, 3, 2)


def planned(day: date, kind: WorkoutType = WorkoutType.EASY, minutes: int = 40) -> PlannedWorkout:
    return PlannedWorkout(
        date=day, type=kind, duration_s=minutes * 60, distance_km=minutes / 6, easy_duration_s=minutes * 60,
        min_speed_kmh=10.0, max_speed_kmh=12.0, max_incline_pct=1.0,
    )  # fmt: skip


def run(day: date, minutes: float = 40, sport: str = "Run", ident: int = 1, hour: int = 7) -> Activity:
    start = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hour)
    return Activity(ident, "Run", sport, start, day, minutes * 160, minutes * 60, minutes * 60, False, None)


PLAN = {MON: planned(MON), MON + timedelta(days=2): planned(MON + timedelta(days=2), WorkoutType.TEMPO, 50)}


@pytest.mark.parametrize(
    ("activity", "taken", "expected"),
    [
        (run(MON), (), MON),  # its own planned day
        (run(MON, minutes=5), (), MON),  # same day counts, however short (partial)
        (run(MON + timedelta(days=1)), (MON,), MON + timedelta(days=2)),  # Monday done: Wednesday
        (run(MON + timedelta(days=1), minutes=40), (), MON),  # nearer in length to Monday's 40
        (run(MON + timedelta(days=1), minutes=52), (), MON + timedelta(days=2)),  # nearer Wednesday's 50
        (run(MON + timedelta(days=1), minutes=10), (), None),  # not the same kind of effort
        (run(MON + timedelta(days=1)), (MON, MON + timedelta(days=2)), None),  # both taken: an extra
        (run(MON + timedelta(days=5)), (), None),  # nothing within a day
        (run(MON, sport="Ride"), (), None),  # not a run
    ],
)
def test_a_run_counts_for_its_day_or_the_nearest_open_one_like_it(
    activity: Activity, taken: tuple[date, ...], expected: date | None
) -> None:
    assert counts_for(activity, PLAN, taken) == expected


def test_an_earlier_run_claims_a_day_first_and_the_runners_choice_wins() -> None:
    tue_morning = run(MON + timedelta(days=1), ident=2, hour=6)
    tue_evening = run(MON + timedelta(days=1), ident=3, hour=19)
    wednesday = MON + timedelta(days=2)
    assert match_all([tue_evening, tue_morning], PLAN) == {2: MON, 3: wednesday}
    assert match_all([tue_evening, tue_morning], PLAN, manual={2: None}) == {2: None, 3: MON}
