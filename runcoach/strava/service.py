"""Strava for pages, routes and the CLI: connect, status, disconnect, sync, webhook, uploads.

One `Strava` per process. Without a client id, secret and public address (the settings) it is
"not set up": every call that would reach Strava says how to set it up, and nothing else changes.

Connecting is OAuth's authorization-code flow. The `state` is sealed with the token key and
holds the runner's id, so a callback is accepted only in the browser of the runner who started
it, within ten minutes; the scopes Strava returns are checked, and each one missing is explained
(RunCoach still connects with what it got).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy.exc import IntegrityError

from runcoach.clock import Clock
from runcoach.config import Settings
from runcoach.db import jobs as job_queries
from runcoach.db import strava as queries
from runcoach.db.engine import Database
from runcoach.domain.errors import AuthFailed, Conflict, InvalidInput, NotFound
from runcoach.domain.strava import (
    SCOPES,
    Account,
    Event,
    Upload,
    can_read,
    parse_event,
    parse_scopes,
    scope_problems,
)
from runcoach.jobs.worker import Handler
from runcoach.strava.client import StravaClient, StravaDown, TokenRefused
from runcoach.strava.importer import Importer, backfill_key, event_payload, weeks_ago
from runcoach.strava.jobs import AUTO_UPLOAD, BACKFILL, EVENT, UPLOAD
from runcoach.strava.tokens import NOT_CONNECTED, STATE_TTL_S, Cipher, Tokens
from runcoach.strava.uploads import Uploads

log = logging.getLogger("runcoach.strava")

NOT_SET_UP = (
    "Strava is not set up on this server: create an API application at strava.com/settings/api, "
    "then set RUNCOACH_STRAVA_CLIENT_ID, RUNCOACH_STRAVA_CLIENT_SECRET and RUNCOACH_PUBLIC_URL."
)
CANCELLED = "You cancelled on Strava: nothing was connected."
BAD_STATE = "This Strava sign-in was not started here, or it took longer than ten minutes: connect again."
TAKEN = "This Strava athlete is already connected to another RunCoach account."


@dataclass(frozen=True)
class Status:
    """What the Strava page shows."""

    configured: bool
    connected: bool
    athlete_name: str = ""
    problems: tuple[str, ...] = ()
    last_sync_at: datetime | None = None
    imported: int = 0
    backfill_share: float = 0.0
    importing: bool = False
    auto_upload: bool = False
    import_error: str | None = None


class Strava:
    def __init__(
        self,
        settings: Settings,
        database: Database,
        clock: Clock,
        cipher: Cipher,
        *,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.settings = settings
        self.database = database
        self.clock = clock
        self.cipher = cipher
        self._wake: list[Callable[[], None]] = []
        self.http = http or httpx.AsyncClient(timeout=settings.strava_timeout_s)
        self.client = StravaClient(
            self.http,
            clock,
            oauth_url=settings.strava_oauth_url,
            api_url=settings.strava_api_url,
            client_id=settings.strava_client_id or "",
            client_secret=settings.strava_client_secret.get_secret_value()
            if settings.strava_client_secret
            else "",
        )
        self.tokens = Tokens(database, clock, cipher, self.client)
        self.importer = Importer(database, clock, self.client, self.tokens)
        self.uploads = Uploads(database, clock, self.client, self.tokens, cipher, settings.zone)

    @property
    def configured(self) -> bool:
        return self.settings.strava_ready

    def handlers(self) -> dict[str, Handler]:
        """The job kinds Strava's work runs as (see `runcoach.jobs.worker`)."""
        return {
            BACKFILL: self.importer.backfill,
            EVENT: self.importer.event,
            UPLOAD: self.uploads.run,
            AUTO_UPLOAD: self.uploads.sweep,
        }

    def on_enqueue(self, wake: Callable[[], None]) -> None:
        """Call `wake()` whenever a job is stored (the worker then looks at once)."""
        self._wake.append(wake)

    def _jobs_stored(self) -> None:
        for wake in self._wake:
            wake()

    # --- connecting ---------------------------------------------------------------------------

    def _ready(self) -> None:
        # A conflict with how the server is set up, not an outage: asking again will not help.
        if not self.configured:
            raise Conflict(NOT_SET_UP)

    @property
    def redirect_uri(self) -> str:
        return f"{(self.settings.public_url or '').rstrip('/')}/strava/callback"

    @property
    def webhook_url(self) -> str:
        return f"{(self.settings.public_url or '').rstrip('/')}/strava/webhook"

    def connect_url(self, user_id: int) -> str:
        """Strava's authorization page for this runner (the state bound to them)."""
        self._ready()
        state = self.cipher.seal(f"{user_id}:{secrets.token_urlsafe(8)}")
        return self.client.authorize_url(redirect_uri=self.redirect_uri, state=state, scope=",".join(SCOPES))

    async def finish_connect(
        self, user_id: int, *, state: str, code: str | None, scope: str | None, error: str | None
    ) -> Status:
        """The callback: check the state, trade the code, store the connection, start the backfill."""
        self._ready()
        opened = self.cipher.open(state, ttl_s=STATE_TTL_S)
        if opened is None or opened.split(":", 1)[0] != str(user_id):
            raise AuthFailed(BAD_STATE)
        if error or not code:
            raise InvalidInput("code", CANCELLED)
        try:
            grant = await self.client.exchange(code)
        except StravaDown as exc:  # nothing retries a sign-in: the runner has to
            raise StravaDown("Strava is not answering just now: connect again in a moment.") from exc
        if grant.athlete_id is None:
            raise StravaDown("Strava's answer named no athlete: connect again.")
        now = self.clock.now()
        granted = ",".join(sorted(parse_scopes(scope)))
        try:
            async with self.database.session() as db:
                other = await queries.account_of_athlete(db, athlete_id=grant.athlete_id)
                if other is not None and other.user_id != user_id:
                    raise Conflict(TAKEN)
                await queries.save_account(
                    db,
                    user_id=user_id,
                    athlete_id=grant.athlete_id,
                    athlete_name=grant.athlete_name,
                    scopes=granted,
                    access_token=self.cipher.seal(grant.access_token),
                    refresh_token=self.cipher.seal(grant.refresh_token),
                    expires_at=grant.expires_at,
                    now=now,
                    backfill_from=weeks_ago(now, self.settings.strava_backfill_weeks),
                )
                if can_read(parse_scopes(granted)):
                    await self._enqueue_backfill(db, user_id, now)
        except IntegrityError as exc:  # another runner connected this athlete since the check
            raise Conflict(TAKEN) from exc
        self._jobs_stored()
        return await self.status(user_id)

    async def _enqueue_backfill(self, db: Any, user_id: int, now: datetime) -> None:
        await job_queries.enqueue(
            db,
            kind=BACKFILL,
            key=backfill_key(user_id),
            payload={"user_id": user_id},
            owner_id=user_id,
            due_at=now,
            now=now,
            revive=True,
        )

    async def status(self, user_id: int) -> Status:
        if not self.configured:
            return Status(configured=False, connected=False)
        # The jobs first, then the account: without one snapshot, a backfill that ends between the
        # reads then shows as still running (a poll later corrected), never as done with no end.
        async with self.database.session() as db:
            running = await job_queries.pending(db, owner_id=user_id, kind=BACKFILL)
            failed = await job_queries.failed(db, owner_id=user_id, kind=BACKFILL)
            account = await queries.get_account(db, user_id=user_id)
            if account is None:
                return Status(configured=True, connected=False)
            imported = await queries.count_activities(db, owner_id=user_id)
        return self._status(account, imported, bool(running), failed[-1][1] if failed else None)

    def _status(self, account: Account, imported: int, importing: bool, error: str | None) -> Status:
        problems = scope_problems(account.scopes)
        if account.problem:
            problems = (account.problem, *problems)
        return Status(
            configured=True,
            connected=True,
            athlete_name=account.athlete_name,
            problems=problems,
            last_sync_at=account.last_sync_at,
            imported=imported,
            backfill_share=account.backfill_share(self.clock.now()),
            importing=importing,
            auto_upload=account.auto_upload,
            import_error=error,
        )

    async def disconnect(self, user_id: int) -> None:
        """Revoke RunCoach's access at Strava (if Strava answers) and delete the tokens here."""
        try:
            token = await self.tokens.access_token(user_id)
            await self.client.deauthorize(token)
        except NotFound:
            return
        except (TokenRefused, StravaDown) as exc:
            log.warning("Strava did not take the deauthorization (%s); the tokens are deleted here", exc)
        async with self.database.session() as db:
            await queries.delete_account(db, user_id=user_id)

    async def set_auto_upload(self, user_id: int, on: bool) -> None:
        async with self.database.session() as db:
            if await queries.get_account(db, user_id=user_id) is None:
                raise NotFound(NOT_CONNECTED)
            await queries.update_account(db, user_id=user_id, auto_upload=on)

    async def sync(self, user_id: int) -> Status:
        """Import what is new since the last import (the backfill's cursor goes on from there)."""
        self._ready()
        now = self.clock.now()
        async with self.database.session() as db:
            account = await queries.get_account(db, user_id=user_id)
            if account is None:
                raise NotFound(NOT_CONNECTED)
            await queries.update_account(db, user_id=user_id, backfill_done_at=None)
            await self._enqueue_backfill(db, user_id, now)
        self._jobs_stored()
        return await self.status(user_id)

    async def upload(self, user_id: int, session_id: int) -> Upload:
        """Send the finished session to Strava, once (see `runcoach.strava.uploads`)."""
        self._ready()
        upload = await self.uploads.request(user_id, session_id)
        self._jobs_stored()
        return upload

    async def start_sweep(self) -> None:
        """Store the auto-upload sweep job once (every replica may ask; one job exists)."""
        if not self.configured:
            return
        now = self.clock.now()
        async with self.database.session() as db:
            await job_queries.enqueue(
                db, kind=AUTO_UPLOAD, key=AUTO_UPLOAD, payload={}, owner_id=None, due_at=now, now=now
            )

    # --- the webhook --------------------------------------------------------------------------

    def verify(self, *, mode: str | None, token: str | None, challenge: str | None) -> dict[str, str]:
        """Strava's subscription check: echo the challenge when the verify token is ours."""
        wanted = self.settings.strava_verify_token
        if (
            mode != "subscribe"
            or not challenge
            or wanted is None
            or not secrets.compare_digest((token or "").encode(), wanted.get_secret_value().encode())
        ):
            raise AuthFailed("Not Strava's subscription check for this server")
        return {"hub.challenge": challenge}

    async def receive(self, body: Any) -> None:
        """Store the event as a job and return (Strava wants an answer within 2 s)."""
        event: Event = parse_event(body)
        now = self.clock.now()
        async with self.database.session() as db:
            await job_queries.enqueue(
                db,
                kind=EVENT,
                key=event.key,
                payload=event_payload(event),
                owner_id=None,
                due_at=now,
                now=now,
            )
        self._jobs_stored()

    async def subscribe(self) -> int:
        """Create the webhook subscription (the CLI's `strava subscribe`); its id."""
        self._ready()
        verify = self.settings.strava_verify_token
        if verify is None:
            raise InvalidInput("verify_token", "Set RUNCOACH_STRAVA_VERIFY_TOKEN to any random string first.")
        return await self.client.subscribe(
            callback_url=self.webhook_url, verify_token=verify.get_secret_value()
        )

    async def close(self) -> None:
        await self.http.aclose()
