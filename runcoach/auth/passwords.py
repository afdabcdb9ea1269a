"""argon2id off the event loop, a bounded number at a time.

One hash or check takes about 0.2 s of CPU. On the event loop that froze /health and every live
view; argon2-cffi releases the GIL, so a worker thread keeps the loop free. The pool has one
thread fewer than the machine has cores (at least one), so a burst of sign-ins always leaves a
core for the loop.

Sign-ins also pass a gate (`sign_in_slot`): only a few run at once, the others wait their turn
(cheaply, before touching the database), and beyond a bounded queue a sign-in is refused as
busy. Without it, 50 simultaneous sign-ins ran their database steps all at once and delayed a
live command waiting for a connection by ~0.3 s (benchmarks/signin_burst.py); the hashing
thread is the bottleneck anyway, so the gate costs no throughput.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import threading
import weakref
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from runcoach.domain.errors import Unavailable

T = TypeVar("T")

#: Threads hashing at once: leave one core for the event loop.
WORKERS = max(1, (os.cpu_count() or 2) - 1)
#: Sign-ins running at once per process: one hashing per worker, one more doing its database steps.
SIGN_IN_SLOTS = WORKERS + 1
#: Sign-ins waiting for a slot before new ones are refused as busy (~0.2 s each per worker).
MAX_WAITING = 64

#: argon2-cffi's defaults are argon2id with RFC 9106's low-memory profile.
_hasher = PasswordHasher()
# A thread pool rather than a semaphore: it binds to no event loop, and its queue is the bound.
#: Niceness of the hashing threads: when the box is busy, the event loop (nice 0) gets the CPU first.
HASHING_NICE = 10


def _lower_priority() -> None:
    # On Linux the nice value belongs to each thread; elsewhere this may fail and does not matter.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICE)


_pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="argon2", initializer=_lower_priority)
# One semaphore per event loop (a semaphore belongs to the loop it first waited on; tests run many).
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()
_inside = 0


@asynccontextmanager
async def sign_in_slot() -> AsyncIterator[None]:
    """Wait for one of SIGN_IN_SLOTS; Unavailable when MAX_WAITING are already waiting."""
    global _inside
    if _inside >= SIGN_IN_SLOTS + MAX_WAITING:
        raise Unavailable("Sign-in is busy right now; try again in a moment")
    _inside += 1
    try:
        gate = _gates.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(SIGN_IN_SLOTS))
        async with gate:
            yield
    finally:
        _inside -= 1


async def _off_loop(work: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(_pool, work)


async def hash_password(password: str) -> str:
    return await _off_loop(lambda: _hasher.hash(password))


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; None (an unknown email) costs a check too and is False."""
    if password_hash is None:
        return await _off_loop(lambda: _verify(_dummy_hash(), password) and False)
    return await _off_loop(lambda: _verify(password_hash, password))


@functools.cache
def _dummy_hash() -> str:
    # Checked when the email is unknown, so a missing account costs the same time as a wrong
    # password. Made on first use (in a worker thread), not when the command line imports this.
    return _hasher.hash("not a real password, only for timing")


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with older parameters (cheap: it only parses the hash)."""
    return _hasher.check_needs_rehash(password_hash)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
