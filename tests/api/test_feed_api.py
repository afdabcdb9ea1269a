"""The private calendar feed: a secret link made, replaced and stopped; the plan as valid iCalendar."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from runcoach.context import context
from runcoach.plans import service
from tests.api.conftest import Runner
from tests.helpers import PLAN_PROFILE, easy_plan

# Every test here runs on SQLite and again on PostgreSQL.
pytestmark = pytest.mark.usefixtures("app_backend")

MONDAY = date(2026, 11, 2)


async def feed_url(http: httpx.AsyncClient, runner: Runner) -> str:
    response = await http.post("/api/calendar/feed", headers=runner.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["url"])


def unfold(text: str) -> list[str]:
    """The logical lines of an iCalendar text (RFC 5545 3.1), every physical line checked."""
    physical = text.split("\r\n")
    assert physical[-1] == "" and all(len(line.encode()) <= 75 for line in physical)
    logical: list[str] = []
    for line in physical[:-1]:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return logical


async def test_the_feed_lists_each_planned_run_once_with_a_stable_uid(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    await http.put("/api/profile", json=PLAN_PROFILE.model_dump(mode="json"), headers=ann.headers)
    ctx = context()
    stored = await service.store_new(
        ctx.db, ann.id, goal_id=None, seed=1, draft=easy_plan(MONDAY), now=ctx.clock.now()
    )
    url = await feed_url(http, ann)
    assert "/feeds/" in url and url.endswith(".ics")
    response = await http.get(
        url.removeprefix(str(http.base_url).rstrip("/"))
    )  # no bearer token: the link is the key
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/calendar")
    lines = unfold(response.text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(uids) == 9 and len(set(uids)) == 9
    assert f"UID:plan-{stored.plan.id}-day-1@runcoach" in uids
    assert "DTSTART;VALUE=DATE:20261102" in lines
    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert summary == "SUMMARY:Easy 40 min · 6.7 km · 40:00"
    # The same plan gives the same bytes: calendars see no change until the plan changes.
    assert (await http.get(url.removeprefix(str(http.base_url).rstrip("/")))).text == response.text


async def test_a_new_link_replaces_the_old_and_stop_ends_it(http: httpx.AsyncClient, ann: Runner) -> None:
    base = str(http.base_url).rstrip("/")
    first = (await feed_url(http, ann)).removeprefix(base)
    assert (await http.get(first)).status_code == 200  # no plan yet: an empty, valid calendar
    second = (await feed_url(http, ann)).removeprefix(base)
    assert first != second
    assert (await http.get(first)).status_code == 404
    assert (await http.get(second)).status_code == 200
    state = (await http.get("/api/calendar/feed", headers=ann.headers)).json()
    assert state["active"] is True
    stopped = await http.delete("/api/calendar/feed", headers=ann.headers)
    assert stopped.json() == {"active": False, "created_at": None}
    assert (await http.get(second)).status_code == 404
    assert (await http.get("/api/calendar/feed", headers=ann.headers)).json() == {
        "active": False,
        "created_at": None,
    }


async def test_guessed_and_absurd_tokens_are_404(http: httpx.AsyncClient, ann: Runner) -> None:
    await feed_url(http, ann)
    for token in ("x", "A" * 43, "A" * 5000, "%00", "..%2F..%2Fetc"):
        response = await http.get(f"/feeds/{token}.ics")
        assert response.status_code == 404, token
