"""The plan calendar: month and week views of the planned days beside the runs done, above them
the plan's goal, methodology, version and a chart of planned vs done distance per week."""

from __future__ import annotations

from datetime import date

from fastapi.responses import RedirectResponse, Response
from nicegui import ui

from pages.layout import frame
from pages.plan_widgets import no_plan
from runcoach.auth.web import current_user
from runcoach.context import context
from runcoach.domain.accounts import Units
from runcoach.domain.errors import NotFound
from runcoach.domain.structure import describe
from runcoach.goals import present as goal_present
from runcoach.goals import service as goals
from runcoach.live.present import units_of
from runcoach.plans import present
from runcoach.plans.calendar import Calendar, calendar
from runcoach.plans.present import CalendarView
from runcoach.plans.service import PlanView


async def goal_title(user_id: int, plan: PlanView) -> str | None:
    """The stored goal's title, when the plan was made for one that still exists."""
    goal_id = plan.version.plan.goal_id
    if goal_id is None:
        return None
    ctx = context()
    try:
        return goal_present.title(await goals.get_goal(ctx.db, user_id, goal_id, ctx.clock.now()))
    except NotFound:
        return None


def plan_header(plan: PlanView, title: str | None) -> None:
    with ui.column().classes("gap-0"):
        ui.label(present.goal_line(plan.draft, title)).classes("text-lg font-medium").mark("goal-line")
        ui.label(present.plan_caption(plan.version)).classes("text-gray-600").mark("plan-caption")


def volume_chart(cal: Calendar, units: Units) -> None:
    with ui.card().classes("w-full p-2 sm:p-4"):
        ui.label("Planned vs done per week").classes("font-medium")
        options = present.volume_chart(cal.weeks, units, cal.today)
        ui.echart(options).classes("w-full h-40 sm:h-44").mark("volume")


def navigation(view: CalendarView, day: date, today: date) -> None:
    def go(target_view: CalendarView, target: date) -> None:
        ui.navigate.to(present.calendar_url(target_view, target))

    ui.label(present.range_title(view, day)).classes("text-lg font-medium").mark("range")
    with ui.row().classes("w-full items-center gap-1 no-wrap"):
        ui.toggle(
            {CalendarView.MONTH.value: "Month", CalendarView.WEEK.value: "Week"},
            value=view.value,
            on_change=lambda e: go(CalendarView(e.value), day),
        ).props("no-caps").mark("view")
        ui.button(icon="chevron_left", on_click=lambda: go(view, present.shifted(view, day, -1))).props(
            "flat round"
        ).mark("previous")
        ui.button("Today", on_click=lambda: go(view, today)).props("flat no-caps").mark("today")
        ui.button(icon="chevron_right", on_click=lambda: go(view, present.shifted(view, day, 1))).props(
            "flat round"
        ).mark("next")


def grid(cal: Calendar, view: CalendarView, day: date, units: Units) -> None:
    texts: dict[int, str] = {}
    if view is CalendarView.WEEK and cal.plan is not None:  # the week view shows each structure as text
        zones = cal.plan.profile.paces().zones
        texts = {
            d.planned.day.wid: describe(d.planned.day.structure, zones, units)
            for d in cal.days
            if d.planned is not None and d.planned.day.structure is not None
        }
    ui.add_css(present.CALENDAR_CSS)
    ui.html(present.calendar_html(cal, view, day, units, texts), sanitize=False).classes("w-full").mark(
        "calendar"
    )


def legend() -> None:
    with ui.row().classes("gap-x-3 gap-y-1 text-xs text-gray-600"):
        for kind, colour in present.TYPE_COLOUR.items():
            with ui.row().classes("items-center gap-1"):
                ui.element("span").style(f"background:{colour};width:10px;height:10px;border-radius:2px")
                ui.label(present.TYPE_LABEL[kind])


@ui.page("/plan")
async def plan_page(view: str = "", day: str = "") -> Response | None:
    user = await current_user()
    if user is None:
        return RedirectResponse("/login")
    ctx = context()
    today = ctx.today()
    shown, around = present.parse_view(view), present.parse_day(day, today)
    start, end = present.calendar_range(shown, around)
    cal = await calendar(
        ctx.db, user.id, start=start, end=end, today=today, zone=ctx.settings.zone, now=ctx.clock.now()
    )
    units = units_of(user.units)
    with frame("Plan", user):
        if cal.plan is None:
            no_plan()
            return None
        plan_header(cal.plan, await goal_title(user.id, cal.plan))
        volume_chart(cal, units)
        navigation(shown, around, today)
        grid(cal, shown, around, units)
        legend()
        with ui.row().classes("gap-4"):
            ui.link("Versions and changes", "/plan/versions").mark("versions-link")
            ui.link("Goals", "/goals")
    return None
