"""Row ids as the outside world sends them: in URLs and bodies, checked before a database sees them."""

from __future__ import annotations

#: The largest id every backend's integer column holds (PostgreSQL's INTEGER is 32-bit signed).
#: A larger number cannot name a row: it is refused before it reaches the database, where it
#: would raise (asyncpg: DataError above 2**31 - 1; SQLite: OverflowError above 2**63 - 1).
MAX_ID = 2**31 - 1


def parse_id(text: str) -> int | None:
    """The id in a URL path segment, or None when the text cannot be one (not digits, 0, too large)."""
    if text.isascii() and text.isdigit() and len(text) <= len(str(MAX_ID)) and 0 < int(text) <= MAX_ID:
        return int(text)
    return None
