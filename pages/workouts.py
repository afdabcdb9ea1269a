"""My workouts: the list and the generate form, and one workout with its profile and history."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from fastapi.responses import RedirectResponse, Response
from nicegui import events, ui
from pydantic import ValidationError

from pages.downloads import fit_download_button
from pages.forms import ErrorLabel
from pages.layout import frame
from runcoach.auth.web import current_user
from runcoach.context import context
from runcoach.domain.accounts import Units, User
from runcoach.domain.errors import NotFound, RunCoachError
from runcoach.domain.saved import Workout
from runcoach.domain.structure import describe
from runcoach.domain.workouts import MAX_DURATION_MIN, MIN_DURATION_MIN, Constraints, Goal, Level
from runcoach.fit import workouts as files
from runcoach.fit.files import FitFile
from runcoach.live.present import units_of
from runcoach.workouts import present, service

L = present.FIELD_LABELS
DEFAULTS = Constraints()


def _number(field: str, value: float | None, step: float, hint: str | None = None) -> ui.number:
    # No min/max props: NiceGUI would clamp the typed value on blur; the form says what is wrong instead.
    number = ui.number(L[field], value=value, step=step).classes("w-full").mark(field)
    return number.props(f'hint="{hint}"') if hint else number


def _select(field: str, choices: type[StrEnum], value: StrEnum) -> ui.select:
    options = {choice.value: choice.value.capitalize() for choice in choices}
    return ui.select(options, label=L[field], value=value.value).classes("w-full").mark(field)


def _grid() -> ui.element:
    """A form grid: one column on a phone, three from the small breakpoint on."""
    return ui.element("div").classes("grid grid-cols-1 sm:grid-cols-3 gap-x-4 gap-y-2 w-full")


def _constraint_inputs() -> dict[str, Any]:
    with _grid():
        inputs: dict[str, Any] = {
            "min_speed_kmh": _number("min_speed_kmh", DEFAULTS.min_speed_kmh, 0.1),
            "max_speed_kmh": _number("max_speed_kmh", DEFAULTS.max_speed_kmh, 0.1),
            "max_incline_pct": _number("max_incline_pct", DEFAULTS.max_incline_pct, 0.5),
        }
        with ui.column().classes("gap-0 w-full"):
            inputs["easy_speed_kmh"] = _number("easy_speed_kmh", None, 0.1)
            ui.label().classes("text-sm text-gray-600 pl-1").mark("easy_pace").bind_text_from(
                inputs["easy_speed_kmh"], "value", backward=present.easy_pace_hint
            )
        inputs["level"] = _select("level", Level, DEFAULTS.level)
        inputs["warmup_min"] = _number("warmup_min", None, 1, "Blank: by goal")
        inputs["cooldown_min"] = _number("cooldown_min", None, 1, "Blank: by goal")
    return inputs


def generate_form(user: User) -> None:
    """Duration, goal, seed and the treadmill and runner constraints; on success opens the new workout."""

    async def submit() -> None:
        error.show("")
        for widget in inputs.values():
            widget.error = None
        try:
            form = present.parse_form({field: widget.value for field, widget in inputs.items()})
        except ValidationError as exc:
            show_errors(present.form_errors(exc))
            return
        ctx = context()
        workout = await service.generate(
            ctx.db, owner_id=user.id, spec=form.spec, seed=form.seed, now=ctx.clock.now()
        )
        ui.navigate.to(f"/workouts/{workout.id}")

    def show_errors(problems: list[present.FormError]) -> None:
        for problem in problems:
            if problem.field in inputs:
                inputs[problem.field].error = ""  # red outline; the words are in the error line
                if problem.field in Constraints.model_fields:
                    constraints.open()
        error.show(" ".join(p.message.rstrip(".") + "." for p in problems))

    with ui.card().classes("w-full gap-3"):
        ui.label("Generate a workout").classes("text-lg font-medium")
        with _grid():
            inputs: dict[str, Any] = {
                "duration_min": _number("duration_min", 30, 5, f"{MIN_DURATION_MIN} to {MAX_DURATION_MIN}"),
                "goal": _select("goal", Goal, Goal.EASY),
                "seed": _number("seed", None, 1, "Blank: a random one"),
            }
        with ui.expansion("Treadmill & runner", icon="tune").classes("w-full").props("dense") as constraints:
            inputs |= _constraint_inputs()
        error = ErrorLabel().mark("form_error")
        ui.button("Generate", icon="auto_awesome", on_click=submit).classes("max-sm:w-full").mark("generate")


def workout_list(workouts: list[Workout]) -> None:
    """Newest first: name (a link), goal, duration, seed, when it was made."""
    ui.label("My workouts").classes("text-lg font-medium")
    if not workouts:
        ui.label("No workouts yet: generate your first one above.").classes("text-gray-600")
        return
    with ui.list().props("bordered separator").classes("w-full rounded-borders").mark("workouts"):
        for workout in workouts:
            with ui.item().mark(f"workout-{workout.id}"):
                with ui.item_section():
                    ui.link(workout.name, f"/workouts/{workout.id}").classes("font-medium")
                    ui.item_label(present.list_caption(workout)).props("caption")
                with ui.item_section().props("side top"):
                    ui.item_label(present.created(workout.created_at)).props("caption")


@ui.page("/workouts")
async def workouts_page() -> Response | None:
    user = await current_user()
    if user is None:
        return RedirectResponse("/login")
    mine = await service.list_mine(context().db, owner_id=user.id)
    with frame("Workouts", user):
        generate_form(user)
        import_card(user)
        workout_list(mine)
    return None


def _fact(label: str, value: str, marker: str) -> None:
    with ui.column().classes("gap-0"):
        ui.label(label).classes("text-xs uppercase text-gray-500")
        ui.label(value).classes("text-lg font-medium").mark(marker)


def _summary(workout: Workout, units: Units) -> None:
    with ui.row().classes("gap-x-8 gap-y-2 items-start"):
        if workout.goal is not None:
            _fact("Goal", workout.goal.value, "goal")
        else:
            _fact("Imported from", workout.file_name or "a file", "source")
        _fact("Duration", present.clock(workout.total_duration_s), "total")
        if workout.seed is not None:
            _fact("Seed", str(workout.seed), "seed")
        _fact("Created", present.created(workout.created_at), "created")
    ui.label(describe(workout.structure, {}, units)).classes("text-gray-800").mark("structure")
    if workout.inputs is None:
        return
    pairs = "grid grid-cols-2 sm:grid-cols-4 gap-x-4 gap-y-1 text-sm"
    with ui.expansion("Generated from", icon="tune").classes("w-full").props("dense"):  # noqa: SIM117
        with ui.element("div").classes(pairs).mark("inputs"):
            for label, value in present.inputs_summary(workout.inputs):
                ui.label(label).classes("text-gray-500")
                ui.label(value)


def _profile(workout: Workout) -> None:
    with ui.card().classes("w-full p-2 sm:p-4"):
        ui.echart(present.profile_chart(workout.segments)).classes("w-full h-64 sm:h-80").mark("profile")


def _segments(workout: Workout) -> None:
    ui.table(
        columns=present.SEGMENT_COLUMNS,
        rows=present.segment_rows(workout.segments),
        row_key="n",
        pagination=0,
    ).props("dense flat bordered hide-bottom").classes("w-full").mark("segments")


def _history(workout: Workout, chain: list[Workout]) -> None:
    """The regeneration chain, oldest first; the workout on screen is highlighted, the others are links."""
    ui.label("History").classes("text-lg font-medium")
    with ui.list().props("bordered separator dense").classes("w-full rounded-borders").mark("history"):
        for item in chain:
            current = item.id == workout.id
            marker = "history-current" if current else f"history-{item.id}"
            with ui.item().classes("bg-teal-1" if current else "").mark(marker):
                with ui.item_section().props("avatar"):
                    ui.icon("star" if current else "history", color="primary" if current else "grey-6")
                with ui.item_section():
                    if current:
                        ui.item_label(f"{item.name} (this one)").classes("font-semibold")
                    else:
                        ui.link(item.name, f"/workouts/{item.id}")
                    caption = f"seed {item.seed} · {present.clock(item.total_duration_s)}"
                    ui.item_label(f"{caption} · {present.created(item.created_at)}").props("caption")


def _actions(workout: Workout, user: User) -> None:
    async def regenerate() -> None:
        ctx = context()
        try:
            new = await service.regenerate(
                ctx.db, workout_id=workout.id, owner_id=user.id, now=ctx.clock.now()
            )
        except RunCoachError as exc:
            error.show(str(exc))
            return
        ui.navigate.to(f"/workouts/{new.id}")

    async def start_run() -> None:
        try:
            session = await context().hub.create_session(workout_id=workout.id, owner_id=user.id)
        except RunCoachError as exc:
            error.show(str(exc))
            return
        ui.navigate.to(f"/sessions/{session.id}/run")

    with ui.row().classes("gap-2 items-center"):
        ui.button("Start a run", icon="play_arrow", color="positive", on_click=start_run).mark("start-run")
        if workout.inputs is not None:  # an imported workout has nothing to generate again from
            ui.button("Regenerate", icon="refresh", on_click=regenerate).mark("regenerate")
        fit_download_button(lambda: _fit_file(workout, user))
        ui.button("Back to workouts", icon="arrow_back", on_click=lambda: ui.navigate.to("/workouts")).props(
            "flat"
        ).mark("back")
    error = ErrorLabel()


async def _fit_file(workout: Workout, user: User) -> FitFile:
    ctx = context()
    return await files.saved_workout_file(
        ctx.db,
        workout_id=workout.id,
        owner_id=user.id,
        now=ctx.clock.now(),
        tolerance_pct=ctx.settings.fit_speed_tolerance_pct,
    )


def import_card(user: User) -> None:
    """Upload a workout made elsewhere: a FIT workout file or a Zwift run workout (.zwo)."""
    error: ErrorLabel
    upload: ui.upload
    limit = context().settings.max_import_bytes

    async def received(event: events.UploadEventArguments) -> None:
        error.show("")
        ctx = context()
        try:
            # The request's size limit bounds what is read here; the service says if it is too large.
            imported = await files.import_file(
                ctx.db,
                owner_id=user.id,
                name=event.file.name,
                data=await event.file.read(),
                now=ctx.clock.now(),
                max_bytes=limit,
            )
        except RunCoachError as exc:
            error.show(str(exc))
            upload.reset()
            return
        if imported.changes:
            ui.notify(" ".join(imported.changes), type="warning", multi_line=True, close_button=True)
        ui.navigate.to(f"/workouts/{imported.workout.id}")

    with ui.card().classes("w-full gap-2"):
        ui.label("Import a workout").classes("text-lg font-medium")
        ui.label(
            "A FIT workout file from Garmin Connect, TrainingPeaks or intervals.icu, or a Zwift run "
            "workout (.zwo). Repeats stay repeats; paces become treadmill speeds."
        ).classes("text-sm text-gray-600")
        upload = ui.upload(
            on_upload=received,
            on_rejected=lambda: error.show(f"That file is over {limit // 1024} KiB, the largest accepted."),
            max_file_size=limit,
            auto_upload=True,
            label="Choose a .fit or .zwo file",
        )
        upload.props('accept=".fit,.zwo,.FIT,.ZWO" flat bordered').classes("max-sm:w-full").mark("import")
        error = ErrorLabel().mark("import_error")


def _not_found(user: User) -> None:
    # The same page for an unknown id and somebody else's: nothing tells whether it exists.
    ui.status_code(404)
    with frame("Workout not found", user):
        ui.label("There is no such workout among yours.").classes("text-gray-600")
        ui.link("Back to workouts", "/workouts")


@ui.page("/workouts/{workout_id}")
async def workout_page(workout_id: str) -> Response | None:
    user = await current_user()
    if user is None:
        return RedirectResponse("/login")
    try:
        workout, chain = await service.get_with_history(
            context().db, workout_id=present.parse_id(workout_id), owner_id=user.id
        )
    except NotFound:
        _not_found(user)
        return None
    with frame(workout.name, user):
        _summary(workout, units_of(user.units))
        _actions(workout, user)
        _profile(workout)
        _segments(workout)
        if workout.inputs is not None:
            _history(workout, chain)
    return None
