"""A fake DashScope service on 127.0.0.1 that speaks the real HTTP + SSE wire protocol.

The real `dashscope` SDK (and so the app, its CLI and its GUI) talks to it unchanged once
DASHSCOPE_HTTP_BASE_URL is set to `server.base_url`:

    with FakeDashScope() as server:
        monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", server.base_url)
        server.script_error(429, "Throttling.RateQuota", retry_after=1, endpoint="text")
        server.script_text("The answer is $\\boxed{4}$.", endpoint="text")
        ...  # run the code under test
        assert server.requests[-1].model == "qwen2.5-math-72b-instruct"

Each request takes the first scripted reply whose endpoint matches ("text",
"multimodal" or "any"); when none is left it gets the default reply: a successful
stream of `default_text[endpoint]` cut into `chunk_size`-character pieces.
Note that the SDK itself resends a request once when the connection drops before any
response byte arrives, so one `script_disconnect()` alone is invisible to callers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

from tests.fakes._http import (
    FakeHttpServer,
    Handler,
    abort,
    end_chunked,
    read_request,
    send_bytes,
    split_text,
    start_chunked,
    write_chunk,
)
from tests.fakes.dashscope_wire import (
    API_PREFIX,
    DEFAULT_TEXT,
    MESSAGES,
    PATHS,
    Disconnect,
    Endpoint,
    HttpError,
    Raw,
    RecordedRequest,
    Reply,
    Stream,
    Target,
    delays,
    format_seconds,
    honour_stop,
    request_id,
    sse_event,
)


class FakeDashScope(FakeHttpServer[RecordedRequest, tuple[Target, Reply]]):
    """The fake service: start it, script its replies, read what it received, stop it."""

    service = "DashScope"
    thread_name = "fake-dashscope"
    api_root = API_PREFIX  # base_url is what DASHSCOPE_HTTP_BASE_URL should be set to

    def __init__(
        self,
        *,
        api_key: str | None = None,
        models: Sequence[str] | None = None,
        chunk_size: int = 4,
        host: str = "127.0.0.1",
    ) -> None:
        """`api_key`: the only key accepted (None: any); `models`: known models (None: any)."""
        super().__init__(host)
        self.api_key = api_key
        self.models = set(models) if models is not None else None
        self.chunk_size = chunk_size
        self.default_text: dict[Endpoint, str] = dict(DEFAULT_TEXT)

    # -- scripting -----------------------------------------------------------------------

    def script_text(
        self,
        text: str | None = None,
        *,
        chunks: Sequence[str] | None = None,
        endpoint: Target = "any",
        delay: float | Sequence[float] = 0.0,
        headers_delay: float = 0.0,
        finish_reason: str = "stop",
    ) -> None:
        """A successful stream of `chunks` (or `text` cut into pieces).

        `delay`: seconds before each chunk (one number, or one per chunk); `headers_delay`:
        seconds before the status line; both end early when the server stops.
        """
        pieces = self._pieces(text, chunks, endpoint)
        self._add((endpoint, Stream(pieces, delays(delay), headers_delay, finish_reason)))

    def script_error(
        self,
        status: int,
        code: str,
        message: str | None = None,
        *,
        endpoint: Target = "any",
        retry_after: float | str | None = None,
        sse: bool = False,
    ) -> None:
        """An HTTP error reply: JSON `{"code","message","request_id"}` (an SSE error if `sse`)."""
        text = message if message is not None else MESSAGES.get(code, code)
        self._add((endpoint, HttpError(status, code, text, retry_after, sse)))

    def script_stream_error(
        self,
        code: str = "DataInspectionFailed",
        message: str | None = None,
        *,
        chunks: Sequence[str] = (),
        status: int = 400,
        endpoint: Target = "any",
        delay: float | Sequence[float] = 0.0,
    ) -> None:
        """A 200 stream that sends `chunks`, then an `event:error` (e.g. output inspection)."""
        text = message if message is not None else MESSAGES.get(code, code)
        reply = Stream(tuple(chunks), delays(delay), ending="error", error=(status, code, text))
        self._add((endpoint, reply))

    def script_drop_after(
        self,
        chunks: Sequence[str],
        *,
        endpoint: Target = "any",
        delay: float | Sequence[float] = 0.0,
    ) -> None:
        """A 200 stream that sends `chunks`, then closes the socket mid chunked body."""
        self._add((endpoint, Stream(tuple(chunks), delays(delay), ending="drop")))

    def script_stall(
        self,
        chunks: Sequence[str] = (),
        *,
        beat: Literal["comment", "empty"] = "comment",
        interval: float = 0.05,
        endpoint: Target = "any",
    ) -> None:
        """A 200 stream that sends `chunks`, then never ends: every `interval` s a keep-alive
        comment (`beat="comment"`) or an event with no new text (`beat="empty"`)."""
        data = b":keep-alive\n\n" if beat == "comment" else b""  # "empty": built per request
        reply = Stream(tuple(chunks), ending="stall", beat=data, beat_interval=interval)
        self._add((endpoint, reply))

    def script_disconnect(self, *, endpoint: Target = "any") -> None:
        """Read the request, then close the connection without any reply."""
        self._add((endpoint, Disconnect()))

    def script_raw(
        self,
        status: int,
        body: bytes | str,
        *,
        headers: dict[str, str] | None = None,
        endpoint: Target = "any",
    ) -> None:
        """Any reply at all (e.g. an HTML 502 from a proxy)."""
        data = body.encode() if isinstance(body, str) else body
        self._add((endpoint, Raw(status, data, tuple((headers or {}).items()))))

    # -- what was received -----------------------------------------------------------------

    def requests_to(self, endpoint: Endpoint) -> list[RecordedRequest]:
        """The requests received by one endpoint."""
        return [r for r in self.requests if r.endpoint == endpoint]

    # -- internals ---------------------------------------------------------------------------

    def _pieces(
        self, text: str | None, chunks: Sequence[str] | None, target: Target
    ) -> tuple[str, ...]:
        if chunks is not None:
            return tuple(chunks)
        if text is None:
            text = self.default_text["text" if target == "any" else target]
        return tuple(split_text(text, self.chunk_size))

    def _next(self, endpoint: Endpoint) -> Reply:
        scripted = self._take(lambda entry: entry[0] in (endpoint, "any"))
        if scripted is not None:
            return scripted[1]
        return Stream(tuple(split_text(self.default_text[endpoint], self.chunk_size)))

    def _handle(self, h: Handler) -> None:
        if h.command == "GET":  # answered without being recorded
            return self._send_json(h, 404, {"code": "InvalidURL", "message": "Not found."})
        method, path, headers, body = read_request(h)
        endpoint = PATHS.get(path.split("?", 1)[0])
        record = RecordedRequest(method, path, endpoint, headers, body)
        self._record(record)

        # Checked in the real service's order, before any scripted reply is used.
        if endpoint is None:
            return self._send_error(h, HttpError(404, "InvalidURL", MESSAGES["InvalidURL"]))
        if not isinstance(body, dict):
            return self._send_error(h, HttpError(400, "InvalidParameter", "Invalid JSON body."))
        key = record.api_key
        if not key or (self.api_key is not None and key != self.api_key):
            return self._send_error(h, HttpError(401, "InvalidApiKey", MESSAGES["InvalidApiKey"]))
        if not record.model:
            code = "BadRequest.EmptyModel"
            return self._send_error(h, HttpError(400, code, MESSAGES[code]))
        if self.models is not None and record.model not in self.models:
            return self._send_error(h, HttpError(404, "InvalidParameter", "Model not exist."))

        reply = self._next(endpoint)
        if isinstance(reply, Disconnect):
            abort(h)
        elif isinstance(reply, HttpError):
            self._send_error(h, reply)
        elif isinstance(reply, Raw):
            send_bytes(h, reply.status, reply.body, None, reply.headers)
        else:
            self._send_stream(h, record, endpoint, honour_stop(reply, record.stop))

    def _send_json(
        self, h: Handler, status: int, obj: dict[str, Any], extra: Sequence[tuple[str, str]] = ()
    ) -> None:
        data = json.dumps(obj, ensure_ascii=False).encode()
        headers = [("X-Request-Id", str(obj.get("request_id", ""))), *extra]
        send_bytes(h, status, data, "application/json;charset=UTF-8", headers)

    def _send_error(self, h: Handler, err: HttpError) -> None:
        rid = request_id()
        obj = {"code": err.code, "message": err.message, "request_id": rid}
        extra = []
        if err.retry_after is not None:
            extra.append(("Retry-After", format_seconds(err.retry_after)))
        if not err.sse:
            return self._send_json(h, err.status, obj, extra)
        data = sse_event(1, obj, event="error", status=err.status)
        headers = [("X-Request-Id", rid), *extra]
        send_bytes(h, err.status, data, "text/event-stream;charset=UTF-8", headers)

    def _payload(
        self,
        endpoint: Endpoint,
        record: RecordedRequest,
        content: str,
        finish: str,
        n: int,
        rid: str,
    ) -> dict[str, Any]:
        output: dict[str, Any]
        if endpoint == "multimodal":
            parts = [{"text": content}] if content else []
            message = {"role": "assistant", "content": parts}
            output = {"choices": [{"finish_reason": finish, "message": message}]}
        elif record.parameters.get("result_format") == "message":
            message = {"role": "assistant", "content": content}
            output = {"choices": [{"finish_reason": finish, "message": message}]}
        else:  # the legacy "text" result format: no choices at all
            output = {"text": content, "finish_reason": finish}
        prompt_tokens = max(1, len(json.dumps(record.messages)) // 4)
        total = prompt_tokens + n
        usage = {"input_tokens": prompt_tokens, "output_tokens": n, "total_tokens": total}
        return {"output": output, "usage": usage, "request_id": rid}

    def _send_stream(
        self, h: Handler, record: RecordedRequest, endpoint: Endpoint, s: Stream
    ) -> None:
        rid = request_id()
        if self._pause(s.headers_delay):
            return abort(h)
        full = "".join(s.chunks)
        if not record.wants_stream:  # a plain call: one JSON document
            if s.ending == "drop":
                return abort(h)
            if s.ending == "error":
                status, code, message = s.error
                return self._send_error(h, HttpError(status, code, message))
            payload = self._payload(endpoint, record, full, s.finish_reason, len(s.chunks), rid)
            return self._send_json(h, 200, payload)
        gateway = [("X-Request-Id", rid), ("X-DashScope-Call-Gateway", "true")]
        start_chunked(h, "text/event-stream;charset=UTF-8", gateway)
        incremental = record.incremental_output
        sent = ""
        last = len(s.chunks)
        # The text endpoint ends on its last piece; the multimodal one adds an empty last event.
        ends_on_piece = s.ending == "finish" and endpoint == "text" and last > 0
        for i, piece in enumerate(s.chunks, 1):
            pause = s.delay[min(i - 1, len(s.delay) - 1)] if isinstance(s.delay, tuple) else s.delay
            if self._pause(pause):
                return abort(h)
            sent += piece
            finish = s.finish_reason if ends_on_piece and i == last else "null"
            content = piece if incremental else sent
            write_chunk(h, sse_event(i, self._payload(endpoint, record, content, finish, i, rid)))
        if s.ending == "drop":
            return abort(h)
        if s.ending == "stall":
            empty = sse_event(last + 1, self._payload(endpoint, record, "", "null", last, rid))
            while not self._pause(s.beat_interval):  # until the client goes or stop() is called
                write_chunk(h, s.beat or empty)
            return abort(h)
        if s.ending == "error":
            status, code, message = s.error
            data = {"code": code, "message": message, "request_id": rid}
            write_chunk(h, sse_event(last + 1, data, event="error", status=status))
        elif not ends_on_piece:
            content = "" if incremental else sent
            data = self._payload(endpoint, record, content, s.finish_reason, last, rid)
            write_chunk(h, sse_event(last + 1, data))
        end_chunked(h)


__all__ = ["MESSAGES", "PATHS", "FakeDashScope", "RecordedRequest", "sse_event"]
