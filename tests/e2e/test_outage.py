"""A database that stops answering is an honest 503 (never a 500, never "another screen"), and the
server recovers by itself when the database is back. Real server process, real PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import POSTGRES_URL
from tests.e2e.conftest import ServerFactory


async def _allow_connections(url: str, allowed: bool) -> None:
    """Open or shut the database: shutting also ends every connection the server holds."""
    name = make_url(url).database
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}'))
        if not allowed:
            await conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            )
    await admin.dispose()


@pytest.mark.postgres
async def test_reads_and_commands_answer_503_while_postgresql_is_gone_and_work_again_after(
    runcoach_server: ServerFactory, postgres_url: str
) -> None:
    runcoach_server.env["RUNCOACH_DATABASE_URL"] = postgres_url
    server = runcoach_server.start()
    with server.api(runcoach_server.user_with_token()) as api:
        session = api.new_session()
        await _allow_connections(postgres_url, False)
        try:
            for method, path in [("GET", "/api/workouts"), ("POST", f"/api/sessions/{session['id']}/start")]:
                response = api.client.request(method, path)
                assert response.status_code == 503, (path, response.text)
                assert "not answering" in response.json()["detail"], response.text
                assert response.headers["retry-after"].isdigit()
            assert api.client.get("/health").status_code == 503
        finally:
            await _allow_connections(postgres_url, True)
        assert api.post(f"/api/sessions/{session['id']}/start")["status"] == "running"
