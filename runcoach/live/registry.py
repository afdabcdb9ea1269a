"""The session registry: creating run sessions, finding them by id or pairing code, listing them.

Reads go to the database every time (never to the hub's cache of watched sessions), so a page
built from here shows the truth after a reload, a restart, or a command on another replica.
"""

from __future__ import annotations

import secrets
from dataclasses import replace

from sqlalchemy.exc import IntegrityError

from runcoach.clock import Clock
from runcoach.db import profiles as profile_queries
from runcoach.db import sessions as queries
from runcoach.db import users as user_queries
from runcoach.db import workouts as workout_queries
from runcoach.db.engine import Database
from runcoach.domain.accounts import Units
from runcoach.domain.errors import Conflict, NotFound
from runcoach.domain.session import RunSession, clean_pair_code
from runcoach.domain.structure import Console
from runcoach.domain.workouts import Segment
from runcoach.live.channels import ANY_SEQ, Announce, InProcessNotifier
from runcoach.live.present import units_of

PAIR_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a tablet from two metres
PAIR_CODE_LENGTH = 8  # 31**8 ~ 8.5e11 codes: guessing a live one within its 12 hours is hopeless
PAIR_CODE_ATTEMPTS = 3
INVALID_PAIR_CODE = "This pairing code is not valid (sessions pair for 12 hours, until they end)"
ENDED_NO_PAIRING = "This run has ended: there is nothing left to pair a phone with"


def new_pair_code() -> str:
    return "".join(secrets.choice(PAIR_ALPHABET) for _ in range(PAIR_CODE_LENGTH))


class SessionRegistry:
    """Run sessions in the database. Outages raise Unavailable; unknown or foreign ids NotFound."""

    def __init__(self, db: Database, clock: Clock, *, announce: Announce | None = None) -> None:
        self.db = db
        self.clock = clock
        #: Tells the other replicas of a renewed pairing inside the transaction that saves it.
        self.announce = announce or InProcessNotifier().within

    async def create_session(self, *, workout_id: int, owner_id: int) -> RunSession:
        """A new session playing that workout, with the owner's treadmill console as it is now
        (None without a profile); NotFound for an unknown or foreign workout."""
        for _ in range(PAIR_CODE_ATTEMPTS):  # a pair code collision is astronomically rare; retry anyway
            try:
                return await self._add(workout_id=workout_id, owner_id=owner_id)
            except IntegrityError:
                continue
        raise RuntimeError("could not draw a unique pairing code")

    async def _add(self, *, workout_id: int, owner_id: int) -> RunSession:
        async with self.db.session() as db:
            workout = await workout_queries.get_workout(db, workout_id=workout_id, owner_id=owner_id)
            if workout is None:
                raise NotFound(f"Workout {workout_id} not found")
            # The session keeps the console it was created for, as it keeps its program: a later
            # change of treadmill settings never changes the numbers of a run under way.
            profile = await profile_queries.get_profile(db, user_id=owner_id)
            return await queries.add_session(
                db,
                owner_id=owner_id,
                workout_id=workout.id,
                name=workout.name,
                segments=workout.segments,
                pair_code=new_pair_code(),
                now=self.clock.now(),
                console=None if profile is None else profile.treadmill.console,
            )

    async def create_planned(
        self,
        *,
        owner_id: int,
        name: str,
        segments: tuple[Segment, ...],
        plan_day: tuple[int, int],
        console: Console,
    ) -> RunSession:
        """A new session playing a planned day's program, compiled for `console` (the caller checked
        the plan is theirs and compiled it with the profile that gave `console`)."""
        for _ in range(PAIR_CODE_ATTEMPTS):
            try:
                async with self.db.session() as db:
                    return await queries.add_session(
                        db,
                        owner_id=owner_id,
                        name=name,
                        segments=segments,
                        pair_code=new_pair_code(),
                        now=self.clock.now(),
                        plan_day=plan_day,
                        console=console,
                    )
            except IntegrityError:
                continue
        raise RuntimeError("could not draw a unique pairing code")

    async def get(self, session_id: int, *, owner_id: int | None) -> RunSession:
        """The session from the database; NotFound when unknown or (with owner_id) foreign."""
        session = await self.find(session_id, owner_id=owner_id)
        if session is None:
            raise NotFound(f"Session {session_id} not found")
        return session

    async def find(self, session_id: int, *, owner_id: int | None) -> RunSession | None:
        """The session from the database, or None when unknown or (with owner_id) foreign."""
        async with self.db.session() as db:
            return await queries.get_session(db, session_id=session_id, owner_id=owner_id)

    async def by_pair_code(self, code: str) -> RunSession:
        """The session a pairing code controls, while the pairing is open; NotFound otherwise."""
        async with self.db.session() as db:
            session = await queries.find_by_pair_code(db, pair_code=clean_pair_code(code))
        if session is None or not session.pairing_open(self.clock.now()):
            raise NotFound(INVALID_PAIR_CODE)
        return session

    async def renew_pairing(self, session_id: int, *, owner_id: int) -> RunSession:
        """A new pairing code for an open session, good for 12 hours from now; the old code stops working.

        NotFound for an unknown or foreign session, Conflict once the run has ended.
        """
        for _ in range(PAIR_CODE_ATTEMPTS):  # as in create_session: a collision is astronomically rare
            try:
                return await self._renew(session_id, owner_id=owner_id)
            except IntegrityError:
                continue
        raise RuntimeError("could not draw a unique pairing code")

    async def _renew(self, session_id: int, *, owner_id: int) -> RunSession:
        async with self.db.session() as db:
            session = await queries.get_session(db, session_id=session_id, owner_id=owner_id)
            if session is None:
                raise NotFound(f"Session {session_id} not found")
            now = self.clock.now()
            if session.state(now).is_final:
                raise Conflict(ENDED_NO_PAIRING)
            code = new_pair_code()
            await queries.set_pair_code(db, session_id=session_id, pair_code=code, now=now)
            await self.announce(db, session_id, ANY_SEQ)
            return replace(session, pair_code=code, paired_at=now)

    async def list(self, *, owner_id: int) -> list[RunSession]:
        """The owner's newest sessions first."""
        async with self.db.session() as db:
            return await queries.list_sessions(db, owner_id=owner_id)

    async def owner_units(self, session: RunSession) -> Units:
        """The units of the session's runner: a paired phone has nobody signed in to ask."""
        async with self.db.session() as db:
            owner = await user_queries.get_user(db, user_id=session.owner_id)
        return units_of(owner.units if owner else None)
