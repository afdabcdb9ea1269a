"""The coach chat in a real browser against a real server whose Claude is a local fake Messages API:
the reply streams into its bubble piece by piece, its proposal shows as a card, and Apply makes
the plan's new version by the coach. The phone width shows the same without sideways scrolling."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from runcoach.config import Settings
from tests.e2e.conftest import ServerFactory
from tests.fake_anthropic import FakeAnthropic, TextReply, ToolUse
from tests.helpers import PLAN_PROFILE, body_text, no_sideways_scrolling, open_signed_in, wait_for

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "chatter@example.com", "correct horse battery"
PHONE = (390, 844)
CHUNKS = tuple(f"word{n} " for n in range(12))


@pytest.fixture
def fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as server:
        yield server


def test_a_streamed_reply_and_an_applied_proposal_in_a_real_browser(
    runcoach_server: ServerFactory, browser: Callable[[tuple[int, int]], WebDriver], fake: FakeAnthropic
) -> None:
    runcoach_server.env = {
        "RUNCOACH_ANTHROPIC_API_KEY": "sk-test",
        "RUNCOACH_ANTHROPIC_BASE_URL": fake.base_url,
    }
    server = runcoach_server.start()
    token = runcoach_server.user_with_token(EMAIL, PASSWORD, admin=False)
    with server.api(token) as api:
        assert api.client.put("/api/profile", json=PLAN_PROFILE.model_dump(mode="json")).status_code == 200
        today = datetime.now(Settings(data_dir=server.data_dir).zone).date()
        race = (today + timedelta(weeks=10)).isoformat()
        goal = api.post(
            "/api/goals", {"kind": "race", "race_distance_m": 10_000, "race_date": race}, status=201
        )
        plan = api.post("/api/plans", {"goal_id": goal["id"], "seed": 4}, status=201)
    wid = next(w["id"] for w in plan["workouts"] if w["date"] > today.isoformat() and w["type"] == "easy")
    edit = {"reason": "Sore calves: an easy day", "edits": [{"op": "change", "wid": wid, "type": "recovery"}]}
    fake.script(
        ToolUse(name="propose_plan_changes", input=edit, text=("Sore calves call for ", "an easy day. ")),
        TextReply(CHUNKS, chunk_delay_s=0.4),
    )

    phone = browser(PHONE)
    open_signed_in(phone, server.base, "/coach", EMAIL, PASSWORD)
    box = wait_for(
        phone, lambda d: d.find_element(By.CSS_SELECTOR, ".rc-composer textarea"), "the message box"
    )
    box.send_keys("My calves are sore, what should I do?")
    box.send_keys(Keys.ENTER)

    # Streaming: the bubble shows the first words while the last ones are still to come.
    wait_for(
        phone, lambda d: "word1 " in body_text(d) and "word11" not in body_text(d), "a reply half streamed"
    )
    wait_for(phone, lambda d: "word11" in body_text(d), "the whole reply", timeout=30)
    assert "My calves are sore, what should I do?" in body_text(phone)
    card = wait_for(phone, lambda d: d.find_element(By.CSS_SELECTOR, ".rc-proposal"), "the proposal card")
    assert "Apply" in card.text and "Discard" in card.text
    assert no_sideways_scrolling(phone)

    apply = card.find_element(
        By.XPATH, ".//button[.//*[normalize-space()='Apply'] or normalize-space()='Apply']"
    )
    apply.click()
    wait_for(phone, lambda d: "Applied" in d.find_element(By.CSS_SELECTOR, ".rc-proposal").text, "Applied")
    with server.api(token) as api:
        current = api.get("/api/plans/current")
    assert (current["version"], current["created_by"]) == (2, "coach")
    assert next(w for w in current["workouts"] if w["id"] == wid)["type"] == "recovery"

    # Reloaded, the conversation and the decided card are still there.
    phone.refresh()
    wait_for(
        phone, lambda d: "word11" in body_text(d) and "Applied" in body_text(d), "the history after reload"
    )
