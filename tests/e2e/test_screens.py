"""Every screen in a real browser: the run view on tablets, the remote on phones, the TV; button contrast.

One server and one Chromium per view kind serve the whole module: a signed-in tablet on the run
view, a phone paired by code alone, and a signed-in TV. Each size resizes that browser so its
viewport is exactly the size named (innerWidth x innerHeight, as on a tablet or phone running the
installed app full screen), then checks what a runner must always see: no sideways scrolling; the
clock, the targets (speed, incline) and the main command button inside the viewport, not covered
(document.elementFromPoint at the centre hits the element or a descendant), not clipped by a
scrolling or hidden-overflow ancestor, and their text not cut.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import TimeoutException, WebDriverException
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import IN_CI
from tests.e2e.conftest import Server, ServerFactory, chromium_missing, open_chromium
from tests.helpers import WAIT_S, sign_in_browser, tap, text_of, wait_connected, wait_for, wait_text

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "screens@example.com", "correct horse battery"
#: The visible one of these is the main command button (Start, Pause or Resume by state).
MAIN = "rc-start|rc-pause|rc-resume"
#: What must always be visible and uncovered on each view kind.
MUST_SEE = {
    "run": (
        "rc-remaining",
        "rc-elapsed",
        "rc-speed",
        "rc-pace",
        "rc-incline",
        MAIN,
        "rc-pair-code",
        "rc-pair-renew",
    ),
    "remote": ("rc-remaining", "rc-speed", "rc-incline", MAIN),
    "tv": ("rc-remaining", "rc-elapsed", "rc-speed", "rc-incline", "rc-next"),
}
#: Read from across the room: the TV's targets at least this share of the screen's height.
TV_LARGE = {"rc-remaining": 0.25, "rc-speed": 0.06, "rc-incline": 0.06, "rc-next": 0.03}
SIZES = {
    "run": [(800, 1280), (1024, 600), (1280, 650), (1280, 800), (1920, 1080)],
    "remote": [(360, 640), (390, 844), (844, 390)],
    "tv": [(1280, 720), (1920, 1080)],
}
CASES = [(kind, size) for kind, sizes in SIZES.items() for size in sizes]
COMMAND_IDS = ("rc-start", "rc-pause", "rc-resume", "rc-back", "rc-skip", "rc-finish")
AA = 4.5

# The layout check runs in the page: one round trip per poll.
LAYOUT_JS = """
const [ids, large] = arguments;
const W = window.innerWidth, H = window.innerHeight, problems = [];
const doc = document.documentElement;
if (doc.scrollWidth > W) problems.push(`the page scrolls sideways: ${doc.scrollWidth} px wide in ${W}`);
const classes = (el) => typeof el.className === 'string' && el.className ?
  '.' + el.className.trim().split(/\\s+/).join('.') : '';
const name = (el) => el ? el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes(el) : 'nothing';
const shown = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
for (const want of ids) {
  const el = want.split('|').map((id) => document.getElementById(id)).find((e) => e && shown(e));
  if (!el) { problems.push(`${want}: not shown`); continue; }
  const r = el.getBoundingClientRect(), box = `${Math.round(r.left)},${Math.round(r.top)} ` +
    `${Math.round(r.width)}x${Math.round(r.height)}`;
  if (r.left < 0 || r.top < 0 || r.right > W + 0.5 || r.bottom > H + 0.5) {
    problems.push(`#${el.id}: outside the ${W}x${H} viewport at ${box}`); continue;
  }
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  if (!hit || !el.contains(hit)) { problems.push(`#${el.id}: covered by ${name(hit)} at ${box}`); continue; }
  for (let p = el.parentElement; p && p !== doc; p = p.parentElement) {
    const s = getComputedStyle(p);
    if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
    const q = p.getBoundingClientRect();
    const out = r.left < q.left - 0.5 || r.top < q.top - 0.5 || r.right > q.right + 0.5;
    if (out || r.bottom > q.bottom + 0.5) {
      problems.push(`#${el.id}: clipped by ${name(p)} at ${box}`); break;
    }
  }
  if (!el.classList.contains('q-btn') && el.scrollWidth > el.clientWidth + 1) {
    problems.push(`#${el.id}: text cut (${el.scrollWidth} px of text in ${el.clientWidth})`);
  }
  const share = large[el.id];
  if (share && parseFloat(getComputedStyle(el).fontSize) < share * H) {
    problems.push(`#${el.id}: font ${getComputedStyle(el).fontSize} under ${share * 100}% of ${H} px`);
  }
}
return problems;
"""

# Text colour and the colour actually behind it: the first opaque background up the tree, with
# any translucent ones composited over it.
COLOURS_JS = """
const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return [0, 0, 0, 0];
  const v = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
  return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1]; };
const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
const out = {};
for (const id of arguments[0]) {
  const el = document.getElementById(id);
  if (!el) continue;
  const r = el.getBoundingClientRect();
  if (!(r.width > 0 && r.height > 0)) continue;
  const layers = [];
  for (let p = el; p; p = p.parentElement) {
    const bg = parse(getComputedStyle(p).backgroundColor);
    if (bg[3] > 0) layers.push(bg);
    if (bg[3] >= 1) break;
  }
  let bg = [255, 255, 255, 1];
  for (const layer of layers.reverse()) bg = over(layer, bg);
  out[id] = {fg: over(parse(getComputedStyle(el).color), bg), bg: bg};
}
return out;
"""


def luminance(rgb: list[float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0..255 channels)."""

    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: list[float], bg: list[float]) -> float:
    lighter, darker = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_arithmetic_matches_the_wcag_examples() -> None:
    assert contrast([255, 255, 255], [0, 0, 0]) == pytest.approx(21)
    assert contrast([255, 255, 255], [0xF2, 0xC0, 0x37]) == pytest.approx(1.7, abs=0.05)  # white on yellow
    assert contrast([255, 255, 255], [0x21, 0xBA, 0x45]) == pytest.approx(2.6, abs=0.05)  # white on green


def set_viewport(driver: WebDriver, width: int, height: int) -> None:
    """Resize the window so that the page's viewport is exactly width x height."""
    driver.set_window_size(width, height)
    inner_w, inner_h = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(width + (width - inner_w), height + (height - inner_h))
    wait_for(
        driver,
        lambda d: d.execute_script("return [window.innerWidth, window.innerHeight]") == [width, height],
        f"the viewport to be {width}x{height}",
    )


def layout_problems(driver: WebDriver, kind: str) -> list[str]:
    large = TV_LARGE if kind == "tv" else {}
    return list(driver.execute_script(LAYOUT_JS, list(MUST_SEE[kind]), large))


@dataclass
class Screens:
    """The module's server, its session, and one browser per view kind (opened on first use)."""

    server: Server
    session_id: int
    profiles: Path
    drivers: dict[str, WebDriver] = field(default_factory=dict)
    code: str = ""

    def open(self, kind: str) -> WebDriver:
        if kind not in self.drivers:
            self.drivers[kind] = self._start(kind)
        return self.drivers[kind]

    def _start(self, kind: str) -> WebDriver:
        driver = open_chromium(self.profiles / kind, (1280, 800))
        base = self.server.base
        if kind == "remote":
            self.open("run")  # the code comes from the tablet, as a runner would read it
            driver.get(f"{base}/r/{self.code}")
        else:
            sign_in_browser(driver, base, EMAIL, PASSWORD)
            path = "run" if kind == "run" else "tv"
            driver.get(f"{base}/sessions/{self.session_id}/{path}")
        wait_connected(driver)
        wait_for(driver, lambda d: text_of(d, "rc-status") != "", f"the {kind} view's status")
        if kind == "run":
            shown = wait_for(driver, lambda d: text_of(d, "rc-pair-code") or False, "the pairing code")
            self.code = re.sub(r"[^A-Z0-9]", "", str(shown))
        return driver

    def quit(self) -> None:
        for driver in self.drivers.values():
            with contextlib.suppress(WebDriverException):
                driver.quit()


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Screens]:
    message = chromium_missing()
    if message:
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    root = tmp_path_factory.mktemp("screens")
    factory = ServerFactory(data_dir=root / "data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager download a driver
        patch.chdir(root)  # no developer's .env
        server = factory.start()
        token = factory.user_with_token(EMAIL, PASSWORD, admin=True)
        with server.api(token) as api:
            session = api.new_session(duration_min=20, goal="intervals")
        screens = Screens(server=server, session_id=session["id"], profiles=root)
        try:
            yield screens
        finally:
            screens.quit()
            factory.close()


def assert_fits(driver: WebDriver, kind: str, size: tuple[int, int], shots: Path) -> None:
    """Resize to `size` and wait (generously) until everything a runner needs is in view and uncovered."""
    set_viewport(driver, *size)
    problems: list[str] = []

    def fits(d: WebDriver) -> bool:
        problems[:] = layout_problems(d, kind)
        return not problems

    try:  # layout settles within a frame or two; echarts resizes on its own observer
        WebDriverWait(driver, WAIT_S, poll_frequency=0.1).until(fits)
    except TimeoutException:
        shot = shots / f"{kind}-{size[0]}x{size[1]}.png"
        driver.save_screenshot(str(shot))
        raise AssertionError(f"{kind} at {size[0]}x{size[1]} ({shot}):\n  " + "\n  ".join(problems)) from None


@pytest.mark.parametrize(("kind", "size"), CASES, ids=[f"{k}-{w}x{h}" for k, (w, h) in CASES])
def test_every_screen_shows_the_clock_targets_and_main_button_uncovered(
    screens: Screens, kind: str, size: tuple[int, int], tmp_path: Path
) -> None:
    assert_fits(screens.open(kind), kind, size, tmp_path)


def test_the_pairing_hint_gives_the_whole_address(screens: Screens) -> None:
    driver = screens.open("run")
    assert text_of(driver, "rc-pair-hint") == f"Scan, or open {screens.server.base}/pair and type the code"


def button_contrasts(driver: WebDriver) -> dict[str, float]:
    colours: dict[str, Any] = driver.execute_script(COLOURS_JS, list(COMMAND_IDS))
    return {button: contrast(c["fg"], c["bg"]) for button, c in colours.items()}


def test_every_command_button_meets_wcag_aa_contrast_in_every_state(screens: Screens, tmp_path: Path) -> None:
    """Ready, running, paused: every command button shown reads at 4.5:1, and every size still fits."""
    tablet, phone = screens.open("run"), screens.open("remote")
    seen: dict[str, dict[str, float]] = {}
    for step, status in ((None, "Ready"), ("rc-start", "Running"), ("rc-pause", "Paused")):
        if step is not None:
            tap(tablet, step)
        for name, kind, driver in (("tablet", "run", tablet), ("phone", "remote", phone)):
            wait_text(driver, "rc-status", status)
            wait_for(driver, lambda d: d.find_element("id", "rc-finish").is_displayed(), "the Finish button")
            seen[f"{name} {status}"] = button_contrasts(driver)
            for size in SIZES[kind]:  # other buttons show in other states: the row must still fit
                assert_fits(driver, kind, size, tmp_path)
    low = {where: {b: round(r, 2) for b, r in ratios.items() if r < AA} for where, ratios in seen.items()}
    assert not any(low.values()), f"under {AA}:1: {low}"
    # Every state showed its own buttons: Start when ready, Pause running, Resume paused.
    assert "rc-start" in seen["tablet Ready"] and "rc-pause" in seen["phone Running"]
    assert "rc-resume" in seen["tablet Paused"] and "rc-skip" in seen["phone Paused"]


#: A developer's aid: RUNCOACH_SCREENSHOTS=/some/dir saves a PNG of every size, to look at by eye.
SHOTS = os.environ.get("RUNCOACH_SCREENSHOTS")  # read now: the autouse data_dir fixture clears RUNCOACH_*

if SHOTS:

    @pytest.fixture(autouse=True)
    def _screenshot(request: pytest.FixtureRequest, screens: Screens) -> Iterator[None]:
        yield
        params = getattr(getattr(request.node, "callspec", None), "params", {})
        if "kind" in params and SHOTS:
            (w, h), kind = params["size"], params["kind"]
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            screens.drivers[kind].save_screenshot(f"{SHOTS}/{kind}-{w}x{h}.png")
