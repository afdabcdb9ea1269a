"""Two replicas on one PostgreSQL, real processes and real browsers:

- a tablet's run view on replica A, a phone's remote on replica B: pause on the phone, the tablet
  shows Paused; replica A's LISTEN connection killed (pg_terminate_backend), the views recover and
  commands keep arriving;
- browser sessions in Redis: signed in through A, a page on B opens without signing in again
  (and without Redis, as the control, B sends the browser to sign in)."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from runcoach.live.pg_notify import APPLICATION_NAME
from tests.e2e.conftest import ServerFactory
from tests.helpers import open_signed_in, tap, text_of, wait_connected, wait_for, wait_text

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

EMAIL, PASSWORD = "coach@example.com", "correct horse battery"
TABLET_SIZE, PHONE_SIZE = (1280, 800), (390, 844)
Browser = Callable[[tuple[int, int]], WebDriver]
REDIS_URL = os.environ.get("RUNCOACH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
#: The live views drop a second command tap within 0.6 s of the last (runcoach/static/live.js).
TAP_GUARD_S = 0.7


async def kill_listener(postgres_url: str, pid: int) -> int:
    """Terminate the LISTEN connection of the server process `pid`; how many were terminated."""
    engine = create_async_engine(postgres_url)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": f"{APPLICATION_NAME} {pid}"},
            )
            return len(found.all())
    finally:
        await engine.dispose()


def test_a_phone_on_one_replica_drives_a_tablet_on_another_even_after_its_listener_dies(
    runcoach_server: ServerFactory, browser: Callable[[tuple[int, int]], WebDriver], postgres_url: str
) -> None:
    runcoach_server.env["RUNCOACH_DATABASE_URL"] = postgres_url
    replica_a, replica_b = runcoach_server.start(), runcoach_server.start()
    token = runcoach_server.user_with_token(EMAIL, PASSWORD, admin=True)
    with replica_a.api(token) as api:
        session = api.new_session(duration_min=20, goal="easy")

    tablet = browser(TABLET_SIZE)
    open_signed_in(tablet, replica_a.base, f"/sessions/{session['id']}/run", EMAIL, PASSWORD)
    wait_text(tablet, "rc-status", "Ready")
    shown = wait_for(tablet, lambda d: text_of(d, "rc-pair-code") or False, "the pairing code")
    match = re.search(r"[A-Z0-9]{4}[- ]?[A-Z0-9]{4}", str(shown))
    assert match, f"no pairing code in {shown!r}"
    code = re.sub(r"[^A-Z0-9]", "", match.group())

    phone = browser(PHONE_SIZE)
    phone.get(f"{replica_b.base}/r/{code}")  # the other replica, paired by code alone
    wait_connected(phone)

    # Each tap waits for the other screen, then past the pages' 0.6 s double-tap guard.
    command(phone, "rc-start", tablet, "Running")
    command(phone, "rc-pause", tablet, "Paused")

    assert asyncio.run(kill_listener(postgres_url, replica_a.process.pid)) == 1
    command(phone, "rc-resume", tablet, "Running")  # maybe missed while not listening: re-synced
    command(phone, "rc-pause", tablet, "Paused")
    command(tablet, "rc-resume", phone, "Running")  # and the other way round


def command(sender: WebDriver, button: str, viewer: WebDriver, status: str) -> None:
    tap(sender, button)
    wait_text(viewer, "rc-status", status)
    wait_text(sender, "rc-status", status)
    time.sleep(TAP_GUARD_S)


def signed_in_on_a_then_opens_b(
    runcoach_server: ServerFactory, browser: Browser, postgres_url: str, tmp_path: Path, *, redis: bool
) -> WebDriver:
    """Two replicas on one PostgreSQL, each with its own data directory (with `redis`, one Redis
    too): a browser signs in through A, then opens Settings on B."""
    runcoach_server.env |= {
        "RUNCOACH_DATABASE_URL": postgres_url,
        "RUNCOACH_STORAGE_SECRET": secrets.token_urlsafe(32),  # replicas share the cookie's key
    }
    if redis:
        runcoach_server.env |= {
            "RUNCOACH_REDIS_URL": REDIS_URL,
            "NICEGUI_REDIS_KEY_PREFIX": f"rc-test-{secrets.token_hex(4)}:",  # this test's keys only
        }
    replica_a = runcoach_server.start(data_dir=tmp_path / "a")
    replica_b = runcoach_server.start(data_dir=tmp_path / "b")
    runcoach_server.user_with_token(EMAIL, PASSWORD, admin=True)
    runner = browser(TABLET_SIZE)
    open_signed_in(runner, replica_a.base, "/workouts", EMAIL, PASSWORD)
    runner.get(f"{replica_b.base}/settings")  # cookies are per host, not per port: the same browser
    return runner


def test_signed_in_on_one_replica_is_signed_in_on_the_other_through_redis(
    runcoach_server: ServerFactory, browser: Browser, postgres_url: str, tmp_path: Path
) -> None:
    runner = signed_in_on_a_then_opens_b(runcoach_server, browser, postgres_url, tmp_path, redis=True)
    wait_for(runner, lambda d: "/settings" in d.current_url, "replica B to open Settings")
    wait_connected(runner)
    assert EMAIL in runner.find_element(By.TAG_NAME, "body").text


def test_without_redis_another_replica_asks_to_sign_in(
    runcoach_server: ServerFactory, browser: Browser, postgres_url: str, tmp_path: Path
) -> None:
    """The control: the same two replicas without Redis do not know the browser on B."""
    runner = signed_in_on_a_then_opens_b(runcoach_server, browser, postgres_url, tmp_path, redis=False)
    wait_for(runner, lambda d: "/login" in d.current_url, "replica B to ask for a sign-in")
