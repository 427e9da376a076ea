"""The OpenAI-compatible backend drives the real `openai` SDK against a fake server."""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from desktop_app.core.backends.base import ChatMessage
from desktop_app.core.backends.openai_compatible import (
    OpenAICompatibleBackend,
    list_models,
)
from desktop_app.core.errors import BackendError, Cancelled, ConfigError, StreamInterrupted
from desktop_app.core.prompts import READER_PROMPT
from tests.fakes.openai_server import FakeOpenAI
from tests.threads import wait_threads_gone

KEY = "sk-test-openai-5e1d"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
MODEL = "Qwen/Qwen2.5-Math-72B-Instruct"
QUESTION: list[ChatMessage] = [{"role": "user", "content": "Solve 2x + 3 = 7."}]


@pytest.fixture(autouse=True)
def no_thread_leaks() -> Iterator[None]:
    """Every test leaves the same threads running as it found."""
    before = set(threading.enumerate())
    yield
    assert wait_threads_gone(lambda: set(threading.enumerate()) - before) == set()


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    """A fake server that serves MODEL and a reader model."""
    with FakeOpenAI(models=[MODEL, "qwen-vl"]) as fake:
        yield fake


class Recorder:
    """Collects retry notices and the injected backoff sleeps."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.notices: list[tuple[int, float, str]] = []

    def backend(self, base_url: str, **kwargs: object) -> OpenAICompatibleBackend:
        options: dict[str, object] = {
            "base_url": base_url,
            "reader_model": "qwen-vl",
            "solver_model": MODEL,
            "on_retry": lambda *a: self.notices.append(a),
            "sleep": self.sleeps.append,
            **kwargs,
        }
        return OpenAICompatibleBackend(**options)  # type: ignore[arg-type]


def solve(backend: OpenAICompatibleBackend, messages: list[ChatMessage] = QUESTION) -> str:
    try:
        return "".join(backend.solve(messages, threading.Event(), stop=["```output"]))
    finally:
        backend.close()


def test_solve_streams_deltas_and_sends_the_request(server: FakeOpenAI) -> None:
    """GIVEN a reply in pieces THEN the deltas rebuild it and the request is a streamed chat."""
    server.script_text(chunks=["So ", "$x = 2$", ", $\\boxed{2}$."])
    backend = Recorder().backend(server.base_url, extra_headers={"X-Team": "math"})
    deltas = list(backend.solve(QUESTION, threading.Event()))
    backend.close()
    assert deltas == ["So ", "$x = 2$", ", $\\boxed{2}$."]
    (request,) = server.chat_requests()
    assert request.model == MODEL
    assert request.field("stream") is True
    assert request.messages == QUESTION
    assert request.api_key == "EMPTY"  # vLLM without --api-key takes anything
    assert request.headers["x-team"] == "math"
    assert request.field("continue_final_message") is None


def test_read_sends_the_image_as_a_data_url(server: FakeOpenAI) -> None:
    """GIVEN a PNG THEN it goes as an image_url data URL followed by the prompt text."""
    server.script_text("Solve $2x+3=7$.")
    backend = Recorder().backend(server.base_url, api_key=KEY)
    text = "".join(backend.read(PNG, READER_PROMPT, threading.Event()))
    backend.close()
    assert text == "Solve $2x+3=7$."
    (request,) = server.chat_requests()
    image, prompt = request.messages[0]["content"]
    assert image["image_url"]["url"] == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert prompt == {"type": "text", "text": READER_PROMPT}
    assert (request.model, request.api_key) == ("qwen-vl", KEY)


@pytest.mark.parametrize(
    ("continuation", "extra", "partial"),
    [
        ("vllm", {"continue_final_message": True, "add_generation_prompt": False}, None),
        ("partial", {}, True),
        ("plain", {}, None),
    ],
)
def test_final_assistant_message_is_continued(
    server: FakeOpenAI, continuation: str, extra: dict[str, bool], partial: bool | None
) -> None:
    """GIVEN a chat ending with the assistant THEN the server is asked to continue it."""
    messages: list[ChatMessage] = [
        *QUESTION,
        {"role": "assistant", "content": "```python\nprint(2)\n```\n```output\n2\n```\n"},
    ]
    server.script_text("So $\\boxed{2}$.")
    assert solve(Recorder().backend(server.base_url, continuation=continuation), messages)
    (request,) = server.chat_requests()
    for name, value in extra.items():
        assert request.field(name) == value
    assert request.messages[-1].get("partial") == partial
    assert request.messages[-1]["content"] == messages[-1]["content"]


@pytest.mark.parametrize("honour_stop", [True, False])
def test_generation_ends_before_the_stop_string(honour_stop: bool) -> None:
    """GIVEN a stop string split over chunks THEN nothing from it on is yielded, server or not."""
    with FakeOpenAI(honour_stop=honour_stop) as fake:
        fake.script_text(chunks=["```python\nprint(1)\n```\n``", "`out", "put\n1\n```"])
        text = solve(Recorder().backend(fake.base_url))
        assert fake.chat_requests()[0].stop == ["```output"]
    assert text == "```python\nprint(1)\n```\n"


def test_partial_stop_prefix_at_the_end_is_released() -> None:
    """GIVEN an answer ending in what could start a stop string THEN it is still shown."""
    with FakeOpenAI(honour_stop=False) as fake:
        fake.script_text(chunks=["The end ``"])
        assert solve(Recorder().backend(fake.base_url)) == "The end ``"


@pytest.mark.parametrize(
    ("status", "message", "code", "error", "fragment"),
    [
        (
            401,
            "Incorrect API key provided.",
            "invalid_api_key",
            ConfigError,
            "rejected the API key",
        ),
        (404, "The model `x` does not exist.", "model_not_found", ConfigError, "no model named"),
        (404, "Not Found", None, ConfigError, "usually ends in /v1"),
        (400, "This model's maximum context length is 4096.", None, BackendError, "4096"),
    ],
)
def test_final_errors_are_one_sentence_without_retry(
    server: FakeOpenAI, status: int, message: str, code: str | None, error: type, fragment: str
) -> None:
    """GIVEN an error nobody should retry THEN one clear sentence with the right exit code."""
    server.script_error(status, message, code=code)
    rec = Recorder()
    with pytest.raises(error) as info:
        solve(rec.backend(server.base_url, api_key=KEY))
    text = str(info.value)
    assert fragment in text
    assert "\n" not in text
    assert KEY not in text
    assert rec.notices == []
    assert info.value.exit_code == (4 if error is ConfigError else 5)


def test_unknown_model_from_the_real_check(server: FakeOpenAI) -> None:
    """GIVEN a model the server does not serve THEN a ConfigError names it."""
    with pytest.raises(ConfigError, match="no model named 'nope'"):
        solve(Recorder().backend(server.base_url, solver_model="nope"))


def test_429_honours_retry_after_then_succeeds(server: FakeOpenAI) -> None:
    """GIVEN 429 with Retry-After 2 THEN the wait is 2 s, a notice is sent, and it succeeds."""
    server.script_error(429, "Too many requests.", retry_after=2)
    server.script_text("ok")
    rec = Recorder()
    assert solve(rec.backend(server.base_url)) == "ok"
    assert rec.sleeps == [2.0]
    assert rec.notices[0][:2] == (1, 2.0)
    assert "rate-limiting" in rec.notices[0][2]


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_back_off_then_give_up(server: FakeOpenAI, status: int) -> None:
    """GIVEN a failing server THEN exponential backoff, then a BackendError naming the status."""
    for _ in range(4):
        server.script_error(status, "Internal error.")
    rec = Recorder()
    with pytest.raises(BackendError, match=f"HTTP {status}"):
        solve(rec.backend(server.base_url))
    assert rec.sleeps == [1.0, 2.0, 4.0]
    assert len(server.chat_requests()) == 4


def test_too_long_retry_after_fails_at_once(server: FakeOpenAI) -> None:
    """GIVEN Retry-After beyond what we would wait THEN fail now instead of blocking."""
    server.script_error(429, "Quota.", retry_after=3600)
    rec = Recorder()
    with pytest.raises(BackendError, match="still rate-limiting"):
        solve(rec.backend(server.base_url))
    assert rec.sleeps == []


def test_unreachable_server_is_a_backend_error() -> None:
    """GIVEN nothing listening THEN retries, then 'could not reach' naming the host."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    rec = Recorder()
    with pytest.raises(BackendError, match=f"Could not reach the server at 127.0.0.1:{port}"):
        solve(rec.backend(f"http://127.0.0.1:{port}/v1", max_retries=1))
    assert len(rec.sleeps) == 1


def test_disconnect_before_any_token_is_retried(server: FakeOpenAI) -> None:
    """GIVEN a connection closed before the reply THEN it is retried and succeeds."""
    server.script_disconnect()
    server.script_text("fine")
    rec = Recorder()
    assert solve(rec.backend(server.base_url)) == "fine"
    assert len(rec.notices) == 1


def test_drop_mid_answer_keeps_the_partial_text(server: FakeOpenAI) -> None:
    """GIVEN a stream cut after two chunks THEN StreamInterrupted after them, and no retry."""
    server.script_drop_after(["Step 1. ", "Step 2. "])
    rec = Recorder()
    backend = rec.backend(server.base_url)
    got: list[str] = []
    with pytest.raises(StreamInterrupted, match="dropped mid-answer"):
        got.extend(backend.solve(QUESTION, threading.Event()))
    backend.close()
    assert got == ["Step 1. ", "Step 2. "]
    assert rec.notices == []


def test_cancel_cuts_a_slow_stream_at_once(server: FakeOpenAI) -> None:
    """GIVEN a stream waiting 5 s per chunk WHEN cancelled THEN Cancelled comes within 1 s."""
    server.script_text(chunks=["a", "b", "c"], delay=5)
    backend = Recorder().backend(server.base_url)
    cancel = threading.Event()
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        list(backend.solve(QUESTION, cancel))
    assert time.monotonic() - started < 1.0
    timer.join()
    backend.close()


def test_key_never_appears_in_repr(server: FakeOpenAI) -> None:
    """GIVEN a key THEN the backend's repr does not show it."""
    backend = Recorder().backend(server.base_url, api_key=KEY)
    assert KEY not in repr(backend)


def test_list_models_and_its_errors(server: FakeOpenAI) -> None:
    """GIVEN a server THEN its models are listed; a wrong key or no server is one sentence."""
    assert list_models(server.base_url) == sorted([MODEL, "qwen-vl"])
    with FakeOpenAI(api_key=KEY) as locked:
        with pytest.raises(ConfigError, match="rejected the API key: check VLLM_API_KEY"):
            list_models(locked.base_url, api_key="wrong", key_source="VLLM_API_KEY")
        assert list_models(locked.base_url, api_key=KEY) == ["fake-model"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(BackendError, match="Could not reach"):
        list_models(f"http://127.0.0.1:{port}/v1", timeout=2)
