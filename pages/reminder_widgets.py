"""The reminders' switches and local times, on Settings: saved as soon as one is changed."""

from __future__ import annotations

from datetime import time
from zoneinfo import available_timezones

from nicegui import ui
from pydantic import ValidationError

from runcoach.context import context
from runcoach.domain.accounts import User
from runcoach.domain.notifications import Preferences

ZONES = sorted(available_timezones())


def _time(text: str | None, fallback: time) -> time:
    try:
        return time.fromisoformat(text or "")
    except ValueError:
        return fallback


async def reminders_card(user: User) -> None:
    ctx = context()
    prefs = await ctx.reminders.preferences(user.id)
    mailed = ctx.reminders.mailer.configured

    async def save() -> None:
        try:
            chosen = Preferences(
                morning=morning.value, morning_at=_time(morning_at.value, prefs.morning_at),
                attach_fit=attach.value, weekly=weekly.value,
                weekly_at=_time(weekly_at.value, prefs.weekly_at), goal_alerts=goals.value,
                timezone=zone.value or prefs.timezone,
            )  # fmt: skip
        except ValidationError:
            saved.set_text("That time zone is not known: pick one from the list.")
            return
        await ctx.reminders.save_preferences(user.id, chosen)
        saved.set_text("Saved.")

    with ui.card().classes("w-full").mark("reminders-card"):
        ui.label("Reminders").classes("text-lg font-semibold")
        where = "by mail to " + user.email if mailed else "here, under the bell (no mail server is set up)"
        ui.label(f"Reminders come {where}.").classes("text-sm text-gray-700")
        with ui.row().classes("items-center gap-3"):
            morning = ui.switch("Today's workout, in the morning", value=prefs.morning, on_change=save)
            morning_at = ui.input("at", value=prefs.morning_at.strftime("%H:%M")).props("type=time dense")
            morning_at.on("change", save).classes("w-28").mark("morning-at")
        attach = ui.switch("with its FIT file for the watch", value=prefs.attach_fit, on_change=save)
        with ui.row().classes("items-center gap-3"):
            weekly = ui.switch("The week's summary, on Sunday", value=prefs.weekly, on_change=save)
            weekly_at = ui.input("at", value=prefs.weekly_at.strftime("%H:%M")).props("type=time dense")
            weekly_at.on("change", save).classes("w-28")
        goals = ui.switch("Tell me when a goal looks unrealistic", value=prefs.goal_alerts, on_change=save)
        zone = ui.select(ZONES, value=prefs.timezone, label="My time zone", with_input=True, on_change=save)
        zone.classes("w-72").mark("reminders-zone")
        saved = ui.label("").classes("text-sm text-gray-600").mark("reminders-saved")
