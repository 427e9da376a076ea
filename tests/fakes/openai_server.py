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

import json
import time
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

CHAT_PATH = "/v1/chat/completions"
MODELS_PATH = "/v1/models"
DEFAULT_TEXT = "Subtract 3 from both sides: $2x = 4$, so $x = 2$.\n\n$\\boxed{2}$"


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake server received it."""

    method: str
    path: str  # without the query string
    headers: dict[str, str]  # names lower-cased
    body: Any  # the parsed JSON body, or None

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
        return bearer_key(self.headers)


@dataclass(frozen=True)
class _Stream:
    chunks: tuple[str, ...]
    delay: float = 0.0  # before each chunk
    finish_reason: str = "stop"
    drop: bool = False  # cut the socket after the chunks, mid chunked body
    beat: bytes | None = None  # after the chunks, send this forever, `beat_interval` s apart
    beat_interval: float = 0.05


@dataclass(frozen=True)
class _Error:
    status: int
    message: str
    code: str | None = None
    retry_after: float | None = None


@dataclass(frozen=True)
class _Disconnect:
    pass


@dataclass(frozen=True)
class _Raw:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


_Reply = _Stream | _Error | _Disconnect | _Raw


class FakeOpenAI(FakeHttpServer[RecordedRequest, _Reply]):
    """The fake server: start it, script its replies, read what it received, stop it."""

    service = "OpenAI"
    thread_name = "fake-openai"
    api_root = "/v1"

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
        super().__init__(host)
        self.api_key = api_key
        self.models = list(models) if models is not None else None
        self.chunk_size = chunk_size
        self.latency = latency
        self.honour_stop = honour_stop
        self.default_text = DEFAULT_TEXT

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

    def script_stall(
        self,
        chunks: Sequence[str] = (),
        *,
        beat: Literal["comment", "empty"] = "comment",
        interval: float = 0.05,
    ) -> None:
        """A 200 stream that sends `chunks`, then never ends: every `interval` s a keep-alive
        comment (`beat="comment"`) or a chunk with no new text (`beat="empty"`)."""
        data = b": keep-alive\n\n" if beat == "comment" else b""  # "empty": built per request
        self._add(_Stream(tuple(chunks), beat=data, beat_interval=interval))

    def script_raw(
        self, status: int, body: bytes | str, *, headers: dict[str, str] | None = None
    ) -> None:
        """Any reply at all (an HTML login page, a redirect, a proxy's error page)."""
        data = body.encode() if isinstance(body, str) else body
        self._add(_Raw(status, data, tuple((headers or {}).items())))

    def script_disconnect(self) -> None:
        """Read the request, then close the connection without any reply."""
        self._add(_Disconnect())

    def chat_requests(self) -> list[RecordedRequest]:
        """The chat completion requests only."""
        return [r for r in self.requests if r.path == CHAT_PATH]

    # -- internals -------------------------------------------------------------------------

    def _pieces(self, text: str | None, chunks: Sequence[str] | None) -> tuple[str, ...]:
        if chunks is not None:
            return tuple(chunks)
        return tuple(split_text(self.default_text if text is None else text, self.chunk_size))

    def _handle(self, h: Handler) -> None:
        method, path, headers, body = read_request(h)
        path = path.split("?", 1)[0]
        record = RecordedRequest(method, path, headers, body)
        self._record(record)
        if self._pause(self.latency):
            return abort(h)
        # Checked in a real server's order, before any scripted reply is used.
        if self.api_key is not None and record.api_key != self.api_key:
            return _send_error(h, _Error(401, "Incorrect API key provided.", "invalid_api_key"))
        if method == "GET" and path == MODELS_PATH:
            models = self.models if self.models is not None else ["fake-model"]
            data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in models]
            return _send_json(h, 200, {"object": "list", "data": data})
        if method != "POST" or path != CHAT_PATH:
            return _send_error(h, _Error(404, f"Not found: {path}"))
        if not isinstance(body, dict) or not record.model:
            return _send_error(h, _Error(400, "The request body is not a chat completion."))
        if self.models is not None and record.model not in self.models:
            message = f"The model `{record.model}` does not exist."
            return _send_error(h, _Error(404, message, "model_not_found"))
        reply = self._take()
        if reply is None:
            reply = _Stream(self._pieces(None, None))
        if isinstance(reply, _Disconnect):
            abort(h)
        elif isinstance(reply, _Raw):
            send_bytes(h, reply.status, reply.body, None, reply.headers)
        elif isinstance(reply, _Error):
            _send_error(h, reply)
        else:
            self._send_stream(h, record, reply)

    def _send_stream(self, h: Handler, record: RecordedRequest, s: _Stream) -> None:
        # Like vLLM: the text before the first stop string, which is not sent.
        kept = cut_at_stop(s.chunks, record.stop) if self.honour_stop else None
        chunks, finish = (list(s.chunks), s.finish_reason) if kept is None else (kept, "stop")
        start_chunked(h, "text/event-stream; charset=utf-8")
        cid, model = f"chatcmpl-{uuid.uuid4().hex}", record.model
        role_sent = False
        for piece in chunks:
            if self._pause(s.delay):
                return abort(h)
            delta = {"content": piece} if role_sent else {"role": "assistant", "content": piece}
            role_sent = True
            _write_event(h, _chunk(cid, model, delta, None))
        if s.drop:
            return abort(h)
        if s.beat is not None:
            empty = b"data: " + json.dumps(_chunk(cid, model, {"content": ""}, None)).encode()
            while not self._pause(s.beat_interval):  # until the client goes or stop() is called
                write_chunk(h, s.beat or empty + b"\n\n")
            return abort(h)
        _write_event(h, _chunk(cid, model, {}, finish))
        write_chunk(h, b"data: [DONE]\n\n")
        end_chunked(h)


def _chunk(cid: str, model: Any, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [choice],
    }


def _write_event(h: Handler, data: dict[str, Any]) -> None:
    write_chunk(h, b"data: " + json.dumps(data, ensure_ascii=False).encode() + b"\n\n")


def _send_json(h: Handler, status: int, obj: Any, extra: Sequence[tuple[str, str]] = ()) -> None:
    send_bytes(h, status, json.dumps(obj).encode(), "application/json", extra)


def _send_error(h: Handler, err: _Error) -> None:
    kind = "invalid_request_error" if err.status < 500 else "server_error"
    body = {"error": {"message": err.message, "type": kind, "param": None, "code": err.code}}
    extra = [] if err.retry_after is None else [("Retry-After", f"{err.retry_after:g}")]
    _send_json(h, err.status, body, extra)


__all__ = ["CHAT_PATH", "DEFAULT_TEXT", "MODELS_PATH", "FakeOpenAI", "RecordedRequest"]
