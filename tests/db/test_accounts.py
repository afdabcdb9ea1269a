"""Accounts, sign-in limits, disabling, tokens and invites on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher, extract_parameters
from argon2.profiles import RFC_9106_LOW_MEMORY
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from runcoach.auth import passwords, service
from runcoach.db import sessions as session_queries
from runcoach.db import tokens as token_queries
from runcoach.db import users as user_queries
from runcoach.db.engine import Database
from runcoach.db.tables import ApiTokenRow
from runcoach.domain.accounts import ACCOUNT_FAILURES, ADDRESS_FAILURES, PAIR_FAILURES, User
from runcoach.domain.errors import AuthFailed, Conflict, InvalidInput, NotFound, Unavailable
from runcoach.domain.workouts import Goal, WorkoutSpec
from runcoach.workouts import service as workouts
from tests.helpers import CHEAP_HASHER

T0 = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
PASSWORD = "Correct-Horse-42"
WRONG = "nope-nope-1"
HOME = "192.0.2.10"
ELSEWHERE = "198.51.100.7"


async def make_user(database: Database, email: str = "ann@example.com", admin: bool = True) -> User:
    return await service.create_user(
        database, email=email, name="Ann", password=PASSWORD, is_admin=admin, now=T0
    )


async def sign_in(
    database: Database,
    email: str = "ann@example.com",
    password: str = PASSWORD,
    *,
    address: str = HOME,
    now: datetime = T0,
) -> User:
    return await service.sign_in(database, email=email, password=password, address=address, now=now)


async def fail(database: Database, times: int, **kwargs: object) -> None:
    for _ in range(times):
        with pytest.raises(AuthFailed, match="Wrong email or password"):
            await sign_in(database, password=WRONG, **kwargs)  # type: ignore[arg-type]


class RecordingHasher:
    """argon2's hasher, noting which thread runs each hash and check."""

    def __init__(self, inner: PasswordHasher) -> None:
        self.inner = inner
        self.hashed: list[int] = []
        self.checked: list[int] = []

    def hash(self, password: str) -> str:
        self.hashed.append(threading.get_ident())
        return self.inner.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.checked.append(threading.get_ident())
        return self.inner.verify(password_hash, password)

    def check_needs_rehash(self, password_hash: str) -> bool:
        return self.inner.check_needs_rehash(password_hash)


@pytest.fixture
def argon2(monkeypatch: pytest.MonkeyPatch) -> RecordingHasher:
    recording = RecordingHasher(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", recording)
    return recording


async def test_a_new_user_can_sign_in_with_email_in_any_case(database: Database) -> None:
    created = await make_user(database)
    assert await sign_in(database, " ANN@Example.com ") == created


async def test_an_existing_email_is_a_conflict(database: Database) -> None:
    await make_user(database)
    with pytest.raises(Conflict, match="already exists"):
        await make_user(database, email="Ann@example.com")


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("not-an-email", PASSWORD, "email"),
        ("bob@example.com", "short1", "password"),
        ("bob@example.com", "password123", "password"),
        ("bob@example.com", "aaaaaaaaaaaa", "password"),
        ("bobby@example.com", "xbobby-2024!", "password"),
    ],
)
async def test_bad_input_names_the_field(database: Database, email: str, password: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        await service.create_user(
            database, email=email, name="Bob", password=password, is_admin=False, now=T0
        )
    assert caught.value.field == field


async def test_setup_is_refused_once_an_account_exists(database: Database) -> None:
    await make_user(database)
    assert not await service.setup_needed(database)
    with pytest.raises(Conflict, match="Setup is already done"):
        await service.create_first_admin(database, email="x@example.com", name="X", password=PASSWORD, now=T0)


async def test_two_set_ups_at_once_make_one_admin(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted, both = 0, asyncio.Event()
    count_users = user_queries.count_users

    async def count_then_linger(db: AsyncSession) -> int:
        nonlocal counted
        n = await count_users(db)
        counted += 1
        if counted == 2:
            both.set()
        with contextlib.suppress(TimeoutError):  # the other set-up counts now, unless it waits its turn
            await asyncio.wait_for(both.wait(), 1.0)
        return n

    async def open_setup(_database: Database) -> bool:  # both got past the setup page's first check
        return True

    monkeypatch.setattr(service, "setup_needed", open_setup)
    monkeypatch.setattr(user_queries, "count_users", count_then_linger)
    results = await asyncio.gather(
        *(
            service.create_first_admin(
                database, email=f"admin{i}@example.com", name="A", password=PASSWORD, now=T0
            )
            for i in range(2)
        ),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "User"], results
    async with database.session() as db:
        assert await count_users(db) == 1


async def test_wrong_password_and_unknown_email_fail_alike(database: Database) -> None:
    await make_user(database)
    for email, password in [("ann@example.com", "Wrong-pass-99"), ("nobody@example.com", PASSWORD)]:
        with pytest.raises(AuthFailed, match="Wrong email or password"):
            await sign_in(database, email, password)


async def test_password_hashing_and_checking_run_off_the_event_loop(
    database: Database, argon2: RecordingHasher
) -> None:
    await make_user(database)
    await sign_in(database)
    with pytest.raises(AuthFailed):
        await sign_in(database, "nobody@example.com")
    assert argon2.hashed and len(argon2.checked) == 2  # (plus the unknown-email dummy, made once)
    assert threading.get_ident() not in argon2.hashed + argon2.checked


@pytest.mark.usefixtures("production_password_hashing")
async def test_passwords_are_hashed_with_argon2id_at_the_rfc_9106_low_memory_cost() -> None:
    """The cost production pays (the other tests hash at the lowest cost to save time)."""
    hashed = await passwords.hash_password(PASSWORD)
    assert extract_parameters(hashed) == RFC_9106_LOW_MEMORY  # argon2id, 3 passes, 64 MiB, 4 lanes
    assert await passwords.verify_password(hashed, PASSWORD)
    assert not await passwords.verify_password(hashed, WRONG)
    assert not await passwords.verify_password(None, PASSWORD)
    assert not passwords.needs_rehash(hashed)
    # A cheaper hash (the tests', or an old one) is made again at this cost at the next sign-in.
    assert passwords.needs_rehash(CHEAP_HASHER.hash(PASSWORD))


async def test_five_failures_from_one_address_lock_that_address_for_the_window(database: Database) -> None:
    await make_user(database)
    for minute in range(PAIR_FAILURES):
        await fail(database, 1, now=T0 + timedelta(minutes=minute))
    with pytest.raises(AuthFailed, match="Too many failed sign-ins for this account"):
        await sign_in(database, now=T0 + timedelta(minutes=10))
    # 15 minutes after the first failure it has left the window: four failures remain, so it works.
    assert await sign_in(database, now=T0 + timedelta(minutes=15))


async def test_four_failures_do_not_lock(database: Database) -> None:
    await make_user(database)
    await fail(database, PAIR_FAILURES - 1)
    assert await sign_in(database)


async def test_twenty_wrong_passwords_at_once_get_at_most_the_allowed_checks(
    database: Database, argon2: RecordingHasher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(passwords, "SIGN_IN_SLOTS", 100)  # all at once, as if through many replicas
    await make_user(database)
    results = await asyncio.gather(
        *(sign_in(database, password=WRONG) for _ in range(20)), return_exceptions=True
    )
    assert all(isinstance(r, AuthFailed) for r in results), results
    assert len(argon2.checked) <= PAIR_FAILURES
    assert sum("Too many" in str(r) for r in results) >= 20 - PAIR_FAILURES


async def test_beyond_the_waiting_line_a_sign_in_is_refused_as_busy(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(passwords, "SIGN_IN_SLOTS", 1)
    monkeypatch.setattr(passwords, "MAX_WAITING", 1)
    await make_user(database)
    results = await asyncio.gather(*(sign_in(database) for _ in range(3)), return_exceptions=True)
    assert sum(isinstance(r, User) for r in results) == 2
    assert [str(r) for r in results if isinstance(r, Unavailable)] == [
        "Sign-in is busy right now; try again in a moment"
    ]


async def test_an_attacker_elsewhere_does_not_lock_the_owner_out(database: Database) -> None:
    await make_user(database)
    await fail(database, PAIR_FAILURES, address=ELSEWHERE)
    with pytest.raises(AuthFailed, match="Too many"):
        await sign_in(database, address=ELSEWHERE)
    assert await sign_in(database, address=HOME)


async def test_guesses_spread_over_many_addresses_hit_the_account_wide_cap(database: Database) -> None:
    await make_user(database)
    for i in range(ACCOUNT_FAILURES):
        await fail(database, 1, address=f"203.0.113.{i}")
    with pytest.raises(AuthFailed, match="Too many failed sign-ins for this account"):
        await sign_in(database, address="203.0.113.200")
    assert await service.unlock(database, email="ann@example.com") == ACCOUNT_FAILURES
    assert await sign_in(database, address="203.0.113.200")


async def test_spraying_passwords_across_accounts_from_one_address_is_stopped(
    database: Database, argon2: RecordingHasher
) -> None:
    await make_user(database)
    for i in range(ADDRESS_FAILURES):
        with pytest.raises(AuthFailed, match="Wrong email or password"):
            await sign_in(database, f"runner{i}@example.com", address=ELSEWHERE)
    with pytest.raises(AuthFailed, match="from your network"):
        await sign_in(database, address=ELSEWHERE)  # even the right password of a fresh account
    assert len(argon2.checked) == ADDRESS_FAILURES
    assert await sign_in(database, address=HOME)


async def test_an_admin_unlock_lets_the_owner_in_at_once(database: Database) -> None:
    await make_user(database)
    await fail(database, PAIR_FAILURES)
    with pytest.raises(AuthFailed, match="Too many"):
        await sign_in(database)
    assert await service.unlock(database, email="ANN@example.com") == PAIR_FAILURES
    assert await sign_in(database)


async def test_refused_attempts_do_not_extend_the_lock(database: Database) -> None:
    await make_user(database)
    await fail(database, PAIR_FAILURES)
    for minute in range(1, 15):
        with pytest.raises(AuthFailed, match="Too many"):
            await sign_in(database, password=WRONG, now=T0 + timedelta(minutes=minute))
    assert await sign_in(database, now=T0 + timedelta(minutes=15))


async def test_a_disabled_account_is_refused_everywhere_until_enabled(database: Database) -> None:
    user = await make_user(database)
    _, plain = await service.create_token(database, user_id=user.id, label="script", now=T0)
    session = await _a_session(database, user)

    await service.set_disabled(database, email="ann@example.com", disabled=True, now=T0)
    with pytest.raises(AuthFailed, match="Wrong email or password"):
        await sign_in(database, password=WRONG)  # a wrong password learns nothing about the account
    with pytest.raises(AuthFailed, match="disabled"):
        await sign_in(database)
    assert await service.user_for_token(database, token=plain, now=T0) is None
    assert await service.active_user(database, user_id=user.id) is None
    async with database.session() as db:
        assert await session_queries.get_session(db, session_id=session.id, owner_id=user.id) is None
        assert await session_queries.find_by_pair_code(db, pair_code=session.pair_code) is None
        assert await session_queries.list_sessions(db, owner_id=user.id) == []

    await service.set_disabled(database, email="ann@example.com", disabled=False, now=T0)
    assert await sign_in(database) == user
    assert await service.user_for_token(database, token=plain, now=T0) == user
    async with database.session() as db:
        assert await session_queries.find_by_pair_code(db, pair_code=session.pair_code) is not None


async def _a_session(database: Database, user: User) -> session_queries.RunSession:
    spec = WorkoutSpec(duration_min=20, goal=Goal.EASY)
    workout = await workouts.generate(database, owner_id=user.id, spec=spec, seed=1, now=T0)
    async with database.session() as db:
        return await session_queries.add_session(
            db,
            owner_id=user.id,
            workout_id=workout.id,
            name=workout.name,
            segments=workout.segments,
            pair_code="ABCD2345",
            now=T0,
        )


async def test_deleting_an_account_removes_its_data(database: Database) -> None:
    user = await make_user(database)
    await service.create_token(database, user_id=user.id, label="script", now=T0)
    session = await _a_session(database, user)
    assert await service.delete_user(database, email="ann@example.com") == user
    assert await service.list_users(database) == []
    async with database.session() as db:
        assert await session_queries.get_session(db, session_id=session.id) is None
        assert list(await db.scalars(select(ApiTokenRow))) == []
    with pytest.raises(NotFound):
        await service.delete_user(database, email="ann@example.com")


async def test_a_token_authenticates_until_revoked_and_records_last_use(database: Database) -> None:
    user = await make_user(database)
    token, plain = await service.create_token(database, user_id=user.id, label="script", now=T0)
    assert plain.startswith("rc_") and token.prefix == plain[:8]
    assert await service.user_for_token(database, token=plain, now=T0 + timedelta(hours=1)) == user
    assert await service.user_for_token(database, token=plain + "x", now=T0) is None
    (listed,) = await service.list_tokens(database, user_id=user.id)
    assert listed.last_used_at == T0 + timedelta(hours=1)
    await service.revoke_token(database, token_id=token.id, user_id=user.id, now=T0)
    assert await service.user_for_token(database, token=plain, now=T0) is None
    with pytest.raises(NotFound):
        await service.revoke_token(database, token_id=token.id, user_id=user.id, now=T0)


async def test_a_runner_cannot_revoke_another_runners_token_but_the_command_line_can(
    database: Database,
) -> None:
    ann = await make_user(database)
    bob = await make_user(database, "bob@example.com", admin=False)
    token, _ = await service.create_token(database, user_id=ann.id, label="script", now=T0)
    with pytest.raises(NotFound):
        await service.revoke_token(database, token_id=token.id, user_id=bob.id, now=T0)
    await service.revoke_token(database, token_id=token.id, user_id=None, now=T0)
    await service.create_token(database, user_id=ann.id, label="a", now=T0)
    await service.create_token(database, user_id=ann.id, label="b", now=T0)
    assert await service.revoke_all_tokens(database, email="ann@example.com", now=T0) == 2


async def test_the_plain_token_is_never_stored(database: Database) -> None:
    user = await make_user(database)
    _, plain = await service.create_token(database, user_id=user.id, label="script", now=T0)
    async with database.session() as db:
        hashes = list(await db.scalars(select(ApiTokenRow.token_hash)))
    assert plain not in hashes and hashes == [service.hash_secret(plain)]


async def test_units_are_checked_and_saved(database: Database) -> None:
    user = await make_user(database)
    assert (await service.set_units(database, user_id=user.id, units="imperial")).units == "imperial"
    with pytest.raises(InvalidInput):
        await service.set_units(database, user_id=user.id, units="furlongs")


async def register(database: Database, code: str, email: str, now: datetime = T0) -> User:
    return await service.register_with_invite(
        database, code=code, email=email, name="Cy", password=PASSWORD, now=now
    )


async def test_an_invite_registers_one_user_and_then_is_used(database: Database) -> None:
    admin = await make_user(database)
    _, code = await service.create_invite(database, admin=admin, now=T0)
    new = await register(database, code, "cy@example.com")
    assert not new.is_admin
    with pytest.raises(InvalidInput, match="is used"):
        await register(database, code, "dee@example.com")
    (invite,) = await service.list_invites(database)
    assert invite.status(T0) == "used"


@pytest.mark.parametrize(
    ("code", "age", "message"),
    [("unknown-code", timedelta(0), "not valid"), (None, timedelta(days=7), "is expired")],
)
async def test_unknown_and_expired_invites_are_refused(
    database: Database, code: str | None, age: timedelta, message: str
) -> None:
    admin = await make_user(database)
    _, real = await service.create_invite(database, admin=admin, now=T0)
    with pytest.raises(InvalidInput, match=message):
        await register(database, code or real, "cy@example.com", now=T0 + age)


async def test_only_admins_create_invites(database: Database) -> None:
    runner = await make_user(database, admin=False)
    with pytest.raises(AuthFailed):
        await service.create_invite(database, admin=runner, now=T0)


async def test_a_registration_that_loses_its_invite_leaves_no_account(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await make_user(database)
    _, code = await service.create_invite(database, admin=admin, now=T0)

    async def taken(_db: AsyncSession, **_: object) -> bool:  # another registration claimed it first
        return False

    monkeypatch.setattr(token_queries, "claim_invite", taken)
    with pytest.raises(InvalidInput, match="used a moment ago"):
        await register(database, code, "cy@example.com")
    async with database.session() as db:
        assert await user_queries.get_user_by_email(db, email="cy@example.com") is None


async def test_two_registrations_racing_for_one_invite_make_one_user(database: Database) -> None:
    admin = await make_user(database)
    _, code = await service.create_invite(database, admin=admin, now=T0)
    results = await asyncio.gather(
        *(register(database, code, f"racer{i}@example.com") for i in range(4)), return_exceptions=True
    )
    winners = [r for r in results if isinstance(r, User)]
    assert len(winners) == 1, results
    assert all(isinstance(r, (InvalidInput, Conflict)) for r in results if r not in winners)
