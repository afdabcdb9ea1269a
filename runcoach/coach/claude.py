"""The Claude coach: one `Turn` becomes one streamed Messages API request, with our own retries.

Decisions:

- Our retry loop, not the SDK's (`max_retries=0`): the SDK cannot know that a reply which
  already streamed text to the runner must not be sent again, and our loop's waits go through an
  injected `sleep`, so tests check them without waiting.
- Retries happen only before the first event reached the caller. After that a failure is
  `CoachUnavailable("The reply was cut off …")` at once: the service keeps the text so far and
  marks the reply incomplete; retrying would show the runner a second, different answer.
- `messages.create(stream=True)`, not the `messages.stream()` helper: the helper parses tool
  input as it arrives with a lenient partial-JSON parser, which raises ValueError mid-stream on
  malformed input (losing the whole reply) and silently completes truncated input (`{"wid": 1`
  becomes `{"wid": 1}`). We collect the raw pieces and parse them once, strictly, when the block
  ends; input that is not a JSON object goes to the service as the raw string ("invalid input").
- `timeout_s` is httpx's per-wait timeout (connect, and each wait for the next bytes), not a
  deadline for the whole reply: a long answer that keeps streaming is fine; a silent server is not.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import math
import random
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from enum import StrEnum
from typing import cast

import anthropic
import httpx2
from anthropic import AsyncAnthropic, omit
from anthropic.types import (
    MessageDeltaUsage,
    MessageParam,
    RawMessageStreamEvent,
    TextBlockParam,
    ToolChoiceParam,
    ToolUnionParam,
)

from runcoach.coach.backend import CoachUnavailable, Turn
from runcoach.config import Settings
from runcoach.domain.coach import CoachEvent, TextDelta, ToolCall, TurnEnd, Usage

log = logging.getLogger(__name__)

#: First backoff wait; doubled per retry up to BACKOFF_CAP_S, then jittered down by up to half.
BACKOFF_FIRST_S = 1.0
BACKOFF_CAP_S = 30.0
#: The longest `retry-after` we wait for while the runner watches; a longer one ends the retries.
MAX_RETRY_AFTER_S = 60.0
#: Statuses worth another try besides 429 and 529: the API's transient server errors.
TRANSIENT_STATUSES = frozenset({408, 500, 502, 503, 504})

Sleep = Callable[[float], Awaitable[None]]


class Kind(StrEnum):
    """Why a request failed; decides whether to retry and what the runner reads."""

    OVERLOADED = "overloaded"
    RATE_LIMITED = "rate limited"
    SERVER = "server error"
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    CUT = "cut"
    REFUSED = "refused"


RETRIED = frozenset(
    {Kind.OVERLOADED, Kind.RATE_LIMITED, Kind.SERVER, Kind.TIMEOUT, Kind.CONNECTION, Kind.CUT}
)

#: How a reply that had already started was cut short, per kind.
CUT_REASONS = {
    Kind.OVERLOADED: "Claude became overloaded",
    Kind.RATE_LIMITED: "Claude's rate limit was reached",
    Kind.SERVER: "Claude had a server error",
    Kind.TIMEOUT: "Claude stopped answering",
    Kind.CONNECTION: "the connection dropped",
    Kind.CUT: "the stream ended early",
    Kind.REFUSED: "Claude reported an error",
}


class _Fault(Exception):
    """One failed try, classified: the sentence for the runner and the server's wait, if any."""

    def __init__(self, kind: Kind, sentence: str, retry_after: float | None = None) -> None:
        super().__init__(sentence)
        self.kind = kind
        self.sentence = sentence
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.kind in RETRIED

    def unavailable(self) -> CoachUnavailable:
        return CoachUnavailable(self.sentence, retry_after=self.retry_after)

    def cut_off(self) -> CoachUnavailable:
        return CoachUnavailable(f"The reply was cut off ({CUT_REASONS[self.kind]}); try again.")


class ClaudeBackend:
    """The `Backend` that asks Claude. One instance serves every runner (the client is shared).

    `client`, when given, is used instead of building one (its own retries are switched off;
    `api_key` and `base_url` are then the client's); `aclose()` closes only a client built here.
    """

    is_ai = True

    def __init__(
        self,
        api_key: str,
        model: str,
        base_url: str | None = None,
        timeout_s: float = 60.0,
        attempts: int = 4,
        sleep: Sleep = asyncio.sleep,
        *,
        client: AsyncAnthropic | None = None,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.model = model
        self.label = f"Claude ({model})"
        self.timeout_s = timeout_s
        self.attempts = attempts
        self._sleep = sleep
        self._owns_client = client is None
        if client is None:
            client = AsyncAnthropic(api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout_s)
        else:
            client = client.with_options(max_retries=0)
        self._client = client

    @classmethod
    def from_settings(
        cls, settings: Settings, *, sleep: Sleep = asyncio.sleep, client: AsyncAnthropic | None = None
    ) -> ClaudeBackend:
        """The backend the settings describe; ValueError when no key is set."""
        if settings.anthropic_api_key is None:
            raise ValueError("RUNCOACH_ANTHROPIC_API_KEY is not set: the AI coach needs it")
        return cls(
            api_key=settings.anthropic_api_key.get_secret_value(),
            model=settings.anthropic_model,
            base_url=settings.anthropic_base_url,
            timeout_s=settings.coach_timeout_s,
            attempts=settings.coach_attempts,
            sleep=sleep,
            client=client,
        )

    async def aclose(self) -> None:
        """Close the HTTP connections (when the client was built here)."""
        if self._owns_client:
            await self._client.close()

    async def turn(self, turn: Turn) -> AsyncGenerator[CoachEvent, None]:
        """Stream one reply: text deltas and tool calls, then one TurnEnd; see the module's
        docstring for when a failure is retried."""
        system = _system(turn)
        for attempt in range(1, self.attempts + 1):
            sent = False
            try:
                async with aclosing(self._once(turn, system)) as events:
                    async for event in events:
                        sent = True
                        yield event
                return
            except _Fault as fault:
                if sent:
                    log.warning("Claude's reply was cut off: %s", fault.sentence)
                    raise fault.cut_off() from fault.__cause__
                wait = self._wait(fault, attempt)
                if wait is None:
                    log.warning("Claude request failed after %d tries: %s", attempt, fault.sentence)
                    raise fault.unavailable() from fault.__cause__
                log.info(
                    "Claude request failed (%s); try %d of %d in %.1f s",
                    fault.kind,
                    attempt + 1,
                    self.attempts,
                    wait,
                )
            await self._sleep(wait)

    async def _once(self, turn: Turn, system: list[TextBlockParam]) -> AsyncGenerator[CoachEvent, None]:
        """One request: its events, or a `_Fault` saying why it failed."""
        reading = _Reading()
        try:
            stream = await self._client.messages.create(
                model=self.model,
                max_tokens=turn.max_tokens,
                system=system,
                messages=cast(list[MessageParam], turn.messages),
                # No cache_control on the tools: the API caches the prefix tools → system, so the
                # breakpoint on the static system block already covers the tools before it.
                tools=cast(list[ToolUnionParam], turn.tools) if turn.tools else omit,
                tool_choice=cast(ToolChoiceParam, turn.tool_choice) if turn.tool_choice else omit,
                stream=True,
                timeout=self.timeout_s,
            )
            async with stream:
                async for raw in stream:
                    event = reading.read(raw)
                    if event is not None:
                        yield event
        except (anthropic.APIError, httpx2.HTTPError, ValueError) as exc:
            raise self._fault(exc) from exc
        if not reading.finished:
            raise _Fault(Kind.CUT, "Claude's reply stopped before it finished; try again.")
        yield reading.end()

    def _wait(self, fault: _Fault, attempt: int) -> float | None:
        """Seconds to wait before the next try, or None to give up."""
        if not fault.retryable or attempt >= self.attempts:
            return None
        if fault.retry_after is not None:
            return fault.retry_after if fault.retry_after <= MAX_RETRY_AFTER_S else None
        backoff = min(BACKOFF_CAP_S, BACKOFF_FIRST_S * 2 ** (attempt - 1))
        return backoff * random.uniform(0.5, 1.0)

    def _fault(self, exc: Exception) -> _Fault:
        if isinstance(exc, anthropic.APIStatusError):
            return self._status_fault(exc)
        if isinstance(exc, anthropic.APITimeoutError | httpx2.TimeoutException):
            return _Fault(
                Kind.TIMEOUT, f"Claude did not answer in time (waited {self.timeout_s:g} s); try again."
            )
        if isinstance(exc, anthropic.APIConnectionError | httpx2.TransportError):
            return _Fault(Kind.CONNECTION, f"Could not reach Claude: {_detail(exc)}.")
        return _Fault(Kind.REFUSED, "Claude's reply could not be read; try again.")

    def _status_fault(self, exc: anthropic.APIStatusError) -> _Fault:
        """An error status, or an `event: error` in the stream (status 200, the type says which)."""
        status, kind = exc.status_code, exc.type
        wait = _retry_after(exc.response.headers) if status != 200 else None
        message = exc.api_message or str(exc)
        if status == 529 or kind == "overloaded_error":
            return _Fault(
                Kind.OVERLOADED, "Claude is overloaded right now (529); try again in a minute.", wait
            )
        if status == 429 or kind == "rate_limit_error":
            when = f"in {math.ceil(wait)} s" if wait is not None else "in a minute"
            return _Fault(Kind.RATE_LIMITED, f"Claude's rate limit was reached; try again {when}.", wait)
        if status in TRANSIENT_STATUSES or kind == "api_error":
            code = status if status != 200 else kind
            return _Fault(Kind.SERVER, f"Claude had a server error ({code}); try again in a minute.", wait)
        return _Fault(Kind.REFUSED, self._refusal(status, message))

    def _refusal(self, status: int, message: str) -> str:
        """What a request the API will never accept as it is says to the person who runs RunCoach."""
        if status == 401:
            return "Claude refused the API key (401); check RUNCOACH_ANTHROPIC_API_KEY."
        if status == 403:
            return f"Claude refused the request (403: {message}); check that the key may use {self.model}."
        if status == 404:
            return (
                f"Claude answered 404 ({message}); check RUNCOACH_ANTHROPIC_MODEL ({self.model}) "
                "and RUNCOACH_ANTHROPIC_BASE_URL."
            )
        if status == 400:
            return f"Claude refused the request: {message}"
        return f"Claude refused the request ({status}): {message}"


@dataclass
class _ToolBlock:
    id: str
    name: str
    pieces: list[str] = field(default_factory=list)

    def call(self) -> ToolCall:
        """The call, with the input parsed strictly; the raw text when it is not a JSON object."""
        raw = "".join(self.pieces)
        if not raw.strip():
            return ToolCall(id=self.id, name=self.name, input={})
        try:
            parsed = json.loads(raw)
        except ValueError:
            return ToolCall(id=self.id, name=self.name, input=raw)
        return ToolCall(id=self.id, name=self.name, input=parsed if isinstance(parsed, dict) else raw)


class _Reading:
    """One streamed reply as it arrives: open tool blocks, usage so far, how it stopped."""

    def __init__(self) -> None:
        self.tools: dict[int, _ToolBlock] = {}
        self.usage = Usage()
        self.stop_reason: str | None = None
        self.finished = False

    def read(self, event: RawMessageStreamEvent) -> CoachEvent | None:
        """The coach event one raw event makes, if any."""
        if event.type == "message_start":
            usage = event.message.usage
            self.usage = Usage(
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                cache_read_tokens=usage.cache_read_input_tokens or 0,
                cache_write_tokens=usage.cache_creation_input_tokens or 0,
            )
        elif event.type == "content_block_start":
            block = event.content_block
            if block.type == "tool_use":
                self.tools[event.index] = _ToolBlock(block.id, block.name)
            elif block.type == "text" and block.text:
                return TextDelta(text=block.text)
        elif event.type == "content_block_delta":
            delta = event.delta
            if delta.type == "text_delta" and delta.text:
                return TextDelta(text=delta.text)
            if delta.type == "input_json_delta" and event.index in self.tools:
                self.tools[event.index].pieces.append(delta.partial_json)
        elif event.type == "content_block_stop":
            tool = self.tools.pop(event.index, None)
            return tool.call() if tool is not None else None
        elif event.type == "message_delta":
            self._delta(event.delta.stop_reason, event.usage)
        elif event.type == "message_stop":
            self.finished = True
        return None

    def _delta(self, stop_reason: str | None, usage: MessageDeltaUsage) -> None:
        """Counts on message_delta are cumulative; the optional ones, when absent, keep
        message_start's values."""
        self.stop_reason = stop_reason
        self.usage = Usage(
            input_tokens=_either(usage.input_tokens, self.usage.input_tokens),
            output_tokens=usage.output_tokens,
            cache_read_tokens=_either(usage.cache_read_input_tokens, self.usage.cache_read_tokens),
            cache_write_tokens=_either(usage.cache_creation_input_tokens, self.usage.cache_write_tokens),
        )

    def end(self) -> TurnEnd:
        return TurnEnd(stop_reason=self.stop_reason, usage=self.usage)


def _either(value: int | None, before: int) -> int:
    return before if value is None else value


def _system(turn: Turn) -> list[TextBlockParam]:
    """The static block, cached (the same for every runner and request), then the runner's
    context, not cached: it changes per runner and per reply, and a cache write costs more than
    reading it plainly. Empty blocks are left out: the API refuses empty text blocks."""
    blocks: list[TextBlockParam] = []
    if turn.system:
        blocks.append({"type": "text", "text": turn.system, "cache_control": {"type": "ephemeral"}})
    context = turn.context.text()
    if context:
        blocks.append({"type": "text", "text": context})
    return blocks


def _retry_after(headers: httpx2.Headers) -> float | None:
    """The server's wait in seconds: `retry-after-ms`, else `retry-after` (seconds or a date)."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / scale)
        except ValueError:
            pass
    date = email.utils.parsedate_tz(headers.get("retry-after") or "")
    return None if date is None else max(0.0, email.utils.mktime_tz(date) - time.time())


def _detail(exc: Exception) -> str:
    """The underlying reason of a connection failure ("All connection attempts failed")."""
    cause = exc.__cause__ if isinstance(exc, anthropic.APIConnectionError) and exc.__cause__ else exc
    return str(cause).rstrip(".") or type(cause).__name__
