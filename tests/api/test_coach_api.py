"""GET /api/coach/analysis: the progress figures through the whole app, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import httpx
import pytest

from runcoach.context import context
from runcoach.domain.paces import Zone
from runcoach.domain.workouts import SegmentLabel
from runcoach.plans import service
from runcoach.profiles.service import NO_PROFILE
from tests.api.conftest import Runner
from tests.helpers import PLAN_PROFILE, easy_plan, flat, jump, past_run

# Every test here runs on SQLite and again on PostgreSQL.
pytestmark = pytest.mark.usefixtures("app_backend")

ANALYSIS = "/api/coach/analysis"
PROFILE_VDOT = PLAN_PROFILE.vdot()
ZONES = PLAN_PROFILE.paces().zones
EASY_KMH = round(ZONES[Zone.EASY].max_kmh, 1)
THRESHOLD_KMH = round(ZONES[Zone.THRESHOLD].max_kmh, 1)


async def with_profile(http: httpx.AsyncClient, runner: Runner) -> None:
    body = PLAN_PROFILE.model_dump(mode="json")
    assert (await http.put("/api/profile", json=body, headers=runner.headers)).status_code == 200


async def analysis(http: httpx.AsyncClient, runner: Runner, **params: Any) -> dict[str, Any]:
    response = await http.get(ANALYSIS, params=params, headers=runner.headers)
    assert response.status_code == 200, response.text
    return response.json()


def this_monday() -> date:
    today = context().today()
    return today - timedelta(days=today.weekday())


def at_seven(day: date) -> datetime:
    return datetime.combine(day, time(7), context().settings.zone)


async def test_without_a_token_it_is_401(http: httpx.AsyncClient) -> None:
    response = await http.get(ANALYSIS)
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    bad = await http.get(ANALYSIS, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


async def test_without_a_profile_it_is_404_saying_what_to_do(http: httpx.AsyncClient, ann: Runner) -> None:
    response = await http.get(ANALYSIS, headers=ann.headers)
    assert response.status_code == 404
    assert response.json() == {"detail": NO_PROFILE}


async def test_with_a_profile_and_nothing_run_it_is_200_with_empty_figures(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    await with_profile(http, ann)
    found = await analysis(http, ann)
    today = context().today()
    assert (found["today"], found["weeks"], found["first_day"]) == (today.isoformat(), 12, today.isoformat())
    assert found["has_plan"] is False
    [week] = found["volume"]["weeks"]
    assert (week["start"], week["complete"], week["runs"], week["done_km"]) == (
        this_monday().isoformat(),
        False,
        0,
        0.0,
    )
    assert found["volume"]["slope_km_per_week"] is None and found["volume"]["recent_km"] is None
    assert found["completion"] == {"planned": 0, "done": 0, "partial": 0, "missed": 0, "rate": None}
    assert found["consistency"]["weeks"] == 0 and found["consistency"]["runs_per_week"] is None
    assert found["vdot"]["points"] == [] and found["vdot"]["profile_vdot"] == round(PROFILE_VDOT, 1)


async def tempo_weeks(runner: Runner, weeks: int) -> list[float]:
    """Each of the last `weeks` weeks: a tempo on Tuesday (10 min easy, 20 at threshold, a little
    faster every week, 5 easy) and an easy half hour on Thursday. Returns each week's belt km."""
    monday = this_monday()
    kms = []
    for back in range(weeks, 0, -1):
        week = monday - timedelta(weeks=back)
        tempo_kmh = THRESHOLD_KMH + 0.2 * (weeks - back)
        tempo = (
            flat(600, EASY_KMH, SegmentLabel.WARM_UP),
            flat(1200, tempo_kmh),
            flat(300, EASY_KMH, SegmentLabel.COOL_DOWN),
        )
        await past_run(runner.id, at_seven(week + timedelta(days=1)), tempo)
        await past_run(runner.id, at_seven(week + timedelta(days=3)), (flat(1800, EASY_KMH),))
        kms.append((2700 * EASY_KMH + 1200 * tempo_kmh) / 3600)
    return kms


async def test_weeks_of_runs_give_the_volume_consistency_and_a_rising_vdot(
    http: httpx.AsyncClient, ann: Runner, bob: Runner
) -> None:
    await with_profile(http, ann)
    kms = await tempo_weeks(ann, 6)
    found = await analysis(http, ann)
    # The runs began before the account did: the weeks start with the first run.
    assert found["first_day"] == (this_monday() - timedelta(weeks=6, days=-1)).isoformat()
    weeks = found["volume"]["weeks"]
    assert [w["complete"] for w in weeks] == [True] * 6 + [False]
    assert [w["done_km"] for w in weeks[:6]] == pytest.approx(kms, abs=0.01)
    assert [w["runs"] for w in weeks] == [2] * 6 + [0]
    assert [w["done_minutes"] for w in weeks[:6]] == [65.0] * 6
    assert found["volume"]["slope_km_per_week"] == pytest.approx((kms[-1] - kms[0]) / 5, abs=0.01)
    assert found["volume"]["recent_km"] == pytest.approx(sum(kms[-4:]) / 4, abs=0.01)
    assert found["volume"]["change_pct"] is None  # 6 weeks: no two blocks of 4 yet
    consistency = found["consistency"]
    assert (consistency["weeks"], consistency["weeks_with_runs"], consistency["longest_streak_weeks"]) == (
        6,
        6,
        6,
    )
    assert (consistency["current_streak_weeks"], consistency["runs"], consistency["runs_per_week"]) == (
        6,
        12,
        2.0,
    )
    vdot = found["vdot"]
    assert vdot["runs_with_effort"] == 12  # the easy half hours too, but they are no points
    assert len(vdot["points"]) == 6 and all(p["share_of_profile"] >= 0.9 for p in vdot["points"])
    assert [p["vdot"] for p in vdot["points"]] == sorted(p["vdot"] for p in vdot["points"])
    assert vdot["slope_per_week"] > 0 and vdot["latest"] == vdot["points"][-1]["vdot"] == vdot["best"]
    assert all(p["effort_duration_s"] >= 1200 for p in vdot["points"])

    shorter = await analysis(http, ann, weeks=4)
    assert len(shorter["volume"]["weeks"]) == 5 and len(shorter["vdot"]["points"]) == 4

    await with_profile(http, bob)  # another runner sees none of it
    theirs = await analysis(http, bob)
    assert [w["runs"] for w in theirs["volume"]["weeks"]] == [0] and theirs["vdot"]["points"] == []


@pytest.mark.parametrize("weeks", ["0", "53", "twelve", "1.5"])
async def test_weeks_out_of_range_are_422(http: httpx.AsyncClient, ann: Runner, weeks: str) -> None:
    await with_profile(http, ann)
    response = await http.get(ANALYSIS, params={"weeks": weeks}, headers=ann.headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query", "weeks"]


async def test_a_planned_day_run_in_full_is_done_and_next_week_it_counts_as_a_full_week(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    await with_profile(http, ann)
    ctx = context()
    monday = this_monday()
    stored = await service.store_new(
        ctx.db, ann.id, goal_id=None, seed=1, draft=easy_plan(monday), now=ctx.clock.now()
    )
    session = (await http.post(f"/api/plans/{stored.plan.id}/workouts/1/session", headers=ann.headers)).json()
    await http.post(f"/api/sessions/{session['id']}/start", headers=ann.headers)
    await jump(40 * 60 + 5)  # Monday's 40 easy minutes played to the end
    found = await analysis(http, ann)
    assert found["has_plan"] is True
    # Monday is done; Wednesday and Friday count once they are past (missed: nothing ran for them).
    weekday = ctx.today().weekday()
    past = sum(1 for day in (2, 4) if day < weekday)
    completion = found["completion"]
    assert (completion["planned"], completion["done"], completion["missed"]) == (1 + past, 1, past)
    assert completion["rate"] == pytest.approx(1 / (1 + past), abs=0.001)
    [week] = found["volume"]["weeks"]
    assert week["runs"] == 1 and week["done_minutes"] == 40.0
    assert week["planned_km"] == pytest.approx(3 * week["done_km"], abs=0.05)
    assert found["consistency"]["current_streak_weeks"] == 1

    await jump(7 * 24 * 3600)  # a week on, nothing more run
    later = await analysis(http, ann)
    first, now = later["volume"]["weeks"]
    assert (first["complete"], first["runs"], now["runs"]) == (True, 1, 0)
    assert later["consistency"]["weeks_with_runs"] == 1 and later["consistency"]["weeks"] == 1
    assert later["completion"]["done"] == 1
