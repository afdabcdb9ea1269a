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

import itertools
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ServerFactory

#: Fixed so a CI run is reproducible; set RUNCOACH_SCHEMATHESIS_SEED to explore other cases.
SEED = os.environ.get("RUNCOACH_SCHEMATHESIS_SEED", "20261126")
MAX_EXAMPLES = "30"
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


@pytest.mark.postgres
def test_schemathesis_finds_no_failure_on_postgresql(
    runcoach_server: ServerFactory, postgres_url: str, tmp_path: Path
) -> None:
    runcoach_server.env["RUNCOACH_DATABASE_URL"] = postgres_url
    server = runcoach_server.start()
    token = runcoach_server.user_with_token("fuzz@example.com")
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
    chat = coach_data(server.base, auth, plan)
    config = f"[parameters]\nplan_id = {plan['id']}\nwid = {ahead['id']}\n"
    config += "".join(f"{name} = {value}\n" for name, value in chat.items())
    config += '[[operations]]\ninclude-name = "GET /api/sessions/{session_id}/fit"\n'
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
        ],
        capture_output=True, text=True, timeout=RUN_TIMEOUT_S, cwd=tmp_path, check=False,
    )  # fmt: skip
    report = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert "No issues found" in result.stdout, report
    assert server.process.poll() is None, "the server died under the fuzzer"
