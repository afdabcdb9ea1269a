"""Page story: a runner whose treadmill reads in mph and runs 5 % fast sees the number to press and the
belt's real pace on the run view, and the TV; a later change of treadmill is for the next session."""

from __future__ import annotations

from datetime import timedelta

from nicegui import ui
from nicegui.testing import User

from runcoach.context import context
from runcoach.domain.profile import Profile
from runcoach.domain.structure import MPH_STEP_KMH, Treadmill
from runcoach.domain.workouts import Goal
from runcoach.profiles import service
from tests.helpers import PATIENCE, a_run, add_account, sign_in, the

KMH_PER_MPH = 1.609344


def runner_profile(treadmill: Treadmill) -> Profile:
    return Profile.model_validate(
        {
            "easy_pace_s_per_km": 360,
            "weekly_km": 20,
            "available_days": ["tue", "sun"],
            "long_run_day": "sun",
            "level": "beginner",
            "treadmill": treadmill.model_dump(),
        }
    )


def per_km(kmh: float) -> str:
    """m:ss per km, worked out here rather than by the code under test."""
    minutes, seconds = divmod(round(3600 / kmh), 60)
    return f"{minutes}:{seconds:02d} min/km"


async def test_an_mph_console_shows_mph_to_press_and_the_belts_pace_for_a_metric_runner(user: User) -> None:
    await user.open("/login")
    runner = await add_account("runner@example.com", "Runner")  # metric
    ctx = context()
    mph_fast = Treadmill(speed_step_kmh=MPH_STEP_KMH, calibration=1.05)
    await service.save_profile(ctx.db, runner.id, runner_profile(mph_fast), ctx.clock.now())
    session = await a_run(runner, Goal.TEMPO)
    await sign_in(user, "runner@example.com")

    await user.open(f"/sessions/{session.id}/run")
    console_kmh = session.segments[0].speed_kmh
    pressed = f"{console_kmh / KMH_PER_MPH:.1f} mph"
    await user.should_see(content=pressed, marker="speed", retries=PATIENCE)
    # The belt runs 5 % faster than the console says: the pace is the belt's, in the runner's units.
    belt_pace = per_km(console_kmh * 1.05)
    assert belt_pace != per_km(console_kmh)
    await user.should_see(content=belt_pace, marker="pace")
    assert the(user, ui.label, "speed").props["data-caption"] == "Console"
    assert the(user, ui.label, "pace").props["data-caption"] == "Pace"
    await user.should_see(content="mph", marker="next")

    # A new treadmill is for the next session; this one keeps the console it was made for.
    later = ctx.clock.now() + timedelta(minutes=1)
    await service.save_profile(ctx.db, runner.id, runner_profile(Treadmill()), later)
    await user.open(f"/sessions/{session.id}/tv")
    await user.should_see(content=pressed, marker="speed", retries=PATIENCE)
    assert the(user, ui.label, "speed").props["data-caption"] == "Console"

    next_session = await a_run(runner, Goal.TEMPO)
    await user.open(f"/sessions/{next_session.id}/run")
    await user.should_see(content=f"{next_session.segments[0].speed_kmh:.1f} km/h", marker="speed")
    await user.should_see(content=per_km(next_session.segments[0].speed_kmh), marker="pace")
