"""User stories for the live views: tablet and phone in step, the API, pairing, units, the sessions list.

The app runs the real hub with the system clock; a 20-minute workout has no segment boundary
during a test, so the stories assert on what commands change (status, segment), not on time.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import segno
from nicegui import ElementFilter, ui
from nicegui.testing import User

from runcoach.auth import service as auth_service
from runcoach.context import context
from runcoach.domain.accounts import Units
from runcoach.domain.session import Command, RunSession, Status
from runcoach.domain.workouts import Goal
from runcoach.live import present
from tests.helpers import (
    HUGE_IDS,
    PATIENCE,
    SqliteOutage,
    a_run,
    add_account,
    run_commands,
    sign_in,
    state_now,
    the,
)

#: The status pill of a session finished before its program's end (a no-break space: one line).
FINISHED_EARLY = "Finished\u00a0early"


def title(session: RunSession, index: int) -> str:
    return present.segment_title(session.segments[index])


async def test_the_phone_skips_and_the_tablet_shows_the_next_segment(create_user: Callable[[], User]) -> None:
    tablet, phone = create_user(), create_user()
    await tablet.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    session = await a_run(runner)
    # The warm-up ramps up in a few segments of the same name: skip to the first one named otherwise.
    other = next(i for i in range(len(session.segments)) if title(session, i) != title(session, 0))
    await sign_in(tablet, "runner@example.com")
    await sign_in(phone, "runner@example.com")

    await tablet.open(f"/workouts/{session.workout_id}")
    tablet.find(marker="start-run").click()
    await tablet.should_see(marker="start", retries=PATIENCE)
    run_id = int(tablet.back_history[-1].split("/")[2])
    await tablet.should_see(content="Ready", marker="status")
    await tablet.should_see(content=title(session, 0), marker="segment")
    assert the(tablet, ui.label, "remaining").text == present.countdown(session.segments[0].duration_s)
    tablet.find(marker="start").click()
    await tablet.should_see(content="Running", marker="status")
    await tablet.should_see(marker="pause")

    await phone.open(f"/remote/{run_id}")
    await phone.should_see(content="Running", marker="status")
    for index in range(1, other + 1):
        phone.find(marker="skip").click()
        progress = f"Segment {index + 1} of {len(session.segments)}"
        await tablet.should_see(content=progress, marker="progress")
        await phone.should_see(content=progress, marker="progress")

    await tablet.should_see(content=title(session, other), marker="segment")
    speed = present.speed_text(session.segments[other].speed_kmh, Units.METRIC)
    await tablet.should_see(content=speed, marker="speed")


async def test_a_pause_through_the_api_shows_on_the_tablet(user: User) -> None:
    await user.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    ctx = context()
    _, token = await auth_service.create_token(ctx.db, user_id=runner.id, label="watch", now=ctx.clock.now())
    session = await a_run(runner)
    await run_commands(session, Command.START)
    await sign_in(user, "runner@example.com")
    await user.open(f"/sessions/{session.id}/run")
    await user.should_see(content="Running", marker="status")

    response = await user.http_client.post(
        f"/api/sessions/{session.id}/pause", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text

    await user.should_see(content="Paused", marker="status")
    await user.should_see(marker="resume")
    # The tablet has not seen the pause yet? It has: its next tap is not a stale conflict.
    user.find(marker="resume").click()
    await user.should_see(content="Running", marker="status")


async def test_a_tap_the_session_no_longer_accepts_says_why_on_the_page(user: User) -> None:
    await user.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    session = await a_run(runner)
    await run_commands(session, Command.START)
    await sign_in(user, "runner@example.com")
    await user.open(f"/remote/{session.id}")
    await user.should_see(marker="pause")
    await run_commands(session, Command.PAUSE)  # through the hub: the remote's listener hears it
    await user.should_see(content="Paused", marker="status")
    await run_commands(session, Command.FINISH)
    await user.should_see(content=FINISHED_EARLY, marker="status")
    with user:  # a tap that raced the update, on a button the page was about to hide
        (back,) = ElementFilter(kind=ui.button, marker="back", only_visible=False)
    back.set_visibility(True)
    user.find(marker="back").click()
    await user.should_see(content="completed: cannot back", marker="error")


async def test_a_tap_while_the_database_is_down_says_so_on_the_page(user: User) -> None:
    """Not "busy with commands from another screen": the runner learns the tap was not saved."""
    await user.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    session = await a_run(runner)
    await run_commands(session, Command.START)
    await sign_in(user, "runner@example.com")
    await user.open(f"/sessions/{session.id}/run")
    await user.should_see(marker="pause")
    outage = SqliteOutage(context().db)
    await outage.start()
    user.find(marker="pause").click()
    await user.should_see(content="The database is not answering, so this tap was not saved", marker="error")
    await outage.settle()


async def test_a_paired_phone_controls_that_session_without_signing_in(
    create_user: Callable[[], User],
) -> None:
    phone = create_user()
    await phone.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    session = await a_run(runner)
    await run_commands(session, Command.START)

    await phone.open("/pair")
    phone.find(marker="code").type(present.pair_code_text(session.pair_code).lower())
    phone.find(marker="open").click()
    await phone.should_see(marker="pause", retries=PATIENCE)
    assert phone.back_history[-1] == f"/r/{session.pair_code}"
    phone.find(marker="pause").click()

    await phone.should_see(content="Paused", marker="status")
    assert (await state_now(session)).status is Status.PAUSED

    # The finish button asks first.
    phone.find(marker="finish").click()
    await phone.should_see(marker="finish-confirm")
    phone.find(marker="finish-confirm").click()
    await phone.should_see(content=FINISHED_EARLY, marker="status")
    assert (await state_now(session)).status is Status.COMPLETED

    # Completed: the link stops working, for a new load and for this page alike.
    response = await phone.http_client.get(f"/r/{session.pair_code}")
    assert response.status_code == 404
    assert "This pairing code is not valid" in response.text
    assert session.name not in response.text


async def test_a_wrong_pairing_code_says_so(user: User) -> None:
    await user.open("/pair")
    user.find(marker="code").type("ZZZZ-ZZZZ")
    user.find(marker="open").click()
    await user.should_see(content="This pairing code is not valid", marker="error")
    assert user.back_history[-1] == "/pair"


async def test_pairing_while_the_database_is_down_says_so(user: User) -> None:
    await user.open("/pair")
    await user.should_see(marker="code")
    outage = SqliteOutage(context().db)
    await outage.start()
    user.find(marker="code").type("ABCD-EFGH")
    user.find(marker="open").click()
    await user.should_see(content="The database is not answering", marker="error")
    await outage.settle()


async def test_the_pairing_link_works_only_for_its_own_session(user: User) -> None:
    await user.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    first, second = await a_run(runner), await a_run(runner)
    await run_commands(first, Command.START)
    await run_commands(second, Command.START)

    await user.open(f"/r/{first.pair_code}")
    await user.should_see(marker="pause")
    user.find(marker="pause").click()
    await user.should_see(content="Paused", marker="status")
    assert ((await state_now(first)).status, (await state_now(second)).status) == (
        Status.PAUSED,
        Status.RUNNING,
    )
    # The paired browser is not signed in: the runner's own pages stay closed to it.
    response = await user.http_client.get(f"/sessions/{second.id}/run")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_another_runners_session_is_not_found(user: User) -> None:
    await user.open("/login")
    owner = await add_account("owner@example.com", "Owner")
    await add_account("other@example.com", "Other")
    theirs = await a_run(owner)
    await sign_in(user, "other@example.com")
    for path in (f"/sessions/{theirs.id}/run", f"/remote/{theirs.id}", f"/sessions/{theirs.id}/tv"):
        response = await user.http_client.get(path)
        assert response.status_code == 404, path
        assert "Session not found" in response.text
        assert theirs.name not in response.text and theirs.pair_code not in response.text
    for text in ("999", "nope", *HUGE_IDS):
        for path in (f"/sessions/{text}/run", f"/remote/{text}", f"/sessions/{text}/tv"):
            assert (await user.http_client.get(path)).status_code == 404, path
    assert (await user.http_client.get(f"/r/{'Z' * 5000}")).status_code == 404


async def test_with_imperial_units_the_run_view_shows_mph(user: User) -> None:
    await user.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    session = await a_run(runner, Goal.TEMPO)
    await sign_in(user, "runner@example.com")

    await user.open("/settings")
    await user.should_see(marker="units")
    the(user, ui.toggle, "units").value = "imperial"
    await user.should_see(content="Saved", marker="units-saved")

    await user.open(f"/sessions/{session.id}/run")
    first = session.segments[0]
    await user.should_see(content=present.speed_text(first.speed_kmh, Units.IMPERIAL), marker="speed")
    await user.should_see(content="mph", marker="speed")
    await user.should_see(content="min/mi", marker="pace")
    options = the(user, ui.echart, "profile").options
    assert options["series"][0]["name"] == "Speed mph"

    await auth_service.set_units(context().db, user_id=runner.id, units="metric")
    await user.open(f"/sessions/{session.id}/run")
    await user.should_see(content="km/h", marker="speed")


async def test_the_tv_view_shows_the_clock_and_the_segment(user: User) -> None:
    await user.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    session = await a_run(runner)
    await sign_in(user, "runner@example.com")
    await user.open(f"/sessions/{session.id}/tv")
    await user.should_see(content=title(session, 0), marker="segment")
    await user.should_see(marker="remaining")
    await run_commands(session, Command.START, Command.SKIP)
    await user.should_see(content=title(session, 1), marker="segment")
    await user.should_see(content="Running", marker="status")


async def test_the_sessions_list_shows_a_finished_session_with_its_events(user: User) -> None:
    await user.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    done, active = await a_run(runner), await a_run(runner, Goal.EASY)
    await run_commands(done, Command.START, Command.PAUSE, Command.RESUME, Command.SKIP, Command.FINISH)
    await run_commands(active, Command.START)
    await sign_in(user, "runner@example.com")

    await user.open("/sessions")
    with user.scope(marker="finished"):
        await user.should_see(marker=f"session-{done.id}")
        await user.should_see(content=FINISHED_EARLY, marker=f"status-{done.id}")
    with user.scope(marker=f"events-{done.id}"):
        for words in ("Created", "Started", "Paused", "Resumed", "Skipped a segment", "Finished"):
            await user.should_see(words)
    with user.scope(marker="active"):
        await user.should_see(marker=f"session-{active.id}")
        await user.should_see(content="Running", marker=f"status-{active.id}")


async def test_the_run_view_ships_its_first_snapshot_and_the_clock_script(user: User) -> None:
    await user.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    session = await a_run(runner)
    await run_commands(session, Command.START)
    await sign_in(user, "runner@example.com")
    page = (await user.http_client.get(f"/sessions/{session.id}/run")).text
    assert '<script src="/static/live.js?v=' in page
    assert f'window.RC_VIEW = {{"state": {{"id": {session.id}, "seq": 2, "status": "running"' in page
    assert present.cue_line(session.segments[1], Units.METRIC) in page
    assert present.pair_code_text(session.pair_code) in page
    # The QR code holds the absolute link to the paired remote (the test client's base is http://test).
    expected = segno.make(f"http://test/r/{session.pair_code}", error="m").svg_inline(omitsize=True, border=2)
    (modules,) = re.findall(r' d="([^"]+)"', expected)
    assert modules in page
    script = await user.http_client.get("/static/live.js")
    assert script.status_code == 200 and "runcoach_state" in script.text


async def test_opening_a_page_while_the_database_is_down_says_so(user: User) -> None:
    """Signed in, the sign-in check itself needs the database: a 503 with the sentence."""
    await user.open("/login")
    await add_account("runner@example.com", "Runner")
    await sign_in(user, "runner@example.com")
    outage = SqliteOutage(context().db)
    await outage.start()
    response = await user.http_client.get("/workouts")
    await outage.settle()
    assert response.status_code == 503 and response.headers["retry-after"].isdigit()
    assert "The database is not answering" in response.text


async def test_a_public_page_whose_build_fails_shows_the_sentence_not_a_trace(
    user: User, caplog: pytest.LogCaptureFixture
) -> None:
    await user.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    session = await a_run(runner)
    outage = SqliteOutage(context().db)
    await outage.start()
    response = await user.http_client.get(f"/r/{session.pair_code}")
    await outage.settle()
    assert response.status_code == 500
    assert "The database is not answering" in response.text
    assert "Traceback" not in response.text and session.name not in response.text
    # The outage is logged for the operator (and only that: the fixture fails on other errors).
    assert any(
        "not answering" in r.getMessage() or r.exc_info for r in caplog.records if r.levelname == "ERROR"
    )
    caplog.clear()
