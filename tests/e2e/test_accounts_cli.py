"""The operator's commands against a running server, through real processes: effects are immediate."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import ServerFactory


def status(base: str, token: str) -> int:
    return httpx.get(
        f"{base}/api/workouts", headers={"Authorization": f"Bearer {token}"}, timeout=5
    ).status_code


def test_disable_and_token_revocation_stop_the_api_of_a_running_server_at_once(
    runcoach_server: ServerFactory,
) -> None:
    token = runcoach_server.cli_user_with_token("runner@example.com")
    server = runcoach_server.start()
    assert status(server.base, token) == 200

    runcoach_server.cli("users", "disable", "runner@example.com")
    assert status(server.base, token) == 401
    runcoach_server.cli("users", "enable", "runner@example.com")
    assert status(server.base, token) == 200

    runcoach_server.cli("tokens", "revoke", "--all", "runner@example.com")
    assert status(server.base, token) == 401
    assert "\tdisabled" not in runcoach_server.cli("users", "list")
