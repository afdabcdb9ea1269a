"""The coach chat's vocabulary: messages, memories, proposals, the tools the model may call, what
it sees of the runner, and the events a coach backend streams.

Pure: standard library, pydantic and `runcoach.domain` only. Two backends speak this vocabulary:
Claude (`runcoach.coach.claude`, when a key is set) and the deterministic coach
(`runcoach.domain.coach_rules`, always available). The chat service (`runcoach.coach.chat`) runs
either the same way: it stores the runner's message before anything else, streams the backend's
text, turns its tool calls into proposals only after the rule checker passed them, and stores the
reply with its token use.

Decisions, in one place:

- The model never changes a plan. Its tools only *propose*; a proposal is a stored diff the runner
  applies or discards, and Apply runs the edits again on the plan as it is then.
- Tool input is data, never instructions: it is validated against the schemas below (pydantic),
  and the service fills in who the runner is. No tool takes a runner or plan id from the model
  except day ids (`wid`) and goal ids, which are looked up in the signed-in runner's own data.
- Short-term memory is the last `HISTORY_MESSAGES` messages that carry content (PlanWise's filter:
  failed replies, apologies, very short replies and old plan dumps are dropped before the limit).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from runcoach.domain.plan_edits import Edit, PlanDiff
from runcoach.domain.plan_model import Phase, WorkoutType
from runcoach.domain.plans import Methodology
from runcoach.domain.structure import StructuredWorkout

#: Messages sent with each request (short-term memory).
HISTORY_MESSAGES = 20
#: Longest message a runner may send, in characters.
MAX_MESSAGE_CHARS = 4000
#: Longest memory kept, in characters.
MAX_MEMORY_CHARS = 500
#: An assistant reply shorter than this (in characters) carries nothing worth resending.
SHORT_REPLY_CHARS = 12


class Role(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"


class MessageStatus(StrEnum):
    """A runner's message is always `complete`. A reply is `streaming` while it is written,
    `complete` when the model finished, `incomplete` when the stream was cut or the runner pressed
    Stop (the text so far is kept), `failed` when no reply came (the error says why; Retry)."""

    STREAMING = "streaming"
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"
    FAILED = "failed"


class Usage(BaseModel):
    """Tokens one reply used, as the API reports them (all zero for the deterministic coach)."""

    model_config = ConfigDict(frozen=True)

    input_tokens: int = Field(default=0, ge=0)
    output_tokens: int = Field(default=0, ge=0)
    cache_read_tokens: int = Field(default=0, ge=0)
    cache_write_tokens: int = Field(default=0, ge=0)

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_read_tokens=self.cache_read_tokens + other.cache_read_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
        )


class MemoryKind(StrEnum):
    WEEKLY = "weekly"
    INJURY = "injury"
    PREFERENCE = "preference"


MEMORY_TITLES = {
    MemoryKind.WEEKLY: "Weekly training",
    MemoryKind.INJURY: "Injuries and issues",
    MemoryKind.PREFERENCE: "Preferences",
}


class MemoryNote(BaseModel):
    """A memory as a summariser writes it (the `save_memories` tool's items)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: MemoryKind
    text: str = Field(min_length=1, max_length=MAX_MEMORY_CHARS)


class Memory(MemoryNote):
    """A stored long-term memory."""

    id: int
    created_at: datetime


class ProposalStatus(StrEnum):
    PENDING = "pending"
    APPLIED = "applied"
    DISCARDED = "discarded"


class ProposalKind(StrEnum):
    #: Edits of the active plan (move, swap, change, rest; adapt today becomes one of these).
    EDITS = "edits"
    #: A whole plan for a goal, drafted by the coach.
    PLAN = "plan"


class Proposal(BaseModel):
    """A change the coach proposed, checked by the rule checker before it was shown.

    `edits` (kind edits) are applied in order to the plan's current version on Apply; `draft`
    (kind plan) becomes the plan. `diff` is what the runner saw, against `base_version`.
    """

    model_config = ConfigDict(frozen=True)

    id: int
    message_id: int
    kind: ProposalKind
    plan_id: int | None
    base_version: int | None
    goal_id: int | None = None
    edits: tuple[Edit, ...] = ()
    draft: dict[str, object] | None = None
    reason: str
    summary: str
    diff: PlanDiff | None = None
    status: ProposalStatus
    version: int | None = None
    created_at: datetime


class ChatMessage(BaseModel):
    """One message of the conversation, with the proposals a reply carries."""

    model_config = ConfigDict(frozen=True)

    id: int
    role: Role
    text: str
    status: MessageStatus
    created_at: datetime
    usage: Usage = Usage()
    error: str | None = None
    proposals: tuple[Proposal, ...] = ()


# --------------------------------------------------------------------------- the tools


class ProposeChanges(BaseModel):
    """Input of the `propose_plan_changes` tool: edits of the active plan and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: str = Field(min_length=1, max_length=500, description="Why, in one sentence the runner reads")
    edits: list[Edit] = Field(min_length=1, max_length=10)


class AdaptToday(BaseModel):
    """Input of the `adapt_today` tool: fit one planned day to today's time and how the runner feels."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    wid: int = Field(ge=1, le=2**31 - 1)
    minutes_available: int | None = Field(default=None, ge=0, le=600)
    soreness: int | None = Field(default=None, ge=0, le=10)
    fatigue: int | None = Field(default=None, ge=1, le=5)
    sleep: int | None = Field(default=None, ge=1, le=5)


class DraftDay(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    weekday: int = Field(ge=0, le=6, description="0 Monday .. 6 Sunday")
    type: WorkoutType
    title: str = Field(min_length=1, max_length=80)
    hard: bool = False
    structure: StructuredWorkout | None = None


class DraftWeek(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    phase: Phase
    recovery: bool = False
    days: list[DraftDay] = Field(max_length=7)


class DraftPlan(BaseModel):
    """Input of the `draft_plan` tool: a whole plan for one of the runner's goals, week by week."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    goal_id: int = Field(ge=1, le=2**63 - 1)
    start_date: date
    methodology: Methodology
    reason: str = Field(min_length=1, max_length=500)
    weeks: list[DraftWeek] = Field(min_length=1, max_length=52)


class SaveMemories(BaseModel):
    """Input of the `save_memories` tool (the summariser's only tool)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    memories: list[MemoryNote] = Field(max_length=20)


TOOL_INPUTS: dict[str, type[BaseModel]] = {
    "propose_plan_changes": ProposeChanges,
    "adapt_today": AdaptToday,
    "draft_plan": DraftPlan,
}


# --------------------------------------------------------------------------- what the coach sees


class ContextDay(BaseModel):
    """A planned day as the coach sees it."""

    model_config = ConfigDict(frozen=True)

    wid: int
    date: date
    type: WorkoutType
    title: str
    hard: bool
    minutes: int
    km: float
    description: str


class ContextRun(BaseModel):
    """A recent run as the coach sees it."""

    model_config = ConfigDict(frozen=True)

    day: date
    name: str
    minutes: float
    km: float
    status: str


class CoachContext(BaseModel):
    """Everything the coach sees of the runner, built fresh for each reply (and shown in the
    chat's context panel). `text()` is the part of the system prompt that changes per runner."""

    model_config = ConfigDict(frozen=True)

    today: date
    name: str
    profile: str | None
    paces: tuple[str, ...] = ()
    goal: str | None = None
    goal_id: int | None = None
    feasibility: str | None = None
    plan_id: int | None = None
    plan_version: int | None = None
    days: tuple[ContextDay, ...] = ()
    week: str | None = None
    runs: tuple[ContextRun, ...] = ()
    readiness: str | None = None
    progress: tuple[str, ...] = ()
    memories: tuple[Memory, ...] = ()

    def text(self) -> str:
        """The runner's part of the system prompt, in plain lines the model reads."""
        lines = [f"Today is {self.today.strftime('%A')} {self.today.isoformat()}. Runner: {self.name}."]
        lines.append(f"Profile: {self.profile}" if self.profile else "Profile: not set up yet.")
        lines += [f"Pace {p}" for p in self.paces]
        lines.append(f"Goal (id {self.goal_id}): {self.goal}" if self.goal else "Goal: none yet.")
        if self.feasibility:
            lines.append(f"Goal feasibility: {self.feasibility}")
        if self.plan_id is None:
            lines.append("Plan: none active.")
        else:
            lines.append(f"Active plan {self.plan_id}, version {self.plan_version}. Next 14 days (wid: day):")
            lines += [_day_line(d) for d in self.days]
        if self.week:
            lines.append(f"This week: {self.week}")
        if self.runs:
            lines.append("Recent runs:")
            lines += [_run_line(r) for r in self.runs]
        if self.readiness:
            lines.append(f"Readiness: {self.readiness}")
        lines += [f"Progress: {p}" for p in self.progress]
        for kind in MemoryKind:
            notes = [m.text for m in self.memories if m.kind is kind]
            if notes:
                lines.append(f"Remembered ({MEMORY_TITLES[kind]}): " + " | ".join(notes))
        return "\n".join(lines)


def _run_line(run: ContextRun) -> str:
    return f"- {run.day.isoformat()} {run.name}: {run.minutes:.0f} min, {run.km:.1f} km, {run.status}"


def _day_line(day: ContextDay) -> str:
    if day.type is WorkoutType.REST:
        return f"- {day.wid}: {day.date.strftime('%a')} {day.date.isoformat()} rest"
    hard = ", hard" if day.hard else ""
    return (
        f"- {day.wid}: {day.date.strftime('%a')} {day.date.isoformat()} {day.type.value}{hard}: "
        f"{day.title}, {day.minutes} min, {day.km:.1f} km. {day.description}"
    )


# --------------------------------------------------------------------------- what a backend streams


class TextDelta(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["text"] = "text"
    text: str


class ToolCall(BaseModel):
    """The model asked for a tool; `input` is raw (validated by the service, never trusted)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["tool"] = "tool"
    id: str
    name: str
    input: object


class TurnEnd(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Literal["end"] = "end"
    stop_reason: str | None
    usage: Usage = Usage()


CoachEvent = TextDelta | ToolCall | TurnEnd


# --------------------------------------------------------------------------- history


APOLOGIES = ("sorry", "i apologi", "i apologize", "unfortunately i")


def history(messages: list[ChatMessage], limit: int = HISTORY_MESSAGES) -> list[ChatMessage]:
    """The messages to send with a request: the last `limit` that carry content, oldest first.

    Dropped first (PlanWise's filter): failed replies, replies that only apologise, very short
    replies. Roles then alternate as the Messages API requires: a runner message without an answer
    (failed, retried) is merged with the next one.
    """
    kept = [m for m in messages if _worth_sending(m)]
    merged: list[ChatMessage] = []
    for message in kept:
        if merged and merged[-1].role is message.role:
            last = merged[-1]
            merged[-1] = last.model_copy(update={"text": f"{last.text}\n\n{message.text}", "id": message.id})
        else:
            merged.append(message)
    tail = merged[-limit:]
    while tail and tail[0].role is Role.ASSISTANT:
        tail = tail[1:]
    return tail


def _worth_sending(message: ChatMessage) -> bool:
    if message.role is Role.USER:
        return bool(message.text.strip())
    if message.status is MessageStatus.FAILED or message.status is MessageStatus.STREAMING:
        return False
    text = message.text.strip()
    if len(text) < SHORT_REPLY_CHARS:
        return False
    return not text.lower().startswith(APOLOGIES)
