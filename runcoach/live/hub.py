"""The session hub: one per process, the one door pages and API routes use for run sessions.

A small facade over three parts, one job each:

- `registry.SessionRegistry`: create sessions, find them by id or pairing code, list them;
- `commands.CommandLog`: validate a command with the domain and append its event (unique
  (session_id, seq), lost races retried, outages reported as Unavailable);
- `ticker.Ticker`: the watched sessions, their listeners and broadcaster, and the one ticker.

A command flows: persist (and, in the same transaction where the notifier can, announce it to
the other replicas) -> push to this process's views -> announce it after the commit where the
notifier could not. A notification from another replica re-reads the session and takes the same
push path.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Callable
from datetime import datetime

from runcoach.clock import Clock
from runcoach.db.engine import Database
from runcoach.domain.accounts import Units
from runcoach.domain.errors import RunCoachError
from runcoach.domain.session import Command, RunSession, SessionState
from runcoach.domain.structure import Console
from runcoach.domain.workouts import Segment
from runcoach.live.channels import ANY_SEQ, Broadcaster, InProcessNotifier, NoBroadcast, Notifier
from runcoach.live.commands import CommandLog
from runcoach.live.registry import SessionRegistry
from runcoach.live.ticker import HEARTBEAT_S, Listener, Ticker

log = logging.getLogger(__name__)


class Hub:
    """One per process. Holds the sessions that have viewers and pushes their state."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        broadcaster: Broadcaster | None = None,
        notifier: Notifier | None = None,
        heartbeat_s: float = HEARTBEAT_S,
    ) -> None:
        self.db = db
        self.clock = clock
        self.notifier: Notifier = notifier or InProcessNotifier()
        self.registry = SessionRegistry(db, clock, announce=self.notifier.within)
        self.commands = CommandLog(db, clock, announce=self.notifier.within)
        self.ticker = Ticker(clock, broadcaster or NoBroadcast(), heartbeat_s=heartbeat_s)
        self.notifier.subscribe(self.changed_elsewhere)

    @property
    def broadcaster(self) -> Broadcaster:
        return self.ticker.broadcaster

    def now(self) -> datetime:
        return self.clock.now()

    # --- sessions -------------------------------------------------------------------------------

    async def create_session(self, *, workout_id: int, owner_id: int) -> RunSession:
        """A new session playing that workout (NotFound for an unknown or foreign workout)."""
        return await self.registry.create_session(workout_id=workout_id, owner_id=owner_id)

    async def create_planned_session(
        self,
        *,
        owner_id: int,
        name: str,
        segments: tuple[Segment, ...],
        plan_day: tuple[int, int],
        console: Console,
    ) -> RunSession:
        """A new session playing a planned day's program compiled for `console`; `plan_day` is
        (plan id, the day's wid)."""
        return await self.registry.create_planned(
            owner_id=owner_id, name=name, segments=segments, plan_day=plan_day, console=console
        )

    async def get(self, session_id: int, *, owner_id: int | None) -> RunSession:
        """The session from the database; NotFound when unknown or (with owner_id) foreign."""
        return await self.registry.get(session_id, owner_id=owner_id)

    async def by_pair_code(self, code: str) -> RunSession:
        """The session a pairing code controls, while the pairing is open; NotFound otherwise."""
        return await self.registry.by_pair_code(code)

    async def renew_pairing(self, session_id: int, *, owner_id: int) -> RunSession:
        """The session with a new pairing code, good from now; the old code stops working at once.

        NotFound for an unknown or foreign session, Conflict once the run has ended. Every view of
        the session shows the new code at once (a second tablet, say), on other replicas too: a
        renewal adds no event, so it is announced as a change to read whatever the seq (`ANY_SEQ`).
        """
        renewed = await self.registry.renew_pairing(session_id, owner_id=owner_id)
        await self.ticker.publish(renewed)
        await self._announce(session_id, ANY_SEQ)
        return renewed

    async def list(self, *, owner_id: int) -> builtins.list[RunSession]:
        """The owner's sessions, newest first."""
        return await self.registry.list(owner_id=owner_id)

    async def owner_units(self, session: RunSession) -> Units:
        """The units the session's runner chose (a paired phone shows the runner's speeds)."""
        return await self.registry.owner_units(session)

    # --- commands -------------------------------------------------------------------------------

    async def command(
        self, session_id: int, command: Command, *, owner_id: int | None, if_seq: int | None = None
    ) -> tuple[RunSession, SessionState]:
        """Validate, persist and fan out one command.

        `if_seq` is the last event the sender saw: if another device changed the session since,
        the command is a conflict rather than a second skip nobody meant. Raises NotFound,
        CommandConflict, or Unavailable when the database does not answer (nothing saved).
        """
        session = await self.commands.append(session_id, command, owner_id=owner_id, if_seq=if_seq)
        state = session.state(self.now())
        await self.publish(session, state)
        await self._announce(session_id, session.last_seq)
        return session, state

    async def _announce(self, session_id: int, seq: int) -> None:
        """After the commit, for a notifier that could not announce inside the transaction."""
        try:
            await self.notifier.notify(session_id, seq)
        except Exception:
            # The event is saved and this process's views have it: other replicas catch up on their
            # next reload or command. Failing the tap now would invite a second, conflicting one.
            log.exception("could not tell other replicas that session %s changed", session_id)

    # --- views ----------------------------------------------------------------------------------

    async def watch(self, session_id: int, listener: Listener, *, owner_id: int | None) -> Callable[[], None]:
        """Call `listener` whenever the session's status, segment or events change; returns unwatch."""
        return await self.ticker.watch(session_id, listener, owner_id=owner_id, load=self._load)

    def watched(self, session_id: int) -> RunSession | None:
        """The newest copy of a session some view here watches (commands and notifications keep it
        current), shared by all of its views; None when nothing here watches it."""
        return self.ticker.cached(session_id)

    async def _load(self, session_id: int, owner_id: int | None) -> RunSession:
        return await self.registry.get(session_id, owner_id=owner_id)

    async def publish(self, session: RunSession, state: SessionState | None = None) -> None:
        """A session changed (here, or on another replica): update the cache and push now."""
        await self.ticker.publish(session, state)

    async def changed_elsewhere(self, session_id: int, seq: int) -> None:
        """A notifier's "session N changed": re-fold it from the database and push to the views here.

        Skipped when nobody here watches the session, or the views here already have event `seq`.
        """
        cached = self.ticker.cached(session_id)
        if cached is None or (seq != ANY_SEQ and cached.last_seq >= seq):
            return
        try:
            session = await self.registry.find(session_id, owner_id=None)
        except RunCoachError as exc:
            # The views keep the last state they had; the next command or reload brings them up to date.
            log.warning("could not re-read session %s after a change elsewhere: %s", session_id, exc)
            return
        if session is not None:
            await self.publish(session)

    async def resync(self) -> None:
        """Re-read every session watched here and push the ones that changed: after the notifier
        lost its connection, an announcement may have been missed."""
        for session_id in self.ticker.watched_ids():
            cached = self.ticker.cached(session_id)
            if cached is not None:
                await self.changed_elsewhere(session_id, cached.last_seq + 1)

    # --- the ticker -----------------------------------------------------------------------------

    async def tick(self) -> float:
        """Push the watched sessions that are due; returns seconds until the next one is due."""
        return await self.ticker.tick()

    async def run(self) -> None:
        """The process's one ticker task (start it once, at start-up)."""
        await self.ticker.run()

    @property
    def watched_sessions(self) -> int:
        return self.ticker.watched_sessions

    @property
    def command_locks(self) -> int:
        """Per-session command locks alive right now (only while commands hold or wait for them)."""
        return len(self.commands.locks)
