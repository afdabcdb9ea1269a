"""What a database error means for the caller: a lost race to retry, or a database that is not answering.

The drivers say the same things in different ways: asyncpg raises a bare ConnectionRefusedError
(an OSError) when the server is down and wrapped DBAPIErrors when a connection drops, while
SQLite reports both "another writer holds the lock" and "cannot open the file" as
OperationalError. Only the data layer knows the drivers, so the sorting happens here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from runcoach.domain.errors import Unavailable

#: SQLite's primary result codes for "another connection holds the lock" (the low byte of extended codes).
SQLITE_BUSY, SQLITE_LOCKED = 5, 6
_SQLITE_BUSY_TEXTS = ("database is locked", "database table is locked", "database is busy")

DATABASE_DOWN = "The database is not answering. Try again in a moment."


def is_lost_race(exc: BaseException) -> bool:
    """A conflict a retry can win: a unique key another writer took first, or SQLite's write lock."""
    if isinstance(exc, IntegrityError):
        return True
    return isinstance(exc, OperationalError) and _sqlite_busy(exc)


def _sqlite_busy(exc: OperationalError) -> bool:
    code = getattr(exc.orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in {SQLITE_BUSY, SQLITE_LOCKED}
    return any(text in str(exc.orig).lower() for text in _SQLITE_BUSY_TEXTS)


def is_outage(exc: BaseException) -> bool:
    """The database did not answer: refused or dropped connections, time-outs, unopenable files.

    Any driver error that is not a lost race counts: none of them is the caller's fault, and
    none of them saved anything (the unit of work rolls back).
    """
    if is_lost_race(exc):
        return False
    # OSError covers ConnectionRefusedError and builtin TimeoutError (asyncio's since 3.11).
    return isinstance(exc, DBAPIError | PoolTimeout | OSError)


@contextmanager
def unavailable_when_down(message: str = DATABASE_DOWN) -> Iterator[None]:
    """Turn an outage inside the block into `Unavailable(message)`; anything else passes unchanged."""
    try:
        yield
    except (SQLAlchemyError, OSError) as exc:
        if is_outage(exc):
            raise Unavailable(message) from exc
        raise
