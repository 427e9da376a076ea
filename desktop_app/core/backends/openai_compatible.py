"""OpenAI-compatible backend: any chat-completions server (vLLM, Ollama, DashScope compatible)."""

from __future__ import annotations

import contextlib
import functools
import socket
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal
from urllib.parse import urlsplit

from desktop_app.core.backends.base import ChatMessage, RetryNotice, Sampling, png_data_url
from desktop_app.core.backends.cancel_watch import StreamLimits, StreamWatch
from desktop_app.core.backends.retry import RetryLater, RetryPolicy, parse_retry_after
from desktop_app.core.backends.sse_guard import (
    MAX_EVENT_BYTES,
    PORTAL_HINT,
    OversizedEvent,
    cap_lines,
    content_type,
    not_like,
    redirect_target,
    size_text,
)
from desktop_app.core.backends.stop_strings import StopScanner
from desktop_app.core.errors import (
    AppError,
    BackendError,
    ConfigError,
    StreamInterrupted,
    one_line,
    raise_if_cancelled,
)

Continuation = Literal["vllm", "partial", "plain"]
KEY_ENV = "OPENAI_API_KEY"
NO_KEY = "EMPTY"  # what vLLM and Ollama accept when they run without --api-key


class OpenAICompatibleBackend:
    """Reader and solver on one OpenAI-compatible server, through the `openai` SDK."""

    def __init__(
        self,
        *,
        base_url: str,
        reader_model: str = "",
        solver_model: str = "",
        api_key: str | None = None,
        key_source: str = KEY_ENV,
        extra_headers: Mapping[str, str] | None = None,
        continuation: Continuation = "vllm",
        request_timeout: float = 120.0,
        max_retries: int = 3,
        retry_base_delay: float = 1.0,
        retry_max_delay: float = 30.0,
        on_retry: RetryNotice | None = None,
        sleep: Callable[[float], None] | None = None,
        limits: StreamLimits | None = None,
        max_event_bytes: int = MAX_EVENT_BYTES,
    ) -> None:
        """`key_source` names where the key came from, for the 401 message; `sleep`: tests.

        `limits` bound how long a reply may stall or last; `max_event_bytes` what one event
        of the stream may hold.
        """
        self.base_url = base_url.rstrip("/")
        self.reader_model, self.solver_model = reader_model, solver_model
        self._api_key = api_key or NO_KEY
        self.key_source = key_source
        self.extra_headers = dict(extra_headers or {})
        self.continuation: Continuation = continuation
        self.request_timeout = request_timeout
        self.limits = limits or StreamLimits()
        self.max_event_bytes = max_event_bytes
        self._retry = RetryPolicy(max_retries, retry_base_delay, retry_max_delay, on_retry, sleep)
        self._lock = threading.Lock()
        self._sdk_client: Any = None

    def __repr__(self) -> str:
        """A repr without the key, so logging the backend never leaks it."""
        return (
            f"OpenAICompatibleBackend(base_url={self.base_url!r}, "
            f"reader_model={self.reader_model!r}, solver_model={self.solver_model!r})"
        )

    @property
    def host(self) -> str:
        """The server's host:port, as error messages name it."""
        return urlsplit(self.base_url).netloc or self.base_url

    def read(self, image_png: bytes, prompt: str, cancel: threading.Event) -> Iterator[str]:
        """Yield the reader model's transcription of a PNG image as it streams."""
        url = png_data_url(image_png)
        content = [
            {"type": "image_url", "image_url": {"url": url}},
            {"type": "text", "text": prompt},
        ]
        messages = [{"role": "user", "content": content}]
        yield from self._stream(self.reader_model, messages, cancel, (), {})

    def solve(
        self,
        messages: list[ChatMessage],
        cancel: threading.Event,
        *,
        stop: Sequence[str] = (),
        sampling: Sampling | None = None,
    ) -> Iterator[str]:
        """Yield the reply (or the continuation of a final assistant message) as it streams;
        with `sampling`, its temperature and top_p go with the request."""
        plain: list[dict[str, Any]] = [dict(m) for m in messages]
        extra: dict[str, Any] = {}
        if plain and plain[-1]["role"] == "assistant":
            if self.continuation == "vllm":  # vLLM's chat-template switches for prefilling
                extra = {"continue_final_message": True, "add_generation_prompt": False}
            elif self.continuation == "partial":  # DashScope's prefix continuation
                plain[-1]["partial"] = True
        yield from self._stream(self.solver_model, plain, cancel, stop, extra, sampling)

    def close(self) -> None:
        """Release the SDK client's connection pool."""
        with self._lock:
            client, self._sdk_client = self._sdk_client, None
        if client is not None:
            client.close()

    def _client(self) -> Any:
        """One SDK client per backend: its connection pool is thread-safe and reused."""
        with self._lock:
            if self._sdk_client is None:
                self._sdk_client = _make_client(
                    self.base_url,
                    self._api_key,
                    self.extra_headers,
                    self.request_timeout,
                    self.max_event_bytes,
                )
            return self._sdk_client

    def _stream(
        self,
        model: str,
        messages: list[Any],
        cancel: threading.Event,
        stop: Sequence[str],
        extra: dict[str, Any],
        sampling: Sampling | None = None,
    ) -> Iterator[str]:
        """Run a call, retrying throttling, server and network failures before the first token."""
        yield from self._retry.stream(
            lambda: self._attempt(model, messages, cancel, stop, extra, sampling), cancel
        )

    def _attempt(
        self,
        model: str,
        messages: list[Any],
        cancel: threading.Event,
        stop: Sequence[str],
        extra: dict[str, Any],
        sampling: Sampling | None = None,
    ) -> Iterator[str]:
        """One request; raises RetryLater only for a retryable failure before the first token."""
        import openai

        kwargs: dict[str, Any] = {"model": model, "messages": messages, "stream": True}
        if stop:
            kwargs["stop"] = list(stop)
        if sampling is not None:
            kwargs.update(temperature=sampling.temperature, top_p=sampling.top_p)
        if extra:
            kwargs["extra_body"] = extra
        started = answered = False
        stream = None
        streams: list[Any] = []  # the open stream, once there is one: a cancel or stall cuts it
        cut = functools.partial(_shut_sockets, streams)
        with StreamWatch(cancel, cut, "openai-watch", self.limits) as watch:
            try:
                stream = self._client().chat.completions.create(**kwargs)
                streams.append(stream)
                watch.progress()  # the stall clock runs from the reply's headers
                kind = content_type(stream.response.headers)
                if kind != "text/event-stream":
                    raise self._not_compatible(kind)
                # Servers that ignore `stop` must still never show the stop string.
                scanner = StopScanner(stop)
                for chunk in stream:
                    raise_if_cancelled(cancel)
                    answered = True
                    piece = chunk.choices[0].delta.content if chunk.choices else None
                    text = scanner.feed(piece or "")
                    if text:
                        started = True
                        watch.progress()
                        yield text
                        watch.progress()  # the consumer's time is not the server's stall
                    if scanner.stopped:
                        return
                raise_if_cancelled(cancel)  # the cut socket may end the stream without an error
                if watch.expired:
                    raise watch.failure(f"The server at {self.host}", started)
                if not answered:  # e.g. an HTML page sent as text/event-stream: no events
                    raise self._not_compatible(kind)
                if tail := scanner.finish():
                    yield tail
            except OversizedEvent as exc:
                what = (
                    f"The server at {self.host} sent one event larger than "
                    f"{size_text(exc.limit)}, more than any answer needs"
                )
                if started:
                    raise StreamInterrupted(f"{what}; the partial answer was kept.") from None
                raise BackendError(f"{what}, so the request was given up.") from None
            except openai.APIStatusError as exc:
                raise_if_cancelled(cancel)
                raise self._status_error(exc, model) from None
            except openai.APIConnectionError as exc:
                raise_if_cancelled(cancel)
                if watch.expired:
                    raise watch.failure(f"The server at {self.host}", started) from None
                if started:
                    raise StreamInterrupted(
                        f"The connection to {self.host} dropped mid-answer; the partial answer "
                        "was kept."
                    ) from exc
                final = BackendError(
                    f"Could not reach the server at {self.host}; check that it is running and that "
                    "the base URL is right."
                )
                raise RetryLater(f"Could not reach the server at {self.host}.", final) from exc
            except openai.APIError as exc:  # an error event inside a 200 stream
                raise_if_cancelled(cancel)
                detail = self._detail(exc.message)
                if started:
                    raise StreamInterrupted(
                        f"The server at {self.host} failed mid-answer ({detail}); the partial "
                        "answer was kept."
                    ) from exc
                raise BackendError(
                    f"The server at {self.host} reported an error ({detail})."
                ) from exc
            except (AppError, RetryLater):
                raise
            except openai.OpenAIError as exc:
                raise BackendError(f"The OpenAI SDK failed ({type(exc).__name__}).") from exc
            finally:
                if stream is not None:
                    stream.close()

    def _not_compatible(self, kind: str) -> BackendError:
        return not_like(self.host, "an OpenAI-compatible API", kind)

    def _status_error(self, exc: Any, model: str) -> Exception:
        """The app's error (or a RetryLater) for an HTTP error reply."""
        status, host = int(exc.status_code), self.host
        body = exc.body if isinstance(exc.body, dict) else {}
        code, message = str(body.get("code") or ""), str(body.get("message") or exc.message)
        if 300 <= status < 400:
            # Redirects are not followed: a followed 301 turns the POST into a GET.
            target = redirect_target(exc.response.headers.get("location"), self.base_url)
            return BackendError(
                f"The request to {host} was redirected to {target}; {PORTAL_HINT}, or the "
                "base URL is out of date."
            )
        if status == 401:
            return ConfigError(
                f"The server at {host} rejected the API key: check {self.key_source}."
            )
        if status == 403:
            return ConfigError(f"The server at {host} denied access to the model {model!r}.")
        if status == 404 and (code == "model_not_found" or "model" in message.lower()):
            return ConfigError(
                f"The server at {host} has no model named {model!r}; check the model name."
            )
        if status == 404:
            return ConfigError(
                f"There is no OpenAI-compatible API at {self.base_url}; check the base URL "
                "(it usually ends in /v1)."
            )
        retry_after = parse_retry_after(exc.response.headers.get("retry-after"))
        if status == 429:
            final = BackendError(
                f"The server at {host} is still rate-limiting requests; try again in a minute."
            )
            return RetryLater(
                f"The server at {host} is rate-limiting requests.", final, retry_after
            )
        if status >= 500:
            final = BackendError(f"The server at {host} kept failing (HTTP {status}); try later.")
            reason = f"The server at {host} is busy or failing (HTTP {status})."
            return RetryLater(reason, final, retry_after)
        return BackendError(
            f"The server at {host} rejected the request (HTTP {status}: {self._detail(message)})."
        )

    def _detail(self, message: str) -> str:
        """The server's message on one line, trimmed, with the key masked in any case."""
        return one_line(message, secret=None if self._api_key == NO_KEY else self._api_key)


def list_models(
    base_url: str,
    *,
    api_key: str | None = None,
    key_source: str = KEY_ENV,
    extra_headers: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> list[str]:
    """The ids of the models the server serves, sorted; errors are one clear sentence."""
    import openai

    probe = OpenAICompatibleBackend(base_url=base_url, api_key=api_key, key_source=key_source)
    client = _make_client(probe.base_url, probe._api_key, extra_headers or {}, timeout)
    try:
        return sorted(model.id for model in client.models.list())
    except openai.APIStatusError as exc:
        error = probe._status_error(exc, "")
        raise error.final if isinstance(error, RetryLater) else error from None
    except openai.APIConnectionError:
        raise BackendError(
            f"Could not reach the server at {probe.host}; check that it is running and that "
            "the base URL is right."
        ) from None
    except openai.OpenAIError as exc:
        raise BackendError(f"The server at {probe.host} gave an unreadable model list.") from exc
    finally:
        client.close()


def _make_client(
    base_url: str,
    key: str,
    headers: Mapping[str, str],
    timeout: float,
    max_event_bytes: int = MAX_EVENT_BYTES,
) -> Any:
    import openai

    # The SDK's own retries would retry after tokens were shown; ours stop at the first token.
    # Redirects are reported, not followed (see _status_error).
    client = _guarded_client_class()(
        base_url=base_url,
        api_key=key,
        max_retries=0,
        timeout=timeout,
        default_headers=headers,
        http_client=openai.DefaultHttpx2Client(follow_redirects=False, timeout=timeout),
    )
    client.max_event_bytes = max_event_bytes
    return client


@functools.cache
def _guarded_client_class() -> Any:
    """The SDK's client, its event-stream decoder given a cap on one event's size.

    `_make_sse_decoder` is the SDK's one place that builds the decoder of every stream; the
    cap sees the body's bytes (decompressed) before the decoder and leaves them unchanged.
    """
    import openai

    class GuardedOpenAI(openai.OpenAI):
        max_event_bytes = MAX_EVENT_BYTES

        def _make_sse_decoder(self) -> Any:
            return _CappedDecoder(super()._make_sse_decoder(), self.max_event_bytes)

    return GuardedOpenAI


class _CappedDecoder:
    """An SSE decoder that refuses a line over `limit` bytes before handing bytes on."""

    def __init__(self, inner: Any, limit: int) -> None:
        self._inner, self._limit = inner, limit

    def iter_bytes(self, iterator: Iterator[bytes]) -> Iterator[Any]:
        return self._inner.iter_bytes(cap_lines(iterator, self._limit))  # type: ignore[no-any-return]

    def aiter_bytes(self, iterator: Any) -> Any:
        return self._inner.aiter_bytes(iterator)  # the app's client is synchronous


def _shut_sockets(streams: list[Any]) -> None:
    """Shut the socket being read: closing the stream alone does not wake a blocked read."""
    for stream in streams:
        with contextlib.suppress(Exception):
            network = stream.response.extensions["network_stream"]
            network.get_extra_info("socket").shutdown(socket.SHUT_RDWR)
