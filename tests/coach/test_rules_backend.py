"""The built-in coach as a backend: it streams word-sized text deltas, then the tool call whose input
validates against its tool's schema, then one TurnEnd; and it answers its own tool results."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from runcoach.coach import prompt
from runcoach.coach.backend import Backend, Turn
from runcoach.coach.rules_backend import RulesBackend, words
from runcoach.domain.coach import (
    TOOL_INPUTS,
    CoachContext,
    CoachEvent,
    ContextDay,
    TextDelta,
    ToolCall,
    TurnEnd,
    Usage,
)
from runcoach.domain.coach_rules import respond
from runcoach.domain.plan_model import WorkoutType

TODAY = date(2026, 12, 7)  # a Monday
CONTEXT = CoachContext(
    today=TODAY,
    name="Ana",
    profile=None,
    plan_id=1,
    plan_version=1,
    days=tuple(
        ContextDay(
            wid=wid,
            date=TODAY + timedelta(days=wid - 1),
            type=kind,
            title=title,
            hard=kind in (WorkoutType.TEMPO, WorkoutType.LONG),
            minutes=minutes,
            km=minutes / 6,
            description="",
        )
        for wid, kind, title, minutes in (
            (1, WorkoutType.TEMPO, "Tempo 25", 45),
            (2, WorkoutType.EASY, "Easy 40", 40),
            (6, WorkoutType.LONG, "Long run 18 km", 110),
            (7, WorkoutType.REST, "Rest", 0),
        )
    ),
    progress=("VDOT 46.1, up 1.2 in 6 weeks.",),
)


async def run(messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None) -> list[CoachEvent]:
    """One turn, offering every tool the chat service offers unless `tools` says otherwise."""
    backend: Backend = RulesBackend()
    offered = prompt.tools() if tools is None else tools
    turn = Turn(system="", context=CONTEXT, messages=messages, tools=offered)
    return [event async for event in backend.turn(turn)]


def say(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def test_the_backend_names_itself_as_the_built_in_coach() -> None:
    assert (RulesBackend.label, RulesBackend.is_ai) == ("the built-in coach", False)


@pytest.mark.parametrize(
    ("text", "tool"),
    [
        ("move my long run to Sunday", "propose_plan_changes"),
        ("my calves are sore", "adapt_today"),
        ("I only have 30 minutes today", "adapt_today"),
    ],
)
async def test_text_streams_in_words_then_the_tool_call_then_the_end(text: str, tool: str) -> None:
    events = await run(say(text))
    *deltas, call, end = events
    assert len(deltas) > 5 and all(isinstance(d, TextDelta) for d in deltas)
    assert all(len(d.text.split()) == 1 for d in deltas if isinstance(d, TextDelta))
    assert "".join(d.text for d in deltas if isinstance(d, TextDelta)) == respond(text, CONTEXT)[0].text
    assert isinstance(call, ToolCall) and call.name == tool and call.id == "rules-1"
    TOOL_INPUTS[call.name].model_validate(call.input)
    assert end == TurnEnd(stop_reason="tool_use", usage=Usage())


async def test_a_reply_without_a_change_ends_the_turn() -> None:
    events = await run(say("how am I doing?"))
    assert isinstance(events[-1], TurnEnd) and events[-1].stop_reason == "end_turn"
    assert not any(isinstance(e, ToolCall) for e in events)
    assert "VDOT 46.1, up 1.2 in 6 weeks." in "".join(e.text for e in events if isinstance(e, TextDelta))


async def test_the_tools_offered_limit_the_calls() -> None:
    tools = [{"name": "adapt_today", "description": "", "input_schema": {}}]
    events = await run(say("move my long run to Sunday"), tools)
    assert not any(isinstance(e, ToolCall) for e in events)
    assert isinstance(events[-1], TurnEnd) and events[-1].stop_reason == "end_turn"


async def test_driven_as_the_chat_service_drives_it_the_coach_repairs_once_then_points_at_apply() -> None:
    messages = say("move my long run to Sunday")
    results = [
        {
            "ok": False,
            "violations": ["Sunday 13 December: two hard days in a row leave no time to recover."],
            "alternative": {"op": "move", "wid": 6, "to": "2026-12-14"},
            "message": "Monday 14 December keeps the rules.",
        },
        {"ok": True, "proposal_id": 12, "summary": "Long run moves from Sat 12 Dec to Mon 14 Dec"},
    ]
    calls: list[ToolCall] = []
    for result in results:
        events = await run(messages)
        call = next(e for e in events if isinstance(e, ToolCall))
        calls.append(call)
        text = "".join(e.text for e in events if isinstance(e, TextDelta))
        messages.append(
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": text},
                    {"type": "tool_use", "id": call.id, "name": call.name, "input": call.input},
                ],
            }
        )
        block = {"type": "tool_result", "tool_use_id": call.id, "content": json.dumps(result)}
        messages.append({"role": "user", "content": [{**block, "is_error": not result["ok"]}]})
    assert [c.id for c in calls] == ["rules-1", "rules-2"]
    assert calls[1].input["edits"] == [{"op": "move", "wid": 6, "to": "2026-12-14"}]
    final = await run(messages)
    assert isinstance(final[-1], TurnEnd) and final[-1].stop_reason == "end_turn"
    said = "".join(e.text for e in final if isinstance(e, TextDelta))
    assert said.startswith("Long run moves from Sat 12 Dec to Mon 14 Dec. I've put it below: press **Apply**")


@pytest.mark.parametrize(
    "text", ["", " ", "one", "two words", "  lead and trail \n\n", "a\n\n- list\n- items"]
)
def test_words_put_back_together_are_the_text(text: str) -> None:
    assert "".join(words(text)) == text


async def test_with_no_tools_offered_it_calls_none_and_says_nothing_changed() -> None:
    events = await run(say("move my long run to Sunday"), tools=[])
    assert not [e for e in events if isinstance(e, ToolCall)]
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert "nothing has" in text and isinstance(events[-1], TurnEnd)
