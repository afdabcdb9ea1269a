"""`runcoach serve` as a real process: upgrades a fresh database, answers /health, serves setup."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

STARTUP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(base: str, process: subprocess.Popen[bytes]) -> httpx.Response:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, "server exited during start-up"
        try:
            response = httpx.get(f"{base}/health", timeout=2)
            if response.status_code == 200:
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("server did not become healthy in time")


def test_python_dash_m_runcoach_serves_a_fresh_install(data_dir: Path) -> None:
    port = free_port()
    # Without PYTEST_* variables: NiceGUI would otherwise think it runs inside a test.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NICEGUI_"))}
    env |= {"RUNCOACH_DATA_DIR": str(data_dir), "RUNCOACH_HOST": "127.0.0.1"}
    process = subprocess.Popen([sys.executable, "-m", "runcoach", "serve", "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        health = wait_healthy(base, process)
        assert health.json()["status"] == "ok" and health.json()["database"] == "sqlite"
        first = httpx.get(f"{base}/", follow_redirects=True, timeout=5)
        assert first.url.path == "/setup" and "Create admin account" in first.text
        assert (data_dir / "runcoach.db").exists()
        assert (data_dir / "storage_secret").stat().st_mode & 0o777 == 0o600
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
