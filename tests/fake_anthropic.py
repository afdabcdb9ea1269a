"""A real local fake of Anthropic's Messages API, for tests and benchmarks: `POST /v1/messages` on
127.0.0.1 (a free port), streamed as server-sent events or answered as JSON, in the API's own
wire format. The real SDK talks to it through `base_url`, so everything between our code and the
socket (the SDK's parsing, httpx2, time-outs, dropped connections) is exercised for real.

Script it with a queue of replies; when the queue is empty it answers with `default`:

    with FakeAnthropic() as fake:
        fake.script(HttpError(429, retry_after=7), TextReply(("Hel", "lo")))
        client = AsyncAnthropic(api_key="k", base_url=fake.base_url, max_retries=0)
        ...
        assert fake.requests[0].body["model"] == ...

Or from a shell, for a benchmark (prints the base URL, serves until interrupted):

    python -m tests.fake_anthropic --first-token-delay 0.8 --token-delay 0.02

It runs in `tests.local_server.LocalServer` (uvicorn in a thread with its own event loop), so it
keeps answering while a test's loop is blocked in an assertion or busy with 50 streams of its own.

Prompt caching is imitated so token accounting can be tested: the prefix up to each
`cache_control` breakpoint (tools, then system, then messages, as the API orders them) is
remembered; a request whose prefix was seen before reports it as `cache_read_input_tokens`, the
first one as `cache_creation_input_tokens`. Tokens are estimated as characters / 4 (the real
API's minimum cacheable length is not imitated).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import itertools
import json
import logging
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.local_server import LocalServer

# --------------------------------------------------------------------------- scripted replies


@dataclass(frozen=True, kw_only=True)
class Reply:
    """What every scripted reply may also do: wait `headers_delay_s` before the response starts
    (a server that does not answer in time: the client's time-out fires before any byte)."""

    headers_delay_s: float = 0.0


@dataclass(frozen=True)
class TextReply(Reply):
    """A streamed text reply: one text_delta per chunk, `first_token_delay_s` after message_start
    (the model thinking), `chunk_delay_s` between chunks."""

    chunks: Sequence[str] = ("Hello from the fake.",)
    first_token_delay_s: float = 0.0
    chunk_delay_s: float = 0.0
    stop_reason: str = "end_turn"


@dataclass(frozen=True)
class ToolUse(Reply):
    """A tool_use block, optionally after text. `input` is sent as JSON split into
    input_json_delta pieces; `raw_json`, when set, is sent instead, as it is (malformed JSON, a
    list, a truncated object: whatever the test needs)."""

    name: str
    input: dict[str, Any] = field(default_factory=dict)
    raw_json: str | None = None
    text: Sequence[str] = ()
    tool_id: str | None = None
    stop_reason: str = "tool_use"
    json_piece_chars: int = 12


@dataclass(frozen=True)
class HttpError(Reply):
    """An error response with the API's JSON error body and, when given, `retry-after` (seconds)
    and `retry-after-ms` headers."""

    status: int
    message: str | None = None
    error_type: str | None = None
    retry_after: float | None = None
    retry_after_ms: int | None = None


@dataclass(frozen=True)
class CutStream(Reply):
    """A text stream cut after `after` chunks, never reaching message_stop. `abort=True` drops the
    connection mid-body (the client sees an incomplete chunked body); `abort=False` ends the HTTP
    body cleanly, so only the missing message_stop tells the client the reply was cut."""

    chunks: Sequence[str] = ("One ", "two ", "three ", "four.")
    after: int = 2
    abort: bool = True
    chunk_delay_s: float = 0.0


@dataclass(frozen=True)
class StreamError(Reply):
    """An `event: error` after `after` text chunks, as the API sends when it fails mid-stream (the
    HTTP status is already 200, e.g. `overloaded_error`)."""

    chunks: Sequence[str] = ("One ", "two ", "three.")
    after: int = 0
    error_type: str = "overloaded_error"
    message: str = "Overloaded"


@dataclass(frozen=True)
class Echo(Reply):
    """Echoes the last user message word by word, after `first_token_delay_s`, one word every
    `token_delay_s`: the default reply, and the benchmark's model stand-in."""

    prefix: str = "Echo: "
    first_token_delay_s: float = 0.0
    token_delay_s: float = 0.0


ScriptedReply = TextReply | ToolUse | HttpError | CutStream | StreamError | Echo

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


# --------------------------------------------------------------------------- what was asked


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received it. Header names are lower case."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float

    @property
    def api_key(self) -> str | None:
        """The key, from `x-api-key` or `Authorization: Bearer` (the SDK sends the latter)."""
        if "x-api-key" in self.headers:
            return self.headers["x-api-key"]
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        return token if scheme.lower() == "bearer" and token else None

    @property
    def streamed(self) -> bool:
        return isinstance(self.body, dict) and self.body.get("stream") is True


@dataclass(frozen=True)
class Tokens:
    """A request's input as the API would bill it."""

    input: int
    cache_read: int
    cache_write: int


class _Dropped(Exception):
    """Raised inside a response body to drop the connection (uvicorn closes it mid-body)."""


class _QuietDrops(logging.Filter):
    """uvicorn logs every exception escaping the app; a scripted drop, or a stream cancelled
    because the fake stops, is not worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], _Dropped | asyncio.CancelledError))


# --------------------------------------------------------------------------- the server


class FakeAnthropic:
    """The fake Messages API. `start()` / `stop()`, or use it as a context manager.

    `api_key`: when set, requests with another key get the API's 401. `default`: the reply when
    the script is empty. `full_delta_usage`: message_delta carries the input and cache counts
    too (as the API does now) or only `output_tokens` (as it used to); clients must handle both.
    """

    def __init__(
        self,
        *,
        default: ScriptedReply | None = None,
        api_key: str | None = None,
        full_delta_usage: bool = False,
    ) -> None:
        self._options = (default or Echo(), api_key, full_delta_usage)
        self.default: ScriptedReply = self._options[0]
        self.api_key = api_key
        self.full_delta_usage = full_delta_usage
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._script: deque[ScriptedReply] = deque()
        self._requests: list[RecordedRequest] = []
        self._cached: set[str] = set()
        self._ids = itertools.count(1)
        self._server: LocalServer | None = None

    # ---- lifecycle

    def start(self) -> FakeAnthropic:
        """Bind a free port on 127.0.0.1 and serve from a background thread; returns when ready."""
        _install_log_filter()
        self._server = LocalServer(self._app(), name="fake-anthropic").start()
        return self

    def stop(self) -> None:
        """Stop serving; streams still open are cut."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """What to give the SDK as `base_url`."""
        assert self._server is not None, "start the fake first"
        return self._server.base_url

    # ---- scripting and assertions

    def script(self, *replies: ScriptedReply) -> None:
        """Queue replies, answered in order, one per request."""
        with self._lock:
            self._script.extend(replies)

    def reset(self) -> None:
        """Back to a fresh fake: no script, no requests, an empty cache, the constructor's options."""
        with self._lock:
            self._script.clear()
            self._requests.clear()
            self._cached.clear()
            self.default, self.api_key, self.full_delta_usage = self._options

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far, oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def pending(self) -> int:
        """Scripted replies not yet used."""
        with self._lock:
            return len(self._script)

    def wait_for_requests(self, count: int, timeout_s: float = 10.0) -> list[RecordedRequest]:
        """Block until `count` requests arrived (from a thread; async code: `await_requests`)."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self._requests) >= count, timeout_s):
                raise TimeoutError(f"{len(self._requests)} requests arrived, expected {count}")
            return list(self._requests)

    async def await_requests(self, count: int, timeout_s: float = 10.0) -> list[RecordedRequest]:
        """`wait_for_requests` without blocking the caller's event loop."""
        return await asyncio.to_thread(self.wait_for_requests, count, timeout_s)

    # ---- serving

    def _app(self) -> Starlette:
        return Starlette(
            routes=[Route("/v1/messages", self._messages, methods=["POST"])],
            exception_handlers={404: _not_found, 405: _not_found},
        )

    async def _messages(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        recorded = RecordedRequest(
            request.method, request.url.path, dict(request.headers), body, time.monotonic()
        )
        self._record(recorded)
        refusal = self._refusal(recorded)
        if refusal is not None:
            return refusal  # what the real API refuses uses up no scripted reply
        reply = self._next_reply()
        if reply.headers_delay_s:
            await asyncio.sleep(reply.headers_delay_s)
        if isinstance(reply, HttpError):
            return _error_response(reply)
        if isinstance(reply, Echo):
            reply = _echo(reply, body)
        tokens = self._tokens(body)
        message_id = f"msg_fake_{next(self._ids)}"
        headers = {"request-id": f"req_fake_{message_id[9:]}"}
        if recorded.streamed:
            events = _Stream(reply, body["model"], message_id, tokens, self.full_delta_usage).events()
            return StreamingResponse(events, media_type="text/event-stream", headers=headers)
        return _message_response(reply, body["model"], message_id, tokens, headers)

    def _record(self, request: RecordedRequest) -> None:
        with self._arrived:
            self._requests.append(request)
            self._arrived.notify_all()

    def _next_reply(self) -> ScriptedReply:
        with self._lock:
            return self._script.popleft() if self._script else self.default

    def _refusal(self, request: RecordedRequest) -> Response | None:
        """The API's own checks: the key, then the body's required fields."""
        if self.api_key is not None and request.api_key != self.api_key:
            return _error_response(HttpError(401, message="invalid x-api-key"))
        problem = _invalid(request.body)
        return None if problem is None else _error_response(HttpError(400, message=problem))

    def _tokens(self, body: dict[str, Any]) -> Tokens:
        """Bill the request, remembering its cache breakpoints (see the module docstring)."""
        blocks = _prompt_blocks(body)
        total = 0
        breakpoints: list[tuple[int, str]] = []
        digest = hashlib.sha256(str(body.get("model")).encode())
        for block in blocks:
            plain = {k: v for k, v in block.items() if k != "cache_control"}
            digest.update(json.dumps(plain, sort_keys=True).encode())
            total += _block_tokens(plain)
            if "cache_control" in block:
                breakpoints.append((total, digest.hexdigest()))
        if not breakpoints:
            return Tokens(input=total, cache_read=0, cache_write=0)
        with self._lock:
            hits = [upto for upto, key in breakpoints if key in self._cached]
            self._cached.update(key for _, key in breakpoints)
        read = max(hits, default=0)
        last = breakpoints[-1][0]
        return Tokens(input=total - last, cache_read=read, cache_write=last - read)


def _install_log_filter() -> None:
    uvicorn_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in uvicorn_log.filters):
        uvicorn_log.addFilter(_QuietDrops())


async def _not_found(request: Request, exc: Exception) -> Response:
    return _error_response(HttpError(404, message=f"{request.method} {request.url.path} not found"))


def _invalid(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "request body must be a JSON object"
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "model: Field required"
    if not isinstance(body.get("max_tokens"), int) or body["max_tokens"] < 1:
        return "max_tokens: Field required"
    if not isinstance(body.get("messages"), list) or not body["messages"]:
        return "messages: at least one message is required"
    return None


def _error_response(error: HttpError) -> JSONResponse:
    kind = error.error_type or ERROR_TYPES.get(error.status, "api_error")
    headers: dict[str, str] = {"request-id": "req_fake_error"}
    if error.retry_after is not None:
        headers["retry-after"] = f"{error.retry_after:g}"
    if error.retry_after_ms is not None:
        headers["retry-after-ms"] = str(error.retry_after_ms)
    body = {
        "type": "error",
        "error": {"type": kind, "message": error.message or kind.replace("_", " ")},
        "request_id": "req_fake_error",
    }
    return JSONResponse(body, status_code=error.status, headers=headers)


# --------------------------------------------------------------------------- tokens


def _prompt_blocks(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The prompt's blocks in the order the API caches them: tools, system, messages."""
    blocks: list[dict[str, Any]] = [t for t in body.get("tools") or [] if isinstance(t, dict)]
    system = body.get("system")
    if isinstance(system, str):
        blocks.append({"type": "text", "text": system})
    elif isinstance(system, list):
        blocks += [b for b in system if isinstance(b, dict)]
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            blocks.append({"type": "text", "text": content})
        elif isinstance(content, list):
            blocks += [b for b in content if isinstance(b, dict)]
    return blocks


def _block_tokens(block: dict[str, Any]) -> int:
    text = block["text"] if isinstance(block.get("text"), str) else json.dumps(block)
    return _tokens(text)


def _tokens(text: str) -> int:
    return (len(text) + 3) // 4


def _usage(tokens: Tokens, output: int) -> dict[str, int]:
    return {
        "input_tokens": tokens.input,
        "cache_creation_input_tokens": tokens.cache_write,
        "cache_read_input_tokens": tokens.cache_read,
        "output_tokens": output,
    }


# --------------------------------------------------------------------------- replies on the wire


def _echo(reply: Echo, body: dict[str, Any]) -> TextReply:
    words = f"{reply.prefix}{_last_user_text(body)}".split(" ")
    chunks = [w + " " for w in words[:-1]] + [words[-1]]
    return TextReply(
        chunks=tuple(c for c in chunks if c),
        first_token_delay_s=reply.first_token_delay_s,
        chunk_delay_s=reply.token_delay_s,
    )


def _last_user_text(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages") or []):
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            return " ".join(b["text"] for b in content if isinstance(b, dict) and b.get("type") == "text")
    return ""


def _tool_json(reply: ToolUse) -> str:
    return reply.raw_json if reply.raw_json is not None else json.dumps(reply.input)


def _tool_id(reply: ToolUse, message_id: str) -> str:
    return reply.tool_id or f"toolu_{message_id[4:]}"


def _sse(kind: str, data: dict[str, Any]) -> bytes:
    return f"event: {kind}\ndata: {json.dumps(data)}\n\n".encode()


class _Stream:
    """One streamed reply, event by event, in the order the API sends them."""

    def __init__(
        self,
        reply: TextReply | ToolUse | CutStream | StreamError,
        model: str,
        message_id: str,
        tokens: Tokens,
        full_delta_usage: bool,
    ) -> None:
        self.reply = reply
        self.model = model
        self.message_id = message_id
        self.tokens = tokens
        self.full_delta_usage = full_delta_usage
        self.output = 0

    async def events(self) -> AsyncIterator[bytes]:
        yield self._message_start()
        yield _sse("ping", {"type": "ping"})
        reply = self.reply
        if isinstance(reply, TextReply):
            async for chunk in self._text(0, reply.chunks, reply.first_token_delay_s, reply.chunk_delay_s):
                yield chunk
        elif isinstance(reply, ToolUse):
            async for chunk in self._tool(reply):
                yield chunk
        else:
            async for chunk in self._broken(reply):
                yield chunk
            return
        yield self._message_end(reply.stop_reason)
        yield _sse("message_stop", {"type": "message_stop"})

    async def _tool(self, reply: ToolUse) -> AsyncIterator[bytes]:
        index = 0
        if reply.text:
            async for chunk in self._text(0, reply.text, 0.0, 0.0):
                yield chunk
            index = 1
        block = {"type": "tool_use", "id": _tool_id(reply, self.message_id), "name": reply.name, "input": {}}
        yield _sse(
            "content_block_start", {"type": "content_block_start", "index": index, "content_block": block}
        )
        text = _tool_json(reply)
        pieces = [""] + [
            text[i : i + reply.json_piece_chars] for i in range(0, len(text), reply.json_piece_chars)
        ]
        for piece in pieces:
            delta = {"type": "input_json_delta", "partial_json": piece}
            yield _sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
        self.output += _tokens(text)
        yield _sse("content_block_stop", {"type": "content_block_stop", "index": index})

    async def _broken(self, reply: CutStream | StreamError) -> AsyncIterator[bytes]:
        delay = reply.chunk_delay_s if isinstance(reply, CutStream) else 0.0
        async for chunk in self._text(0, reply.chunks[: reply.after], 0.0, delay, stop=False):
            yield chunk
        if isinstance(reply, StreamError):
            error = {"type": reply.error_type, "message": reply.message}
            yield _sse("error", {"type": "error", "error": error})
        elif reply.abort:
            raise _Dropped

    async def _text(
        self, index: int, chunks: Sequence[str], first_delay: float, delay: float, *, stop: bool = True
    ) -> AsyncIterator[bytes]:
        block = {"type": "text", "text": ""}
        yield _sse(
            "content_block_start", {"type": "content_block_start", "index": index, "content_block": block}
        )
        for n, text in enumerate(chunks):
            pause = first_delay if n == 0 else delay
            if pause:
                await asyncio.sleep(pause)
            delta = {"type": "text_delta", "text": text}
            yield _sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
            self.output += 1
        if stop:
            yield _sse("content_block_stop", {"type": "content_block_stop", "index": index})

    def _message_start(self) -> bytes:
        message: dict[str, Any] = {
            "id": self.message_id,
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": _usage(self.tokens, 1),
        }
        return _sse("message_start", {"type": "message_start", "message": message})

    def _message_end(self, stop_reason: str) -> bytes:
        usage = _usage(self.tokens, self.output) if self.full_delta_usage else {"output_tokens": self.output}
        delta = {"stop_reason": stop_reason, "stop_sequence": None}
        return _sse("message_delta", {"type": "message_delta", "delta": delta, "usage": usage})


def _message_response(
    reply: TextReply | ToolUse | CutStream | StreamError,
    model: str,
    message_id: str,
    tokens: Tokens,
    headers: dict[str, str],
) -> Response:
    """The non-streaming answer: one Message object. A cut or failing script drops the body."""
    if isinstance(reply, CutStream | StreamError):
        return StreamingResponse(_half_then_drop(), media_type="application/json", headers=headers)
    content: list[dict[str, Any]] = []
    chunks = reply.chunks if isinstance(reply, TextReply) else reply.text
    if chunks:
        content.append({"type": "text", "text": "".join(chunks)})
    output = len(chunks)
    if isinstance(reply, ToolUse):
        text = _tool_json(reply)
        with contextlib.suppress(ValueError):
            text = json.loads(text)
        content.append(
            {"type": "tool_use", "id": _tool_id(reply, message_id), "name": reply.name, "input": text}
        )
        output += _tokens(_tool_json(reply))
    message = {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": reply.stop_reason,
        "stop_sequence": None,
        "usage": _usage(tokens, output),
    }
    return JSONResponse(message, headers=headers)


async def _half_then_drop() -> AsyncIterator[bytes]:
    yield b'{"id": "msg_fake", "type": "mess'
    raise _Dropped


# --------------------------------------------------------------------------- from a shell


@contextlib.contextmanager
def running(**options: Any) -> Iterator[FakeAnthropic]:
    """`with running(default=Echo(first_token_delay_s=0.5)) as fake:` — start, yield, stop."""
    fake = FakeAnthropic(**options)
    with fake:
        yield fake


def main(argv: Sequence[str] | None = None) -> None:
    """Serve an echoing fake until interrupted (for benchmarks): prints the base URL."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--first-token-delay", type=float, default=0.0, help="seconds before the first token")
    parser.add_argument("--token-delay", type=float, default=0.0, help="seconds between tokens")
    parser.add_argument("--api-key", default=None, help="refuse other keys with 401")
    args = parser.parse_args(argv)
    default = Echo(first_token_delay_s=args.first_token_delay, token_delay_s=args.token_delay)
    with running(default=default, api_key=args.api_key) as fake:
        print(fake.base_url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
