"""Property-based tests of the whole API against a live server on PostgreSQL, by schemathesis.

It reads /openapi.json, sends thousands of generated requests (valid, invalid, and sequences
that follow the API's links) and checks every answer against the document: no 5xx, only
documented status codes, content types, headers and bodies, invalid input refused.

One check is left out on purpose: `positive_data_acceptance` expects every schema-valid body to
succeed, but JSON Schema cannot say "min_speed_kmh below max_speed_kmh" or "warm-up plus cool-down
leave 5 minutes"; those cross-field rules are documented in the schema's descriptions and answered
with a 422 naming the rule (tests/api/test_workouts_api.py checks them).

For the same reason one warning is turned off: `validation_mismatch`, "an operation mostly
rejected generated data". PUT /api/profile has rules between fields (the long-run day among the
available days, a race or an easy pace, a race time that is a plausible VDOT) that random bodies
rarely meet; tests/api/test_profile_api.py checks them. Every other default warning still fails the run.

The fuzzing user gets a profile, a goal and a plan first, so GET /api/profile, /api/paces, the goals
and the plan routes are fuzzed past their 404: the plan's id and one of its days ahead are given to
schemathesis as the values of `plan_id` and `wid` (schemathesis.toml), since nothing links to them.
POST /api/goals has rules between fields too (a race's fields or a volume goal's, never both; no
past date); tests/api/test_goals_api.py checks them. One operation is left out: DELETE
/api/plans/current (reset) would archive the plan the others are fuzzed on, after which every plan
route answers 404 or 409; tests/api/test_plans_api.py checks it. GET /api/sessions/{id}/fit answers
only for a finished run: it is given one the fuzzing user ran and finished.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from runcoach.db.engine import Database
from tests.e2e.conftest import ServerFactory, connect_strava, free_port, strava_env
from tests.fake_strava import FakeStrava

#: Fixed so a CI run is reproducible; set RUNCOACH_SCHEMATHESIS_SEED to explore other cases.
SEED = os.environ.get("RUNCOACH_SCHEMATHESIS_SEED", "20261126")
MAX_EXAMPLES = "30"
FUZZ_EMAIL = "fuzz@example.com"
ATHLETE = 4_400_000_001
STRAVA_KEY = Fernet.generate_key().decode()
RUN_TIMEOUT_S = 300
#: The default schemathesis warnings (`low_valid_rate` is opt-in) but `validation_mismatch` (see above).
WARNINGS = ",".join([
    "missing_auth", "missing_test_data", "base_url_mismatch", "missing_deserializer", "unused_openapi_auth",
    "unsupported_regex", "method_not_allowed", "constants_extraction", "unmatched_filter",
    "unresolvable_reference", "rate_limited", "dictionary_mismatch", "timeout_units",
])  # fmt: skip
PROFILE = {
    "recent_race": {"distance_m": 10000, "time_s": 2700, "date": "2026-01-10"},
    "weekly_km": 35,
    "available_days": ["mon", "wed", "sat"],
    "long_run_day": "sat",
    "level": "intermediate",
}


def race_day_minus(plan: dict[str, Any], *, weeks: int) -> str:
    """A date some weeks before the plan's end: the days after it are well ahead of today."""
    return (date.fromisoformat(plan["end_date"]) - timedelta(weeks=weeks)).isoformat()


def finished_session(base: str, auth: dict[str, str]) -> int:
    """A run of a new workout, started and finished: the one session with an activity file."""
    body = {"duration_min": 20, "goal": "easy", "seed": 1}
    workout = httpx.post(f"{base}/api/workouts/generate", json=body, headers=auth).json()
    session = httpx.post(f"{base}/api/sessions", json={"workout_id": workout["id"]}, headers=auth).json()
    for command in ("start", "finish"):
        httpx.post(f"{base}/api/sessions/{session['id']}/{command}", headers=auth).raise_for_status()
    return int(session["id"])


def two_easy_days_in_a_week(plan: dict[str, Any]) -> tuple[str, str]:
    """The first two easy days ahead that share a week, within the two weeks the coach sees."""
    today = datetime.now(UTC).date()
    ahead = [
        date.fromisoformat(w["date"])
        for w in plan["workouts"]
        if w["type"] == "easy" and today < date.fromisoformat(w["date"]) <= today + timedelta(days=13)
    ]
    for a, b in itertools.pairwise(ahead):
        if a.isocalendar()[:2] == b.isocalendar()[:2]:
            return a.isoformat(), b.isoformat()
    raise AssertionError(f"no two easy days in one week ahead: {ahead}")


def coach_data(base: str, auth: dict[str, str], plan: dict[str, Any]) -> dict[str, int]:
    """A conversation with the built-in coach, ending in a proposal:
    the ids the coach's routes need (reset and forgetting a memory are left out of the run: the
    first call would delete what every later one needs; the API tests cover both)."""
    messages = f"{base}/api/coach/messages"
    first, second = two_easy_days_in_a_week(plan)
    # Two easy days of one week swapped: the week's load stays, so the rules pass whatever the date.
    say = ["My left knee hurts on downhills.", f"swap {first} and {second}"]
    for text in say:
        answered = httpx.post(messages, json={"text": text}, headers=auth, timeout=30)
        assert answered.status_code == 200, answered.text
    reply = answered.json()["reply"]
    assert reply["proposals"], reply
    return {
        "message_id": reply["id"],
        "proposal_id": reply["proposals"][0]["id"],
    }


def strava_data(
    base: str, auth: dict[str, str], fake: FakeStrava, session_id: int, database_url: str
) -> dict[str, int]:
    """Strava connected with three runs imported, and the finished session uploaded: the ids the
    Strava routes need (disconnecting is left out of the run: it would end the rest)."""
    database = Database(database_url)

    async def connect() -> None:
        try:
            await database.start()
            await connect_strava(
                database, fake, public_url=base, key=STRAVA_KEY, email=FUZZ_EMAIL, athlete=ATHLETE,
                scope="read,activity:read_all,activity:write",
            )  # fmt: skip
        finally:
            await database.close()

    asyncio.run(connect())
    wait_until(lambda: httpx.get(f"{base}/api/strava", headers=auth).json()["imported"] == 3, "the import")
    assert httpx.post(f"{base}/api/strava/uploads/{session_id}", headers=auth).status_code == 202
    upload = f"{base}/api/strava/uploads/{session_id}"
    wait_until(lambda: httpx.get(upload, headers=auth).json()["status"] == "done", "the upload")
    return {"strava_id": fake.activities(ATHLETE)[0]["id"]}


def wait_until(check: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.1)


@pytest.mark.postgres
def test_schemathesis_finds_no_failure_on_postgresql(
    runcoach_server: ServerFactory, postgres_url: str, tmp_path: Path
) -> None:
    fake = FakeStrava(upload_polls=0).start()
    fake.add_athlete(ATHLETE)
    fake.add_activities(ATHLETE, 3, start=datetime.now(UTC) - timedelta(days=5))
    port = free_port()
    runcoach_server.env["RUNCOACH_DATABASE_URL"] = postgres_url
    runcoach_server.env |= strava_env(fake, f"http://127.0.0.1:{port}", STRAVA_KEY)
    try:
        fuzz(runcoach_server, postgres_url, tmp_path, fake, port)
    finally:
        fake.stop()


def fuzz(
    runcoach_server: ServerFactory, postgres_url: str, tmp_path: Path, fake: FakeStrava, port: int
) -> None:
    server = runcoach_server.start(port=port)
    token = runcoach_server.user_with_token(FUZZ_EMAIL)
    saved = httpx.put(
        f"{server.base}/api/profile", json=PROFILE, headers={"Authorization": f"Bearer {token}"}
    )
    assert saved.status_code == 200, saved.text
    race_day = (datetime.now(UTC) + timedelta(weeks=12)).date().isoformat()
    goal = {"kind": "race", "race_distance_m": 10000, "race_date": race_day}
    auth = {"Authorization": f"Bearer {token}"}
    posted = httpx.post(f"{server.base}/api/goals", json=goal, headers=auth)
    assert posted.status_code == 201, posted.text
    planned = httpx.post(f"{server.base}/api/plans", json={"goal_id": posted.json()["id"]}, headers=auth)
    assert planned.status_code == 201, planned.text
    plan = planned.json()
    ahead = next(w for w in plan["workouts"] if w["date"] > race_day_minus(plan, weeks=4))
    finished = finished_session(server.base, auth)
    chat = coach_data(server.base, auth, plan) | strava_data(server.base, auth, fake, finished, postgres_url)
    config = f"[parameters]\nplan_id = {plan['id']}\nwid = {ahead['id']}\n"
    config += "".join(f"{name} = {value}\n" for name, value in chat.items())
    for operation in (
        "GET /api/sessions/{session_id}/fit",
        "GET /api/strava/uploads/{session_id}",
        "POST /api/strava/uploads/{session_id}",
    ):
        config += f'[[operations]]\ninclude-name = "{operation}"\n'
        config += f"parameters = {{ session_id = {finished} }}\n"
    (tmp_path / "schemathesis.toml").write_text(config)
    schemathesis = Path(sys.executable).parent / "schemathesis"
    result = subprocess.run(
        [
            str(schemathesis), "run", f"{server.base}/openapi.json",
            "--header", f"Authorization: Bearer {token}",
            "--checks", "all", "--exclude-checks", "positive_data_acceptance",
            "--max-examples", MAX_EXAMPLES, "--seed", SEED, "--workers", "1",
            "--request-timeout", "20", "--warnings", WARNINGS,
            "--exclude-name", "DELETE /api/plans/current",
            "--exclude-name", "DELETE /api/coach/messages",
            "--exclude-name", "DELETE /api/coach/memories/{memory_id}",
            "--exclude-name", "DELETE /api/strava",
        ],
        capture_output=True, text=True, timeout=RUN_TIMEOUT_S, cwd=tmp_path, check=False,
    )  # fmt: skip
    report = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert "No issues found" in result.stdout, report
    assert server.process.poll() is None, "the server died under the fuzzer"
