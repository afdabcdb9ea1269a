"""The two ways a change leaves the hub: to this process's views, and to the other replicas.

- A `Broadcaster` sends one state snapshot to every connected view of a session in this process
  (runcoach/live/fanout.py does it with one socket.io room per session).
- A `Notifier` tells the other replicas "session N changed"; each re-folds the session from the
  database and pushes it to its own views. One process needs none of that: the default does
  nothing; on PostgreSQL `runcoach.live.pg_notify` uses LISTEN/NOTIFY.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

#: What a notifier calls for each "session N changed (its newest event is seq S)" it receives.
ChangeHandler = Callable[[int, int], Awaitable[None]]


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

    async def notify(self, session_id: int, seq: int) -> None:
        """Announce that `session_id` has a new event `seq` in the database.

        The seq lets a replica that already shows that event (the sender itself, for one)
        skip the database read.
        """
        ...


class InProcessNotifier:
    """The default: a single process has no other replicas, so there is nobody to tell."""

    def subscribe(self, handler: ChangeHandler) -> None:
        return None

    async def notify(self, session_id: int, seq: int) -> None:
        return None
