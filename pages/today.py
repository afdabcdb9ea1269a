"""Today, the home page after sign-in: today's planned workout with "Run it now", or the next one,
and this week's planned vs done."""

from __future__ import annotations

from datetime import date

from fastapi.responses import RedirectResponse, Response
from nicegui import ui

from pages.layout import frame
from pages.plan_widgets import make_plan_link, run_it_now
from runcoach.auth.web import current_user
from runcoach.context import context
from runcoach.domain.accounts import Units, User
from runcoach.domain.plan_model import WorkoutType
from runcoach.domain.plans import CompiledDay
from runcoach.domain.rules import weekday_date
from runcoach.live.present import units_of
from runcoach.plans import present
from runcoach.plans.calendar import Calendar, CalendarDay, calendar
from runcoach.plans.present import CalendarView


def workout_card(user: User, plan_id: int, compiled: CompiledDay, units: Units, heading: str) -> None:
    day = compiled.day
    colour = present.TYPE_COLOUR[day.type]
    with ui.card().classes("w-full gap-2").style(f"border-left: 6px solid {colour}").mark("workout"):
        ui.label(heading).classes("text-xs uppercase text-gray-500")
        ui.link(day.title, present.workout_url(day.wid)).classes("text-xl font-semibold").mark("title")
        ui.label(present.day_facts(compiled, units)).classes("text-gray-700").mark("facts")
        if day.type is not WorkoutType.REST and compiled.program is not None:
            run_it_now(user, plan_id, day.wid)


def today_section(user: User, cal: Calendar, today_row: CalendarDay, units: Units) -> None:
    assert cal.plan is not None
    plan_id = cal.plan.version.plan.id
    planned = today_row.planned
    if planned is not None and planned.day.type is not WorkoutType.REST:
        status = present.STATUS_TEXT[today_row.status]
        workout_card(user, plan_id, planned, units, "Today" + (f" · {status}" if status else ""))
        return
    nothing = "Rest day today." if planned is not None else "Nothing planned today."
    ui.label(nothing).classes("text-lg").mark("rest-today")
    following = present.next_planned(cal.plan.days, cal.today)
    if following is None:
        ui.label("Nothing else planned: the plan is complete.").classes("text-gray-700").mark("plan-over")
        return
    ui.label(present.next_line(following)).classes("text-lg font-medium").mark("next")
    workout_card(user, plan_id, following, units, "Next")


def week_section(cal: Calendar, units: Units) -> None:
    planned, done = present.week_volume(cal.days)
    with ui.row().classes("items-center gap-4"):
        ui.label(f"This week: {present.volume_text(planned, done, units)}").classes("text-gray-800").mark(
            "week-volume"
        )
        ui.link("Week", present.calendar_url(CalendarView.WEEK, cal.today)).mark("week-link")
        ui.link("Month", present.calendar_url(CalendarView.MONTH, cal.today)).mark("month-link")


def no_plan_today() -> None:
    with ui.card().classes("w-full gap-2").mark("no-plan"):
        ui.label("No plan yet: make one for a goal and today's workout shows here.").classes("text-gray-700")
        make_plan_link()
        ui.link("Or generate a quick workout", "/workouts").mark("quick-workout")


def _this_week(today: date) -> tuple[date, date]:
    return present.calendar_range(CalendarView.WEEK, today)


@ui.page("/today")
async def today_page() -> Response | None:
    user = await current_user()
    if user is None:
        return RedirectResponse("/login")
    ctx = context()
    today = ctx.today()
    start, end = _this_week(today)
    cal = await calendar(
        ctx.db, user.id, start=start, end=end, today=today, zone=ctx.settings.zone, now=ctx.clock.now()
    )
    units = units_of(user.units)
    with frame(f"Today, {weekday_date(today)}", user):
        if cal.plan is None:
            no_plan_today()
            return None
        (today_row,) = (d for d in cal.days if d.is_today)
        today_section(user, cal, today_row, units)
        week_section(cal, units)
    return None
