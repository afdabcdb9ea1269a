"""Real server processes for end-to-end tests: `python -m runcoach serve` on a free port, the CLI, the API.

`runcoach_server` is a factory: `start()` launches a server (on the test's data directory unless told
otherwise) and waits for /health; every process it started is killed at teardown, whatever happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from runcoach.auth import service
from runcoach.clock import SystemClock
from runcoach.config import Settings
from runcoach.db.engine import Database
from tests.conftest import IN_CI, POSTGRES_URL

STARTUP_TIMEOUT_S = 30
STOP_TIMEOUT_S = 15
CLI_TIMEOUT_S = 30
HTTP_TIMEOUT_S = 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path) -> dict[str, str]:
    """The environment of a server or CLI process on `data_dir`.

    Without PYTEST_* and NICEGUI_* variables: NiceGUI would otherwise think it runs inside a test.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NICEGUI_", "RUNCOACH_"))}
    return env | {"RUNCOACH_DATA_DIR": str(data_dir), "RUNCOACH_HOST": "127.0.0.1"}


def wait_healthy(
    base: str, process: subprocess.Popen[bytes], timeout_s: float = STARTUP_TIMEOUT_S
) -> httpx.Response:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, f"server exited during start-up with code {process.returncode}"
        try:
            response = httpx.get(f"{base}/health", timeout=2)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"server did not become healthy within {timeout_s} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it lingers; a no-op for a process that already ended."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)


@dataclass
class Server:
    """One running `runcoach serve` process."""

    process: subprocess.Popen[bytes]
    port: int
    data_dir: Path
    health: httpx.Response | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing; a power cut as far as the server can tell."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=STOP_TIMEOUT_S)

    def stop(self) -> None:
        stop(self.process)

    def api(self, token: str) -> Api:
        return Api(self.base, token)


@dataclass
class ServerFactory:
    data_dir: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    #: Extra environment for every server and CLI process (e.g. RUNCOACH_DATABASE_URL).
    env: dict[str, str] = field(default_factory=dict)

    def start(self, data_dir: Path | None = None, port: int | None = None) -> Server:
        """A server on `data_dir` (the test's by default), healthy when this returns."""
        data_dir = data_dir or self.data_dir
        port = port or free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "runcoach", "serve", "--port", str(port)],
            env=server_env(data_dir) | self.env,
            cwd=data_dir.parent,  # a temporary directory: a developer's .env never leaks in
        )
        self.processes.append(process)
        server = Server(process=process, port=port, data_dir=data_dir)
        server.health = wait_healthy(server.base, process)
        return server

    def cli(self, *args: str, stdin: str = "", data_dir: Path | None = None) -> str:
        """Run `python -m runcoach ARGS` on the data directory; its standard output (exit code 0 asserted)."""
        data_dir = data_dir or self.data_dir
        result = subprocess.run(
            [sys.executable, "-m", "runcoach", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=server_env(data_dir) | self.env,
            cwd=data_dir.parent,
            timeout=CLI_TIMEOUT_S,
            check=False,
        )
        assert result.returncode == 0, f"runcoach {' '.join(args)} failed: {result.stderr}"
        return result.stdout

    def cli_user_with_token(
        self,
        email: str = "runner@example.com",
        password: str = "correct horse battery",
        *,
        admin: bool = True,
    ) -> str:
        """Create an account with the CLI and return a fresh API token for it."""
        admin_flag = ["--admin"] if admin else []
        self.cli("users", "add", email, "--name", "Runner", *admin_flag, stdin=password + "\n")
        return self.cli("tokens", "create", email).strip().splitlines()[-1].strip()

    def user_with_token(
        self,
        email: str = "runner@example.com",
        password: str = "correct horse battery",
        *,
        admin: bool = True,
        data_dir: Path | None = None,
    ) -> str:
        """Create an account in the servers' database and return a fresh API token for it.

        The service calls `runcoach users add` and `tokens create` make, at the production password
        cost, without their two Python start-ups (about 2 s on a busy box); `cli_user_with_token`
        and test_accounts_cli.py run the commands as processes.
        """
        url = (
            self.env.get("RUNCOACH_DATABASE_URL")
            or Settings(
                _env_file=None, data_dir=data_dir or self.data_dir, database_url=None
            ).resolved_database_url
        )
        # In a thread with a loop of its own: async tests call this from inside theirs.
        with ThreadPoolExecutor(max_workers=1) as thread:
            return thread.submit(asyncio.run, _add_user_with_token(url, email, password, admin)).result()

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):  # a process we cannot reap: move on
                process.wait(timeout=STOP_TIMEOUT_S)


async def _add_user_with_token(url: str, email: str, password: str, admin: bool) -> str:
    database = Database(url)
    try:
        await database.start()  # upgrades the schema if no server has yet
        now = SystemClock().now()
        user = await service.create_user(
            database, email=email, name="Runner", password=password, is_admin=admin, now=now
        )
        _, token = await service.create_token(database, user_id=user.id, label="CLI token", now=now)
    finally:
        await database.close()
    return token


@pytest.fixture(autouse=True)
def production_passwords(production_password_hashing: None) -> None:
    """Accounts made here for real servers get production-cost hashes, as the command line makes them."""


@pytest.fixture
def runcoach_server(data_dir: Path) -> Iterator[ServerFactory]:
    """Start real servers with `runcoach_server.start()`; all of them are killed at teardown."""
    factory = ServerFactory(data_dir=data_dir)
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture(scope="module")
def module_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerFactory]:
    """`runcoach_server` for servers a whole module shares: a start-up and an account creation (three
    processes, 3 to 5 s on a busy box) once per module, not once per test. Each test then makes its
    own data on them (a session, say); a test that stops or breaks a server starts its own."""
    factory = ServerFactory(data_dir=tmp_path_factory.mktemp("shared") / "data")
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database for real server processes; dropped afterwards."""
    name = f"rc_{secrets.token_hex(6)}"
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # refused, auth, missing server
        await admin.dispose()
        if IN_CI:
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required in CI: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


class Api:
    """A small bearer-token client for one server."""

    def __init__(self, base: str, token: str) -> None:
        self.client = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=HTTP_TIMEOUT_S
        )

    def post(self, path: str, json: dict[str, Any] | None = None, status: int = 200) -> dict[str, Any]:
        response = self.client.post(path, json=json)
        assert response.status_code == status, f"POST {path}: {response.status_code} {response.text}"
        data: dict[str, Any] = response.json()
        return data

    def get(self, path: str) -> dict[str, Any]:
        response = self.client.get(path)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
        data: dict[str, Any] = response.json()
        return data

    def new_session(self, *, duration_min: int = 20, goal: str = "easy", seed: int = 7) -> dict[str, Any]:
        workout = self.post(
            "/api/workouts/generate", {"duration_min": duration_min, "goal": goal, "seed": seed}, status=201
        )
        return self.post("/api/sessions", {"workout_id": workout["id"]}, status=201)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PAGE_LOAD_TIMEOUT_S = 20


@pytest.fixture
def browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[tuple[int, int]], WebDriver]]:
    """A factory of headless Chromium windows, each its own profile (own cookies); all quit at teardown."""
    message = chromium_missing()
    if message:
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager download a driver
    drivers: list[WebDriver] = []

    def open_browser(size: tuple[int, int]) -> WebDriver:
        driver = open_chromium(tmp_path / f"chromium-{len(drivers)}", size)
        drivers.append(driver)
        return driver

    try:
        yield open_browser
    finally:
        for driver in drivers:
            with contextlib.suppress(WebDriverException):  # already gone: nothing left to close
                driver.quit()


def chromium_missing() -> str | None:
    """Why no browser test can run here, or None."""
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if shutil.which(path) is None]
    return f"{', '.join(missing)} missing: apt-get install chromium chromium-driver" if missing else None


def open_chromium(profile: Path, size: tuple[int, int]) -> WebDriver:
    """A headless Chromium window with its own profile (own cookies); the caller quits it."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        f"--window-size={size[0]},{size[1]}",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT_S)
    driver.set_window_size(*size)
    return driver


# --------------------------------------------------------------------------- Strava on the fake

STRAVA_VERIFY = "a-verify-token-for-tests"


def strava_env(fake: Any, public_url: str, key: str) -> dict[str, str]:
    """A server's environment for Strava on `fake` (a tests.fake_strava.FakeStrava)."""
    return {
        "RUNCOACH_PUBLIC_URL": public_url,
        "RUNCOACH_STRAVA_CLIENT_ID": "1234",
        "RUNCOACH_STRAVA_CLIENT_SECRET": "s3cret",
        "RUNCOACH_STRAVA_VERIFY_TOKEN": STRAVA_VERIFY,
        "RUNCOACH_STRAVA_OAUTH_URL": fake.oauth_url,
        "RUNCOACH_STRAVA_API_URL": fake.api_url,
        "RUNCOACH_TOKEN_KEY": key,
    }


async def connect_strava(
    database: Database, fake: Any, *, public_url: str, key: str, email: str, athlete: int, scope: str
) -> None:
    """The runner `email` connects Strava as `athlete`, through the service on a server's database
    (the callback's work; the browser test drives the real sign-in)."""
    from pydantic import SecretStr

    from runcoach.db import users
    from runcoach.strava.service import Strava
    from runcoach.strava.tokens import Cipher

    settings = Settings(
        _env_file=None,
        public_url=public_url,
        strava_client_id="1234",
        strava_client_secret=SecretStr("s3cret"),
        strava_oauth_url=fake.oauth_url,
        strava_api_url=fake.api_url,
        token_key=SecretStr(key),
    )
    clock = SystemClock()
    strava = Strava(settings, database, clock, Cipher(key, clock))
    try:
        async with database.session() as db:
            account = await users.get_user_by_email(db, email=email)
        assert account is not None
        state = httpx.URL(strava.connect_url(account.id)).params["state"]
        code = fake.grant(athlete, scope)
        await strava.finish_connect(account.id, state=state, code=code, scope=scope, error=None)
    finally:
        await strava.close()
