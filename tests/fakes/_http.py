"""The plumbing shared by the fake HTTP services on 127.0.0.1 (fake DashScope, fake OpenAI).

A fake subclasses FakeHttpServer and implements `_handle(h)`: it reads the request with
read_request(), records it with `_record()`, takes a scripted reply with `_take()` and
answers on `h` with the byte helpers below. The base owns everything else: a free port,
the serving thread, one daemon thread per connection (all joined by stop()), the open
connections (cut by stop()), the recorded requests, the script and `_pause()`, a sleep
that stop() ends early.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Generic, NamedTuple, Self, TypeVar

RecordT = TypeVar("RecordT")  # the fake's RecordedRequest
ReplyT = TypeVar("ReplyT")  # one entry of the fake's script


class Incoming(NamedTuple):
    """A request as read off the socket."""

    method: str
    path: str  # as sent, query string included
    headers: dict[str, str]  # names lower-cased
    body: Any  # the parsed JSON body, or None


class Handler(BaseHTTPRequestHandler):
    """Hands every GET and POST to the fake's `_handle`."""

    protocol_version = "HTTP/1.1"  # keep-alive and chunked bodies, as the real services
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
    daemon_threads = True  # a fake a test forgot to stop never blocks the interpreter's exit

    def __init__(self, fake: FakeHttpServer[Any, Any], host: str) -> None:
        self.fake = fake
        self.handler_threads: list[threading.Thread] = []  # joined by stop(), daemon or not
        super().__init__((host, 0), Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"{self.fake.thread_name}-connection",
            daemon=True,
        )
        self.handler_threads = [t for t in self.handler_threads if t.is_alive()] + [thread]
        thread.start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # dropped connections are part of the script, not failures


class FakeHttpServer(Generic[RecordT, ReplyT]):
    """Start it, script its replies, read what it received, stop it."""

    service = "HTTP"  # as in "the fake HTTP server is not running"
    thread_name = "fake-http"
    api_root = ""  # the path base_url ends with

    def __init__(self, host: str) -> None:
        self._host = host
        self._lock = threading.Lock()
        self._script: list[ReplyT] = []
        self._requests: list[RecordT] = []
        self._conns: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> Self:
        """Listen on a free port and serve in a daemon thread."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _Server(self, self._host)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=self.thread_name,
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
            shutdown_socket(conn)
        for handler in httpd.handler_threads:  # no new ones: serve_forever has returned
            handler.join(5)
        httpd.server_close()
        thread.join(5)
        self._httpd = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port it listens on."""
        if self._httpd is None:
            raise RuntimeError(f"the fake {self.service} server is not running")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """The API root to give the client, e.g. http://127.0.0.1:PORT/v1."""
        return f"http://{self._host}:{self.port}{self.api_root}"

    @property
    def requests(self) -> list[RecordT]:
        """Every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    # -- for the fakes -----------------------------------------------------------------

    def _handle(self, h: Handler) -> None:
        """Answer one request; an OSError means the connection is gone."""
        raise NotImplementedError

    def _record(self, record: RecordT) -> None:
        with self._lock:
            self._requests.append(record)

    def _add(self, reply: ReplyT) -> None:
        with self._lock:
            self._script.append(reply)

    def _take(self, wanted: Callable[[ReplyT], bool] = lambda _: True) -> ReplyT | None:
        """Remove and return the first scripted reply that is `wanted`, if any."""
        with self._lock:
            for i, reply in enumerate(self._script):
                if wanted(reply):
                    return self._script.pop(i)
        return None

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if not add:
                self._conns.discard(conn)
                return
            self._conns.add(conn)
            if self._stopping.is_set():
                shutdown_socket(conn)

    def _pause(self, seconds: float) -> bool:
        """Sleep, unless stop() is called; True when stopping."""
        return self._stopping.wait(seconds) if seconds > 0 else self._stopping.is_set()


# -- reading and writing -------------------------------------------------------------------


def read_request(h: Handler) -> Incoming:
    """The request line, headers and JSON body (None when absent or not JSON)."""
    length = int(h.headers.get("Content-Length") or 0)
    raw = h.rfile.read(length) if length else b""
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    headers = {k.lower(): v for k, v in h.headers.items()}
    return Incoming(h.command, h.path, headers, body)


def bearer_key(headers: dict[str, str]) -> str | None:
    """The key sent as `Authorization: Bearer <key>` (headers lower-cased), or None."""
    auth = headers.get("authorization", "")
    return auth[len("Bearer ") :] if auth.startswith("Bearer ") else None


def send_bytes(
    h: Handler,
    status: int,
    data: bytes,
    content_type: str | None = None,
    headers: Sequence[tuple[str, str]] = (),
) -> None:
    """A whole response: status line, Content-Type, Content-Length, `headers`, `data`."""
    h.send_response(status)
    if content_type is not None:
        h.send_header("Content-Type", content_type)
    h.send_header("Content-Length", str(len(data)))
    for name, value in headers:
        h.send_header(name, value)
    h.end_headers()
    h.wfile.write(data)


def start_chunked(h: Handler, content_type: str, headers: Sequence[tuple[str, str]] = ()) -> None:
    """The status line and headers of a 200 whose body follows with write_chunk()."""
    h.send_response(200)
    h.send_header("Content-Type", content_type)
    h.send_header("Transfer-Encoding", "chunked")
    for name, value in headers:
        h.send_header(name, value)
    h.end_headers()


def write_chunk(h: Handler, data: bytes) -> None:
    """One chunk of a chunked body."""
    h.wfile.write(b"%X\r\n%s\r\n" % (len(data), data))
    h.wfile.flush()


def end_chunked(h: Handler) -> None:
    """The last (empty) chunk: the body is complete."""
    h.wfile.write(b"0\r\n\r\n")
    h.wfile.flush()


def abort(h: Handler) -> None:
    """Close the connection abruptly: no reply, or a chunked body that never ends."""
    h.close_connection = True
    shutdown_socket(h.connection)


def shutdown_socket(conn: socket.socket) -> None:
    """Shut both directions of `conn`; nothing if it is already closed."""
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)


# -- text ------------------------------------------------------------------------------------


def split_text(text: str, size: int) -> list[str]:
    """`text` cut into pieces of at most `size` (at least 1) characters."""
    size = max(1, size)
    return [text[i : i + size] for i in range(0, len(text), size)]


def cut_at_stop(chunks: Sequence[str], stop: Sequence[str]) -> list[str] | None:
    """The chunks up to (not including) the first stop string, chunking kept; None if none."""
    text = "".join(chunks)
    hits = [i for i in (text.find(word) for word in stop if word) if i >= 0]
    if not hits:
        return None
    end, used = min(hits), 0
    kept: list[str] = []
    for piece in chunks:
        if used >= end:
            break
        kept.append(piece[: end - used])
        used += len(piece)
    return kept
