"""A real local mail server for tests: aiosmtpd on 127.0.0.1, keeping what it is handed."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from typing import Any

from aiosmtpd.controller import Controller


class Inbox:
    """An aiosmtpd handler that keeps every message; `refuse` answers 550 instead.

    With `hold_until=N` it holds every message until N of them wait at once (then lets all
    through, for good): proof that N senders were sending at the same time. `held_open` says
    whether that happened within `hold_s`; `most_at_once` is the largest number that waited.
    """

    def __init__(self, *, hold_until: int = 0, hold_s: float = 120.0) -> None:
        self.messages: list[Any] = []
        self.refuse = 0
        self._lock = threading.Lock()
        self.hold_until = hold_until
        self.hold_s = hold_s
        self.waiting = 0
        self.most_at_once = 0
        self.held_open = hold_until == 0
        self._open: asyncio.Event | None = None  # made on aiosmtpd's loop, at the first message

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await self._hold()
        with self._lock:
            if self.refuse:
                self.refuse -= 1
                return "550 mailbox unavailable"
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    async def _hold(self) -> None:
        # aiosmtpd runs every session on one event loop thread: these counters need no lock.
        if self._open is None:
            self._open = asyncio.Event()
        self.waiting += 1
        self.most_at_once = max(self.most_at_once, self.waiting)
        if self.waiting >= self.hold_until:
            self.held_open = True
            self._open.set()
        if not self.held_open:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._open.wait(), timeout=self.hold_s)
        self.waiting -= 1

    def subjects(self) -> list[str]:
        with self._lock:
            return [str(m["Subject"]) for m in self.messages]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_smtp(handler: Inbox) -> Iterator[int]:
    """Serve `handler` on a free port of 127.0.0.1 while inside; yields the port."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
