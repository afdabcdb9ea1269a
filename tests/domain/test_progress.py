"""The progress figures: weekly volume and its trend, completion, consistency and VDOT from runs."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runcoach.domain.paces import Zone, predict_time_s, training_zones, vdot_from_race
from runcoach.domain.plans import compile_plan
from runcoach.domain.progress import (
    HARD_SHARE,
    MAX_PIECES,
    Piece,
    PlannedDays,
    Run,
    best_effort,
    first_day,
    progress,
    race_equivalent,
    run_of,
    vdot_trend,
)
from runcoach.domain.session import Event, EventKind, RunSession
from runcoach.domain.structure import Console
from runcoach.domain.workouts import Segment, SegmentLabel
from tests.helpers import EDIT_TREADMILL, EDIT_ZONES, edits_plan, wid_on

WED = date(2026, 3, 18)
MONDAY = date(2026, 3, 16)
WEEK = timedelta(weeks=1)


def a_run(
    day: date,
    km: float = 5.0,
    minutes: float = 30.0,
    sid: int = 1,
    *,
    plan_id: int | None = None,
    plan_wid: int | None = None,
    spells: tuple[tuple[Piece, ...], ...] = (),
) -> Run:
    return Run(
        session_id=sid,
        day=day,
        elapsed_s=minutes * 60,
        distance_m=km * 1000,
        plan_id=plan_id,
        plan_wid=plan_wid,
        spells=spells,
    )


def weekly(kms: Sequence[float], first_monday: date) -> list[Run]:
    """One run per week, on the week's Tuesday, of these km."""
    return [a_run(first_monday + i * WEEK + timedelta(days=1), km, sid=i + 1) for i, km in enumerate(kms)]


def steady(kmh: float, minutes: float) -> tuple[tuple[Piece, ...], ...]:
    """One spell of continuous running at one speed."""
    return ((Piece(minutes * 60, minutes * 60 * kmh / 3.6),),)


# --- nothing yet, one run -------------------------------------------------------------------------


def test_with_no_runs_and_no_plan_every_figure_says_there_is_nothing_yet() -> None:
    found = progress([], today=WED, profile_vdot=45.0, since=WED)
    assert found.first_day == WED and not found.has_plan
    [week] = found.volume.weeks
    assert (week.start, week.complete, week.runs, week.done_km, week.planned_km) == (
        MONDAY,
        False,
        0,
        0,
        None,
    )
    volume = found.volume
    assert (volume.slope_km_per_week, volume.recent_km, volume.change_pct) == (None, None, None)
    assert volume.recent_weeks == 0
    assert found.completion.model_dump() == {"planned": 0, "done": 0, "partial": 0, "missed": 0, "rate": None}
    c = found.consistency
    assert (c.weeks, c.weeks_with_runs, c.longest_streak_weeks, c.runs_per_week) == (0, 0, 0, None)
    assert found.vdot.points == [] and found.vdot.slope_per_week is None and found.vdot.latest is None
    assert found.vdot.profile_vdot == 45.0


def test_weeks_without_a_run_since_the_runner_began_are_flat_zero() -> None:
    found = progress([], today=WED, profile_vdot=45.0, since=MONDAY - 3 * WEEK)
    assert [w.done_km for w in found.volume.weeks] == [0, 0, 0, 0]
    assert found.volume.slope_km_per_week == 0.0
    assert (found.consistency.weeks, found.consistency.weeks_with_runs) == (3, 0)
    assert found.consistency.runs_per_week == 0.0


def test_one_run_last_week_is_one_week_of_one_with_a_run() -> None:
    found = progress([a_run(MONDAY - timedelta(days=6), km=6.2, minutes=40)], today=WED, profile_vdot=45.0)
    assert found.first_day == MONDAY - timedelta(days=6)  # no account date given: the first run
    last, this = found.volume.weeks
    assert (last.runs, last.done_km, last.done_minutes, last.complete) == (1, 6.2, 40.0, True)
    assert (this.runs, this.complete) == (0, False)
    assert found.volume.slope_km_per_week is None  # one complete week has no trend
    assert (found.volume.recent_km, found.volume.recent_weeks, found.volume.previous_km) == (6.2, 1, None)
    c = found.consistency
    assert (c.weeks, c.weeks_with_runs, c.longest_streak_weeks, c.current_streak_weeks) == (1, 1, 1, 1)
    assert c.runs_per_week == 1.0


# --- volume ----------------------------------------------------------------------------------------


def test_the_volume_trend_is_the_least_squares_slope_and_four_weeks_against_four() -> None:
    start = MONDAY - 8 * WEEK
    runs = [*weekly([10, 12, 14, 16, 18, 20, 22, 24], start), a_run(WED, km=30, sid=99)]
    volume = progress(runs, today=WED, profile_vdot=45.0, since=start).volume
    assert [w.done_km for w in volume.weeks] == [10, 12, 14, 16, 18, 20, 22, 24, 30]
    assert volume.slope_km_per_week == 2.0  # this week's 30 km, still going, is not in the trend
    assert [w.trend_km for w in volume.weeks] == [10, 12, 14, 16, 18, 20, 22, 24, None]
    assert (volume.recent_km, volume.recent_weeks, volume.previous_km) == (21.0, 4, 13.0)
    assert volume.change_pct == pytest.approx(61.5)


@pytest.mark.parametrize(
    ("kms", "change"),
    [
        pytest.param([10, 10, 10, 10, 5, 5, 5, 5], -50.0, id="halved"),
        pytest.param([0, 0, 0, 0, 5, 5, 5, 5], None, id="from nothing: no percent"),
        pytest.param([10, 10, 10, 5, 5, 5, 5], None, id="under 8 weeks"),
    ],
)
def test_the_change_needs_two_full_blocks_and_something_before(
    kms: list[float], change: float | None
) -> None:
    start = MONDAY - len(kms) * WEEK
    assert progress(weekly(kms, start), today=WED, profile_vdot=45.0, since=start).volume.change_pct == change


def test_the_window_is_twelve_complete_weeks_and_this_one() -> None:
    old, inside = a_run(MONDAY - 13 * WEEK, sid=1), a_run(MONDAY - 12 * WEEK, sid=2)
    found = progress([old, inside], today=WED, profile_vdot=45.0, since=date(2020, 1, 1))
    assert found.first_day == first_day(WED) == MONDAY - 12 * WEEK
    assert len(found.volume.weeks) == 13 and found.volume.weeks[0].runs == 1
    assert sum(w.runs for w in found.volume.weeks) == 1  # the run before the window is left out


def test_a_run_counts_in_the_week_of_its_day() -> None:
    sunday, monday = MONDAY - timedelta(days=1), MONDAY
    found = progress([a_run(sunday, km=3, sid=1), a_run(monday, km=4, sid=2)], today=WED, profile_vdot=45.0)
    assert [(w.start, w.done_km) for w in found.volume.weeks] == [(MONDAY - WEEK, 3), (MONDAY, 4)]


# --- completion ------------------------------------------------------------------------------------
#
# The helpers' hand-built 10K plan from Monday 3 March 2025: five days a week (Tue, Wed, Thu, Sat, Sun),
# the last week with a rest Saturday and the race run outdoors on Sunday 30 March.

PLAN = edits_plan()
PLANNED = PlannedDays(plan_id=7, days=compile_plan(PLAN, EDIT_ZONES, EDIT_TREADMILL))
TUE_4, WED_5, THU_6, FRI_7 = (date(2025, 3, d) for d in (4, 5, 6, 7))
WED_19 = date(2025, 3, 19)


def test_completion_counts_done_and_missed_days_and_partial_ones_half() -> None:
    runs = [
        a_run(TUE_4, minutes=30, sid=1),  # 30 of 30 minutes: done
        a_run(WED_5, minutes=10, sid=2),  # 10 of 60: partial
        # Thursday's run, started from the plan on Friday: Thursday is done, Friday has nothing planned
        a_run(FRI_7, minutes=30, sid=3, plan_id=7, plan_wid=wid_on(PLAN, THU_6)),
        # a run of another plan's day counts on its own date: nothing planned on Friday
        a_run(FRI_7, minutes=30, sid=4, plan_id=6, plan_wid=wid_on(PLAN, TUE_4)),
    ]
    found = progress(runs, today=WED_19, profile_vdot=45.0, plan=PLANNED).completion
    # Eleven treadmill days before today; today's workout is not missed yet.
    assert (found.planned, found.done, found.partial, found.missed) == (11, 2, 1, 8)
    assert found.rate == pytest.approx(2.5 / 11, abs=0.001)


def test_today_counts_once_it_is_run() -> None:
    today = a_run(WED_19, minutes=40, sid=1)
    found = progress([today], today=WED_19, profile_vdot=45.0, plan=PLANNED, since=TUE_4).completion
    assert (found.planned, found.done, found.missed) == (12, 1, 11)


def test_rest_days_and_a_race_run_outdoors_are_not_counted() -> None:
    after = date(2025, 3, 31)
    found = progress([], today=after, profile_vdot=45.0, plan=PLANNED).completion
    assert found.planned == found.missed == 18  # 20 days but the rest Saturday and the race
    assert found.rate == 0.0


def test_the_plans_weekly_distance_stands_beside_the_runs() -> None:
    found = progress([], today=WED_19, profile_vdot=45.0, plan=PLANNED, since=date(2025, 2, 24))
    weeks = {w.start: w.planned_km for w in found.volume.weeks}
    assert weeks[date(2025, 2, 24)] is None  # before the plan
    assert weeks[date(2025, 3, 3)] == pytest.approx(37.58, abs=0.01)  # the helpers' figure for week 0
    assert weeks[date(2025, 3, 10)] == pytest.approx(40.08, abs=0.01)
    assert found.first_day == date(2025, 2, 24) and found.has_plan


# --- consistency -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "this_week", "expected"),
    [
        pytest.param([1, 1, 0, 1, 1, 1, 0, 0], True, (5, 3, 1), id="a new streak this week"),
        pytest.param([1, 1, 0, 1, 1, 1, 0, 0], False, (5, 3, 0), id="no streak going"),
        pytest.param([0, 1, 1, 2, 1], False, (4, 4, 4), id="a streak up to last week"),
        pytest.param([0, 1, 1, 2, 1], True, (4, 5, 5), id="and this week too"),
    ],
)
def test_consistency_is_weeks_with_a_run_and_streaks(
    pattern: list[int], this_week: bool, expected: tuple[int, int, int]
) -> None:
    start = MONDAY - len(pattern) * WEEK
    runs = [
        a_run(start + i * WEEK + timedelta(days=j), sid=10 * i + j)
        for i, count in enumerate(pattern)
        for j in range(count)
    ]
    runs += [a_run(WED, sid=999)] if this_week else []
    c = progress(runs, today=WED, profile_vdot=45.0, since=start).consistency
    assert (c.weeks_with_runs, c.longest_streak_weeks, c.current_streak_weeks) == expected
    assert c.weeks == len(pattern) and c.runs == sum(pattern)
    assert c.runs_per_week == pytest.approx(sum(pattern) / len(pattern), abs=0.01)


# --- VDOT from runs ---------------------------------------------------------------------------------


def test_one_steady_effort_is_its_race_equivalent() -> None:
    five_k_50 = predict_time_s(50.0, 5000)
    effort = best_effort(((Piece(five_k_50, 5000.0),),))
    assert effort is not None and effort.vdot == pytest.approx(50.0, abs=0.01)
    assert race_equivalent(10_000, 2400) == pytest.approx(vdot_from_race(10_000, 2400))


@pytest.mark.parametrize(
    ("metres", "seconds"),
    [(1499, 300), (50_001, 4 * 3600), (2000, 3600), (5000, 500)],
    ids=["under 1500 m", "over 50 km", "a walk", "faster than anyone"],
)
def test_outside_daniels_model_there_is_no_race_equivalent(metres: float, seconds: float) -> None:
    assert race_equivalent(metres, seconds) is None


def test_a_pause_splits_an_effort() -> None:
    kilometre = Piece(240, 1000)
    assert best_effort(((kilometre,), (kilometre,))) is None  # two 1 km spells: neither reaches 1500 m
    joined = best_effort(((kilometre, kilometre),))
    assert (
        joined is not None
        and joined.metres == 2000
        and joined.vdot == pytest.approx(vdot_from_race(2000, 480))
    )


def test_the_best_effort_is_the_hardest_stretch_not_the_whole_run() -> None:
    warm, tempo, cool = Piece(600, 1700), Piece(1200, 4700), Piece(600, 1600)
    effort = best_effort(((warm, tempo, cool),))
    assert effort is not None and (effort.seconds, effort.metres) == (1200, 4700)
    assert effort.vdot > (best_effort(((Piece(2400, 8000),),)) or effort).vdot


def brute_force(spell: Sequence[Piece]) -> float:
    """The best race-equivalent over every window of the spell, with no merging."""
    found = [
        race_equivalent(sum(p.metres for p in spell[i:j]), sum(p.seconds for p in spell[i:j]))
        for i in range(len(spell))
        for j in range(i + 1, len(spell) + 1)
    ]
    return max(v for v in found if v is not None)


def test_a_long_interval_session_is_searched_quickly_and_still_gives_a_floor() -> None:
    reps = tuple(Piece(60, 280) if i % 2 else Piece(60, 190) for i in range(150))  # 75 x 1 min on, 1 off
    effort = best_effort((reps,))
    assert effort is not None and effort.vdot <= brute_force(reps)
    assert effort.vdot == pytest.approx(brute_force(reps), abs=0.5)
    short = reps[:MAX_PIECES]  # up to MAX_PIECES, nothing is merged: the search is exact
    assert best_effort((short,)).vdot == pytest.approx(brute_force(short))  # type: ignore[union-attr]


T0 = datetime(2026, 3, 17, 6, 30, tzinfo=UTC)


def session(
    segments: Sequence[Segment], *steps: tuple[EventKind, float], calibration: float = 1.0
) -> RunSession:
    events = tuple(Event(i, kind, T0 + timedelta(seconds=s)) for i, (kind, s) in enumerate(steps, start=1))
    return RunSession(
        id=5,
        owner_id=1,
        workout_id=1,
        name="Tempo",
        segments=tuple(segments),
        pair_code="ABCD",
        created_at=T0,
        events=events,
        console=Console(calibration=calibration),
    )


def seg(seconds: int, kmh: float, incline: float = 1.0, label: SegmentLabel = SegmentLabel.RUN) -> Segment:
    return Segment(label=label, duration_s=seconds, speed_kmh=kmh, incline_pct=incline)


TEMPO = (
    seg(600, 10.0, label=SegmentLabel.WARM_UP),
    seg(1200, 14.0),
    seg(300, 9.0, label=SegmentLabel.COOL_DOWN),
)
PLAYED = ((EventKind.CREATED, 0), (EventKind.STARTED, 0))


def test_a_finished_session_is_a_run_on_the_belt_with_its_effort() -> None:
    run = run_of(session(TEMPO, *PLAYED, calibration=1.05), UTC, T0 + timedelta(hours=1))
    assert run is not None and run.day == date(2026, 3, 17) and run.played_in_full
    assert run.elapsed_s == 2100
    assert run.distance_m == pytest.approx((600 * 10 + 1200 * 14 + 300 * 9) * 1.05 / 3.6)
    effort = best_effort(run.spells)
    assert effort is not None and effort.vdot >= race_equivalent(1200 * 14 * 1.05 / 3.6, 1200)  # type: ignore[operator]


def test_a_steep_segment_is_no_effort_and_splits_the_run() -> None:
    hill = (TEMPO[0], seg(1200, 14.0, incline=4.0), TEMPO[2])
    run = run_of(session(hill, *PLAYED), UTC, T0 + timedelta(hours=1))
    assert run is not None and [len(s) for s in run.spells] == [1, 1]
    effort = best_effort(run.spells)
    assert effort is not None and effort.seconds == 600  # the warm-up: the cool-down is under 1500 m


def test_a_pause_ends_a_spell_on_the_same_segment() -> None:
    paused = (*PLAYED, (EventKind.PAUSED, 900), (EventKind.RESUMED, 960))
    run = run_of(session(TEMPO, *paused), UTC, T0 + timedelta(hours=1))
    assert run is not None and [len(s) for s in run.spells] == [2, 2]


def test_a_skip_or_a_back_keeps_running_one_spell() -> None:
    moved = (*PLAYED, (EventKind.SKIPPED, 300), (EventKind.WENT_BACK, 900), (EventKind.FINISHED, 1500))
    run = run_of(session(TEMPO, *moved), UTC, T0 + timedelta(hours=1))
    assert run is not None and [len(s) for s in run.spells] == [3]


@pytest.mark.parametrize(
    ("steps", "now_s"),
    [
        pytest.param(PLAYED, 1000, id="still running"),
        pytest.param((*PLAYED, (EventKind.FINISHED, 59)), 1000, id="finished within a minute"),
        pytest.param(((EventKind.CREATED, 0), (EventKind.FINISHED, 10)), 1000, id="never started"),
    ],
)
def test_a_session_not_ended_or_under_a_minute_is_no_run(
    steps: tuple[tuple[EventKind, float], ...], now_s: float
) -> None:
    assert run_of(session(TEMPO, *steps), UTC, T0 + timedelta(seconds=now_s)) is None


def test_the_day_is_the_local_date_it_was_started() -> None:
    from zoneinfo import ZoneInfo

    late = session(TEMPO, *PLAYED)
    run = run_of(late, ZoneInfo("Pacific/Auckland"), T0 + timedelta(hours=1))
    assert run is not None and run.day == date(2026, 3, 17)  # 06:30 UTC is 19:30 the same day there
    run = run_of(late, ZoneInfo("America/Los_Angeles"), T0 + timedelta(hours=1))
    assert run is not None and run.day == date(2026, 3, 16)


def zone_run(sid: int, day: date, kmh: float, minutes: float) -> Run:
    return a_run(day, km=kmh * minutes / 60, minutes=minutes, sid=sid, spells=steady(kmh, minutes))


def test_only_hard_enough_runs_are_vdot_points_and_they_make_a_trend() -> None:
    zones = training_zones(50.0)
    easy, threshold = zones[Zone.EASY], zones[Zone.THRESHOLD]
    runs = [
        zone_run(1, date(2026, 3, 2), easy.max_kmh, 60),  # easy: about 75 % of the profile's VDOT
        zone_run(2, date(2026, 3, 3), threshold.max_kmh, 20),
        zone_run(3, date(2026, 3, 10), threshold.max_kmh + 0.3, 20),
        zone_run(4, date(2026, 3, 17), threshold.max_kmh + 0.6, 20),
        a_run(date(2026, 3, 18), km=1.2, minutes=6, sid=5, spells=steady(12, 6)),  # under 1500 m
    ]
    trend = vdot_trend(runs, 50.0)
    assert trend.runs_with_effort == 4
    assert [p.session_id for p in trend.points] == [2, 3, 4]
    assert all(p.vdot >= HARD_SHARE * 50 for p in trend.points)
    first, _, last = trend.points
    assert first.vdot == pytest.approx(46.2, abs=0.1) and first.share_of_profile == pytest.approx(
        0.92, abs=0.01
    )
    assert (first.effort_duration_s, first.effort_distance_m) == (1200, round(threshold.max_kmh / 3.6 * 1200))
    assert trend.slope_per_week is not None and trend.slope_per_week > 0
    assert trend.latest == last.vdot and trend.best == max(p.vdot for p in trend.points)
    assert last.trend_vdot is not None and first.trend_vdot is not None and last.trend_vdot > first.trend_vdot


def test_one_point_has_no_trend() -> None:
    trend = vdot_trend([zone_run(1, date(2026, 3, 3), 14.5, 30)], 48.0)
    assert len(trend.points) == 1 and trend.slope_per_week is None and trend.points[0].trend_vdot is None


# --- properties --------------------------------------------------------------------------------------

DAYS_BACK = st.integers(0, 7 * 14)
RUNS = st.lists(st.tuples(DAYS_BACK, st.floats(0.1, 40.0), st.floats(1.0, 180.0)), max_size=25).map(
    lambda items: [a_run(WED - timedelta(days=d), km, m, sid=i) for i, (d, km, m) in enumerate(items)]
)


@settings(max_examples=150, deadline=None)
@given(runs=RUNS, extra=st.tuples(DAYS_BACK, st.floats(0.1, 40.0)))
def test_adding_a_run_never_lowers_any_weeks_km(runs: list[Run], extra: tuple[int, float]) -> None:
    before = progress(runs, today=WED, profile_vdot=45.0, since=MONDAY)
    more = [*runs, a_run(WED - timedelta(days=extra[0]), extra[1], sid=1000)]
    after = progress(more, today=WED, profile_vdot=45.0, since=MONDAY)
    done = {w.start: w.done_km for w in after.volume.weeks}
    assert all(done[w.start] >= w.done_km for w in before.volume.weeks)
    assert after.consistency.weeks_with_runs >= before.consistency.weeks_with_runs
    assert sum(done.values()) >= sum(w.done_km for w in before.volume.weeks)


@settings(max_examples=150, deadline=None)
@given(runs=RUNS, seed=st.integers(0, 1000))
def test_the_figures_depend_on_the_runs_not_their_order(runs: list[Run], seed: int) -> None:
    shuffled = list(runs)
    random.Random(seed).shuffle(shuffled)
    assert progress(shuffled, today=WED, profile_vdot=45.0) == progress(runs, today=WED, profile_vdot=45.0)


@settings(max_examples=150, deadline=None)
@given(
    steps=st.lists(st.floats(0.5, 10.0), min_size=1, max_size=11), base=st.floats(0.0, 30.0), up=st.booleans()
)
def test_the_trend_follows_the_data(steps: list[float], base: float, up: bool) -> None:
    """Weekly km rising every week give a rising trend; the same weeks backwards, a falling one."""
    kms = [base]
    for step in steps:
        kms.append(kms[-1] + step)
    kms = kms if up else kms[::-1]
    start = MONDAY - len(kms) * WEEK
    slope = progress(weekly(kms, start), today=WED, profile_vdot=45.0, since=start).volume.slope_km_per_week
    assert slope is not None and (slope > 0 if up else slope < 0)


@settings(max_examples=200, deadline=None)
@given(
    minutes=st.lists(st.one_of(st.none(), st.floats(0, 120)), min_size=20, max_size=20),
    today_offset=st.integers(-10, 40),
)
def test_the_completion_rate_lies_between_0_and_1(minutes: list[float | None], today_offset: int) -> None:
    days = [c for c in PLANNED.days if c.program is not None]
    runs = [
        a_run(c.day.date, minutes=m, sid=i, plan_id=7, plan_wid=c.day.wid)
        for i, (c, m) in enumerate(zip(days, minutes, strict=False))
        if m is not None
    ]
    today = PLAN.start_date + timedelta(days=today_offset)
    found = progress(
        [r for r in runs if r.day <= today],
        today=today,
        profile_vdot=45.0,
        plan=PLANNED,
        since=PLAN.start_date,
    ).completion
    assert found.planned == found.done + found.partial + found.missed
    assert found.rate is None if found.planned == 0 else 0.0 <= found.rate <= 1.0  # type: ignore[operator]


@settings(max_examples=150, deadline=None)
@given(
    pieces=st.lists(st.tuples(st.floats(10, 1800), st.floats(2.0, 7.0)), min_size=1, max_size=8),
    extra=st.tuples(st.floats(10, 1800), st.floats(2.0, 7.0)),
)
def test_running_on_never_lowers_the_best_effort(
    pieces: list[tuple[float, float]], extra: tuple[float, float]
) -> None:
    spell = tuple(Piece(s, s * v) for s, v in pieces)
    before = best_effort((spell,))
    after = best_effort(((*spell, Piece(extra[0], extra[0] * extra[1])),))
    if before is not None:
        assert after is not None and after.vdot >= before.vdot
