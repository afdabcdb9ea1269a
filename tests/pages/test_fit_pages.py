"""Page stories for FIT workout files: Download FIT on a saved workout and on a planned day, and
importing a FIT or Zwift file on the workouts page (a bad file is named and nothing is stored)."""

from __future__ import annotations

from datetime import timedelta

from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User

from runcoach.context import context
from runcoach.domain.workouts import Goal, WorkoutSpec
from runcoach.plans import service as plans
from runcoach.profiles import service as profiles
from runcoach.workouts import service as workouts
from tests.fit.decoders import garmin_messages
from tests.helpers import PLAN_PROFILE, add_account, easy_plan, sign_in, the

DOWNLOAD_TIMEOUT_S = 30.0


async def test_download_fit_on_a_workout_and_import_it_back(user: User) -> None:
    await context().db.ready()
    account = await add_account("ann@example.com")
    ctx = context()
    spec = WorkoutSpec(duration_min=40, goal=Goal.INTERVALS)
    made = await workouts.generate(ctx.db, owner_id=account.id, spec=spec, seed=3, now=ctx.clock.now())
    await sign_in(user, "ann@example.com")

    await user.open(f"/workouts/{made.id}")
    user.find(marker="download-fit").click()
    data = (await user.download.next(timeout=DOWNLOAD_TIMEOUT_S)).content
    [head] = garmin_messages(data)["workout_mesgs"]
    assert head["wkt_name"] == made.name

    await user.open("/workouts")
    upload = the(user, ui.upload, "import")
    await upload.handle_uploads([SmallFileUpload("intervals.fit", "application/octet-stream", data)])
    await user.should_see(marker="source")
    assert the(user, ui.label, "source").text == "intervals.fit"
    # The same program, its repeats a block again.
    assert len(the(user, ui.table, "segments").rows) == len(made.segments)
    assert " × (" in the(user, ui.label, "structure").text
    # No Regenerate for a workout from a file: there are no inputs to generate it from.
    await user.should_not_see(marker="regenerate")


async def test_a_file_that_is_not_a_workout_is_named_and_nothing_is_stored(user: User) -> None:
    await context().db.ready()
    account = await add_account("ann@example.com")
    await sign_in(user, "ann@example.com")
    upload = the(user, ui.upload, "import")
    await upload.handle_uploads([SmallFileUpload("holiday.fit", "application/octet-stream", b"\x0e" * 64)])
    await user.should_see(marker="import_error")
    assert "FIT" in the(user, ui.label, "import_error").text
    assert await workouts.list_mine(context().db, owner_id=account.id) == []


async def test_download_fit_on_a_planned_day(user: User) -> None:
    await context().db.ready()
    ctx = context()
    account = await add_account("ann@example.com")
    await profiles.save_profile(ctx.db, account.id, PLAN_PROFILE, ctx.clock.now())
    monday = ctx.today() - timedelta(days=ctx.today().weekday())
    await plans.store_new(
        ctx.db, account.id, goal_id=None, seed=1, draft=easy_plan(monday), now=ctx.clock.now()
    )
    await sign_in(user, "ann@example.com")

    await user.open("/plan/workouts/1")
    user.find(marker="download-fit").click()
    data = (await user.download.next(timeout=DOWNLOAD_TIMEOUT_S)).content
    messages = garmin_messages(data)
    [step] = messages["workout_step_mesgs"]
    assert step["duration_time"] == 40 * 60
