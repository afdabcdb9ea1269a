"""The client's count of Strava's rate limits: what is in flight counts, counts only grow within a
window, and the day's count outlives the quarter hour."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from runcoach.domain.strava import Usage
from runcoach.strava.client import Limits, RateLimited
from tests.strava.conftest import Rig

NOW = datetime(2026, 3, 1, 6, 10, tzinfo=UTC)


def headers(reads_15: int, reads_day: int) -> dict[str, str]:
    return {
        "x-ratelimit-limit": "200,2000",
        "x-ratelimit-usage": f"{reads_15},{reads_day}",
        "x-readratelimit-limit": "100,1000",
        "x-readratelimit-usage": f"{reads_15},{reads_day}",
    }


def test_requests_in_flight_count_against_the_window() -> None:
    limits = Limits()
    limits.note(headers(96, 96))
    assert limits.wait(NOW, read=True) == 0
    limits.reads_in_flight = limits.in_flight = 2
    assert limits.wait(NOW, read=True) > 0


def test_a_late_answer_does_not_lower_the_count() -> None:
    limits = Limits()
    limits.note(headers(90, 500))
    limits.note(headers(85, 495))  # sent earlier, answered later
    assert limits.reads == Usage(90, 100, 500, 1000)


def test_the_day_s_count_outlives_the_quarter_hour() -> None:
    limits = Limits()
    limits.note(headers(40, 998))
    limits.new_quarter()
    assert limits.reads == Usage(0, 100, 998, 1000)
    assert limits.wait(NOW, read=True) > 3600  # until midnight, not the next quarter


async def test_twenty_reads_at_once_stop_short_of_the_limit_without_a_429(rig: Rig) -> None:
    rig.fake.read_limits = (30, 1000)
    await rig.connect()
    token = await rig.strava.tokens.access_token(rig.user_id)
    client = rig.strava.client
    await client.activities(token, after=0)  # one answer: the count is known

    async def read() -> str:
        try:
            await client.activity(token, 1)
        except RateLimited:
            return "waited"
        return "sent"

    outcomes = []
    for _ in range(3):
        outcomes += await asyncio.gather(*(read() for _ in range(20)))
    assert outcomes.count("sent") == 27  # 1 + 27 = 28 of the window's 30: 2 kept in reserve
    assert not [seen for seen in rig.fake.requests if seen.status == 429]
    assert rig.fake.usage().read[0] == 28


async def test_after_the_day_s_limit_nothing_is_sent_until_midnight(rig: Rig) -> None:
    rig.fake.read_limits = (100, 10)
    await rig.connect()
    token = await rig.strava.tokens.access_token(rig.user_id)
    for _ in range(8):
        await rig.strava.client.activity(token, 1)
    before = len(rig.fake.requests)
    for _ in range(12):  # three hours of quarter hours
        rig.clock.advance(15 * 60)
        try:
            await rig.strava.client.activity(token, 1)
        except RateLimited as limited:
            assert limited.at.hour == 0 and limited.at.minute == 0
    assert len(rig.fake.requests) == before
