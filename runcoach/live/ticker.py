"""Fan-out and the ticker: the sessions this process has views of, and the one task that pushes them.

A push goes out per session, not per view: the state is folded once and handed to the session's
listeners (only when a label would change) and to the broadcaster (every push: the clock
snapshot the browsers interpolate from). The ticker wakes at the next segment boundary or
heartbeat of any watched session, never on a fixed beat, and folds only the sessions that are due.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from runcoach.clock import Clock
from runcoach.domain.errors import NotFound
from runcoach.domain.session import RunSession, SessionState, seconds_to_boundary
from runcoach.live.channels import Broadcaster

log = logging.getLogger(__name__)

HEARTBEAT_S = 5.0
#: Wake a hair after a boundary, so the fold already shows the next segment.
BOUNDARY_SLACK_S = 0.005
#: Pushes between yields to the event loop, so a burst of heartbeats does not hold up commands: a
#: push to a session's three views costs about 0.7 ms, and a command's request passes the loop
#: several times, each time perhaps behind one batch (25 let the command p99 reach 50 ms at
#: 1,000 real views, benchmarks/README.md).
PUSH_BATCH = 8

Listener = Callable[[RunSession, SessionState], None]
#: Loads a session for its first viewer (NotFound when unknown or foreign).
Loader = Callable[[int, int | None], Awaitable[RunSession]]


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


def discrete_key(session: RunSession, state: SessionState) -> tuple[str, int, int, str]:
    """What changes a view: status, segment, a new event or a new pairing code (time alone does not)."""
    return (state.status.value, state.segment_index, session.last_seq, session.pair_code)


@dataclass
class _Live:
    session: RunSession
    listeners: set[Listener] = field(default_factory=set)
    key: tuple[str, int, int, str] | None = None
    due_at: datetime | None = None  # next boundary or heartbeat; None: push at the next tick


class Ticker:
    """The watched sessions of this process, their listeners, and the one ticker loop."""

    def __init__(self, clock: Clock, broadcaster: Broadcaster, *, heartbeat_s: float = HEARTBEAT_S) -> None:
        self.clock = clock
        self.broadcaster = broadcaster
        self.heartbeat_s = heartbeat_s
        self._live: dict[int, _Live] = {}
        self._wake = asyncio.Event()
        self._ticking = False

    # --- views ----------------------------------------------------------------------------------

    async def watch(
        self, session_id: int, listener: Listener, *, owner_id: int | None, load: Loader
    ) -> Callable[[], None]:
        """Call `listener` whenever the session's status, segment or events change; returns unwatch."""
        live = self._live.get(session_id)
        if live is None:
            loaded = await load(session_id, owner_id)
            # Several views may open at once: after the await, join whichever entry won.
            live = self._live.setdefault(session_id, _Live(session=loaded))
            if live.session is loaded:
                # A command saved while `load` was reading published to no entry: read once more, now
                # that every later command publishes here (an older read never replaces a newer one).
                again = await load(session_id, owner_id)
                if again.last_seq > live.session.last_seq:
                    await self.publish(again)
                self._wake.set()  # a new entry is due at once
        if owner_id is not None and live.session.owner_id != owner_id:
            raise NotFound(f"Session {session_id} not found")
        live.listeners.add(listener)
        return lambda: self._unwatch(session_id, live, listener)

    def _unwatch(self, session_id: int, live: _Live, listener: Listener) -> None:
        live.listeners.discard(listener)
        if not live.listeners and self._live.get(session_id) is live:
            del self._live[session_id]

    def is_watched(self, session_id: int) -> bool:
        """True while some view in this process watches the session."""
        return session_id in self._live

    def watched_ids(self) -> list[int]:
        """The sessions some view in this process watches."""
        return list(self._live)

    def cached(self, session_id: int) -> RunSession | None:
        """The newest snapshot of a watched session (every command and notification updates it)."""
        live = self._live.get(session_id)
        return live.session if live is not None else None

    async def publish(self, session: RunSession, state: SessionState | None = None) -> None:
        """A session changed: update the cache and push now (nothing to do if nobody here watches it).

        Snapshots can arrive out of order (two commands finishing together, a notification's
        re-read overtaken by a local command): an older event log never replaces a newer one.
        """
        live = self._live.get(session.id)
        if live is None or session.last_seq < live.session.last_seq:
            return
        live.session = session
        await self._push(live, state or session.state(self.clock.now()))
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
        now = self.clock.now()
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

    @property
    def listener_count(self) -> int:
        return sum(len(live.listeners) for live in self._live.values())
