"""A burst of sign-ins against the real server: does /health and a live view stay responsive?

    .venv/bin/python benchmarks/signin_burst.py                 # 50 attempts, prints one JSON object
    .venv/bin/python benchmarks/signin_burst.py --attempts 50 --root /path/to/other/checkout

It starts `python -m runcoach serve` on a free port of 127.0.0.1 with a fresh temporary data
directory, creates an account and an API token with the CLI, starts a run session through the
JSON API, and opens its paired remote `/r/{code}` the way a browser does (GET the page, connect
NiceGUI's socket.io with the page's client id, receive the `runcoach_state` room pushes).

Then it opens `--attempts` sign-in pages as browsers do, each with its own socket, and types an
email and a password into the form (socket `event` messages for the inputs' `update:modelValue`,
with the listener ids NiceGUI rendered into the page). Each browser sends its page request with
`X-Forwarded-For: 10.9.x.y`: the server trusts that header from 127.0.0.1 (uvicorn's default
forwarded-allow-ips), so the attempts come from distinct addresses, for distinct unknown
emails, like a distributed attack: every one of them costs a full argon2 check, none is cut
short by a limit. At one moment all browsers press "Sign in".

During a quiet baseline and during the burst it measures:
* `/health` latency, one request after another (~every 50 ms);
* push latency: a pause or resume through the API every 300 ms, from sending it until the
  remote's socket receives the `runcoach_state` with the new event;
* the burst: time until every browser got its answer (the error line of the form).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
EMAIL = "runner@example.com"
PASSWORD = "Treadmill-Burst-Test-42!"
QUERY_RE = re.compile(r"query:\s*(\{.*?\}),\s*\n")
ELEMENTS_RE = re.compile(r"parseElements\(String\.raw`(.*?)`\)", re.S)
ANSWERS = ("Wrong email or password", "Too many", "busy", "disabled")


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))], 1)


def summary(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50_ms": percentile(values, 50),
        "p99_ms": percentile(values, 99),
        "max_ms": round(max(values), 1) if values else None,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, root: Path, python: str) -> None:
        self.root, self.python = root, python
        self.data_dir = Path(tempfile.mkdtemp(prefix="signin-burst-"))
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NICEGUI_", "RUNCOACH_"))
        }
        self.env |= {"RUNCOACH_DATA_DIR": str(self.data_dir), "RUNCOACH_HOST": HOST, "PYTHONPATH": str(root)}
        self.process: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str, stdin: str = "") -> str:
        done = subprocess.run(
            [self.python, "-m", "runcoach", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.root,
            timeout=60,
            check=True,
        )
        return done.stdout

    def start(self) -> None:
        log = (self.data_dir / "server.log").open("wb")
        self.process = subprocess.Popen(
            [self.python, "-m", "runcoach", "serve", "--port", str(self.port)],
            env=self.env,
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        shutil.rmtree(self.data_dir, ignore_errors=True)


class Page:
    """One browser tab: a NiceGUI page and its socket."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base = http, base
        self.sio = socketio.AsyncClient(reconnection=False, http_session=http, handle_sigint=False)
        self.elements: dict[str, Any] = {}
        self.client_id = ""

    async def open(self, path: str, headers: dict[str, str] | None = None) -> None:
        async with self.http.get(self.base + path, headers=headers or {}) as response:
            response.raise_for_status()
            text = await response.text()
            cookies = "; ".join(c.split(";", 1)[0] for c in response.headers.getall("Set-Cookie", []))
        query = QUERY_RE.search(text)
        elements = ELEMENTS_RE.search(text)
        assert query is not None and elements is not None, "not a NiceGUI page"
        client_id = re.search(r"""['"]client_id['"]:\s*['"]([^'"]+)['"]""", query.group(1))
        assert client_id is not None
        self.client_id = client_id.group(1)
        self.elements = json.loads(html.unescape(elements.group(1)))
        params = {
            "client_id": self.client_id,
            "next_message_id": "0",
            "implicit_handshake": "true",
            "document_id": str(uuid.uuid4()),
            "tab_id": str(uuid.uuid4()),
            "old_tab_id": "null",
        }
        await self.sio.connect(
            f"{self.base}?" + "&".join(f"{k}={v}" for k, v in params.items()),
            headers={"Cookie": cookies, **(headers or {})} if cookies else headers or {},
            transports=["websocket"],
            socketio_path="/_nicegui_ws/socket.io",
            wait_timeout=30,
        )

    def find(self, *, label: str | None = None, text: str | None = None) -> tuple[str, dict[str, Any]]:
        for element_id, element in self.elements.items():
            props = element.get("props", {})
            if (label is not None and props.get("label") == label) or (
                text is not None and element.get("text") == text and element.get("events")
            ):
                return element_id, element
        raise LookupError(label or text)

    async def fire(self, element_id: str, element: dict[str, Any], event: str, *args: Any) -> None:
        """What nicegui.js emits for an event of an element (arguments as JSON strings)."""

        def norm(name: str) -> str:  # NiceGUI writes update:model-value, Vue update:modelValue
            return name.replace("-", "").lower()

        found = [e for e in element["events"] if norm(e["type"]) == norm(event)]
        assert found, f"no {event} listener among {[e['type'] for e in element['events']]}"
        listener = found[0]
        await self.sio.emit(
            "event",
            {
                "id": int(element_id),
                "client_id": self.client_id,
                "listener_id": listener["listener_id"],
                "args": [json.dumps(a) for a in args],
            },
        )

    async def type(self, label: str, value: str) -> None:
        element_id, element = self.find(label=label)
        await self.fire(element_id, element, "update:value", value)


class SignInBrowser(Page):
    def __init__(self, http: aiohttp.ClientSession, base: str, index: int) -> None:
        super().__init__(http, base)
        self.index = index
        self.pressed = 0.0
        self.answer: str | None = None
        self.answered = asyncio.Event()
        self.answer_ms: float | None = None
        self.sio.on("update", self.on_update)

    def on_update(self, data: dict[str, Any]) -> None:
        for element in data.values():
            text = element.get("text") if isinstance(element, dict) else None
            if text and self.pressed and any(a in text for a in ANSWERS) and not self.answered.is_set():
                self.answer, self.answer_ms = text, (time.monotonic() - self.pressed) * 1000
                self.answered.set()

    async def prepare(self) -> None:
        address = f"10.9.{self.index // 250}.{self.index % 250 + 1}"
        await self.open("/login", headers={"X-Forwarded-For": address})
        await self.type("Email", f"nobody{self.index}@example.com")
        await self.type("Password", f"guess-{self.index}-password")

    async def press(self) -> None:
        self.pressed = time.monotonic()
        element_id, element = self.find(label="Sign in")  # a button's text is its label prop
        await self.fire(element_id, element, "click")


class Probe:
    """/health one request after another, and a command every 300 ms with its push latency."""

    def __init__(
        self, http: aiohttp.ClientSession, base: str, token: str, session_id: int, view: Page
    ) -> None:
        self.http, self.base, self.session_id = http, base, session_id
        self.headers = {"Authorization": f"Bearer {token}"}
        self.health: list[tuple[float, float]] = []  # (at, ms)
        self.sent: dict[int, float] = {}
        self.received: dict[int, float] = {}
        self.status = "running"
        view.sio.on("runcoach_state", self.on_state)

    def on_state(self, data: dict[str, Any]) -> None:
        self.received.setdefault(int(data["seq"]), time.monotonic())

    async def health_loop(self, until: asyncio.Event) -> None:
        while not until.is_set():
            started = time.monotonic()
            async with self.http.get(f"{self.base}/health") as response:
                await response.read()
            self.health.append((started, (time.monotonic() - started) * 1000))
            await asyncio.sleep(max(0.0, 0.05 - (time.monotonic() - started)))

    async def command_loop(self, until: asyncio.Event) -> None:
        while not until.is_set():
            command = "pause" if self.status == "running" else "resume"
            started = time.monotonic()
            url = f"{self.base}/api/sessions/{self.session_id}/{command}"
            async with self.http.post(url, headers=self.headers) as response:
                body = await response.json()
            if response.status == 200:
                self.status = body["status"]
                self.sent[int(body["events"][-1]["seq"])] = started
            await asyncio.sleep(max(0.0, 0.3 - (time.monotonic() - started)))

    def window(self, start: float, end: float) -> dict[str, Any]:
        health = [ms for at, ms in self.health if start <= at <= end]
        pushes = [
            (self.received[seq] - at) * 1000 if seq in self.received else 5000.0
            for seq, at in self.sent.items()
            if start <= at <= end
        ]
        slow = [  # when the slow ones happened, seconds after the window opened
            round(at - start, 2)
            for at, ms in [
                *self.health,
                *((at, (self.received.get(q, at + 5) - at) * 1000) for q, at in self.sent.items()),
            ]
            if start <= at <= end and ms > 100
        ]
        return {"health": summary(health), "push": summary(pushes), "over_100ms_at_s": sorted(slow)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    server = Server(args.root, args.python)
    try:
        server.cli("users", "add", EMAIL, "--name", "Runner", "--admin", stdin=PASSWORD + "\n")
        token = server.cli("tokens", "create", EMAIL).strip().splitlines()[-1]
        server.start()
        return asyncio.run(measure(server, token, args))
    finally:
        server.stop()


async def measure(server: Server, token: str, args: argparse.Namespace) -> dict[str, Any]:
    load_before = round(os.getloadavg()[0], 2)  # the box is shared: say how busy it was
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(
        connector=connector, cookie_jar=aiohttp.DummyCookieJar(), timeout=aiohttp.ClientTimeout(total=60)
    ) as http:
        await wait_healthy(http, server.base)
        headers = {"Authorization": f"Bearer {token}"}
        async with http.post(
            f"{server.base}/api/workouts/generate", json={"duration_min": 30, "goal": "easy"}, headers=headers
        ) as response:
            workout = await response.json()
            assert response.status == 201, workout
        async with http.post(
            f"{server.base}/api/sessions", json={"workout_id": workout["id"]}, headers=headers
        ) as r:
            session = await r.json()
            assert r.status == 201, session
        async with http.post(f"{server.base}/api/sessions/{session['id']}/start", headers=headers) as r:
            assert r.status == 200
        pair_code = pair_code_of(server, session["id"])
        view = Page(http, server.base)
        probe = Probe(http, server.base, token, session["id"], view)
        await view.open(f"/r/{pair_code}")

        browsers = [SignInBrowser(http, server.base, i) for i in range(args.attempts)]
        for start in range(0, len(browsers), 10):
            await asyncio.gather(*(b.prepare() for b in browsers[start : start + 10]))

        stop = asyncio.Event()
        loops = [asyncio.create_task(probe.health_loop(stop)), asyncio.create_task(probe.command_loop(stop))]
        await asyncio.sleep(args.quiet_s)
        burst_start = time.monotonic()
        await asyncio.gather(*(b.press() for b in browsers))
        waits = [asyncio.create_task(b.answered.wait()) for b in browsers]
        _, unanswered = await asyncio.wait(waits, timeout=args.answer_timeout_s)
        for task in unanswered:
            task.cancel()
        burst_end = time.monotonic()
        await asyncio.sleep(0.5)
        stop.set()
        await asyncio.gather(*loops)
        for page in [view, *browsers]:
            await page.sio.disconnect()

    answers: dict[str, int] = {}
    for b in browsers:
        key = next((a for a in ANSWERS if b.answer and a in b.answer), "no answer")
        answers[key] = answers.get(key, 0) + 1
    return {
        "benchmark": "signin_burst",
        "code": str(args.root),
        "cpu_count": os.cpu_count(),
        "loadavg_1min_before_after": [load_before, round(os.getloadavg()[0], 2)],
        "attempts": args.attempts,
        "answers": answers,
        "unanswered": len(unanswered),
        "burst_s": round(burst_end - burst_start, 2),
        "answer_ms": summary([b.answer_ms for b in browsers if b.answer_ms is not None]),
        "quiet": probe.window(burst_start - args.quiet_s, burst_start),
        "during_burst": probe.window(burst_start, burst_end),
    }


def pair_code_of(server: Server, session_id: int) -> str:
    """The pairing code, read from the database file (the JSON API does not show it)."""
    import sqlite3

    with sqlite3.connect(server.data_dir / "runcoach.db") as db:
        (code,) = db.execute("SELECT pair_code FROM run_sessions WHERE id = ?", (session_id,)).fetchone()
    return str(code)


async def wait_healthy(http: aiohttp.ClientSession, base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            async with http.get(f"{base}/health") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("server did not become healthy")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--attempts", type=int, default=50)
    parser.add_argument("--quiet-s", type=float, default=3.0, help="baseline before the burst")
    parser.add_argument("--answer-timeout-s", type=float, default=90.0, help="give up waiting for answers")
    parser.add_argument("--root", default=str(ROOT), help="the checkout whose `runcoach` is served")
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    args.root = Path(args.root).resolve()
    print(json.dumps(run(args), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
