"""User stories for taps on the live views: one command per tap, honest messages, Finish asks first.

The browser drops a double tap before it leaves (tests/e2e/test_taps.py); these stories drive the
page on the server, where two taps can still arrive together (a slow save, a script) and another
screen can change the session under a tap.
"""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User

from pages.live_view import IGNORED
from runcoach.context import context
from runcoach.domain.session import Command, RunSession, Status
from runcoach.domain.workouts import Goal
from runcoach.live.commands import STALE
from tests.helpers import a_run, add_account, sign_in, state_now, the, watching

VIEWS = {"tablet": "/sessions/{id}/run", "phone": "/remote/{id}"}


async def a_running_session(user: User, view: str) -> RunSession:
    """A signed-in runner's running 20-minute session, open on `view`."""
    await user.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    session = await a_run(runner, Goal.EASY, seed=3)
    await context().hub.command(session.id, Command.START, owner_id=runner.id)
    await sign_in(user, "runner@example.com")
    await user.open(VIEWS[view].format(id=session.id))
    await user.should_see(content="Running", marker="status")
    await watching(session)
    return session


async def kinds(session: RunSession) -> list[str]:
    saved = await context().hub.get(session.id, owner_id=None)
    return [event.kind.value for event in saved.events]


def error_text(user: User) -> str:
    line = the(user, ui.label, "error")
    return line.text if line.visible else ""


@pytest.mark.parametrize(
    ("view", "command", "after"), [("phone", "skip", "skipped"), ("tablet", "pause", "paused")]
)
async def test_two_taps_in_the_same_instant_make_one_command_and_say_why_the_second_did_nothing(
    user: User, view: str, command: str, after: str
) -> None:
    session = await a_running_session(user, view)

    user.find(marker=command).click()
    user.find(marker=command).click()  # before the first one is saved

    await user.should_see(content=IGNORED, marker="error")
    assert await kinds(session) == ["created", "started", after]
    assert "another screen" not in error_text(user)


async def test_a_tap_that_raced_a_command_from_another_screen_says_so(user: User) -> None:
    session = await a_running_session(user, "phone")

    user.find(marker="skip").click()  # the page still shows the state before the API's skip
    await context().hub.command(session.id, Command.SKIP, owner_id=session.owner_id)

    await user.should_see(content=STALE, marker="error")
    assert await kinds(session) == ["created", "started", "skipped"]


async def test_the_error_line_clears_with_the_next_state(user: User) -> None:
    session = await a_running_session(user, "phone")
    user.find(marker="skip").click()
    user.find(marker="skip").click()
    await user.should_see(content=IGNORED, marker="error")

    await context().hub.command(session.id, Command.PAUSE, owner_id=session.owner_id)  # the tablet, say

    await user.should_see(content="Paused", marker="status")
    await user.should_not_see(marker="error")


@pytest.mark.parametrize("view", ["tablet", "phone"])
async def test_finish_asks_first_and_keep_running_keeps_running(user: User, view: str) -> None:
    session = await a_running_session(user, view)

    user.find(marker="finish").click()
    await user.should_see(marker="finish-confirm")
    user.find(marker="finish-cancel").click()
    assert not the(user, ui.dialog, "finish-dialog").value
    assert (await state_now(session)).status is Status.RUNNING

    user.find(marker="finish").click()
    await user.should_see(marker="finish-confirm")
    user.find(marker="finish-confirm").click()
    await user.should_see(content="Finished\u00a0early", marker="status")
    assert await kinds(session) == ["created", "started", "finished"]
