"""Replicas on one PostgreSQL: a command on replica 1 -> every live view on the other replicas.

    .venv/bin/python benchmarks/replicas.py                      # 2 replicas, 600 views, then 1: ~2 minutes
    .venv/bin/python benchmarks/replicas.py --quick              # 60 views, 8 s windows: ~30 s
    .venv/bin/python benchmarks/replicas.py --replicas 3 --views 600 --no-compare

It creates a fresh PostgreSQL database (`--postgres-url`, trust auth; dropped at the end), migrates
it and adds one account with an API token, then starts N `python -m runcoach serve` processes on it
(free ports on 127.0.0.1, a data directory each, one RUNCOACH_STORAGE_SECRET). Through replica 1's
API it generates a workout and creates and starts the sessions. The V live views (real pages, as
`live_fanout.py --pages real` opens them: signed-in run and TV views, paired remotes) are spread
over replicas 2..N, one load-generator process per replica (it signs in on its replica through the
form). Pause and resume go to random sessions through replica 1's API; a command's latency is from
sending it to the moment the LAST view of its session (on the other replicas) received a
`runcoach_state` payload with the command's seq or later. Then, unless `--no-compare`, replicas 2..N
are stopped and the same measurement runs with the views on replica 1 (one replica).

The benchmark LISTENs on the replicas' channel itself, so each command's NOTIFY is timed too
(send -> heard); `--trace` runs the replicas with timing hooks around the notifier's callback, the
hub's re-read and its push (written to their logs), to split the rest. One JSON object is printed;
the exit status is 1 when the goal (p99 <= 150 ms, no command missed by a view) is missed.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import gc
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))
import live_fanout as lf  # noqa: E402  (a sibling script, not a package)

THIS_SCRIPT = Path(__file__).resolve()
HOST = lf.HOST
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432"
GOAL_P99_MS = 150.0
STARTUP_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 20.0
HTTP_TIMEOUT_S = 15.0
AFTER_WINDOW_S = 2.0  # the last commands' pushes are on their way; later than this counts as missed
TRACE_PREFIX = "RCTRACE "
Seen = dict[int, float]  # a view's seq -> when it first had that state

#: `--trace`: `runcoach serve` with timing hooks. Per notification a replica hears: when asyncpg
#: handed it over (`heard`), when the hub's handler started (`start`), when the re-read was done
#: (`read`: the publish that follows begins), when the push was handed to socket.io (`pushed`), and
#: when the handler returned (`end`). One line per notification in the replica's log.
TRACED_SERVE = """
import contextvars, json, sys, time
from runcoach.live import hub as hub_module, pg_notify, ticker as ticker_module

PREFIX = {prefix!r}
current = contextvars.ContextVar("rc_trace", default=None)
heard_at = {{}}

original_heard = pg_notify.PostgresNotifier._heard
def _heard(self, connection, pid, channel, payload):
    heard_at[payload] = time.monotonic()
    return original_heard(self, connection, pid, channel, payload)
pg_notify.PostgresNotifier._heard = _heard

original_changed = hub_module.Hub.changed_elsewhere
async def changed_elsewhere(self, session_id, seq):
    record = {{"sid": session_id, "seq": seq, "start": time.monotonic()}}
    record["heard"] = heard_at.pop(f"{{session_id}}:{{seq}}", None)
    token = current.set(record)
    try:
        return await original_changed(self, session_id, seq)
    finally:
        current.reset(token)
        record["end"] = time.monotonic()
        print(PREFIX + json.dumps(record), file=sys.stderr, flush=True)
hub_module.Hub.changed_elsewhere = changed_elsewhere

original_publish = ticker_module.Ticker.publish
async def publish(self, session, state=None):
    record = current.get()
    if record is not None and "read" not in record:
        record["read"] = time.monotonic()
        await original_publish(self, session, state)
        record["pushed"] = time.monotonic()
        return None
    return await original_publish(self, session, state)
ticker_module.Ticker.publish = publish

from runcoach.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def die_with_parent() -> None:
    """In a child, before exec: SIGTERM when the benchmark dies (even by SIGKILL), so nothing lingers."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def pct(values: list[float], q: float) -> float | None:
    return lf.percentile(values, q)


def summary(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50": pct(values, 50),
        "p99": pct(values, 99),
        "max": pct(values, 100),
    }


# --- the load generator: live_fanout's worker, with the pairing codes given --------------------------


class ReplicaWorker(lf.Worker):
    """`live_fanout.Worker` (real pages) whose remotes pair with codes the API gave: a session's run
    view may be on another replica than its remote, so the code cannot come from this worker's pages."""

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(spec)
        self.pair_codes = {int(k): v for k, v in spec.get("pair_codes", {}).items()}

    def result(self) -> dict[str, Any]:
        out = super().result()
        for entry, view in zip(out["views"], self.views, strict=True):
            entry["index"] = view.index
            entry["kind"] = view.kind
            entry["opened"] = view.sio is not None
        return out


async def worker_main() -> None:
    """`--worker`: live_fanout's worker protocol (spec line; `ready`; `counts`; `stop t0 t1`)."""
    loop = asyncio.get_running_loop()
    lf.time_collections()

    async def read_line() -> str:
        return (await loop.run_in_executor(None, sys.stdin.readline)).strip()

    worker = ReplicaWorker(json.loads(await read_line()))
    try:
        await worker.connect_all()
        gc.collect()
        gc.freeze()
        lf.emit({"event": "ready", **worker.counts(), "failure_count": len(worker.failures)})
        while command := await read_line():
            parts = command.split()
            if parts[0] == "counts":
                lf.emit({"event": "counts", **worker.counts()})
            elif parts[0] == "stop":
                worker.window = (float(parts[1]), float(parts[2]))
                lf.emit({"event": "result", **worker.result()})
                break
    finally:
        await worker.close()


class ViewWorker(lf.WorkerProcess):
    SCRIPT = THIS_SCRIPT
    before_exec = staticmethod(die_with_parent)


# --- the replicas and their database ------------------------------------------------------------------


@dataclass
class Replica:
    index: int  # 1-based: replica 1 takes the commands
    port: int
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def log(self) -> Path:
        return self.data_dir / "server.log"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, trace: bool) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if trace:
            argv = [sys.executable, "-c", TRACED_SERVE.format(prefix=TRACE_PREFIX), "serve"]
        else:
            argv = [sys.executable, "-m", "runcoach", "serve"]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [*argv, "--port", str(self.port)],
                env=self.env,
                cwd=self.data_dir.parent,  # a temporary directory: a developer's .env never leaks in
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT_S)

    def log_errors(self) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        with contextlib.suppress(OSError):
            for line in self.log.read_text(errors="replace").splitlines():
                match = re.match(r"^(\w+(?:\.\w+)*(?:Error|Exception|Timeout)\b)", line)
                if match is None and "Traceback" in line:
                    match = re.match(r"(Traceback)", line.strip())
                if match is not None:
                    entry = found.setdefault(match.group(1), {"count": 0, "sample": line.strip()[:240]})
                    entry["count"] += 1
        return found

    def trace(self) -> list[dict[str, Any]]:
        records = []
        with contextlib.suppress(OSError):
            for line in self.log.read_text(errors="replace").splitlines():
                if line.startswith(TRACE_PREFIX):
                    with contextlib.suppress(ValueError):
                        records.append(json.loads(line[len(TRACE_PREFIX) :]))
        return records


@dataclass
class Command:
    session_id: int
    command: str
    sent: float
    answered: float | None = None
    seq: int | None = None
    error: str | None = None


@dataclass
class Cluster:
    args: argparse.Namespace
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="runcoach-bench-replicas-")))
    db_name: str = field(default_factory=lambda: f"rc_bench_{secrets.token_hex(5)}")
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    replicas: list[Replica] = field(default_factory=list)
    created_db: bool = False
    token: str = ""
    #: (session id, seq) -> when the benchmark's own LISTEN connection heard the NOTIFY
    heard: dict[tuple[int, int], float] = field(default_factory=dict)
    listener: Any = None

    @property
    def db_url(self) -> str:
        from sqlalchemy.engine import make_url

        url = make_url(self.args.postgres_url).set(database=self.db_name)
        return url.render_as_string(hide_password=False)

    async def admin(self) -> Any:
        import asyncpg

        from runcoach.live.pg_notify import listen_dsn

        return await asyncpg.connect(listen_dsn(self.args.postgres_url), timeout=10)

    async def create_database(self) -> None:
        conn = await self.admin()
        try:
            await conn.execute(f'CREATE DATABASE "{self.db_name}"')
            self.created_db = True
        finally:
            await conn.close()

    async def drop_database(self) -> None:
        if not self.created_db:
            return
        conn = await self.admin()
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            self.created_db = False
        finally:
            await conn.close()

    async def prepare(self) -> None:
        """Migrate the schema and add the account (production password cost) with an API token,
        before any replica starts, so the replicas do not race to upgrade an empty schema."""
        from runcoach.auth import service
        from runcoach.db.engine import Database

        database = Database(self.db_url)
        try:
            await database.start()
            now = datetime.now(UTC)
            user = await service.create_user(
                database, email=lf.EMAIL, name="Bench", password=lf.PASSWORD, is_admin=False, now=now
            )
            _, self.token = await service.create_token(database, user_id=user.id, label="bench", now=now)
        finally:
            await database.close()

    async def listen(self) -> None:
        import asyncpg

        from runcoach.live.pg_notify import CHANNEL, listen_dsn

        def heard(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
            now = time.monotonic()
            with contextlib.suppress(ValueError):
                sid, seq = (int(p) for p in payload.split(":"))
                self.heard.setdefault((sid, seq), now)

        self.listener = await asyncpg.connect(listen_dsn(self.db_url))
        await self.listener.add_listener(CHANNEL, heard)

    async def backend_pids(self) -> list[int]:
        rows = await self.listener.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", self.db_name
        )
        return [int(r["pid"]) for r in rows]

    async def start_replicas(self, count: int) -> None:
        import httpx

        for index in range(1, count + 1):
            data_dir = self.root / f"replica{index}" / "data"
            env = lf.clean_env(data_dir) | {
                "RUNCOACH_DATABASE_URL": self.db_url,
                "RUNCOACH_STORAGE_SECRET": self.secret,
            }
            replica = Replica(index=index, port=lf.free_port(), data_dir=data_dir, env=env)
            self.replicas.append(replica)
            replica.start(self.args.trace)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        async with httpx.AsyncClient(timeout=2) as http:
            for replica in self.replicas:
                while True:
                    if not replica.alive():
                        raise RuntimeError(f"replica {replica.index} exited during start-up")
                    with contextlib.suppress(httpx.TransportError):
                        if (await http.get(f"{replica.base}/health")).status_code == 200:
                            break
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"replica {replica.index} did not become healthy in time")
                    await asyncio.sleep(0.2)

    async def stop_replicas(self, replicas: list[Replica]) -> None:
        await asyncio.gather(*(asyncio.to_thread(r.stop) for r in replicas), return_exceptions=True)

    async def close(self) -> None:
        """Every process stopped and the database dropped, whatever happened; each step regardless."""
        if self.listener is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.listener.close(), 5)
        await self.stop_replicas(self.replicas)
        try:
            await asyncio.wait_for(self.drop_database(), 30)
        except Exception as exc:
            print(f"could not drop database {self.db_name}: {exc!r}", file=sys.stderr)
        if self.args.keep:
            print(f"kept {self.root}", file=sys.stderr)
        else:
            shutil.rmtree(self.root, ignore_errors=True)


# --- one measurement ----------------------------------------------------------------------------------


class Measurement:
    """V views on `viewers`, commands through `commander`'s API: connect, measure, disconnect."""

    def __init__(
        self,
        cluster: Cluster,
        http: Any,
        sessions: list[int],
        pair_codes: dict[int, str],
        status: dict[int, str],
        commander: Replica,
        viewers: list[Replica],
        name: str,
    ) -> None:
        self.cluster = cluster
        self.args = cluster.args
        self.http = http
        self.sessions = sessions
        self.pair_codes = pair_codes
        self.status = status
        self.commander = commander
        self.viewers = viewers
        self.name = name
        self.workers: list[ViewWorker] = []
        self.commands: list[Command] = []

    def layout(self) -> dict[int, list[list[Any]]]:
        """Replica index -> its views [index, session id, kind]; a session's views go round the
        viewing replicas (with two, a session's run view and TV on one, its remote on the other)."""
        per, mix = self.args.views_per_session, self.args.mix.split(",")
        out: dict[int, list[list[Any]]] = {r.index: [] for r in self.viewers}
        for i in range(self.args.views):
            replica = self.viewers[i % len(self.viewers)]
            out[replica.index].append([i, self.sessions[i // per], mix[i % per % len(mix)]])
        return out

    async def run(self) -> dict[str, Any]:
        try:
            return await self.measure()
        finally:
            await asyncio.gather(*(w.stop() for w in self.workers), return_exceptions=True)

    async def measure(self) -> dict[str, Any]:
        args = self.args
        layout = self.layout()
        started = time.monotonic()
        for replica in self.viewers:
            spec = {
                "port": replica.port,
                "page": "real",
                "batch": args.connect_batch,
                "views": layout[replica.index],
                "email": lf.EMAIL,
                "password": lf.PASSWORD,
                "pair_codes": self.pair_codes,
            }
            log = self.cluster.root / f"worker-{self.name}-replica{replica.index}.log"
            self.workers.append(await ViewWorker.start(spec, log, args.uvloop))
        ready = await asyncio.gather(*(w.receive(60 + args.views * 0.25) for w in self.workers))
        connect_s = time.monotonic() - started
        if sum(r["connected"] for r in ready) == 0:
            raise RuntimeError(f"no view connected: see {self.cluster.root}/worker-*.log")
        await asyncio.sleep(args.settle)

        live = [r for r in self.cluster.replicas if r.alive()]
        pg_pids = await self.cluster.backend_pids()
        cpu0 = {r.index: lf.cpu_ticks(r.pid) for r in live}
        pg0 = {pid: ticks for pid in pg_pids if (ticks := _ticks(pid)) is not None}
        box0, load0 = lf.box_busy_ticks(), os.getloadavg()
        gen0 = sum(lf.cpu_ticks(w.process.pid) for w in self.workers) + lf.cpu_ticks(os.getpid())
        t0 = time.monotonic()

        in_flight: set[asyncio.Task[None]] = set()
        last_sent: dict[int, float] = {}
        next_at = t0 + args.command_interval
        while (now := time.monotonic()) < t0 + args.seconds:
            if now >= next_at:
                next_at += args.command_interval * random.uniform(0.5, 1.5)
                idle = [s for s in self.sessions if now - last_sent.get(s, -math.inf) > 2.0]
                if idle:
                    target = random.choice(idle)
                    last_sent[target] = now
                    task = asyncio.create_task(self.send_command(target))
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
            await asyncio.sleep(max(0.0, min(next_at, t0 + args.seconds) - time.monotonic()))

        t1 = time.monotonic()
        cpu1 = {r.index: lf.cpu_ticks(r.pid) for r in live}
        pg1 = {pid: ticks for pid in pg0 if (ticks := _ticks(pid)) is not None}
        box1 = lf.box_busy_ticks()
        gen1 = sum(lf.cpu_ticks(w.process.pid) for w in self.workers) + lf.cpu_ticks(os.getpid())
        rss = {r.index: lf.rss_kb(r.pid) for r in live}
        if in_flight:
            await asyncio.wait(in_flight, timeout=HTTP_TIMEOUT_S)
        await asyncio.sleep(AFTER_WINDOW_S)
        results = await asyncio.gather(*(w.ask(f"stop {t0} {t1}", 120) for w in self.workers))
        elapsed = t1 - t0

        figures = self.latencies(results)
        roles = {self.commander.index: "commands"}
        for replica in self.viewers:
            roles[replica.index] = "commands+views" if replica is self.commander else "views"
        figures |= {
            "replicas_running": len(live),
            "views": sum(r["connected"] for r in ready),
            "views_by_replica": {str(r.index): len(layout[r.index]) for r in self.viewers},
            "sessions": len(self.sessions),
            "seconds": round(elapsed, 2),
            "connect_s": round(connect_s, 1),
            "connect_failures": sum(r["failure_count"] for r in results),
            "connect_failure_samples": [f for r in results for f in r["failures"]][:3],
            "disconnects_during_run": sum(r["disconnects"] for r in results),
            "sign_in_ms": [round(r["sign_in_ms"] or 0, 1) for r in results],
            "server": [
                {
                    "replica": r.index,
                    "role": roles.get(r.index, "idle"),
                    "cpu_pct": round(100 * (cpu1[r.index] - cpu0[r.index]) / lf.CLK_TCK / elapsed, 1),
                    "rss_kb": rss[r.index],
                    "log_errors": r.log_errors(),
                }
                for r in live
            ],
            "postgres_cpu_pct": round(100 * sum(pg1[p] - pg0[p] for p in pg1) / lf.CLK_TCK / elapsed, 1),
            "postgres_backends": len(pg0),
            "loadgen_cpu_pct": round(100 * (gen1 - gen0) / lf.CLK_TCK / elapsed, 1),
            "loadgen_gc_max_ms": max((round(m, 1) for r in results for m in r["gc_pauses_ms"]), default=0),
            "box_cpu_busy_pct": round(100 * (box1[0] - box0[0]) / max(1, box1[1] - box0[1]), 1),
            "load_average_1m": [round(load0[0], 2), round(os.getloadavg()[0], 2)],
        }
        if self.args.trace:
            figures["trace"] = self.trace_figures(results)
        return figures

    async def send_command(self, session_id: int) -> None:
        command = "pause" if self.status.get(session_id) == "running" else "resume"
        record = Command(session_id=session_id, command=command, sent=time.monotonic())
        self.commands.append(record)
        try:
            response = await self.http.post(f"{self.commander.base}/api/sessions/{session_id}/{command}")
        except Exception as exc:
            record.error = f"{command} {session_id}: {exc!r}"
            return
        record.answered = time.monotonic()
        if response.status_code != 200:
            record.error = f"{command} {session_id}: HTTP {response.status_code} {response.text[:200]}"
            return
        body = response.json()
        self.status[session_id] = body["status"]
        record.seq = max(e["seq"] for e in body["events"])

    def views_by_session(self, results: list[dict[str, Any]]) -> dict[int, list[tuple[int, Seen]]]:
        """Session id -> [(replica index, seq -> first arrival)] over the views that opened."""
        out: dict[int, list[tuple[int, Seen]]] = {}
        for replica, result in zip(self.viewers, results, strict=True):
            for view in result["views"]:
                if view["opened"]:
                    seen = {int(k): t for k, t in view["state"].items()}
                    out.setdefault(view["session_id"], []).append((replica.index, seen))
        return out

    def latencies(self, results: list[dict[str, Any]]) -> dict[str, Any]:
        by_session = self.views_by_session(results)
        last, first, heard, heard_to_last, api = [], [], [], [], []
        per_replica: dict[int, list[float]] = {r.index: [] for r in self.viewers}
        missed_commands = missed_pairs = 0
        missed_by_replica: dict[int, int] = {r.index: 0 for r in self.viewers}
        for record in self.commands:
            if record.seq is None:
                continue
            if record.answered is not None:
                api.append((record.answered - record.sent) * 1000)
            arrivals: list[float] = []
            latest: dict[int, float] = {}
            missing = 0
            for replica, seen in by_session.get(record.session_id, []):
                times = [t for seq, t in seen.items() if seq >= record.seq]
                if not times:
                    missing += 1
                    missed_by_replica[replica] += 1
                    continue
                arrival = min(times)
                arrivals.append(arrival)
                latest[replica] = max(latest.get(replica, 0.0), arrival)
            heard_at = self.cluster.heard.get((record.session_id, record.seq))
            if heard_at is not None:
                heard.append((heard_at - record.sent) * 1000)
            if arrivals:
                first.append((min(arrivals) - record.sent) * 1000)
            if missing:
                missed_commands += 1
                missed_pairs += missing
                continue
            if arrivals:
                last.append((max(arrivals) - record.sent) * 1000)
                if heard_at is not None:
                    heard_to_last.append((max(arrivals) - heard_at) * 1000)
                for replica, t in latest.items():
                    per_replica[replica].append((t - record.sent) * 1000)
        errors = [c.error for c in self.commands if c.error]
        return {
            "commands": len(self.commands),
            "command_errors": len(errors),
            "command_error_samples": errors[:5],
            "commands_missed_by_a_view": missed_commands,
            "view_misses": missed_pairs,
            "p50_command_ms": pct(last, 50),
            "p99_command_ms": pct(last, 99),
            "max_command_ms": pct(last, 100),
            "p50_first_view_ms": pct(first, 50),
            "p99_first_view_ms": pct(first, 99),
            "p50_api_response_ms": pct(api, 50),
            "p99_api_response_ms": pct(api, 99),
            "p50_notify_heard_ms": pct(heard, 50),
            "p99_notify_heard_ms": pct(heard, 99),
            "p50_notify_to_last_view_ms": pct(heard_to_last, 50),
            "p99_notify_to_last_view_ms": pct(heard_to_last, 99),
            "by_replica": {
                str(index): {
                    "p50_command_ms": pct(values, 50),
                    "p99_command_ms": pct(values, 99),
                    "view_misses": missed_by_replica[index],
                }
                for index, values in per_replica.items()
            },
        }

    def trace_figures(self, results: list[dict[str, Any]]) -> dict[str, Any]:
        """Per viewing replica, from its trace lines matched to this window's commands: send -> heard
        (the command's request on replica 1, its NOTIFY's commit and delivery), heard -> handler start,
        start -> re-read done, read -> push handed to socket.io, push -> last view of that replica."""
        sent = {(c.session_id, c.seq): c.sent for c in self.commands if c.seq is not None}
        last_view: dict[tuple[int, int], dict[int, float]] = {}
        by_session = self.views_by_session(results)
        for key in sent:
            for index, seen in by_session.get(key[0], []):
                times = [t for seq, t in seen.items() if seq >= key[1]]
                if times:
                    slot = last_view.setdefault(key, {})
                    slot[index] = max(slot.get(index, 0.0), min(times))
        out: dict[str, Any] = {}
        for replica in self.viewers:
            parts: dict[str, list[float]] = {
                k: [] for k in ("send_to_heard", "heard_to_start", "reread", "push", "push_to_last_view")
            }
            skipped = 0
            for record in replica.trace():
                key = (record["sid"], record["seq"])
                if key not in sent:
                    continue
                if record.get("heard") is not None:
                    parts["send_to_heard"].append((record["heard"] - sent[key]) * 1000)
                    parts["heard_to_start"].append((record["start"] - record["heard"]) * 1000)
                if "read" not in record:
                    skipped += 1
                    continue
                parts["reread"].append((record["read"] - record["start"]) * 1000)
                parts["push"].append((record["pushed"] - record["read"]) * 1000)
                arrived = last_view.get(key, {}).get(replica.index)
                if arrived is not None:
                    parts["push_to_last_view"].append((arrived - record["pushed"]) * 1000)
            out[str(replica.index)] = {k: summary(v) for k, v in parts.items()} | {"not_pushed": skipped}
        return out


def _ticks(pid: int) -> int | None:
    try:
        return lf.cpu_ticks(pid)
    except (OSError, ValueError, IndexError):
        return None


# --- the run ------------------------------------------------------------------------------------------


async def create_sessions(
    http: Any, base: str, count: int
) -> tuple[list[int], dict[int, str], dict[int, str]]:
    response = await http.post(
        f"{base}/api/workouts/generate", json={"duration_min": 90, "goal": "intervals", "seed": 7}
    )
    response.raise_for_status()
    workout_id = response.json()["id"]
    gate = asyncio.Semaphore(8)
    codes: dict[int, str] = {}
    status: dict[int, str] = {}

    async def one() -> int:
        async with gate:
            created = await http.post(f"{base}/api/sessions", json={"workout_id": workout_id})
            created.raise_for_status()
            session_id = int(created.json()["id"])
            codes[session_id] = created.json()["pair_code"]
            started = await http.post(f"{base}/api/sessions/{session_id}/start")
            started.raise_for_status()
            status[session_id] = started.json()["status"]
            return session_id

    return list(await asyncio.gather(*(one() for _ in range(count)))), codes, status


async def orchestrate(args: argparse.Namespace) -> dict[str, Any]:
    import httpx

    cluster = Cluster(args)
    out: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
        "options": {
            k: v
            for k, v in vars(args).items()
            if k not in ("worker", "postgres_url") and not k.startswith("_")
        },
    }
    started = time.monotonic()
    try:
        await cluster.create_database()
        await cluster.prepare()
        await cluster.listen()
        await cluster.start_replicas(args.replicas)
        out["startup_s"] = round(time.monotonic() - started, 1)
        commander = cluster.replicas[0]
        viewers = cluster.replicas[1:] or [commander]
        async with httpx.AsyncClient(
            headers={"Authorization": f"Bearer {cluster.token}"},
            timeout=HTTP_TIMEOUT_S,
            limits=httpx.Limits(max_connections=16),
        ) as http:
            count = math.ceil(args.views / args.views_per_session)
            sessions, codes, status = await create_sessions(http, commander.base, count)
            measure = Measurement(cluster, http, sessions, codes, status, commander, viewers, "replicas")
            out["replicas"] = await measure.run()
            out["one_replica"] = None
            if args.compare and args.replicas > 1:
                await cluster.stop_replicas(cluster.replicas[1:])
                single = Measurement(cluster, http, sessions, codes, status, commander, [commander], "one")
                out["one_replica"] = await single.run()
    finally:
        await cluster.close()
    out["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out["total_s"] = round(time.monotonic() - started, 1)
    figures = out["replicas"]
    checks = {
        "p99_command_ms_le_150": figures["p99_command_ms"] is not None
        and figures["p99_command_ms"] <= GOAL_P99_MS,
        "no_command_missed_by_a_view": figures["commands_missed_by_a_view"] == 0,
        "every_view_connected": figures["connect_failures"] == 0,
        "no_command_errors": figures["command_errors"] == 0,
    }
    out["goal"] = {"p99_command_ms": GOAL_P99_MS, "commands_missed_by_a_view": 0, "checks": checks}
    out["goal_met"] = all(checks.values())
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--replicas", type=int, default=2, help="runcoach serve processes (default 2)")
    parser.add_argument("--views", type=int, help="live views, on replicas 2..N (default 600; --quick 60)")
    parser.add_argument("--views-per-session", type=int, default=3)
    parser.add_argument(
        "--mix", default="run,remote,tv", help="the pages of a session's views, cycled (run, remote, tv)"
    )
    parser.add_argument("--seconds", type=float, help="measuring window per phase (default 30; --quick 8)")
    parser.add_argument("--settle", type=float, help="wait after the views connect (default 5; --quick 2)")
    parser.add_argument("--command-interval", type=float, default=0.5, help="between commands (±50 %%)")
    parser.add_argument("--connect-batch", type=int, default=25, help="views connecting at once per worker")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="server for the fresh database")
    parser.add_argument(
        "--no-compare", dest="compare", action="store_false", help="skip the one-replica measurement"
    )
    parser.add_argument("--quick", action="store_true", help="60 views, 8 s windows: about 30 s")
    parser.add_argument(
        "--trace", action="store_true", help="time the replicas' NOTIFY handling (hooks in the servers)"
    )
    parser.add_argument("--timeout", type=float, help="give up (and clean up) after this many seconds")
    parser.add_argument("--seed", type=int, default=None, help="random seed for the command schedule")
    parser.add_argument("--keep", action="store_true", help="keep data directories and logs in /tmp")
    parser.add_argument("--no-uvloop", dest="uvloop", action="store_false", help="plain asyncio in workers")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    return parser


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    task = asyncio.current_task()
    assert task is not None
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, task.cancel)
    return await asyncio.wait_for(orchestrate(args), timeout=args.timeout)


def main() -> int:
    args = build_parser().parse_args()
    if args.worker:
        if args.uvloop:
            with contextlib.suppress(ImportError):
                import uvloop

                uvloop.install()
        asyncio.run(worker_main())
        return 0
    args.views = args.views if args.views is not None else (60 if args.quick else 600)
    args.seconds = args.seconds if args.seconds is not None else (8.0 if args.quick else 30.0)
    args.settle = args.settle if args.settle is not None else (2.0 if args.quick else 5.0)
    if args.replicas < 1 or args.views < 1 or args.views_per_session < 1 or args.seconds <= 0:
        raise SystemExit("--replicas, --views, --views-per-session and --seconds must be positive")
    mix = args.mix.split(",")
    if set(mix) - set(lf.REAL_KINDS):
        raise SystemExit(f"--mix: pages among {lf.REAL_KINDS}")
    if args.timeout is None:  # generous for a busy box, but bounded: cleanup runs on expiry
        phases = 2 if args.compare and args.replicas > 1 else 1
        args.timeout = 120 + phases * (60 + args.seconds + args.settle + args.views * 0.2)
    random.seed(args.seed)
    try:
        result = asyncio.run(main_async(args))
    except TimeoutError:
        print(f"gave up after {args.timeout:.0f} s (everything was cleaned up)", file=sys.stderr)
        return 2
    except (asyncio.CancelledError, KeyboardInterrupt):
        print("interrupted (everything was cleaned up)", file=sys.stderr)
        return 130
    print(json.dumps(result, indent=2))
    return 0 if result["goal_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
