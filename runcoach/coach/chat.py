"""The coach chat: send a message, stream the reply, stop it, retry it; history, memories, usage.

One `Coach` per process. A reply is written by its own task (`Reply`), not by the page or request
that asked for it: the runner's message is stored first, the reply row is stored as `streaming`
and updated when it ends, so a closed tab, a second device or a dropped SSE connection never loses
either. Any number of listeners follow a reply (`Reply.events`): the page that sent it, a reloaded
page, the SSE stream. Stop cancels the task; the text so far is kept and marked incomplete.

A reply is up to `MAX_TURNS` model turns: text, tool calls (each checked and stored as a proposal
by `runcoach.coach.proposals`), the tool results back to the model, its answer. One repair after a
rule break and one more try after input that does not match the schema; then the tools are taken
away and the model must answer in words, and a refusal is said plainly.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from runcoach.clock import Clock
from runcoach.coach import context as coach_context
from runcoach.coach import proposals
from runcoach.coach.backend import Backend, CoachUnavailable, Turn
from runcoach.coach.memory import MAX_MEMORIES, MemoryJob
from runcoach.coach.prompt import METHODOLOGY, tools
from runcoach.db import coach as queries
from runcoach.db.engine import Database
from runcoach.domain.accounts import User
from runcoach.domain.coach import (
    HISTORY_MESSAGES,
    MAX_MESSAGE_CHARS,
    ChatMessage,
    CoachContext,
    Memory,
    MessageStatus,
    Proposal,
    Role,
    TextDelta,
    ToolCall,
    TurnEnd,
    Usage,
    history,
)
from runcoach.domain.errors import Conflict, InvalidInput, LimitReached, NotFound

log = logging.getLogger(__name__)

MAX_TURNS = 4
CONTEXTS_AT_ONCE = 2
#: Messages read to build the history sent (more than HISTORY_MESSAGES: the filter drops some).
HISTORY_READ = HISTORY_MESSAGES * 2
#: A reply still streaming after this long was orphaned by a stopped server (a reply's retries
#: and time-outs end well within it).
ORPHAN_AFTER = timedelta(minutes=15)
ORPHANED = "The server stopped while this reply was written."
BUSY = "The coach is still answering your last message: wait for it, or press Stop."
STOPPED = "Stopped before the reply was finished."
FAILED = "The coach could not answer: something went wrong on the server. Try again."
REFUSED = (
    "\n\n*The proposed change did not come out in a form the plan accepts, twice, so nothing was "
    "proposed. Ask again in other words, or change the plan on the Plan page.*"
)
NO_MORE = (
    "No more tries: tell the runner in words what you wanted to change and why it could not be proposed."
)


@dataclass(frozen=True)
class Delta:
    text: str


@dataclass(frozen=True)
class ProposalMade:
    proposal: Proposal


@dataclass(frozen=True)
class Finished:
    message: ChatMessage


ChatEvent = Delta | ProposalMade | Finished


@dataclass
class Reply:
    """A reply being written; `events()` follows it from the start, whenever a listener joins."""

    question: ChatMessage
    reply_id: int
    text: str = ""
    proposals: list[Proposal] = field(default_factory=list)
    done: ChatMessage | None = None
    #: Tokens the turns so far used (kept when a later turn fails: they were spent).
    usage: Usage = field(default_factory=Usage)
    task: asyncio.Task[None] | None = None
    _listeners: set[asyncio.Queue[ChatEvent]] = field(default_factory=set)

    def _emit(self, event: ChatEvent) -> None:
        match event:
            case Delta():
                self.text += event.text
            case ProposalMade():
                self.proposals.append(event.proposal)
            case Finished():
                self.done = event.message
        for queue in self._listeners:
            queue.put_nowait(event)

    async def events(self) -> AsyncIterator[ChatEvent]:
        """The text so far as one delta, the proposals so far, then each event as it comes, up to
        and including `Finished`."""
        queue: asyncio.Queue[ChatEvent] = asyncio.Queue()
        backlog: list[ChatEvent] = [Delta(self.text)] if self.text else []
        backlog += [ProposalMade(p) for p in self.proposals]
        if self.done is not None:
            backlog.append(Finished(self.done))
        else:
            self._listeners.add(queue)
        try:
            for event in backlog:
                yield event
            while self.done is None or not queue.empty():
                if isinstance(event := await queue.get(), Finished):
                    yield event
                    return
                yield event
        finally:
            self._listeners.discard(queue)

    def stop(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()

    async def wait(self) -> ChatMessage:
        """The reply as stored once it ended."""
        async for event in self.events():
            if isinstance(event, Finished):
                return event.message
        raise AssertionError("a reply always ends with Finished")


@dataclass(frozen=True)
class UsageReport:
    """Token use for Settings: today's and all-time replies and their tokens."""

    replies_today: int
    today: Usage
    replies_total: int
    total: Usage
    sent_today: int
    daily_limit: int


class Coach:
    """The chat service of this process (see the module's docstring)."""

    def __init__(
        self,
        database: Database,
        backend: Backend,
        clock: Clock,
        *,
        zone: tzinfo,
        daily_limit: int,
        max_tokens: int,
    ) -> None:
        self.database = database
        self.backend = backend
        self.clock = clock
        self.zone = zone
        self.daily_limit = daily_limit
        self.max_tokens = max_tokens
        self.memory = MemoryJob(database, backend)
        self._replies: dict[int, Reply] = {}
        self._starting: set[int] = set()
        self._jobs: set[asyncio.Task[Any]] = set()
        # Contexts built at once: fifty chats starting together take their turns instead of all
        # crowding the event loop's queue, where a live view's command would wait behind them.
        self._seeing = asyncio.Semaphore(CONTEXTS_AT_ONCE)

    # ----------------------------------------------------------------- sending

    async def send(self, user: User, text: str) -> Reply:
        """Store the runner's message and start the reply. InvalidInput for an empty or too long
        message; LimitReached past the daily limit; Conflict while a reply is being written."""
        text = _clean(text)
        return await self._begin(user, lambda: self._store_question(user, text))

    async def retry(self, user: User, message_id: int) -> Reply:
        """Answer the runner's last message again, in place of a failed or incomplete reply
        (`message_id` is that reply's, or the runner's message it answered)."""
        return await self._begin(user, lambda: self._store_retry(user, message_id))

    async def _begin(self, user: User, store: Callable[[], Awaitable[tuple[ChatMessage, int]]]) -> Reply:
        self._claim(user.id)
        # What the coach sees is read while the message is stored: neither waits for the other.
        seeing = asyncio.create_task(self.context(user))
        try:
            question, reply_id = await store()
        except BaseException:
            self._let_end(seeing)
            raise
        finally:
            self._starting.discard(user.id)
        return self._start(user, question, reply_id, seeing)

    def running(self, user_id: int) -> Reply | None:
        """The reply being written for the runner in this process, if any."""
        reply = self._replies.get(user_id)
        return reply if reply is not None and reply.done is None else None

    def stop(self, user_id: int) -> bool:
        reply = self.running(user_id)
        if reply is None:
            return False
        reply.stop()
        return True

    def _claim(self, user_id: int) -> None:
        # Synchronous check-and-set: twenty sends at once start one reply, the rest are told why.
        if self.running(user_id) is not None or user_id in self._starting:
            raise Conflict(BUSY)
        self._starting.add(user_id)

    async def _store_question(self, user: User, text: str) -> tuple[ChatMessage, int]:
        now = self.clock.now()
        async with self.database.session() as db:
            sent = await queries.count_sent_since(db, owner_id=user.id, since=self._midnight(now))
            if sent >= self.daily_limit:
                raise LimitReached(
                    f"You have sent the coach {sent} messages today, the daily limit; it resets at midnight."
                )
            question = await queries.add_message(
                db, owner_id=user.id, role=Role.USER, text=text, status=MessageStatus.COMPLETE, now=now
            )
            reply = await queries.add_message(
                db, owner_id=user.id, role=Role.ASSISTANT, text="", status=MessageStatus.STREAMING, now=now
            )
        return question, reply.id

    async def _store_retry(self, user: User, message_id: int) -> tuple[ChatMessage, int]:
        now = self.clock.now()
        async with self.database.session() as db:
            last = [self._orphan(m) for m in await queries.list_messages(db, owner_id=user.id, limit=2)]
            question, failed = _retryable(last, message_id)
            if failed is not None:
                await queries.delete_message(db, owner_id=user.id, message_id=failed.id)
            reply = await queries.add_message(
                db, owner_id=user.id, role=Role.ASSISTANT, text="", status=MessageStatus.STREAMING, now=now
            )
        return question, reply.id

    def _midnight(self, now: datetime) -> datetime:
        local = now.astimezone(self.zone).date()
        return datetime.combine(local, time(), self.zone).astimezone(UTC)

    def _start(
        self, user: User, question: ChatMessage, reply_id: int, seeing: asyncio.Task[CoachContext]
    ) -> Reply:
        reply = Reply(question=question, reply_id=reply_id)
        self._replies[user.id] = reply
        reply.task = asyncio.create_task(self._write(user, reply, seeing), name=f"coach-reply-{reply_id}")
        return reply

    # ----------------------------------------------------------------- writing a reply

    async def _write(self, user: User, reply: Reply, seeing: asyncio.Task[CoachContext]) -> None:
        status, error = MessageStatus.COMPLETE, None
        context: CoachContext | None = None
        try:
            context = await seeing
            await self._turns(user, reply, context)
        except CoachUnavailable as exc:
            status = MessageStatus.INCOMPLETE if reply.text else MessageStatus.FAILED
            error = str(exc)
        except asyncio.CancelledError:
            # Stop: the reply ends here, kept as far as it got (the task is ours; nothing awaits it).
            if (task := asyncio.current_task()) is not None:
                task.uncancel()
            status, error = MessageStatus.INCOMPLETE, STOPPED
        except Exception:
            log.exception("coach reply %s failed", reply.reply_id)
            status, error = MessageStatus.FAILED, FAILED
        # Shielded: a Stop that lands while the end is stored must not lose it.
        stored = await asyncio.shield(self._finish(user, reply, status, error, reply.usage))
        reply._emit(Finished(stored))
        if context is not None and status is MessageStatus.COMPLETE:
            self._remember(user, context)

    async def _turns(self, user: User, reply: Reply, context: CoachContext) -> None:
        messages = await self._history(user, reply)
        budget = _Budget()
        for number in range(MAX_TURNS):
            offer = budget.tools_left and number < MAX_TURNS - 1
            turn = Turn(
                system=METHODOLOGY,
                context=context,
                messages=messages,
                tools=tools() if offer else [],
                max_tokens=self.max_tokens,
            )
            said, calls = await self._one_turn(reply, turn, separate=number > 0)
            if not calls or not offer:  # a call of a tool not offered is not acted on
                break
            results = [await self._act(user, reply, call, budget) for call in calls]
            messages = [*messages, _assistant(said, calls), {"role": "user", "content": results}]
        if budget.refused:
            reply._emit(Delta(REFUSED))

    async def _one_turn(self, reply: Reply, turn: Turn, *, separate: bool) -> tuple[str, list[ToolCall]]:
        said = ""
        calls: list[ToolCall] = []
        async for event in self.backend.turn(turn):
            match event:
                case TextDelta():
                    if separate and not said and event.text.strip() and not _paragraph_ends(reply.text):
                        reply._emit(Delta("\n\n"))
                    said += event.text
                    reply._emit(Delta(event.text))
                case ToolCall():
                    calls.append(event)
                case TurnEnd():
                    reply.usage += event.usage
        return said, calls

    async def _act(self, user: User, reply: Reply, call: ToolCall, budget: _Budget) -> dict[str, Any]:
        if not budget.tools_left:
            return _result(call, {"ok": False, "error": NO_MORE}, is_error=True)
        outcome = await proposals.propose(
            self.database,
            user,
            call,
            message_id=reply.reply_id,
            today=self.today(),
            now=self.clock.now(),
        )
        if outcome.proposal is not None:
            reply._emit(ProposalMade(outcome.proposal))
        content = dict(outcome.content)
        if outcome.repairable and budget.spend("error" in content):
            content["note"] = NO_MORE
        return _result(call, content, is_error=outcome.is_error)

    async def _history(self, user: User, reply: Reply) -> list[dict[str, Any]]:
        async with self.database.session() as db:
            found = await queries.list_messages(
                db, owner_id=user.id, limit=HISTORY_READ, before_id=reply.reply_id
            )
        return [{"role": m.role.value, "content": m.text} for m in history(found)]

    async def _finish(
        self, user: User, reply: Reply, status: MessageStatus, error: str | None, usage: Usage
    ) -> ChatMessage:
        async with self.database.session() as db:
            await queries.finish_message(
                db,
                owner_id=user.id,
                message_id=reply.reply_id,
                text=reply.text,
                status=status,
                error=error,
                usage=usage,
            )
            stored = await queries.get_message(db, owner_id=user.id, message_id=reply.reply_id)
        if stored is None:  # reset meanwhile: the reply still ends, so nobody waits for it forever
            return ChatMessage(
                id=reply.reply_id,
                role=Role.ASSISTANT,
                text=reply.text,
                status=status,
                created_at=reply.question.created_at,
                usage=usage,
                error=error,
            )
        return stored.model_copy(update={"proposals": tuple(reply.proposals)})

    def _let_end(self, task: asyncio.Task[Any]) -> None:
        """A task nobody will await ends on its own (cancelled mid-query, a database connection is
        left half reset), kept until then so `idle` waits for it; its exception is retrieved."""
        self._jobs.add(task)
        task.add_done_callback(self._jobs.discard)
        task.add_done_callback(lambda done: done.cancelled() or done.exception())

    def _remember(self, user: User, context: CoachContext) -> None:
        task = asyncio.create_task(self._memory_job(user, context), name=f"coach-memory-{user.id}")
        self._jobs.add(task)
        task.add_done_callback(self._jobs.discard)

    async def _memory_job(self, user: User, context: CoachContext) -> None:
        try:
            await self.memory.run(user.id, today_context=context, now=self.clock.now())
        except CoachUnavailable as exc:  # expected now and then: the job runs again after the next reply
            log.warning("memory job for runner %s: %s", user.id, exc)
        except Exception:  # a bug: the chat goes on, the job runs again after the next reply
            log.exception("memory job for runner %s failed", user.id)

    async def idle(self) -> None:
        """Wait for every reply and memory job of this process to end (tests, shutdown)."""
        while pending := [r.task for r in self._replies.values() if r.task and not r.task.done()] + list(
            self._jobs
        ):
            await asyncio.gather(*pending, return_exceptions=True)

    async def close(self) -> None:
        for reply in self._replies.values():
            reply.stop()
        for job in self._jobs:
            job.cancel()
        await self.idle()

    # ----------------------------------------------------------------- reading

    def today(self) -> date:
        return self.clock.now().astimezone(self.zone).date()

    async def context(self, user: User) -> CoachContext:
        """What the coach sees of the runner now (also the page's panel)."""
        async with self._seeing:
            memories = await self.memories(user)
            return await coach_context.build(
                self.database,
                user,
                today=self.today(),
                zone=self.zone,
                now=self.clock.now(),
                memories=memories,
            )

    async def messages(
        self, user: User, *, limit: int = 50, before_id: int | None = None
    ) -> list[ChatMessage]:
        """The conversation, oldest first. A reply still `streaming` long after any reply could
        take (the server stopped while writing it) shows as incomplete, and can be retried."""
        async with self.database.session() as db:
            found = await queries.list_messages(db, owner_id=user.id, limit=limit, before_id=before_id)
        return [self._orphan(m) for m in found]

    def _orphan(self, message: ChatMessage) -> ChatMessage:
        if (
            message.status is not MessageStatus.STREAMING
            or self.clock.now() - message.created_at < ORPHAN_AFTER
        ):
            return message
        return message.model_copy(update={"status": MessageStatus.INCOMPLETE, "error": ORPHANED})

    async def memories(self, user: User) -> list[Memory]:
        async with self.database.session() as db:
            return await queries.list_memories(db, owner_id=user.id, limit=MAX_MEMORIES)

    async def forget(self, user: User, memory_id: int) -> None:
        async with self.database.session() as db:
            if not await queries.delete_memory(db, owner_id=user.id, memory_id=memory_id):
                raise NotFound(f"Memory {memory_id} not found")

    async def reset(self, user: User, *, memories: bool = True) -> tuple[int, int]:
        """Clear the runner's conversation (and its proposals) and, unless told not to, the
        memories: how many of each."""
        if (reply := self.running(user.id)) is not None:
            # Ended before the rows go: a reply stored after the reset would come back.
            reply.stop()
            await reply.wait()
        async with self.database.session() as db:
            messages = await queries.delete_messages(db, owner_id=user.id)
            forgotten = await queries.delete_memories(db, owner_id=user.id) if memories else 0
        return messages, forgotten

    async def usage(self, user: User) -> UsageReport:
        midnight = self._midnight(self.clock.now())
        async with self.database.session() as db:
            replies_today, today = await queries.usage_since(db, owner_id=user.id, since=midnight)
            replies_total, total = await queries.usage_since(db, owner_id=user.id, since=None)
            sent = await queries.count_sent_since(db, owner_id=user.id, since=midnight)
        return UsageReport(replies_today, today, replies_total, total, sent, self.daily_limit)


@dataclass
class _Budget:
    """One repair after a rule break, one more try after input that did not match the schema."""

    repairs: int = 0
    retries: int = 0
    refused: bool = False

    @property
    def tools_left(self) -> bool:
        return self.repairs <= 1 and self.retries <= 1

    def spend(self, schema_error: bool) -> bool:
        """Count one failed tool call; True when it was the last one allowed."""
        if schema_error:
            self.retries += 1
            self.refused = self.retries > 1
        else:
            self.repairs += 1
        return not self.tools_left


def _paragraph_ends(text: str) -> bool:
    """Nothing written yet, or the text ends a paragraph: the next turn's text follows as it is."""
    return not text or text.endswith("\n\n")


def _clean(text: str) -> str:
    text = text.replace("\x00", "").strip()
    if not text:
        raise InvalidInput("text", "Write a message to the coach first.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidInput(
            "text", f"A message is at most {MAX_MESSAGE_CHARS} characters; this one has {len(text)}."
        )
    return text


def _retryable(last: list[ChatMessage], message_id: int) -> tuple[ChatMessage, ChatMessage | None]:
    """The runner's last message and the reply that failed it, when `message_id` is one of them."""
    if last and last[-1].role is Role.USER and last[-1].id == message_id:
        return last[-1], None
    if len(last) == 2 and last[0].role is Role.USER and message_id in (last[0].id, last[1].id):
        if last[1].status in (MessageStatus.FAILED, MessageStatus.INCOMPLETE):
            return last[0], last[1]
        raise Conflict("That reply was complete: send a new message instead.")
    if any(m.id == message_id for m in last) or message_id < (last[-1].id if last else 0):
        # It may well exist: an older message is not retried, a newer one is said so.
        raise Conflict("Only the last message can be retried.")
    raise NotFound(f"Message {message_id} not found")


def _assistant(said: str, calls: list[ToolCall]) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [{"type": "text", "text": said}] if said.strip() else []
    blocks += [
        {
            "type": "tool_use",
            "id": c.id,
            "name": c.name,
            "input": c.input if isinstance(c.input, dict) else {},
        }
        for c in calls
    ]
    return {"role": "assistant", "content": blocks}


def _result(call: ToolCall, content: dict[str, Any], *, is_error: bool) -> dict[str, Any]:
    return {
        "type": "tool_result",
        "tool_use_id": call.id,
        "content": json.dumps(content, default=str),
        "is_error": is_error,
    }
