"""User stories for how a run ends: an early finish says so on every screen; a full run keeps the happy words.

The tablet (run view), the TV and the phone (remote) watch one session; afterwards the runner opens
the sessions list. Time is driven with commands and with the app's clock (`jump`), never waited for.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from nicegui import ui
from nicegui.testing import User

from runcoach.domain.accounts import User as Account
from runcoach.domain.session import Command, RunSession
from runcoach.live import present
from runcoach.workouts import present as workout_present
from tests.helpers import a_run, add_account, jump, run_commands, sign_in, state_now, the

EMAIL = "runner@example.com"
#: The status pill of an early finish (a no-break space keeps it on one line on a phone).
FINISHED_EARLY = "Finished\u00a0early"


async def three_screens(create_user: Callable[[], User]) -> tuple[User, User, User, RunSession]:
    """A runner signed in on a tablet, a TV and a phone, each showing one new 20-minute session."""
    tablet, tv, phone = create_user(), create_user(), create_user()
    await tablet.open("/login")
    runner: Account = await add_account(EMAIL, "Runner")
    session = await a_run(runner)
    for screen, path in (
        (tablet, f"/sessions/{session.id}/run"),
        (tv, f"/sessions/{session.id}/tv"),
        (phone, f"/remote/{session.id}"),
    ):
        await sign_in(screen, EMAIL)
        await screen.open(path)
        await screen.should_see(content="Ready", marker="status")
    return tablet, tv, phone, session


def marker_minutes(screen: User) -> float:
    """Where the run view's chart draws its red "now" line, in minutes into the program."""
    (line,) = the(screen, ui.echart, "profile").options["series"][0]["markLine"]["data"]
    return float(line["xAxis"])


async def test_an_early_finish_says_so_on_every_screen_and_in_the_sessions_list(
    create_user: Callable[[], User],
) -> None:
    tablet, tv, phone, session = await three_screens(create_user)
    n = len(session.segments)
    offsets = present.segment_offsets(session.segments)
    # A few segments in: the first one of half a minute or more after the second.
    stop_in = next(i for i in range(2, n) if session.segments[i].duration_s >= 30)
    await run_commands(session, Command.START)
    await jump(offsets[stop_in] + 1)
    await tablet.should_see(content=f"Segment {stop_in + 1} of {n}", marker="progress")

    phone.find(marker="finish").click()  # the phone asks first
    await phone.should_see(marker="finish-confirm")
    phone.find(marker="finish-confirm").click()

    await phone.should_see(content=FINISHED_EARLY, marker="status")
    state = await state_now(session)
    assert state.finished_early and state.segments_done == stop_in
    done = (
        f"Finished early: {stop_in} of {n} segments, "
        f"{present.elapsed_clock(state.elapsed_s)} of {workout_present.clock(state.total_duration_s)}"
    )
    for screen in (tablet, tv, phone):
        await screen.should_see(content=FINISHED_EARLY, marker="status")
        await screen.should_see(content="Workout ended", marker="segment")
        await screen.should_see(content=f"{stop_in} of {n} segments", marker="progress")
        await screen.should_not_see(content=f"All {n} segments")
        await screen.should_not_see(content="well run")
    for screen in (tablet, phone):
        await screen.should_see(content=done, marker="next")

    # Opened afresh, the run view draws the chart's line where the run stopped, not at the end.
    await tablet.open(f"/sessions/{session.id}/run")
    await tablet.should_see(content="Workout ended", marker="segment")
    stopped_at = offsets[stop_in] + state.segment_elapsed_s
    assert marker_minutes(tablet) == pytest.approx(round(stopped_at / 60, 3))
    assert marker_minutes(tablet) < state.total_duration_s / 60

    await tablet.open("/sessions")
    with tablet.scope(marker="finished"):
        await tablet.should_see(content=FINISHED_EARLY, marker=f"status-{session.id}")
        await tablet.should_see(content=done, marker=f"summary-{session.id}")
        await tablet.should_not_see(content=f"All {n} segments")


async def test_a_run_played_to_its_end_keeps_the_happy_words(create_user: Callable[[], User]) -> None:
    tablet, tv, phone, session = await three_screens(create_user)
    n = len(session.segments)
    total = sum(s.duration_s for s in session.segments)
    await run_commands(session, Command.START)
    await tablet.should_see(content="Running", marker="status")

    await jump(total)  # the belt ran to the end of the last segment

    for screen in (tablet, tv, phone):
        await screen.should_see(content="Completed", marker="status")
        await screen.should_see(content="Workout complete", marker="segment")
        await screen.should_see(content=f"All {n} segments", marker="progress")
        await screen.should_not_see(content="early")
    for screen in (tablet, phone):
        await screen.should_see(content="Done: well run!", marker="next")
    state = await state_now(session)
    assert state.played_in_full and state.segments_done == n and state.elapsed_s == total

    await tablet.open(f"/sessions/{session.id}/run")
    await tablet.should_see(content="Workout complete", marker="segment")
    assert marker_minutes(tablet) == round(total / 60, 3)

    await tablet.open("/sessions")
    clock = workout_present.clock(total)
    with tablet.scope(marker="finished"):
        await tablet.should_see(content="Completed", marker=f"status-{session.id}")
        await tablet.should_see(
            content=f"{clock} of {clock} · All {n} segments", marker=f"summary-{session.id}"
        )
        await tablet.should_not_see(content="early")


async def test_a_finish_before_the_start_is_no_success_either(create_user: Callable[[], User]) -> None:
    tablet, tv, phone, session = await three_screens(create_user)
    n = len(session.segments)
    await run_commands(session, Command.FINISH)
    for screen in (tablet, tv, phone):
        await screen.should_see(content=FINISHED_EARLY, marker="status")
        await screen.should_see(content=f"0 of {n} segments", marker="progress")
    await tablet.should_see(content=f"Finished early: 0 of {n} segments, 0:00 of 20:00", marker="next")
    await tablet.open("/sessions")
    with tablet.scope(marker="finished"):
        await tablet.should_see(content=FINISHED_EARLY, marker=f"status-{session.id}")


async def test_a_run_that_reached_the_end_past_a_skip_counts_only_the_segments_played(user: User) -> None:
    await user.open("/login")
    session = await a_run(await add_account(EMAIL, "Runner"))
    n = len(session.segments)
    await sign_in(user, EMAIL)
    await user.open(f"/sessions/{session.id}/run")
    await user.should_see(content="Ready", marker="status")
    await run_commands(session, Command.START, Command.SKIP)  # the warm-up's first part, skipped
    await user.should_see(content=f"Segment 2 of {n}", marker="progress")

    await jump(sum(s.duration_s for s in session.segments))

    await user.should_see(content="Completed", marker="status")
    await user.should_see(content="Workout complete", marker="segment")
    await user.should_see(content=f"{n - 1} of {n} segments", marker="progress")
    await user.should_see(content=f"Done: {n - 1} of {n} segments, ", marker="next")
    await user.should_not_see(content="well run")
    await user.should_not_see(content=f"All {n} segments")
