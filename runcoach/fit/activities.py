"""The activity file of a finished run, for its owner: the service the API route and the summary page call."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, tzinfo

from runcoach.db import sessions as queries
from runcoach.db.engine import Database
from runcoach.domain.errors import Conflict, NotFound
from runcoach.domain.timeline import session_timeline
from runcoach.fit.activity_file import session_to_fit
from runcoach.fit.files import FitFile, file_name

NOT_OVER = "The run is not over yet: finish it, then download its activity file."
NEVER_RAN = "This run ended before it started: there is no activity to download."


async def activity_file(
    database: Database, session_id: int, owner_id: int, now: datetime, *, zone: tzinfo = UTC
) -> FitFile:
    """The owner's finished session as a FIT activity file ("2026-03-01-30-min-intervals.fit");
    `zone` dates the file and sets the activity's local time.

    NotFound for an unknown session or somebody else's; Conflict while the session is not finished,
    or when it ended without running at all.
    """
    async with database.session() as db:
        session = await queries.get_session(db, session_id=session_id, owner_id=owner_id)
    if session is None:
        raise NotFound(f"Session {session_id} not found")
    line = session_timeline(session, now)
    if not line.state.is_final:
        raise Conflict(NOT_OVER)
    if line.start is None or not line.ran:
        raise Conflict(NEVER_RAN)
    # Pure CPU work (tens of ms for a long run): off the event loop, so live views keep their pace.
    data = await asyncio.to_thread(session_to_fit, session, now, zone=zone)
    day = line.start.astimezone(zone).date()
    return FitFile(f"{day.isoformat()}-{file_name(session.name, 'run')}", data)
