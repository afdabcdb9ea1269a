"""An early finish in a real browser: the tablet (1280x800) says so, its bars stop where the run did.

Debian's Chromium through Selenium, against a real server process. The runner starts on the tablet,
runs a couple of seconds of a 20-minute workout and finishes (through the API, as any other device
would): the tablet shows "Finished early", k of n segments and the real time, and its progress bars
and chart line stand at the point where the run stopped, before and after a reload.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from runcoach.live.present import elapsed_clock
from runcoach.workouts.present import clock
from tests.e2e.conftest import ServerFactory
from tests.helpers import open_signed_in, tap, text_of, wait_connected, wait_for, wait_text

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "coach@example.com", "correct horse battery"
TABLET_SIZE = (1280, 800)
#: Run this long before finishing, so the bars have something to show.
RUN_AT_LEAST_S = 2
#: Bar widths: the script's style to a hundredth of a percent; the drawn box to a pixel or so.
STYLE_TOLERANCE_PCT, DRAWN_TOLERANCE_PCT = 0.05, 0.5

BAR_WIDTHS_JS = """
const bar = document.getElementById(arguments[0]);
if (!bar || !bar.style.width) return null;
const track = bar.parentElement.getBoundingClientRect().width;
return [parseFloat(bar.style.width), 100 * bar.getBoundingClientRect().width / track, track];
"""
CHART_LINE_JS = """
try {
  return getElement(window.RC_VIEW.chart_id).chart.getOption().series[0].markLine.data[0].xAxis;
} catch (e) {
  return null;
}
"""


def seconds_of(text: str) -> int:
    minutes, seconds = text.split(":")[-2:]
    return int(minutes) * 60 + int(seconds)


def bar_is(driver: WebDriver, element_id: str, percent: float) -> bool:
    """The bar is `percent` wide, as set by the script and as drawn on the screen."""
    widths = driver.execute_script(BAR_WIDTHS_JS, element_id)
    if not widths:
        return False
    style, drawn, track = widths
    assert track > 100, f"#{element_id}'s track is only {track} px wide"
    return bool(abs(style - percent) <= STYLE_TOLERANCE_PCT and abs(drawn - percent) <= DRAWN_TOLERANCE_PCT)


def shows_the_early_finish(tablet: WebDriver, state: dict[str, Any], durations: list[int]) -> None:
    n, index = state["segment_count"], state["segment_index"]
    done = f"{index} of {n} segments"  # no skips: every segment before the current one played to its end
    real_time = f"{elapsed_clock(state['elapsed_s'])} of {clock(state['total_duration_s'])}"
    wait_text(tablet, "rc-status", "Finished\u00a0early")  # one line on a phone
    wait_text(tablet, "rc-segment", "Workout ended")
    wait_text(tablet, "rc-progress", done)
    wait_text(tablet, "rc-next", f"Finished early: {done}, {real_time}")
    wait_text(tablet, "rc-elapsed", elapsed_clock(state["elapsed_s"]))

    stopped_at = sum(durations[:index]) + state["segment_elapsed_s"]
    segment_pct = 100 * state["segment_elapsed_s"] / durations[index]
    workout_pct = 100 * stopped_at / state["total_duration_s"]
    assert 0 < workout_pct < 5, "a couple of seconds into 20 minutes"
    wait_for(
        tablet, lambda d: bar_is(d, "rc-segment-bar", segment_pct), f"the segment bar at {segment_pct:.2f}%"
    )
    wait_for(
        tablet, lambda d: bar_is(d, "rc-workout-bar", workout_pct), f"the workout bar at {workout_pct:.2f}%"
    )
    line = round(stopped_at / 60, 3)
    wait_for(
        tablet,
        lambda d: (x := d.execute_script(CHART_LINE_JS)) is not None and abs(x - line) < 1e-3,
        f"the chart's line at {line} min",
    )


def test_an_early_finish_on_the_tablet_says_so_and_the_bars_stop_where_the_run_did(
    runcoach_server: ServerFactory, browser: Callable[[tuple[int, int]], WebDriver]
) -> None:
    server = runcoach_server.start()
    token = runcoach_server.user_with_token(EMAIL, PASSWORD, admin=True)
    with server.api(token) as api:
        session = api.new_session(duration_min=20, goal="easy")
        workout = api.get(f"/api/workouts/{session['workout_id']}")
    durations = [s["duration_s"] for s in workout["segments"]]
    assert len(durations) == session["segment_count"] and sum(durations) == session["total_duration_s"]
    run_path = f"/sessions/{session['id']}/run"

    tablet = browser(TABLET_SIZE)
    open_signed_in(tablet, server.base, run_path, EMAIL, PASSWORD)
    wait_text(tablet, "rc-status", "Ready")
    tap(tablet, "rc-start")
    wait_text(tablet, "rc-status", "Running")
    wait_for(
        tablet,
        lambda d: seconds_of(text_of(d, "rc-elapsed")) >= RUN_AT_LEAST_S,
        f"{RUN_AT_LEAST_S} s of running",
    )

    with server.api(token) as api:
        state = api.post(f"/api/sessions/{session['id']}/finish")
    assert state["status"] == "completed" and state["elapsed_s"] >= RUN_AT_LEAST_S

    shows_the_early_finish(tablet, state, durations)
    # A reload builds the page from the database: the same texts, bars and line.
    tablet.get(server.base + run_path)
    wait_connected(tablet)
    shows_the_early_finish(tablet, state, durations)
