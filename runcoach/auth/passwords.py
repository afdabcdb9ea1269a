"""argon2id off the event loop, a bounded number at a time.

One hash or check takes about 0.2 s of CPU. On the event loop that froze /health and every live
view; argon2-cffi releases the GIL, so a worker thread keeps the loop free. The pool has one
thread fewer than the machine has cores (at least one), so a burst of sign-ins always leaves a
core for the loop, and the queue in front of it is bounded: beyond it a sign-in is refused as
busy rather than waiting for many seconds.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from runcoach.domain.errors import Unavailable

T = TypeVar("T")

#: Threads hashing at once: leave one core for the event loop.
WORKERS = max(1, (os.cpu_count() or 2) - 1)
#: Hashes queued or running at once before new ones are refused (about 0.2 s each per worker).
MAX_QUEUED = 64

#: argon2-cffi's defaults are argon2id with RFC 9106's low-memory profile.
_hasher = PasswordHasher()
# A thread pool rather than a semaphore: it binds to no event loop, and its queue is the bound.
_pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="argon2")
_queued = 0
# Verified against when the email is unknown, so a missing account costs the same time as a wrong password.
DUMMY_HASH = _hasher.hash("not a real password, only for timing")


async def _off_loop(work: Callable[[], T]) -> T:
    global _queued
    if _queued >= MAX_QUEUED:
        raise Unavailable("Sign-in is busy right now; try again in a moment")
    _queued += 1
    try:
        return await asyncio.get_running_loop().run_in_executor(_pool, work)
    finally:
        _queued -= 1


async def hash_password(password: str) -> str:
    return await _off_loop(lambda: _hasher.hash(password))


async def verify_password(password_hash: str, password: str) -> bool:
    return await _off_loop(lambda: _verify(password_hash, password))


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with older parameters (cheap: it only parses the hash)."""
    return _hasher.check_needs_rehash(password_hash)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
