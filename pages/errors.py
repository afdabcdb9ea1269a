"""What a page shows when building it failed: the domain error's own sentence, never a stack trace.

Registered once with `app.on_page_exception` (runcoach/app.py). A database that does not answer
reads "The database is not answering. Try again in a moment." with a button to try again, the
same sentence the API sends with its 503.
"""

from __future__ import annotations

from nicegui import ui

from pages.layout import frame
from runcoach.domain.errors import RunCoachError, Unavailable

UNEXPECTED = "Something went wrong on the server. It has been logged; try again in a moment."


def error_page(exc: Exception) -> None:
    """The error page's content: a title, the sentence, and a way on."""
    title = "Try again in a moment" if isinstance(exc, Unavailable) else "Something went wrong"
    message = str(exc) if isinstance(exc, RunCoachError) else UNEXPECTED
    with frame(title):
        ui.label(message).classes("text-gray-700").mark("page-error")
        with ui.row().classes("gap-2"):
            ui.button("Try again", icon="refresh", on_click=lambda: ui.navigate.reload()).mark("retry")
            ui.button("Home", icon="home", on_click=lambda: ui.navigate.to("/")).props("flat")
