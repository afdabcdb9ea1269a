"""Strava's tokens: encrypted at rest, refreshed a few minutes early, one refresh at a time.

The pair is stored encrypted (Fernet: AES with an HMAC, the key from the `token_key` setting or
generated once into the data directory), so a copy of the database alone gives nobody a runner's
Strava. A refresh may rotate the refresh token (the old one stops working at once), so:

- one refresh at a time per athlete in this process (a lock per runner), and the stored pair is
  read again under the lock: a task that waited finds it fresh and refreshes nothing;
- the new pair is stored in one UPDATE, only if the refresh token is still the one refreshed
  from: a replica that lost the race takes the winner's pair instead of overwriting it;
- Strava refusing a refresh token that another replica already rotated is not a lost
  connection: the stored pair is read once more before the runner is told to reconnect.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken

from runcoach.clock import Clock
from runcoach.db import strava as queries
from runcoach.db.engine import Database
from runcoach.domain.errors import NotFound
from runcoach.domain.strava import Account
from runcoach.strava.client import TOKEN_REFUSED, StravaClient, TokenRefused

#: Refresh this long before the access token expires, so no request goes out with a dying token.
REFRESH_EARLY = timedelta(minutes=5)
NOT_CONNECTED = "Strava is not connected: connect it on the Strava page."
STATE_TTL_S = 600


class Cipher:
    """Fernet with the clock passed in (the OAuth state's lifetime is read against it)."""

    def __init__(self, key: str, clock: Clock) -> None:
        self._fernet = Fernet(key.encode())
        self._clock = clock
        #: A short, stable, non-secret name for this key: it makes upload external ids unique
        #: to this installation.
        self.installation = hashlib.sha256(key.encode()).hexdigest()[:10]

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode()

    def seal(self, text: str) -> str:
        return self._fernet.encrypt_at_time(text.encode(), int(self._clock.now().timestamp())).decode()

    def open(self, sealed: str, *, ttl_s: int | None = None) -> str | None:
        """The clear text, or None for a token this key did not seal (or older than `ttl_s`)."""
        try:
            if ttl_s is None:
                return self._fernet.decrypt(sealed.encode()).decode()
            now = int(self._clock.now().timestamp())
            return self._fernet.decrypt_at_time(sealed.encode(), ttl_s, now).decode()
        except (InvalidToken, ValueError):
            return None


class Tokens:
    def __init__(self, database: Database, clock: Clock, cipher: Cipher, client: StravaClient) -> None:
        self.database = database
        self.clock = clock
        self.cipher = cipher
        self.client = client
        self._locks: dict[int, asyncio.Lock] = {}

    async def access_token(self, user_id: int) -> str:
        """A valid access token for the runner: NotFound when not connected, TokenRefused when
        Strava no longer accepts the connection (the account then says so)."""
        account = await self._account(user_id)
        if self._fresh(account):
            return self._clear(account.access_token)
        lock = self._locks.setdefault(user_id, asyncio.Lock())
        async with lock:
            account = await self._account(user_id)
            if self._fresh(account):
                return self._clear(account.access_token)
            return await self._refresh(account)

    async def _refresh(self, account: Account) -> str:
        try:
            grant = await self.client.refresh(self._clear(account.refresh_token))
        except TokenRefused:
            latest = await self._account(account.user_id)
            if latest.refresh_token != account.refresh_token:  # another replica refreshed first
                return self._clear(latest.access_token)
            async with self.database.session() as db:
                await queries.update_account(db, user_id=account.user_id, problem=TOKEN_REFUSED)
            raise
        async with self.database.session() as db:
            stored = await queries.swap_tokens(
                db,
                user_id=account.user_id,
                old_refresh=account.refresh_token,
                access_token=self.cipher.seal(grant.access_token),
                refresh_token=self.cipher.seal(grant.refresh_token),
                expires_at=grant.expires_at,
            )
        if stored:
            return grant.access_token
        return self._clear((await self._account(account.user_id)).access_token)

    async def _account(self, user_id: int) -> Account:
        async with self.database.session() as db:
            account = await queries.get_account(db, user_id=user_id)
        if account is None:
            raise NotFound(NOT_CONNECTED)
        return account

    def _fresh(self, account: Account) -> bool:
        return account.expires_at - self.clock.now() > REFRESH_EARLY

    def _clear(self, sealed: str) -> str:
        clear = self.cipher.open(sealed)
        if clear is None:  # sealed with another key: the runner must connect again
            raise TokenRefused("RunCoach's token key changed since Strava was connected: connect again.")
        return clear
