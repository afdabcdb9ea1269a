"""The "Download FIT" button every page with a workout or a run offers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from pages.forms import ErrorLabel
from runcoach.domain.errors import RunCoachError
from runcoach.fit.workouts import WorkoutFile


def fit_download_button(make: Callable[[], Awaitable[WorkoutFile]], label: str = "Download FIT") -> None:
    """A button that writes the file when pressed and hands it to the browser as a download."""

    async def download() -> None:
        error.show("")
        try:
            file = await make()
        except RunCoachError as exc:
            error.show(str(exc))
            return
        ui.download.content(file.data, file.name, file.media_type)

    ui.button(label, icon="watch", on_click=download).props("flat").mark("download-fit")
    error = ErrorLabel().mark("download-error")
