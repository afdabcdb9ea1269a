"""The Claude backend through the real SDK against the local fake Messages API (no key, no internet).

Waits never really happen: the backend's `sleep` is a recorder. Only the time-out tests spend real
time (half a second per try), because a time-out is only real when a clock runs out.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from datetime import date
from typing import Any

import pytest
from pydantic import SecretStr

from runcoach.coach.backend import Backend, CoachUnavailable, Turn
from runcoach.coach.claude import ClaudeBackend
from runcoach.config import Settings
from runcoach.domain.coach import CoachContext, CoachEvent, TextDelta, ToolCall, TurnEnd
from tests.fake_anthropic import (
    CutStream,
    Echo,
    FakeAnthropic,
    HttpError,
    StreamError,
    TextReply,
    ToolUse,
)

#: Not in the SDK's list of deprecated models (a DeprecationWarning is an error in this test run).
MODEL = "claude-sonnet-4-6"
KEY = "sk-test-key"
SYSTEM = "You are RunCoach, a careful treadmill running coach. " * 20
CONTEXT = CoachContext(today=date(2025, 5, 5), name="Ana", profile="5k in 25:00, 4 runs a week")
TOOLS: list[dict[str, Any]] = [
    {
        "name": "adapt_today",
        "description": "Fit one planned day to today",
        "input_schema": {"type": "object", "properties": {"wid": {"type": "integer"}}, "required": ["wid"]},
    }
]


class Sleeps:
    """The backend's `sleep`: records each wait and returns at once."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


MakeBackend = Callable[..., ClaudeBackend]


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def backend_for(fake_anthropic: FakeAnthropic, sleeps: Sleeps) -> AsyncIterator[MakeBackend]:
    """Backends on the fake (3 tries, 5 s time-out unless told), closed after the test."""
    made: list[ClaudeBackend] = []

    def make(**options: Any) -> ClaudeBackend:
        settings: dict[str, Any] = {
            "api_key": KEY,
            "model": MODEL,
            "base_url": fake_anthropic.base_url,
            "timeout_s": 5.0,
            "attempts": 3,
            "sleep": sleeps,
        }
        backend = ClaudeBackend(**(settings | options))
        made.append(backend)
        return backend

    yield make
    for backend in made:
        await backend.aclose()


@pytest.fixture
def backend(backend_for: MakeBackend) -> ClaudeBackend:
    return backend_for()


def a_turn(text: str = "How should I run today?", **options: Any) -> Turn:
    return Turn(system=SYSTEM, context=CONTEXT, messages=[{"role": "user", "content": text}], **options)


async def events_of(backend: Backend, turn: Turn | None = None) -> list[CoachEvent]:
    async with aclosing(backend.turn(turn or a_turn())) as events:  # type: ignore[type-var]
        return [event async for event in events]


async def failure_of(backend: Backend, turn: Turn | None = None) -> tuple[list[CoachEvent], CoachUnavailable]:
    """The events that arrived before the backend raised, and what it raised."""
    received: list[CoachEvent] = []
    with pytest.raises(CoachUnavailable) as raised:
        async with aclosing(backend.turn(turn or a_turn())) as events:  # type: ignore[type-var]
            async for event in events:
                received.append(event)
    return received, raised.value


def texts(events: list[CoachEvent]) -> list[str]:
    return [e.text for e in events if isinstance(e, TextDelta)]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- replies


async def test_streamed_text_arrives_as_deltas_in_order(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend
) -> None:
    fake_anthropic.script(TextReply(("Easy ", "run ", "today", ".")))

    events = await events_of(backend)

    assert texts(events) == ["Easy ", "run ", "today", "."]
    assert [type(e) for e in events] == [TextDelta] * 4 + [TurnEnd]
    end = events[-1]
    assert isinstance(end, TurnEnd) and end.stop_reason == "end_turn"


def test_the_backend_says_what_it_is(backend: ClaudeBackend) -> None:
    assert backend.label == f"Claude ({MODEL})"
    assert backend.is_ai is True
    assert isinstance(backend, ClaudeBackend)


async def test_the_request_carries_the_model_the_cached_system_block_the_context_and_the_tools(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend
) -> None:
    choice = {"type": "tool", "name": "adapt_today"}
    turn = a_turn(tools=TOOLS, tool_choice=choice, max_tokens=300)

    await events_of(backend, turn)

    (request,) = fake_anthropic.requests
    assert (request.method, request.path) == ("POST", "/v1/messages")
    assert request.api_key == KEY
    body = request.body
    assert body["model"] == MODEL
    assert body["max_tokens"] == 300
    assert body["stream"] is True
    assert body["system"] == [
        {"type": "text", "text": SYSTEM, "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": CONTEXT.text()},
    ]
    assert body["messages"] == turn.messages
    assert body["tools"] == TOOLS
    assert body["tool_choice"] == choice


async def test_a_turn_without_tools_sends_no_tools(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend
) -> None:
    await events_of(backend)

    body = fake_anthropic.requests[0].body
    assert "tools" not in body and "tool_choice" not in body


async def test_a_tool_use_becomes_a_tool_call_with_the_parsed_input(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend
) -> None:
    fake_anthropic.script(
        ToolUse("adapt_today", {"wid": 42, "fatigue": 3}, text=("Let me ", "adapt it."), tool_id="toolu_1")
    )

    events = await events_of(backend, a_turn(tools=TOOLS))

    assert texts(events) == ["Let me ", "adapt it."]
    assert ToolCall(id="toolu_1", name="adapt_today", input={"wid": 42, "fatigue": 3}) in events
    end = events[-1]
    assert isinstance(end, TurnEnd) and end.stop_reason == "tool_use"


async def test_a_tool_use_without_input_has_an_empty_object(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend
) -> None:
    fake_anthropic.script(ToolUse("adapt_today", raw_json=""))

    events = await events_of(backend, a_turn(tools=TOOLS))

    calls = [e for e in events if isinstance(e, ToolCall)]
    assert [c.input for c in calls] == [{}]


@pytest.mark.parametrize(
    "raw",
    ['{"wid": nope}', "[1, 2]", '"just a string"', '{"wid": 1'],
    ids=["malformed", "a list", "a string", "truncated"],
)
async def test_tool_input_that_is_not_a_json_object_arrives_raw(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend, raw: str
) -> None:
    """The service answers "invalid input"; the SDK's stream helper would have raised (or, for the
    truncated one, silently completed the object)."""
    fake_anthropic.script(ToolUse("adapt_today", raw_json=raw))

    events = await events_of(backend, a_turn(tools=TOOLS))

    calls = [e for e in events if isinstance(e, ToolCall)]
    assert [(c.name, c.input) for c in calls] == [("adapt_today", raw)]
    assert isinstance(events[-1], TurnEnd)


@pytest.mark.parametrize("full_delta_usage", [False, True], ids=["delta has output only", "delta has all"])
async def test_usage_counts_cache_writes_then_cache_reads(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend, full_delta_usage: bool
) -> None:
    fake_anthropic.full_delta_usage = full_delta_usage
    fake_anthropic.script(TextReply(("One", " two", " three")), TextReply(("Four", " five")))

    first, second = (await events_of(backend))[-1], (await events_of(backend))[-1]

    assert isinstance(first, TurnEnd) and isinstance(second, TurnEnd)
    system_tokens = (len(SYSTEM) + 3) // 4  # the fake's estimate of the cached block
    assert (first.usage.cache_write_tokens, first.usage.cache_read_tokens) == (system_tokens, 0)
    assert (second.usage.cache_write_tokens, second.usage.cache_read_tokens) == (0, system_tokens)
    assert first.usage.input_tokens == second.usage.input_tokens > 0
    assert (first.usage.output_tokens, second.usage.output_tokens) == (3, 2)


async def test_a_different_system_prompt_writes_the_cache_again(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend
) -> None:
    await events_of(backend)
    other = Turn(system="Another coach.", context=CONTEXT, messages=[{"role": "user", "content": "Hi"}])

    end = (await events_of(backend, other))[-1]

    assert isinstance(end, TurnEnd)
    assert end.usage.cache_write_tokens > 0 and end.usage.cache_read_tokens == 0


async def test_stopping_early_closes_the_stream_and_the_backend_stays_usable(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend
) -> None:
    fake_anthropic.script(TextReply(("First", " second", " third"), chunk_delay_s=30))

    async with aclosing(backend.turn(a_turn())) as events:
        first = await anext(events)
    assert first == TextDelta(text="First")

    assert texts(await events_of(backend, a_turn("again"))) == ["Echo: ", "again"]


# --------------------------------------------------------------------------- retries


async def test_a_429_with_retry_after_waits_as_told_then_the_reply_arrives(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    fake_anthropic.script(HttpError(429, retry_after=7), TextReply(("Here ", "it is.")))

    with caplog.at_level(logging.INFO, logger="runcoach.coach.claude"):
        events = await events_of(backend)

    assert sleeps.calls == [7]
    assert texts(events) == ["Here ", "it is."]
    assert len(fake_anthropic.requests) == 2
    assert any(r.levelno == logging.INFO and "rate limited" in r.getMessage() for r in caplog.records)


async def test_retry_after_ms_is_preferred(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend, sleeps: Sleeps
) -> None:
    fake_anthropic.script(HttpError(429, retry_after=2, retry_after_ms=1500))

    await events_of(backend)

    assert sleeps.calls == [1.5]


async def test_529_twice_then_success_backs_off_exponentially(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend, sleeps: Sleeps
) -> None:
    fake_anthropic.script(HttpError(529), HttpError(529), TextReply(("Finally.",)))

    events = await events_of(backend)

    assert texts(events) == ["Finally."]
    assert len(fake_anthropic.requests) == 3
    first, second = sleeps.calls
    assert 0.5 <= first <= 1.0 and 1.0 <= second <= 2.0


async def test_529_on_every_try_gives_up_after_the_attempts(
    fake_anthropic: FakeAnthropic, backend_for: MakeBackend, sleeps: Sleeps
) -> None:
    fake_anthropic.default = HttpError(529)
    backend = backend_for(attempts=4)

    received, error = await failure_of(backend)

    assert received == []
    assert str(error) == "Claude is overloaded right now (529); try again in a minute."
    assert error.retry_after is None
    assert len(fake_anthropic.requests) == 4
    assert len(sleeps.calls) == 3


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_retried(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend, sleeps: Sleeps, status: int
) -> None:
    fake_anthropic.script(HttpError(status), TextReply(("Back.",)))

    assert texts(await events_of(backend)) == ["Back."]
    assert len(sleeps.calls) == 1


async def test_a_rate_limit_on_every_try_says_when_to_come_back(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend, sleeps: Sleeps
) -> None:
    fake_anthropic.default = HttpError(429, retry_after=3)

    _, error = await failure_of(backend)

    assert str(error) == "Claude's rate limit was reached; try again in 3 s."
    assert error.retry_after == 3
    assert sleeps.calls == [3, 3]


async def test_a_retry_after_beyond_the_cap_is_not_waited_for(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend, sleeps: Sleeps
) -> None:
    fake_anthropic.script(HttpError(429, retry_after=120))

    _, error = await failure_of(backend)

    assert sleeps.calls == []
    assert len(fake_anthropic.requests) == 1
    assert error.retry_after == 120
    assert "try again in 120 s" in str(error)


async def test_a_refused_key_is_not_retried_and_names_the_setting(
    fake_anthropic: FakeAnthropic, backend_for: MakeBackend, sleeps: Sleeps
) -> None:
    fake_anthropic.api_key = "the-right-key"
    backend = backend_for(api_key="a-wrong-key")

    _, error = await failure_of(backend)

    assert len(fake_anthropic.requests) == 1 and sleeps.calls == []
    assert "API key" in str(error) and "RUNCOACH_ANTHROPIC_API_KEY" in str(error)
    assert error.retry_after is None


async def test_a_bad_request_is_not_retried_and_says_the_apis_message(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend, sleeps: Sleeps
) -> None:
    fake_anthropic.script(HttpError(400, message="messages: roles must alternate"))

    _, error = await failure_of(backend)

    assert len(fake_anthropic.requests) == 1 and sleeps.calls == []
    assert "messages: roles must alternate" in str(error)


async def test_an_unknown_model_names_the_model_setting(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend
) -> None:
    fake_anthropic.script(HttpError(404, message=f"model: {MODEL}"))

    _, error = await failure_of(backend)

    assert len(fake_anthropic.requests) == 1
    assert "RUNCOACH_ANTHROPIC_MODEL" in str(error)


# --------------------------------------------------------------------------- cut streams


@pytest.mark.parametrize("abort", [True, False], ids=["connection dropped", "body ended early"])
async def test_a_stream_cut_mid_reply_keeps_the_text_and_is_not_retried(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend, sleeps: Sleeps, abort: bool
) -> None:
    fake_anthropic.script(CutStream(("One ", "two ", "three."), after=2, abort=abort))

    received, error = await failure_of(backend)

    assert texts(received) == ["One ", "two "]
    assert not any(isinstance(e, TurnEnd) for e in received)
    assert str(error).startswith("The reply was cut off")
    assert len(fake_anthropic.requests) == 1 and sleeps.calls == []


async def test_a_stream_cut_before_any_text_is_retried(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend, sleeps: Sleeps
) -> None:
    fake_anthropic.script(CutStream(after=0), TextReply(("Whole.",)))

    assert texts(await events_of(backend)) == ["Whole."]
    assert len(fake_anthropic.requests) == 2 and len(sleeps.calls) == 1


async def test_an_overloaded_error_event_before_any_text_is_retried(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend
) -> None:
    fake_anthropic.script(StreamError(after=0), TextReply(("Fine.",)))

    assert texts(await events_of(backend)) == ["Fine."]
    assert len(fake_anthropic.requests) == 2


async def test_an_error_event_after_text_cuts_the_reply(
    fake_anthropic: FakeAnthropic, backend: ClaudeBackend
) -> None:
    fake_anthropic.script(StreamError(("One ", "two."), after=1))

    received, error = await failure_of(backend)

    assert texts(received) == ["One "]
    assert str(error) == "The reply was cut off (Claude became overloaded); try again."
    assert len(fake_anthropic.requests) == 1


# --------------------------------------------------------------------------- time-outs and connections


async def test_a_server_that_does_not_answer_in_time_is_retried_then_reported(
    fake_anthropic: FakeAnthropic, backend_for: MakeBackend, sleeps: Sleeps
) -> None:
    fake_anthropic.default = TextReply(("Too late.",), headers_delay_s=3)
    backend = backend_for(timeout_s=0.5, attempts=2)

    _, error = await failure_of(backend)

    assert str(error).startswith("Claude did not answer in time")
    assert len(fake_anthropic.requests) == 2 and len(sleeps.calls) == 1


async def test_a_silence_before_the_first_token_is_a_time_out_too(
    fake_anthropic: FakeAnthropic, backend_for: MakeBackend
) -> None:
    fake_anthropic.script(TextReply(("Too late.",), first_token_delay_s=3), TextReply(("On time.",)))
    backend = backend_for(timeout_s=0.5)

    assert texts(await events_of(backend)) == ["On time."]
    assert len(fake_anthropic.requests) == 2


async def test_an_unreachable_server_is_retried_then_reported(
    backend_for: MakeBackend, sleeps: Sleeps
) -> None:
    backend = backend_for(base_url=f"http://127.0.0.1:{closed_port()}")

    _, error = await failure_of(backend)

    assert str(error).startswith("Could not reach Claude: ")
    assert len(sleeps.calls) == 2


# --------------------------------------------------------------------------- wiring


async def test_the_settings_build_the_backend(fake_anthropic: FakeAnthropic, sleeps: Sleeps) -> None:
    settings = Settings(
        anthropic_api_key=SecretStr("sk-from-settings"),
        anthropic_model=MODEL,
        anthropic_base_url=fake_anthropic.base_url,
        coach_timeout_s=7,
        coach_attempts=2,
    )
    backend = ClaudeBackend.from_settings(settings, sleep=sleeps)
    try:
        events = await events_of(backend, a_turn("hello"))
    finally:
        await backend.aclose()

    assert texts(events) == ["Echo: ", "hello"]
    assert fake_anthropic.requests[0].api_key == "sk-from-settings"
    assert (backend.attempts, backend.timeout_s, backend.label) == (2, 7, f"Claude ({MODEL})")


def test_the_settings_without_a_key_build_no_backend() -> None:
    with pytest.raises(ValueError, match="RUNCOACH_ANTHROPIC_API_KEY"):
        ClaudeBackend.from_settings(Settings())


async def test_a_shared_client_is_used_without_its_own_retries(
    fake_anthropic: FakeAnthropic, sleeps: Sleeps
) -> None:
    from anthropic import AsyncAnthropic

    client = AsyncAnthropic(api_key=KEY, base_url=fake_anthropic.base_url)  # max_retries 2 by default
    backend = ClaudeBackend(KEY, MODEL, sleep=sleeps, attempts=1, client=client)
    fake_anthropic.script(HttpError(529), TextReply(("Not reached.",)))
    try:
        await failure_of(backend)
    finally:
        await backend.aclose()
        await client.close()

    assert len(fake_anthropic.requests) == 1


async def test_fifty_replies_stream_at_once(fake_anthropic: FakeAnthropic, backend: ClaudeBackend) -> None:
    """Each reply waits half a second before its first token: one after the other they would take
    25 s."""
    fake_anthropic.default = Echo(first_token_delay_s=0.5, token_delay_s=0.01)
    loop = asyncio.get_running_loop()
    started = loop.time()

    replies = await asyncio.gather(*(events_of(backend, a_turn(f"run {n}")) for n in range(50)))

    assert ["".join(texts(r)) for r in replies] == [f"Echo: run {n}" for n in range(50)]
    assert loop.time() - started < 10
