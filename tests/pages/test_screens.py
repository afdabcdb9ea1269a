"""Page stories for the run screens: the pairing card (address, expiry, a new code) and the TV's targets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import segno
from nicegui import ui
from nicegui.testing import User
from sqlalchemy import update

from runcoach.context import context
from runcoach.db.tables import RunSessionRow
from runcoach.domain.accounts import Units
from runcoach.domain.session import PAIRING_TTL_S, Command, RunSession
from runcoach.live import present
from tests.helpers import PATIENCE, a_run, add_account, sign_in, the, watching


async def make_pairing_old(session: RunSession, *, left_s: float = -3600) -> None:
    """The session and its code were made 13 hours ago, or so long ago that `left_s` of the code's
    12 hours are left (the app runs on the system clock)."""
    async with context().db.session() as db:
        await db.execute(
            update(RunSessionRow)
            .where(RunSessionRow.id == session.id)
            .values(created_at=context().hub.now() - timedelta(seconds=PAIRING_TTL_S - left_s))
        )


def qr_modules(url: str) -> str:
    """The QR code's path data for `url`, as the run view draws it (colours aside)."""
    svg = segno.make(url, error="m").svg_inline(omitsize=True, border=2)
    return svg.split(' d="', 1)[1].split('"', 1)[0]


async def runner_on_the_run_view(user: User) -> RunSession:
    await user.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    session = await a_run(runner)
    await sign_in(user, "runner@example.com")
    await user.open(f"/sessions/{session.id}/run")
    await user.should_see(marker="pair-code")
    return session


async def test_the_pairing_card_gives_the_full_address_to_type_the_code_at(user: User) -> None:
    session = await runner_on_the_run_view(user)
    await user.should_see(content=present.pair_code_text(session.pair_code), marker="pair-code")
    # The test client's base URL is http://test: the hint names the whole address, not just "/pair".
    await user.should_see(content="http://test/pair", marker="pair-hint")
    assert the(user, ui.label, "pair-hint").text == "Scan, or open http://test/pair and type the code"


async def test_an_expired_pairing_offers_a_new_code_that_pairs_at_once(user: User) -> None:
    await user.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    session = await a_run(runner)
    await make_pairing_old(session)
    old = await user.http_client.get(f"/r/{session.pair_code}")
    assert old.status_code == 404 and "This pairing code is not valid" in old.text

    await sign_in(user, "runner@example.com")
    await user.open(f"/sessions/{session.id}/run")
    await user.should_see(content="This code has expired", marker="pair-note")
    user.find(marker="pair-renew").click()
    await user.should_see(content=present.PAIRING_RENEWED, marker="pair-note", retries=PATIENCE)

    renewed = await context().hub.get(session.id, owner_id=runner.id)
    assert renewed.pair_code != session.pair_code
    await user.should_see(content=present.pair_code_text(renewed.pair_code), marker="pair-code")
    assert qr_modules(f"http://test/r/{renewed.pair_code}") in the(user, ui.html, "qr").content
    assert (await context().hub.by_pair_code(renewed.pair_code)).id == session.id
    page = await user.http_client.get(f"/r/{renewed.pair_code}")
    assert page.status_code == 200 and "This pairing code is not valid" not in page.text
    assert (await user.http_client.get(f"/r/{session.pair_code}")).status_code == 404


async def test_a_new_code_on_an_open_pairing_retires_the_old_one(user: User) -> None:
    session = await runner_on_the_run_view(user)
    user.find(marker="pair-renew").click()
    await user.should_see(content=present.PAIRING_RENEWED, marker="pair-note", retries=PATIENCE)
    renewed = await context().hub.get(session.id, owner_id=session.owner_id)
    await user.should_see(content=present.pair_code_text(renewed.pair_code), marker="pair-code")
    assert (await user.http_client.get(f"/r/{session.pair_code}")).status_code == 404


async def test_an_open_run_view_says_when_its_code_runs_out(user: User) -> None:
    """A tablet left on the run view overnight: the card says the code expired when it does, no reload."""
    await user.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    session = await a_run(runner)
    await make_pairing_old(session, left_s=1.5)
    await sign_in(user, "runner@example.com")
    await user.open(f"/sessions/{session.id}/run")
    await user.should_see(marker="pair-code")
    await user.should_not_see(marker="pair-note")  # still good when the page was built
    await user.should_see(content="This code has expired", marker="pair-note", retries=PATIENCE)
    assert "rc-expired" in the(user, ui.element, "pairing").classes
    user.find(marker="pair-renew").click()
    await user.should_see(content=present.PAIRING_RENEWED, marker="pair-note", retries=PATIENCE)
    assert "rc-expired" not in the(user, ui.element, "pairing").classes


async def test_a_new_code_drawn_on_one_tablet_shows_on_the_other(create_user: Callable[[], User]) -> None:
    first, second = create_user(), create_user()
    await first.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    session = await a_run(runner)
    for tablet in (first, second):
        await sign_in(tablet, "runner@example.com")
        await tablet.open(f"/sessions/{session.id}/run")
        await tablet.should_see(content=present.pair_code_text(session.pair_code), marker="pair-code")
    await watching(session, views=2)

    first.find(marker="pair-renew").click()
    await first.should_see(content=present.PAIRING_RENEWED, marker="pair-note", retries=PATIENCE)
    renewed = await context().hub.get(session.id, owner_id=runner.id)
    shown = present.pair_code_text(renewed.pair_code)
    await second.should_see(content=shown, marker="pair-code", retries=PATIENCE)
    await second.should_see(content=present.PAIRING_RENEWED, marker="pair-note")
    assert qr_modules(f"http://test/r/{renewed.pair_code}") in the(second, ui.html, "qr").content


async def test_a_finished_run_offers_no_code_at_all(user: User) -> None:
    session = await runner_on_the_run_view(user)
    hub = context().hub
    await hub.command(session.id, Command.START, owner_id=session.owner_id)
    await hub.command(session.id, Command.FINISH, owner_id=session.owner_id)
    await user.should_not_see(marker="pairing")
    await user.should_not_see(marker="pair-renew")


async def test_the_tv_shows_the_targets_and_the_next_segment(user: User) -> None:
    await user.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    session = await a_run(runner)
    await sign_in(user, "runner@example.com")
    await user.open(f"/sessions/{session.id}/tv")
    first, second = session.segments[0], session.segments[1]
    await user.should_see(content=present.speed_text(first.speed_kmh, Units.METRIC), marker="speed")
    await user.should_see(content=present.incline_text(first.incline_pct), marker="incline")
    await user.should_see(content=present.segment_title(second), marker="next")
