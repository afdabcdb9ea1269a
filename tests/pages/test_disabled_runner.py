"""A disabled runner's screens stop at once: the open run view and a paired phone are refused."""

from __future__ import annotations

from collections.abc import Callable

from nicegui.testing import User

from runcoach.auth import service as auth_service
from runcoach.context import context
from runcoach.domain.session import Status
from runcoach.domain.workouts import Goal, WorkoutSpec
from runcoach.workouts import service
from tests.helpers import add_account, sign_in


async def test_commands_from_open_pages_of_a_disabled_runner_are_refused(
    user: User, create_user: Callable[[], User]
) -> None:
    await context().db.ready()
    runner = await add_account("runner@example.com", "Runner")
    ctx = context()
    spec = WorkoutSpec(duration_min=20, goal=Goal.EASY)
    workout = await service.generate(ctx.db, owner_id=runner.id, spec=spec, seed=3, now=ctx.clock.now())
    session = await ctx.hub.create_session(workout_id=workout.id, owner_id=runner.id)
    await sign_in(user, "runner@example.com")
    await user.open(f"/sessions/{session.id}/run")
    phone = create_user()
    await phone.open(f"/r/{session.pair_code}")
    await phone.should_see(marker="start")

    await auth_service.set_disabled(ctx.db, email="runner@example.com", disabled=True, now=ctx.clock.now())
    user.find(marker="start").click()
    await user.should_see("not found")
    phone.find(marker="start").click()
    await phone.should_see("pairing code is not valid")
    assert (await ctx.hub.get(session.id, owner_id=None)).state(ctx.clock.now()).status == Status.CREATED
