"""User stories for the run summary: from the finished run view to the laps, the chart, the check-in
and the FIT file; from the sessions list; and what others and unfinished runs get.

Time is driven with commands and the app's clock (`jump`), never waited for.
"""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from runcoach.context import context
from runcoach.domain.accounts import User as Account
from runcoach.domain.session import Command, RunSession
from runcoach.domain.timeline import Timeline, session_timeline
from runcoach.live import present
from runcoach.live import summary as summary_present
from runcoach.plans import checkins
from tests.fit.decoders import fitdecode_messages, garmin_messages
from tests.helpers import HUGE_IDS, a_run, add_account, jump, run_commands, sign_in, the

EMAIL = "runner@example.com"


async def signed_in_runner(user: User) -> Account:
    await user.open("/login")
    runner = await add_account(EMAIL, "Runner")
    await sign_in(user, EMAIL)
    return runner


async def eventful_run(session: RunSession) -> None:
    """Start, 2.5 minutes, a 40 s pause, a skip, 100 s more, finish."""
    await run_commands(session, Command.START)
    await jump(150)
    await run_commands(session, Command.PAUSE)
    await jump(40)
    await run_commands(session, Command.RESUME, Command.SKIP)
    await jump(100)
    await run_commands(session, Command.FINISH)


async def timeline_now(session: RunSession) -> Timeline:
    ctx = context()
    return session_timeline(await ctx.hub.get(session.id, owner_id=None), ctx.clock.now())


async def test_a_finished_run_leads_to_its_summary_with_laps_chart_check_in_and_fit_file(user: User) -> None:
    runner = await signed_in_runner(user)
    session = await a_run(runner)
    await user.open(f"/sessions/{session.id}/run")
    await user.should_see(content="Ready", marker="status")
    await eventful_run(session)
    await user.should_see(marker="done")  # the run view's way on, once the run is over

    user.find(marker="done").click()
    await user.should_see(marker="headline")

    line = await timeline_now(session)
    assert len(line.laps) >= 2 and line.pauses
    await user.should_see(content=present.done_text(line.state), marker="headline")
    await user.should_see(content=present.elapsed_clock(line.timer_s), marker="time")
    await user.should_see(
        content=summary_present.distance_text(line.distance_m, present.units_of(runner.units)),
        marker="distance",
    )
    await user.should_see(content=present.elapsed_clock(line.elapsed_s), marker="elapsed")
    rows = the(user, ui.table, "laps").rows
    assert [row["segment"] for row in rows] == [
        present.segment_title(session.segments[lap.segment_index]) for lap in line.laps
    ]
    notes = [row["note"] for row in rows]
    assert notes == [summary_present.LAP_END_TEXT[lap.ended_by] for lap in line.laps]
    assert "skipped" in notes and notes[-1] == "finished"
    series = the(user, ui.echart, "run-vs-plan").options["series"]
    assert [s["name"] for s in series] == ["Planned", "Run", "Incline %"]
    await user.should_see("How did it feel?")

    user.find(marker="download-fit").click()
    response = await user.download.next(timeout=10)
    messages = garmin_messages(response.content)
    assert fitdecode_messages(response.content)
    assert len(messages["lap_mesgs"]) == len(line.laps)
    assert messages["session_mesgs"][0]["total_timer_time"] == round(line.timer_s, 3)

    user.find(marker="effort").elements.pop().set_value(7)
    user.find(marker="save-checkin").click()
    await user.should_see("Saved.")
    saved = await checkins.for_session(context().db, runner.id, session.id)
    assert saved is not None and saved.effort == 7


async def test_the_sessions_list_leads_a_finished_run_to_its_summary(user: User) -> None:
    runner = await signed_in_runner(user)
    session = await a_run(runner)
    await run_commands(session, Command.START)
    await jump(60)
    await run_commands(session, Command.FINISH)
    await user.open("/sessions")
    with user.scope(marker="finished"):
        user.find(marker=f"open-summary-{session.id}").click()
    await user.should_see(marker="headline")
    await user.should_see(content="1:00", marker="time")
    await user.should_see(marker="download-fit")


async def test_the_check_in_page_stays_and_links_to_the_summary(user: User) -> None:
    runner = await signed_in_runner(user)
    session = await a_run(runner)
    await run_commands(session, Command.START, Command.FINISH)
    await user.open(f"/sessions/{session.id}/checkin")
    await user.should_see("How did it feel?")
    user.find(marker="open-summary").click()
    await user.should_see(marker="headline")


async def test_a_run_still_going_has_no_summary_yet_and_leads_back_to_it(user: User) -> None:
    runner = await signed_in_runner(user)
    session = await a_run(runner)
    await run_commands(session, Command.START)
    await user.open(f"/sessions/{session.id}/summary")
    await user.should_see(marker="back-to-run")
    await user.should_not_see(marker="download-fit")
    await user.should_not_see(marker="laps")


async def test_a_run_finished_before_its_start_has_no_file_to_download(user: User) -> None:
    runner = await signed_in_runner(user)
    session = await a_run(runner)
    await run_commands(session, Command.FINISH)
    await user.open(f"/sessions/{session.id}/summary")
    await user.should_see(content="0:00", marker="time")
    await user.should_not_see(marker="download-fit")
    await user.should_see("How did it feel?")


async def test_somebody_elses_run_or_no_run_has_no_summary(user: User) -> None:
    await user.open("/login")
    bob = await add_account("bob@example.com")
    session = await a_run(bob)
    await run_commands(session, Command.START, Command.FINISH)
    await add_account(EMAIL)
    await sign_in(user, EMAIL)
    for path in (f"/sessions/{session.id}/summary", *(f"/sessions/{i}/summary" for i in (*HUGE_IDS, "x"))):
        response = await user.http_client.get(path)
        assert response.status_code == 404, path
        assert "Session not found" in response.text and "download-fit" not in response.text
