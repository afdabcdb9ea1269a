"""FIT workout files through the JSON API: downloads of saved and planned workouts, checked with
Garmin's SDK and fitdecode; imports of FIT and Zwift files; the owner only; nothing stored on 422."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.workout_message import WorkoutMessage
from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
from fit_tool.profile.profile_type import FileType, Intensity, Manufacturer, Sport, WorkoutStepDuration

from runcoach.context import context
from tests.api.conftest import Runner
from tests.fit.decoders import fitdecode_messages, garmin_messages
from tests.helpers import HUGE_IDS, PLAN_PROFILE

FIT = "application/vnd.ant.fit"
BODY: dict[str, Any] = {"duration_min": 40, "goal": "intervals", "seed": 3}  # 9 × 105 s: one block

ZWO = b"""<workout_file>
  <author>Coach</author>
  <name>Track Tuesday</name>
  <sportType>run</sportType>
  <workout>
    <Warmup Duration="600" PowerLow="0.6" PowerHigh="0.75" pace="0"/>
    <IntervalsT Repeat="5" OnDuration="120" OffDuration="60" OnPower="1.05" OffPower="0.7" pace="0"/>
    <Cooldown Duration="300" PowerLow="0.7" PowerHigh="0.6" pace="0"/>
  </workout>
</workout_file>
"""


async def generated(http: httpx.AsyncClient, runner: Runner) -> dict[str, Any]:
    response = await http.post("/api/workouts/generate", json=BODY, headers=runner.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def fit_of(http: httpx.AsyncClient, runner: Runner, path: str) -> bytes:
    response = await http.get(path, headers=runner.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == FIT
    assert response.headers["content-disposition"].startswith('attachment; filename="')
    return response.content


async def upload(http: httpx.AsyncClient, runner: Runner, name: str, data: bytes) -> httpx.Response:
    files = {"file": (name, io.BytesIO(data), "application/octet-stream")}
    return await http.post("/api/workouts/import", files=files, headers=runner.headers)


async def count(http: httpx.AsyncClient, runner: Runner) -> int:
    return len((await http.get("/api/workouts", headers=runner.headers)).json())


def steps_of(structure: dict[str, Any]) -> int:
    """FIT workout steps for a structure: one per step, plus one per repeat block."""
    return sum(len(i["steps"]) + 1 if i["type"] == "repeat" else 1 for i in structure["items"])


# --------------------------------------------------------------------------- downloads


async def test_a_generated_workout_downloads_as_a_fit_workout_both_decoders_read(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    workout = await generated(http, ann)
    response = await http.get(f"/api/workouts/{workout['id']}/fit", headers=ann.headers)
    assert workout["name"] == "40-min Intervals: 9 × 105 s"
    assert response.headers["content-disposition"] == 'attachment; filename="40-min-intervals-9-x-105-s.fit"'
    data = await fit_of(http, ann, f"/api/workouts/{workout['id']}/fit")
    messages = garmin_messages(data)
    [head] = messages["workout_mesgs"]
    assert head["wkt_name"] == workout["name"]
    assert (head["sport"], head["sub_sport"]) == ("running", "treadmill")
    steps = messages["workout_step_mesgs"]
    assert len(steps) == steps_of(workout["structure"])
    [block] = [i for i in workout["structure"]["items"] if i["type"] == "repeat"]
    [repeat] = [s for s in steps if s.get("duration_type") == "repeat_until_steps_cmplt"]
    assert repeat["repeat_steps"] == block["times"]
    assert len(fitdecode_messages(data)) >= 2 + len(steps)


async def test_a_planned_day_downloads_for_the_runners_paces_and_rest_is_409(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    plan = await plan_for_a_10k(http, ann)
    hard = next(
        w for w in plan["workouts"] if w["structure"] and w["type"] in ("intervals", "tempo", "hills")
    )
    data = await fit_of(http, ann, f"/api/plans/{plan['id']}/workouts/{hard['id']}/fit")
    messages = garmin_messages(data)
    steps = messages["workout_step_mesgs"]
    assert len(steps) == steps_of(hard["structure"])
    # Every timed step's speed range holds the speed the compiled program runs it at.
    speeds = {round(s["speed_kmh"] / 3.6, 2) for s in hard["segments"]}
    ranges = [
        (s["custom_target_speed_low"], s["custom_target_speed_high"])
        for s in steps
        if "custom_target_speed_low" in s
    ]
    assert ranges and all(any(low <= v <= high for v in speeds) for low, high in ranges)
    race = plan["workouts"][-1]
    assert race["type"] == "race"
    refused = await http.get(f"/api/plans/{plan['id']}/workouts/{race['id']}/fit", headers=ann.headers)
    assert refused.status_code == 409 and "no workout" in refused.json()["detail"]


async def test_only_the_owner_downloads(http: httpx.AsyncClient, ann: Runner, bob: Runner) -> None:
    workout = await generated(http, ann)
    plan = await plan_for_a_10k(http, ann)
    wid = plan["workouts"][0]["id"]
    for path in (f"/api/workouts/{workout['id']}/fit", f"/api/plans/{plan['id']}/workouts/{wid}/fit"):
        assert (await http.get(path, headers=bob.headers)).status_code == 404
        assert (await http.get(path)).status_code == 401
    for huge in HUGE_IDS:
        assert (await http.get(f"/api/workouts/{huge}/fit", headers=ann.headers)).status_code in {404, 422}
        path = f"/api/plans/{plan['id']}/workouts/{huge}/fit"
        assert (await http.get(path, headers=ann.headers)).status_code in {404, 422}


# --------------------------------------------------------------------------- imports


async def test_an_exported_workout_imports_back_with_its_repeats_and_runs(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    workout = await generated(http, ann)
    data = await fit_of(http, ann, f"/api/workouts/{workout['id']}/fit")
    response = await upload(http, ann, "intervals.fit", data)
    assert response.status_code == 201, response.text
    imported = response.json()["workout"]
    assert (imported["source"], imported["file_name"], imported["seed"], imported["goal"]) == (
        "imported",
        "intervals.fit",
        None,
        None,
    )
    assert imported["name"] == workout["name"]
    assert [i["type"] for i in imported["structure"]["items"]] == [
        i["type"] for i in workout["structure"]["items"]
    ]
    assert [s["duration_s"] for s in imported["segments"]] == [s["duration_s"] for s in workout["segments"]]
    for mine, theirs in zip(imported["segments"], workout["segments"], strict=True):
        assert mine["speed_kmh"] == pytest.approx(theirs["speed_kmh"], abs=0.1)
        assert mine["incline_pct"] == theirs["incline_pct"]
    # It runs like any other.
    session = await http.post("/api/sessions", json={"workout_id": imported["id"]}, headers=ann.headers)
    assert session.status_code == 201, session.text
    # An imported workout has no inputs to generate it again from.
    again = await http.post(f"/api/workouts/{imported['id']}/regenerate", headers=ann.headers)
    assert again.status_code == 409


async def test_a_zwift_run_workout_imports_with_its_intervals_as_a_block(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    assert (
        await http.put("/api/profile", json=PLAN_PROFILE.model_dump(mode="json"), headers=ann.headers)
    ).is_success
    response = await upload(http, ann, "track.zwo", ZWO)
    assert response.status_code == 201, response.text
    workout = response.json()["workout"]
    assert workout["name"] == "Track Tuesday" and workout["source"] == "imported"
    [block] = [i for i in workout["structure"]["items"] if i["type"] == "repeat"]
    assert block["times"] == 5 and [s["duration_s"] for s in block["steps"]] == [120, 60]
    on, off = (s["speed_kmh"] for s in block["steps"])
    assert on > off
    assert sum(s["duration_s"] for s in workout["segments"]) == 600 + 5 * 180 + 300


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("empty.fit", b"", "empty"),
        ("junk.fit", b"\x0e\x10" + b"\x00" * 200, ""),
        ("notes.txt", b"just some words", ".fit"),
        ("bike.zwo", ZWO.replace(b"<sportType>run", b"<sportType>bike"), ""),
        ("bomb.zwo", b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY a "aaaa">]><workout_file/>', ""),
    ],
)
async def test_files_that_are_not_running_workouts_are_422_and_nothing_is_stored(
    http: httpx.AsyncClient, ann: Runner, name: str, data: bytes, words: str
) -> None:
    before = await count(http, ann)
    response = await upload(http, ann, name, data)
    assert response.status_code == 422, response.text
    [entry] = response.json()["detail"]
    assert entry["loc"][-1] == "file" and words in entry["msg"]
    assert await count(http, ann) == before


async def test_a_cycling_fit_workout_and_a_file_too_large_are_422(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    response = await upload(http, ann, "ride.fit", cycling_workout())
    assert response.status_code == 422, response.text
    assert "running" in response.json()["detail"][0]["msg"].lower()
    limit = context().settings.max_import_bytes
    response = await upload(http, ann, "huge.fit", b"\x00" * (limit + 1))
    assert response.status_code == 422 and "largest" in response.json()["detail"][0]["msg"]
    assert await count(http, ann) == 0


async def test_twenty_imports_at_once_make_twenty_workouts(http: httpx.AsyncClient, ann: Runner) -> None:
    workout = await generated(http, ann)
    data = await fit_of(http, ann, f"/api/workouts/{workout['id']}/fit")
    answers = await asyncio.gather(*(upload(http, ann, f"w{i}.fit", data) for i in range(20)))
    assert [a.status_code for a in answers] == [201] * 20
    assert len({a.json()["workout"]["id"] for a in answers}) == 20
    assert await count(http, ann) == 21


# --------------------------------------------------------------------------- helpers


async def plan_for_a_10k(http: httpx.AsyncClient, runner: Runner) -> dict[str, Any]:
    profile = PLAN_PROFILE.model_dump(mode="json")
    assert (await http.put("/api/profile", json=profile, headers=runner.headers)).status_code == 200
    race_day = context().today() + timedelta(weeks=10)
    goal = {"kind": "race", "race_distance_m": 10_000, "race_date": race_day.isoformat()}
    made = await http.post("/api/goals", json=goal, headers=runner.headers)
    assert made.status_code == 201, made.text
    response = await http.post(
        "/api/plans", json={"goal_id": made.json()["id"], "seed": 4}, headers=runner.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def cycling_workout() -> bytes:
    """A valid FIT workout file, for a bike."""
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id = FileIdMessage()
    file_id.type = FileType.WORKOUT
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = 1
    file_id.time_created = 1_700_000_000_000
    builder.add(file_id)
    workout = WorkoutMessage()
    workout.workout_name = "Sweet spot"
    workout.sport = Sport.CYCLING
    workout.num_valid_steps = 1
    builder.add(workout)
    step = WorkoutStepMessage()
    step.message_index = 0
    step.duration_type = WorkoutStepDuration.TIME
    step.duration_time = 600.0
    step.intensity = Intensity.ACTIVE
    builder.add(step)
    return builder.build().to_bytes()


async def test_a_calibrated_belt_exports_belt_speeds_and_imports_back_to_console_speeds(
    http: httpx.AsyncClient, ann: Runner
) -> None:
    profile = PLAN_PROFILE.model_dump(mode="json")
    profile["treadmill"] = profile["treadmill"] | {"calibration": 1.05}
    assert (await http.put("/api/profile", json=profile, headers=ann.headers)).status_code == 200
    workout = await generated(http, ann)
    data = await fit_of(http, ann, f"/api/workouts/{workout['id']}/fit")
    timed = [s for s in garmin_messages(data)["workout_step_mesgs"] if "custom_target_speed_low" in s]
    first = timed[0]
    middle_kmh = (first["custom_target_speed_low"] + first["custom_target_speed_high"]) / 2 * 3.6
    # The watch sees what the belt runs: the console's 8.x km/h on a belt 5 % fast.
    assert middle_kmh == pytest.approx(workout["segments"][0]["speed_kmh"] * 1.05, abs=0.02)
    response = await upload(http, ann, "calibrated.fit", data)
    assert response.status_code == 201, response.text
    back = response.json()["workout"]["segments"]
    assert [s["speed_kmh"] for s in back] == pytest.approx(
        [s["speed_kmh"] for s in workout["segments"]], abs=0.051
    )
