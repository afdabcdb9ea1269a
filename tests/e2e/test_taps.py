"""Taps in real hands: Chromium at phone (390x844) and tablet (1280x800) sizes against a real server.

A double tap never undoes a command, a tap while the connection is lost cannot be made, the
tablet asks before Finish, a repeated tap says what happened (and the line clears with the next
push), and a reloaded clock starts from the server's own time. Taps are real mouse events at a
point on the screen (Chrome DevTools' Input domain), so they hit whatever is drawn there by then.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from runcoach.live.present import elapsed_clock
from runcoach.live.ticker import HEARTBEAT_S
from tests.e2e.conftest import Api, Server, ServerFactory
from tests.helpers import (
    holds_for,
    open_signed_in,
    tap,
    text_of,
    wait_connected,
    wait_for,
    wait_text,
)

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "runner@example.com", "correct horse battery"
TABLET, PHONE = (1280, 800), (390, 844)
#: The path of each view; "{id}" is the session's.
PATHS = {"tablet": "/sessions/{id}/run", "phone": "/remote/{id}"}
SIZES = {"tablet": TABLET, "phone": PHONE}
#: A runner's double tap: the second lands 120 to 400 ms after the first.
DOUBLE_TAP_S = (0.12, 0.4)
#: How long "nothing happened" has to hold after a tap that must do nothing.
QUIET_S = 1.5
#: How far the clock may be from the server's right after a load (the display shows whole seconds;
#: before the fix it was 0.1 to 0.3 s behind).
CLOCK_TOLERANCE_S = 0.05
#: The emulated network's latency for the reloaded page (each way).
LATENCY_MS = 150
COMMAND_BUTTONS = ("rc-start", "rc-pause", "rc-resume", "rc-back", "rc-skip", "rc-finish")


@dataclass
class Run:
    server: Server
    api: Api
    session_id: int

    def state(self) -> dict[str, Any]:
        return self.api.get(f"/api/sessions/{self.session_id}")

    def kinds(self) -> list[str]:
        return [event["kind"] for event in self.state()["events"]]

    def command(self, command: str) -> dict[str, Any]:
        return self.api.post(f"/api/sessions/{self.session_id}/{command}")


@dataclass
class Runner:
    """A real server and the runner's account on it."""

    server: Server
    api: Api

    def new_run(self) -> Run:
        """A new 20-minute session of the runner's (not started)."""
        session = self.api.new_session(duration_min=20, goal="easy")
        return Run(self.server, self.api, session["id"])


@pytest.fixture(scope="module")
def runner(module_servers: ServerFactory) -> Iterator[Runner]:
    """One server and one account for the module's tests (each plays its own new session)."""
    server = module_servers.start()
    token = module_servers.user_with_token(EMAIL, PASSWORD, admin=False)
    with server.api(token) as api:
        yield Runner(server, api)


@pytest.fixture
def run(runner: Runner) -> Run:
    """A new 20-minute session of the runner's (not started) on the module's server."""
    assert runner.server.process.poll() is None, "the module's server has died"
    return runner.new_run()


@pytest.fixture
def own_run(runcoach_server: ServerFactory) -> Iterator[Run]:
    """A new session on a server of the test's own (for a test that stops its server)."""
    server = runcoach_server.start()
    token = runcoach_server.user_with_token(EMAIL, PASSWORD, admin=False)
    with server.api(token) as api:
        yield Runner(server, api).new_run()


def open_view(browser: Callable[[tuple[int, int]], WebDriver], run: Run, view: str) -> WebDriver:
    """A signed-in Chromium window of `view`'s size on that view of the run, its socket connected."""
    driver = browser(SIZES[view])
    open_signed_in(driver, run.server.base, PATHS[view].format(id=run.session_id), EMAIL, PASSWORD)
    return driver


def centre(driver: WebDriver, element_id: str) -> tuple[float, float]:
    box = driver.execute_script(
        "const r = document.getElementById(arguments[0]).getBoundingClientRect();"
        "return [r.left + r.width / 2, r.top + r.height / 2];",
        element_id,
    )
    return float(box[0]), float(box[1])


def tap_at(driver: WebDriver, x: float, y: float) -> None:
    """A real (trusted) press and release of the mouse at a point of the viewport."""
    for kind in ("mousePressed", "mouseReleased"):
        driver.execute_cdp_cmd(
            "Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}
        )


def press_enter(driver: WebDriver) -> None:
    """A real Enter key press on the focused element (as a Bluetooth keyboard or clicker sends it)."""
    for kind in ("keyDown", "keyUp"):
        driver.execute_cdp_cmd(
            "Input.dispatchKeyEvent",
            {"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"},
        )


def button_at(driver: WebDriver, x: float, y: float) -> str:
    """The id of the button drawn at a point ('' if none)."""
    return str(
        driver.execute_script(
            "const b = document.elementFromPoint(arguments[0], arguments[1])?.closest('button');"
            "return b ? b.id : '';",
            x,
            y,
        )
    )


def shown(driver: WebDriver, element_id: str) -> bool:
    try:
        return bool(driver.find_element(By.ID, element_id).is_displayed())
    except WebDriverException:
        return False


def error_line(driver: WebDriver) -> str:
    """The text of the view's error line if it shows, else ''."""
    try:
        line = driver.find_element(By.CSS_SELECTOR, ".rc-live .rc-error")
        return str(line.get_property("textContent") or "").strip() if line.is_displayed() else ""
    except WebDriverException:
        return ""


def enabled(driver: WebDriver, element_id: str) -> bool:
    return bool(driver.find_element(By.ID, element_id).is_enabled())


def wait_tappable(driver: WebDriver) -> None:
    """The view takes a new command tap (the double-tap guard of the last one has run out)."""
    wait_for(
        driver,
        lambda d: d.execute_script("return !(window.RC.guarded && window.RC.guarded())"),
        "the view to take a new tap",
    )


# --- a double tap ------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["tablet", "phone"])
def test_a_double_tap_on_pause_leaves_the_run_paused(
    run: Run, browser: Callable[[tuple[int, int]], WebDriver], view: str
) -> None:
    run.command("start")
    driver = open_view(browser, run, view)
    wait_text(driver, "rc-status", "Running")
    x, y = centre(driver, "rc-pause")

    tapped_at = time.monotonic()
    tap_at(driver, x, y)
    # The second tap lands where Pause was, once Resume is drawn there (on a slow box it may still
    # hit Pause: then it is a stale second pause, which must not do anything either).
    while button_at(driver, x, y) != "rc-resume" and time.monotonic() - tapped_at < DOUBLE_TAP_S[1]:
        pass  # polled as fast as the driver answers: a double tap is quicker than any wait's poll
    time.sleep(max(0.0, DOUBLE_TAP_S[0] - (time.monotonic() - tapped_at)))  # a double tap's rhythm
    tap_at(driver, x, y)
    interval = time.monotonic() - tapped_at
    assert DOUBLE_TAP_S[0] <= interval <= DOUBLE_TAP_S[1] + 0.1, f"taps {interval:.3f} s apart"

    wait_text(driver, "rc-status", "Paused")
    holds_for(driver, lambda d: text_of(d, "rc-status") == "Paused", "the paused status", QUIET_S)
    assert run.kinds() == ["created", "started", "paused"]
    assert error_line(driver) == ""


def test_two_skips_in_the_same_instant_skip_once_and_blame_no_other_screen(
    run: Run, browser: Callable[[tuple[int, int]], WebDriver]
) -> None:
    run.command("start")
    driver = open_view(browser, run, "phone")
    wait_text(driver, "rc-status", "Running")
    x, y = centre(driver, "rc-skip")
    tap_at(driver, x, y)
    tap_at(driver, x, y)

    wait_for(driver, lambda d: "skipped" in run.kinds(), "the skip to be saved")
    holds_for(driver, lambda d: "another screen" not in error_line(d), "the error line", QUIET_S)
    assert run.kinds() == ["created", "started", "skipped"]


def test_a_tap_while_the_last_one_is_still_being_saved_says_it_was_ignored_until_the_next_push(
    run: Run, browser: Callable[[tuple[int, int]], WebDriver]
) -> None:
    """The database is slow: Skip hangs, the runner taps it again. No second skip, no "other screen"."""
    run.command("start")
    driver = open_view(browser, run, "tablet")
    wait_text(driver, "rc-status", "Running")

    with held_write_lock(run.server.data_dir / "runcoach.db") as release:
        tap(driver, "rc-skip")  # saved once the lock is released
        wait_tappable(driver)
        tap(driver, "rc-skip")  # the first one is still being saved
        release()
        wait_for(
            driver,
            lambda d: "came after another one and was ignored" in error_line(d),
            "the error line to say the second tap was ignored",
        )
    assert "another screen" not in error_line(driver)
    assert run.kinds() == ["created", "started", "skipped"]
    # No command follows: the next push (a heartbeat at the latest) clears the line.
    wait_for(driver, lambda d: error_line(d) == "", "the error line to clear", timeout=HEARTBEAT_S + 5)
    assert text_of(driver, "rc-status") == "Running"


@contextmanager
def held_write_lock(database: Path) -> Iterator[Callable[[], None]]:
    """SQLite's write lock, held by this test until `release()`: the server's writes wait for it."""
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection.rollback
    finally:
        connection.close()


# --- a lost connection -------------------------------------------------------------------------


def test_the_buttons_are_disabled_while_the_socket_is_down_and_come_back_with_it(
    run: Run, browser: Callable[[tuple[int, int]], WebDriver]
) -> None:
    run.command("start")
    driver = open_view(browser, run, "phone")
    wait_text(driver, "rc-status", "Running")
    x, y = centre(driver, "rc-pause")

    driver.execute_script("window.socket.disconnect()")
    wait_for(driver, lambda d: shown(d, "rc-connection"), "the connection-lost banner")
    wait_for(
        driver,
        lambda d: not any(enabled(d, b) for b in COMMAND_BUTTONS),
        "every command button to be disabled",
    )
    tap_at(driver, x, y)  # a tap now must not be kept and sent later

    driver.execute_script("window.socket.connect()")
    wait_for(driver, lambda d: enabled(d, "rc-pause"), "Pause to be enabled again")
    wait_for(driver, lambda d: not shown(d, "rc-connection"), "the banner to go")
    holds_for(driver, lambda d: text_of(d, "rc-status") == "Running", "the running status", QUIET_S)
    assert run.kinds() == ["created", "started"]
    tap(driver, "rc-pause")
    wait_text(driver, "rc-status", "Paused")


def test_the_buttons_are_disabled_while_the_server_is_down_and_work_when_it_is_back(
    own_run: Run, runcoach_server: ServerFactory, browser: Callable[[tuple[int, int]], WebDriver]
) -> None:
    run = own_run
    run.command("start")
    driver = open_view(browser, run, "tablet")
    wait_text(driver, "rc-status", "Running")

    run.server.stop()
    wait_for(driver, lambda d: shown(d, "rc-connection"), "the connection-lost banner")
    wait_for(driver, lambda d: not enabled(d, "rc-pause"), "Pause to be disabled")
    run.server = runcoach_server.start(port=run.server.port)  # same port, same data directory

    wait_for(driver, lambda d: shown(d, "rc-pause") and enabled(d, "rc-pause"), "Pause to be back", 30)
    wait_connected(driver)
    tap(driver, "rc-pause")
    wait_text(driver, "rc-status", "Paused")


# --- finish --------------------------------------------------------------------------------------


def test_finish_on_the_tablet_asks_first(run: Run, browser: Callable[[tuple[int, int]], WebDriver]) -> None:
    run.command("start")
    driver = open_view(browser, run, "tablet")
    wait_text(driver, "rc-status", "Running")

    tap(driver, "rc-finish")
    wait_for(driver, lambda d: shown(d, "rc-finish-confirm"), "the question before finishing")
    assert text_of(driver, "rc-status") == "Running"
    tap(driver, "rc-finish-cancel")
    wait_for(driver, lambda d: not shown(d, "rc-finish-confirm"), "the question to go")
    holds_for(driver, lambda d: text_of(d, "rc-status") == "Running", "the running status", 0.5)

    wait_tappable(driver)
    tap(driver, "rc-finish")
    wait_for(driver, lambda d: shown(d, "rc-finish-confirm"), "the question before finishing")
    wait_tappable(driver)  # a runner reads the question: no double tap answers it
    tap(driver, "rc-finish-confirm")
    wait_text(driver, "rc-status", "Finished\u00a0early")
    assert run.kinds()[-1] == "finished"


# --- the clock after a reload ------------------------------------------------------------------


def shown_elapsed(driver: WebDriver) -> tuple[float, float, str]:
    """The view's interpolated elapsed time, the browser's wall clock (s) and the text on screen."""
    value = driver.execute_script(
        "return [window.RC.current().elapsed, Date.now() / 1000,"
        " document.getElementById('rc-elapsed').textContent.trim()];"
    )
    return float(value[0]), float(value[1]), str(value[2])


def test_right_after_a_reload_the_clock_shows_the_servers_elapsed_time(
    run: Run, browser: Callable[[tuple[int, int]], WebDriver]
) -> None:
    started = run.command("start")
    started_at = datetime.fromisoformat(started["events"][-1]["at"]).timestamp()
    driver = open_view(browser, run, "tablet")
    wait_text(driver, "rc-status", "Running")

    # A tablet on Wi-Fi: every answer takes a while to arrive, so the page's embedded snapshot is
    # that much older than the moment its script runs.
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": LATENCY_MS, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    # The old page's view is still held for its reconnect time, so the session stays watched and
    # no push comes at once: the reloaded page lives on its embedded snapshot until the next one.
    driver.refresh()
    wait_for(driver, lambda d: d.execute_script("return !!window.RC"), "the live script")
    for moment in ("at load", "once connected"):
        if moment == "once connected":
            wait_connected(driver)
        elapsed, now, text = shown_elapsed(driver)
        truth = now - started_at  # one machine, one clock; no pause so far
        assert abs(elapsed - truth) <= CLOCK_TOLERANCE_S, (
            f"{moment}: the clock shows {elapsed:.3f} s, the server's is {truth:.3f} s"
        )
        assert text in {elapsed_clock(truth - CLOCK_TOLERANCE_S), elapsed_clock(truth + CLOCK_TOLERANCE_S)}
