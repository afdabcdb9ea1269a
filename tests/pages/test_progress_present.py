"""How the progress figures read and chart, without a page: words, units, and the charts' options."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from runcoach.coach import present
from runcoach.domain.accounts import Units
from runcoach.domain.plans import compile_plan
from runcoach.domain.progress import Piece, PlannedDays, Progress, Run, progress
from tests.helpers import EDIT_TREADMILL, EDIT_ZONES, edits_plan

WED = date(2026, 3, 18)
MONDAY = date(2026, 3, 16)
WEEK = timedelta(weeks=1)
METRIC, IMPERIAL = Units.METRIC, Units.IMPERIAL


def run(day: date, km: float, sid: int, minutes: float = 40.0, *, kmh: float | None = None) -> Run:
    spells = ((Piece(minutes * 60, minutes * 60 * kmh / 3.6),),) if kmh else ()
    return Run(session_id=sid, day=day, elapsed_s=minutes * 60, distance_m=km * 1000, spells=spells)


def empty() -> Progress:
    return progress([], today=WED, profile_vdot=48.0, since=WED)


def eight_weeks() -> Progress:
    """8 full weeks of 10, 12 ... 24 km (the 4th missed), a tempo each of the last two, and 5 km this week."""
    start = MONDAY - 8 * WEEK
    kms = [10, 12, 14, 0, 18, 20, 22, 24]
    runs = [run(start + i * WEEK + timedelta(days=1), km, i + 1) for i, km in enumerate(kms) if km]
    runs += [
        run(MONDAY - 2 * WEEK + timedelta(days=3), 4.7, 20, 20, kmh=14.1),
        run(MONDAY - WEEK + timedelta(days=3), 4.8, 21, 20, kmh=14.4),
        run(WED, 5, 30),
    ]
    return progress(runs, today=WED, profile_vdot=48.0, since=start)


def by_key(found: Progress, units: Units = METRIC) -> dict[str, present.Figure]:
    return {f.key: f for f in present.figures(found, units)}


def test_before_any_full_week_the_figures_say_what_is_still_to_come() -> None:
    figures = by_key(empty())
    assert list(figures) == ["volume", "trend", "completion", "consistency", "vdot"]
    assert (figures["volume"].value, figures["volume"].caption) == (
        "0.0 km",
        "This week so far; your first full week ends on Sunday.",
    )
    assert figures["trend"].value == present.NONE and "two full weeks" in figures["trend"].caption
    assert figures["completion"].value == present.NONE and "No plan yet" in figures["completion"].caption
    assert figures["consistency"].value == "0 runs"
    assert figures["vdot"].value == present.NONE
    assert figures["vdot"].caption.endswith("Profile: 48.0.")
    assert present.window_line(empty()) == "This week, from Wed 18 Mar: the figures grow as the weeks end."


def test_weeks_of_running_read_as_volume_trend_consistency_and_a_vdot_floor() -> None:
    found = eight_weeks()
    figures = by_key(found)
    volume = figures["volume"]
    # The last 4 full weeks: 18 + 20 + 26.7 + 28.8 km; the 4 before: 10 + 12 + 14 + 0 (up 160 %).
    assert volume.value == "23.4 km"
    assert found.volume.change_pct == pytest.approx(159.7, abs=0.1)
    assert volume.caption == "A week, on average over the last 4 full weeks; up 160 % on the 4 weeks before."
    assert figures["trend"].value == f"{found.volume.slope_km_per_week:+.1f} km"
    assert figures["trend"].caption == (
        "Rising: weekly volume changes by this each week (a straight line through 8 full weeks)."
    )
    assert figures["consistency"].value == "7 of 8 weeks"
    assert figures["consistency"].caption == "Full weeks with a run; longest streak 5 weeks, 1.1 runs a week."
    assert found.vdot.latest is not None and found.vdot.slope_per_week is not None
    assert figures["vdot"].value == f"≥ {int(found.vdot.latest)}"
    assert figures["vdot"].caption == (
        "At least this, by your latest hard run's best effort as a race; "
        f"trend {found.vdot.slope_per_week:+.1f} a week. Profile: 48.0."
    )
    assert present.window_line(found) == "The last 8 full weeks and this one, from Mon 19 Jan."


def test_in_miles_distances_read_in_miles() -> None:
    found = eight_weeks()
    figures = by_key(found, IMPERIAL)
    assert figures["volume"].value == f"{found.volume.recent_km / 1.609344:.1f} mi"
    assert figures["trend"].value.endswith(" mi")
    chart = present.volume_chart(found, IMPERIAL)
    assert chart["yAxis"]["name"] == "mi"
    assert chart["series"][0]["name"] == "Done mi"
    assert chart["series"][0]["data"][0] == round(10 / 1.609344, 1)


@pytest.mark.parametrize(
    ("pct", "words"), [(12.4, "up 12 % on"), (-50.0, "down 50 % on"), (0.3, "the same as")]
)
def test_the_change_reads_in_words(pct: float, words: str) -> None:
    assert present._change_words(pct) == words


PLAN = edits_plan()
PLANNED = PlannedDays(plan_id=3, days=compile_plan(PLAN, EDIT_ZONES, EDIT_TREADMILL))


def with_plan() -> Progress:
    runs = [run(date(2025, 3, 4), 5, 1, 30), run(date(2025, 3, 5), 2, 2, 10)]  # done, partial
    return progress(runs, today=date(2025, 3, 12), profile_vdot=45.0, plan=PLANNED)


def test_completion_reads_its_counts_and_charts_as_a_donut() -> None:
    found = with_plan()
    figure = by_key(found)["completion"]
    assert figure.value == "25 %"  # (1 + 0.5) / 6: today's run is not due yet
    assert figure.caption == "1 done, 1 partial (half each), 4 missed of 6 planned runs so far."
    donut = present.completion_chart(found.completion)["series"][0]
    assert [(d["name"], d["value"]) for d in donut["data"]] == [("Done", 1), ("Partial", 1), ("Missed", 4)]


def test_a_plan_with_nothing_due_yet_says_so() -> None:
    found = progress([], today=date(2025, 3, 3), profile_vdot=45.0, plan=PLANNED)
    assert by_key(found)["completion"].caption == "None of your plan's runs was due yet."


def test_the_volume_chart_sets_planned_beside_done_with_the_trend_over_full_weeks() -> None:
    found = with_plan()
    chart = present.volume_chart(found, METRIC)
    planned, done, trend = chart["series"]
    assert [s["name"] for s in chart["series"]] == ["Planned km", "Done km", "Trend"]
    assert chart["legend"]["data"] == ["Planned km", "Done km", "Trend"]
    assert chart["xAxis"]["data"] == ["3 Mar", "10 Mar"]
    assert planned["data"] == [37.6, 40.1]
    assert done["data"][0] == 7.0
    assert done["data"][1]["itemStyle"]["borderWidth"] == 2  # this week, still going
    assert trend["data"] == [None, None]  # one full week: no trend line
    no_plan = present.volume_chart(eight_weeks(), METRIC)
    assert [s["name"] for s in no_plan["series"]] == ["Done km", "Trend"]
    assert all(v is not None for v in no_plan["series"][1]["data"][:8])
    assert no_plan["series"][1]["data"][8] is None


def test_the_vdot_chart_has_the_runs_their_trend_and_the_profile() -> None:
    trend = eight_weeks().vdot
    chart = present.vdot_chart(trend)
    runs, line = chart["series"]
    assert [p[1] for p in runs["data"]] == [p.vdot for p in trend.points]
    assert runs["markLine"]["data"] == [{"yAxis": 48.0}]
    assert len(line["data"]) == 2
    assert chart["yAxis"]["min"] <= min(p.vdot for p in trend.points)
    assert chart["yAxis"]["max"] >= 48.0


def test_the_note_says_a_point_is_a_floor_and_when_to_update_the_profile() -> None:
    trend = eight_weeks().vdot
    assert "floor" in present.vdot_note(trend) and "update" not in present.vdot_note(trend)
    above = trend.model_copy(update={"profile_vdot": 40.0})
    assert "enter a recent race to update your paces" in present.vdot_note(above)


def test_the_consistency_strip_has_a_square_per_week() -> None:
    found = eight_weeks()
    strip = present.consistency_html(found.volume.weeks)
    assert strip.count('class="rc-wk') == 9
    assert strip.count("rc-ran") == 8 and strip.count("rc-none") == 1 and strip.count("rc-now") == 1
    assert 'data-week="2026-02-09"' in strip and 'title="Week of 9 Feb: 0 runs"' in strip
