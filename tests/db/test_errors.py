"""Sorting database errors: a lost race is retried, an outage is Unavailable, anything else stays a bug."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy.exc import (
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

from runcoach.db.errors import is_lost_race, is_outage, unavailable_when_down
from runcoach.domain.errors import Unavailable


def sqlite_error(message: str) -> sqlite3.OperationalError:
    return sqlite3.OperationalError(message)


@pytest.mark.parametrize(
    ("exc", "race", "outage"),
    [
        (IntegrityError("INSERT", {}, Exception("duplicate key (session_id, seq)")), True, False),
        (OperationalError("INSERT", {}, sqlite_error("database is locked")), True, False),
        (OperationalError("INSERT", {}, sqlite_error("database table is locked")), True, False),
        (OperationalError("SELECT", {}, sqlite_error("unable to open database file")), False, True),
        (OperationalError("SELECT", {}, sqlite_error("disk I/O error")), False, True),
        (InterfaceError("SELECT", {}, Exception("connection is closed")), False, True),
        (ConnectionRefusedError(111, "Connect call failed"), False, True),
        (TimeoutError(), False, True),
        (PoolTimeout("QueuePool limit reached"), False, True),
        (DataError("SELECT", {}, Exception("value out of int32 range")), False, False),
        (ProgrammingError("SELECT", {}, Exception("syntax error")), False, False),
        (ValueError("not a database error"), False, False),
    ],
    ids=lambda value: value if isinstance(value, bool) else type(value).__name__ + ": " + str(value)[:30],
)
def test_errors_sort_into_races_outages_and_the_rest(exc: BaseException, race: bool, outage: bool) -> None:
    assert is_lost_race(exc) is race
    assert is_outage(exc) is outage


def test_an_outage_becomes_unavailable_with_the_sentence_and_the_cause() -> None:
    cause = ConnectionRefusedError(111, "Connect call failed")
    with pytest.raises(Unavailable, match="not answering") as caught, unavailable_when_down():
        raise cause
    assert caught.value.__cause__ is cause


@pytest.mark.parametrize(
    "exc",
    [IntegrityError("INSERT", {}, Exception("duplicate")), DataError("SELECT", {}, Exception("range"))],
    ids=["lost race", "bad data"],
)
def test_other_errors_pass_through_unchanged(exc: Exception) -> None:
    with pytest.raises(type(exc)), unavailable_when_down():
        raise exc
