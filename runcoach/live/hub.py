"""The session hub: commands -> events -> fan-out, and the one ticker of the process.

Pages and API routes send commands here. Each command is validated by the domain against the
folded state and appended in one transaction with a unique (session_id, seq), then the new
state goes to every view of that session at once. The ticker wakes at the next segment boundary
or heartbeat and pushes; views interpolate the clock in between.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError, OperationalError

from runcoach.clock import Clock
from runcoach.db import sessions as queries
from runcoach.db import workouts as workout_queries
from runcoach.db.engine import Database
from runcoach.domain.errors import NotFound
from runcoach.domain.session import (
    Command,
    CommandConflict,
    RunSession,
    SessionState,
    clean_pair_code,
    decide,
    seconds_to_boundary,
)

log = logging.getLogger(__name__)

PAIR_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a tablet from two metres
PAIR_CODE_LENGTH = 8  # 31**8 ~ 8.5e11 codes: guessing a live one within its 12 hours is hopeless
HEARTBEAT_S = 5.0
#: Wake a hair after a boundary, so the fold already shows the next segment.
BOUNDARY_SLACK_S = 0.005
COMMAND_ATTEMPTS = 3
#: Pushes between yields to the event loop, so a burst of heartbeats does not hold up commands.
PUSH_BATCH = 25

Listener = Callable[[RunSession, SessionState], None]


class Broadcaster(Protocol):
    """Sends one state payload to every connected view of a session (e.g. a socket.io room)."""

    async def broadcast(self, session_id: int, payload: dict[str, Any]) -> None: ...


class NoBroadcast:
    async def broadcast(self, session_id: int, payload: dict[str, Any]) -> None:
        return None


def payload(session: RunSession, state: SessionState) -> dict[str, Any]:
    """The JSON snapshot views interpolate from (the clock runs on in the browser while running)."""
    return {
        "id": session.id,
        "seq": session.last_seq,
        "status": state.status.value,
        "elapsed_s": round(state.elapsed_s, 3),
        "segment_index": state.segment_index,
        "segment_elapsed_s": round(state.segment_elapsed_s, 3),
        "segment_remaining_s": round(state.segment_remaining_s, 3),
        "segment_count": state.segment_count,
        "total_duration_s": state.total_duration_s,
        "server_ms": int(state.as_of.timestamp() * 1000),
    }


def discrete_key(session: RunSession, state: SessionState) -> tuple[str, int, int]:
    """What changes a view's labels: status, segment, or a new event (time alone does not)."""
    return (state.status.value, state.segment_index, session.last_seq)


@dataclass
class _Live:
    session: RunSession
    listeners: set[Listener] = field(default_factory=set)
    key: tuple[str, int, int] | None = None
    due_at: datetime | None = None  # next boundary or heartbeat; None: push at the next tick


class Hub:
    """One per process. Holds the sessions that have viewers and pushes their state."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        broadcaster: Broadcaster | None = None,
        heartbeat_s: float = HEARTBEAT_S,
    ) -> None:
        self.db = db
        self.clock = clock
        self.broadcaster: Broadcaster = broadcaster or NoBroadcast()
        self.heartbeat_s = heartbeat_s
        self._live: dict[int, _Live] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._wake = asyncio.Event()
        self._ticking = False

    # --- sessions -------------------------------------------------------------------------------

    async def create_session(self, *, workout_id: int, owner_id: int) -> RunSession:
        """A new session playing that workout (NotFound for an unknown or foreign workout)."""
        for _ in range(COMMAND_ATTEMPTS):  # a pair code collision is astronomically rare; retry anyway
            try:
                async with self.db.session() as db:
                    workout = await workout_queries.get_workout(db, workout_id=workout_id, owner_id=owner_id)
                    if workout is None:
                        raise NotFound(f"Workout {workout_id} not found")
                    return await queries.add_session(
                        db, workout=workout, pair_code=new_pair_code(), now=self.now()
                    )
            except IntegrityError:
                continue
        raise RuntimeError("could not draw a unique pairing code")

    async def get(self, session_id: int, *, owner_id: int | None) -> RunSession:
        """The session from the database; NotFound when unknown or (with owner_id) foreign."""
        async with self.db.session() as db:
            session = await queries.get_session(db, session_id=session_id, owner_id=owner_id)
        if session is None:
            raise NotFound(f"Session {session_id} not found")
        return session

    async def by_pair_code(self, code: str) -> RunSession:
        """The session a pairing code controls, while the pairing is open; NotFound otherwise."""
        async with self.db.session() as db:
            session = await queries.find_by_pair_code(db, pair_code=clean_pair_code(code))
        if session is None or not session.pairing_open(self.now()):
            raise NotFound("This pairing code is not valid (sessions pair for 12 hours, until they end)")
        return session

    async def list(self, *, owner_id: int) -> list[RunSession]:
        async with self.db.session() as db:
            return await queries.list_sessions(db, owner_id=owner_id)

    def now(self) -> datetime:
        return self.clock.now()

    # --- commands -------------------------------------------------------------------------------

    async def command(
        self, session_id: int, command: Command, *, owner_id: int | None, if_seq: int | None = None
    ) -> tuple[RunSession, SessionState]:
        """Validate, persist and fan out one command. CommandConflict, NotFound as the case may be.

        `if_seq` is the last event the sender saw: if another device changed the session since,
        the command is a conflict rather than a second skip nobody meant.
        """
        async with self._locks.setdefault(session_id, asyncio.Lock()):
            session = await self._append(session_id, command, owner_id=owner_id, if_seq=if_seq)
        state = session.state(self.now())
        await self.publish(session, state)
        return session, state

    async def _append(
        self, session_id: int, command: Command, *, owner_id: int | None, if_seq: int | None
    ) -> RunSession:
        for attempt in range(COMMAND_ATTEMPTS):
            try:
                async with self.db.session() as db:
                    session = await queries.get_session(db, session_id=session_id, owner_id=owner_id)
                    if session is None:
                        raise NotFound(f"Session {session_id} not found")
                    if if_seq is not None and if_seq != session.last_seq:
                        raise CommandConflict(
                            "The session changed on another screen a moment ago; look again"
                        )
                    now = self.now()
                    kind = decide(session.state(now), command)
                    event = await queries.append_event(
                        db, session_id=session_id, seq=session.last_seq + 1, kind=kind, at=now
                    )
                return replace(session, events=(*session.events, event))
            except (IntegrityError, OperationalError) as exc:
                # Another process took this seq first (or held SQLite's write lock): re-read, decide again.
                log.info(
                    "command %s on session %s lost a race (attempt %d): %s",
                    command,
                    session_id,
                    attempt + 1,
                    exc,
                )
        raise CommandConflict("The session is busy with commands from another screen; try again")

    # --- views ----------------------------------------------------------------------------------

    async def watch(self, session_id: int, listener: Listener, *, owner_id: int | None) -> Callable[[], None]:
        """Call `listener` whenever the session's status, segment or events change; returns unwatch."""
        live = self._live.get(session_id)
        if live is None:
            loaded = await self.get(session_id, owner_id=owner_id)
            # Several views may open at once: after the await, join whichever entry won.
            live = self._live.setdefault(session_id, _Live(session=loaded))
            if live.session is loaded:
                self._wake.set()  # a new entry is due at once
        if owner_id is not None and live.session.owner_id != owner_id:
            raise NotFound(f"Session {session_id} not found")
        live.listeners.add(listener)

        def unwatch() -> None:
            live.listeners.discard(listener)
            if not live.listeners and self._live.get(session_id) is live:
                del self._live[session_id]

        return unwatch

    async def publish(self, session: RunSession, state: SessionState | None = None) -> None:
        """A session changed (here, or on another replica): update the cache and push now.

        Only watched sessions have views in this process, so an unwatched one needs no push.
        """
        live = self._live.get(session.id)
        if live is None:
            return
        live.session = session
        await self._push(live, state or session.state(self.now()))
        self._wake.set()

    async def _push(self, live: _Live, state: SessionState) -> None:
        key = discrete_key(live.session, state)
        if key != live.key:
            live.key = key
            for listener in list(live.listeners):
                try:
                    listener(live.session, state)
                except Exception:  # one broken view must not stop the others
                    log.exception("session view failed")
        live.due_at = state.as_of + timedelta(seconds=self._next_push_in(state))
        await self.broadcaster.broadcast(live.session.id, payload(live.session, state))

    def _next_push_in(self, state: SessionState) -> float:
        boundary = seconds_to_boundary(state)
        return self.heartbeat_s if boundary is None else min(self.heartbeat_s, boundary + BOUNDARY_SLACK_S)

    # --- the ticker -----------------------------------------------------------------------------

    async def tick(self) -> float:
        """Push the watched sessions that are due (a boundary crossed or a heartbeat).

        Only due sessions are folded: a fold costs tens of microseconds, and the ticker wakes
        many times a second with a thousand views. Returns seconds until the next one is due.
        """
        now = self.now()
        due = [live for live in self._live.values() if live.due_at is None or live.due_at <= now]
        for count, live in enumerate(due, start=1):
            await self._push(live, live.session.state(now))
            if count % PUSH_BATCH == 0:
                await asyncio.sleep(0)
        upcoming = [live.due_at for live in self._live.values() if live.due_at is not None]
        if not upcoming:
            return self.heartbeat_s
        return max(0.0, (min(upcoming) - now).total_seconds())

    async def run(self) -> None:
        """The process's one ticker task: sleep until the next boundary or heartbeat, or a wake-up."""
        if self._ticking:  # start-up may run twice in one process; one ticker is enough
            return
        self._ticking = True
        try:
            await self._loop()
        finally:
            self._ticking = False

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                delay = await self.tick()
            except Exception:  # keep ticking: a bad session must not freeze every clock
                log.exception("ticker failed")
                delay = 1.0
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    @property
    def watched_sessions(self) -> int:
        return len(self._live)


def new_pair_code() -> str:
    return "".join(secrets.choice(PAIR_ALPHABET) for _ in range(PAIR_CODE_LENGTH))
