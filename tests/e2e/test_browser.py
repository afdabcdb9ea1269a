"""Two real browsers on one run: the tablet (signed in) and a phone paired by code (not signed in).

Debian's Chromium through Selenium, against a real server process: tap Pause on the phone and
the tablet shows Paused, its clock stops; while running the tablet's clock moves.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from runcoach.live.present import elapsed_clock
from tests.e2e.conftest import ServerFactory
from tests.helpers import holds_for, open_signed_in, tap, text_of, wait_connected, wait_for, wait_text

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "coach@example.com", "correct horse battery"
TABLET_SIZE, PHONE_SIZE = (1280, 800), (390, 844)
#: How long a paused clock must stand still (a running one moves every second).
STILL_S = 1.5


def test_pause_on_the_phone_shows_paused_on_the_tablet(
    runcoach_server: ServerFactory, browser: Callable[[tuple[int, int]], WebDriver]
) -> None:
    server = runcoach_server.start()
    token = runcoach_server.user_with_token(EMAIL, PASSWORD, admin=True)
    with server.api(token) as api:
        session = api.new_session(duration_min=20, goal="easy")
    run_path = f"/sessions/{session['id']}/run"

    tablet = browser(TABLET_SIZE)
    open_signed_in(tablet, server.base, run_path, EMAIL, PASSWORD)
    wait_text(tablet, "rc-status", "Ready")

    shown_code = wait_for(
        tablet, lambda d: text_of(d, "rc-pair-code") or False, "the pairing code on the tablet"
    )
    match = re.search(r"[A-Z0-9]{4}[- ]?[A-Z0-9]{4}", str(shown_code))
    assert match, f"no pairing code in {shown_code!r}"
    code = re.sub(r"[^A-Z0-9]", "", match.group())

    phone = browser(PHONE_SIZE)  # its own profile: no session cookie, paired by code alone
    phone.get(f"{server.base}/r/{code}")
    wait_for(phone, lambda d: f"/r/{code}" in d.current_url, "the phone to stay on the remote (no login)")
    wait_connected(phone)
    assert phone.execute_script("return window.innerWidth") <= PHONE_SIZE[0]

    tap(tablet, "rc-start")
    wait_text(tablet, "rc-status", "Running")

    # While running, the tablet's clock moves (bounded: a second or two, whatever the display's rounding).
    running_at = text_of(tablet, "rc-elapsed")
    wait_for(tablet, lambda d: text_of(d, "rc-elapsed") != running_at, "the elapsed time to move", timeout=3)

    tap(phone, "rc-pause")
    wait_text(tablet, "rc-status", "Paused")
    with server.api(token) as api:
        state = api.get(f"/api/sessions/{session['id']}")
    assert state["status"] == "paused"
    assert [e["kind"] for e in state["events"]] == ["created", "started", "paused"]

    # Paused, the tablet shows the server's elapsed time and it stands still.
    paused_at = elapsed_clock(state["elapsed_s"])
    wait_text(tablet, "rc-elapsed", paused_at)
    holds_for(tablet, lambda d: text_of(d, "rc-elapsed") == paused_at, "the paused clock", STILL_S)
