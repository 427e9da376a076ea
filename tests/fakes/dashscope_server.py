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

import dataclasses
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from tests.fakes._http import (
    FakeHttpServer,
    Handler,
    abort,
    bearer_key,
    cut_at_stop,
    end_chunked,
    read_request,
    send_bytes,
    split_text,
    start_chunked,
    write_chunk,
)

Endpoint = Literal["text", "multimodal"]
Target = Literal["text", "multimodal", "any"]

API_PREFIX = "/api/v1"
PATHS: dict[str, Endpoint] = {
    f"{API_PREFIX}/services/aigc/text-generation/generation": "text",
    f"{API_PREFIX}/services/aigc/multimodal-generation/generation": "multimodal",
}

# The service's own wording for its error codes (Alibaba Cloud's status code table).
MESSAGES: dict[str, str] = {
    "InvalidApiKey": "Invalid API-key provided.",
    "InvalidParameter": "Required parameter(s) missing or invalid, please check the request "
    "parameters.",
    "DataInspectionFailed": "Input or output data may contain inappropriate content.",
    "Arrearage": "Access denied, plesase make sure your account is in good standing.",
    "AccessDenied": "Access denied.",
    "AccessDenied.Unpurchased": "Access to model denied. Please make sure you are eligible "
    "for using the model.",
    "Model.AccessDenied": "Model access denied.",
    "ModelNotFound": "Model not exist.",
    "Throttling": "Requests throttling triggered.",
    "Throttling.RateQuota": "Requests rate limit exceeded, please try again later.",
    "Throttling.AllocationQuota": "Allocated quota exceeded, please increase your quota limit.",
    "InternalError": "An internal error has occured, please try again later or contact "
    "service support.",
    "ServiceUnavailable": "Service unavailable, please try again later.",
    "RequestTimeOut": "Request timed out, please try again later.",
    "BadRequest.EmptyModel": 'Required parameter "model" missing from request.',
    "BadRequest.EmptyInput": "Required input parameter missing from request.",
    "InvalidURL": "Invalid URL provided in your request.",
}

DEFAULT_TEXT: dict[Endpoint, str] = {
    "multimodal": "Solve for $x$: $2x + 3 = 7$.",
    "text": "Subtract 3 from both sides: $2x = 4$, so $x = 2$.\n\n$\\boxed{2}$",
}


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake service received it."""

    method: str
    path: str
    endpoint: Endpoint | None
    headers: dict[str, str]  # names lower-cased
    body: Any  # the parsed JSON body, or None

    @property
    def model(self) -> str | None:
        """The `model` field of the body."""
        return self.body.get("model") if isinstance(self.body, dict) else None

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The `input.messages` list of the body."""
        if not isinstance(self.body, dict):
            return []
        return list((self.body.get("input") or {}).get("messages") or [])

    @property
    def parameters(self) -> dict[str, Any]:
        """The `parameters` object of the body."""
        if not isinstance(self.body, dict):
            return {}
        return dict(self.body.get("parameters") or {})

    @property
    def incremental_output(self) -> bool:
        """Whether the client asked for incremental (non-cumulative) stream chunks."""
        return self.parameters.get("incremental_output") is True

    @property
    def partial(self) -> bool:
        """Whether the last message is an assistant prefix to continue (DashScope partial mode)."""
        messages = self.messages
        return bool(messages) and messages[-1].get("partial") is True

    @property
    def stop(self) -> list[str]:
        """The `stop` strings the client sent (a string is one stop string)."""
        value = self.parameters.get("stop") or []
        return [value] if isinstance(value, str) else [str(v) for v in value]

    @property
    def api_key(self) -> str | None:
        """The key sent as `Authorization: Bearer <key>`, or None."""
        return bearer_key(self.headers)

    @property
    def wants_stream(self) -> bool:
        """Whether the client asked for server-sent events, as the SDK does with stream=True."""
        return self.headers.get(
            "x-dashscope-sse", ""
        ).lower() == "enable" or "text/event-stream" in self.headers.get("accept", "")

    def content_parts(self, key: str) -> list[str]:
        """Every `{key: value}` part of list-valued message contents (e.g. "image", "text")."""
        parts = []
        for message in self.messages:
            content = message.get("content")
            if isinstance(content, list):
                parts += [p[key] for p in content if isinstance(p, dict) and key in p]
        return parts


@dataclass(frozen=True)
class _Stream:
    chunks: tuple[str, ...]
    delay: float | tuple[float, ...] = 0.0  # before each event; a tuple gives one per chunk
    headers_delay: float = 0.0
    finish_reason: str = "stop"
    ending: Literal["finish", "drop", "error", "stall"] = "finish"
    error: tuple[int, str, str] = (400, "", "")
    beat: bytes = b""  # what a stalled stream sends forever, `beat_interval` s apart
    beat_interval: float = 0.05


@dataclass(frozen=True)
class _HttpError:
    status: int
    code: str
    message: str
    retry_after: float | str | None = None
    sse: bool = False


@dataclass(frozen=True)
class _Disconnect:
    pass


@dataclass(frozen=True)
class _Raw:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


_Reply = _Stream | _HttpError | _Disconnect | _Raw


def sse_event(
    event_id: int, data: dict[str, Any], event: str = "result", status: int = 200
) -> bytes:
    """One server-sent event exactly as DashScope frames it (no space after the colons)."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"id:{event_id}\nevent:{event}\n:HTTP_STATUS/{status}\ndata:{payload}\n\n".encode()


class FakeDashScope(FakeHttpServer[RecordedRequest, tuple[Target, _Reply]]):
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
        self._add((endpoint, _Stream(pieces, _delays(delay), headers_delay, finish_reason)))

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
        self._add((endpoint, _HttpError(status, code, text, retry_after, sse)))

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
        reply = _Stream(tuple(chunks), _delays(delay), ending="error", error=(status, code, text))
        self._add((endpoint, reply))

    def script_drop_after(
        self,
        chunks: Sequence[str],
        *,
        endpoint: Target = "any",
        delay: float | Sequence[float] = 0.0,
    ) -> None:
        """A 200 stream that sends `chunks`, then closes the socket mid chunked body."""
        self._add((endpoint, _Stream(tuple(chunks), _delays(delay), ending="drop")))

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
        reply = _Stream(tuple(chunks), ending="stall", beat=data, beat_interval=interval)
        self._add((endpoint, reply))

    def script_disconnect(self, *, endpoint: Target = "any") -> None:
        """Read the request, then close the connection without any reply."""
        self._add((endpoint, _Disconnect()))

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
        self._add((endpoint, _Raw(status, data, tuple((headers or {}).items()))))

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

    def _next(self, endpoint: Endpoint) -> _Reply:
        scripted = self._take(lambda entry: entry[0] in (endpoint, "any"))
        if scripted is not None:
            return scripted[1]
        return _Stream(tuple(split_text(self.default_text[endpoint], self.chunk_size)))

    def _handle(self, h: Handler) -> None:
        if h.command == "GET":  # answered without being recorded
            return self._send_json(h, 404, {"code": "InvalidURL", "message": "Not found."})
        method, path, headers, body = read_request(h)
        endpoint = PATHS.get(path.split("?", 1)[0])
        record = RecordedRequest(method, path, endpoint, headers, body)
        self._record(record)

        # Checked in the real service's order, before any scripted reply is used.
        if endpoint is None:
            return self._send_error(h, _HttpError(404, "InvalidURL", MESSAGES["InvalidURL"]))
        if not isinstance(body, dict):
            return self._send_error(h, _HttpError(400, "InvalidParameter", "Invalid JSON body."))
        key = record.api_key
        if not key or (self.api_key is not None and key != self.api_key):
            return self._send_error(h, _HttpError(401, "InvalidApiKey", MESSAGES["InvalidApiKey"]))
        if not record.model:
            code = "BadRequest.EmptyModel"
            return self._send_error(h, _HttpError(400, code, MESSAGES[code]))
        if self.models is not None and record.model not in self.models:
            return self._send_error(h, _HttpError(404, "InvalidParameter", "Model not exist."))

        reply = self._next(endpoint)
        if isinstance(reply, _Disconnect):
            abort(h)
        elif isinstance(reply, _HttpError):
            self._send_error(h, reply)
        elif isinstance(reply, _Raw):
            send_bytes(h, reply.status, reply.body, None, reply.headers)
        else:
            self._send_stream(h, record, endpoint, _honour_stop(reply, record.stop))

    def _send_json(
        self, h: Handler, status: int, obj: dict[str, Any], extra: Sequence[tuple[str, str]] = ()
    ) -> None:
        data = json.dumps(obj, ensure_ascii=False).encode()
        headers = [("X-Request-Id", str(obj.get("request_id", ""))), *extra]
        send_bytes(h, status, data, "application/json;charset=UTF-8", headers)

    def _send_error(self, h: Handler, err: _HttpError) -> None:
        rid = _request_id()
        obj = {"code": err.code, "message": err.message, "request_id": rid}
        extra = []
        if err.retry_after is not None:
            extra.append(("Retry-After", _format_seconds(err.retry_after)))
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
        self, h: Handler, record: RecordedRequest, endpoint: Endpoint, s: _Stream
    ) -> None:
        rid = _request_id()
        if self._pause(s.headers_delay):
            return abort(h)
        full = "".join(s.chunks)
        if not record.wants_stream:  # a plain call: one JSON document
            if s.ending == "drop":
                return abort(h)
            if s.ending == "error":
                status, code, message = s.error
                return self._send_error(h, _HttpError(status, code, message))
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


def _honour_stop(s: _Stream, stop: list[str]) -> _Stream:
    """The scripted stream cut before the first stop string, ending with finish_reason stop."""
    kept = cut_at_stop(s.chunks, stop) if s.ending == "finish" else None
    return s if kept is None else dataclasses.replace(s, chunks=tuple(kept), finish_reason="stop")


def _delays(delay: float | Sequence[float]) -> float | tuple[float, ...]:
    return delay if isinstance(delay, int | float) else (tuple(delay) or (0.0,))


def _request_id() -> str:
    return str(uuid.uuid4())


def _format_seconds(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else repr(float(value))


__all__ = ["MESSAGES", "PATHS", "FakeDashScope", "RecordedRequest", "sse_event"]
