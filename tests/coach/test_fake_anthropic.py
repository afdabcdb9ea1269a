"""The fake Messages API keeps its promises: what the coach tests (and the benchmark) rely on."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anthropic
import pytest
from anthropic import AsyncAnthropic
from anthropic.types import MessageParam

from tests.fake_anthropic import FakeAnthropic, HttpError, TextReply, ToolUse

MODEL = "claude-sonnet-4-6"
HELLO: list[MessageParam] = [{"role": "user", "content": "hello there"}]


@pytest.fixture
async def client(fake_anthropic: FakeAnthropic) -> AsyncIterator[AsyncAnthropic]:
    client = AsyncAnthropic(api_key="sk-fake", base_url=fake_anthropic.base_url, max_retries=0)
    yield client
    await client.close()


async def test_a_request_without_stream_gets_one_message(
    fake_anthropic: FakeAnthropic, client: AsyncAnthropic
) -> None:
    fake_anthropic.script(ToolUse("adapt_today", {"wid": 3}, text=("Adapting.",), tool_id="toolu_9"))

    message = await client.messages.create(model=MODEL, max_tokens=50, messages=HELLO)

    assert message.stop_reason == "tool_use"
    assert [block.type for block in message.content] == ["text", "tool_use"]
    tool = message.content[1]
    assert tool.type == "tool_use" and (tool.id, tool.name, tool.input) == (
        "toolu_9",
        "adapt_today",
        {"wid": 3},
    )
    assert message.usage.input_tokens > 0
    assert fake_anthropic.requests[0].streamed is False


async def test_the_default_reply_echoes_the_last_user_message(client: AsyncAnthropic) -> None:
    message = await client.messages.create(model=MODEL, max_tokens=50, messages=HELLO)

    assert [b.text for b in message.content if b.type == "text"] == ["Echo: hello there"]


async def test_the_stream_is_the_apis_event_sequence(
    fake_anthropic: FakeAnthropic, client: AsyncAnthropic
) -> None:
    fake_anthropic.script(TextReply(("a", "b")))

    stream = await client.messages.create(model=MODEL, max_tokens=50, messages=HELLO, stream=True)
    async with stream:
        kinds = [event.type async for event in stream]

    assert kinds == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]  # the ping between message_start and the first block is skipped by the SDK


async def test_a_wrong_key_is_refused_without_using_up_the_script(
    fake_anthropic: FakeAnthropic, client: AsyncAnthropic
) -> None:
    fake_anthropic.api_key = "another-key"
    fake_anthropic.script(TextReply(("kept",)))

    with pytest.raises(anthropic.AuthenticationError) as raised:
        await client.messages.create(model=MODEL, max_tokens=50, messages=HELLO)

    assert raised.value.type == "authentication_error"
    assert fake_anthropic.pending == 1
    assert fake_anthropic.requests[0].api_key == "sk-fake"


async def test_a_request_without_messages_is_a_bad_request(client: AsyncAnthropic) -> None:
    with pytest.raises(anthropic.BadRequestError, match="messages"):
        await client.messages.create(model=MODEL, max_tokens=50, messages=[])


async def test_an_error_carries_the_apis_body_and_retry_headers(
    fake_anthropic: FakeAnthropic, client: AsyncAnthropic
) -> None:
    fake_anthropic.script(HttpError(429, message="slow down", retry_after=7, retry_after_ms=7000))

    with pytest.raises(anthropic.RateLimitError) as raised:
        await client.messages.create(model=MODEL, max_tokens=50, messages=HELLO)

    error = raised.value
    assert (error.type, error.api_message) == ("rate_limit_error", "slow down")
    assert (error.response.headers["retry-after"], error.response.headers["retry-after-ms"]) == ("7", "7000")


async def test_other_paths_are_not_found(client: AsyncAnthropic) -> None:
    with pytest.raises(anthropic.NotFoundError):
        await client.models.list()


async def test_requests_can_be_awaited(fake_anthropic: FakeAnthropic, client: AsyncAnthropic) -> None:
    await client.messages.create(model=MODEL, max_tokens=50, messages=HELLO)

    (request,) = await fake_anthropic.await_requests(1, timeout_s=5)

    assert request.body["messages"] == HELLO
    assert request.headers["anthropic-version"]
