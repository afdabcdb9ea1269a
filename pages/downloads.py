"""The "Download FIT" button of every page with a workout or a run."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from pages.forms import ErrorLabel
from runcoach.domain.errors import RunCoachError
from runcoach.fit.files import FitFile


def fit_download_button(make: Callable[[], Awaitable[FitFile]], hint: str | None = None) -> None:
    """A button that writes the file when pressed and sends it through this page's own connection
    (`ui.download.content`: pages never call the bearer-token API); a failure shows its sentence."""

    async def download() -> None:
        try:
            file = await make()
        except RunCoachError as exc:  # the database is down, say: the same sentence as the API's
            error.show(str(exc))
            return
        error.show("")
        ui.download.content(file.data, file.name, file.media_type)

    with ui.row().classes("items-center gap-3"):
        button = ui.button("Download FIT", icon="download", on_click=download)
        button.props("id=rc-download-fit unelevated").mark("download-fit")
        if hint:
            ui.label(hint).classes("text-sm text-gray-600")
    error = ErrorLabel().mark("download-error")
