"""The run summary in a real browser: from the finished run view to a FIT file on disk.

Debian's Chromium through Selenium, against a real server process. The runner starts on the tablet,
runs a couple of seconds and finishes (through the API, as any other device would); the run view's
"Run summary" button leads to the summary, and Download FIT saves a file that Garmin's SDK and
fitdecode read, with the run's time.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from runcoach.live.present import elapsed_clock
from tests.e2e.conftest import ServerFactory
from tests.fit.decoders import fitdecode_messages, garmin_messages
from tests.helpers import open_signed_in, tap, text_of, wait_connected, wait_for, wait_text

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "coach@example.com", "correct horse battery"
TABLET_SIZE = (1280, 800)
RUN_AT_LEAST_S = 2


def saved_fit(folder: Path) -> Path | None:
    """The downloaded file once the browser has finished writing it."""
    done = [p for p in folder.glob("*.fit") if p.stat().st_size > 0]
    return done[0] if done and not list(folder.glob("*.crdownload")) else None


def test_the_finished_run_view_leads_to_the_summary_and_its_fit_file_downloads(
    runcoach_server: ServerFactory, browser: Callable[[tuple[int, int]], WebDriver], tmp_path: Path
) -> None:
    server = runcoach_server.start()
    token = runcoach_server.user_with_token(EMAIL, PASSWORD, admin=True)
    with server.api(token) as api:
        session = api.new_session(duration_min=20, goal="easy")
    tablet = browser(TABLET_SIZE)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    tablet.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    open_signed_in(tablet, server.base, f"/sessions/{session['id']}/run", EMAIL, PASSWORD)
    tap(tablet, "rc-start")
    wait_for(
        tablet,
        lambda d: int(text_of(d, "rc-elapsed").split(":")[-1]) >= RUN_AT_LEAST_S,
        f"{RUN_AT_LEAST_S} s of running",
    )
    with server.api(token) as api:
        state = api.post(f"/api/sessions/{session['id']}/finish")

    tap(tablet, "rc-done")
    wait_for(tablet, lambda d: "/summary" in d.current_url, "the summary page")
    wait_connected(tablet)
    wait_text(tablet, "rc-time", elapsed_clock(state["elapsed_s"]))
    tap(tablet, "rc-download-fit")
    path = wait_for(tablet, lambda d: saved_fit(downloads), "the FIT file on disk")

    assert path.name.endswith(".fit") and path.name[:4].isdigit()
    data = path.read_bytes()
    messages = garmin_messages(data)
    assert fitdecode_messages(data)
    (summary,) = messages["session_mesgs"]
    assert summary["total_timer_time"] == pytest.approx(state["elapsed_s"], abs=1)
    assert summary["sub_sport"] == "treadmill" and messages["lap_mesgs"]
