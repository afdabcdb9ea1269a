"""Profile: what the coach knows about the runner, and the paces it gives. Thin: the service decides."""

from __future__ import annotations

from typing import Any

from fastapi.responses import RedirectResponse, Response
from nicegui import ui
from pydantic import ValidationError

from pages.forms import ErrorLabel
from pages.layout import frame
from pages.treadmill_card import TreadmillCard
from runcoach.auth.web import current_user
from runcoach.context import context
from runcoach.domain.accounts import Units, User
from runcoach.domain.errors import RunCoachError
from runcoach.domain.paces import Paces, clock
from runcoach.domain.profile import Level, Profile, Weekday
from runcoach.domain.structure import ConsoleUnit
from runcoach.profiles import service

DAY_NAMES = {d.value: d.value.title() for d in Weekday}
LEVELS = {level.value: level.value.title() for level in Level}


def seconds(text: str) -> float | None:
    """'20:00' or '1:35:10' as seconds; None for an empty field; ValueError for anything else."""
    text = text.strip()
    if not text:
        return None
    parts = text.split(":")
    if not 1 <= len(parts) <= 3 or not all(p.strip().isdigit() for p in parts):
        raise ValueError(f"Write times as m:ss or h:mm:ss, not {text!r}")
    total = 0
    for part in parts:
        total = total * 60 + int(part)
    return float(total)


def first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])


@ui.refreshable
async def paces_card(user: User) -> None:
    try:
        paces: Paces = await service.paces(context().db, user.id)
    except RunCoachError as exc:
        ui.label(str(exc)).classes("text-gray-600").mark("paces-missing")
        return
    ui.label(f"VDOT {paces.vdot:.1f}").classes("text-lg font-semibold").mark("vdot")
    for zone, speeds in paces.zones.items():
        ui.label(
            f"{zone.value}: {speeds.min_kmh:.1f}–{speeds.max_kmh:.1f} km/h "
            f"({clock(speeds.slow_pace_s_per_km)}–{clock(speeds.fast_pace_s_per_km)} /km)"
        )
    ui.label(" · ".join(f"{race.value} {clock(s)}" for race, s in paces.predictions_s.items())).classes(
        "text-sm text-gray-600"
    )


@ui.page("/profile")
async def profile_page() -> Response | None:
    user = await current_user()
    if user is None:
        return RedirectResponse("/login")
    ctx = context()
    saved = await service.get_profile(ctx.db, user.id)
    race = saved.recent_race if saved else None

    async def save() -> None:
        treadmill = treadmill_card.treadmill()  # says what is wrong in its own card
        if treadmill is None:
            error.show("")
            return
        try:
            time_s = seconds(race_time.value or "")
            easy_s = seconds(easy.value or "")
        except ValueError as exc:
            error.show(str(exc))
            return
        data: dict[str, Any] = {
            "recent_race": (
                {"distance_m": race_distance.value, "time_s": time_s, "date": race_date.value}
                if time_s is not None
                else None
            ),
            "easy_pace_s_per_km": easy_s,
            "weekly_km": weekly.value if weekly.value is not None else 0,
            "available_days": list(days.value or []),
            "long_run_day": long_day.value,
            "level": level.value,
            "injury_notes": notes.value or "",
            # Kept from the saved profile: this page does not edit them (the API does).
            "max_minutes": {
                day: minutes
                for day, minutes in (saved.max_minutes if saved else {}).items()
                if day.value in (days.value or [])
            },
            "treadmill": treadmill.model_dump(),
        }
        try:
            profile = Profile.model_validate(data)
            await service.save_profile(ctx.db, user.id, profile, ctx.clock.now())
        except ValidationError as exc:
            error.show(first_error(exc))
            return
        except RunCoachError as exc:
            error.show(str(exc))
            return
        error.show("")
        treadmill_card.saved_as(profile.treadmill)
        ui.notify("Profile saved")
        paces_card.refresh()

    with frame("Profile", user):
        with ui.card().classes("w-full"):
            ui.label("Recent race (the best measure) or easy pace").classes("text-lg font-semibold")
            with ui.row().classes("w-full items-end"):
                race_distance = ui.select(
                    {5000.0: "5K", 10000.0: "10K", 21097.5: "Half marathon", 42195.0: "Marathon"},
                    value=race.distance_m if race else 5000.0,
                    label="Race",
                ).mark("race-distance")
                race_time = ui.input(
                    "Race time (m:ss or h:mm:ss)", value=clock(race.time_s) if race else ""
                ).mark("race-time")
                race_date = ui.input(
                    "Race date (YYYY-MM-DD)", value=race.date.isoformat() if race else ""
                ).mark("race-date")
            easy = ui.input(
                "Easy pace per km (m:ss)",
                value=clock(saved.easy_pace_s_per_km) if saved and saved.easy_pace_s_per_km else "",
            ).mark("easy-pace")
        with ui.card().classes("w-full"):
            ui.label("Training week").classes("text-lg font-semibold")
            weekly = ui.number("Weekly km", value=saved.weekly_km if saved else 20, min=0, max=300).mark(
                "weekly-km"
            )
            days = ui.select(
                DAY_NAMES,
                multiple=True,
                value=[d.value for d in saved.available_days] if saved else ["tue", "thu", "sun"],
                label="Available days",
            ).mark("days")
            long_day = ui.select(
                DAY_NAMES, value=saved.long_run_day.value if saved else "sun", label="Long run day"
            ).mark("long-day")
            level = ui.select(LEVELS, value=saved.level.value if saved else "beginner", label="Level").mark(
                "level"
            )
            notes = ui.textarea("Injury notes", value=saved.injury_notes if saved else "").mark("notes")
        # A new profile's console starts in the runner's own units: most treadmills read in the units
        # of the country they were sold in.
        metric = user.units == Units.METRIC.value
        treadmill_card = TreadmillCard(
            saved.treadmill if saved else None, ConsoleUnit.KMH if metric else ConsoleUnit.MPH
        )
        error = ErrorLabel().mark("profile-error")
        ui.button("Save profile", on_click=save).mark("save-profile")
        with ui.card().classes("w-full"):
            ui.label("Paces").classes("text-lg font-semibold")
            await paces_card(user)
    return None
