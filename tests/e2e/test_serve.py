"""`runcoach serve` as a real process: upgrades a fresh database, answers /health, serves setup."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.e2e.conftest import ServerFactory


def test_python_dash_m_runcoach_serves_a_fresh_install(
    runcoach_server: ServerFactory, data_dir: Path
) -> None:
    server = runcoach_server.start()
    try:
        assert server.health is not None
        assert server.health.json()["status"] == "ok" and server.health.json()["database"] == "sqlite"
        first = httpx.get(f"{server.base}/", follow_redirects=True, timeout=5)
        assert first.url.path == "/setup" and "Create admin account" in first.text
        assert (data_dir / "runcoach.db").exists()
        assert (data_dir / "storage_secret").stat().st_mode & 0o777 == 0o600
    finally:
        server.stop()
    assert server.process.returncode is not None
