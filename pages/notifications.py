"""The reminders a runner got (newest first), read as the page opens."""

from __future__ import annotations

from fastapi.responses import RedirectResponse, Response
from nicegui import ui

from pages.layout import frame
from runcoach.auth.web import current_user
from runcoach.context import context
from runcoach.domain.notifications import Delivery

HOW = {
    Delivery.SENT: "mailed",
    Delivery.IN_APP: "here only",
    Delivery.PENDING: "being sent",
    Delivery.SENDING: "being sent",
    Delivery.FAILED: "not mailed",
}


@ui.page("/notifications")
async def notifications_page() -> Response | None:
    user = await current_user()
    if user is None:
        return RedirectResponse("/login?next=/notifications")
    reminders = context().reminders
    found = await reminders.recent(user.id)
    await reminders.mark_read(user.id)
    zone = context().settings.zone
    with frame("Reminders", user):
        if not found:
            ui.label("No reminders yet. Choose which you want on Settings.").classes("text-gray-600")
        for item in found:
            with ui.card().classes("w-full gap-1").mark("reminder"):
                with ui.row().classes("w-full items-center gap-x-2 gap-y-0 flex-wrap"):
                    unread = "" if item.read_at else " text-primary"
                    ui.label(item.title).classes("font-semibold min-w-0 [overflow-wrap:anywhere]" + unread)
                    ui.space()
                    when = item.created_at.astimezone(zone).strftime("%a %d %b %H:%M")
                    ui.label(f"{when} · {HOW[item.status]}").classes("text-xs text-gray-500")
                # A pasted link is one long word: it wraps rather than widen the page on a phone.
                ui.label(item.body).classes("text-sm whitespace-pre-line max-w-full [overflow-wrap:anywhere]")
    return None
