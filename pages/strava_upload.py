"""The run summary's Strava line: send the finished run to Strava (once), and how the upload went."""

from __future__ import annotations

from nicegui import ui

from runcoach.context import context
from runcoach.domain.accounts import User
from runcoach.domain.errors import RunCoachError
from runcoach.domain.strava import Upload, UploadStatus

#: How often the card reads the upload's status while Strava processes it.
POLL_S = 2.0
ACTIVITY_URL = "https://www.strava.com/activities/{}"

SAID = {
    UploadStatus.CLAIMED: "Sending to Strava…",
    UploadStatus.PROCESSING: "Strava is processing the run…",
    UploadStatus.DONE: "On Strava, with its laps.",
    UploadStatus.DUPLICATE: "Already on Strava: linked to the activity there.",
    UploadStatus.FAILED: "Strava refused the file: {error}",
}


def said(upload: Upload) -> str:
    return SAID[UploadStatus(upload.status)].format(error=upload.error or "no reason given")


async def strava_upload_card(user: User, session_id: int) -> None:
    """Nothing without a Strava connection; else the button, or the upload's state."""
    strava = context().strava
    status = await strava.status(user.id)
    if not status.connected:
        return
    upload = await strava.uploads.status(user.id, session_id)
    with ui.card().classes("w-full gap-2").mark("strava-upload"):
        ui.label("Strava").classes("text-lg font-semibold")
        _state(user, session_id, upload)


@ui.refreshable
def _state(user: User, session_id: int, upload: Upload | None) -> None:
    if upload is None:
        ui.button("Send to Strava", icon="upload", on_click=lambda: _send(user, session_id)).mark(
            "strava-send"
        )
        return
    ui.label(said(upload)).classes("text-sm").mark("strava-upload-state")
    if upload.activity_id is not None:
        ui.link("Open it on Strava", ACTIVITY_URL.format(upload.activity_id), new_tab=True)
    if not upload.over:
        ui.timer(POLL_S, lambda: _poll(user, session_id), once=True)


async def _send(user: User, session_id: int) -> None:
    try:
        upload = await context().strava.upload(user.id, session_id)
    except RunCoachError as exc:
        ui.notify(str(exc), type="negative")
        return
    _state.refresh(user, session_id, upload)


async def _poll(user: User, session_id: int) -> None:
    _state.refresh(user, session_id, await context().strava.uploads.status(user.id, session_id))
