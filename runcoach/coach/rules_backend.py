"""The built-in coach as a `Backend`: the deterministic coach (`runcoach.domain.coach_rules`)
streamed the way Claude streams, so the chat service and the pages treat both alike.

Thin on purpose: the reply is computed by the domain in one go, then streamed word by word
(`TextDelta`s whose concatenation is the text), then the tool call if there is one, then one
`TurnEnd` with zero usage. It never fails, so it never raises `CoachUnavailable`.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from runcoach.coach.backend import Turn
from runcoach.domain.coach import CoachEvent, TextDelta, ToolCall, TurnEnd, Usage
from runcoach.domain.coach_rules import reply

#: A word and the spaces after it: the pieces put back together are the text exactly.
_WORD = re.compile(r"\s*\S+\s*")


class RulesBackend:
    """The deterministic coach, always available (no key, no network)."""

    label = "the built-in coach"
    is_ai = False

    async def turn(self, turn: Turn) -> AsyncIterator[CoachEvent]:
        """Stream the coach's reply to `turn`: text deltas, the tool call if any, then `TurnEnd`."""
        # Only the tools offered: the chat service offers none once a reply's tries are spent.
        offered = {str(tool.get("name")) for tool in turn.tools}
        events = reply(turn.messages, turn.context, tools=offered)
        called = False
        for event in events:
            if isinstance(event, ToolCall):
                called = True
                yield event
            else:
                for word in words(event.text):
                    yield TextDelta(text=word)
        yield TurnEnd(stop_reason="tool_use" if called else "end_turn", usage=Usage())


def words(text: str) -> list[str]:
    """The text cut into word-sized pieces, spaces kept, so `"".join(words(t)) == t`."""
    return _WORD.findall(text) or ([text] if text else [])
