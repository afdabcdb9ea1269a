"""The fake Messages API for the coach tests: one server per run, reset for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fake_anthropic import FakeAnthropic


@pytest.fixture(scope="session")
def fake_anthropic_server() -> Iterator[FakeAnthropic]:
    """Started once (stopping uvicorn takes about 0.2 s, too long to pay per test)."""
    with FakeAnthropic() as fake:
        yield fake


@pytest.fixture
def fake_anthropic(fake_anthropic_server: FakeAnthropic) -> FakeAnthropic:
    """The fake, fresh: empty script, no requests, empty cache, echoing by default, any key."""
    fake_anthropic_server.reset()
    return fake_anthropic_server
