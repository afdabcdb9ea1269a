"""The plan pages' pure helpers: texts in the runner's units, the calendar's range and navigation,
the grid's HTML, the volume chart, segment rows and the edit history."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from runcoach.domain.accounts import Units
from runcoach.domain.errors import NotFound
from runcoach.domain.paces import Zone
from runcoach.domain.plan_model import WorkoutType as T
from runcoach.domain.plans import Author, CompiledDay, DayPlan, PlanInfo, PlanVersion, compile_day
from runcoach.domain.rules import weekday_date
from runcoach.domain.structure import Treadmill, target_kmh
from runcoach.plans import present
from runcoach.plans.calendar import Calendar, CalendarDay, DayStatus, RunDone, WeekVolume
from runcoach.plans.present import CalendarView as V
from tests.helpers import EDIT_TREADMILL, EDIT_ZONES, build_workout, edits_plan

THU = date(2026, 11, 26)


def compiled(
    kind: T = T.EASY, minutes: int = 40, day: date = THU, wid: int = 1, title: str = ""
) -> CompiledDay:
    structure = None if kind in (T.REST, T.RACE) else build_workout(kind, minutes)
    plan = DayPlan(
        wid=wid,
        date=day,
        type=kind,
        hard=kind in (T.TEMPO, T.INTERVALS),
        title=title or f"{kind.value.title()} {minutes} min",
        structure=structure,
    )
    return compile_day(plan, EDIT_ZONES, EDIT_TREADMILL, None)


def a_run(km: float, day: date = THU) -> RunDone:
    return RunDone(1, "Run", day, True, 1800.0, km, True, None, None)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 min"), (45 * 60, "45 min"), (3600, "1 h"), (5400, "1 h 30 min"), (89.6, "1 min"), (7199, "2 h")],
)
def test_durations_read_in_whole_minutes_and_hours(seconds: float, text: str) -> None:
    assert present.duration_text(seconds) == text


@pytest.mark.parametrize(
    ("km", "units", "text"),
    [(8.24, Units.METRIC, "8.2 km"), (8.04672, Units.IMPERIAL, "5.0 mi"), (0.0, Units.IMPERIAL, "0.0 mi")],
)
def test_distances_read_in_the_runners_units(km: float, units: Units, text: str) -> None:
    assert present.distance_text(km, units) == text


def test_a_day_reads_as_its_time_and_distance_and_a_rest_day_as_rest() -> None:
    easy = compiled(T.EASY, 40)
    km = 40 / 60 * target_kmh(Zone.EASY, EDIT_ZONES)
    assert present.day_facts(easy, Units.METRIC) == f"40 min · {km:.1f} km"
    assert present.day_facts(compiled(T.REST), Units.METRIC) == "Rest"


def test_dates_read_as_a_coach_says_them() -> None:
    assert weekday_date(THU) == "Thursday 26 November"
    assert present.short_date(THU) == "Thu 26 Nov"
    assert present.next_line(compiled(T.TEMPO, 45, title="Tempo 45 min")) == (
        "Next: Thursday 26 November, Tempo 45 min"
    )


def test_the_next_planned_day_is_after_today_and_skips_rest() -> None:
    days = [
        compiled(T.EASY, day=date(2026, 11, 25), wid=1),
        compiled(T.EASY, day=THU, wid=2),
        compiled(T.REST, day=date(2026, 11, 27), wid=3),
        compiled(T.TEMPO, 45, day=date(2026, 11, 28), wid=4),
    ]
    found = present.next_planned(days, THU)
    assert found is not None and found.day.wid == 4
    assert present.next_planned(days, date(2026, 11, 28)) is None


@pytest.mark.parametrize(
    ("kind", "day", "runs"),
    [
        (T.EASY, THU, True),
        (T.EASY, date(2026, 12, 1), True),
        (T.EASY, date(2026, 11, 25), False),
        (T.REST, THU, False),
    ],
)
def test_only_a_day_with_a_program_today_or_later_can_be_run(kind: T, day: date, runs: bool) -> None:
    assert present.can_run(compiled(kind, day=day), THU) is runs


@pytest.mark.parametrize(
    ("view", "day", "first", "last"),
    [
        (V.MONTH, THU, date(2026, 10, 26), date(2026, 12, 6)),  # November 2026: Sun 1st to Mon 30th
        (V.MONTH, date(2021, 2, 14), date(2021, 2, 1), date(2021, 2, 28)),  # four whole weeks
        (V.WEEK, THU, date(2026, 11, 23), date(2026, 11, 29)),
        (V.WEEK, date(2026, 11, 23), date(2026, 11, 23), date(2026, 11, 29)),
    ],
)
def test_the_calendar_shows_whole_weeks_around_the_month_or_week(
    view: V, day: date, first: date, last: date
) -> None:
    assert present.calendar_range(view, day) == (first, last)


@pytest.mark.parametrize(
    ("view", "day", "step", "expected"),
    [
        (V.MONTH, THU, 1, date(2026, 12, 1)),
        (V.MONTH, date(2026, 12, 31), 1, date(2027, 1, 1)),
        (V.MONTH, date(2026, 1, 31), -1, date(2025, 12, 1)),
        (V.WEEK, THU, -1, date(2026, 11, 19)),
        (V.WEEK, date(2026, 12, 29), 1, date(2027, 1, 5)),
    ],
)
def test_the_arrows_move_one_month_or_one_week(view: V, day: date, step: int, expected: date) -> None:
    assert present.shifted(view, day, step) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-02", date(2026, 11, 2)),
        ("", THU),
        (None, THU),
        ("soon", THU),
        ("0001-01-01", THU),
        ("9999-12-31", THU),
    ],
)
def test_a_day_in_the_url_that_cannot_be_shown_is_today(text: str | None, expected: date) -> None:
    assert present.parse_day(text, THU) == expected


@pytest.mark.parametrize(
    ("text", "view"), [("week", V.WEEK), ("month", V.MONTH), ("", V.MONTH), ("year", V.MONTH)]
)
def test_the_view_in_the_url_defaults_to_the_month(text: str, view: V) -> None:
    assert present.parse_view(text) is view


def test_urls_and_titles_of_the_calendar() -> None:
    assert present.calendar_url(V.WEEK, THU) == "/plan?view=week&day=2026-11-26"
    assert present.range_title(V.MONTH, THU) == "November 2026"
    assert present.range_title(V.WEEK, THU) == "Week of Monday 23 November 2026"
    assert present.workout_url(5) == "/plan/workouts/5"
    assert present.workout_url(5, 3) == "/plan/workouts/5?plan=3"


@pytest.mark.parametrize("text", ["x", "0", "-1", str(2**31), "1e3"])
def test_ids_that_cannot_name_a_row_are_not_found(text: str) -> None:
    with pytest.raises(NotFound):
        present.parse_wid(text)
    with pytest.raises(NotFound):
        present.parse_plan_id(text)


def test_no_plan_id_means_the_active_plan() -> None:
    assert present.parse_plan_id("") is None
    assert present.parse_plan_id("12") == 12


def a_calendar(days: list[CalendarDay], today: date = THU) -> Calendar:
    return Calendar(None, tuple(days), (), today)


def test_the_grid_escapes_titles_links_each_workout_and_marks_today() -> None:
    evil = compiled(T.EASY, title="<script>alert(1)</script>", wid=9)
    cal = a_calendar(
        [
            CalendarDay(
                date(2026, 11, 25), compiled(T.TEMPO, 45, date(2026, 11, 25), 8), (), DayStatus.MISSED, False
            ),
            CalendarDay(THU, evil, (), DayStatus.PLANNED, True),
            CalendarDay(date(2026, 11, 27), None, (a_run(5.0, date(2026, 11, 27)),), DayStatus.DONE, False),
            CalendarDay(
                date(2026, 11, 28),
                compiled(T.REST, day=date(2026, 11, 28), wid=10),
                (),
                DayStatus.REST,
                False,
            ),
        ]
    )
    page = present.calendar_html(cal, V.MONTH, THU, Units.METRIC, {})
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="/plan/workouts/9"' in page and 'href="/plan/workouts/8"' in page
    assert page.count("rc-today") == 1 and 'rc-today" data-date="2026-11-26"' in page
    assert "missed" in page and "done ✓" not in page  # the unplanned run says what it was instead
    assert "Ran 5.0 km" in page
    assert f"border-color:{present.TYPE_COLOUR[T.TEMPO]}" in page
    assert page.count('class="rc-head"') == 7


def test_the_month_greys_days_of_other_months_and_the_week_shows_structure_text() -> None:
    outside = date(2026, 12, 1)
    cal = a_calendar([CalendarDay(outside, compiled(day=outside), (), DayStatus.PLANNED, False)])
    month = present.calendar_html(cal, V.MONTH, THU, Units.METRIC, {1: "40 min E"})
    assert "rc-day rc-out" in month and "40 min E" not in month
    week = present.calendar_html(cal, V.WEEK, outside, Units.METRIC, {1: "40 min E"})
    assert "rc-out" not in week and "40 min E" in week and "Tue 1" in week


def test_every_workout_type_has_a_colour_a_label_and_rest_is_grey() -> None:
    assert set(present.TYPE_COLOUR) == set(T) == set(present.TYPE_LABEL)
    assert len(set(present.TYPE_COLOUR.values())) == len(T)


def test_the_week_volume_counts_planned_days_and_every_run() -> None:
    days = [
        CalendarDay(THU, compiled(T.EASY, 40), (a_run(6.0),), DayStatus.DONE, True),
        CalendarDay(date(2026, 11, 27), None, (a_run(2.5),), DayStatus.DONE, False),
    ]
    planned, done = present.week_volume(days)
    assert planned == pytest.approx(compiled(T.EASY, 40).summary.distance_km)
    assert done == pytest.approx(8.5)
    assert present.volume_text(10.0, 8.5, Units.METRIC) == "8.5 of 10.0 km done"
    assert present.volume_text(16.09344, 8.04672, Units.IMPERIAL) == "5.0 of 10.0 mi done"


def test_the_volume_chart_has_planned_and_done_per_week_in_miles_with_this_week_outlined() -> None:
    weeks = [
        WeekVolume(date(2026, 11, 16), 16.09344, 16.09344),
        WeekVolume(date(2026, 11, 23), 32.18688, 0.0),
    ]
    options = present.volume_chart(weeks, Units.IMPERIAL, THU)
    assert options["xAxis"]["data"] == ["16 Nov", "23 Nov"]
    planned, done = options["series"]
    assert (planned["name"], done["name"]) == ("Planned mi", "Done mi")
    assert planned["data"][0] == 10.0 and done["data"][0] == 10.0
    assert planned["data"][1]["value"] == 20.0 and done["data"][1] == 0.0
    assert planned["data"][1]["itemStyle"]["borderWidth"] == 2


def test_segment_rows_show_the_console_number_and_the_belts_pace() -> None:
    treadmill = Treadmill(min_speed_kmh=1.0, max_speed_kmh=20.0, max_incline_pct=15.0, calibration=1.05)
    day = DayPlan(
        wid=1,
        date=THU,
        type=T.INTERVALS,
        hard=True,
        title="Intervals",
        structure=build_workout(T.INTERVALS, 40),
    )
    found = compile_day(day, EDIT_ZONES, treadmill, None)
    assert found.program is not None
    rows = present.segment_rows(found, Units.METRIC, treadmill)
    assert [r["zone"] for r in rows[:3]] == ["E", "I", "E"]
    first = found.program.segments[0]
    assert rows[0]["console"] == f"{first.speed_kmh:.1f}"
    belt_pace_s = round(3600 / (first.speed_kmh * 1.05))
    assert rows[0]["pace"] == f"{belt_pace_s // 60}:{belt_pace_s % 60:02d}"
    miles = present.segment_rows(found, Units.IMPERIAL, treadmill)
    assert miles[0]["console"] == f"{first.speed_kmh / 1.609344:.1f}"
    columns = [c["label"] for c in present.segment_columns(Units.IMPERIAL)]
    assert "Console mph" in columns and "Pace min/mi" in columns
    assert present.segment_rows(compiled(T.REST), Units.METRIC, treadmill) == []


def test_the_profile_chart_speaks_miles_per_hour_for_an_imperial_runner() -> None:
    day = compiled(T.TEMPO, 40)
    assert day.program is not None
    metric = present.profile_chart(day.program.segments, Units.METRIC)
    imperial = present.profile_chart(day.program.segments, Units.IMPERIAL)
    assert imperial["series"][0]["name"] == "Speed mph" and imperial["yAxis"][0]["name"] == "mph"
    kmh = metric["series"][0]["data"][1][1]
    assert imperial["series"][0]["data"][1][1] == round(kmh / 1.609344, 1)
    assert imperial["series"][1] == metric["series"][1]


def version(number: int, changes: list[dict[str, object]], author: Author = Author.RUNNER) -> PlanVersion:
    moment = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    draft = edits_plan()
    info = PlanInfo(
        id=1,
        owner_id=1,
        goal_id=None,
        methodology=draft.methodology,
        seed=1,
        created_at=moment,
        archived_at=None,
    )
    return PlanVersion(
        plan=info,
        number=number,
        is_current=False,
        created_by=author,
        reason=f"why {number}",
        draft=draft,
        changes=tuple(changes),
        created_at=moment,
    )


def test_the_history_lists_the_versions_that_touched_the_workout_before_and_after() -> None:
    draft = edits_plan()
    wed = draft.days[1]  # Wed 5 March, 60 min easy
    moved = wed.model_copy(update={"date": date(2025, 3, 7)})
    rested = moved.model_copy(update={"type": T.REST, "title": "Rest", "structure": None})
    dump = lambda d: d.model_dump(mode="json")  # noqa: E731
    versions = [
        version(4, [{"wid": 99, "before": None, "after": None}]),
        version(3, [{"wid": wed.wid, "before": dump(moved), "after": dump(rested)}], Author.COACH),
        version(2, [{"wid": wed.wid, "before": dump(wed), "after": dump(moved)}]),
        version(1, []),
    ]
    entries = present.history(versions, wed.wid, EDIT_ZONES, EDIT_TREADMILL)
    assert [e.version for e in entries] == [3, 2]
    assert entries[1].before == f"Wed 5 Mar: {wed.title} (easy, 1 h)"
    assert entries[1].after == f"Fri 7 Mar: {wed.title} (easy, 1 h)"
    assert (entries[0].author, entries[0].reason, entries[0].after) == (
        "the coach",
        "why 3",
        "Fri 7 Mar: Rest (rest)",
    )
    assert entries[1].author == "you" and entries[1].when == "2025-03-01 08:30"


def test_a_day_added_or_removed_reads_as_nothing_on_its_missing_side() -> None:
    assert present.day_text(None, EDIT_ZONES, EDIT_TREADMILL) == "nothing"
    assert "cannot read" in present.day_text({"wid": "x"}, EDIT_ZONES, EDIT_TREADMILL)


def test_the_caption_and_goal_line_of_a_plan() -> None:
    plan = version(3, [])
    assert present.plan_caption(plan) == "Daniels methodology · version 3 · 4 weeks, 3 Mar to 30 Mar 2025"
    assert present.goal_line(plan.draft, None) == "Goal: 10K on 2025-03-30"
    assert present.goal_line(plan.draft, "10K on 2025-03-30 in 45:00") == "Goal: 10K on 2025-03-30 in 45:00"
