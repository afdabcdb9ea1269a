"""The coach chat through a real server, against a local fake Messages API: the time the server adds
before the first token, and live commands while 50 replies stream. Prints one JSON object.

    .venv/bin/python benchmarks/coach.py                       # about 2 minutes
    .venv/bin/python benchmarks/coach.py --chats 20 --streams 10 --rounds 1 --quiet-seconds 5

What runs:

* The fake Messages API (`tests/fake_anthropic.py`, `Echo`: the runner's message back word by word,
  `--first-token-delay` seconds before the first word, `--token-delay` between words) in its own
  process (this script with `--fake`), behind a thin ASGI layer that notes, per request, when it
  arrived and when the body chunk with its first `text_delta` was handed to the socket.
* `python -m runcoach serve` on a free port of 127.0.0.1 with a fresh data directory (SQLite),
  `RUNCOACH_ANTHROPIC_API_KEY` set, `RUNCOACH_ANTHROPIC_BASE_URL` = the fake, a daily limit of
  100,000 messages. The server is started by `live_fanout.Phase` (its data directory, environment,
  health wait, sessions and commands); only the command line differs.
* Runners: one account for the live views (signs in through the form, as `live_fanout.py --pages
  real` does) and `--streams` runners with an API token each, stored before the server starts.
  Through the API, as a client would, each runner gets a profile, a half-marathon goal 12 weeks
  out and a plan for it (`POST /api/plans`), and a check-in.

Figures:

* `first_token_added_ms`: `--chats` chats one after another (runners in turn, each message a new
  one), each `POST /api/coach/messages` with `Accept: text/event-stream`. For each: (first `delta`
  event at the client − POST sent) − (first token sent by the fake − request arrived at the fake),
  so the model's own time is taken out exactly and what is left is the server's: the request,
  storing the message and the reply row, building the coach's context, the history, the SDK
  request, and relaying the token; plus loopback hops. Split into `to_model_ms` (POST sent → the
  request at the fake) and `relay_ms` (the fake sent the token → the client read it).
  Goal p99 <= 30 ms; `--warmup` chats first are not counted.
* `streams`: the live views of `--sessions` run sessions (run view, paired remote, TV view each,
  `--views-per-session`) connect with `live_fanout.py`'s worker; a pause or resume goes to a
  random session every ~`--command-interval` s, and its latency is until every view of that
  session got the new state (`live_fanout.Phase.command_latencies`). First `--quiet-seconds`
  without chats (`quiet`), then `--rounds` rounds of `--streams` chats sent at once, each message
  ~100 words so the fake streams ~100 tokens, 2 s apart. `during_streams`: commands sent from a
  round's start to its last `done` (goal p99 <= 50 ms), split into `while_starting` (until the
  last chat of the round got its first token: requests, stored messages, contexts, the model's
  first-token delay) and `while_streaming` (the rest). Each round reports whether every chat
  completed, and its time from the first send to the last `done`.
* `server_cpu_ms_per_chat`, `box_cpu_busy_pct`, `load_average_1m`: the server's CPU time per chat
  in each phase (from /proc), and how busy the whole machine was (other jobs count).

Exits non-zero when a median misses its budget (first token added 30 ms, command during the
streams 50 ms), or a chat did not complete; the p99s are reported against the same goals.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))
import live_fanout as lf  # noqa: E402  (a sibling script, not a package)

FIRST_TOKEN_BUDGET_MS = 30.0
COMMAND_BUDGET_MS = 50.0
DAILY_LIMIT = 100_000
KEY = re.compile(r"^bench-(\d+)\b")
SSE = "text/event-stream"
CHAT_TIMEOUT_S = 120.0
#: A pause after each round, so a command sent at a round's end is not held up by the next round.
ROUND_GAP_S = 2.0

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


# --------------------------------------------------------------------------- the fake, timed


def _chat_key(body: bytes) -> str | None:
    """`bench-N` when the request's last user message starts with it (a chat turn, not a summary)."""
    with contextlib.suppress(ValueError, AttributeError, TypeError):
        messages = json.loads(body)["messages"]
        content = messages[-1]["content"]
        text = content if isinstance(content, str) else " ".join(b.get("text", "") for b in content)
        if match := KEY.match(text):
            return match.group(1)
    return None


class Timings:
    """ASGI layer in front of the fake: per chat key, when the request arrived and when the body chunk
    holding its first `text_delta` was handed on to the socket (`time.monotonic`, which is one clock
    for every process of the machine). `GET /bench/timings` answers them as JSON."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app
        self.seen: dict[str, dict[str, float]] = {}
        self.lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == "/bench/timings":
            with self.lock:
                body = json.dumps(self.seen).encode()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": body})
            return
        record = {"arrived": time.monotonic()}
        chunks: list[bytes] = []

        async def receiving() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        async def sending(message: Message) -> None:
            if (
                "first_token" not in record
                and message["type"] == "http.response.body"
                and b'"text_delta"' in message.get("body", b"")
            ):
                record["first_token"] = time.monotonic()
            await send(message)

        try:
            await self.app(scope, receiving, sending)
        finally:
            key = _chat_key(b"".join(chunks))
            if key is not None:
                with self.lock:
                    self.seen[key] = record


def fake_main(first_token_delay: float, token_delay: float) -> None:
    """`--fake`: serve the timed fake until standard input closes; print its base URL first."""
    from tests.fake_anthropic import Echo, FakeAnthropic

    class TimedFake(FakeAnthropic):
        def _app(self) -> Any:
            return Timings(super()._app())

    with TimedFake(default=Echo(first_token_delay_s=first_token_delay, token_delay_s=token_delay)) as fake:
        print(fake.base_url, flush=True)
        sys.stdin.read()


class FakeProcess:
    def __init__(self, args: argparse.Namespace, log: Path) -> None:
        argv = [sys.executable, str(Path(__file__).resolve()), "--fake"]
        argv += ["--first-token-delay", str(args.first_token_delay), "--token-delay", str(args.token_delay)]
        with log.open("wb") as stderr:
            self.process = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, cwd=lf.ROOT, text=True
            )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()
        if not self.base_url.startswith("http://"):
            raise RuntimeError(f"the fake Messages API did not start (see {log})")

    async def timings(self) -> dict[str, dict[str, float]]:
        async with httpx.AsyncClient() as http:
            response = await http.get(f"{self.base_url}/bench/timings")
            response.raise_for_status()
            found: dict[str, dict[str, float]] = response.json()
            return found

    def stop(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            with contextlib.suppress(OSError):
                self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


# --------------------------------------------------------------------------- the server and runners


#: `runcoach serve` under cProfile, written when NiceGUI shuts down (as `baseline_server.py` does).
PROFILED = """
import cProfile, os, sys
os.environ.setdefault("NICEGUI_STORAGE_PATH", os.path.join(os.environ["RUNCOACH_DATA_DIR"], ".nicegui"))
from nicegui import app
from runcoach.__main__ import main
profiler = cProfile.Profile()
app.on_shutdown(lambda: (profiler.disable(), profiler.dump_stats("{path}")))
profiler.enable()
sys.exit(main(sys.argv[1:]))
"""


class CoachPhase(lf.Phase):
    """`live_fanout`'s phase with `runcoach serve` (not its benchmark server) and the coach on the fake."""

    def __init__(self, args: argparse.Namespace) -> None:
        super().__init__(args, "real", args.sessions)

    def use_fake(self, base_url: str) -> None:
        self.env |= {
            "RUNCOACH_ANTHROPIC_API_KEY": "bench-any-key",
            "RUNCOACH_ANTHROPIC_BASE_URL": base_url,
            "RUNCOACH_COACH_DAILY_MESSAGES": str(DAILY_LIMIT),
        }

    def start_server(self) -> None:
        argv = [sys.executable, "-m", "runcoach", "serve", "--port", str(self.port)]
        if self.args.profile:
            argv = [sys.executable, "-c", PROFILED.format(path=Path(self.args.profile).resolve()), *argv[3:]]
        with self.log.open("wb") as log:
            self.server = subprocess.Popen(
                argv, env=self.env, cwd=lf.ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )


async def make_accounts(data_dir: Path, runners: int) -> tuple[str, list[str]]:
    """The live views' account (with the password its worker signs in with) and its token, then
    `runners` accounts with a token each, straight into the new data directory before the server
    starts. The runners never sign in: they share one password hash (one argon2 run, not 50)."""
    from runcoach.auth import passwords, service
    from runcoach.config import Settings
    from runcoach.db import users
    from runcoach.db.engine import Database

    now = datetime.now(UTC)
    database = Database(Settings(data_dir=data_dir).resolved_database_url)
    await database.start()
    try:
        viewer = await service.create_user(
            database, email=lf.EMAIL, name="Views", password=lf.PASSWORD, is_admin=False, now=now
        )
        _, view_token = await service.create_token(database, user_id=viewer.id, label="bench", now=now)
        shared_hash = await passwords.hash_password(lf.PASSWORD)
        tokens = []
        for n in range(runners):
            async with database.session() as db:
                user = await users.add_user(
                    db,
                    email=f"runner{n}@example.com",
                    name=f"Runner {n}",
                    password_hash=shared_hash,
                    is_admin=False,
                    now=now,
                )
            _, token = await service.create_token(database, user_id=user.id, label="bench", now=now)
            tokens.append(token)
        return view_token, tokens
    finally:
        await database.close()


PROFILE = {
    "easy_pace_s_per_km": 345,
    "weekly_km": 32,
    "available_days": ["mon", "wed", "fri", "sat", "sun"],
    "max_minutes": {"mon": 60, "wed": 75, "fri": 60, "sat": 60, "sun": 130},
    "long_run_day": "sun",
    "level": "intermediate",
}


async def give_plan(http: httpx.AsyncClient, token: str, seed: int) -> None:
    """Profile, a half marathon 12 weeks out, its plan and today's check-in, through the JSON API."""
    headers = {"Authorization": f"Bearer {token}"}

    async def call(method: str, path: str, body: dict[str, Any], status: int) -> dict[str, Any]:
        response = await http.request(method, path, json=body, headers=headers)
        if response.status_code != status:
            raise RuntimeError(f"{method} {path}: HTTP {response.status_code} {response.text[:300]}")
        answer: dict[str, Any] = response.json()
        return answer

    await call("PUT", "/api/profile", PROFILE, 200)
    race = (date.today() + timedelta(weeks=12)).isoformat()
    goal = await call(
        "POST", "/api/goals", {"kind": "race", "race_distance_m": 21097.5, "race_date": race}, 201
    )
    await call("POST", "/api/plans", {"goal_id": goal["id"], "seed": seed}, 201)
    await call("POST", "/api/checkins", {"soreness": 2, "fatigue": 2, "sleep": 4}, 201)


# --------------------------------------------------------------------------- one chat, as a client


@dataclass
class Chat:
    key: str
    sent: float
    first_delta: float | None = None
    done: float | None = None
    deltas: int = 0
    status: str | None = None
    error: str | None = None


async def chat(http: aiohttp.ClientSession, base: str, token: str, key: str, words: str) -> Chat:
    """POST a message with `Accept: text/event-stream` and read the events to `done`."""
    headers = {"Authorization": f"Bearer {token}", "Accept": SSE}
    record = Chat(key=key, sent=time.monotonic())
    try:
        async with http.post(
            f"{base}/api/coach/messages", json={"text": f"bench-{key} {words}"}, headers=headers
        ) as response:
            if response.status != 200:
                record.error = f"HTTP {response.status}: {(await response.text())[:200]}"
                return record
            event = ""
            async for raw in response.content:
                line = raw.decode().rstrip("\r\n")
                if line.startswith("event: "):
                    event = line[7:]
                    if event == "delta":
                        record.deltas += 1
                        if record.first_delta is None:
                            record.first_delta = time.monotonic()
                elif line.startswith("data: ") and event == "done":
                    record.done = time.monotonic()
                    record.status = json.loads(line[6:])["status"]
    except (aiohttp.ClientError, TimeoutError) as exc:
        record.error = repr(exc)[:200]
    return record


def summary(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50": lf.percentile(values, 50),
        "p99": lf.percentile(values, 99),
        "max": lf.percentile(values, 100),
    }


# --------------------------------------------------------------------------- the two measurements


class Load:
    """The server's CPU time and the whole machine's over a stretch (other jobs on the box count)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.cpu, self.box, self.load = lf.cpu_ticks(pid), lf.box_busy_ticks(), os.getloadavg()[0]

    def figures(self, per: int) -> dict[str, Any]:
        cpu_ms = (lf.cpu_ticks(self.pid) - self.cpu) * 1000 / lf.CLK_TCK
        box = lf.box_busy_ticks()
        return {
            "server_cpu_ms_per_chat": round(cpu_ms / per, 1),
            "box_cpu_busy_pct": round(100 * (box[0] - self.box[0]) / max(1, box[1] - self.box[1]), 1),
            "load_average_1m": [round(self.load, 2), round(os.getloadavg()[0], 2)],
        }


async def first_token(
    args: argparse.Namespace,
    http: aiohttp.ClientSession,
    phase: CoachPhase,
    tokens: list[str],
    fake: FakeProcess,
) -> dict[str, Any]:
    chats: list[Chat] = []
    for n in range(args.warmup):
        await chat(http, phase.base, tokens[n % len(tokens)], f"{n}", "Hello coach, here I am.")
    load = Load(phase.pid)
    for n in range(args.warmup, args.warmup + args.chats):
        token = tokens[n % len(tokens)]
        chats.append(await chat(http, phase.base, token, f"{n}", "How should I run today, coach?"))
    machine = load.figures(len(chats))
    seen = await fake.timings()
    added, to_model, relay, model = [], [], [], []
    for c in chats:
        at_fake = seen.get(c.key)
        if c.first_delta is None or at_fake is None or "first_token" not in at_fake:
            continue
        model_s = at_fake["first_token"] - at_fake["arrived"]
        model.append(model_s * 1000)
        added.append((c.first_delta - c.sent - model_s) * 1000)
        to_model.append((at_fake["arrived"] - c.sent) * 1000)
        relay.append((c.first_delta - at_fake["first_token"]) * 1000)
    return {
        "chats": len(chats),
        "complete": sum(1 for c in chats if c.status == "complete"),
        "errors": [c.error for c in chats if c.error][:3],
        "first_token_added_ms": summary(added),
        "to_model_ms": summary(to_model),
        "relay_ms": summary(relay),
        "model_first_token_ms_at_fake": summary(model),
        "first_delta_at_client_ms": summary(
            [(c.first_delta - c.sent) * 1000 for c in chats if c.first_delta is not None]
        ),
        **machine,
    }


class Commands:
    """Pauses and resumes of random sessions through the API, as `live_fanout.Phase.measure` sends them
    (jittered interval; a session is not commanded again within 2 s)."""

    def __init__(self, phase: CoachPhase, http: httpx.AsyncClient, sessions: list[int], interval: float):
        self.phase, self.http, self.sessions, self.interval = phase, http, sessions, interval
        self.stopped = asyncio.Event()
        self.in_flight: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        last: dict[int, float] = {}
        while not self.stopped.is_set():
            now = time.monotonic()
            idle = [s for s in self.sessions if now - last.get(s, -1e9) > 2.0]
            if idle:
                target = random.choice(idle)
                last[target] = now
                task = asyncio.create_task(self.phase.send_command(self.http, target))
                self.in_flight.add(task)
                task.add_done_callback(self.in_flight.discard)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopped.wait(), self.interval * random.uniform(0.5, 1.5))
        if self.in_flight:
            await asyncio.wait(self.in_flight, timeout=lf.HTTP_TIMEOUT_S)


def latencies(
    phase: CoachPhase, records: list[lf.CommandRecord], results: list[dict[str, Any]]
) -> tuple[list[float], int]:
    """`live_fanout.Phase.command_latencies` over some of the phase's commands."""
    every = phase.commands
    phase.commands = records
    try:
        return phase.command_latencies(results, "state")
    finally:
        phase.commands = every


async def streams(
    args: argparse.Namespace,
    phase: CoachPhase,
    api: httpx.AsyncClient,
    http: aiohttp.ClientSession,
    tokens: list[str],
    sessions: list[int],
) -> dict[str, Any]:
    per = args.views_per_session
    mix = ("run", "remote", "tv")
    views = [(i, sessions[i // per], mix[i % per % len(mix)]) for i in range(len(sessions) * per)]
    spec = {"port": phase.port, "page": "real", "batch": 25, "views": views}
    spec |= {"email": lf.EMAIL, "password": lf.PASSWORD}
    worker = await lf.WorkerProcess.start(spec, phase.data_dir / "worker.log", uvloop=True)
    phase.workers.append(worker)
    ready = await worker.receive(60 + len(views) * 0.2)
    if ready["connected"] == 0:
        raise RuntimeError(f"no view connected: see {phase.data_dir}/worker.log")
    await asyncio.sleep(2.0)

    commands = Commands(phase, api, sessions, args.command_interval)
    sending = asyncio.create_task(commands.run())
    t0 = time.monotonic()
    await asyncio.sleep(args.quiet_seconds)
    t1 = time.monotonic()
    words = " ".join(f"word{i}" for i in range(args.words))
    load = Load(phase.pid)
    rounds = []
    #: Each round's start, its last chat's first delta, its last `done`.
    spans: list[tuple[float, float, float]] = []
    for r in range(args.rounds):
        started = time.monotonic()
        keys = [f"{100_000 + r * 1000 + n}" for n in range(len(tokens))]
        done = await asyncio.gather(
            *(chat(http, phase.base, t, k, words) for t, k in zip(tokens, keys, strict=True))
        )
        ends = [c.done for c in done if c.done is not None]
        streaming = max((c.first_delta for c in done if c.first_delta), default=started)
        spans.append((started, streaming, max(ends, default=streaming)))
        rounds.append(
            {
                "chats": len(done),
                "complete": sum(1 for c in done if c.status == "complete"),
                "all_complete": all(c.status == "complete" for c in done),
                "deltas_per_chat": summary([float(c.deltas) for c in done]),
                "first_delta_ms": summary([(c.first_delta - c.sent) * 1000 for c in done if c.first_delta]),
                "total_s": round(max(ends) - started, 2) if ends else None,
                "errors": [c.error for c in done if c.error][:3],
            }
        )
        await asyncio.sleep(ROUND_GAP_S)
    t2 = time.monotonic()
    machine = load.figures(len(tokens) * args.rounds)
    commands.stopped.set()
    await sending
    await asyncio.sleep(1.0)  # the last pushes are on their way
    result = await worker.ask(f"stop {t0} {t2}", 120)

    def window(stretches: list[tuple[float, float]]) -> dict[str, Any]:
        records = [c for c in phase.commands if any(lo <= c.sent < hi for lo, hi in stretches)]
        found, missed = latencies(phase, records, [result])
        return {
            "commands": len(records),
            "missed_by_a_view": missed,
            "errors": sum(1 for c in records if c.http_status != 200),
            "command_ms": summary(found),
            "seconds": round(sum(hi - lo for lo, hi in stretches), 1),
        }

    return {
        "views": ready["connected"],
        "sessions": len(sessions),
        "streams": len(tokens),
        "words_per_message": args.words,
        "quiet": window([(t0, t1)]),
        "during_streams": window([(a, c) for a, _, c in spans]),
        # While a round's chats reach the model (requests, stored messages, contexts), then
        # while they stream.
        "while_starting": window([(a, b) for a, b, _ in spans]),
        "while_streaming": window([(b, c) for _, b, c in spans]),
        "rounds": rounds,
        **machine,
        "view_connect_failures": result["failure_count"],
        "view_disconnects": result["disconnects"],
        "command_error_samples": phase.command_errors[:3],
    }


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    phase = CoachPhase(args)
    fake = FakeProcess(args, phase.data_dir / "fake.log")
    phase.use_fake(fake.base_url)
    try:
        view_token, tokens = await make_accounts(phase.data_dir, args.streams)
        phase.start_server()
        async with (
            httpx.AsyncClient(
                base_url=phase.base,
                headers={"Authorization": f"Bearer {view_token}"},
                timeout=lf.HTTP_TIMEOUT_S,
            ) as api,
            aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0),
                timeout=aiohttp.ClientTimeout(total=CHAT_TIMEOUT_S),
            ) as http,
        ):
            await phase.wait_healthy(api)
            gate = asyncio.Semaphore(4)

            async def planned(n: int, token: str) -> None:
                async with gate:
                    await give_plan(api, token, seed=n)

            await asyncio.gather(*(planned(n, t) for n, t in enumerate(tokens)))
            sessions = await phase.create_sessions(api)
            figures = {"first_token": await first_token(args, http, phase, tokens, fake)}
            figures["streams"] = await streams(args, phase, api, http, tokens, sessions)
        figures["server_log_errors"] = phase.log_errors()
        return figures
    except BaseException:
        phase.print_log_tail()
        raise
    finally:
        await asyncio.gather(*(w.stop() for w in phase.workers), return_exceptions=True)
        phase.stop_server()
        fake.stop()
        if not args.keep:
            import shutil

            shutil.rmtree(phase.data_dir, ignore_errors=True)
        else:
            print(f"kept {phase.data_dir}", file=sys.stderr)


def verdict(figures: dict[str, Any]) -> dict[str, Any]:
    added = figures["first_token"]["first_token_added_ms"]
    during = figures["streams"]["during_streams"]["command_ms"]
    complete = figures["first_token"]["complete"] == figures["first_token"]["chats"] and all(
        r["all_complete"] for r in figures["streams"]["rounds"]
    )
    return {
        "first_token_added_budget_ms": FIRST_TOKEN_BUDGET_MS,
        "command_during_streams_budget_ms": COMMAND_BUDGET_MS,
        "first_token_added_p99_goal_met": added["p99"] is not None and added["p99"] <= FIRST_TOKEN_BUDGET_MS,
        "command_p99_goal_met": during["p99"] is not None and during["p99"] <= COMMAND_BUDGET_MS,
        "every_chat_complete": complete,
        "met": complete
        and added["p50"] is not None
        and added["p50"] <= FIRST_TOKEN_BUDGET_MS
        and during["p50"] is not None
        and during["p50"] <= COMMAND_BUDGET_MS,
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chats", type=int, default=60, help="sequential chats timed for the first token")
    parser.add_argument("--warmup", type=int, default=3, help="sequential chats before, not counted")
    parser.add_argument("--streams", type=int, default=50, help="runners, and chats streaming at once")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --streams chats at once")
    parser.add_argument("--words", type=int, default=100, help="words per streamed message (~tokens)")
    parser.add_argument("--first-token-delay", type=float, default=0.5, help="the fake's seconds to think")
    parser.add_argument("--token-delay", type=float, default=0.05, help="the fake's seconds between tokens")
    parser.add_argument("--sessions", type=int, default=10, help="run sessions with live views")
    parser.add_argument("--views-per-session", type=int, default=3, help="run view, remote, TV, cycled")
    parser.add_argument("--command-interval", type=float, default=0.25, help="seconds between commands")
    parser.add_argument("--quiet-seconds", type=float, default=10.0, help="commands without chats first")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the command schedule")
    parser.add_argument("--keep", action="store_true", help="keep the data directory and the server log")
    parser.add_argument("--profile", help="cProfile the server into PATH (inflates its CPU)")
    parser.add_argument("--fake", action="store_true", help=argparse.SUPPRESS)
    return parser


def main() -> int:
    args = build_parser().parse_args()
    if args.fake:
        fake_main(args.first_token_delay, args.token_delay)
        return 0
    if min(args.chats, args.streams, args.rounds, args.sessions, args.views_per_session) < 1:
        raise SystemExit("--chats, --streams, --rounds, --sessions and --views-per-session must be positive")
    random.seed(args.seed)
    figures = asyncio.run(asyncio.wait_for(measure(args), timeout=900))
    figures["budgets"] = verdict(figures)
    print(json.dumps(figures, indent=2))
    return 0 if figures["budgets"]["met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
