"""The built-in coach (no key) end to end through the API: it understands the runner, proposes
through the same tools and rule checker as Claude, and its proposal applies as a coach version."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from runcoach.context import context
from tests.api.conftest import Runner, a_10k_plan
from tests.helpers import jump

THURSDAY = 3

pytestmark = pytest.mark.usefixtures("app_backend")


async def reply_to(http: httpx.AsyncClient, runner: Runner, text: str) -> dict[str, Any]:
    response = await http.post("/api/coach/messages", json={"text": text}, headers=runner.headers)
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()["reply"]
    assert reply["status"] == "complete", reply
    return reply


async def test_without_a_key_the_built_in_coach_answers_and_says_so(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    usage = (await http.get("/api/coach/usage", headers=ann.headers)).json()
    assert (usage["coach"], usage["ai"]) == ("the built-in coach", False)
    reply = await reply_to(http, ann, "hello")
    assert reply["text"] and reply["usage"]["input_tokens"] == 0


async def test_short_on_time_becomes_a_shorter_day_that_applies_as_the_coachs_version(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    # On a Thursday the first easy day ahead can be shortened within the rules (early in the week
    # the shorter week would break the next week's 10 % rise: see the closing note).
    while context().today().weekday() != THURSDAY:
        await jump(24 * 3600)
    plan = await a_10k_plan(http, ann)
    today = context().today().isoformat()
    day = next(w for w in plan["workouts"] if w["date"] > today and w["type"] == "easy")
    assert day["planned_duration_s"] > 30 * 60
    reply = await reply_to(http, ann, f"I only have 30 minutes on {day['date']}")
    (proposal,) = reply["proposals"]
    assert proposal["edits"] == [{"op": "change", "wid": day["id"], "type": None, "minutes": 30}]
    assert "Apply" in reply["text"]
    applied = await http.post(f"/api/coach/proposals/{proposal['id']}/apply", headers=ann.headers)
    assert applied.status_code == 200, applied.text
    current = (await http.get("/api/plans/current", headers=ann.headers)).json()
    assert (current["version"], current["created_by"]) == (2, "coach")
    shortened = next(w for w in current["workouts"] if w["id"] == day["id"])
    assert shortened["planned_duration_s"] <= 30 * 60


async def test_how_am_i_doing_uses_the_apps_numbers_and_proposes_nothing(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    await a_10k_plan(http, ann)
    reply = await reply_to(http, ann, "How am I doing?")
    assert reply["proposals"] == []
    context_lines = (await http.get("/api/coach/context", headers=ann.headers)).json()["progress"]
    assert context_lines and any(line.split(":")[0] in reply["text"] for line in context_lines)


async def test_without_a_key_older_messages_still_become_memories(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    await reply_to(http, ann, "My left knee hurts on downhills.")
    await reply_to(http, ann, "I prefer running in the mornings.")
    for n in range(13):  # 30 messages: the first 10 are older than the 20 sent with a request
        await reply_to(http, ann, f"thanks {n}")
    await context().coach.idle()
    memories = (await http.get("/api/coach/memories", headers=ann.headers)).json()
    kept = {(m["kind"], m["text"].split(": ", 1)[-1]) for m in memories}
    assert ("injury", "My left knee hurts on downhills.") in kept
    assert ("preference", "I prefer running in the mornings.") in kept
    assert not any("thanks" in text for _, text in kept)
