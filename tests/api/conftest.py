"""API tests run against the whole ASGI app (NiceGUI's FastAPI app with every route and middleware)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from nicegui.testing import User

from runcoach.auth import service
from runcoach.context import context
from tests.helpers import PLAN_PROFILE

PASSWORD = "Correct-Horse-42"


@dataclass
class Runner:
    id: int
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def make_runner(email: str, *, admin: bool = False) -> Runner:
    ctx = context()
    user = await service.create_user(
        ctx.db, email=email, name=email.split("@")[0], password=PASSWORD, is_admin=admin, now=ctx.clock.now()
    )
    _, token = await service.create_token(ctx.db, user_id=user.id, label="tests", now=ctx.clock.now())
    return Runner(id=user.id, token=token)


async def new_session(http: httpx.AsyncClient, runner: Runner) -> dict[str, Any]:
    """A 20-minute interval workout of the runner's and a new run session of it, through the API."""
    body = {"duration_min": 20, "goal": "intervals", "seed": 3}
    workout = (await http.post("/api/workouts/generate", json=body, headers=runner.headers)).json()
    response = await http.post("/api/sessions", json={"workout_id": workout["id"]}, headers=runner.headers)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
async def http(user: User) -> httpx.AsyncClient:
    """An HTTP client on the started app (no browser session: only tokens authenticate)."""
    await context().db.ready()
    return user.http_client


@pytest.fixture
async def ann(http: httpx.AsyncClient) -> Runner:
    return await make_runner("ann@example.com", admin=True)


@pytest.fixture
async def bob(http: httpx.AsyncClient) -> Runner:
    return await make_runner("bob@example.com")


async def a_10k_plan(http: httpx.AsyncClient, runner: Runner) -> dict[str, Any]:
    """The runner's profile (PLAN_PROFILE), a 10K ten weeks ahead and the plan for it (seed 4),
    through the API: the plan JSON as `POST /api/plans` answers it."""
    profile = PLAN_PROFILE.model_dump(mode="json")
    assert (await http.put("/api/profile", json=profile, headers=runner.headers)).status_code == 200
    race_day = (context().today() + timedelta(weeks=10)).isoformat()
    goal = {"kind": "race", "race_distance_m": 10_000, "race_date": race_day}
    made = await http.post("/api/goals", json=goal, headers=runner.headers)
    assert made.status_code == 201, made.text
    plan = await http.post(
        "/api/plans", json={"goal_id": made.json()["id"], "seed": 4}, headers=runner.headers
    )
    assert plan.status_code == 201, plan.text
    data: dict[str, Any] = plan.json()
    return data
