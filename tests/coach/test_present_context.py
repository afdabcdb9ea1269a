"""The coach's context as the chat page's panel shows it, and the pure pieces of the context: which
goal is current, and the profile and pace lines in the runner's units."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from runcoach.coach import context as coach_context
from runcoach.coach.present_context import NO_GOAL, NO_PLAN, NO_PROFILE, NO_RUNS, panel
from runcoach.domain.accounts import Units
from runcoach.domain.coach import CoachContext, ContextDay, ContextRun, Memory, MemoryKind
from runcoach.domain.goals import Assessment, Feasibility, Goal, GoalKind, StoredGoal
from runcoach.domain.paces import SpeedRange, Zone
from runcoach.domain.plan_model import WorkoutType
from runcoach.domain.profile import RecentRace
from runcoach.domain.structure import KMH_PER_MPH, MPH_STEP_KMH, Treadmill
from tests.helpers import PLAN_PROFILE

TODAY = date(2026, 3, 2)  # a Monday
NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)


def a_context(**fields: object) -> CoachContext:
    return CoachContext.model_validate({"today": TODAY, "name": "Ann", "profile": None, **fields})


def test_panel_sections_come_in_order_and_say_what_is_missing() -> None:
    sections = panel(a_context())
    assert [title for title, _ in sections] == [
        "Profile",
        "Paces",
        "Goal",
        "Next 14 days",
        "This week",
        "Recent runs",
        "Readiness",
        "Progress",
        "Memories in use",
    ]
    shown = dict(sections)
    assert shown["Profile"] == [NO_PROFILE] and shown["Goal"] == [NO_GOAL]
    assert shown["Next 14 days"] == [NO_PLAN] and shown["Recent runs"] == [NO_RUNS]
    assert all(len(lines) == 1 and lines[0].endswith(".") for lines in shown.values())


def test_panel_shows_the_days_with_their_wids_and_the_dates_between() -> None:
    easy = ContextDay(
        wid=4,
        date=TODAY,
        type=WorkoutType.EASY,
        title="Easy 40 min",
        hard=False,
        minutes=40,
        km=6.71,
        description="40 min steady E",
    )
    rest = ContextDay(
        wid=5,
        date=TODAY + timedelta(days=2),
        type=WorkoutType.REST,
        title="Rest",
        hard=False,
        minutes=0,
        km=0.0,
        description="Rest day.",
    )
    run = ContextRun(day=TODAY - timedelta(days=1), name="Past run", minutes=39.6, km=6.6, status="done")
    memories = (
        Memory(id=2, kind=MemoryKind.PREFERENCE, text="Mornings", created_at=NOW),
        Memory(id=1, kind=MemoryKind.INJURY, text="Calf", created_at=NOW),
    )
    shown = dict(
        panel(
            a_context(
                plan_id=3,
                plan_version=2,
                days=(easy, rest),
                runs=(run,),
                goal="10K on 2026-05-10",
                goal_id=7,
                feasibility="ok: fine.",
                memories=memories,
                week="done 0.0 km of 20.1 km planned; 0 of 3 runs done, 0 missed",
            )
        )
    )
    days = shown["Next 14 days"]
    assert days[0] == "Plan 3, version 2" and len(days) == 15
    assert days[1] == "Mon 2 Mar · wid 4 · Easy 40 min · 40 min · 6.7 km — 40 min steady E"
    assert days[2] == "Tue 3 Mar · nothing planned"
    assert days[3] == "Wed 4 Mar · wid 5 · rest"
    assert shown["Recent runs"] == ["Sun 1 Mar · Past run · 40 min · 6.6 km · done"]
    assert shown["Goal"] == ["10K on 2026-05-10 (goal 7)", "Feasibility: ok: fine."]
    assert shown["Memories in use"] == ["Injuries and issues: Calf", "Preferences: Mornings"]
    assert shown["This week"][0].startswith("done 0.0 km")


def test_the_current_goal_is_the_nearest_ahead_else_keep_fit() -> None:
    def stored(goal_id: int, goal: Goal) -> StoredGoal:
        verdict = Assessment(
            feasibility=Feasibility.OK,
            reason="Fine.",
            realistic_target=None,
            weeks_left=None,
            predicted_time_s=None,
            required_vdot=None,
        )
        return StoredGoal(
            id=goal_id, owner_id=1, goal=goal, assessment=verdict, created_at=NOW, assessed_at=NOW
        )

    def race(days: int) -> Goal:
        return Goal(kind=GoalKind.RACE, race_distance_m=10_000, race_date=TODAY + timedelta(days=days))

    keep_fit = stored(4, Goal(kind=GoalKind.VOLUME))
    newest_first = [stored(3, race(-1)), keep_fit, stored(2, race(30)), stored(1, race(10))]
    assert coach_context.current_goal(newest_first, TODAY) == newest_first[3]
    assert coach_context.current_goal(newest_first[:2], TODAY) == keep_fit
    assert coach_context.current_goal(newest_first[:1], TODAY) is None


def test_the_profile_line_and_paces_read_in_the_runners_units_and_the_consoles() -> None:
    mph = Treadmill(
        min_speed_kmh=KMH_PER_MPH,
        max_speed_kmh=12 * KMH_PER_MPH,
        speed_step_kmh=MPH_STEP_KMH,
        calibration=1.02,
    )
    profile = PLAN_PROFILE.model_copy(
        update={
            "recent_race": RecentRace(distance_m=10_000, time_s=45 * 60, date=TODAY - timedelta(days=30)),
            "treadmill": mph,
            "injury_notes": "Left  Achilles\nniggle",
        }
    )
    line = coach_context.profile_line(profile, Units.IMPERIAL)
    assert line.startswith(f"VDOT {profile.paces().vdot:.1f} from a race: 10K in 45:00 on 2026-01-31; ")
    assert "; treadmill 1.0–12.0 mph, incline up to 12 %, belt runs 1.020 × the console speed; " in line
    assert line.endswith("; units imperial (mph, min/mi); injury notes: Left Achilles niggle")
    easy = coach_context.pace_line(Zone.EASY, SpeedRange(min_kmh=9.656064, max_kmh=11.265408), Units.IMPERIAL)
    assert easy == "E easy: 8:34–10:00 min/mi (6.0–7.0 mph)"
