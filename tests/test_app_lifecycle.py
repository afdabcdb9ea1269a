"""The app's own background work (ticker, job worker, listener) stops before the database closes."""

from __future__ import annotations

import asyncio

from nicegui import app
from nicegui.testing import User
from sqlalchemy import text

from runcoach.app import Background
from runcoach.context import context
from runcoach.db.engine import Database


async def test_the_background_work_is_stopped_before_the_database_closes(user: User) -> None:
    await context().db.ready()
    handlers = list(app._shutdown_handlers)
    [stop] = [h for h in handlers if getattr(h, "__func__", None) is Background.stop]
    assert handlers.index(stop) < handlers.index(context().db.close)
    running = {task.get_name() for task in stop.__self__._tasks}
    assert {"runcoach-ticker", "runcoach-jobs"} <= running


async def test_stopping_cancels_a_task_in_the_middle_of_its_queries_and_waits_for_it(
    database: Database,
) -> None:
    queries = 0

    async def busy() -> None:
        nonlocal queries
        while True:
            async with database.session() as db:
                await db.execute(text("SELECT 1"))
            queries += 1

    background = Background()
    task = background.run(busy(), "busy")
    for _ in range(3000):
        if queries >= 3:
            break
        await asyncio.sleep(0.01)
    assert queries >= 3
    await background.stop()
    assert task.cancelled()  # ended, not only asked to: the database may close now
    await database.close()
