"""Time zones by IANA name: the one check behind the server's zone and each runner's.

Pure: standard library only.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def known_zone(name: str) -> str:
    """`name` when it is a time zone this machine knows; ValueError with a sentence otherwise."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}: use an IANA name (Europe/Berlin)") from exc
    return name
