"""Small form widgets shared by the pages."""

from __future__ import annotations

from nicegui import ui


class ErrorLabel(ui.label):
    """A red line under a form that shows what went wrong, or nothing."""

    def __init__(self) -> None:
        super().__init__("")
        self.classes("text-negative text-sm")
        self.set_visibility(False)

    def show(self, message: str) -> None:
        self.set_text(message)
        self.set_visibility(bool(message))


def password_input(label: str = "Password") -> ui.input:
    return ui.input(label, password=True, password_toggle_button=True).classes("w-full")


def card() -> ui.card:
    return ui.card().classes("w-full max-w-md mx-auto p-6 gap-3")
