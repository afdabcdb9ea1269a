"""What a coach backend is: one model turn in, a stream of `CoachEvent`s out.

Two backends: Claude (`runcoach.coach.claude`) when a key is set, the deterministic coach
(`runcoach.coach.rules_backend`) otherwise. The chat service (`runcoach.coach.chat`) drives either
the same way and owns everything around the turn: storing messages, checking tool calls with the
rule checker, sending violations back once, and proposals.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from runcoach.domain.coach import CoachContext, CoachEvent
from runcoach.domain.errors import Unavailable


@dataclass(frozen=True)
class Turn:
    """One request to the model.

    `system` is the static part of the system prompt (methodology: the same for every runner and
    every request, so Claude caches it); `context` is the runner's part, rendered by
    `context.text()` after it. `messages` are in the Messages API's form (role and content, a
    string or content blocks, tool_use / tool_result blocks included); `tools` the tool
    definitions (name, description, input_schema); `tool_choice` forces one when set
    (`{"type": "tool", "name": ...}`).
    """

    system: str
    context: CoachContext
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: dict[str, Any] | None = None
    max_tokens: int = 1024


class CoachUnavailable(Unavailable):
    """The model did not answer (rate limited, overloaded, timed out, connection dropped, or the
    stream was cut). The sentence says which and that the runner can retry; `retry_after` is the
    seconds the service asked for, when it said."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Backend(Protocol):
    """A coach: `turn` streams text deltas and tool calls, then exactly one `TurnEnd`.

    Raises CoachUnavailable when the model fails; events already yielded stand (the service keeps
    the text so far and marks the reply incomplete).
    """

    #: Shown on the chat page: "Claude (model)" or "the built-in coach".
    label: str
    #: True for Claude: the page says the AI coach is on.
    is_ai: bool

    def turn(self, turn: Turn) -> AsyncIterator[CoachEvent]: ...
