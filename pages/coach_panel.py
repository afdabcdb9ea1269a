"""The chat page's "What the coach sees": the coach's context as sections, the memories in use with a
delete button each, and Reset conversation (with a confirm dialog).

A side column on wide screens (always open), an expansion on phones and tablets; the sections come
from `runcoach.coach.present_context.panel`, the same lines the model reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nicegui import ui

from pages.forms import ErrorLabel
from runcoach.coach import present_chat as words
from runcoach.coach.present_context import NO_MEMORIES, panel
from runcoach.context import context
from runcoach.domain.accounts import User
from runcoach.domain.coach import MEMORY_TITLES, Memory
from runcoach.domain.errors import NotFound, RunCoachError

#: From `lg` up the panel is a column beside the chat, open, its toggle hidden, scrolling on its own
#: (the page's height is the chat's).
PANEL_CSS = """
@media (min-width: 1024px) {
  .rc-sees-column { position: sticky; top: 4.5rem; max-height: calc(100vh - 6rem); overflow-y: auto; }
  .rc-sees > .q-expansion-item__container > .q-item { pointer-events: none; }
  .rc-sees .q-expansion-item__toggle-icon { display: none; }
  .rc-sees .q-expansion-item__content { display: block !important; }
}
"""


class ContextPanel:
    """What the coach is given about the runner with each message, and what it remembers."""

    def __init__(self, user: User, on_reset: Callable[[], None]) -> None:
        self.user, self.on_reset = user, on_reset
        self.coach = context().coach
        ui.add_css(PANEL_CSS)
        with (
            ui.expansion("What the coach sees", icon="visibility")
            .classes("w-full rc-sees bg-gray-50 rounded")
            .mark("context-panel")
        ):
            self.body = ui.column().classes("w-full gap-3 text-sm")
            self.error = ErrorLabel().mark("panel-error")
            with ui.row().classes("w-full gap-2 pt-2"):
                ui.button("Refresh", icon="refresh", on_click=self.fill).props("flat dense no-caps").mark(
                    "panel-refresh"
                )
                ui.button("Reset conversation", icon="delete_sweep", on_click=self._ask).props(
                    "flat dense no-caps color=negative"
                ).mark("reset")
        with ui.dialog().mark("reset-dialog") as self.dialog, ui.card().classes("max-w-md"):
            ui.label(words.RESET_QUESTION)
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=self.dialog.close).props("flat no-caps").mark("reset-cancel")
                ui.button("Reset", on_click=self._reset).props("unelevated no-caps color=negative").mark(
                    "reset-confirm"
                )

    async def fill(self) -> None:
        """Build the sections from the coach's context as it is now."""
        seen = await self.coach.context(self.user)
        self.body.clear()
        listed = False
        with self.body:
            for title, lines in panel(seen):
                with ui.column().classes("w-full gap-0").mark(f"section-{_slug(title)}"):
                    ui.label(title).classes("font-medium text-gray-800")
                    if words.is_memory_section(title):
                        self._memories(seen.memories)
                        listed = True
                        continue
                    for line in lines:
                        ui.label(line).classes("text-gray-700 break-words")
            if not listed:  # the panel has no memory section of its own: list them last
                with ui.column().classes("w-full gap-0").mark("section-memories"):
                    ui.label(words.MEMORY_SECTION).classes("font-medium text-gray-800")
                    self._memories(seen.memories)

    def _memories(self, memories: Sequence[Memory]) -> None:
        if not memories:
            ui.label(NO_MEMORIES).classes("text-gray-700").mark("no-memories")
        for memory in words.memories_in_order(memories):
            with ui.row().classes("w-full items-start gap-1 no-wrap").mark(f"memory-{memory.id}") as row:
                ui.label(f"{MEMORY_TITLES[memory.kind]}: {memory.text}").classes(
                    "grow min-w-0 text-gray-700 break-words"
                )
                ui.button(icon="delete", on_click=lambda m=memory, r=row: self._forget(m, r)).props(
                    "flat round dense size=sm"
                ).mark(f"forget-{memory.id}").tooltip("Forget this")

    async def _forget(self, memory: Memory, row: ui.row) -> None:
        self.error.show("")
        try:
            await self.coach.forget(self.user, memory.id)
        except NotFound:
            pass  # forgotten already (another device): it goes from here too
        except RunCoachError as exc:
            self.error.show(str(exc))
            return
        row.delete()

    def _ask(self) -> None:
        self.dialog.open()

    async def _reset(self) -> None:
        self.error.show("")
        try:
            await self.coach.reset(self.user)
        except RunCoachError as exc:
            self.error.show(str(exc))
            return
        finally:
            self.dialog.close()
        self.on_reset()
        await self.fill()


def _slug(title: str) -> str:
    return "-".join(title.lower().split())
