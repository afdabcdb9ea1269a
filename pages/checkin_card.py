"""The "How did it feel?" card (effort 1 to 10, leg soreness 0 to 10), kept as a check-in for readiness.

Shared by the check-in page and the run summary; the check-ins service stores and decides.
"""

from __future__ import annotations

from nicegui import ui

from pages.forms import ErrorLabel
from runcoach.context import context
from runcoach.domain.accounts import User
from runcoach.domain.errors import RunCoachError
from runcoach.domain.readiness import Checkin
from runcoach.plans import checkins, present


def checkin_card(user: User, session_id: int, earlier: Checkin | None) -> None:
    """The card with its two sliders and Save; `earlier` is the run's check-in so far, if any."""

    async def save() -> None:
        ctx = context()
        checkin = Checkin(day=ctx.today(), effort=int(effort.value), soreness=int(soreness.value))
        try:
            await checkins.record(ctx.db, user.id, checkin, session_id=session_id, now=ctx.clock.now())
            ready = await checkins.readiness_on(ctx.db, user.id, ctx.today())
        except RunCoachError as exc:
            error.show(str(exc))
            return
        error.show("")
        saved.set_text(f"Saved. {ready.reason}")
        saved.set_visibility(True)

    with ui.card().classes("w-full").mark("checkin"):
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
