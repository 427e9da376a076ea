"""A fake OpenAI-compatible server (vLLM, Ollama, DashScope compatible mode) on 127.0.0.1.

The real `openai` SDK talks to it unchanged with `base_url=server.base_url`:

    with FakeOpenAI(models=["qwen2.5-math-72b-instruct"]) as server:
        server.script_error(429, "Too many requests.", retry_after=1)
        server.script_text("So $x = 2$, and $\\boxed{2}$.")
        ...  # run the code under test against server.base_url
        assert server.requests[-1].stop == ["```output"]

Each chat request takes the first scripted reply left; when none is left it streams
`default_text`. Like vLLM it honours `stop` (the stop string is not sent) and answers an
unknown model with 404 `model_not_found`. `latency` delays every reply's headers, so
concurrent requests can be told apart from sequential ones.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

CHAT_PATH = "/v1/chat/completions"
MODELS_PATH = "/v1/models"
DEFAULT_TEXT = "Subtract 3 from both sides: $2x = 4$, so $x = 2$.\n\n$\\boxed{2}$"


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake server received it."""

    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: Any  # the parsed JSON body, or None
    received_at: float  # time.monotonic()

    def field(self, name: str) -> Any:
        """A top-level body field (extra_body fields land here too), or None."""
        return self.body.get(name) if isinstance(self.body, dict) else None

    @property
    def model(self) -> str | None:
        """The `model` field."""
        return self.field("model")

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The `messages` list."""
        return list(self.field("messages") or [])

    @property
    def stop(self) -> list[str]:
        """The stop strings, always as a list."""
        stop = self.field("stop")
        return [stop] if isinstance(stop, str) else list(stop or [])

    @property
    def api_key(self) -> str | None:
        """The key sent as `Authorization: Bearer <key>`, or None."""
        auth = self.headers.get("authorization", "")
        return auth[len("Bearer ") :] if auth.startswith("Bearer ") else None


@dataclass(frozen=True)
class _Stream:
    chunks: tuple[str, ...]
    delay: float = 0.0  # before each chunk
    finish_reason: str = "stop"
    drop: bool = False  # cut the socket after the chunks, mid chunked body


@dataclass(frozen=True)
class _Error:
    status: int
    message: str
    code: str | None = None
    retry_after: float | None = None


@dataclass(frozen=True)
class _Disconnect:
    pass


_Reply = _Stream | _Error | _Disconnect


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        try:
            self.server.fake._handle(self)
        except OSError:  # the client went away (cancel) or stop() cut the socket
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # tracked, so server_close() joins every connection thread
    block_on_close = True

    def __init__(self, fake: FakeOpenAI, host: str) -> None:
        self.fake = fake
        super().__init__((host, 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # dropped connections are part of the script, not failures


class FakeOpenAI:
    """The fake server: start it, script its replies, read what it received, stop it."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        models: Sequence[str] | None = None,
        chunk_size: int = 4,
        latency: float = 0.0,
        honour_stop: bool = True,
        host: str = "127.0.0.1",
    ) -> None:
        """`api_key`: the only key accepted (None: any or none); `models`: served (None: any)."""
        self.api_key = api_key
        self.models = list(models) if models is not None else None
        self.chunk_size = chunk_size
        self.latency = latency
        self.honour_stop = honour_stop
        self.default_text = DEFAULT_TEXT
        self._host = host
        self._lock = threading.Condition()
        self._script: list[_Reply] = []
        self._requests: list[RecordedRequest] = []
        self._conns: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeOpenAI:
        """Listen on a free port and serve in a daemon thread."""
        if self._httpd is None:
            self._stopping.clear()
            self._httpd = _Server(self, self._host)
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="fake-openai",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut every open connection and join every thread."""
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        self._stopping.set()  # wakes scripted delays
        httpd.shutdown()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            _shutdown(conn)
        httpd.server_close()
        thread.join(5)
        self._httpd = self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The API root to give the SDK, e.g. http://127.0.0.1:PORT/v1."""
        if self._httpd is None:
            raise RuntimeError("the fake OpenAI server is not running")
        return f"http://{self._host}:{self._httpd.server_address[1]}/v1"

    # -- scripting -------------------------------------------------------------------------

    def script_text(
        self,
        text: str | None = None,
        *,
        chunks: Sequence[str] | None = None,
        delay: float = 0.0,
        finish_reason: str = "stop",
    ) -> None:
        """A successful stream of `chunks` (or `text` cut into pieces), `delay` s apart."""
        self._add(_Stream(self._pieces(text, chunks), delay, finish_reason))

    def script_error(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """An HTTP error with OpenAI's body `{"error": {"message", "type", "code"}}`."""
        self._add(_Error(status, message, code, retry_after))

    def script_drop_after(self, chunks: Sequence[str], *, delay: float = 0.0) -> None:
        """A 200 stream that sends `chunks`, then cuts the connection mid body."""
        self._add(_Stream(tuple(chunks), delay, drop=True))

    def script_disconnect(self) -> None:
        """Read the request, then close the connection without any reply."""
        self._add(_Disconnect())

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def chat_requests(self) -> list[RecordedRequest]:
        """The chat completion requests only."""
        return [r for r in self.requests if r.path == CHAT_PATH]

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until at least `count` requests arrived; raise TimeoutError otherwise."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._requests) >= count, timeout):
                raise TimeoutError(f"{len(self._requests)} of {count} requests arrived")
            return list(self._requests)

    # -- internals -------------------------------------------------------------------------

    def _pieces(self, text: str | None, chunks: Sequence[str] | None) -> tuple[str, ...]:
        if chunks is not None:
            return tuple(chunks)
        text = self.default_text if text is None else text
        size = max(1, self.chunk_size)
        return tuple(text[i : i + size] for i in range(0, len(text), size))

    def _add(self, reply: _Reply) -> None:
        with self._lock:
            self._script.append(reply)

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if not add:
                self._conns.discard(conn)
                return
            self._conns.add(conn)
            if self._stopping.is_set():
                _shutdown(conn)

    def _pause(self, seconds: float) -> bool:
        """Sleep unless stop() is called; True when stopping."""
        return self._stopping.wait(seconds) if seconds > 0 else self._stopping.is_set()

    def _handle(self, h: _Handler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        headers = {k.lower(): v for k, v in h.headers.items()}
        path = h.path.split("?", 1)[0]
        record = RecordedRequest(h.command, path, headers, body, time.monotonic())
        with self._lock:
            self._requests.append(record)
            self._lock.notify_all()
        if self._pause(self.latency):
            return _abort(h)
        # Checked in a real server's order, before any scripted reply is used.
        if self.api_key is not None and record.api_key != self.api_key:
            return _send_error(h, _Error(401, "Incorrect API key provided.", "invalid_api_key"))
        if h.command == "GET" and path == MODELS_PATH:
            models = self.models if self.models is not None else ["fake-model"]
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in models]
            return _send_json(h, 200, {"object": "list", "data": data})
        if h.command != "POST" or path != CHAT_PATH:
            return _send_error(h, _Error(404, f"Not found: {path}"))
        if not isinstance(body, dict) or not record.model:
            return _send_error(h, _Error(400, "The request body is not a chat completion."))
        if self.models is not None and record.model not in self.models:
            message = f"The model `{record.model}` does not exist."
            return _send_error(h, _Error(404, message, "model_not_found"))
        with self._lock:
            reply = self._script.pop(0) if self._script else _Stream(self._pieces(None, None))
        if isinstance(reply, _Disconnect):
            _abort(h)
        elif isinstance(reply, _Error):
            _send_error(h, reply)
        else:
            self._send_stream(h, record, reply)

    def _send_stream(self, h: _Handler, record: RecordedRequest, s: _Stream) -> None:
        chunks, finish = list(s.chunks), s.finish_reason
        if self.honour_stop and record.stop:
            chunks, finish = _cut_at_stop(chunks, record.stop, finish)
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream; charset=utf-8")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        cid, model = f"chatcmpl-{uuid.uuid4().hex}", record.model
        role_sent = False
        for piece in chunks:
            if self._pause(s.delay):
                return _abort(h)
            delta = {"content": piece} if role_sent else {"role": "assistant", "content": piece}
            role_sent = True
            _write_event(h, _chunk(cid, model, delta, None))
        if s.drop:
            return _abort(h)
        _write_event(h, _chunk(cid, model, {}, finish))
        _write_chunk(h, b"data: [DONE]\n\n")
        h.wfile.write(b"0\r\n\r\n")
        h.wfile.flush()


def _cut_at_stop(chunks: list[str], stop: list[str], finish: str) -> tuple[list[str], str]:
    """The chunks up to (not including) the first stop string, as vLLM sends them."""
    text = "".join(chunks)
    hits = [i for i in (text.find(s) for s in stop if s) if i >= 0]
    if not hits:
        return chunks, finish
    end, out, used = min(hits), [], 0
    for piece in chunks:
        if used >= end:
            break
        out.append(piece[: end - used])
        used += len(piece)
    return out, "stop"


def _chunk(cid: str, model: Any, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [choice],
    }


def _write_event(h: _Handler, data: dict[str, Any]) -> None:
    _write_chunk(h, b"data: " + json.dumps(data, ensure_ascii=False).encode() + b"\n\n")


def _write_chunk(h: _Handler, data: bytes) -> None:
    h.wfile.write(b"%X\r\n%s\r\n" % (len(data), data))
    h.wfile.flush()


def _send_json(h: _Handler, status: int, obj: Any, extra: Sequence[tuple[str, str]] = ()) -> None:
    data = json.dumps(obj).encode()
    h.send_response(status)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(data)))
    for name, value in extra:
        h.send_header(name, value)
    h.end_headers()
    h.wfile.write(data)


def _send_error(h: _Handler, err: _Error) -> None:
    kind = "invalid_request_error" if err.status < 500 else "server_error"
    body = {"error": {"message": err.message, "type": kind, "param": None, "code": err.code}}
    extra = [] if err.retry_after is None else [("Retry-After", f"{err.retry_after:g}")]
    _send_json(h, err.status, body, extra)


def _abort(h: _Handler) -> None:
    """Close the connection abruptly: no reply, or a chunked body that never ends."""
    h.close_connection = True
    _shutdown(h.connection)


def _shutdown(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        conn.shutdown(socket.SHUT_RDWR)


__all__ = ["CHAT_PATH", "DEFAULT_TEXT", "MODELS_PATH", "FakeOpenAI", "RecordedRequest"]
