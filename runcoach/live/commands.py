"""Command persistence: validate a command with the domain, append its event, retry lost races.

Two devices (or two replicas) may command one session at the same instant. Inside a process a
per-session lock queues them; across processes the unique (session_id, seq) lets exactly one
insert win, and the loser re-reads and decides again (usually: a conflict, "already paused").
A database that does not answer is not a race: it is Unavailable at once, never "busy".
"""

from __future__ import annotations

import logging
from dataclasses import replace

from sqlalchemy.exc import SQLAlchemyError

from runcoach.clock import Clock
from runcoach.db import sessions as queries
from runcoach.db.engine import Database
from runcoach.db.errors import is_lost_race
from runcoach.domain.errors import NotFound, Unavailable
from runcoach.domain.session import Command, CommandConflict, RunSession, decide
from runcoach.live.channels import Announce, InProcessNotifier
from runcoach.live.locks import KeyedLocks

log = logging.getLogger(__name__)

COMMAND_ATTEMPTS = 3
STALE = "The session changed on another screen a moment ago; look again"
BUSY = "The session is busy with commands from another screen; try again"
NOT_SAVED = "The database is not answering, so this tap was not saved. Try again in a moment."


class CommandLog:
    """Appends commands to sessions' event logs, one at a time per session in this process."""

    def __init__(self, db: Database, clock: Clock, *, announce: Announce | None = None) -> None:
        self.db = db
        self.clock = clock
        self.locks = KeyedLocks()
        #: Tells the other replicas of each event inside the transaction that appends it.
        self.announce = announce or InProcessNotifier().within

    async def append(
        self, session_id: int, command: Command, *, owner_id: int | None, if_seq: int | None = None
    ) -> RunSession:
        """The session with the command's event appended.

        NotFound (unknown or foreign), CommandConflict (does not fit the state, stale `if_seq`,
        or lost every race), Unavailable (the database is down: nothing was saved).
        """
        async with self.locks.hold(session_id):
            for attempt in range(1, COMMAND_ATTEMPTS + 1):
                try:
                    return await self._try(session_id, command, owner_id=owner_id, if_seq=if_seq)
                except SQLAlchemyError as exc:
                    if not is_lost_race(exc):
                        raise
                    # Another process took this seq first (or held SQLite's write lock): read, decide again.
                    log.info("%s on session %s lost race %d: %s", command, session_id, attempt, exc)
        raise CommandConflict(BUSY)

    async def _try(
        self, session_id: int, command: Command, *, owner_id: int | None, if_seq: int | None
    ) -> RunSession:
        try:
            async with self.db.session() as db:
                session = await queries.get_session(db, session_id=session_id, owner_id=owner_id)
                if session is None:
                    raise NotFound(f"Session {session_id} not found")
                if if_seq is not None and if_seq != session.last_seq:
                    raise CommandConflict(STALE)
                now = self.clock.now()
                kind = decide(session.state(now), command)
                event = await queries.append_event(
                    db, session_id=session_id, seq=session.last_seq + 1, kind=kind, at=now
                )
                await self.announce(db, session_id, event.seq)
        except Unavailable as exc:  # say what it means for the tap
            raise Unavailable(NOT_SAVED) from exc
        return replace(session, events=(*session.events, event))
