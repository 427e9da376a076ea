"""DashScope's wire shapes for the fake service: its paths, its error wording, what a request
carries, the replies a test can script, and the server-sent event framing."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from tests.fakes._http import bearer_key, cut_at_stop

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
class Stream:
    chunks: tuple[str, ...]
    delay: float | tuple[float, ...] = 0.0  # before each event; a tuple gives one per chunk
    headers_delay: float = 0.0
    finish_reason: str = "stop"
    ending: Literal["finish", "drop", "error", "stall"] = "finish"
    error: tuple[int, str, str] = (400, "", "")
    beat: bytes = b""  # what a stalled stream sends forever, `beat_interval` s apart
    beat_interval: float = 0.05


@dataclass(frozen=True)
class HttpError:
    status: int
    code: str
    message: str
    retry_after: float | str | None = None
    sse: bool = False


@dataclass(frozen=True)
class Disconnect:
    pass


@dataclass(frozen=True)
class Raw:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


Reply = Stream | HttpError | Disconnect | Raw


def sse_event(
    event_id: int, data: dict[str, Any], event: str = "result", status: int = 200
) -> bytes:
    """One server-sent event exactly as DashScope frames it (no space after the colons)."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"id:{event_id}\nevent:{event}\n:HTTP_STATUS/{status}\ndata:{payload}\n\n".encode()


def honour_stop(s: Stream, stop: list[str]) -> Stream:
    """The scripted stream cut before the first stop string, ending with finish_reason stop."""
    kept = cut_at_stop(s.chunks, stop) if s.ending == "finish" else None
    return s if kept is None else dataclasses.replace(s, chunks=tuple(kept), finish_reason="stop")


def delays(delay: float | Sequence[float]) -> float | tuple[float, ...]:
    return delay if isinstance(delay, int | float) else (tuple(delay) or (0.0,))


def request_id() -> str:
    return str(uuid.uuid4())


def format_seconds(value: float | str) -> str:
    if isinstance(value, str):
        return value
    return str(int(value)) if float(value).is_integer() else repr(float(value))
