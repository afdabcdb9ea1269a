"""RunCoach with two benchmark-only pages, for benchmarks/live_fanout.py. Never deploy this.

    python benchmarks/baseline_server.py --port 8123 [--profile out.prof]

It runs the real app (`runcoach.app.setup`, the same `ui.run` options as `runcoach.app.serve`)
and adds, without sign-in:

* `/bench/fanout/{session_id}`: what a live view does on the server: after the socket connects,
  `fanout.join(client, session_id)` (the room `runcoach-session-{id}` the hub broadcasts
  `runcoach_state` to) and `hub.watch(...)` with a listener that sets three labels on a discrete
  change (status, segment, target). The clock itself travels in the room broadcast.
* `/bench/baseline/{session_id}`: the naive design the fan-out replaces: a per-page
  `ui.timer(0.25, ...)` that folds the session (kept current from the hub's cache through
  `hub.watch`) every tick and sets label texts for status, elapsed, remaining and segment, so NiceGUI
  sends an element update to every view four times a second.
* `/bench/stats`: JSON counters (clients, watched sessions, ticker wake-ups and their cost, room
  broadcasts, event-loop lag, garbage collections) since the previous call, for the load generator
  to read before and after its measuring window.
* `/bench/memory?mark=before|after`: where the views' memory goes. `before` keeps a tracemalloc
  snapshot (server started with `--tracemalloc`); `after` compares a new one to it, grouped by
  file and line and by file, and describes every open client: its path, element count, and the JSON
  size of its elements, of its echart options and of its html elements' content.
* `/bench/gc[?freeze=true]`: time a full garbage collection, count tracked objects, optionally
  `gc.freeze()` the survivors (an experiment: `live_fanout.py --gc-freeze`).

`/bench/` is added to the auth middleware's public prefixes here, at run time, so the load
generator needs no browser sign-in (signing in goes through a NiceGUI form over the socket).
The live views at `/sessions/{id}/tv` need a signed-in browser; the server-side work per view is
the same as in `/bench/fanout/{id}`.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import re
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from runcoach.config import Settings, load_storage_secret  # noqa: E402  (after the sys.path fix)


def _counters() -> dict[str, float]:
    return {
        "ticks": 0,
        "tick_ms": 0.0,
        "broadcasts": 0,
        "broadcast_ms": 0.0,
        "listener_calls": 0,
        "baseline_ticks": 0,
        "baseline_tick_ms": 0.0,
    }


STATS = _counters()
PEAKS: dict[str, float] = {"tick_max_ms": 0.0, "pushes_in_one_tick_max": 0}


class LoopWatch:
    """How late a 10 ms sleep wakes (event-loop stalls) and how long each garbage collection takes."""

    PERIOD_S = 0.01

    def __init__(self) -> None:
        self.lags_ms: list[float] = []
        self.gc_ms: list[tuple[int, float]] = []  # (generation, duration)
        self._gc_started = 0.0
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.gc_ms.append((int(info["generation"]), (time.perf_counter() - self._gc_started) * 1000))

    async def run(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(self.PERIOD_S)
            self.lags_ms.append((time.perf_counter() - started - self.PERIOD_S) * 1000)

    def take(self) -> dict[str, Any]:
        """Figures since the last call (the load generator calls before and after its window)."""
        lags, self.lags_ms = sorted(self.lags_ms), []
        collections, self.gc_ms = self.gc_ms, []
        full = sorted(ms for generation, ms in collections if generation == 2)

        def pct(values: list[float], q: float) -> float | None:
            return round(values[min(len(values) - 1, int(q / 100 * len(values)))], 2) if values else None

        return {
            "loop_lag_p50_ms": pct(lags, 50),
            "loop_lag_p99_ms": pct(lags, 99),
            "loop_lag_max_ms": pct(lags, 100),
            "loop_stalls_over_50ms": sum(1 for lag in lags if lag > 50),
            "gc_collections": len(collections),
            "gc_ms_total": round(sum(ms for _, ms in collections), 1),
            "gc_gen2_collections": len(full),
            "gc_gen2_max_ms": pct(full, 100),
            "gc_max_ms": round(max((ms for _, ms in collections), default=0.0), 2),
        }


def format_s(seconds: float) -> str:
    minutes, rest = divmod(max(0.0, seconds), 60.0)
    return f"{int(minutes):02d}:{rest:04.1f}"


def register_bench_pages() -> None:
    """The benchmark pages and the stats route (call after `setup`)."""
    from nicegui import Client, app, background_tasks, ui

    from runcoach.auth import middleware
    from runcoach.context import context
    from runcoach.domain.session import RunSession, SessionState
    from runcoach.live import fanout

    # Benchmark only: the pages below skip sign-in. `is_public` reads this global on every request.
    middleware.PUBLIC_PREFIXES = (*middleware.PUBLIC_PREFIXES, "/bench/")  # type: ignore[assignment]

    hub = context().hub
    original_tick = hub.ticker.tick
    original_broadcast = hub.broadcaster.broadcast

    async def counted_tick() -> float:
        started = time.perf_counter()
        broadcasts = STATS["broadcasts"]
        try:
            return await original_tick()
        finally:
            took = (time.perf_counter() - started) * 1000
            STATS["ticks"] += 1
            STATS["tick_ms"] += took
            PEAKS["tick_max_ms"] = max(PEAKS["tick_max_ms"], took)
            PEAKS["pushes_in_one_tick_max"] = max(
                PEAKS["pushes_in_one_tick_max"], STATS["broadcasts"] - broadcasts
            )

    async def counted_broadcast(session_id: int, payload: dict[str, Any]) -> None:
        started = time.perf_counter()
        try:
            await original_broadcast(session_id, payload)
        finally:
            STATS["broadcasts"] += 1
            STATS["broadcast_ms"] += (time.perf_counter() - started) * 1000

    hub.ticker.tick = counted_tick  # type: ignore[method-assign]
    hub.broadcaster.broadcast = counted_broadcast  # type: ignore[method-assign]

    watch = LoopWatch()
    app.on_startup(lambda: background_tasks.create(watch.run(), name="bench-loop-watch"))

    # async: on the event loop, not in FastAPI's thread pool (gc.collect() from another thread while the
    # loop's thread is collecting returns at once)
    @app.get("/bench/stats")
    async def stats() -> dict[str, Any]:
        peaks = dict(PEAKS)
        PEAKS.update(tick_max_ms=0.0, pushes_in_one_tick_max=0)
        return {
            **STATS,
            **peaks,
            **watch.take(),
            "clients": len(Client.instances),
            "watched_sessions": hub.watched_sessions,
            "hub_listeners": hub.ticker.listener_count,
            "process_time_s": time.process_time(),
        }

    @app.get("/bench/gc")
    async def collect(freeze: bool = False) -> dict[str, Any]:
        """A full collection, timed; with freeze, then move every survivor out of the collector's sight."""
        started = time.perf_counter()
        gc.collect()
        collect_ms = (time.perf_counter() - started) * 1000
        if freeze:
            gc.freeze()
        return {
            "tracked_objects": len(gc.get_objects()),
            "full_collect_ms": round(collect_ms, 1),
            "frozen_objects": gc.get_freeze_count(),
        }

    snapshots: dict[str, tracemalloc.Snapshot] = {}

    @app.get("/bench/memory")
    async def memory(mark: str = "after", top: int = 40) -> dict[str, Any]:
        gc.collect()
        result: dict[str, Any] = {"tracing": tracemalloc.is_tracing()}
        if tracemalloc.is_tracing():
            snapshot = tracemalloc.take_snapshot().filter_traces(
                (tracemalloc.Filter(False, tracemalloc.__file__),)
            )
            if mark == "before" or "before" not in snapshots:
                snapshots["before"] = snapshot
            else:
                for key in ("lineno", "filename"):
                    stats = snapshot.compare_to(snapshots["before"], key)
                    result[f"by_{key}"] = [
                        {
                            "where": str(stat.traceback[0]).replace(str(ROOT) + "/", ""),
                            "kb": round(stat.size_diff / 1024, 1),
                            "count": stat.count_diff,
                        }
                        for stat in stats[:top]
                    ]
                result["traced_kb_diff"] = round(
                    sum(stat.size_diff for stat in snapshot.compare_to(snapshots["before"], "filename"))
                    / 1024,
                    1,
                )
        kinds: dict[str, dict[str, Any]] = {}
        for client in list(Client.instances.values()):
            path = client.request.url.path if client.request is not None else "?"
            kind = re.sub(r"/\d+", "/{id}", path)
            kind = "/r/{code}" if kind.startswith("/r/") else kind
            entry = kinds.setdefault(
                kind, {"clients": 0, "elements": 0, "elements_json_kb": 0.0, "echart_kb": 0.0, "html_kb": 0.0}
            )
            entry["clients"] += 1
            entry["body_html_kb"] = entry.get("body_html_kb", 0.0) + len(client._body_html) / 1024
            entry["head_html_kb"] = entry.get("head_html_kb", 0.0) + len(client._head_html) / 1024
            for element in list(client.elements.values()):
                entry["elements"] += 1
                entry["elements_json_kb"] += len(json.dumps(element._to_dict(), default=str)) / 1024
                if isinstance(element, ui.echart):
                    entry["echart_kb"] += len(json.dumps(element.options, default=str)) / 1024
                if isinstance(element, ui.html):
                    entry["html_kb"] += len(str(element.content)) / 1024
        result["clients_by_page"] = {
            kind: {k: round(v / e["clients"], 1) if k != "clients" else v for k, v in e.items()}
            for kind, e in kinds.items()
        }  # per client, except the count
        return result

    @ui.page("/bench/fanout/{session_id}", reconnect_timeout=10)
    async def fanout_view(session_id: int) -> None:
        client = ui.context.client
        status = ui.label()
        segment = ui.label()
        target = ui.label()

        def show(session: RunSession, state: SessionState) -> None:
            STATS["listener_calls"] += 1
            status.text = f"{state.status.value} #{session.last_seq}"
            segment.text = f"Segment {state.segment_index + 1} of {state.segment_count}"
            if state.segment is not None:
                target.text = f"{state.segment.speed_kmh:.1f} km/h, {state.segment.incline_pct:.1f}%"

        session = await hub.get(session_id, owner_id=None)
        show(session, session.state(hub.now()))
        await client.connected()
        await fanout.join(client, session_id)

        async def rejoin() -> None:
            await fanout.join(client, session_id)

        client.on_connect(rejoin)  # a reconnect gets a new socket id: put it in the room again
        unwatch = await hub.watch(session_id, show, owner_id=None)
        client.on_delete(unwatch)

    @ui.page("/bench/baseline/{session_id}", reconnect_timeout=10)
    async def baseline_view(session_id: int) -> None:
        client = ui.context.client
        current: dict[str, RunSession] = {"session": await hub.get(session_id, owner_id=None)}
        status = ui.label()
        elapsed = ui.label()
        remaining = ui.label()
        segment = ui.label()

        def keep(session: RunSession, _state: SessionState) -> None:
            current["session"] = session

        def tick() -> None:
            started = time.perf_counter()
            # The hub's cache, which every command updates. Not only the listener: Hub.watch can orphan a
            # listener when two views of a session open at once (see benchmarks/README.md).
            session = hub.ticker.cached(session_id) or current["session"]
            state = session.state(hub.now())
            status.text = f"{state.status.value} #{session.last_seq}"
            elapsed.text = format_s(state.elapsed_s)
            remaining.text = format_s(state.segment_remaining_s)
            segment.text = f"Segment {state.segment_index + 1} of {state.segment_count}"
            STATS["baseline_ticks"] += 1
            STATS["baseline_tick_ms"] += (time.perf_counter() - started) * 1000

        tick()
        ui.timer(0.25, tick)
        await client.connected()
        unwatch = await hub.watch(session_id, keep, owner_id=None)
        client.on_delete(unwatch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--profile", help="write a cProfile of the server process here on shutdown")
    parser.add_argument("--tracemalloc", action="store_true", help="trace allocations for /bench/memory")
    args = parser.parse_args()
    if args.tracemalloc:
        tracemalloc.start(1)

    settings = Settings().model_copy(update={"port": args.port})
    # As `runcoach serve` does: NiceGUI reads its storage path when imported.
    os.environ.setdefault("NICEGUI_STORAGE_PATH", str((settings.data_dir / ".nicegui").resolve()))
    from nicegui import app, ui

    from runcoach.app import run_options, setup, tune_gc

    secret = load_storage_secret(settings)
    setup(settings)
    app.on_startup(tune_gc)  # as runcoach.app.serve does
    register_bench_pages()

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()

        def dump_profile() -> None:
            profiler.disable()
            profiler.dump_stats(args.profile)

        app.on_shutdown(dump_profile)

    ui.run(**run_options(settings, secret))


if __name__ in {"__main__", "__mp_main__"}:
    main()
