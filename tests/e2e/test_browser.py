"""Two real browsers on one run: the tablet (signed in) and a phone paired by code (not signed in).

Debian's Chromium through Selenium, against a real server process: tap Pause on the phone and
the tablet shows Paused, its clock stops; while running the tablet's clock moves.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from runcoach.live.present import elapsed_clock
from tests.conftest import IN_CI
from tests.e2e.conftest import ServerFactory

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT_S = 10
PAGE_LOAD_TIMEOUT_S = 20
EMAIL, PASSWORD = "coach@example.com", "correct horse battery"
TABLET_SIZE, PHONE_SIZE = (1280, 800), (390, 844)
#: How long a paused clock must stand still (a running one moves every second).
STILL_S = 1.5


@pytest.fixture
def browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[tuple[int, int]], WebDriver]]:
    """A factory of headless Chromium windows, each its own profile (own cookies); all quit at teardown."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if shutil.which(path) is None]
    if missing:
        message = f"{', '.join(missing)} missing: apt-get install chromium chromium-driver"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager download a driver
    drivers: list[WebDriver] = []

    def open_browser(size: tuple[int, int]) -> WebDriver:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        profile = tmp_path / f"chromium-{len(drivers)}"
        for arg in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            f"--window-size={size[0]},{size[1]}",
        ):
            options.add_argument(arg)
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        drivers.append(driver)
        driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT_S)
        driver.set_window_size(*size)
        return driver

    try:
        yield open_browser
    finally:
        for driver in drivers:
            with contextlib.suppress(WebDriverException):  # already gone: nothing left to close
                driver.quit()


def describe(driver: WebDriver) -> str:
    """The page's address and visible text, for failure messages."""
    try:
        body = driver.find_element(By.TAG_NAME, "body").text
    except WebDriverException as exc:
        body = f"<unreadable: {exc}>"
    return f"{driver.current_url}\n{body[:1500]}"


def wait_for(
    driver: WebDriver, condition: Callable[[WebDriver], Any], what: str, timeout: float = WAIT_S
) -> Any:
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)
    except TimeoutException:
        raise AssertionError(
            f"timed out after {timeout} s waiting for {what} on:\n{describe(driver)}"
        ) from None


def wait_connected(driver: WebDriver) -> None:
    """NiceGUI's socket has finished its handshake: clicks reach the server, pushes reach the page."""
    wait_for(
        driver, lambda d: d.execute_script("return window.did_handshake === true"), "the socket handshake"
    )


def text_of(driver: WebDriver, element_id: str) -> str:
    """The element's DOM text (textContent: CSS may show it upper-case, as the status pill does)."""
    return str(driver.find_element(By.ID, element_id).get_property("textContent") or "").strip()


def wait_text(driver: WebDriver, element_id: str, expected: str) -> None:
    def shows(d: WebDriver) -> bool:
        try:
            return text_of(d, element_id) == expected
        except WebDriverException:  # not rendered yet, or re-rendered between find and read
            return False

    wait_for(driver, shows, f"#{element_id} to read {expected!r}")


def holds_for(driver: WebDriver, condition: Callable[[WebDriver], bool], what: str, seconds: float) -> None:
    """The condition stays true for `seconds` (checked ten times a second; fails at the first miss)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert condition(driver), f"{what} changed:\n{describe(driver)}"
        time.sleep(0.1)  # the polling interval of an observation window, not a wait for something


def tap(driver: WebDriver, element_id: str) -> None:
    wait_for(driver, ec.element_to_be_clickable((By.ID, element_id)), f"#{element_id} to be tappable").click()


def field(driver: WebDriver, label: str) -> WebElement:
    """The <input> of the Quasar field labelled `label`."""
    xpath = f"//label[.//*[contains(@class, 'q-field__label') and normalize-space()='{label}']]//input"
    return wait_for(driver, ec.visibility_of_element_located((By.XPATH, xpath)), f"the {label} field")


def sign_in(driver: WebDriver, base: str) -> None:
    driver.get(f"{base}/login")
    wait_connected(driver)
    field(driver, "Email").send_keys(EMAIL)
    field(driver, "Password").send_keys(PASSWORD)
    button = "//button[.//*[normalize-space()='Sign in'] or normalize-space()='Sign in']"
    wait_for(driver, ec.element_to_be_clickable((By.XPATH, button)), "the Sign in button").click()
    wait_for(driver, lambda d: "/login" not in d.current_url, "the sign-in to navigate away from /login")


def test_pause_on_the_phone_shows_paused_on_the_tablet(
    runcoach_server: ServerFactory, browser: Callable[[tuple[int, int]], WebDriver]
) -> None:
    server = runcoach_server.start()
    token = runcoach_server.user_with_token(EMAIL, PASSWORD, admin=True)
    with server.api(token) as api:
        session = api.new_session(duration_min=20, goal="easy")
    run_path = f"/sessions/{session['id']}/run"

    tablet = browser(TABLET_SIZE)
    sign_in(tablet, server.base)
    tablet.get(server.base + run_path)
    wait_for(tablet, lambda d: run_path in d.current_url, f"the tablet to stay on {run_path}")
    wait_connected(tablet)
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
