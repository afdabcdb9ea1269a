"""The two ways a change leaves the hub: to this process's views, and to the other replicas.

- A `Broadcaster` sends one state snapshot to every connected view of a session in this process
  (runcoach/live/fanout.py does it with one socket.io room per session).
- A `Notifier` tells the other replicas "session N changed"; each re-folds the session from the
  database and pushes it to its own views. One process needs none of that: the default does
  nothing; on PostgreSQL `runcoach.live.pg_notify` uses LISTEN/NOTIFY.

An announcement is made in two steps, so a notifier that can join the writer's transaction
does: `within` runs inside it (PostgreSQL's NOTIFY leaves exactly when the change commits, so a
saved change is never left unannounced by a failure after the commit), and `notify` runs after
the commit for a notifier that cannot (and does nothing for one that already did).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

#: What a notifier calls for each "session N changed (its newest event is seq S)" it receives.
ChangeHandler = Callable[[int, int], Awaitable[None]]
#: An announcement's seq that makes every replica re-read the session (a change with no event,
#: such as a renewed pairing code).
ANY_SEQ = 0
#: `Notifier.within`: announce "session N has event S" inside the writer's transaction.
Announce = Callable[[AsyncSession, int, int], Awaitable[None]]


class Broadcaster(Protocol):
    """Sends one state payload to every connected view of a session (e.g. a socket.io room)."""

    async def broadcast(self, session_id: int, payload: dict[str, Any]) -> None: ...


class NoBroadcast:
    """For a hub without browser views (tests, scripts)."""

    async def broadcast(self, session_id: int, payload: dict[str, Any]) -> None:
        return None


class Notifier(Protocol):
    """Cross-replica sync: announce that a session changed, and hear other replicas' announcements."""

    def subscribe(self, handler: ChangeHandler) -> None:
        """Call `handler(session_id, seq)` for every change announced from now on (by any replica)."""
        ...

    async def within(self, db: AsyncSession, session_id: int, seq: int) -> None:
        """Announce, as part of the writer's transaction `db`, that `session_id` has a new event
        `seq`: delivered if and only if that transaction commits. Does nothing for a notifier
        that cannot join a transaction (it announces in `notify`).

        The seq lets a replica that already shows that event (the sender itself, for one)
        skip the database read.
        """
        ...

    async def notify(self, session_id: int, seq: int) -> None:
        """After the commit: announce what `within` could not (nothing, when it did)."""
        ...


class InProcessNotifier:
    """The default: a single process has no other replicas, so there is nobody to tell."""

    def subscribe(self, handler: ChangeHandler) -> None:
        return None

    async def within(self, db: AsyncSession, session_id: int, seq: int) -> None:
        return None

    async def notify(self, session_id: int, seq: int) -> None:
        return None
