"""One planned workout: what it is, its structure as text, its profile and segments in the
runner's units, its edit history, and "Run it now"."""

from __future__ import annotations

from fastapi.responses import RedirectResponse, Response
from nicegui import ui

from pages.downloads import fit_download_button
from pages.layout import frame
from pages.plan_edit import AdaptCard, EditCard
from pages.plan_widgets import not_found, run_it_now
from runcoach.auth.web import current_user
from runcoach.context import context
from runcoach.domain.accounts import Units, User
from runcoach.domain.errors import NotFound
from runcoach.domain.plan_model import WorkoutType
from runcoach.domain.plans import CompiledDay
from runcoach.domain.rules import weekday_date
from runcoach.domain.structure import describe
from runcoach.fit import workouts as files
from runcoach.fit.files import FitFile
from runcoach.live.present import units_of
from runcoach.plans import present, service
from runcoach.plans.present import HistoryEntry
from runcoach.plans.service import PlanView


def _fact(label: str, value: str, marker: str) -> None:
    with ui.column().classes("gap-0"):
        ui.label(label).classes("text-xs uppercase text-gray-500")
        ui.label(value).classes("text-lg font-medium").mark(marker)


def summary(compiled: CompiledDay, plan: PlanView, units: Units) -> None:
    day = compiled.day
    with ui.row().classes("gap-x-8 gap-y-2 items-start"):
        _fact("Date", f"{weekday_date(day.date)} {day.date.year}", "date")
        _fact("Type", present.TYPE_LABEL[day.type] + (" · hard day" if day.hard else ""), "type")
        _fact("Planned", present.day_facts(compiled, units), "facts")
    if day.structure is not None:
        text = describe(day.structure, plan.profile.paces().zones, units)
        ui.label(text).classes("text-gray-800").mark("structure")
    elif day.type is WorkoutType.RACE:
        ui.label("Race day: run it outdoors. Good luck!").classes("text-gray-800").mark("structure")
    else:
        ui.label("Rest day: no running planned.").classes("text-gray-800").mark("structure")


def program(compiled: CompiledDay, plan: PlanView, units: Units) -> None:
    if compiled.program is None:
        return
    segments = compiled.program.segments
    with ui.card().classes("w-full p-2 sm:p-4"):
        ui.echart(present.profile_chart(segments, units)).classes("w-full h-64 sm:h-80").mark("profile")
    ui.table(
        columns=present.segment_columns(units),
        rows=present.segment_rows(compiled, units, plan.profile.treadmill),
        row_key="n",
        pagination=0,
    ).props("dense flat bordered hide-bottom").classes("w-full").mark("segments")


def edit_history(entries: list[HistoryEntry]) -> None:
    ui.label("Edit history").classes("text-lg font-medium")
    if not entries:
        ui.label("Not changed since the plan was made.").classes("text-gray-600").mark("no-history")
        return
    with ui.list().props("bordered separator dense").classes("w-full rounded-borders").mark("history"):
        for entry in entries:
            with ui.item().mark(f"version-{entry.version}"), ui.item_section():
                ui.item_label(f"{entry.before} → {entry.after}")
                caption = f"Version {entry.version} by {entry.author} · {entry.reason} · {entry.when}"
                ui.item_label(caption).props("caption")


def actions(user: User, compiled: CompiledDay, plan: PlanView, today_ok: bool) -> None:
    with ui.row().classes("gap-2 items-center"):
        if today_ok and plan.version.plan.archived_at is None:
            run_it_now(user, plan.version.plan.id, compiled.day.wid)
        if compiled.day.structure is not None:
            fit_download_button(lambda: _fit_file(user, plan, compiled))
        ui.button("Calendar", icon="calendar_month", on_click=lambda: _to_calendar(compiled)).props(
            "flat"
        ).mark("to-calendar")


async def _fit_file(user: User, plan: PlanView, compiled: CompiledDay) -> FitFile:
    ctx = context()
    return await files.planned_day_file(
        ctx.db,
        user_id=user.id,
        plan_id=plan.version.plan.id,
        wid=compiled.day.wid,
        now=ctx.clock.now(),
        tolerance_pct=ctx.settings.fit_speed_tolerance_pct,
    )


def _to_calendar(compiled: CompiledDay) -> None:
    ui.navigate.to(present.calendar_url(present.CalendarView.WEEK, compiled.day.date))


@ui.page("/plan/workouts/{wid}")
async def plan_workout_page(wid: str, plan: str = "") -> Response | None:
    user = await current_user()
    if user is None:
        return RedirectResponse("/login")
    ctx = context()
    try:
        plan_id = present.parse_plan_id(plan)
        shown = await service.view(ctx.db, user.id, plan_id)
        compiled = shown.day(present.parse_wid(wid))
    except NotFound:
        not_found(user)
        return None
    versions = await service.versions(ctx.db, user.id, shown.version.plan.id)
    units = units_of(user.units)
    zones, treadmill = shown.profile.paces().zones, shown.profile.treadmill
    with frame(compiled.day.title, user):
        summary(compiled, shown, units)
        actions(user, compiled, shown, present.can_run(compiled, ctx.today()))
        program(compiled, shown, units)
        if present.can_edit(compiled, shown, ctx.today()):
            if compiled.day.date == ctx.today() and compiled.program is not None:
                AdaptCard(user, shown, compiled)
            EditCard(user, shown, compiled, ctx.today())
        edit_history(present.history(versions, compiled.day.wid, zones, treadmill))
        ui.link("All versions of the plan", "/plan/versions").mark("versions-link")
    return None
