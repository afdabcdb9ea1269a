"""The coach chat: the conversation with the coach (Claude, or the built-in coach without a key), its
proposals as cards to apply or discard, and what the coach sees of the runner.

Thin: the widgets are in `pages/chat_widgets.py` and `pages/coach_panel.py`; the chat service
(`context().coach`) stores and writes every message.
"""

from __future__ import annotations

from fastapi.responses import RedirectResponse, Response
from nicegui import ui

from pages.chat_widgets import Conversation
from pages.coach_panel import ContextPanel
from pages.layout import frame
from runcoach.auth.web import current_user
from runcoach.coach import present_chat as words
from runcoach.context import context
from runcoach.live.present import units_of


def banner(label: str, is_ai: bool) -> None:
    """Which coach answers: a small label for Claude, a sentence on what the built-in coach can do."""
    if is_ai:
        ui.label(words.banner(label, is_ai)).classes("text-xs text-gray-500").mark("coach-on")
        return
    with ui.row().classes("w-full items-start gap-2 no-wrap bg-amber-50 rounded p-3").mark("coach-off"):
        ui.icon("info", color="amber-9").classes("mt-0.5")
        ui.label(words.banner(label, is_ai)).classes("text-sm text-gray-800 min-w-0")


@ui.page("/coach")
async def coach_page() -> Response | None:
    user = await current_user()
    if user is None:
        return RedirectResponse("/login?redirect_to=/coach")
    ctx = context()
    backend = ctx.coach.backend
    with frame("Coach", user):
        banner(backend.label, backend.is_ai)
        with ui.row().classes("w-full gap-4 items-start flex-col-reverse lg:flex-row lg:flex-nowrap"):
            with ui.column().classes("w-full lg:w-auto lg:grow min-w-0 gap-3"):
                chat = Conversation(
                    user,
                    zone=ctx.settings.zone,
                    today=ctx.today(),
                    units=units_of(user.units),
                    on_change=lambda: seen.fill(),
                )
            with ui.column().classes("w-full lg:w-80 lg:shrink-0 rc-sees-column"):
                seen = ContextPanel(user, on_reset=chat.cleared)
        await chat.load()
        await seen.fill()
    return None
