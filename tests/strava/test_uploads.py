"""Treadmill runs out to Strava, once: through the real client and services against the fake
Strava, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from runcoach.db import jobs as job_queries
from runcoach.db import strava as queries
from runcoach.db.tables import StravaUploadRow
from runcoach.domain.errors import Conflict, NotFound
from runcoach.domain.session import Command, RunSession
from runcoach.domain.strava import UploadStatus
from runcoach.domain.workouts import Goal, WorkoutSpec
from runcoach.live.hub import Hub
from runcoach.strava.jobs import AUTO_UPLOAD
from runcoach.strava.uploads import upload_key
from runcoach.workouts import service as workouts
from tests.strava.conftest import ATHLETE, Rig, new_user


async def finished_run(rig: Rig, *, minutes: float = 12, user_id: int | None = None) -> RunSession:
    """A 20-minute interval session of the runner's, run for `minutes` and finished."""
    owner = user_id or rig.user_id
    hub = Hub(rig.database, rig.clock)
    workout = await workouts.generate(
        rig.database, owner_id=owner, spec=WorkoutSpec(duration_min=20, goal=Goal.INTERVALS), seed=5,
        now=rig.clock.now(),
    )  # fmt: skip
    session = await hub.create_session(workout_id=workout.id, owner_id=owner)
    await hub.command(session.id, Command.START, owner_id=owner)
    rig.clock.advance(minutes * 60)
    finished, _ = await hub.command(session.id, Command.FINISH, owner_id=owner)
    return finished


async def test_an_upload_posts_the_fit_once_and_polls_it_to_its_activity(rig: Rig) -> None:
    await rig.connect()
    session = await finished_run(rig)
    upload = await rig.strava.upload(rig.user_id, session.id)
    assert upload.status is UploadStatus.CLAIMED
    await rig.settle()
    done = await rig.strava.uploads.status(rig.user_id, session.id)
    assert done is not None and done.status is UploadStatus.DONE and done.activity_id is not None
    [sent] = rig.fake.uploads
    assert sent.external_id == done.external_id and sent.trainer
    activity = rig.fake.activity(done.activity_id)
    assert activity["external_id"] == done.external_id
    assert activity["moving_time"] == pytest.approx(12 * 60, abs=2)
    assert rig.fake.count("/api/v3/uploads/", method="GET") >= 2  # polled while Strava processed it


async def test_twenty_clicks_at_once_make_one_strava_activity(rig: Rig) -> None:
    await rig.connect()
    session = await finished_run(rig)
    answers = await asyncio.gather(*(rig.strava.upload(rig.user_id, session.id) for _ in range(20)))
    assert {a.external_id for a in answers} == {answers[0].external_id}
    await rig.settle()
    assert rig.fake.uploads_created == 1
    assert len([a for a in rig.fake.activities(ATHLETE) if a.get("external_id")]) == 1
    await rig.strava.upload(rig.user_id, session.id)  # once more, after it is done
    await rig.settle()
    assert rig.fake.uploads_created == 1


async def test_a_restart_after_strava_took_the_file_links_its_duplicate(rig: Rig) -> None:
    """The process died after Strava accepted the file but before the upload id was stored."""
    await rig.connect()
    session = await finished_run(rig)
    await rig.strava.upload(rig.user_id, session.id)
    await rig.settle()
    first = await rig.strava.uploads.status(rig.user_id, session.id)
    assert first is not None and first.activity_id is not None
    async with rig.database.session() as db:  # as if Strava's answer was lost in the crash
        await queries.update_upload(
            db, session_id=session.id, now=rig.clock.now(), status=UploadStatus.CLAIMED,
            upload_id=None, activity_id=None,
        )  # fmt: skip
        await job_queries.enqueue(
            db, kind="strava.upload", key=upload_key(session.id), owner_id=rig.user_id,
            payload={"user_id": rig.user_id, "session_id": session.id}, due_at=rig.clock.now(),
            now=rig.clock.now(), revive=True,
        )  # fmt: skip
    await rig.settle()
    again = await rig.strava.uploads.status(rig.user_id, session.id)
    assert again is not None and again.status is UploadStatus.DUPLICATE
    assert again.activity_id == first.activity_id
    assert len([a for a in rig.fake.activities(ATHLETE) if a.get("external_id")]) == 1


async def test_a_run_not_over_or_another_runners_cannot_be_sent(rig: Rig) -> None:
    await rig.connect()
    hub = Hub(rig.database, rig.clock)
    workout = await workouts.generate(
        rig.database, owner_id=rig.user_id, spec=WorkoutSpec(duration_min=20, goal=Goal.EASY), seed=1,
        now=rig.clock.now(),
    )  # fmt: skip
    running = await hub.create_session(workout_id=workout.id, owner_id=rig.user_id)
    await hub.command(running.id, Command.START, owner_id=rig.user_id)
    with pytest.raises(Conflict, match="finish"):
        await rig.strava.upload(rig.user_id, running.id)
    bob = await new_user(rig.database, "bob@example.com")
    theirs = await finished_run(rig, user_id=bob)
    with pytest.raises(NotFound):
        await rig.strava.upload(rig.user_id, theirs.id)
    with pytest.raises(NotFound):
        await rig.strava.upload(rig.user_id, 2**62)
    async with rig.database.session() as db:
        assert (await db.execute(select(StravaUploadRow))).first() is None


async def test_without_the_write_scope_nothing_is_claimed(rig: Rig) -> None:
    await rig.connect(scope="read,activity:read_all")
    session = await finished_run(rig)
    with pytest.raises(Conflict, match="uploads"):
        await rig.strava.upload(rig.user_id, session.id)
    assert rig.fake.uploads_created == 0


async def test_a_strava_error_on_the_post_is_tried_again_not_given_up(rig: Rig) -> None:
    await rig.connect()
    session = await finished_run(rig, minutes=2)
    rig.fake.fail_next(500, times=1, path="/api/v3/uploads")
    await rig.strava.upload(rig.user_id, session.id)
    await rig.settle()
    done = await rig.strava.uploads.status(rig.user_id, session.id)
    assert done is not None and done.status is UploadStatus.DONE  # a 500 is retried, not given up
    assert rig.fake.uploads_created == 1


async def test_auto_upload_sends_each_finished_run_of_runners_who_want_it(rig: Rig) -> None:
    await rig.connect()
    await rig.strava.set_auto_upload(rig.user_id, True)
    await rig.strava.start_sweep()
    session = await finished_run(rig)
    rig.clock.advance(61)
    for _ in range(3):
        await rig.worker.drain()
        rig.clock.advance(61)
    await rig.settle()
    done = await rig.strava.uploads.status(rig.user_id, session.id)
    assert done is not None and done.status is UploadStatus.DONE
    assert rig.fake.uploads_created == 1
    async with rig.database.session() as db:
        pending = await job_queries.next_due(db, kinds=[AUTO_UPLOAD])
    assert pending is not None  # the sweep stays scheduled


async def test_the_imported_copy_of_an_uploaded_run_is_not_counted_twice(rig: Rig) -> None:
    await rig.connect()
    session = await finished_run(rig)
    await rig.strava.upload(rig.user_id, session.id)
    await rig.settle()
    done = await rig.strava.uploads.status(rig.user_id, session.id)
    assert done is not None and done.activity_id is not None
    created = {
        **rig.fake.event_for(done.activity_id, "create"),
        "event_time": int(rig.clock.now().timestamp()),
    }
    await rig.strava.receive(created)
    await rig.settle()
    async with rig.database.session() as db:
        stored = await queries.get_activity(db, owner_id=rig.user_id, strava_id=done.activity_id)
        counted = await queries.imported_since(
            db, owner_id=rig.user_id, since=rig.clock.now() - timedelta(days=1)
        )
    assert stored is not None  # imported, as Strava has it
    assert counted == []  # but it is the session, already counted
