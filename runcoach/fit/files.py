"""What every FIT download is: a name made safe for any file system, the bytes, the media type."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

FIT_MEDIA_TYPE = "application/vnd.ant.fit"
#: Longest file name handed out, before ".fit".
MAX_STEM = 60
#: FIT serial numbers are uint32z: 0 and 0xFFFFFFFF mean "none".
MAX_SERIAL = 0xFFFFFFFE


@dataclass(frozen=True)
class FitFile:
    """A file to download: its name and its bytes."""

    name: str
    data: bytes
    media_type: str = FIT_MEDIA_TYPE


def file_name(title: str, fallback: str = "workout") -> str:
    """'45-min-intervals-6-x-2-min.fit' from "45-min Intervals: 6 × 2 min": ASCII letters and digits
    (accents dropped, "×" read as x) and single dashes, at most 60 of them, then ".fit"."""
    ascii_title = unicodedata.normalize("NFKD", title.replace("×", "x")).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:MAX_STEM].strip("-")
    return f"{slug or fallback}.fit"


def file_serial(number: int) -> int:
    """A FIT serial number (1 .. 2**32 - 2) from a row's number, the same every time: numbers in
    range are kept, larger ones folded into it (a plan's id × 1000 + a day passes 2**32 at plan
    4,294,968)."""
    return (number - 1) % MAX_SERIAL + 1
