"""The memory job: older conversation summarised into long-term memories.

The newest `HISTORY_MESSAGES` messages go with every request as they are; what is older than that
and not read yet is summarised once at least `BATCH` messages wait: by Claude through the forced
`save_memories` tool when a key is set, by `runcoach.domain.memory` otherwise. The messages read
are marked in the transaction that stores the notes, so a job run twice (two replies ending at
once, a restart) never keeps a note twice; one job per runner at a time in this process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime

from pydantic import ValidationError

from runcoach.coach.backend import Backend, CoachUnavailable, Turn
from runcoach.coach.prompt import SUMMARISER, memory_tool
from runcoach.db import coach as queries
from runcoach.db.engine import Database
from runcoach.domain.coach import (
    HISTORY_MESSAGES,
    ChatMessage,
    CoachContext,
    Memory,
    MemoryNote,
    SaveMemories,
    ToolCall,
)
from runcoach.domain.memory import notes_from

log = logging.getLogger(__name__)

#: Unread older messages that make a job worth running.
BATCH = 10
#: Messages one job reads at most.
MAX_READ = 200
#: Memories a runner keeps at most (the context panel and the prompt show them all).
MAX_MEMORIES = 100


class MemoryJob:
    """Runs the summariser for a runner, once at a time per runner."""

    def __init__(self, database: Database, backend: Backend) -> None:
        self.database = database
        self.backend = backend
        self._locks: dict[int, asyncio.Lock] = {}

    async def run(self, user_id: int, *, today_context: CoachContext, now: datetime) -> list[Memory]:
        """Summarise what waits; the new memories (none when fewer than BATCH messages wait)."""
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        async with lock:
            return await self._run(user_id, today_context, now)

    async def _run(self, user_id: int, context: CoachContext, now: datetime) -> list[Memory]:
        async with self.database.session() as db:
            waiting = await queries.unsummarised(db, owner_id=user_id, keep=HISTORY_MESSAGES, limit=MAX_READ)
            existing = await queries.list_memories(db, owner_id=user_id, limit=MAX_MEMORIES)
        if len(waiting) < BATCH:
            return []
        notes = await self._notes(waiting, existing, context)
        room = max(0, MAX_MEMORIES - len(existing))
        async with self.database.session() as db:
            # Marked first: messages the runner deleted (reset) while the model read them leave no
            # memories behind, or "forget everything" would be undone by a job already running.
            marked = await queries.mark_summarised(
                db, owner_id=user_id, from_id=waiting[0].id, through_id=waiting[-1].id
            )
            if marked < len(waiting):
                log.info("memory job for runner %s: the conversation was cleared meanwhile", user_id)
                return []
            made = await queries.add_memories(db, owner_id=user_id, notes=notes[:room], now=now)
        log.info(
            "memory job for runner %s: %d messages read, %d memories kept", user_id, len(waiting), len(made)
        )
        return made

    async def _notes(
        self, waiting: Sequence[ChatMessage], existing: Sequence[Memory], context: CoachContext
    ) -> list[MemoryNote]:
        if not self.backend.is_ai:
            return notes_from(waiting, existing)
        return await self._model_notes(waiting, existing, context)

    async def _model_notes(
        self, waiting: Sequence[ChatMessage], existing: Sequence[Memory], context: CoachContext
    ) -> list[MemoryNote]:
        turn = Turn(
            system=SUMMARISER,
            context=context,
            messages=[{"role": "user", "content": _transcript(waiting, existing)}],
            tools=[memory_tool()],
            tool_choice={"type": "tool", "name": "save_memories"},
            max_tokens=1024,
        )
        for _ in range(2):  # output that does not match the schema is asked for once more
            call = await self._call(turn)
            try:
                return list(SaveMemories.model_validate(call.input if call else None).memories)
            except ValidationError:
                log.info("memory job: the model's notes did not match the schema")
        raise CoachUnavailable("The coach's notes did not match their form twice; they will be tried later.")

    async def _call(self, turn: Turn) -> ToolCall | None:
        async for event in self.backend.turn(turn):
            if isinstance(event, ToolCall):
                return event
        return None


def _transcript(waiting: Sequence[ChatMessage], existing: Sequence[Memory]) -> str:
    notes = "\n".join(f"- ({m.kind.value}) {m.text}" for m in existing) or "(none)"
    lines = "\n".join(f"[{m.created_at.date().isoformat()}] {m.role.value}: {m.text}" for m in waiting)
    return f"Existing notes:\n{notes}\n\nConversation:\n{lines}"
