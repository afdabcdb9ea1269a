"""Ids from URLs: only what every backend's integer column can hold names a row."""

from __future__ import annotations

import pytest

from runcoach.domain.ids import MAX_ID, parse_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("42", 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),  # PostgreSQL's INTEGER ends here (asyncpg raised DataError)
        (str(2**63), None),  # SQLite raised OverflowError from here on
        ("9" * 400, None),
        ("0", None),
        ("-1", None),
        ("1.0", None),
        ("1e3", None),
        (" 1", None),
        ("", None),
        ("٣", None),  # an Arabic-Indic digit: str.isdigit() says yes, int() agrees; a URL id it is not
        ("abc", None),
    ],
)
def test_parse_id_accepts_only_ids_a_row_can_have(text: str, expected: int | None) -> None:
    assert parse_id(text) == expected
