"""Treadmill runs out to Strava: each finished session once, as its FIT activity with its laps.

Once, whatever happens:
- the upload is claimed by inserting the session's one `strava_uploads` row: a second click, a
  second device or a second replica finds the claim and gets its status, nothing more;
- the file goes with an external id unique to the session (and this installation), so if a crash
  loses Strava's answer and the job posts again, Strava answers "duplicate of activity N" and
  that activity is linked instead of failing (a byte-identical file gets the same answer);
- the upload id is stored as soon as Strava gives it: after a restart the job polls, not posts.

Auto-upload is a sweep job, not a hook: a session ends by a Finish or by playing its last second
(no event at all), on whichever replica, so once a minute the sweep enqueues the uploads of the
sessions that ended for runners who turned auto-upload on.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta, tzinfo

from runcoach.clock import Clock
from runcoach.db import jobs as job_queries
from runcoach.db import sessions as session_queries
from runcoach.db import strava as queries
from runcoach.db.engine import Database
from runcoach.domain.errors import Conflict, NotFound
from runcoach.domain.ids import MAX_ID
from runcoach.domain.jobs import Job
from runcoach.domain.session import RunSession
from runcoach.domain.strava import Upload, UploadStatus, can_write, duplicate_of, external_id
from runcoach.domain.timeline import session_timeline
from runcoach.fit.activities import activity_file
from runcoach.jobs.worker import Later
from runcoach.strava.client import RateLimited, StravaClient
from runcoach.strava.jobs import UPLOAD, wait_for_window
from runcoach.strava.tokens import NOT_CONNECTED, Cipher, Tokens

#: Strava takes seconds to process a file: the status is read this often.
POLL_S = 2.0
#: How often the auto-upload sweep looks for sessions that ended, and how far back.
SWEEP_S = 60.0
SWEEP_BACK = timedelta(days=2)

NO_WRITE = "Strava did not allow uploads when it was connected: connect again and allow uploads."


def upload_key(session_id: int) -> str:
    return f"strava:upload:{session_id}"


class Uploads:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        client: StravaClient,
        tokens: Tokens,
        cipher: Cipher,
        zone: tzinfo,
    ) -> None:
        self.database = database
        self.clock = clock
        self.client = client
        self.tokens = tokens
        self.cipher = cipher
        self.zone = zone

    async def request(self, user_id: int, session_id: int) -> Upload:
        """Claim the session's upload and queue it (once: a repeat returns the first claim).

        NotFound for an unknown session or somebody else's, or without Strava; Conflict when the
        run is not over or never ran, or when Strava did not allow uploads."""
        if not 0 < session_id <= MAX_ID:  # no row has it: refused before the database sees it
            raise NotFound(f"Session {session_id} not found")
        now = self.clock.now()
        async with self.database.session() as db:
            account = await queries.get_account(db, user_id=user_id)
            session = await session_queries.get_session(db, session_id=session_id, owner_id=user_id)
            if session is None:
                raise NotFound(f"Session {session_id} not found")
            if account is None:
                raise NotFound(NOT_CONNECTED)
            if not can_write(account.scopes):
                raise Conflict(NO_WRITE)
            line = session_timeline(session, now)
            if not line.state.is_final or not line.ran:
                raise Conflict("Only a finished run can go to Strava: finish it first.")
            ident = external_id(self.cipher.installation, session_id)
            await queries.claim_upload(
                db, session_id=session_id, owner_id=user_id, external_id=ident, now=now
            )
            await job_queries.enqueue(
                db,
                kind=UPLOAD,
                key=upload_key(session_id),
                payload={"user_id": user_id, "session_id": session_id},
                owner_id=user_id,
                due_at=now,
                now=now,
            )
            upload = await queries.get_upload(db, session_id=session_id, owner_id=user_id)
        assert upload is not None
        return upload

    async def status(self, user_id: int, session_id: int) -> Upload | None:
        if not 0 < session_id <= MAX_ID:
            return None
        async with self.database.session() as db:
            return await queries.get_upload(db, session_id=session_id, owner_id=user_id)

    async def run(self, job: Job) -> None:
        """The upload job: post the file once, then poll Strava until it is done."""
        user_id, session_id = int(job.payload["user_id"]), int(job.payload["session_id"])
        upload = await self.status(user_id, session_id)
        if upload is None or upload.over:
            return
        token = await self.tokens.access_token(user_id)
        try:
            if upload.upload_id is None:
                answer = await self._post(token, upload)
            else:
                answer = await self.client.upload_status(token, upload.upload_id)
        except RateLimited as limited:
            raise wait_for_window(limited) from limited
        await self._record(upload, answer)

    async def _post(self, token: str, upload: Upload) -> dict:
        file = await activity_file(
            self.database, upload.session_id, upload.owner_id, self.clock.now(), zone=self.zone
        )
        answer = await self.client.upload(
            token, data=file.data, file_name=file.name, name=_title(file.name), external_id=upload.external_id
        )
        if isinstance(answer.get("id"), int):
            async with self.database.session() as db:
                await queries.update_upload(
                    db,
                    session_id=upload.session_id,
                    now=self.clock.now(),
                    upload_id=answer["id"],
                    status=UploadStatus.PROCESSING,
                )
        return answer

    async def _record(self, upload: Upload, answer: dict) -> None:
        """Store what Strava said; `Later` while it is still processing."""
        now = self.clock.now()
        error = answer.get("error") or None
        activity = answer.get("activity_id")
        values: dict[str, object]
        if error:
            duplicate = duplicate_of(str(error))
            if duplicate is not None:
                values = {"status": UploadStatus.DUPLICATE, "activity_id": duplicate, "error": None}
            else:
                values = {"status": UploadStatus.FAILED, "error": str(error)[:500]}
        elif isinstance(activity, int):
            values = {"status": UploadStatus.DONE, "activity_id": activity}
        else:
            raise Later(now + timedelta(seconds=POLL_S), "Strava is still processing the file")
        async with self.database.session() as db:
            await queries.update_upload(db, session_id=upload.session_id, now=now, **values)

    async def sweep(self, job: Job) -> None:
        """The auto-upload job: queue the uploads of sessions that ended lately, then come back."""
        now = self.clock.now()
        async with self.database.session() as db:
            wanted = []
            for owner in await queries.auto_upload_owners(db):
                sessions = await session_queries.list_between(db, owner_id=owner, start=now - SWEEP_BACK)
                done = {u.session_id for u in await queries.uploads_of(db, owner_id=owner)}
                wanted += [(owner, s.id) for s in sessions if s.id not in done and _ended(s, now)]
        for owner, session_id in wanted:
            with contextlib.suppress(NotFound, Conflict):  # disconnected or revoked since the look
                await self.request(owner, session_id)
        raise Later(now + timedelta(seconds=SWEEP_S), "the auto-upload sweep comes back")


def _ended(session: RunSession, now: datetime) -> bool:
    line = session_timeline(session, now)
    return line.state.is_final and line.ran


def _title(file_name: str) -> str:
    """ "2026-03-01-30-min-intervals.fit" -> "30 min intervals (treadmill)"."""
    words = file_name.removesuffix(".fit")[11:].replace("-", " ").strip()
    return f"{words[:1].upper()}{words[1:]} (treadmill)" if words else "Treadmill run"
