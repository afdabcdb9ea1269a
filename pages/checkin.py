"""After a run: how it felt (effort 1 to 10, leg soreness 0 to 10), kept as a check-in for readiness.

The run summary (/sessions/{id}/summary) carries the same card; this page is the check-in alone,
for a phone or a link. Thin: the check-ins service stores and decides.
"""

from __future__ import annotations

from fastapi.responses import RedirectResponse, Response
from nicegui import ui

from pages.checkin_card import checkin_card
from pages.layout import frame
from runcoach.auth.web import current_user
from runcoach.context import context
from runcoach.domain import ids
from runcoach.domain.errors import NotFound
from runcoach.domain.session import RunSession
from runcoach.live import present as live
from runcoach.plans import checkins


def _summary(session: RunSession) -> None:
    state = session.state(context().clock.now())
    km = state.distance_m / 1000
    with ui.card().classes("w-full"):
        ui.label(session.name).classes("text-lg font-semibold")
        ui.label(f"{live.summary_text(state)} · {km:.2f} km at the programmed speeds").classes(
            "text-gray-700"
        ).mark("run-summary")


def _links(session_id: int) -> None:
    with ui.row().classes("gap-2"):
        summary = f"/sessions/{session_id}/summary"
        ui.button("Run summary", icon="insights", on_click=lambda: ui.navigate.to(summary)).props(
            "flat"
        ).mark("open-summary")
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
        checkin_card(user, session.id, earlier)
        _links(session.id)
    return None
