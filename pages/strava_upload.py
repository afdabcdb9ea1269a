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
    card = UploadCard(user, session_id, await strava.uploads.status(user.id, session_id))
    with ui.card().classes("w-full gap-2").mark("strava-upload"):
        ui.label("Strava").classes("text-lg font-semibold")
        card.state()


class UploadCard:
    """One per page: its refreshable redraws this page only."""

    def __init__(self, user: User, session_id: int, upload: Upload | None) -> None:
        self.user = user
        self.session_id = session_id
        self.upload = upload

    @ui.refreshable_method
    def state(self) -> None:
        upload = self.upload
        if upload is None:
            ui.button("Send to Strava", icon="upload", on_click=self._send).mark("strava-send")
            return
        ui.label(said(upload)).classes("text-sm").mark("strava-upload-state")
        if upload.activity_id is not None:
            ui.link("Open it on Strava", ACTIVITY_URL.format(upload.activity_id), new_tab=True)
        if not upload.over:
            ui.timer(POLL_S, self._poll, once=True)

    async def _send(self) -> None:
        try:
            self.upload = await context().strava.upload(self.user.id, self.session_id)
        except RunCoachError as exc:
            ui.notify(str(exc), type="negative")
            return
        self.state.refresh()

    async def _poll(self) -> None:
        self.upload = await context().strava.uploads.status(self.user.id, self.session_id)
        self.state.refresh()
