"""DashScope cloud backend: Qwen-VL reads the image, Qwen2.5-Math solves, both streamed."""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

from desktop_app.core.backends.base import ChatMessage, RetryNotice, Sampling, png_data_url
from desktop_app.core.backends.cancel_watch import StreamLimits, StreamWatch
from desktop_app.core.backends.retry import RetryLater, RetryPolicy, parse_retry_after
from desktop_app.core.backends.sse_guard import (
    MAX_EVENT_BYTES,
    PORTAL_HINT,
    READ_BYTES,
    OversizedEvent,
    content_type,
    not_like,
    redirect_target,
    size_text,
    split_lines,
)
from desktop_app.core.backends.stop_strings import cut_at_stop
from desktop_app.core.errors import (
    AppError,
    BackendError,
    ConfigError,
    MissingKeyError,
    StreamInterrupted,
    one_line,
    raise_if_cancelled,
)
from desktop_app.core.secrets import MISSING_KEY
from desktop_app.core.settings import CloudSettings

BASE_URLS = {
    "beijing": "https://dashscope.aliyuncs.com/api/v1",
    "international": "https://dashscope-intl.aliyuncs.com/api/v1",
}
BASE_URL_ENV = "DASHSCOPE_HTTP_BASE_URL"
DEFAULT_READER_MODEL = CloudSettings.reader_model  # the settings' defaults are the one source
DEFAULT_SOLVER_MODEL = CloudSettings.solver_model
_RETRY_STATUSES = frozenset({500, 502, 503, 504})
_RETRY_CODES = frozenset({"InternalError", "ServiceUnavailable", "RequestTimeOut"})
# What a 200 reply to a streamed call may be: the event stream, or JSON the SDK reads whole.
_ANSWER_TYPES = ("text/event-stream", "application/json")


class DashScopeBackend:
    """Reader and solver on Alibaba DashScope; the key goes with each call, never into globals."""

    def __init__(
        self,
        *,
        api_key: str,
        region: str = "beijing",
        reader_model: str = DEFAULT_READER_MODEL,
        solver_model: str = DEFAULT_SOLVER_MODEL,
        request_timeout: float = 120.0,
        max_retries: int = 3,
        retry_base_delay: float = 1.0,
        retry_max_delay: float = 30.0,
        on_retry: RetryNotice | None = None,
        sleep: Callable[[float], None] | None = None,
        limits: StreamLimits | None = None,
        max_event_bytes: int = MAX_EVENT_BYTES,
    ) -> None:
        """`sleep` replaces the backoff wait (tests); by default the wait ends on cancel.

        `limits` bound how long a reply may stall or last; `max_event_bytes` what one event
        of the stream may hold.
        """
        if region not in BASE_URLS:
            raise ConfigError(f"Unknown DashScope region {region!r}: use beijing or international.")
        self._api_key = api_key
        self.region = region
        self.reader_model = reader_model
        self.solver_model = solver_model
        self.request_timeout = request_timeout
        self.limits = limits or StreamLimits()
        self.max_event_bytes = max_event_bytes
        self._retry = RetryPolicy(max_retries, retry_base_delay, retry_max_delay, on_retry, sleep)

    def __repr__(self) -> str:
        """A repr without the key, so logging the backend never leaks it."""
        return (
            f"DashScopeBackend(region={self.region!r}, reader_model={self.reader_model!r}, "
            f"solver_model={self.solver_model!r})"
        )

    @property
    def base_url(self) -> str:
        """DASHSCOPE_HTTP_BASE_URL when set (read at each call), else the region's API root."""
        return os.environ.get(BASE_URL_ENV, "").strip() or BASE_URLS[self.region]

    def read(self, image_png: bytes, prompt: str, cancel: threading.Event) -> Iterator[str]:
        """Yield the reader model's transcription of a PNG image as it streams."""
        image = png_data_url(image_png)
        messages = [{"role": "user", "content": [{"image": image}, {"text": prompt}]}]
        yield from self._stream("multimodal", self.reader_model, messages, cancel)

    def solve(
        self,
        messages: list[ChatMessage],
        cancel: threading.Event,
        *,
        stop: Sequence[str] = (),
        sampling: Sampling | None = None,
    ) -> Iterator[str]:
        """Yield the solver model's reply as it streams; a last assistant turn is continued.

        Continuation uses DashScope's partial mode (`"partial": true` on that message); `stop`
        goes to the service and is also enforced here, in case a model ignores it. With
        `sampling`, its temperature and top_p go with the request (else the service's own).
        """
        plain: list[dict[str, Any]] = [
            {"role": m["role"], "content": m["content"]} for m in messages
        ]
        if plain and plain[-1]["role"] == "assistant":
            plain[-1]["partial"] = True
        extra: dict[str, Any] = {"stop": list(stop)} if stop else {}
        if sampling is not None:
            extra.update(temperature=sampling.temperature, top_p=sampling.top_p)
        deltas = self._stream("text", self.solver_model, plain, cancel, **extra)
        try:
            yield from cut_at_stop(deltas, stop)
        finally:
            deltas.close()  # a stop string found early: release the connection now

    def _stream(
        self, kind: str, model: str, messages: list[Any], cancel: threading.Event, **params: Any
    ) -> Generator[str, None, None]:
        """Run a call, retrying throttling, server and network failures before the first token."""
        if not self._api_key:
            raise MissingKeyError(MISSING_KEY)
        yield from self._retry.stream(
            lambda: self._attempt(kind, model, messages, cancel, **params), cancel
        )

    def _attempt(
        self, kind: str, model: str, messages: list[Any], cancel: threading.Event, **params: Any
    ) -> Iterator[str]:
        """One request; raises RetryLater only for a retryable failure before the first token."""
        import requests

        sdk: Any = importlib.import_module("dashscope")  # lazy: the SDK takes seconds to import
        api = sdk.Generation if kind == "text" else sdk.MultiModalConversation
        extra = {"result_format": "message", **params} if kind == "text" else dict(params)
        # The SDK never hands out its requests.Response; our own session's hook sees it first:
        # it refuses redirects and replies that are not DashScope's, gives the SDK a bounded
        # line reader, and keeps the response so a cancel or a stall can cut its socket.
        responses: list[Any] = []
        session = requests.Session()
        cut = functools.partial(_shut_sockets, responses)
        watch = StreamWatch(cancel, cut, "dashscope-watch", self.limits)
        session.hooks["response"].append(functools.partial(self._on_response, responses, watch))
        with watch:
            started = answered = False
            stream: Any = None
            try:
                # base_address per call: the SDK's module global is read once, at its import.
                stream = api.call(
                    model=model,
                    messages=messages,
                    api_key=self._api_key,
                    stream=True,
                    incremental_output=True,
                    base_address=self.base_url,
                    request_timeout=self.request_timeout,
                    session=session,
                    **extra,
                )
                for rsp in stream:
                    raise_if_cancelled(cancel)
                    if rsp.status_code != 200:
                        raise self._error(rsp, model, started)
                    answered = answered or rsp.output is not None
                    delta = _delta(rsp.output)
                    if delta:
                        started = True
                        watch.progress()
                        yield delta
                        watch.progress()  # the consumer's time is not the server's stall
                raise_if_cancelled(cancel)  # the cut socket may end the stream without an error
                if watch.expired:
                    raise watch.failure("DashScope", started)
                if not answered:  # e.g. an HTML page sent as text/event-stream: no events
                    raise self._not_dashscope(content_type(_headers(responses)))
            except OversizedEvent as exc:
                raise self._oversized(exc.limit, started) from None
            except requests.exceptions.JSONDecodeError:  # a 200 "JSON" reply that is not JSON
                raise self._not_dashscope(content_type(_headers(responses))) from None
            except requests.RequestException as exc:
                raise_if_cancelled(cancel)
                if watch.expired:
                    raise watch.failure("DashScope", started) from None
                if started:
                    raise StreamInterrupted(
                        "The connection to DashScope dropped mid-answer; the partial answer "
                        "was kept."
                    ) from exc
                host = urlsplit(self.base_url).netloc
                final = BackendError(
                    f"Could not reach DashScope at {host}; check the network connection and retry."
                )
                raise RetryLater(f"Could not reach DashScope at {host}.", final) from exc
            except (AppError, RetryLater):
                raise
            except Exception as exc:  # the SDK's own exceptions (invalid input, bad JSON, ...)
                raise_if_cancelled(cancel)
                if watch.expired:
                    raise watch.failure("DashScope", started) from None
                raise BackendError(f"The DashScope SDK failed ({type(exc).__name__}).") from exc
            finally:
                if stream is not None:
                    stream.close()
                for response in responses:
                    response.close()
                session.close()

    def _on_response(
        self, responses: list[Any], watch: StreamWatch, response: Any, *args: Any, **kwargs: Any
    ) -> Any:
        """The session's response hook: runs before the SDK reads a byte of the body."""
        responses.append(response)
        watch.progress()  # the stall clock runs from the reply's headers (before: the timeout)
        if response.is_redirect:
            # requests would follow it, turning the POST into a GET that no DashScope answers.
            target = redirect_target(response.headers.get("location"), self.base_url)
            raise BackendError(
                f"The request to DashScope at {urlsplit(self.base_url).netloc} was redirected "
                f"to {target}; {PORTAL_HINT}, or the base URL is out of date."
            )
        kind = content_type(response.headers)
        if response.status_code == 200 and kind not in _ANSWER_TYPES:
            raise self._not_dashscope(kind)
        limit = self.max_event_bytes
        # The SDK reads the stream with iter_lines, quadratic in the length of a line.
        response.iter_lines = lambda *a, **k: split_lines(response.iter_content(READ_BYTES), limit)
        return response

    def _not_dashscope(self, kind: str) -> BackendError:
        return not_like(urlsplit(self.base_url).netloc, "DashScope", kind)

    def _oversized(self, limit: int, started: bool) -> BackendError:
        size = size_text(limit)
        what = f"DashScope sent one event larger than {size}, more than any answer needs"
        if started:
            return StreamInterrupted(f"{what}; the partial answer was kept.")
        return BackendError(f"{what}, so the request was given up.")

    def _error(self, rsp: Any, model: str, started: bool) -> Exception:
        """The exception for an error reply; errors inside a stream all arrive as status 400."""
        status = int(rsp.status_code)
        code = str(rsp.code or "")
        message = str(rsp.message or "")
        low = message.lower()
        if status == 401 or code == "InvalidApiKey":
            return ConfigError(
                "DashScope rejected the API key: check it in the app or in DASHSCOPE_API_KEY."
            )
        if code == "Arrearage":
            return ConfigError(
                "DashScope refused the request because the Alibaba Cloud account has an "
                "overdue payment; settle it in the console."
            )
        if code in ("ModelNotFound", "model_not_found") or status == 404 or "model not" in low:
            return ConfigError(
                f"DashScope has no model named {model!r} here: check the model name and region."
            )
        if status == 403 or code.startswith("AccessDenied") or code == "Model.AccessDenied":
            return ConfigError(
                f"DashScope denied access to the model {model!r}: make sure your account has "
                "enabled it in this region."
            )
        if code in ("DataInspectionFailed", "data_inspection_failed"):
            return BackendError(
                "DashScope's content inspection refused this content, so it was not answered."
            )
        what = code if code and code != "Unknown" else f"HTTP {status}"
        if status == 429 or code.startswith("Throttling"):
            reason = f"DashScope is rate-limiting requests ({what})."
            final = BackendError(
                "DashScope is still rate-limiting requests; try again in a minute."
            )
        elif status in _RETRY_STATUSES or code in _RETRY_CODES:
            reason = f"DashScope is busy or failing ({what})."
            final = BackendError(f"DashScope kept failing ({what}); try again later.")
        elif code and code != "Unknown" and message:
            return BackendError(
                f"DashScope rejected the request ({code}: {self._detail(message)})."
            )
        else:
            return BackendError(f"DashScope returned an error ({what}).")
        if started:
            return final
        # The SDK keeps the HTTP response headers on each response, so Retry-After is readable.
        return RetryLater(reason, final, _retry_after(getattr(rsp, "headers", None)))

    def _detail(self, message: str) -> str:
        """The service's message, trimmed, on one line, and with the key masked in any case."""
        return one_line(message, secret=self._api_key)


def _delta(output: Any) -> str:
    """The text of one incremental chunk: a string (text models) or [{"text": ...}] (VL)."""
    if not output:
        return ""
    choices = output.get("choices") or []
    if not choices:
        return str(output.get("text") or "")
    content = (choices[0].get("message") or {}).get("content")
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return content if isinstance(content, str) else ""


def _retry_after(headers: Any) -> float | None:
    """Seconds asked for by the response's Retry-After header, if any."""
    value = next(
        (str(v) for k, v in dict(headers or {}).items() if str(k).lower() == "retry-after"), None
    )
    return parse_retry_after(value)


def _headers(responses: list[Any]) -> Any:
    """The headers of the last response seen (the one the SDK read), or none."""
    return responses[-1].headers if responses else {}


def _shut_sockets(responses: list[Any]) -> None:
    """Shut the sockets of the responses being read, so a blocked read returns now."""
    for response in responses:
        # urllib3 >= 2.3 supports this from another thread; older ones just wait.
        with contextlib.suppress(Exception):
            response.raw.shutdown()
