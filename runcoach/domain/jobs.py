"""Background jobs as the rest of the code sees them. Pure: a record, no queue mechanics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed job: what to do (`kind`, `payload`), for whom, and how many times it was tried
    (this try included)."""

    id: int
    kind: str
    key: str
    owner_id: int | None
    payload: dict[str, Any]
    attempts: int
    due_at: datetime
