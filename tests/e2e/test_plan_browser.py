"""The plan in a real browser: the calendar fits a phone and a laptop without sideways scrolling,
a day opens its workout page, and "Run it now" opens the live run view of that planned day.

The plan is stored through the plan service on the server's database (the "Make a plan" form and
POST /api/plans come separately); everything after that goes through the browser.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec

from runcoach.config import Settings
from tests.e2e.conftest import ServerFactory
from tests.helpers import (
    PLAN_PROFILE,
    easy_plan,
    field,
    no_sideways_scrolling,
    open_signed_in,
    store_plan,
    tap,
    wait_connected,
    wait_for,
)

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "planner@example.com", "correct horse battery"
PHONE, TABLET, LAPTOP = (390, 844), (800, 1280), (1280, 800)


def test_calendar_to_run_it_now_in_a_real_browser(
    runcoach_server: ServerFactory, browser: Callable[[tuple[int, int]], WebDriver]
) -> None:
    server = runcoach_server.start()
    token = runcoach_server.user_with_token(EMAIL, PASSWORD, admin=False)
    with server.api(token) as api:
        response = api.client.put("/api/profile", json=PLAN_PROFILE.model_dump(mode="json"))
        assert response.status_code == 200, response.text
    today = datetime.now(Settings(data_dir=server.data_dir).zone).date()
    this_monday = today - timedelta(days=today.weekday())
    asyncio.run(store_plan(server.data_dir, EMAIL, easy_plan(this_monday - timedelta(weeks=1))))
    next_monday = this_monday + timedelta(weeks=1)  # wid 7: always ahead, so it can be run

    laptop = browser(LAPTOP)
    open_signed_in(laptop, server.base, "/plan", EMAIL, PASSWORD)
    wait_for(laptop, lambda d: d.find_elements(By.CSS_SELECTOR, ".rc-today"), "today on the month")
    assert no_sideways_scrolling(laptop)

    # The console tablet: the month, Today and the versions fit its width too.
    tablet = browser(TABLET)
    open_signed_in(tablet, server.base, "/plan", EMAIL, PASSWORD)
    wait_for(tablet, lambda d: d.find_elements(By.CSS_SELECTOR, ".rc-today"), "today on the tablet's month")
    assert no_sideways_scrolling(tablet)
    for path, text in [("/today", "This week:"), ("/plan/versions", "Version 1")]:
        tablet.get(server.base + path)
        wait_connected(tablet)
        wait_for(tablet, lambda d, t=text: t in d.find_element(By.TAG_NAME, "body").text, f"{path}: {text}")
        assert no_sideways_scrolling(tablet), path

    phone = browser(PHONE)
    week = f"/plan?view=week&day={next_monday.isoformat()}"
    open_signed_in(phone, server.base, week, EMAIL, PASSWORD)
    link = wait_for(
        phone, lambda d: d.find_element(By.CSS_SELECTOR, 'a[href="/plan/workouts/7"]'), "next Monday's run"
    )
    assert no_sideways_scrolling(phone)
    assert link.is_displayed()
    link.click()
    wait_for(phone, lambda d: d.current_url.endswith("/plan/workouts/7"), "the workout page")
    wait_connected(phone)
    assert no_sideways_scrolling(phone)
    tap(phone, "rc-run-it-now")
    wait_for(phone, lambda d: re.search(r"/sessions/\d+/run$", d.current_url), "the run view")
    wait_connected(phone)
    wait_for(phone, lambda d: d.find_element(By.ID, "rc-remaining").is_displayed(), "the run view's clock")
    with server.api(token) as api:
        session_id = int(phone.current_url.rsplit("/", 2)[1])
        assert api.get(f"/api/sessions/{session_id}")["name"] == "Easy 40 min"


def button(driver: WebDriver, text: str) -> WebElement:
    xpath = f"//button[.//*[normalize-space()='{text}']]"
    return wait_for(driver, ec.element_to_be_clickable((By.XPATH, xpath)), f"the {text} button")


def test_profile_goal_plan_calendar_run_it_now_the_whole_way_in_a_real_browser(
    runcoach_server: ServerFactory, browser: Callable[[tuple[int, int]], WebDriver]
) -> None:
    """A new runner does it all through the pages: profile, a goal, a plan, the calendar, Run it now."""
    server = runcoach_server.start()
    runcoach_server.user_with_token(EMAIL, PASSWORD, admin=False)
    laptop = browser(LAPTOP)
    open_signed_in(laptop, server.base, "/profile", EMAIL, PASSWORD)
    field(laptop, "Easy pace per km (m:ss)").send_keys("6:00")
    button(laptop, "Save profile").click()
    wait_for(laptop, lambda d: "VDOT" in d.page_source, "the paces the profile gives")

    laptop.get(server.base + "/goals")
    wait_connected(laptop)
    today = datetime.now(Settings(data_dir=server.data_dir).zone).date()
    field(laptop, "Race date (YYYY-MM-DD)").send_keys((today + timedelta(weeks=10)).isoformat())
    button(laptop, "Set goal").click()
    button(laptop, "Make a plan").click()
    wait_for(laptop, lambda d: d.current_url.endswith("/plan"), "the calendar of the new plan")
    wait_connected(laptop)

    next_week = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
    laptop.get(f"{server.base}/plan?view=week&day={next_week.isoformat()}")
    wait_connected(laptop)
    link = wait_for(
        laptop,
        lambda d: d.find_element(By.CSS_SELECTOR, 'a[href^="/plan/workouts/"]'),
        "a planned day next week",
    )
    link.click()
    wait_for(laptop, lambda d: "/plan/workouts/" in d.current_url, "the workout page")
    wait_connected(laptop)
    tap(laptop, "rc-run-it-now")
    wait_for(laptop, lambda d: re.search(r"/sessions/\d+/run$", d.current_url), "the run view")
    wait_connected(laptop)
    wait_for(laptop, lambda d: d.find_element(By.ID, "rc-remaining").is_displayed(), "the run view's clock")
    assert no_sideways_scrolling(laptop)
