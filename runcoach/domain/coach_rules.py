"""The deterministic coach: the built-in coach that works with no API key.

Pure: standard library, pydantic and `runcoach.domain` only; same inputs, same output. The chat
service drives it through `runcoach.coach.rules_backend.RulesBackend` exactly as it drives Claude:
its proposals are the same tool calls (`adapt_today`, `propose_plan_changes`), checked by the same
rule checker, and a refusal comes back as a tool result the coach answers.

Three steps, three modules: `coach_words` reads the words (days, kinds of session, minutes, how
the runner feels), `coach_intents.recognise` decides what a message asks, `coach_answers.answer`
says it and picks the tool call. This module is the conversation: `reply` answers the runner's
last message or the result of the coach's own tool call; `respond` is one message, no history.

Decisions, in one place:

- After a violation the coach repairs once, with the checker's alternative, and only for
  `propose_plan_changes` (Adapt today already tries its lighter options itself); the reason of
  the first call is kept. A second failure, or one without an alternative, is explained and
  nothing changes. An input error is an apology: the coach got it wrong, not the runner.
- The runner's last message is read with the one before it, for two things only: an answer to
  the coach's own question ("Which day should it move to?" "Sunday") is read together with the
  message that raised it, and "it" or "that" stands for the day the previous message named. A
  longer history is not the deterministic coach's to interpret.
- Tool call ids are `rules-<n>`, n counting the tool calls already in the conversation, so they
  are unique within it and the same for the same conversation.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, assert_never

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from runcoach.domain.coach import CoachContext, TextDelta, ToolCall
from runcoach.domain.coach_answers import (
    ADAPT_TODAY,
    APPLY,
    CHECKING,
    PROPOSE,
    TOOL_ID_PREFIX,
    ReplyEvent,
    answer,
    changes,
    propose,
    say,
)
from runcoach.domain.coach_intents import DayRef, Intent, Recognised, find_day, recognise
from runcoach.domain.coach_words import tokens
from runcoach.domain.plan_edits import Change, Edit, Move, Rest, Swap
from runcoach.domain.rules import weekday_date

__all__ = [
    "ADAPT_TODAY",
    "PROPOSE",
    "DayRef",
    "Intent",
    "Recognised",
    "ReplyEvent",
    "ToolOutcome",
    "answer",
    "find_day",
    "read",
    "recognise",
    "reply",
    "respond",
    "tool_outcome",
]


# --------------------------------------------------------------------------- the conversation

#: Longest answer to the coach's question read together with the question ("the 14th, please").
MAX_ANSWER_WORDS = 6


def reply(
    messages: Sequence[Mapping[str, Any]], context: CoachContext, *, tools: Collection[str] | None = None
) -> list[ReplyEvent]:
    """The coach's turn: an answer to the runner's last message, or the follow-up to a tool result.

    `messages` are in the Messages API's form; the last is the user's (text, or `tool_result`
    blocks). `tools` names the tools offered (None: all); a call of another is left out and the
    text says nothing changed.
    """
    last = messages[-1] if messages else {}
    results = _blocks(last, "tool_result")
    if results:
        events = _after_tool(messages, results[-1], context)
    else:
        events = answer(read(messages, context), context, tool_id=_next_id(messages))
    return _offered(events, tools)


def respond(text: str, context: CoachContext) -> list[ReplyEvent]:
    """The coach's answer to one message with no history (handy for scripts and evaluations)."""
    return reply([{"role": "user", "content": text}], context)


def read(messages: Sequence[Mapping[str, Any]], context: CoachContext) -> Recognised:
    """The runner's last message, read with the one before it.

    An answer to the coach's own question ("Which day should it move to?" "Sunday") is read
    together with the message that raised it ("move my long run" + " to " + "Sunday"); "it" and
    "that" stand for the day the previous message named ("what's Saturday's long run?" then
    "move it to Sunday").
    """
    text = _text(messages[-1]) if messages else ""
    previous = _previous_text(messages)
    if previous is None:
        return recognise(text, context)
    before = recognise(previous, context)
    now = recognise(text, context, it=before.asked)
    joiner = _open_question(before)
    if joiner is not None and _answers(now, before, text):
        return recognise(f"{previous}{joiner}{text}", context)
    return now


def _previous_text(messages: Sequence[Mapping[str, Any]]) -> str | None:
    earlier = [m for m in messages[:-1] if m.get("role") == "user" and not _blocks(m, "tool_result")]
    return _text(earlier[-1]) if earlier else None


def _open_question(rec: Recognised) -> str | None:
    """The word that joins an answer to a message the coach asked about, when it asked."""
    match rec.intent:
        case Intent.MOVE if rec.day is not None and rec.to is None:
            return " to "
        case Intent.SWAP if rec.day is not None and rec.other_asked is None:
            return " with "
        case Intent.SHORT_ON_TIME if rec.minutes is None:
            return ", "
        case Intent.TRAVEL if not rec.away:
            return " "
        case _:
            return None


def _answers(now: Recognised, before: Recognised, text: str) -> bool:
    """A short message that asks nothing else: "Sunday", "Saturday's easy run", "30 minutes"."""
    bare = now.intent in (Intent.EXPLAIN_WORKOUT, Intent.HELP) or now.intent is before.intent
    return bare and len(tokens(text)) <= MAX_ANSWER_WORDS


def _blocks(message: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    content = message.get("content")
    if not isinstance(content, list):
        return []
    return [b for b in content if isinstance(b, Mapping) and b.get("type") == kind]


def _text(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    return " ".join(str(b.get("text", "")) for b in _blocks(message, "text"))


def _next_id(messages: Sequence[Mapping[str, Any]]) -> str:
    used = sum(len(_blocks(m, "tool_use")) for m in messages if m.get("role") == "assistant")
    return f"{TOOL_ID_PREFIX}{used + 1}"


# --------------------------------------------------------------------------- after a tool result


class ToolOutcome(BaseModel):
    """A tool result as the chat service writes it (JSON): a proposal made, the rules' violations
    with the nearest valid edit, or an input error."""

    model_config = ConfigDict(frozen=True)

    ok: bool = False
    #: Adapt today kept the day: there is no proposal to apply.
    kept: bool = False
    proposal_id: int | None = None
    summary: str | None = None
    violations: list[str] = []
    alternative: dict[str, Any] | None = None
    message: str | None = None
    error: str | None = None


_EDIT: Final = TypeAdapter[Edit](Edit)
NOTHING_TO_APPLY = "Your plan stays as it is, so there is nothing to apply."
SKIP_IS_FINE = (
    "If it hurts or you are worn out, skipping the run is always fine: the calendar will show it "
    "as missed, and one missed day costs you nothing."
)
#: From this soreness (of 10) or fatigue (of 5) on, the coach says skipping is fine.
SORE_ENOUGH = 5
TIRED_ENOUGH = 4


@dataclass(frozen=True)
class _Used:
    """A tool call the coach made earlier in the conversation."""

    name: str
    input: Mapping[str, Any]


def _after_tool(
    messages: Sequence[Mapping[str, Any]], result: Mapping[str, Any], context: CoachContext
) -> list[ReplyEvent]:
    outcome = tool_outcome(result)
    if outcome.ok and outcome.kept:
        return say(_kept(outcome, _tool_use(messages, str(result.get("tool_use_id", "")))))
    if outcome.ok:
        summary = (outcome.summary or "").strip().rstrip(".")
        return say(f"{summary}. {APPLY}" if summary else APPLY)
    if outcome.error is not None and not outcome.violations:
        return say(
            f"Sorry, I got that change wrong: {_sentence(outcome.error)} Nothing in your plan has changed."
        )
    used = _tool_use(messages, str(result.get("tool_use_id", "")))
    alternative = _alternative(outcome)
    if used is not None and used.name == PROPOSE and alternative is not None and _failures(messages) < 2:
        return _repair(used, alternative, outcome, context, _next_id(messages))
    return say(_refused(outcome))


def _kept(outcome: ToolOutcome, used: _Used | None) -> str:
    """Adapt today kept the day: why, that there is nothing to apply, and, for a runner who said
    they hurt or are worn out, that not running is always theirs to choose (the plan's rules
    cannot ease a week that would then break them, but they never make anyone run sore)."""
    why = _sentence(outcome.message or "The day stays as planned.")
    said = used.input if used is not None else {}
    worn = (said.get("soreness") or 0) >= SORE_ENOUGH or (said.get("fatigue") or 0) >= TIRED_ENOUGH
    return f"{why} {NOTHING_TO_APPLY}" + (f" {SKIP_IS_FINE}" if worn else "")


def tool_outcome(result: Mapping[str, Any]) -> ToolOutcome:
    """A `tool_result` block's content read as the service's JSON; anything else is an error."""
    content = result.get("content", "")
    if isinstance(content, list):
        content = "".join(str(b.get("text", "")) for b in content if isinstance(b, Mapping))
    try:
        return ToolOutcome.model_validate(json.loads(str(content)))
    except (ValueError, ValidationError):
        return ToolOutcome(error=str(content) or "the change could not be read.")


def _tool_use(messages: Sequence[Mapping[str, Any]], tool_id: str) -> _Used | None:
    for message in reversed(messages):
        for block in _blocks(message, "tool_use"):
            if block.get("id") == tool_id and isinstance(block.get("input"), Mapping):
                return _Used(name=str(block.get("name")), input=block["input"])
    return None


def _failures(messages: Sequence[Mapping[str, Any]]) -> int:
    """Tool results since the runner last wrote: the service allows one repair after the first."""
    count = 0
    for message in reversed(messages):
        results = _blocks(message, "tool_result") if message.get("role") == "user" else []
        if message.get("role") == "user" and not results:
            break
        count += len(results)
    return count


def _alternative(outcome: ToolOutcome) -> Edit | None:
    if outcome.alternative is None:
        return None
    try:
        return _EDIT.validate_python(outcome.alternative)
    except ValidationError:
        return None


def _repair(
    used: _Used, edit: Edit, outcome: ToolOutcome, context: CoachContext, tool_id: str
) -> list[ReplyEvent]:
    reason = str(used.input.get("reason") or "The nearest change that keeps within your plan's rules.")
    rule = (
        outcome.violations[0] if outcome.violations else (outcome.message or "it breaks a rule of the plan.")
    )
    text = f"That would break a rule of your plan: {_sentence(rule)} {_alternative_words(edit, context)}"
    return propose(text, changes(tool_id, reason, edit))


def _alternative_words(edit: Edit, context: CoachContext) -> str:
    day = next((d for d in context.days if d.wid == edit.wid), None)
    title = f"**{day.title}**" if day is not None else "the workout"
    match edit:
        case Move():
            day_words = weekday_date(edit.to)
            return f"The nearest day that works is {day_words}, so I'm proposing {title} there instead."
        case Change(minutes=int() as minutes):
            return f"{title} at {minutes} minutes keeps within the rules, so I'm proposing that instead."
        case Change() | Swap() | Rest():
            return "I'm proposing the nearest change that keeps within the rules instead."
        case _:
            assert_never(edit)


def _refused(outcome: ToolOutcome) -> str:
    if not outcome.violations:
        why = f" {_sentence(outcome.message)}" if outcome.message else ""
        return f"That change didn't go through, so nothing in your plan has changed.{why}"
    rules = "\n".join(f"- {_sentence(v)}" for v in outcome.violations)
    more = f"\n\n{_sentence(outcome.message)}" if outcome.message else ""
    return (
        f"That change would break the rules of your plan, so nothing has changed:\n\n{rules}{more}\n\n"
        "Ask me for another day or another change if you like."
    )


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _offered(events: list[ReplyEvent], tools: Collection[str] | None) -> list[ReplyEvent]:
    """Leave out a call of a tool the service did not offer, and say so."""
    if tools is None or all(not isinstance(e, ToolCall) or e.name in tools for e in events):
        return events
    text = "".join(e.text for e in events if isinstance(e, TextDelta)).strip().removesuffix(CHECKING)
    return say(f"{text.rstrip()} I can't propose changes to your plan just now, so nothing has changed.")
