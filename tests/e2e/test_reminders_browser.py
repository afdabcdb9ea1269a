"""Reminders in a real browser on a phone and a tablet: the bell's count, the list it leads to,
and the switches on Settings, saved and still there after a reload; nothing scrolls sideways.

A real server without a mail server (so reminders are in the app only), reminders stored through
the reminders service on its database as the sweep would store them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from runcoach.clock import SystemClock
from runcoach.domain.notifications import Kind, Message
from runcoach.notifications.mail import Mailer
from runcoach.notifications.service import Reminders
from tests.e2e.conftest import ServerFactory
from tests.helpers import (
    body_text,
    no_sideways_scrolling,
    open_signed_in,
    server_database,
    wait_connected,
    wait_for,
)

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "ann@example.com", "correct horse battery"
PHONE, TABLET = (360, 640), (800, 1280)
#: A long unbroken word, as a pasted link would be: it must wrap, not widen the page.
LONG_WORD = "https://example.com/" + "x" * 90
TITLES = ("Today: Easy 40 min", "Your week: 21.4 of 30.0 km", "Your goal needs a look: 10 km in 38:00")


async def store_reminders(data_dir: Path) -> None:
    async with server_database(data_dir, EMAIL) as (settings, database, account_id):
        reminders = Reminders(settings, database, SystemClock(), Mailer(settings))
        now = datetime.now(settings.zone)
        for i, title in enumerate(TITLES):
            message = Message(title=title, body=f"Line one\nLine two with {LONG_WORD}")
            await reminders.store(account_id, Kind.GOAL, f"browser:{i}", message, now, now)


def bell(driver: WebDriver) -> str:
    """The bell's accessible name: 'Reminders' or 'Reminders, N unread'."""
    found = driver.find_elements(By.CSS_SELECTOR, "header button[aria-label^='Reminders']")
    return str(found[0].get_attribute("aria-label")) if found else ""


def switch(driver: WebDriver, label: str) -> bool:
    """Whether the switch with this label is on."""
    toggle = driver.find_element(By.XPATH, f"//div[@role='switch'][.//div[text()={label!r}]]")
    return toggle.get_attribute("aria-checked") == "true"


def test_the_bell_and_the_reminder_switches_on_a_phone_and_a_tablet(
    runcoach_server: ServerFactory, browser: Callable[[tuple[int, int]], WebDriver]
) -> None:
    server = runcoach_server.start()
    runcoach_server.user_with_token(EMAIL, PASSWORD, admin=False)
    asyncio.run(asyncio.wait_for(store_reminders(server.data_dir), timeout=60))

    phone = browser(PHONE)
    open_signed_in(phone, server.base, "/workouts", EMAIL, PASSWORD)
    wait_for(phone, lambda d: bell(d) == "Reminders, 3 unread", "the bell to count 3")
    badge = phone.find_element(By.CSS_SELECTOR, "header .q-badge")
    assert badge.is_displayed() and badge.text == "3"
    phone.find_element(By.CSS_SELECTOR, "header button[aria-label^='Reminders']").click()
    wait_for(phone, lambda d: "/notifications" in d.current_url, "the reminders page")
    wait_connected(phone)
    wait_for(phone, lambda d: all(t in body_text(d) for t in TITLES), "the three reminders")
    assert no_sideways_scrolling(phone), "the reminders page at phone size"
    phone.get(server.base + "/workouts")  # seen: the count is gone
    wait_connected(phone)
    wait_for(phone, lambda d: bell(d) == "Reminders", "the bell without a count")
    assert not phone.find_element(By.CSS_SELECTOR, "header .q-badge").is_displayed()

    for driver in (phone, browser(TABLET)):
        if driver is phone:
            driver.get(server.base + "/settings")
            wait_connected(driver)
        else:
            open_signed_in(driver, server.base, "/settings", EMAIL, PASSWORD)
        wait_for(driver, lambda d: "Reminders come here, under the bell" in body_text(d), "the card")
        assert no_sideways_scrolling(driver), f"Settings at {driver.get_window_size()}"
        assert driver.find_element(By.CSS_SELECTOR, "input[type=time]").is_displayed()

    tablet = driver
    label = "The week's summary, on Sunday"
    assert switch(tablet, label)
    toggle = tablet.find_element(By.XPATH, f"//div[@role='switch'][.//div[text()={label!r}]]")
    tablet.execute_script("arguments[0].scrollIntoView({block: 'center'})", toggle)
    toggle.click()
    wait_for(tablet, lambda d: "Saved." in body_text(d), "the switch saved")
    tablet.refresh()
    wait_connected(tablet)
    wait_for(tablet, lambda d: "Reminders come here" in body_text(d), "Settings again")
    assert not switch(tablet, label), "the weekly summary switched off after a reload"
    assert switch(tablet, "Today's workout, in the morning")
