"""Connecting Strava in a real browser: the runner taps "Connect with Strava", lands on Strava's
consent page (the fake Strava on 127.0.0.1, which this test runs), taps Authorize, and is back on
/strava, connected, watching the import's count and bar climb to every run of the last twelve
weeks. The page, with the imported runs listed, fits a phone and a laptop without sideways scrolling.

The server is a real `runcoach serve` process whose RUNCOACH_STRAVA_* settings point at the fake
and whose public address is its own, so Strava's redirect returns to it. The fake answers every
request a little late, so the import takes a few of the page's polls.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec

from tests.e2e.conftest import ServerFactory, free_port
from tests.fake_strava import FakeStrava
from tests.helpers import no_sideways_scrolling, open_signed_in, wait_connected, wait_for

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "strider@example.com", "correct horse battery"
PHONE, LAPTOP = (390, 844), (1280, 800)
ATHLETE = 7_000_000_001
#: Five pages of Strava's 200, each answered half a second late: the import spans the page's polls
#: (every 1.5 s), so it is seen under way, part done, and done.
RUNS = 800
DELAY_S = 0.5
IMPORT_S = 30

CONNECT = "//button[.//*[normalize-space()='Connect with Strava'] or normalize-space()='Connect with Strava']"
IMPORT_LABEL = "//div[starts-with(text(), 'Importing your runs: ') or starts-with(text(), 'Imported: ')]"
BAR = ".q-linear-progress[role='progressbar']"
#: A run in the list of imported ones ("Night Run · 8.0 km").
RUN_ROW = re.compile(r"Run · 8\.0 km")


@dataclass(frozen=True)
class Seen:
    """What the import looked like at one glance: the label's text and the bar."""

    text: str
    value: float
    complete_colour: bool

    @property
    def count(self) -> int:
        found = re.fullmatch(r"(Importing your runs|Imported): (\d+) activities", self.text)
        assert found is not None, self.text
        return int(found[2])


@pytest.fixture
def fake() -> Iterator[FakeStrava]:
    with FakeStrava(delay_s=DELAY_S) as server:
        server.add_athlete(ATHLETE, "Ada", "Runner")
        first = datetime.now(UTC).replace(microsecond=0) - timedelta(weeks=12) + timedelta(days=2)
        server.add_activities(ATHLETE, RUNS, start=first, every=timedelta(hours=2))
        yield server


def body_text(driver: WebDriver) -> str:
    return str(driver.find_element(By.TAG_NAME, "body").text)


def glance(driver: WebDriver) -> Seen:
    label = driver.find_element(By.XPATH, IMPORT_LABEL)
    bar = driver.find_element(By.CSS_SELECTOR, BAR)
    value = float(bar.get_attribute("aria-valuenow") or "nan")
    return Seen(str(label.text).strip(), value, "text-positive" in (bar.get_attribute("class") or ""))


def test_connecting_at_strava_brings_the_runs_in_while_the_page_shows_the_import(
    runcoach_server: ServerFactory, browser: Callable[[tuple[int, int]], WebDriver], fake: FakeStrava
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    runcoach_server.env = {
        "RUNCOACH_PUBLIC_URL": base,
        "RUNCOACH_STRAVA_CLIENT_ID": fake.client_id,
        "RUNCOACH_STRAVA_CLIENT_SECRET": fake.client_secret,
        "RUNCOACH_STRAVA_OAUTH_URL": fake.oauth_url,
        "RUNCOACH_STRAVA_API_URL": fake.api_url,
        "RUNCOACH_TOKEN_KEY": Fernet.generate_key().decode(),
    }
    server = runcoach_server.start(port=port)
    runcoach_server.user_with_token(EMAIL, PASSWORD, admin=False)

    phone = browser(PHONE)
    open_signed_in(phone, server.base, "/strava", EMAIL, PASSWORD)
    connect = wait_for(phone, ec.element_to_be_clickable((By.XPATH, CONNECT)), "Connect with Strava")
    assert no_sideways_scrolling(phone), "the connect card"
    connect.click()

    # Strava's own page: who is signed in there, what RunCoach asks for, Authorize.
    wait_for(
        phone, lambda d: d.current_url.startswith(f"{fake.oauth_url}/authorize"), "Strava's consent page"
    )
    authorize = wait_for(phone, ec.element_to_be_clickable((By.ID, "authorize")), "the Authorize button")
    assert phone.find_element(By.ID, "athlete").text == "Signed in as Ada Runner"
    asked = {item.get_attribute("data-scope") for item in phone.find_elements(By.CSS_SELECTOR, "#scopes li")}
    assert asked == {"read", "activity:read_all", "activity:write"}
    authorize.click()

    # Back on /strava (through the callback), connected, the import under way and then done.
    wait_for(phone, lambda d: d.current_url == f"{server.base}/strava", "the way back to /strava")
    wait_connected(phone)
    wait_for(phone, lambda d: "Connected as Ada Runner" in body_text(d), "the connected card")
    assert "Connect with Strava" not in body_text(phone)
    seen: list[Seen] = []

    def finished(driver: WebDriver) -> bool:
        now = glance(driver)
        if not seen or seen[-1] != now:
            seen.append(now)
        return now.text == f"Imported: {RUNS} activities" and now.value == 1.0

    wait_for(phone, finished, f"all {RUNS} runs imported", timeout=IMPORT_S)
    counts = [s.count for s in seen]
    assert counts == sorted(counts), f"the count went back: {seen}"
    values = [s.value for s in seen]
    assert values == sorted(values), f"the bar went back: {seen}"
    under_way = [s for s in seen if s.text.startswith("Importing your runs")]
    assert under_way, f"the import was never seen under way: {seen}"
    assert not any(s.complete_colour for s in under_way), f"a bar under way in the done colour: {seen}"
    assert any(0 < s.count < RUNS and 0.0 < s.value < 1.0 for s in under_way), f"never part done: {seen}"
    assert seen[-1].complete_colour, "the finished bar takes the done colour"
    assert fake.count("/api/v3/athlete/activities") >= RUNS // 200
    assert no_sideways_scrolling(phone), "the connected card on a phone"

    # Opened again: the imported runs are listed, each with the planned day it counts for.
    phone.refresh()
    wait_connected(phone)
    wait_for(phone, lambda d: RUN_ROW.search(body_text(d)), "the imported runs listed")
    assert no_sideways_scrolling(phone), "the list of runs on a phone"

    laptop = browser(LAPTOP)
    open_signed_in(laptop, server.base, "/strava", EMAIL, PASSWORD)
    wait_for(laptop, lambda d: f"Imported: {RUNS} activities" in body_text(d), "the import on a laptop")
    assert "Connected as Ada Runner" in body_text(laptop) and RUN_ROW.search(body_text(laptop))
    assert no_sideways_scrolling(laptop), "the connected card on a laptop"
