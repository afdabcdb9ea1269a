"""The coach chat in a real browser: Enter sends and Shift+Enter starts a new line, the reply
arrives in its bubble, and the page (bubbles, proposal cards, the context panel, the nav) fits a
phone, tablets and a laptop without sideways scrolling.

The server runs without an API key, so the built-in coach answers. The profile, the plan and a
first long exchange come through the API; everything after that goes through the browser.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

from runcoach.config import Settings
from runcoach.domain.profile import Weekday
from tests.e2e.conftest import ServerFactory
from tests.helpers import (
    PLAN_PROFILE,
    body_text,
    no_sideways_scrolling,
    open_signed_in,
    store_plan,
    tempo_today,
    wait_connected,
    wait_for,
)

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "chatter@example.com", "correct horse battery"
#: The narrowest phone, a console tablet upright, the first width with the side panel, a laptop.
SIZES = [(360, 640), (800, 1280), (1024, 768), (1280, 800)]
#: A message a narrow bubble must wrap: a long unbroken word and a long line of code.
LONG = "Check https://example.com/" + "a" * 120 + " and\n\n```\n" + "x = 1; " * 40 + "\n```"


def composer(driver: WebDriver) -> WebElement:
    return driver.find_element(By.CSS_SELECTOR, ".rc-composer textarea")


def runner_texts(driver: WebDriver) -> list[WebElement]:
    return list(driver.find_elements(By.CSS_SELECTOR, ".rc-runner-text"))


def test_the_chat_sends_with_enter_and_fits_every_screen(
    runcoach_server: ServerFactory, browser: Callable[[tuple[int, int]], WebDriver]
) -> None:
    server = runcoach_server.start()
    token = runcoach_server.user_with_token(EMAIL, PASSWORD, admin=False)
    every_day = PLAN_PROFILE.model_copy(update={"available_days": list(Weekday), "max_minutes": {}})
    today = datetime.now(Settings(data_dir=server.data_dir).zone).date()
    with server.api(token) as api:
        response = api.client.put("/api/profile", json=every_day.model_dump(mode="json"))
        assert response.status_code == 200, response.text
        asyncio.run(store_plan(server.data_dir, EMAIL, tempo_today(today)))
        api.post("/api/coach/messages", {"text": LONG})

    laptop = browser((1280, 800))
    open_signed_in(laptop, server.base, "/coach", EMAIL, PASSWORD)
    wait_for(laptop, lambda d: "a" * 60 in body_text(d), "the long message")
    box = composer(laptop)
    box.send_keys("my calves", Keys.SHIFT, Keys.ENTER, Keys.SHIFT, "are sore")
    wait_for(laptop, lambda d: composer(d).get_property("value") == "my calves\nare sore", "a new line")
    box.send_keys(Keys.ENTER)
    wait_for(laptop, lambda d: len(runner_texts(d)) == 2, "the message sent")
    assert runner_texts(laptop)[-1].text == "my calves\nare sore"
    wait_for(laptop, lambda d: "Apply" in body_text(d), "the proposal card")
    wait_for(laptop, lambda d: composer(d).is_enabled(), "the reply to end")
    assert composer(laptop).get_property("value") == ""

    for size in SIZES:
        driver = laptop if size == (1280, 800) else browser(size)
        if driver is not laptop:
            open_signed_in(driver, server.base, "/coach", EMAIL, PASSWORD)
        wait_for(driver, lambda d: "Apply" in body_text(d), f"the chat at {size}")
        assert no_sideways_scrolling(driver), size
        wide = size[0] >= 1024
        sees = driver.find_element(By.CSS_SELECTOR, ".rc-sees .q-expansion-item__content")
        assert sees.is_displayed() is wide, f"the context panel at {size}"
        if not wide:
            toggle = driver.find_element(By.CSS_SELECTOR, ".rc-sees .q-item")
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", toggle)
            toggle.click()
            wait_for(driver, lambda d: "Memories in use" in body_text(d), f"the panel opened at {size}")
            assert no_sideways_scrolling(driver), f"{size} with the panel open"
        driver.get(server.base + "/settings")
        wait_connected(driver)
        wait_for(driver, lambda d: "messages sent today" in body_text(d), f"Settings at {size}")
        assert no_sideways_scrolling(driver), f"Settings at {size}"
