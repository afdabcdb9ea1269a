"""A local ASGI server for tests and benchmarks: uvicorn on 127.0.0.1 in a background thread.

Why a thread with its own event loop: the fakes (Anthropic, Strava, a webhook callback) must keep
answering while a test's loop is blocked in an assertion or busy with its own work, and must never
share (or outlive) pytest-asyncio's per-test loop. The listening socket is bound before the thread
starts, so the port is known and connections queue from the first instant.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp


class LocalServer:
    """An ASGI app served by uvicorn on 127.0.0.1 from a background thread with its own event loop.
    The socket is bound before the thread starts, so `port` is known at once."""

    def __init__(self, app: ASGIApp, *, port: int = 0, name: str = "local-server") -> None:
        self.app = app
        self.name = name
        self._wanted_port = port
        self._port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> LocalServer:
        # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and
        # without it every answer on a kept-alive connection waits 40 ms for a delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._wanted_port))
        sock.listen(512)
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_config=None,  # never reconfigure the test run's logging
            access_log=False,
            lifespan="off",
            loop="asyncio",
            ws="none",
            timeout_graceful_shutdown=1,
            backlog=512,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name=self.name, daemon=True
        )
        self._thread.start()
        self._wait_started(sock)
        return self

    def _wait_started(self, sock: socket.socket, timeout_s: float = 10.0) -> None:
        assert self._server is not None and self._thread is not None
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                sock.close()
                raise RuntimeError(f"{self.name} did not start")
            time.sleep(0.002)

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._server.force_exit = True
        self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"


# --------------------------------------------------------------------------- the fake
