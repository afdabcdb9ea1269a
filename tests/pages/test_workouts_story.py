"""User stories for the workouts pages: set up, sign in, generate, look at it, regenerate, go back."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from runcoach.context import context
from runcoach.domain.accounts import User as Account
from runcoach.domain.workouts import Goal, WorkoutSpec
from runcoach.workouts import service
from tests.helpers import HUGE_IDS, PASSWORD, PATIENCE, add_account, sign_in, the


async def workouts_of(account: Account) -> list[str]:
    return [w.name for w in await service.list_mine(context().db, owner_id=account.id)]


def current_workout_id(user: User) -> int:
    return int(user.back_history[-1].rsplit("/", 1)[1])


def set_number(user: User, marker: str, text: str) -> None:
    user.find(marker=marker).clear().type(text)


async def test_runner_sets_up_signs_in_generates_regenerates_and_goes_back(user: User) -> None:
    await user.open("/")
    await user.should_see("Create admin account")
    user.find("Your name").type("Ada")
    user.find("Email").type("ada@example.com")
    user.find("Password").type(PASSWORD)
    user.find("Repeat password").type(PASSWORD)
    user.find(kind=ui.button, content="Create admin account").click()
    await user.should_see(marker="generate", retries=PATIENCE)
    await user.should_see("No workouts yet")

    await user.open("/logout")
    await user.should_see(kind=ui.button, content="Sign in")
    await sign_in(user, "ada@example.com")

    set_number(user, "duration_min", "30")
    user.find(marker="goal").click()
    user.find("Intervals").click()
    user.find(marker="seed").type("42")
    user.find(marker="generate").click()
    await user.should_see(marker="profile", retries=PATIENCE)

    first = current_workout_id(user)
    await user.should_see("30-min Intervals")
    assert the(user, ui.label, "seed").text == "42"
    assert the(user, ui.label, "total").text == "30:00"
    rows = the(user, ui.table, "segments").rows
    assert rows[0]["label"] == "warm-up"
    # The structure reads as a runner writes it: the reps as one "n × (work + recovery)" block.
    structure = the(user, ui.label, "structure").text
    assert " × (" in structure and "interval at" in structure and " + " in structure
    assert structure.startswith("2 min 30 s warm-up") and structure.endswith("5 min cool-down at 8.1 km/h")
    assert rows[-1]["label"] == "cool-down"
    options = the(user, ui.echart, "profile").options
    assert [s["name"] for s in options["series"]] == ["Speed km/h", "Incline %"]
    assert options["xAxis"]["max"] == 30
    assert all(s["data"][-1][0] == 30 for s in options["series"])
    assert [s["yAxisIndex"] for s in options["series"]] == [0, 1]

    user.find(marker="regenerate").click()
    await user.should_see(marker=f"history-{first}", retries=PATIENCE)
    second = current_workout_id(user)
    assert second != first
    assert the(user, ui.label, "seed").text != "42"
    with user.scope(marker="history"):
        await user.should_see("seed 42")
        await user.should_see("(this one)")
        assert len(user.find(ui.item).elements) == 2

    with user.scope(marker=f"history-{first}"):
        user.find(ui.link).click()
    await user.should_see(marker=f"history-{second}", retries=PATIENCE)
    assert the(user, ui.label, "seed").text == "42"

    user.find(marker="back").click()
    await user.should_see(marker="generate", retries=PATIENCE)
    await user.should_see(marker=f"workout-{first}")
    await user.should_see(marker=f"workout-{second}")


async def test_another_runners_workout_is_not_found(user: User) -> None:
    await user.open("/login")  # starts the app; the accounts are made through the service
    owner = await add_account("owner@example.com", "Owner", admin=True)
    await add_account("other@example.com", "Other")
    ctx = context()
    spec = WorkoutSpec(duration_min=20, goal=Goal.TEMPO)
    theirs = await service.generate(ctx.db, owner_id=owner.id, spec=spec, seed=3, now=ctx.clock.now())

    await sign_in(user, "other@example.com")
    foreign = await user.http_client.get(f"/workouts/{theirs.id}")
    unknown = await user.http_client.get("/workouts/999")
    odd = [await user.http_client.get(f"/workouts/{text}") for text in ("not-a-number", *HUGE_IDS)]
    for response in (foreign, unknown, *odd):
        assert response.status_code == 404
        assert "Workout not found" in response.text
        assert theirs.name not in response.text
    assert foreign.text.count("Workout not found") == unknown.text.count("Workout not found")


async def test_framing_longer_than_the_workout_is_refused_and_keeps_the_input(user: User) -> None:
    await user.open("/login")
    runner = await add_account("runner@example.com", "Runner")
    await sign_in(user, "runner@example.com")

    set_number(user, "duration_min", "20")
    user.find(marker="warmup_min").type("10")
    user.find(marker="cooldown_min").type("10")
    user.find(marker="generate").click()

    await user.should_see("Warm-up plus cool-down (20 min) must leave at least 5 minutes")
    assert the(user, ui.number, "duration_min").value == 20
    assert the(user, ui.number, "warmup_min").value == 10
    assert await workouts_of(runner) == []


async def test_a_field_out_of_range_is_named_and_marked(user: User) -> None:
    await user.open("/login")
    await add_account("runner@example.com", "Runner")
    await sign_in(user, "runner@example.com")

    set_number(user, "max_incline_pct", "2.3")
    user.find(marker="generate").click()

    await user.should_see("Max incline (%) must be a multiple of 0.5 %")
    assert the(user, ui.number, "max_incline_pct").props["error"] is True
    set_number(user, "max_incline_pct", "2.5")
    assert not the(user, ui.number, "max_incline_pct").props["error"]


async def test_easy_speed_shows_its_pace(user: User) -> None:
    await user.open("/login")
    await add_account("runner@example.com", "Runner")
    await sign_in(user, "runner@example.com")

    await user.should_see("Blank: taken from your level")
    user.find(marker="easy_speed_kmh").type("12")
    await user.should_see("= 5:00 min/km")
