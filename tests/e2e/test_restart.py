"""kill -9 mid-run: the clock lives in the database, so a restarted server carries on where time says.

A running session keeps counting through the downtime (the belt did not stop because the server
did); a paused one stays paused at the same elapsed time.
"""

from __future__ import annotations

import time
from typing import Any

from tests.e2e.conftest import Api, ServerFactory

#: Scheduling, HTTP round trips and the fold's rounding together stay well inside this.
RUNNING_TOLERANCE_S = 0.5
PAUSED_TOLERANCE_S = 0.1
POLL_TIMEOUT_S = 15.0


def poll_elapsed(api: Api, session_id: int, at_least_s: float) -> dict[str, Any]:
    """GET the session until its elapsed time reaches `at_least_s` (bounded)."""
    deadline = time.monotonic() + POLL_TIMEOUT_S
    while True:
        state = api.get(f"/api/sessions/{session_id}")
        if state["elapsed_s"] >= at_least_s:
            return state
        assert time.monotonic() < deadline, f"elapsed stuck at {state['elapsed_s']} s: {state}"
        time.sleep(0.05)


def test_a_run_survives_kill_9_with_the_right_elapsed_time(runcoach_server: ServerFactory) -> None:
    first = runcoach_server.start()
    token = runcoach_server.user_with_token()

    with first.api(token) as api:
        running = api.new_session(duration_min=20, goal="easy")
        paused = api.new_session(duration_min=20, goal="easy")
        assert running["status"] == paused["status"] == "created"

        # The running session's start lies between these two readings of our own stopwatch.
        before_start = time.monotonic()
        started = api.post(f"/api/sessions/{running['id']}/start")
        after_start = time.monotonic()
        assert started["status"] == "running"

        api.post(f"/api/sessions/{paused['id']}/start")
        poll_elapsed(api, paused["id"], 0.3)
        paused_state = api.post(f"/api/sessions/{paused['id']}/pause")
        assert paused_state["status"] == "paused"
        paused_at_s = paused_state["elapsed_s"]

        before_kill = poll_elapsed(api, running["id"], 1.0)
        assert before_kill["status"] == "running"

    first.kill()
    killed_at = time.monotonic()
    assert first.process.returncode == -9

    second = runcoach_server.start()  # same data directory, fresh process and port
    back_at = time.monotonic()
    assert second.process.pid != first.process.pid

    with second.api(token) as api:
        asked_at = time.monotonic()
        after = api.get(f"/api/sessions/{running['id']}")
        answered_at = time.monotonic()
        assert after["status"] == "running"
        assert after["segment_index"] >= 0 and after["segment"] is not None
        # Elapsed is wall time since the start, downtime included: bracket it by our stopwatch.
        earliest, latest = asked_at - after_start, answered_at - before_start
        assert earliest - RUNNING_TOLERANCE_S <= after["elapsed_s"] <= latest + RUNNING_TOLERANCE_S, (
            f"elapsed {after['elapsed_s']} s, expected {earliest:.3f}..{latest:.3f} s"
        )
        downtime = back_at - killed_at
        assert after["elapsed_s"] - before_kill["elapsed_s"] >= downtime - RUNNING_TOLERANCE_S
        # Still counting on the new server.
        poll_elapsed(api, running["id"], after["elapsed_s"] + 0.2)

        still_paused = api.get(f"/api/sessions/{paused['id']}")
        assert still_paused["status"] == "paused"
        assert abs(still_paused["elapsed_s"] - paused_at_s) <= PAUSED_TOLERANCE_S
        assert [e["kind"] for e in still_paused["events"]] == ["created", "started", "paused"]

        # And the paused one resumes from where it stopped.
        resumed = api.post(f"/api/sessions/{paused['id']}/resume")
        assert resumed["status"] == "running"
        assert abs(resumed["elapsed_s"] - paused_at_s) <= PAUSED_TOLERANCE_S

    second.stop()
    assert second.process.returncode is not None
