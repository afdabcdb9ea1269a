"""What a database error means for the caller: a lost race to retry, or a database that is not answering.

The drivers say the same things in different ways: asyncpg raises a bare ConnectionRefusedError
(an OSError) when the server is down and wrapped DBAPIErrors when a connection drops, while
SQLite reports both "another writer holds the lock" and "cannot open the file" as
OperationalError. Only the data layer knows the drivers, so the sorting happens here.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

from runcoach.domain.errors import Unavailable

#: SQLite's primary result codes for "another connection holds the lock" (the low byte of extended codes).
SQLITE_BUSY, SQLITE_LOCKED = 5, 6
_SQLITE_BUSY_TEXTS = ("database is locked", "database table is locked", "database is busy")

#: The database answered, with "your statement is wrong": a bug or bad input, not an outage.
_ANSWERED = (DataError, ProgrammingError, NotSupportedError)

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

    Driver errors that are not a lost race count, except those that say the statement itself
    was wrong (bad data such as an id beyond the column, bad SQL): the database answered those,
    and calling them an outage would send the runner to wait for nothing.
    """
    if is_lost_race(exc) or isinstance(exc, _ANSWERED):
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
