"""The coach chat end to end with Claude's real client: the API, the chat service, the rule
checker, the Anthropic SDK and a local fake Messages API on 127.0.0.1 (no key, no internet)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from runcoach.coach.claude import ClaudeBackend
from runcoach.context import context
from tests.api.conftest import Runner, a_10k_plan
from tests.fake_anthropic import CutStream, FakeAnthropic, HttpError, TextReply, ToolUse

pytestmark = pytest.mark.usefixtures("app_backend")

MESSAGES = "/api/coach/messages"


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as fake:
        yield fake


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def fake(http: httpx.AsyncClient, fake_server: FakeAnthropic, waits: list[float]) -> FakeAnthropic:
    """Claude's real backend on the fake, with a sleep that records instead of waiting."""
    fake_server.reset()

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    backend = ClaudeBackend(
        api_key="sk-test",
        model="claude-test",
        base_url=fake_server.base_url,
        timeout_s=10,
        attempts=3,
        sleep=sleep,
    )
    context().coach.backend = backend
    context().coach.memory.backend = backend
    return fake_server


def first_easy(plan: dict[str, Any]) -> int:
    today = context().today().isoformat()
    return next(w["id"] for w in plan["workouts"] if w["date"] > today and w["type"] == "easy")


async def test_a_streamed_reply_with_a_tool_call_becomes_a_checked_proposal_and_tokens_are_counted(
    http: httpx.AsyncClient, ann: Runner, fake: FakeAnthropic
) -> None:
    plan = await a_10k_plan(http, ann)
    wid = first_easy(plan)
    edit = {
        "reason": "Sore calves: keep it easy",
        "edits": [{"op": "change", "wid": wid, "type": "recovery"}],
    }
    fake.script(
        ToolUse(name="propose_plan_changes", input=edit, text=("Sore calves ", "call for an easy day. ")),
        TextReply(("I've proposed ", "it below.")),
    )
    headers = {**ann.headers, "Accept": "text/event-stream"}
    response = await http.post(
        MESSAGES, json={"text": "My calves are sore, what should I do today?"}, headers=headers
    )
    assert response.status_code == 200
    events = [block.split("\n") for block in response.text.strip().split("\n\n")]
    names = [lines[0].removeprefix("event: ") for lines in events]
    assert names[0] == "message" and names[-1] == "done" and names.count("proposal") == 1
    done = json.loads(events[-1][1].removeprefix("data: "))
    assert done["text"] == "Sore calves call for an easy day. \n\nI've proposed it below."
    assert done["status"] == "complete" and done["proposals"][0]["summary"]
    first, second = fake.requests
    assert first.api_key == "sk-test" and first.body["model"] == "claude-test"
    system = first.body["system"]
    assert system[0]["cache_control"] == {"type": "ephemeral"} and "Pfitzinger" in system[0]["text"]
    assert f"- {wid}: " in system[1]["text"], "the plan's days with their wids are in the context"
    assert [t["name"] for t in first.body["tools"]] == ["propose_plan_changes", "adapt_today", "draft_plan"]
    tool_result = second.body["messages"][-1]["content"][0]
    assert tool_result["type"] == "tool_result" and json.loads(tool_result["content"])["ok"] is True
    # The second request read the cached prefix the first one wrote.
    assert done["usage"]["cache_read_tokens"] > 0 and done["usage"]["cache_write_tokens"] > 0
    applied = await http.post(f"/api/coach/proposals/{done['proposals'][0]['id']}/apply", headers=ann.headers)
    assert applied.status_code == 200 and applied.json()["version"] == 2


async def test_rate_limits_are_retried_honouring_retry_after_then_answered(
    http: httpx.AsyncClient, ann: Runner, fake: FakeAnthropic, waits: list[float]
) -> None:
    fake.script(HttpError(429, retry_after=7), HttpError(529), TextReply(("Rest ", "well.")))
    reply = (await http.post(MESSAGES, json={"text": "hi"}, headers=ann.headers)).json()["reply"]
    assert (reply["status"], reply["text"]) == ("complete", "Rest well.")
    assert waits[0] == 7 and len(fake.requests) == 3


async def test_overloaded_on_every_try_fails_clearly_keeps_the_message_and_retry_works(
    http: httpx.AsyncClient, ann: Runner, fake: FakeAnthropic
) -> None:
    fake.script(HttpError(529), HttpError(529), HttpError(529), TextReply(("Back again.",)))
    got = (await http.post(MESSAGES, json={"text": "still there?"}, headers=ann.headers)).json()
    assert got["reply"]["status"] == "failed" and "overloaded" in got["reply"]["error"].lower()
    again = await http.post(f"{MESSAGES}/{got['reply']['id']}/retry", headers=ann.headers)
    assert again.json()["reply"]["text"] == "Back again."
    assert [m["text"] for m in (await http.get(MESSAGES, headers=ann.headers)).json()] == [
        "still there?",
        "Back again.",
    ]


async def test_a_stream_cut_mid_reply_is_kept_as_incomplete_and_not_retried(
    http: httpx.AsyncClient, ann: Runner, fake: FakeAnthropic
) -> None:
    fake.script(CutStream(chunks=("One ", "two ", "three."), after=2))
    reply = (await http.post(MESSAGES, json={"text": "count"}, headers=ann.headers)).json()["reply"]
    assert (reply["status"], reply["text"]) == ("incomplete", "One two ")
    assert reply["error"] and len(fake.requests) == 1
