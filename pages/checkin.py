"""After a run: how it felt (effort 1 to 10, leg soreness 0 to 10), kept as a check-in for readiness.

The run view's Done button leads here. Thin: the check-ins service stores and decides.
"""

from __future__ import annotations

from fastapi.responses import RedirectResponse, Response
from nicegui import ui

from pages.forms import ErrorLabel
from pages.layout import frame
from runcoach.auth.web import current_user
from runcoach.context import context
from runcoach.domain import ids
from runcoach.domain.accounts import User
from runcoach.domain.errors import NotFound, RunCoachError
from runcoach.domain.readiness import Checkin
from runcoach.domain.session import RunSession
from runcoach.live import present as live
from runcoach.plans import checkins, present


def _summary(session: RunSession) -> None:
    state = session.state(context().clock.now())
    km = state.distance_m / 1000
    with ui.card().classes("w-full"):
        ui.label(session.name).classes("text-lg font-semibold")
        ui.label(f"{live.summary_text(state)} · {km:.2f} km at the programmed speeds").classes(
            "text-gray-700"
        ).mark("run-summary")


def _form(user: User, session: RunSession, earlier: Checkin | None) -> None:
    async def save() -> None:
        ctx = context()
        checkin = Checkin(day=ctx.today(), effort=int(effort.value), soreness=int(soreness.value))
        try:
            await checkins.record(ctx.db, user.id, checkin, session_id=session.id, now=ctx.clock.now())
            ready = await checkins.readiness_on(ctx.db, user.id, ctx.today())
        except RunCoachError as exc:
            error.show(str(exc))
            return
        error.show("")
        saved.set_text(f"Saved. {ready.reason}")
        saved.set_visibility(True)

    with ui.card().classes("w-full"):
        ui.label("How did it feel?").classes("text-lg font-semibold")
        effort_value = earlier.effort if earlier and earlier.effort else 5
        soreness_value = earlier.soreness if earlier and earlier.soreness is not None else 0
        effort_label = ui.label().classes("text-sm text-gray-700")
        effort = ui.slider(min=1, max=10, step=1, value=effort_value).props("label markers").mark("effort")
        effort_label.bind_text_from(
            effort, "value", backward=lambda v: f"Effort: {v} of 10 ({present.effort_word(int(v))})"
        )
        soreness_label = ui.label().classes("text-sm text-gray-700")
        soreness = (
            ui.slider(min=0, max=10, step=1, value=soreness_value).props("label markers").mark("soreness")
        )
        soreness_label.bind_text_from(soreness, "value", backward=lambda v: f"Leg soreness: {v} of 10")
        error = ErrorLabel()
        ui.button("Save", icon="check", on_click=save).props("unelevated").mark("save-checkin")
        saved = ui.label().classes("text-positive").mark("checkin-saved")
        saved.set_visibility(False)
    with ui.row().classes("gap-2"):
        ui.button("Calendar", icon="calendar_month", on_click=lambda: ui.navigate.to("/plan")).props("flat")
        ui.button("My sessions", icon="list", on_click=lambda: ui.navigate.to("/sessions")).props("flat")


@ui.page("/sessions/{session_id}/checkin")
async def checkin_page(session_id: str) -> Response | None:
    user = await current_user()
    if user is None:
        return RedirectResponse("/login")
    ctx = context()
    parsed = ids.parse_id(session_id)
    try:
        if parsed is None:
            raise NotFound("no such session")
        session = await ctx.hub.get(parsed, owner_id=user.id)
    except NotFound:
        ui.status_code(404)
        with frame("Run not found", user):
            ui.label("There is no such run among yours.").classes("text-gray-600")
            ui.link("My sessions", "/sessions")
        return None
    earlier = await checkins.for_session(ctx.db, user.id, session.id)
    with frame("How did it feel?", user):
        _summary(session)
        _form(user, session, earlier)
    return None
