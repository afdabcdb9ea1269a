"""Per-key asyncio locks that exist only while somebody holds or waits for them.

A dict of one lock per session id ever commanded grows without bound (ids nobody owns
included: anyone can send them). Counting the holders and waiters and dropping the entry when
the count returns to zero keeps the dict as small as the commands in flight.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class _Entry:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # holders plus waiters


class KeyedLocks:
    """`async with locks.hold(key):` serialises the holders of one key; other keys run freely."""

    def __init__(self) -> None:
        self._entries: dict[int, _Entry] = {}

    @asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[None]:
        """Hold the key's lock for the block; the lock is forgotten when nobody else wants it."""
        entry = self._entries.setdefault(key, _Entry())
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            # Also runs when a waiter is cancelled before it got the lock.
            entry.users -= 1
            if entry.users == 0 and self._entries.get(key) is entry:
                del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)
