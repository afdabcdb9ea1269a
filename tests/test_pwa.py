"""The PWA pieces without the app: manifest, icons, head tags, and the service worker's behaviour.

The service worker runs under Node (when installed) against fake `caches` and `fetch`, so the
rules are checked as behaviour: only static assets are ever stored, `/_nicegui*` and `/api/` are
never touched, failed navigations get the offline page.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest

from runcoach import pwa
from runcoach.config import Settings

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


# --- manifest and head tags -------------------------------------------------------------------------


def test_manifest_describes_a_standalone_app_named_after_the_settings() -> None:
    body = pwa.manifest(Settings(title="Basement Treadmill"))
    assert body["name"] == "Basement Treadmill"
    assert body["short_name"] == "RunCoach"  # too long for a launcher label
    assert pwa.manifest(Settings(title="Treadmill"))["short_name"] == "Treadmill"
    assert body["start_url"] == "/" and body["scope"] == "/"
    assert body["display"] == "standalone"
    assert body["theme_color"] == pwa.THEME_COLOUR
    assert re.fullmatch(r"#[0-9a-f]{6}", body["background_color"])
    json.dumps(body)  # served as JSON


def test_manifest_lists_192_and_512_icons_and_a_maskable_512() -> None:
    icons = pwa.manifest(Settings())["icons"]
    entries = {(icon["sizes"], icon["purpose"]) for icon in icons}
    assert entries == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in icons:
        assert icon["type"] == "image/png"
        assert icon["src"].startswith("/static/icons/")


@pytest.mark.parametrize(
    "icon", [*pwa.MANIFEST_ICONS, pwa.APPLE_TOUCH_ICON, pwa.FAVICON_ICON], ids=lambda icon: icon.file
)
def test_every_icon_is_a_png_of_its_declared_size_in_the_package(icon: pwa.Icon) -> None:
    width, height, _ = read_png(icon.path)
    assert (width, height) == (icon.size, icon.size)
    assert icon.path.parent == pwa.STATIC_DIR / "icons"


def test_the_maskable_icon_is_full_bleed_with_its_motif_inside_the_safe_zone() -> None:
    (icon,) = [icon for icon in pwa.MANIFEST_ICONS if icon.purpose == "maskable"]
    size, _, pixels = read_png(icon.path)
    safe_radius = 0.4 * size  # the circle every launcher mask keeps
    centre = size / 2
    for y in range(size):
        for x in range(size):
            r, g, b, a = pixels[y][x]
            assert a == 255, f"transparent pixel at {x},{y}: the background must fill the square"
            if (x + 0.5 - centre) ** 2 + (y + 0.5 - centre) ** 2 > safe_radius**2:
                assert min(r, g, b) < 200, f"light motif pixel at {x},{y}, outside the safe zone"


def test_head_tags_link_the_manifest_theme_icon_and_register_the_worker_at_the_root() -> None:
    head = pwa.head_html(Settings(title='Run "<b>"'))
    assert '<link rel="manifest" href="/manifest.webmanifest">' in head
    assert f'<meta name="theme-color" content="{pwa.THEME_COLOUR}">' in head
    assert f'href="{pwa.APPLE_TOUCH_ICON.src}"' in head
    assert '<meta name="apple-mobile-web-app-capable" content="yes">' in head
    assert "<b>" not in head  # the title is escaped
    assert '"serviceWorker" in navigator' in head
    assert re.search(r'register\("/sw\.js", \{ scope: "/"', head)


def test_offline_page_uses_the_theme_colour_and_retries_against_health() -> None:
    page = pwa.OFFLINE_FILE.read_text(encoding="utf-8")
    assert f'<meta name="theme-color" content="{pwa.THEME_COLOUR}">' in page
    assert "RunCoach is offline" in page
    assert 'fetch("/health"' in page and "location.reload()" in page
    assert "navigator.onLine" in page
    assert re.search(r"RETRY_MS = 5000\b", page)


# --- service worker source --------------------------------------------------------------------------


def js_string_array(source: str, name: str) -> list[str]:
    """The string literals of `const NAME = [...]` in the worker."""
    match = re.search(rf"const {name} = \[(.*?)\];", source, re.DOTALL)
    assert match, f"{name} not found in sw.js"
    return re.findall(r'"([^"]*)"', match.group(1))


def test_worker_precaches_exactly_the_static_assets() -> None:
    urls = js_string_array(pwa.SERVICE_WORKER_FILE.read_text(encoding="utf-8"), "PRECACHE_URLS")
    assert urls == list(pwa.PRECACHE_URLS)
    assert "/offline.html" in urls
    for url in urls:
        assert url == "/offline.html" or url.startswith("/static/icons/"), url
    for icon in (*pwa.MANIFEST_ICONS, pwa.APPLE_TOUCH_ICON, pwa.FAVICON_ICON):
        assert icon.src in urls


def test_worker_leaves_nicegui_and_the_api_alone() -> None:
    prefixes = js_string_array(pwa.SERVICE_WORKER_FILE.read_text(encoding="utf-8"), "NEVER_HANDLED_PREFIXES")
    assert "/_nicegui" in prefixes  # also covers /_nicegui_ws
    assert "/api/" in prefixes


def test_served_worker_has_a_versioned_cache_name() -> None:
    source = pwa.service_worker_source()
    assert pwa.CACHE_VERSION_TOKEN not in source
    version = pwa.cache_version()
    assert f'const CACHE_VERSION = "{version}";' in source
    assert version.startswith(pwa.__version__ + "-")
    assert pwa.cache_version() == version  # stable for the same files


# --- service worker behaviour under Node -------------------------------------------------------------

HARNESS = r"""
"use strict";
const fs = require("fs");
const vm = require("vm");
const ORIGIN = "https://runcoach.test";
const listeners = {};
const stores = new Map();  // cache name -> Map(pathname -> body)
let online = true;
const network = [];

// Inside a worker, relative URLs resolve against its location; in Node they need a base.
const NodeRequest = Request;
globalThis.Request = class extends NodeRequest {
  constructor(input, init) { super(typeof input === "string" ? new URL(input, ORIGIN) : input, init); }
};

function pathOf(request) {
  return new URL(typeof request === "string" ? request : request.url, ORIGIN).pathname;
}

function fakeCache(name) {
  if (!stores.has(name)) stores.set(name, new Map());
  const store = stores.get(name);
  return {
    async addAll(requests) {
      for (const request of requests) {
        const response = await fetch(request);
        store.set(pathOf(request), await response.text());
      }
    },
    async put(request, response) { store.set(pathOf(request), await response.text()); },
    async match(request) {
      const path = pathOf(request);
      return store.has(path) ? new Response(store.get(path)) : undefined;
    },
  };
}

globalThis.caches = {
  async open(name) { return fakeCache(name); },
  async keys() { return [...stores.keys()]; },
  async delete(name) { return stores.delete(name); },
  async match(request) {
    for (const name of stores.keys()) {
      const hit = await fakeCache(name).match(request);
      if (hit) return hit;
    }
    return undefined;
  },
};
globalThis.fetch = async (request) => {
  const path = pathOf(request);
  network.push(path);
  if (!online) throw new TypeError("Failed to fetch");
  return new Response("network " + path);
};
globalThis.self = {
  location: { origin: ORIGIN },
  registration: { navigationPreload: null },
  clients: { async claim() {} },
  async skipWaiting() {},
  addEventListener(type, listener) { listeners[type] = listener; },
};

async function lifecycle(type) {
  let done = Promise.resolve();
  listeners[type]({ waitUntil(promise) { done = promise; } });
  await done;
}

async function request(path, { mode = "cors", method = "GET", offline = false } = {}) {
  online = !offline;
  network.length = 0;
  let responded = null;
  const event = {
    request: { url: ORIGIN + path, mode, method },
    preloadResponse: Promise.resolve(undefined),
    respondWith(promise) { responded = promise; },
  };
  listeners.fetch(event);
  const body = responded ? await (await responded).text() : null;
  return { path, mode, offline, handled: responded !== null, body, network: [...network] };
}

function snapshot() {
  return Object.fromEntries([...stores].map(([name, store]) => [name, [...store.keys()]]));
}

(async () => {
  stores.set("runcoach-static-old", new Map([["/offline.html", "old"]]));
  stores.set("someone-else", new Map([["/x", "x"]]));
  vm.runInThisContext(fs.readFileSync(process.argv[2], "utf8"));
  await lifecycle("install");
  await lifecycle("activate");
  const afterInstall = snapshot();
  const results = [];
  for (const [path, options] of JSON.parse(process.argv[3])) results.push(await request(path, options));
  console.log(JSON.stringify({ afterInstall, results, afterRequests: snapshot() }));
})().catch((error) => { console.error(error); process.exit(1); });
"""

REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("/workouts/3", {"mode": "navigate"}),
    ("/workouts/3", {"mode": "navigate", "offline": True}),
    ("/", {"mode": "navigate", "offline": True}),
    ("/_nicegui/3.18.0/static/nicegui.js", {}),
    ("/_nicegui_ws/socket.io/?client_id=abc&EIO=4", {}),
    ("/_nicegui/client/abc/upload", {"method": "POST"}),
    ("/api/workouts", {}),
    ("/api/workouts/3/export.fit", {"mode": "navigate", "offline": True}),
    ("/static/icons/icon-192.png", {"offline": True}),
    ("/offline.html", {"offline": True}),
    ("/static/app.css", {}),
    ("/login", {"mode": "navigate", "method": "POST"}),
]


@pytest.fixture(scope="module")
def worker_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Install and activate the served worker under Node, then send it REQUESTS."""
    assert NODE is not None
    folder = tmp_path_factory.mktemp("sw")
    (folder / "sw.js").write_text(pwa.service_worker_source(), encoding="utf-8")
    (folder / "harness.js").write_text(HARNESS, encoding="utf-8")
    done = subprocess.run(
        [NODE, str(folder / "harness.js"), str(folder / "sw.js"), json.dumps(REQUESTS)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def outcome(run: dict[str, Any], index: int) -> dict[str, Any]:
    result: dict[str, Any] = run["results"][index]
    assert result["path"] == REQUESTS[index][0]
    return result


@needs_node
def test_install_stores_only_static_assets_and_activate_drops_old_caches(worker_run: dict[str, Any]) -> None:
    name = f"runcoach-static-{pwa.cache_version()}"
    assert worker_run["afterInstall"] == {"someone-else": ["/x"], name: list(pwa.PRECACHE_URLS)}


@needs_node
def test_requests_never_add_anything_to_the_cache(worker_run: dict[str, Any]) -> None:
    assert worker_run["afterRequests"] == worker_run["afterInstall"]


@needs_node
def test_navigation_uses_the_network_and_falls_back_to_the_offline_page(worker_run: dict[str, Any]) -> None:
    online, offline, home = (outcome(worker_run, i) for i in range(3))
    assert online["handled"] and online["body"] == "network /workouts/3"
    offline_page = "network /offline.html"  # what install stored for /offline.html
    assert offline["handled"] and offline["network"] == ["/workouts/3"] and offline["body"] == offline_page
    assert home["body"] == offline_page


@needs_node
@pytest.mark.parametrize("index", [3, 4, 5, 6, 7, 10, 11], ids=lambda i: f"{REQUESTS[i][0]} {REQUESTS[i][1]}")
def test_nicegui_api_other_files_and_posts_go_untouched(worker_run: dict[str, Any], index: int) -> None:
    result = outcome(worker_run, index)
    assert not result["handled"]
    assert result["network"] == []


@needs_node
@pytest.mark.parametrize("index", [8, 9], ids=lambda i: REQUESTS[i][0])
def test_icons_and_the_offline_page_come_from_the_cache(worker_run: dict[str, Any], index: int) -> None:
    result = outcome(worker_run, index)
    assert result["handled"] and result["network"] == []
    assert result["body"] == f"network {result['path']}"  # stored at install


# --- a tiny PNG reader (standard library only) ---------------------------------------------------------


def read_png(path: Path) -> tuple[int, int, list[list[tuple[int, int, int, int]]]]:
    """Width, height and RGBA rows of an 8-bit RGB or RGBA, non-interlaced PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    offset, idat, header = 8, b"", b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        offset += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, f"{path.name}: unsupported PNG format"
    channels = 4 if colour == 6 else 3
    rows = unfilter(zlib.decompress(idat), width * channels, height, channels)
    pixels = [[rgba(row, x * channels, channels) for x in range(width)] for row in rows]
    return width, height, pixels


def rgba(row: bytes, start: int, channels: int) -> tuple[int, int, int, int]:
    """One pixel as RGBA; RGB pixels are opaque."""
    alpha = row[start + 3] if channels == 4 else 255
    return row[start], row[start + 1], row[start + 2], alpha


def unfilter(raw: bytes, stride: int, height: int, bpp: int) -> list[bytes]:
    """Undo PNG's per-row filters (none, sub, up, average, Paeth)."""
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up, up_left = previous[i], previous[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + predictor(kind, left, up, up_left)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return rows


def predictor(kind: int, left: int, up: int, up_left: int) -> int:
    """The value PNG filter `kind` adds back to a byte."""
    if kind == 0:
        return 0
    if kind == 1:
        return left
    if kind == 2:
        return up
    if kind == 3:
        return (left + up) // 2
    estimate = left + up - up_left
    distances = abs(estimate - left), abs(estimate - up), abs(estimate - up_left)
    return (
        left
        if distances[0] <= distances[1] and distances[0] <= distances[2]
        else (up if distances[1] <= distances[2] else up_left)
    )
