"""The coach chat through the JSON API, on SQLite and PostgreSQL, with a scripted coach.

The scripted backend stands in for the model's *choices* only (what it says, which tool it calls);
everything around them is the real thing: messages stored before the model is asked, tool calls
checked by the rule checker and stored as proposals, Apply making a version in the same
transaction that marks the proposal, server-sent events, limits. Claude's own wire format is
tested against a local fake Messages API in tests/coach/.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from runcoach.coach.backend import CoachUnavailable, Turn
from runcoach.context import context
from runcoach.db import coach as coach_queries
from runcoach.domain.coach import (
    MAX_MESSAGE_CHARS,
    CoachEvent,
    MessageStatus,
    Role,
    TextDelta,
    ToolCall,
    TurnEnd,
    Usage,
)
from tests.api.conftest import Runner, a_10k_plan
from tests.helpers import HUGE_IDS, jump

pytestmark = pytest.mark.usefixtures("app_backend")

MESSAGES = "/api/coach/messages"
USAGE = Usage(input_tokens=1200, output_tokens=80, cache_read_tokens=1000, cache_write_tokens=0)

Step = list[Any] | Callable[[Turn], list[Any]]
NOTES_INPUT = {
    "memories": [
        {"kind": "injury", "text": "Sore left calf in week 47."},
        {"kind": "preference", "text": "Cannot run long on Saturdays."},
    ]
}


@dataclass
class Gate:
    event: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Signal:
    event: asyncio.Event = field(default_factory=asyncio.Event)


class Scripted:
    """A coach backend that plays scripted turns and records what it was given.

    A step is a list of events, exceptions (raised there), `Gate`s (waited for there) and
    `Signal`s (set there), or a function of the turn that returns such a list. With no step left
    it says "Fine, keep going."
    """

    label = "a scripted coach"
    is_ai = True

    def __init__(self, default: Step | None = None) -> None:
        self.steps: list[Step] = []
        self.turns: list[Turn] = []
        self.default: Step = default or [TextDelta(text="Fine, keep going."), end()]

    async def turn(self, turn: Turn) -> AsyncIterator[CoachEvent]:
        self.turns.append(turn)
        step = self.steps.pop(0) if self.steps else self.default
        for item in step(turn) if callable(step) else step:
            if isinstance(item, Exception):
                raise item
            if isinstance(item, Gate):
                await item.event.wait()
            elif isinstance(item, Signal):
                item.event.set()
            else:
                yield item


def end(reason: str = "end_turn", usage: Usage = USAGE) -> TurnEnd:
    return TurnEnd(stop_reason=reason, usage=usage)


def say(*pieces: str) -> list[Any]:
    return [*(TextDelta(text=p) for p in pieces), end()]


def call(name: str, value: Any, text: str = "Let me propose that. ") -> list[Any]:
    return [TextDelta(text=text), ToolCall(id=f"t-{name}", name=name, input=value), end("tool_use")]


@pytest.fixture
def coach(http: httpx.AsyncClient) -> Scripted:
    scripted = Scripted()
    context().coach.backend = scripted
    context().coach.memory.backend = Scripted(
        [ToolCall(id="m", name="save_memories", input=NOTES_INPUT), end()]
    )
    return scripted


def easy_day(plan: dict[str, Any], nth: int = 0) -> dict[str, Any]:
    """The nth easy workout after today: a change to recovery keeps its minutes and passes the rules."""
    today = context().today().isoformat()
    return [w for w in plan["workouts"] if w["date"] > today and w["type"] == "easy"][nth]


def to_recovery(wid: int) -> dict[str, Any]:
    return {
        "reason": "Your calves need an easy day",
        "edits": [{"op": "change", "wid": wid, "type": "recovery"}],
    }


async def send(http: httpx.AsyncClient, runner: Runner, text: str) -> httpx.Response:
    return await http.post(MESSAGES, json={"text": text}, headers=runner.headers)


async def exchange(http: httpx.AsyncClient, runner: Runner, text: str) -> dict[str, Any]:
    response = await send(http, runner, text)
    assert response.status_code == 200, response.text
    return response.json()


def sse_events(body: str) -> list[tuple[str, Any]]:
    events = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


# --------------------------------------------------------------------------- plain exchanges


async def test_a_reply_is_stored_with_its_token_use_and_the_history_survives(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    coach.steps = [say("Easy ", "does it ", "today.")]
    got = await exchange(http, ann, "  Should I run today?  ")
    assert got["message"]["text"] == "Should I run today?" and got["message"]["role"] == "user"
    reply = got["reply"]
    assert (reply["text"], reply["status"], reply["error"]) == ("Easy does it today.", "complete", None)
    assert reply["usage"] == USAGE.model_dump()
    history = (await http.get(MESSAGES, headers=ann.headers)).json()
    assert [(m["role"], m["text"]) for m in history] == [
        ("user", "Should I run today?"),
        ("assistant", "Easy does it today."),
    ]
    usage = (await http.get("/api/coach/usage", headers=ann.headers)).json()
    assert (usage["replies_today"], usage["sent_today"], usage["today"]["input_tokens"]) == (1, 1, 1200)
    assert usage["coach"] == "a scripted coach" and usage["ai"] is True


async def test_the_model_gets_the_methodology_cached_the_runner_context_and_the_last_messages(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    plan = await a_10k_plan(http, ann)
    for n in range(3):
        await exchange(http, ann, f"question {n}")
    turn = coach.turns[-1]
    assert "Daniels" in turn.system and "80/20" in turn.system
    assert turn.context.plan_id == plan["id"] and turn.context.days
    assert f"- {turn.context.days[0].wid}: " in turn.context.text()
    assert [m["content"] for m in turn.messages] == [
        "question 0",
        "Fine, keep going.",
        "question 1",
        "Fine, keep going.",
        "question 2",
    ]
    assert {t["name"] for t in turn.tools} == {"propose_plan_changes", "adapt_today", "draft_plan"}


async def test_only_the_last_twenty_messages_go_with_a_request(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    for n in range(12):
        await exchange(http, ann, f"question {n}")
    sent = coach.turns[-1].messages
    assert len(sent) <= 20 and sent[0]["role"] == "user" and sent[-1]["content"] == "question 11"


async def test_messages_that_are_empty_too_long_or_huge_are_refused_and_nothing_is_stored(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    assert (await send(http, ann, "   ")).status_code == 422
    assert (await send(http, ann, "x" * (MAX_MESSAGE_CHARS + 1))).status_code == 422
    big = await http.post(MESSAGES, content=b'{"text": "' + b"a" * 2_000_000 + b'"}', headers=ann.headers)
    assert big.status_code == 413
    assert (await http.get(MESSAGES, headers=ann.headers)).json() == []


# --------------------------------------------------------------------------- streaming


async def test_with_accept_event_stream_the_reply_streams_with_its_proposal(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    plan = await a_10k_plan(http, ann)
    wid = easy_day(plan)["id"]
    coach.steps = [call("propose_plan_changes", to_recovery(wid)), say("Press Apply to make it so.")]
    headers = {**ann.headers, "Accept": "text/event-stream"}
    response = await http.post(MESSAGES, json={"text": "my calves are sore"}, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    names = [name for name, _ in events]
    assert names[0] == "message" and names[-1] == "done" and "proposal" in names
    text = "".join(data["text"] for name, data in events if name == "delta")
    assert text == "Let me propose that. \n\nPress Apply to make it so."
    proposal = next(data for name, data in events if name == "proposal")
    assert proposal["status"] == "pending" and proposal["plan_id"] == plan["id"]
    assert [c["wid"] for c in proposal["diff"]["changed"]] == [wid]
    done = events[-1][1]
    assert done["text"] == text and done["proposals"][0]["id"] == proposal["id"]
    # The tool result went back to the model, which then answered.
    result = coach.turns[1].messages[-1]["content"][0]
    assert result["type"] == "tool_result" and json.loads(result["content"])["ok"] is True


# --------------------------------------------------------------------------- proposals


async def test_apply_makes_one_coach_version_with_its_reason_even_when_clicked_twenty_times(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    plan = await a_10k_plan(http, ann)
    wid = easy_day(plan)["id"]
    coach.steps = [call("propose_plan_changes", to_recovery(wid)), say("Done.")]
    proposal = (await exchange(http, ann, "sore"))["reply"]["proposals"][0]
    current = (await http.get("/api/plans/current", headers=ann.headers)).json()
    assert current["version"] == 1, "nothing changes before Apply"
    url = f"/api/coach/proposals/{proposal['id']}/apply"
    answers = await asyncio.gather(*(http.post(url, headers=ann.headers) for _ in range(20)))
    assert sorted(r.status_code for r in answers) == [200] + [409] * 19
    applied = next(r.json() for r in answers if r.status_code == 200)
    assert (applied["version"], applied["proposal"]["status"]) == (2, "applied")
    current = (await http.get("/api/plans/current", headers=ann.headers)).json()
    assert (current["version"], current["created_by"]) == (2, "coach")
    assert "Your calves need an easy day" in current["reason"]
    day = next(w for w in current["workouts"] if w["id"] == wid)
    assert day["type"] == "recovery"
    discard = await http.post(f"/api/coach/proposals/{proposal['id']}/discard", headers=ann.headers)
    assert discard.status_code == 409


async def test_discard_leaves_the_plan_and_apply_after_discard_is_refused(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    plan = await a_10k_plan(http, ann)
    coach.steps = [call("propose_plan_changes", to_recovery(easy_day(plan)["id"])), say("Ok.")]
    proposal = (await exchange(http, ann, "sore"))["reply"]["proposals"][0]
    discarded = await http.post(f"/api/coach/proposals/{proposal['id']}/discard", headers=ann.headers)
    assert discarded.status_code == 200 and discarded.json()["status"] == "discarded"
    assert (
        await http.post(f"/api/coach/proposals/{proposal['id']}/apply", headers=ann.headers)
    ).status_code == 409
    assert (await http.get("/api/plans/current", headers=ann.headers)).json()["version"] == 1


async def test_a_proposal_the_changed_plan_no_longer_allows_is_422_and_stays_pending(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    plan = await a_10k_plan(http, ann)
    wid = easy_day(plan)["id"]
    coach.steps = [call("propose_plan_changes", to_recovery(wid)), say("Ok.")]
    proposal = (await exchange(http, ann, "sore"))["reply"]["proposals"][0]
    rested = await http.patch(
        f"/api/plans/{plan['id']}/workouts/{wid}", json={"op": "rest"}, headers=ann.headers
    )
    assert rested.status_code == 200, rested.text
    refused = await http.post(f"/api/coach/proposals/{proposal['id']}/apply", headers=ann.headers)
    assert refused.status_code == 422, refused.text
    history = (await http.get(MESSAGES, headers=ann.headers)).json()
    assert history[-1]["proposals"][0]["status"] == "pending"
    assert (await http.get("/api/plans/current", headers=ann.headers)).json()["version"] == 2


async def test_a_rule_break_goes_back_to_the_model_once_with_the_rules_and_the_repair_is_proposed(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    plan = await a_10k_plan(http, ann)
    wid = easy_day(plan)["id"]
    too_long = {"reason": "More endurance", "edits": [{"op": "change", "wid": wid, "minutes": 360}]}

    def repair(turn: Turn) -> list[Any]:
        result = json.loads(turn.messages[-1]["content"][0]["content"])
        assert result["ok"] is False and result["violations"]
        return call("propose_plan_changes", {"reason": "More endurance", "edits": [result["alternative"]]})

    coach.steps = [call("propose_plan_changes", too_long), repair, say("The longest that fits is below.")]
    reply = (await exchange(http, ann, "make Tuesday six hours"))["reply"]
    assert len(reply["proposals"]) == 1
    minutes = reply["proposals"][0]["edits"][0]["minutes"]
    assert minutes < 360
    assert (
        await http.post(f"/api/coach/proposals/{reply['proposals'][0]['id']}/apply", headers=ann.headers)
    ).status_code == 200


async def test_a_second_rule_break_ends_the_tools_and_nothing_is_proposed(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    plan = await a_10k_plan(http, ann)
    too_long = {"reason": "x", "edits": [{"op": "change", "wid": easy_day(plan)["id"], "minutes": 360}]}
    coach.steps = [
        call("propose_plan_changes", too_long),
        call("propose_plan_changes", too_long),
        say("That does not fit your plan's rules."),
    ]
    reply = (await exchange(http, ann, "six hours"))["reply"]
    assert reply["proposals"] == [] and reply["status"] == "complete"
    last = json.loads(coach.turns[2].messages[-1]["content"][0]["content"])
    assert "No more tries" in last["note"]
    assert coach.turns[2].tools == []


async def test_tool_input_that_misses_the_schema_twice_is_refused_clearly(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    await a_10k_plan(http, ann)
    coach.steps = [
        call("propose_plan_changes", "{not json"),
        call("propose_plan_changes", {"edits": [{"op": "teleport"}]}),
        say("Sorry about that."),
    ]
    reply = (await exchange(http, ann, "move it"))["reply"]
    assert reply["proposals"] == []
    assert "nothing was proposed" in reply["text"]
    first = json.loads(coach.turns[1].messages[-1]["content"][0]["content"])
    assert first["ok"] is False and "schema" in first["error"]


async def test_tools_act_only_on_the_signed_in_runners_data(
    http: httpx.AsyncClient, ann: Runner, bob: Runner, coach: Scripted
) -> None:
    ann_plan = await a_10k_plan(http, ann)
    await a_10k_plan(http, bob)
    ann_wid = easy_day(ann_plan)["id"]
    coach.steps = [call("propose_plan_changes", to_recovery(ann_wid)), say("Ok.")]
    proposal = (await exchange(http, ann, "sore"))["reply"]["proposals"][0]
    for path in ("apply", "discard"):
        assert (
            await http.post(f"/api/coach/proposals/{proposal['id']}/{path}", headers=bob.headers)
        ).status_code == 404
    assert (await http.get(MESSAGES, headers=bob.headers)).json() == []
    for huge in HUGE_IDS:
        assert (await http.post(f"/api/coach/proposals/{huge}/apply", headers=ann.headers)).status_code in (
            404,
            422,
        )
        assert (await http.delete(f"/api/coach/memories/{huge}", headers=ann.headers)).status_code in (
            404,
            422,
        )
    # A goal id of another runner in draft_plan is unknown, not borrowed.
    bob_goal = (await http.get("/api/goals", headers=bob.headers)).json()[0]["id"]
    draft = {
        "goal_id": bob_goal,
        "start_date": "2030-01-07",
        "methodology": "daniels",
        "reason": "x",
        "weeks": [{"phase": "base", "days": []}],
    }
    coach.steps = [call("draft_plan", draft), say("Ok.")]
    reply = (await exchange(http, ann, "draft me a plan"))["reply"]
    assert reply["proposals"] == []
    assert "not one of the runner's goals" in coach.turns[-1].messages[-1]["content"][0]["content"]


# --------------------------------------------------------------------------- faults


async def test_a_failed_reply_keeps_the_message_and_retry_answers_it(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    coach.steps = [[CoachUnavailable("Claude is overloaded right now (529); try again in a minute.")]]
    got = await exchange(http, ann, "How was my week?")
    assert got["reply"]["status"] == "failed" and "overloaded" in got["reply"]["error"]
    coach.steps = [say("A good week.")]
    retried = await http.post(f"{MESSAGES}/{got['reply']['id']}/retry", headers=ann.headers)
    assert retried.status_code == 200, retried.text
    history = (await http.get(MESSAGES, headers=ann.headers)).json()
    assert [(m["role"], m["text"], m["status"]) for m in history] == [
        ("user", "How was my week?", "complete"),
        ("assistant", "A good week.", "complete"),
    ]
    assert (await http.post(f"{MESSAGES}/{history[1]['id']}/retry", headers=ann.headers)).status_code == 409


async def test_a_reply_cut_mid_stream_is_kept_and_marked_incomplete(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    coach.steps = [[TextDelta(text="Your long run "), CoachUnavailable("The reply was cut off.")]]
    reply = (await exchange(http, ann, "long run?"))["reply"]
    assert (reply["status"], reply["text"], reply["error"]) == (
        "incomplete",
        "Your long run ",
        "The reply was cut off.",
    )


async def test_stop_keeps_the_text_so_far(http: httpx.AsyncClient, ann: Runner, coach: Scripted) -> None:
    streamed = Signal()
    coach.steps = [[TextDelta(text="Let me think"), streamed, Gate()]]
    sending = asyncio.create_task(send(http, ann, "question"))
    await asyncio.wait_for(streamed.event.wait(), 30)
    assert (await http.post("/api/coach/stop", headers=ann.headers)).status_code == 204
    done = (await asyncio.wait_for(sending, 30)).json()["reply"]
    assert (done["status"], done["text"]) == ("incomplete", "Let me think")
    assert done["error"] == "Stopped before the reply was finished."


async def test_twenty_messages_at_once_start_one_reply_and_the_daily_limit_holds(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    gate = Gate()
    coach.steps = [[gate, TextDelta(text="One at a time."), end()]]
    pending = {asyncio.create_task(send(http, ann, f"q{n}")) for n in range(20)}
    finished: list[httpx.Response] = []
    while len(pending) > 1:  # the one reply waits at the gate until every other request is answered
        done, pending = await asyncio.wait(pending, timeout=60, return_when=asyncio.FIRST_COMPLETED)
        assert done, "a request did not finish"
        finished += [task.result() for task in done]
    gate.event.set()
    finished += [await asyncio.wait_for(pending.pop(), 30)]
    assert sorted(r.status_code for r in finished) == [200] + [409] * 19
    context().coach.daily_limit = 2
    assert (await send(http, ann, "second")).status_code == 200
    limited = await send(http, ann, "third")
    assert limited.status_code == 429 and "daily limit" in limited.json()["detail"]
    assert len((await http.get(MESSAGES, headers=ann.headers)).json()) == 4


# --------------------------------------------------------------------------- memory


async def test_older_messages_become_memories_the_runner_can_read_and_delete_and_reset_clears_all(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    summariser = context().coach.memory.backend
    assert isinstance(summariser, Scripted)
    for n in range(14):  # 28 messages: 8 older than the 20 that go with a request, under a batch
        await exchange(http, ann, f"note {n}")
    await context().coach.idle()
    assert summariser.turns == []
    await exchange(http, ann, "one more")  # 10 older: the job runs once
    await context().coach.idle()
    memories = (await http.get("/api/coach/memories", headers=ann.headers)).json()
    assert sorted(m["kind"] for m in memories) == ["injury", "preference"]
    (summarising,) = summariser.turns
    assert summarising.tool_choice == {"type": "tool", "name": "save_memories"}
    transcript = summarising.messages[0]["content"]
    assert "note 0" in transcript and "note 4" in transcript and "one more" not in transcript
    await exchange(http, ann, "and again")
    await context().coach.idle()
    assert len(summariser.turns) == 1, "messages read once are not read again"
    preference = next(m for m in memories if m["kind"] == "preference")
    assert "Cannot run long on Saturdays." in coach.turns[-1].context.text()
    assert (
        await http.delete(f"/api/coach/memories/{preference['id']}", headers=ann.headers)
    ).status_code == 204
    assert [m["kind"] for m in (await http.get("/api/coach/memories", headers=ann.headers)).json()] == [
        "injury"
    ]
    reset = (await http.delete(MESSAGES, headers=ann.headers)).json()
    assert reset == {"messages": 32, "memories": 1}
    assert (await http.get(MESSAGES, headers=ann.headers)).json() == []
    assert (await http.get("/api/coach/memories", headers=ann.headers)).json() == []


async def test_a_reset_while_the_memory_job_reads_leaves_no_memories_of_what_was_cleared(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    summariser = context().coach.memory.backend
    assert isinstance(summariser, Scripted)
    reading = Gate()
    summariser.steps = [[reading, ToolCall(id="m", name="save_memories", input=NOTES_INPUT), end()]]
    for n in range(15):  # 30 messages: 10 older than the 20 that go with a request, a batch
        await exchange(http, ann, f"note {n}")
    for _ in range(6000):  # the job has read the batch and waits for the model
        if summariser.turns:
            break
        await asyncio.sleep(0.01)
    assert summariser.turns, "the memory job did not start"
    reset = (await http.delete(MESSAGES, headers=ann.headers)).json()
    assert reset == {"messages": 30, "memories": 0}
    reading.event.set()  # the model answers with notes about the cleared conversation
    await context().coach.idle()
    assert (await http.get("/api/coach/memories", headers=ann.headers)).json() == []


async def test_a_reply_orphaned_by_a_stopped_server_shows_incomplete_and_can_be_retried(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    ctx = context()
    async with ctx.db.session() as db:
        now = ctx.clock.now()
        await coach_queries.add_message(
            db, owner_id=ann.id, role=Role.USER, text="Are you there?", status=MessageStatus.COMPLETE, now=now
        )
        orphan = await coach_queries.add_message(
            db, owner_id=ann.id, role=Role.ASSISTANT, text="", status=MessageStatus.STREAMING, now=now
        )
    await jump(60)
    assert (await http.get(MESSAGES, headers=ann.headers)).json()[-1]["status"] == "streaming"
    await jump(20 * 60)
    shown = (await http.get(MESSAGES, headers=ann.headers)).json()[-1]
    assert (shown["status"], shown["error"]) == (
        "incomplete",
        "The server stopped while this reply was written.",
    )
    coach.steps = [say("Yes, here now.")]
    retried = await http.post(f"{MESSAGES}/{orphan.id}/retry", headers=ann.headers)
    assert retried.status_code == 200 and retried.json()["reply"]["text"] == "Yes, here now."


def drafted(plan: dict[str, Any], goal_id: int) -> dict[str, Any]:
    """The app's own plan written back in the `draft_plan` tool's week-by-week form."""
    from datetime import date

    weeks = []
    for week in plan["weeks"]:
        monday = date.fromisoformat(week["start_date"])
        days = [
            {
                "weekday": (date.fromisoformat(w["date"]) - monday).days,
                "type": w["type"],
                "title": w["title"],
                "hard": w["hard"],
                "structure": w["structure"],
            }
            for w in plan["workouts"]
            if 0 <= (date.fromisoformat(w["date"]) - monday).days < 7 and w["type"] != "rest"
        ]
        weeks.append({"phase": week["phase"], "recovery": week["recovery"], "days": days})
    return {
        "goal_id": goal_id,
        "start_date": plan["start_date"],
        "methodology": plan["methodology"],
        "reason": "A plan built around your long-run day",
        "weeks": weeks,
    }


async def test_a_drafted_plan_that_passes_the_rules_is_applied_as_a_new_plan_by_the_coach(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    plan = await a_10k_plan(http, ann)
    coach.steps = [call("draft_plan", drafted(plan, plan["goal_id"])), say("Here is the plan I'd suggest.")]
    reply = (await exchange(http, ann, "draft me a plan for my 10K"))["reply"]
    (proposal,) = reply["proposals"]
    assert proposal["kind"] == "plan" and proposal["goal_id"] == plan["goal_id"]
    assert f"{len(plan['weeks'])}-week plan" in proposal["summary"]
    applied = await http.post(f"/api/coach/proposals/{proposal['id']}/apply", headers=ann.headers)
    assert applied.status_code == 200, applied.text
    current = (await http.get("/api/plans/current", headers=ann.headers)).json()
    assert current["id"] != plan["id"] and (current["version"], current["created_by"]) == (1, "coach")
    assert "long-run day" in current["reason"]
    assert [w["date"] for w in current["workouts"] if w["type"] != "rest"] == [
        w["date"] for w in plan["workouts"] if w["type"] != "rest"
    ]


async def test_a_drafted_plan_that_breaks_the_rules_is_sent_back_with_the_rules(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    plan = await a_10k_plan(http, ann)
    bad = drafted(plan, plan["goal_id"])
    for week in bad["weeks"]:  # every easy day made a tempo: hard days in a row everywhere
        for day in week["days"]:
            if day["type"] == "easy":
                day["type"], day["hard"] = "tempo", True
    coach.steps = [call("draft_plan", bad), say("That plan does not pass; keep your current one.")]
    reply = (await exchange(http, ann, "make it harder"))["reply"]
    assert reply["proposals"] == []
    result = json.loads(coach.turns[1].messages[-1]["content"][0]["content"])
    assert result["ok"] is False and result["violations"]


async def test_a_drafted_plan_the_rules_cannot_read_is_invalid_input_for_the_model_not_a_failure(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    plan = await a_10k_plan(http, ann)
    bad = drafted(plan, plan["goal_id"])
    for week in bad["weeks"]:
        for day in week["days"]:
            day["hard"] = False  # a long run is always hard: the day cannot be judged
    coach.steps = [call("draft_plan", bad), say("Let me leave your plan as it is.")]
    reply = (await exchange(http, ann, "draft"))["reply"]
    assert reply["status"] == "complete" and reply["proposals"] == []
    result = json.loads(coach.turns[1].messages[-1]["content"][0]["content"])
    assert result["ok"] is False and "not a valid plan" in result["error"]


async def test_tokens_of_turns_before_a_failure_are_still_counted(
    http: httpx.AsyncClient, ann: Runner, coach: Scripted
) -> None:
    plan = await a_10k_plan(http, ann)
    coach.steps = [
        call("propose_plan_changes", to_recovery(easy_day(plan)["id"])),
        [TextDelta(text="Pressing on"), CoachUnavailable("The reply was cut off.")],
    ]
    reply = (await exchange(http, ann, "sore"))["reply"]
    assert reply["status"] == "incomplete" and reply["proposals"]
    assert reply["usage"] == USAGE.model_dump(), "the first turn's tokens were spent and are kept"
