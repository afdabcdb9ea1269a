"""The HTTP edge on a real `runcoach serve` process: body limits over a raw socket, flat memory.

Everything here talks to 127.0.0.1 only and every loop is bounded in count and time.
"""

from __future__ import annotations

import http.client
import socket
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import Server, ServerFactory

LIMIT = 1024 * 1024  # the default RUNCOACH_MAX_BODY_BYTES
CHUNK = 64 * 1024
ANSWER_TIMEOUT_S = 10
WARM_UP_REQUESTS = 1_000
MEASURED_REQUESTS = 10_000
#: How much RSS may grow over the measured requests. Before pages-only storage it grew ~1.4 KB a request.
RSS_SLACK_KB = 3 * 1024
#: Commands: +0.2 MB measured; with a lock kept per unknown id +3.4 MB; 1.5 MB tells them apart.
COMMAND_RSS_SLACK_KB = 1536
#: A guard against a hang, not a speed goal: 11,000 commands take 35 to 50 s on a busy 2-core box
#: (3 to 4 ms of server CPU each, most of it the token's and the session's database reads) and
#: 11,000 cookie-less requests 15 to 25 s; the server is the bottleneck, so more connections do
#: not make them faster.
LOAD_TIMEOUT_S = 150


@pytest.fixture(scope="module")
def server(module_servers: ServerFactory) -> Server:
    """One server for the module: every test here sends its own requests and measures its own."""
    return module_servers.start()


@pytest.fixture(scope="module")
def token(module_servers: ServerFactory, server: Server) -> str:
    return module_servers.user_with_token()


def raw_request(port: int, head: str) -> socket.socket:
    """A connection to the server with `head` (request line and headers) already sent."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=ANSWER_TIMEOUT_S)
    conn.sendall(head.encode("ascii"))
    return conn


def read_status(conn: socket.socket) -> tuple[int, bytes]:
    """The status code and what came with it, read until the server closes or the headers end."""
    data = b""
    deadline = time.monotonic() + ANSWER_TIMEOUT_S
    while b"\r\n\r\n" not in data and time.monotonic() < deadline:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    assert data.startswith(b"HTTP/1.1 "), f"no HTTP answer: {data[:200]!r}"
    return int(data.split(b" ", 2)[1]), data


def post_head(extra: str) -> str:
    return (
        "POST /api/workouts/generate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\n{extra}\r\n"
    )


def test_a_declared_length_over_the_limit_is_refused_before_any_body_is_sent(server: Server) -> None:
    # Ten megabytes announced, not one byte sent: only a server that answers from the header replies.
    with raw_request(server.port, post_head("Content-Length: 10485760\r\n")) as conn:
        status, data = read_status(conn)
    assert status == 413, data[:300]


def test_a_chunked_body_stops_being_read_past_the_limit(server: Server) -> None:
    head = post_head("Transfer-Encoding: chunked\r\n")
    with raw_request(server.port, head) as conn:
        chunk = f"{CHUNK:x}\r\n".encode() + b"a" * CHUNK + b"\r\n"
        for _ in range(LIMIT // CHUNK + 2):
            conn.sendall(chunk)
        # No terminating chunk: a server that waits for the whole body never answers.
        status, data = read_status(conn)
    assert status == 413, data[:300]


def test_a_body_under_the_limit_still_reaches_the_route(server: Server, token: str) -> None:
    with server.api(token) as api:
        workout = api.post("/api/workouts/generate", {"duration_min": 30, "goal": "easy"}, status=201)
    assert workout["goal"] == "easy"


def rss_kb(pid: int) -> int:
    """The process's resident set size (VmRSS) in KB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def cookieless_requests(port: int, token: str, count: int, deadline: float) -> list[str]:
    """`count` requests without cookies (health, API with no token, a bad token, a good one).

    Returns every Set-Cookie seen (there should be none). Like health checkers and scripts, the client
    never sends a cookie back. The standard library's client on one keep-alive connection: its low
    overhead keeps 10,000 requests within the time budget on a busy 2-core machine.
    """
    requests = [
        ("/health", {}),
        ("/api/workouts", {}),
        ("/api/workouts", {"Authorization": "Bearer not-a-token"}),
        ("/api/workouts", {"Authorization": f"Bearer {token}"}),
    ]
    cookies: list[str] = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        for i in range(count):
            assert time.monotonic() < deadline, f"load took too long ({i} of {count} requests sent)"
            path, headers = requests[i % len(requests)]
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status in (200, 401), (path, response.status)
            cookies.extend(response.msg.get_all("Set-Cookie") or [])
    finally:
        conn.close()
    return cookies


def test_ten_thousand_cookieless_requests_leave_memory_flat_and_set_no_cookie(
    server: Server, token: str
) -> None:
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    pid = server.process.pid
    warm_up_cookies = cookieless_requests(server.port, token, WARM_UP_REQUESTS, deadline)
    before_kb = rss_kb(pid)
    cookies = cookieless_requests(server.port, token, MEASURED_REQUESTS, deadline)
    after_kb = rss_kb(pid)
    growth_kb = after_kb - before_kb
    print(f"RSS {before_kb} KB -> {after_kb} KB over {MEASURED_REQUESTS} requests ({growth_kb:+} KB)")
    assert not warm_up_cookies and not cookies, f"{len(cookies)} Set-Cookie, e.g. {cookies[:1]}"
    assert growth_kb <= RSS_SLACK_KB, f"RSS grew {growth_kb} KB"


def commands_to_unknown_sessions(port: int, token: str, first_id: int, count: int, deadline: float) -> None:
    """POST a pause to `count` session ids nobody has, each once; every answer must be a 404."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        for i in range(count):
            assert time.monotonic() < deadline, f"load took too long ({i} of {count} commands sent)"
            conn.request("POST", f"/api/sessions/{first_id + i}/pause", headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 404, response.status
    finally:
        conn.close()


def test_ten_thousand_commands_to_unknown_sessions_leave_memory_flat(server: Server, token: str) -> None:
    """The hub used to keep a lock per session id ever commanded, unknown ones included."""
    deadline = time.monotonic() + 2 * LOAD_TIMEOUT_S
    pid = server.process.pid
    commands_to_unknown_sessions(server.port, token, 1_000_000, WARM_UP_REQUESTS, deadline)
    before_kb = rss_kb(pid)
    commands_to_unknown_sessions(server.port, token, 2_000_000, MEASURED_REQUESTS, deadline)
    after_kb = rss_kb(pid)
    growth_kb = after_kb - before_kb
    print(f"RSS {before_kb} KB -> {after_kb} KB over {MEASURED_REQUESTS} commands ({growth_kb:+} KB)")
    assert growth_kb <= COMMAND_RSS_SLACK_KB, f"RSS grew {growth_kb} KB"
