"""Load test of the live fan-out against the naive per-view timer: CPU, memory, command latency, clock.

    .venv/bin/python benchmarks/live_fanout.py --sessions 5 --views-per-session 3 --seconds 10
    .venv/bin/python benchmarks/live_fanout.py --sessions 334 --views-per-session 3 --seconds 60

Each phase starts `benchmarks/baseline_server.py` (the real app plus benchmark pages) on a fresh
temporary data directory and a free port on 127.0.0.1, creates a user and an API token with the CLI,
generates one workout, creates and starts S sessions through the JSON API, then opens V views per
session the way a browser does: GET the page, read the client id NiceGUI put in it, open NiceGUI's
socket.io connection (path /_nicegui_ws/socket.io, websocket, implicit handshake with client_id,
document_id, tab_id, old_tab_id, next_message_id in the query) and acknowledge messages every 3 s
like nicegui.js. The views run in `--client-procs` worker processes (this script with `--worker`).

Phase "fanout" opens /bench/fanout/{id} (room broadcast of `runcoach_state`, the browser
interpolates); phase "baseline" opens /bench/baseline/{id} (a ui.timer(0.25) per view that sets
label texts). With `--pages real` the fan-out phase opens the real pages instead: each worker signs
in once through the /login form and /login/complete, then opens run views /sessions/{id}/run, TV
views /sessions/{id}/tv (with that cookie) and paired remotes /r/{code} (the code a run view shows),
as `--mix` says. `--mode both` runs both, each on its own fresh server, and prints one JSON object.
See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import html
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SERVER_SCRIPT = HERE / "baseline_server.py"
THIS_SCRIPT = Path(__file__).resolve()
HOST = "127.0.0.1"
PASSWORD = "Treadmill-Load-Test-42!"
EMAIL = "loadtest@example.com"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE_KB = os.sysconf("SC_PAGE_SIZE") // 1024

STARTUP_TIMEOUT_S = 60.0
HTTP_TIMEOUT_S = 15.0
CONNECT_TIMEOUT_S = 20.0
COMMAND_WAIT_S = 5.0  # a view that has not seen a command's push after this counts as missing it
ACK_INTERVAL_S = 3.0  # nicegui.js: setInterval(() => ack(), 3000)
SETTLE_S = 6.0  # after connecting: every view gets at least one heartbeat (5 s) before measuring
#: After the benchmark's own full collections, before the window opens: longer than a heartbeat, so
#: every view's last push before the window is one the collection did not hold up.
QUIET_AFTER_COLLECT_S = 6.0


# --- /proc ------------------------------------------------------------------------------------------


def cpu_ticks(pid: int) -> int:
    """utime + stime of a process (all its threads), in clock ticks."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()  # the command name may hold spaces
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5), counted from field 3


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def box_busy_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))
    return round(ordered[rank], 2)


# --- the worker: many browser-like views in one asyncio process --------------------------------------

QUERY_RE = re.compile(r"query:\s*(\{.*?\}),\s*\n")
ELEMENTS_RE = re.compile(r"parseElements\(String\.raw`(.*?)`\)", re.S)
#: `--pages real`: which real page each of a session's views opens, cycled (`--mix`). A paired remote
#: needs the pairing code a run view of the same session shows, so a mix with `remote` starts with `run`.
REAL_KINDS = ("run", "remote", "tv")
STATUS_TEXT_RE = re.compile(r"^(created|running|paused|completed) #(\d+)$")


@dataclass(slots=True)
class View:
    index: int
    session_id: int
    kind: str = ""  # "" for the stand-in pages; run, remote or tv for the real ones
    sio: Any = None
    client_id: str = ""
    next_message_id: int = 0
    acked_message_id: int = -1
    connected: bool = False
    #: seq -> monotonic time the view first saw it (room payload / status label update)
    first_state: dict[int, float] = field(default_factory=dict)
    first_label: dict[int, float] = field(default_factory=dict)
    prev: tuple[str, float, float] | None = None  # (status, elapsed_s, received at)
    state_messages: int = 0
    update_messages: int = 0
    clock_samples: list[tuple[float, float]] = field(default_factory=list)  # (received at, error ms)


def parse_elements(page: str) -> dict[str, Any]:
    """The element tree NiceGUI rendered into the page (`parseElements(String.raw`...`)`)."""
    match = ELEMENTS_RE.search(page)
    if match is None:
        raise ValueError("no element tree in the page")
    elements: dict[str, Any] = json.loads(html.unescape(match.group(1)))
    return elements


def set_cookies(response: Any) -> str:
    """The `name=value` pairs of a response's Set-Cookie headers, as a Cookie header."""
    return "; ".join(c.split(";", 1)[0] for c in response.headers.getall("Set-Cookie", []))


def parse_query(html: str) -> dict[str, Any]:
    """The socket.io query NiceGUI rendered into the page (`query: {...},` in the createApp call)."""
    match = QUERY_RE.search(html)
    if match is None:
        raise ValueError("no socket.io query in the page")
    raw = match.group(1)
    client_id = re.search(r"""['"]client_id['"]:\s*['"]([^'"]+)['"]""", raw)
    next_id = re.search(r"""['"]next_message_id['"]:\s*(\d+)""", raw)
    implicit = re.search(r"""['"]implicit_handshake['"]:\s*(\w+)""", raw)
    if client_id is None:
        raise ValueError(f"no client_id in {raw!r}")
    return {
        "client_id": client_id.group(1),
        "next_message_id": int(next_id.group(1)) if next_id else 0,
        "implicit_handshake": implicit is None or implicit.group(1).lower() == "true",
    }


class Worker:
    """Many browser-like views in one asyncio process."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.port: int = spec["port"]
        self.page: str = spec["page"]
        self.batch: int = spec["batch"]
        self.views = [
            View(index=v[0], session_id=v[1], kind=v[2] if len(v) > 2 else "") for v in spec["views"]
        ]
        self.email: str = spec.get("email", "")
        self.password: str = spec.get("password", "")
        self.cookie = ""  # `--pages real`: this browser's signed-in session cookie, shared by its tabs
        self.pair_codes: dict[int, str] = {}  # session id -> the code its run view shows
        self.sign_in_ms: float | None = None
        self.failures: list[str] = []
        self.connect_ms: list[float] = []
        self.window: tuple[float, float] = (math.inf, math.inf)
        self.disconnects = 0
        self.ack_tasks: list[asyncio.Task[None]] = []
        self.http: Any = None

    async def connect_all(self) -> None:
        import aiohttp

        self.http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0),  # the default 100 would cap open websockets
            cookie_jar=aiohttp.DummyCookieJar(),  # each view is its own browser: no shared cookies
            timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S),
        )
        if self.page == "real":
            await self.sign_in()
        # remotes last: they pair with the code their session's run view shows
        for group in (
            [v for v in self.views if v.kind != "remote"],
            [v for v in self.views if v.kind == "remote"],
        ):
            for start in range(0, len(group), self.batch):
                batch = group[start : start + self.batch]
                results = await asyncio.gather(
                    *(asyncio.wait_for(self.connect(v), CONNECT_TIMEOUT_S + HTTP_TIMEOUT_S) for v in batch),
                    return_exceptions=True,
                )
                for view, result in zip(batch, results, strict=True):
                    if isinstance(result, BaseException):
                        self.failures.append(
                            f"{view.kind or 'view'} {view.index} session {view.session_id}: {result!r}"[:300]
                        )
        self.ack_tasks = [asyncio.create_task(self.ack_loop(v)) for v in self.views if v.connected]

    async def sign_in(self) -> None:
        """The real sign-in form, as a browser fills it: GET /login, its socket, type, click "Sign in";
        the page navigates to /login/complete?ticket=..., whose answer sets a NEW session cookie."""
        import socketio

        started = time.monotonic()
        base = f"http://{HOST}:{self.port}"
        async with self.http.get(f"{base}/login") as response:
            if response.status != 200:
                raise RuntimeError(f"GET /login: HTTP {response.status}")
            page = await response.text()
            old_cookie = set_cookies(response)
        query, elements = parse_query(page), parse_elements(page)
        client_id = query["client_id"]
        opened: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        sio = socketio.AsyncClient(reconnection=False, http_session=self.http, handle_sigint=False)

        def on_open(data: Any = None, *_: Any) -> None:
            if isinstance(data, dict) and not opened.done():
                opened.set_result(str(data.get("path", "")))

        sio.on("open", on_open)
        params = {
            "client_id": client_id,
            "next_message_id": str(query["next_message_id"]),
            "implicit_handshake": "true",
            "document_id": str(uuid.uuid4()),
            "tab_id": str(uuid.uuid4()),
            "old_tab_id": "null",
        }
        await sio.connect(
            f"{base}?" + "&".join(f"{k}={v}" for k, v in params.items()),
            headers={"Cookie": old_cookie},
            transports=["websocket"],
            socketio_path="/_nicegui_ws/socket.io",
            wait_timeout=CONNECT_TIMEOUT_S,
        )

        async def fire(match: dict[str, str], event: str, *args: Any) -> None:
            """What nicegui.js emits for an element's event (arguments as JSON strings)."""
            for element_id, element in elements.items():
                props = element.get("props", {})
                if all(props.get(k) == v for k, v in match.items()):
                    for listener in element.get("events", []):
                        if listener["type"].replace("-", "").lower() == event.replace("-", "").lower():
                            await sio.emit(
                                "event",
                                {
                                    "id": int(element_id),
                                    "client_id": client_id,
                                    "listener_id": listener["listener_id"],
                                    "args": [json.dumps(a) for a in args],
                                },
                            )
                            return
            raise LookupError(f"no {event} listener on an element with {match}")

        try:
            await fire({"label": "Email"}, "update:value", self.email)
            await fire({"label": "Password"}, "update:value", self.password)
            await fire({"label": "Sign in"}, "click")
            target = await asyncio.wait_for(opened, HTTP_TIMEOUT_S)
        finally:
            await sio.disconnect()  # the browser leaves the login page
        if not target.startswith("/login/complete"):
            raise RuntimeError(f"sign-in did not end in /login/complete: {target!r}")
        async with self.http.get(
            base + target, headers={"Cookie": old_cookie}, allow_redirects=False
        ) as response:
            self.cookie = set_cookies(response)
        if "session=" not in self.cookie:
            raise RuntimeError(f"/login/complete set no session cookie (HTTP {response.status})")
        self.sign_in_ms = (time.monotonic() - started) * 1000

    def path_of(self, view: View) -> str:
        if view.kind == "run":
            return f"/sessions/{view.session_id}/run"
        if view.kind == "tv":
            return f"/sessions/{view.session_id}/tv"
        if view.kind == "remote":
            code = self.pair_codes.get(view.session_id)
            if code is None:
                raise RuntimeError("no run view of this session showed a pairing code")
            return f"/r/{code}"
        return f"/bench/{self.page}/{view.session_id}"

    async def connect(self, view: View) -> None:
        import socketio

        started = time.monotonic()
        path = self.path_of(view)
        # run and TV views are tabs of the signed-in browser; a paired remote is a phone: no cookie
        sent = {"Cookie": self.cookie} if view.kind in ("run", "tv") else {}
        async with self.http.get(
            f"http://{HOST}:{self.port}{path}", headers=sent, allow_redirects=False
        ) as response:
            if response.status != 200:
                raise RuntimeError(f"GET {path}: HTTP {response.status}")
            page = await response.text()
            # the browser sends the page's cookies with the socket's upgrade request
            cookies = set_cookies(response) or sent.get("Cookie", "")
        if view.kind == "run":
            for element in parse_elements(page).values():
                if element.get("props", {}).get("id") == "rc-pair-code":
                    self.pair_codes[view.session_id] = str(element.get("text", "")).replace("-", "")
        query = parse_query(page)
        view.client_id = query["client_id"]
        view.next_message_id = query["next_message_id"]
        # nicegui.js: options.query from the page plus document_id, tab_id and old_tab_id (a new tab: null)
        params = {
            "client_id": view.client_id,
            "next_message_id": str(view.next_message_id),
            "implicit_handshake": "true" if query["implicit_handshake"] else "false",
            "document_id": str(uuid.uuid4()),
            "tab_id": str(uuid.uuid4()),
            "old_tab_id": "null",
        }
        sio = socketio.AsyncClient(reconnection=False, http_session=self.http, handle_sigint=False)
        self.register(sio, view)
        await sio.connect(
            f"http://{HOST}:{self.port}?" + "&".join(f"{k}={v}" for k, v in params.items()),
            headers={"Cookie": cookies} if cookies else {},
            transports=["websocket"],
            socketio_path="/_nicegui_ws/socket.io",
            wait_timeout=CONNECT_TIMEOUT_S,
        )
        if not query["implicit_handshake"]:  # a prefetched page: nicegui.js emits the handshake itself
            params["next_message_id"] = view.next_message_id  # type: ignore[assignment]
            if not await sio.call("handshake", params, timeout=CONNECT_TIMEOUT_S):
                raise RuntimeError("handshake refused")
        view.sio = sio
        view.connected = True
        self.connect_ms.append((time.monotonic() - started) * 1000)

    def register(self, sio: Any, view: View) -> None:
        def on_state(data: dict[str, Any]) -> None:
            now = time.monotonic()
            view.state_messages += 1
            view.first_state.setdefault(int(data["seq"]), now)
            status, elapsed = data["status"], float(data["elapsed_s"])
            prev = view.prev
            if prev is not None and prev[0] == status:  # transitions (pause, resume) are not clock errors
                predicted = prev[1] + (now - prev[2] if status == "running" else 0.0)
                view.clock_samples.append((now, abs(predicted - elapsed) * 1000))
            view.prev = (status, elapsed, now)

        def on_update(data: dict[str, Any]) -> None:
            now = time.monotonic()
            view.update_messages += 1
            track_message_id(view, data)
            for element in data.values():
                text = element.get("text") if isinstance(element, dict) else None
                if text and (match := STATUS_TEXT_RE.match(text)):
                    view.first_label.setdefault(int(match.group(2)), now)

        def on_other(data: Any = None, *_: Any) -> None:
            if isinstance(data, dict):
                track_message_id(view, data)

        def on_disconnect(*_: Any) -> None:
            if view.connected:
                self.disconnects += 1
            view.connected = False

        sio.on("runcoach_state", on_state)
        sio.on("update", on_update)
        for event in ("run_javascript", "notify", "load_js_components", "open", "download"):
            sio.on(event, on_other)
        sio.on("disconnect", on_disconnect)

    async def ack_loop(self, view: View) -> None:
        """nicegui.js acks the next message id every 3 s when it changed (NiceGUI prunes its history)."""
        await asyncio.sleep(random.random() * ACK_INTERVAL_S)  # browsers' intervals are not aligned
        while view.connected:
            if view.acked_message_id < view.next_message_id:
                with contextlib.suppress(Exception):
                    await view.sio.emit(
                        "ack", {"client_id": view.client_id, "next_message_id": view.next_message_id}
                    )
                view.acked_message_id = view.next_message_id
            await asyncio.sleep(ACK_INTERVAL_S)

    def counts(self) -> dict[str, int]:
        return {
            "state_messages": sum(v.state_messages for v in self.views),
            "update_messages": sum(v.update_messages for v in self.views),
            "connected": sum(1 for v in self.views if v.connected),
        }

    def result(self) -> dict[str, Any]:
        lo, hi = self.window
        return {
            **self.counts(),
            "failures": self.failures[:10],
            "failure_count": len(self.failures),
            "disconnects": self.disconnects,
            "sign_in_ms": self.sign_in_ms,
            "kinds": {k: sum(1 for v in self.views if v.kind == k and v.connected) for k in REAL_KINDS},
            "connect_ms": self.connect_ms,
            "clock_errors_ms": [e for v in self.views for (t, e) in v.clock_samples if lo <= t <= hi],
            "gc_pauses_ms": [ms for (t, ms) in GC_PAUSES if lo <= t <= hi],
            "views": [
                {"session_id": v.session_id, "state": v.first_state, "label": v.first_label}
                for v in self.views
            ],
        }

    async def close(self) -> None:
        for task in self.ack_tasks:
            task.cancel()
        await asyncio.gather(
            *(asyncio.wait_for(v.sio.disconnect(), timeout=5) for v in self.views if v.sio is not None),
            return_exceptions=True,
        )
        if self.http is not None:
            await self.http.close()


def track_message_id(view: View, data: dict[str, Any]) -> None:
    """nicegui.js: NiceGUI's messages carry `_id`; the browser keeps the next one to ack it."""
    message_id = data.get("_id")
    if isinstance(message_id, int) and message_id >= view.next_message_id:
        view.next_message_id = message_id + 1


def emit(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


#: (when, ms) of this worker process's own garbage collections: a pause here delays every message
#: the views receive, which would read as the server's clock error.
GC_PAUSES: list[tuple[float, float]] = []


def time_collections() -> None:
    started = [0.0]

    def timed(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.monotonic()
        else:
            GC_PAUSES.append((started[0], (time.monotonic() - started[0]) * 1000))

    gc.callbacks.append(timed)


async def worker_main() -> None:
    """`--worker`: a spec line on stdin; connect, say ready; answer `counts`; on `stop t0 t1` report."""
    loop = asyncio.get_running_loop()
    time_collections()

    async def read_line() -> str:
        return (await loop.run_in_executor(None, sys.stdin.readline)).strip()

    worker = Worker(json.loads(await read_line()))
    try:
        await worker.connect_all()
        # A thousand connected clients are long-lived: out of this process's collector's sight, so its
        # full collections (about a second at 1,000 views) do not stall the receiving of pushes.
        gc.collect()
        gc.freeze()
        emit({"event": "ready", **worker.counts(), "failure_count": len(worker.failures)})
        while command := await read_line():
            parts = command.split()
            if parts[0] == "counts":
                emit({"event": "counts", **worker.counts()})
            elif parts[0] == "stop":
                worker.window = (float(parts[1]), float(parts[2]))
                emit({"event": "result", **worker.result()})
                break
    finally:
        await worker.close()


# --- the orchestrator ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def clean_env(data_dir: Path) -> dict[str, str]:
    """No PYTEST_* (NiceGUI would think it runs in a test), NICEGUI_* or the caller's RUNCOACH_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NICEGUI_", "RUNCOACH_"))}
    return env | {"RUNCOACH_DATA_DIR": str(data_dir), "RUNCOACH_HOST": HOST, "PYTHONUNBUFFERED": "1"}


def run_cli(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [sys.executable, "-m", "runcoach", *args],
        input=stdin,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"runcoach {' '.join(args)} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


@dataclass
class CommandRecord:
    session_id: int
    command: str
    sent: float
    answered: float | None = None
    seq: int | None = None
    http_status: int | None = None


class WorkerProcess:
    #: The script the worker runs with `--worker` (a benchmark built on this one names its own).
    SCRIPT: Path = THIS_SCRIPT

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @staticmethod
    def before_exec() -> None:
        """Runs in the child before exec (nothing here; a subclass may arrange its own end)."""

    @classmethod
    async def start(cls, spec: dict[str, Any], log: Path, uvloop: bool) -> Self:
        argv = [sys.executable, str(cls.SCRIPT), "--worker"]
        if not uvloop:
            argv.append("--no-uvloop")
        with log.open("ab") as stderr:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
                cwd=ROOT,
                limit=256 * 1024 * 1024,  # the final report holds every view's receipt times
                preexec_fn=cls.before_exec,
            )
        worker = cls(process)
        await worker.send(json.dumps(spec))
        return worker

    async def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((line + "\n").encode())
        await self.process.stdin.drain()

    async def receive(self, wait_s: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), wait_s)
        if not line:
            raise RuntimeError(f"load generator worker {self.process.pid} exited")
        result: dict[str, Any] = json.loads(line)
        return result

    async def ask(self, line: str, wait_s: float) -> dict[str, Any]:
        await self.send(line)
        return await self.receive(wait_s)

    async def stop(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                await self.process.wait()


class Phase:
    """One server, one page kind: set up, connect, measure, tear down."""

    def __init__(self, args: argparse.Namespace, page: str, sessions: int) -> None:
        self.args = args
        self.page = page
        self.session_count = sessions
        self.data_dir = Path(tempfile.mkdtemp(prefix=f"runcoach-bench-{page}-"))
        self.env = clean_env(self.data_dir)
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.server: subprocess.Popen[bytes] | None = None
        self.workers: list[WorkerProcess] = []
        self.log = self.data_dir / "server.log"
        self.status: dict[int, str] = {}
        self.commands: list[CommandRecord] = []
        self.command_errors: list[str] = []

    async def run(self) -> dict[str, Any]:
        import httpx

        try:
            run_cli(self.env, "users", "add", EMAIL, "--name", "Bench", stdin=PASSWORD + "\n")
            token = run_cli(self.env, "tokens", "create", EMAIL, "--label", "bench").strip().splitlines()[-1]
            self.start_server()
            async with httpx.AsyncClient(
                base_url=self.base,
                headers={"Authorization": f"Bearer {token}"},
                timeout=HTTP_TIMEOUT_S,
                limits=httpx.Limits(max_connections=16),
            ) as http:
                await self.wait_healthy(http)
                sessions = await self.create_sessions(http)
                return await self.measure(http, sessions)
        except BaseException:
            self.print_log_tail()
            raise
        finally:
            await asyncio.gather(*(w.stop() for w in self.workers), return_exceptions=True)
            self.stop_server()
            if not self.args.keep:
                shutil.rmtree(self.data_dir, ignore_errors=True)
            else:
                print(f"[{self.page}] kept {self.data_dir}", file=sys.stderr)

    def start_server(self) -> None:
        argv = [sys.executable, str(SERVER_SCRIPT), "--port", str(self.port)]
        if self.args.tracemalloc:
            argv.append("--tracemalloc")
        if self.args.profile:
            argv += ["--profile", str(Path(self.args.profile).resolve().with_suffix(f".{self.page}.prof"))]
        with self.log.open("wb") as log:
            self.server = subprocess.Popen(
                argv, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def stop_server(self) -> None:
        if self.server is None or self.server.poll() is not None:
            return
        self.server.send_signal(signal.SIGTERM)
        try:
            self.server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait(timeout=10)

    def print_log_tail(self) -> None:
        with contextlib.suppress(OSError):
            tail = self.log.read_text(errors="replace")[-3000:]
            print(f"--- server log ({self.page}) ---\n{tail}", file=sys.stderr)

    @property
    def pid(self) -> int:
        assert self.server is not None
        return self.server.pid

    async def wait_healthy(self, http: Any) -> None:
        import httpx

        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.server is not None and self.server.poll() is not None:
                raise RuntimeError("the server exited during start-up")
            with contextlib.suppress(httpx.TransportError):
                if (await http.get("/health", timeout=2)).status_code == 200:
                    return
            await asyncio.sleep(0.2)
        raise RuntimeError("the server did not become healthy in time")

    async def create_sessions(self, http: Any) -> list[int]:
        response = await http.post(
            "/api/workouts/generate", json={"duration_min": 90, "goal": "intervals", "seed": 7}
        )
        response.raise_for_status()
        workout_id = response.json()["id"]
        gate = asyncio.Semaphore(8)

        async def one() -> int:
            async with gate:
                created = await http.post("/api/sessions", json={"workout_id": workout_id})
                created.raise_for_status()
                session_id = int(created.json()["id"])
                started = await http.post(f"/api/sessions/{session_id}/start")
                started.raise_for_status()
                self.status[session_id] = started.json()["status"]
                return session_id

        return list(await asyncio.gather(*(one() for _ in range(self.session_count))))

    async def collect(self, http: Any, *, freeze: bool) -> dict[str, Any]:
        response = await http.get("/bench/gc", params={"freeze": freeze}, timeout=60)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def log_errors(self) -> dict[str, dict[str, Any]]:
        """Exceptions named in the server's log, counted, with one sample line each."""
        found: dict[str, dict[str, Any]] = {}
        with contextlib.suppress(OSError):
            for line in self.log.read_text(errors="replace").splitlines():
                match = re.match(r"^(\w+(?:\.\w+)*(?:Error|Exception|Timeout)\b)", line)
                name = (
                    match.group(1)
                    if match
                    else ("page response_timeout" if "not ready after" in line else None)
                )
                if name is not None:
                    entry = found.setdefault(name, {"count": 0, "sample": line.strip()[:240]})
                    entry["count"] += 1
        return found

    async def stats(self, http: Any) -> dict[str, Any]:
        response = await http.get("/bench/stats")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    async def measure(self, http: Any, sessions: list[int]) -> dict[str, Any]:
        args = self.args
        await asyncio.sleep(2.0)
        gc_before = await self.collect(http, freeze=args.gc_freeze == "startup")
        if args.tracemalloc:
            await http.get("/bench/memory", params={"mark": "before"}, timeout=120)
        rss_before = rss_kb(self.pid)
        clients_before = (await self.stats(http))["clients"]

        per = args.views_per_session
        views: list[tuple[Any, ...]] = [(i, sessions[i // per]) for i in range(len(sessions) * per)]
        if self.page == "real":
            mix = args.mix.split(",")
            views = [(i, s, mix[i % per % len(mix)]) for i, s in views]
        procs = max(1, min(args.client_procs, len(views)))
        connect_started = time.monotonic()
        for k in range(procs):
            spec = {
                "port": self.port,
                "page": self.page,
                "batch": args.connect_batch,
                # real pages: a session's views stay in one worker (its remote needs its run view's code)
                "views": [v for v in views if (v[1] if self.page == "real" else v[0]) % procs == k],
                "email": EMAIL,
                "password": PASSWORD,
            }
            self.workers.append(
                await WorkerProcess.start(spec, self.data_dir / f"worker{k}.log", args.uvloop)
            )
        connect_timeout = 60 + len(views) * 0.2
        ready = await asyncio.gather(*(w.receive(connect_timeout) for w in self.workers))
        connect_s = time.monotonic() - connect_started
        connected = sum(r["connected"] for r in ready)
        if connected == 0:
            raise RuntimeError(f"no view connected: see {self.data_dir}/worker*.log")

        await asyncio.sleep(SETTLE_S)
        gc_after = await self.collect(http, freeze=args.gc_freeze == "views")
        rss_after = rss_kb(self.pid)
        memory = (await http.get("/bench/memory", params={"mark": "after"}, timeout=300)).json()
        # Both calls above run a full collection (at 1,000 views a ~0.7 s stop of the server). A tick
        # it interrupts sends the rest of its pushes that much late, dated when they were folded:
        # browsers date a push by its server_ms, but this metric by its arrival, so those pushes (and
        # each view's next one, measured from them) must fall before the window, or they count as
        # its clock errors and its collection (as they did in the first real-page runs).
        await asyncio.sleep(QUIET_AFTER_COLLECT_S)
        counts0 = await asyncio.gather(*(w.ask("counts", 30) for w in self.workers))
        stats0 = await self.stats(http)
        cpu0, box0 = cpu_ticks(self.pid), box_busy_ticks()
        gen0 = sum(cpu_ticks(w.process.pid) for w in self.workers) + cpu_ticks(os.getpid())
        t0 = time.monotonic()

        in_flight: set[asyncio.Task[None]] = set()
        last_sent: dict[int, float] = {}
        next_at = t0 + args.command_interval
        while (now := time.monotonic()) < t0 + args.seconds:
            if now >= next_at:
                # jittered, so commands do not lock onto the phase of the views' 0.25 s timers
                next_at += args.command_interval * random.uniform(0.5, 1.5)
                idle = [s for s in sessions if now - last_sent.get(s, -math.inf) > 2.0]
                if idle:
                    target = random.choice(idle)
                    last_sent[target] = now
                    task = asyncio.create_task(self.send_command(http, target))
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
            await asyncio.sleep(max(0.0, min(next_at, t0 + args.seconds) - time.monotonic()))

        t1 = time.monotonic()
        cpu1, box1 = cpu_ticks(self.pid), box_busy_ticks()
        gen1 = sum(cpu_ticks(w.process.pid) for w in self.workers) + cpu_ticks(os.getpid())
        stats1 = await self.stats(http)
        counts1 = await asyncio.gather(*(w.ask("counts", 30) for w in self.workers))
        rss_end = rss_kb(self.pid)
        if in_flight:
            await asyncio.wait(in_flight, timeout=HTTP_TIMEOUT_S)
        await asyncio.sleep(min(COMMAND_WAIT_S, 1.5))  # the last pushes are on their way
        results = await asyncio.gather(*(w.ask(f"stop {t0} {t1}", 120) for w in self.workers))

        elapsed = t1 - t0
        cpu_ms = (cpu1 - cpu0) * 1000 / CLK_TCK
        primary = "label" if self.page == "baseline" else "state"
        latencies, missing = self.command_latencies(results, primary)
        label_latencies, label_missing = self.command_latencies(results, "label", partial=True)
        if self.page == "real":  # the real pages' labels carry no seq: nothing to time, nothing missed
            label_missing = None
        clock = [e for r in results for e in r["clock_errors_ms"]]
        loadgen_gc = [ms for r in results for ms in r["gc_pauses_ms"]]
        connect_ms = [ms for r in results for ms in r["connect_ms"]]
        state_msgs = sum(c["state_messages"] for c in counts1) - sum(c["state_messages"] for c in counts0)
        update_msgs = sum(c["update_messages"] for c in counts1) - sum(c["update_messages"] for c in counts0)
        ticks = stats1["ticks"] - stats0["ticks"]
        return {
            "views": connected,
            "pages": self.page,
            "views_by_kind": {k: sum(r["kinds"][k] for r in results) for k in REAL_KINDS}
            if self.page == "real"
            else None,
            "sign_in_ms": [r["sign_in_ms"] for r in results],
            "sessions": len(sessions),
            "seconds": round(elapsed, 2),
            "server_cpu_pct": round(100 * cpu_ms / 1000 / elapsed, 1),
            "cpu_ms_per_view_s": round(cpu_ms / (connected * elapsed), 4),
            "rss_kb_before_views": rss_before,
            "rss_kb_after_views": rss_after,
            "rss_kb_end": rss_end,
            "rss_kb_per_view": round((rss_after - rss_before) / connected, 1),
            "rss_kb_per_view_end": round((rss_end - rss_before) / connected, 1),
            "gc_objects_per_view": round(
                (gc_after["tracked_objects"] - gc_before["tracked_objects"]) / connected, 1
            ),
            "gc_tracked_objects": gc_after["tracked_objects"],
            "full_collect_ms_before_views": gc_before["full_collect_ms"],
            "full_collect_ms_after_views": gc_after["full_collect_ms"],
            "gc_frozen_objects": gc_after["frozen_objects"],
            "commands": len(self.commands),
            "command_errors": len(self.command_errors),
            "command_error_samples": self.command_errors[:5],
            "commands_missed_by_a_view": missing,
            "p50_command_ms": percentile(latencies, 50),
            "p99_command_ms": percentile(latencies, 99),
            "max_command_ms": percentile(latencies, 100),
            "p50_label_ms": percentile(label_latencies, 50),
            "p99_label_ms": percentile(label_latencies, 99),
            "label_updates_missed_by_a_view": label_missing,
            "p50_api_response_ms": percentile(
                [(c.answered - c.sent) * 1000 for c in self.commands if c.answered is not None], 50
            ),
            "p99_api_response_ms": percentile(
                [(c.answered - c.sent) * 1000 for c in self.commands if c.answered is not None], 99
            ),
            "max_clock_error_ms": percentile(clock, 100) if clock else None,
            "p99_clock_error_ms": percentile(clock, 99),
            "clock_samples": len(clock),
            "state_messages_per_s": round(state_msgs / elapsed, 1),
            "update_messages_per_s": round(update_msgs / elapsed, 1),
            "connect_failures": sum(r["failure_count"] for r in results),
            "connect_failure_samples": [f for r in results for f in r["failures"]][:3],
            "disconnects_during_run": sum(r["disconnects"] for r in results),
            "connect_s": round(connect_s, 1),
            "p50_connect_ms": percentile(connect_ms, 50),
            "p99_connect_ms": percentile(connect_ms, 99),
            "server_clients_before_views": clients_before,
            "server_clients": stats1["clients"],
            "hub_listeners": stats1["hub_listeners"],
            "ticker_wakeups_per_s": round(ticks / elapsed, 1),
            "ticker_ms_per_wakeup": round((stats1["tick_ms"] - stats0["tick_ms"]) / ticks, 3)
            if ticks
            else None,
            "ticker_max_ms": round(stats1["tick_max_ms"], 2),
            "ticker_max_pushes_at_once": stats1["pushes_in_one_tick_max"],
            "ticker_cpu_pct": round((stats1["tick_ms"] - stats0["tick_ms"]) / elapsed / 10, 1),
            "broadcasts_per_s": round((stats1["broadcasts"] - stats0["broadcasts"]) / elapsed, 1),
            "broadcast_ms_each": round(
                (stats1["broadcast_ms"] - stats0["broadcast_ms"])
                / max(1, stats1["broadcasts"] - stats0["broadcasts"]),
                3,
            ),
            "timer_ticks_per_s": round((stats1["baseline_ticks"] - stats0["baseline_ticks"]) / elapsed, 1),
            **{k: v for k, v in stats1.items() if k.startswith(("loop_", "gc_"))},
            "loadgen_procs": len(self.workers),
            "loadgen_cpu_pct": round(100 * (gen1 - gen0) / CLK_TCK / elapsed, 1),
            "loadgen_gc_collections": len(loadgen_gc),
            "loadgen_gc_max_ms": round(max(loadgen_gc, default=0.0), 1),
            "box_cpu_busy_pct": round(100 * (box1[0] - box0[0]) / max(1, box1[1] - box0[1]), 1),
            "server_log_errors": self.log_errors(),
            "memory": memory,
        }

    async def send_command(self, http: Any, session_id: int) -> None:
        command = "pause" if self.status.get(session_id) == "running" else "resume"
        record = CommandRecord(session_id=session_id, command=command, sent=time.monotonic())
        self.commands.append(record)
        try:
            response = await http.post(f"/api/sessions/{session_id}/{command}")
        except Exception as exc:
            self.command_errors.append(f"{command} {session_id}: {exc!r}")
            return
        record.answered = time.monotonic()
        record.http_status = response.status_code
        if response.status_code != 200:
            self.command_errors.append(
                f"{command} {session_id}: HTTP {response.status_code} {response.text[:200]}"
            )
            return
        body = response.json()
        self.status[session_id] = body["status"]
        record.seq = max(e["seq"] for e in body["events"])

    def command_latencies(
        self, results: list[dict[str, Any]], channel: str, *, partial: bool = False
    ) -> tuple[list[float], int]:
        """Send -> the last view of the session saw a payload (or label) with the command's seq or later.

        Returns the latencies and how many (command, view) pairs never saw it. A command some view
        missed has no latency, unless `partial`: then the slowest view that did see it counts.
        """
        by_session: dict[int, list[dict[int, float]]] = {}
        for result in results:
            for view in result["views"]:
                seen = {int(k): t for k, t in view[channel].items()}
                by_session.setdefault(view["session_id"], []).append(seen)
        latencies: list[float] = []
        missing = 0
        for record in self.commands:
            if record.seq is None:
                continue
            arrivals = []
            for seen in by_session.get(record.session_id, []):
                times = [t for seq, t in seen.items() if seq >= record.seq]
                if times:
                    arrivals.append(min(times))
                else:
                    missing += 1
            if arrivals and (partial or len(arrivals) == len(by_session[record.session_id])):
                latencies.append((max(arrivals) - record.sent) * 1000)
        return latencies, missing


def combine(
    args: argparse.Namespace, fanout: dict[str, Any] | None, baseline: dict[str, Any] | None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "views": args.sessions * args.views_per_session,
        "sessions": args.sessions,
        "views_per_session": args.views_per_session,
        "seconds": args.seconds,
        "mode": args.mode,
        "gc_freeze": args.gc_freeze,
    }
    if fanout is not None:
        out |= {k: v for k, v in fanout.items() if k not in ("sessions", "timer_ticks_per_s")}
    if baseline is not None:
        # The naive page promises 4 label updates per view per second; an overloaded server runs fewer
        # timer ticks, which makes its measured CPU per view look cheaper than the design really is.
        wanted = 4.0 * baseline["views"]
        rate = baseline["timer_ticks_per_s"] / wanted if wanted else 0.0
        baseline = {
            **baseline,
            "timer_rate_pct": round(100 * rate, 1),
            "saturated": rate < 0.9 or baseline["server_cpu_pct"] > 85,
            "cpu_ms_per_view_s_at_4hz": round(baseline["cpu_ms_per_view_s"] / rate, 4) if rate else None,
        }
        out |= {f"baseline_{k}": v for k, v in baseline.items()}
    out["cpu_ratio_vs_baseline"] = None
    out["cpu_ratio_vs_baseline_at_4hz"] = None
    if fanout is not None and baseline is not None:
        fanout_cost = fanout["cpu_ms_per_view_s"]
        if baseline["cpu_ms_per_view_s"]:
            out["cpu_ratio_vs_baseline"] = round(fanout_cost / baseline["cpu_ms_per_view_s"], 3)
        if baseline["cpu_ms_per_view_s_at_4hz"]:
            out["cpu_ratio_vs_baseline_at_4hz"] = round(fanout_cost / baseline["cpu_ms_per_view_s_at_4hz"], 3)
    return out


async def orchestrate(args: argparse.Namespace) -> dict[str, Any]:
    fanout = baseline = None
    if args.mode in ("both", "fanout"):
        fanout = await Phase(args, "real" if args.pages == "real" else "fanout", args.sessions).run()
    if args.mode in ("both", "baseline"):
        baseline = await Phase(args, "baseline", args.baseline_sessions or args.sessions).run()
    return combine(args, fanout, baseline)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--views-per-session", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the measuring window")
    parser.add_argument("--mode", choices=("both", "fanout", "baseline"), default="both")
    parser.add_argument(
        "--pages",
        choices=("stand-in", "real"),
        default="stand-in",
        help="fan-out phase: the stand-in /bench/fanout/{id} pages, or the real run, remote and TV pages",
    )
    parser.add_argument(
        "--mix",
        default="run,remote,tv",
        help="--pages real: the pages of a session's views, cycled (a remote needs a run view first)",
    )
    parser.add_argument("--client-procs", type=int, default=1, help="load generator processes (1 or 2)")
    parser.add_argument("--connect-batch", type=int, default=25, help="views connecting at once per process")
    parser.add_argument("--command-interval", type=float, default=0.5, help="seconds between commands")
    parser.add_argument(
        "--baseline-sessions", type=int, help="sessions in the baseline phase (default: --sessions)"
    )
    parser.add_argument(
        "--gc-freeze",
        choices=("off", "startup", "views"),
        default="off",
        help="experiment: gc.freeze() in the server before (startup) or after connecting the views",
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="trace the server's allocations; `memory` in the JSON: what the views added, by file and line",
    )
    parser.add_argument("--profile", help="cProfile the server into PATH.<phase>.prof (inflates CPU)")
    parser.add_argument("--keep", action="store_true", help="keep the data directories and logs")
    parser.add_argument("--no-uvloop", dest="uvloop", action="store_false", help="plain asyncio in workers")
    parser.add_argument("--seed", type=int, default=None, help="random seed for the command schedule")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    return parser


def main() -> int:
    args = build_parser().parse_args()
    if args.worker:
        if args.uvloop:
            with contextlib.suppress(ImportError):
                import uvloop

                uvloop.install()
        asyncio.run(worker_main())
        return 0
    if args.sessions < 1 or args.views_per_session < 1 or args.seconds <= 0:
        raise SystemExit("--sessions, --views-per-session and --seconds must be positive")
    mix = args.mix.split(",")
    if set(mix) - set(REAL_KINDS) or ("remote" in mix and mix[0] != "run"):
        raise SystemExit(f"--mix: pages among {REAL_KINDS}, starting with run when it holds remote")
    random.seed(args.seed)
    result = asyncio.run(asyncio.wait_for(orchestrate(args), timeout=1800 + 3 * args.seconds))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
