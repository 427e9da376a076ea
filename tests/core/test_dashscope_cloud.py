"""The DashScope backend drives the real `dashscope` SDK against a fake DashScope server."""

from __future__ import annotations

import base64
import importlib
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterator
from email.utils import formatdate
from pathlib import Path

import pytest
import requests

from desktop_app.core.backends.dashscope_cloud import BASE_URLS, DashScopeBackend
from desktop_app.core.errors import (
    AppError,
    BackendError,
    Cancelled,
    ConfigError,
    StreamInterrupted,
)
from desktop_app.core.prompts import READER_PROMPT, solver_messages
from tests.fakes.dashscope_server import FakeDashScope
from tests.threads import wait_threads_gone

KEY = "sk-test-0123456789abcdef"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
ROOT = Path(__file__).resolve().parents[2]
Script = Callable[[FakeDashScope], None]


@pytest.fixture(autouse=True)
def no_thread_leaks() -> Iterator[None]:
    """Every test leaves the same threads running as it found."""
    before = set(threading.enumerate())
    yield
    assert wait_threads_gone(lambda: set(threading.enumerate()) - before) == set()


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDashScope]:
    """A running fake service the SDK is pointed at through DASHSCOPE_HTTP_BASE_URL."""
    with FakeDashScope() as fake:
        monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", fake.base_url)
        yield fake


class Recorder:
    """Collects the backend's retry notices and its (injected) backoff sleeps."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.notices: list[tuple[int, float, str]] = []

    def backend(self, **kwargs: object) -> DashScopeBackend:
        """A backend with the test key, fast backoff and these recorders."""
        options: dict[str, object] = {"api_key": KEY, "retry_base_delay": 0.01}
        options.update(kwargs)
        return DashScopeBackend(
            on_retry=lambda attempt, delay, reason: self.notices.append((attempt, delay, reason)),
            sleep=self.sleeps.append,
            **options,  # type: ignore[arg-type]
        )


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


def solve_all(backend: DashScopeBackend, cancel: threading.Event | None = None) -> list[str]:
    """Every delta of a solve of a small problem."""
    messages = solver_messages("", "What is 2 + 2?")
    return list(backend.solve(messages, cancel or threading.Event()))


def solve_until_error(backend: DashScopeBackend) -> tuple[list[str], AppError]:
    """The deltas that arrived before the solve failed, and its error."""
    got: list[str] = []
    try:
        for delta in backend.solve(solver_messages("", "x"), threading.Event()):
            got.append(delta)
    except AppError as exc:
        return got, exc
    raise AssertionError("the solve did not fail")


# -- success ----------------------------------------------------------------------------------


def test_read_streams_the_transcript_and_sends_the_real_request(
    server: FakeDashScope, rec: Recorder
) -> None:
    """GIVEN a PNG WHEN read THEN the deltas stream and the request is the SDK's real one."""
    server.script_text(chunks=["Solve ", "$x^2", " = 4$"], endpoint="multimodal")

    got = list(rec.backend().read(PNG, READER_PROMPT, threading.Event()))

    assert got == ["Solve ", "$x^2", " = 4$"]
    (request,) = server.requests
    assert request.endpoint == "multimodal"
    assert request.path == "/api/v1/services/aigc/multimodal-generation/generation"
    assert request.model == "qwen-vl-max-latest"
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert request.messages == [
        {"role": "user", "content": [{"image": data_url}, {"text": READER_PROMPT}]}
    ]
    assert request.parameters["incremental_output"] is True
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["accept"] == "text/event-stream"
    assert request.headers["x-dashscope-sse"] == "enable"
    assert request.wants_stream


def test_solve_streams_in_order_with_the_message_format(
    server: FakeDashScope, rec: Recorder
) -> None:
    """GIVEN chat messages WHEN solved THEN the deltas arrive in order from the math model."""
    chunks = [f"step {i}; " for i in range(20)] + ["$\\boxed{4}$"]
    server.script_text(chunks=chunks, endpoint="text", finish_reason="length")
    messages = solver_messages("", "What is 2 + 2?")

    got = list(rec.backend().solve(messages, threading.Event()))

    assert got == chunks
    (request,) = server.requests_to("text")
    assert request.model == "qwen2.5-math-72b-instruct"
    assert request.messages == messages
    assert request.parameters["result_format"] == "message"
    assert request.parameters["incremental_output"] is True
    assert request.api_key == KEY


def test_configured_models_are_used(server: FakeDashScope, rec: Recorder) -> None:
    """GIVEN other model names WHEN both stages run THEN those models are requested."""
    backend = rec.backend(reader_model="qwen-vl-plus", solver_model="qwen2.5-math-7b-instruct")
    list(backend.read(PNG, READER_PROMPT, threading.Event()))
    solve_all(backend)
    assert [r.model for r in server.requests] == ["qwen-vl-plus", "qwen2.5-math-7b-instruct"]


# -- configuration errors ---------------------------------------------------------------------


def test_missing_key_is_a_config_error_without_any_request(
    server: FakeDashScope, rec: Recorder
) -> None:
    """GIVEN no key WHEN solving THEN ConfigError and nothing is sent."""
    with pytest.raises(ConfigError, match="API key"):
        solve_all(rec.backend(api_key=""))
    assert server.requests == []


def test_invalid_key_is_a_config_error_and_not_retried(
    monkeypatch: pytest.MonkeyPatch, rec: Recorder
) -> None:
    """GIVEN a key the service rejects (401 InvalidApiKey) WHEN solving THEN ConfigError."""
    with FakeDashScope(api_key="sk-the-right-one") as fake:
        monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", fake.base_url)
        with pytest.raises(ConfigError, match="rejected the API key") as info:
            solve_all(rec.backend())
        assert len(fake.requests) == 1
    assert info.value.exit_code == 4
    assert KEY not in str(info.value)
    assert rec.notices == []


def test_unknown_model_is_a_config_error(monkeypatch: pytest.MonkeyPatch, rec: Recorder) -> None:
    """GIVEN a model the service lacks (404 "Model not exist.") WHEN solving THEN ConfigError."""
    with FakeDashScope(models=["qwen-vl-max-latest"]) as fake:
        monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", fake.base_url)
        with pytest.raises(ConfigError, match=re.escape("qwen2.5-math-72b-instruct")):
            solve_all(rec.backend())
        assert len(fake.requests) == 1


@pytest.mark.parametrize(
    ("status", "code", "words"),
    [
        (403, "Model.AccessDenied", "denied access"),
        (403, "AccessDenied.Unpurchased", "denied access"),
        (400, "Arrearage", "overdue payment"),
        (404, "ModelNotFound", "no model named"),
    ],
)
def test_account_and_model_refusals_are_config_errors(
    server: FakeDashScope, rec: Recorder, status: int, code: str, words: str
) -> None:
    """GIVEN an account or model refusal WHEN solving THEN one ConfigError sentence, no retry."""
    server.script_error(status, code)
    with pytest.raises(ConfigError, match=words):
        solve_all(rec.backend())
    assert len(server.requests) == 1


# -- retries ------------------------------------------------------------------------------------


def test_throttling_then_success_retries_honouring_retry_after(
    server: FakeDashScope, rec: Recorder
) -> None:
    """GIVEN a 429 with Retry-After: 1 WHEN solving THEN it waits 1 s, says so, and retries."""
    server.script_error(429, "Throttling.RateQuota", retry_after=1, endpoint="text")
    server.script_text(chunks=["fine"], endpoint="text")

    assert solve_all(rec.backend()) == ["fine"]

    assert rec.sleeps == [1.0]
    assert len(rec.notices) == 1
    attempt, delay, reason = rec.notices[0]
    assert (attempt, delay) == (1, 1.0)
    assert "rate-limiting" in reason
    assert len(server.requests) == 2


def test_retry_after_as_an_http_date_is_honoured(server: FakeDashScope, rec: Recorder) -> None:
    """GIVEN a 503 whose Retry-After is a date 2 s ahead WHEN solving THEN it waits about 2 s."""
    server.script_error(
        503, "ServiceUnavailable", retry_after=formatdate(time.time() + 2, usegmt=True)
    )
    server.script_text(chunks=["ok"])
    assert solve_all(rec.backend()) == ["ok"]
    assert len(rec.sleeps) == 1
    assert 0.5 < rec.sleeps[0] <= 2.5


def test_backoff_is_exponential_without_retry_after(server: FakeDashScope, rec: Recorder) -> None:
    """GIVEN three 500s WHEN solving THEN it backs off 1x, 2x, 4x the base delay, then succeeds."""
    for _ in range(3):
        server.script_error(500, "InternalError")
    server.script_text(chunks=["ok"])

    assert solve_all(rec.backend()) == ["ok"]

    assert rec.sleeps == [0.01, 0.02, 0.04]
    assert [n[0] for n in rec.notices] == [1, 2, 3]


def test_throttling_exhausted_is_a_backend_error(server: FakeDashScope, rec: Recorder) -> None:
    """GIVEN 429 on every try WHEN solving THEN max_retries retries, then BackendError."""
    for _ in range(4):
        server.script_error(429, "Throttling", retry_after=0)

    with pytest.raises(BackendError, match="rate-limiting") as info:
        solve_all(rec.backend(max_retries=3))

    assert info.value.exit_code == 5
    assert len(server.requests) == 4
    assert len(rec.notices) == 3


def test_a_retry_after_longer_than_the_maximum_fails_at_once(
    server: FakeDashScope, rec: Recorder
) -> None:
    """GIVEN a 429 asking for an hour WHEN solving THEN BackendError now, not an hour's wait."""
    server.script_error(429, "Throttling.AllocationQuota", retry_after=3600)
    with pytest.raises(BackendError):
        solve_all(rec.backend())
    assert rec.sleeps == []
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "script",
    [
        lambda s: s.script_error(500, "InternalError"),
        lambda s: s.script_error(503, "ServiceUnavailable"),
        lambda s: s.script_error(504, "RequestTimeOut"),
        lambda s: s.script_raw(
            502, "<html>Bad Gateway</html>", headers={"Content-Type": "text/html"}
        ),
        lambda s: s.script_stream_error("InternalError"),
    ],
    ids=["500", "503", "504", "502-html", "in-stream-InternalError"],
)
def test_server_failures_are_retried(server: FakeDashScope, rec: Recorder, script: Script) -> None:
    """GIVEN one server-side failure WHEN solving THEN it is retried and the answer arrives."""
    script(server)
    server.script_text(chunks=["after ", "retry"])
    assert solve_all(rec.backend()) == ["after ", "retry"]
    assert len(rec.notices) == 1


def test_server_failure_exhausted_is_a_backend_error(server: FakeDashScope, rec: Recorder) -> None:
    """GIVEN 503 on every try WHEN solving THEN BackendError naming the failure."""
    for _ in range(3):
        server.script_error(503, "ServiceUnavailable")
    with pytest.raises(BackendError, match="ServiceUnavailable"):
        solve_all(rec.backend(max_retries=2))
    assert len(server.requests) == 3


def test_a_connection_dropped_before_any_reply_is_retried(
    server: FakeDashScope, rec: Recorder
) -> None:
    """GIVEN dropped connections (the SDK resends once itself) WHEN solving THEN we retry too."""
    for _ in range(2):
        server.script_disconnect()
    server.script_text(chunks=["back"])
    assert solve_all(rec.backend()) == ["back"]
    assert len(server.requests) == 3
    assert "Could not reach DashScope" in rec.notices[0][2]


def test_connection_refused_is_a_backend_error(
    monkeypatch: pytest.MonkeyPatch, rec: Recorder
) -> None:
    """GIVEN no server listening WHEN solving THEN retries, then 'Could not reach DashScope'."""
    fake = FakeDashScope().start()
    monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", fake.base_url)
    fake.stop()

    with pytest.raises(BackendError, match="Could not reach DashScope") as info:
        solve_all(rec.backend(max_retries=2))

    assert not isinstance(info.value, StreamInterrupted)
    assert len(rec.sleeps) == 2
    assert KEY not in str(info.value)


# -- refusals and broken streams -----------------------------------------------------------------


@pytest.mark.parametrize(
    "script",
    [
        lambda s: s.script_error(400, "DataInspectionFailed"),
        lambda s: s.script_error(400, "DataInspectionFailed", sse=True),
        lambda s: s.script_stream_error("DataInspectionFailed", chunks=["The ", "answer"]),
    ],
    ids=["http-json", "http-sse", "in-stream"],
)
def test_content_inspection_refusal_is_a_backend_error(
    server: FakeDashScope, rec: Recorder, script: Script
) -> None:
    """GIVEN DataInspectionFailed WHEN solving THEN a sentence about content inspection."""
    script(server)
    _, error = solve_until_error(rec.backend())
    assert type(error) is BackendError
    assert "content inspection" in str(error)
    assert len(server.requests) == 1


def test_invalid_parameter_is_a_backend_error_with_the_reason(
    server: FakeDashScope, rec: Recorder
) -> None:
    """GIVEN 400 InvalidParameter WHEN solving THEN BackendError with the service's reason."""
    server.script_error(400, "InvalidParameter", "Range of input length should be [1, 3072]")
    _, error = solve_until_error(rec.backend())
    assert type(error) is BackendError
    assert "Range of input length" in str(error)
    assert rec.notices == []


def test_a_stream_dropped_mid_answer_keeps_the_partial_answer(
    server: FakeDashScope, rec: Recorder
) -> None:
    """GIVEN a stream cut after two chunks WHEN solving THEN two deltas, then StreamInterrupted."""
    server.script_drop_after(["Let ", "x = 2"])
    got, error = solve_until_error(rec.backend())
    assert got == ["Let ", "x = 2"]
    assert isinstance(error, StreamInterrupted)
    assert error.exit_code == 5
    assert "partial answer was kept" in str(error)
    assert len(server.requests) == 1  # never retried once text was shown


def test_the_key_never_appears_in_an_error(server: FakeDashScope, rec: Recorder) -> None:
    """GIVEN errors, even one whose message echoes the key, WHEN failing THEN the key is masked."""
    server.script_error(400, "InvalidParameter", f"bad header Bearer {KEY}")
    server.script_error(401, "InvalidApiKey")
    server.script_drop_after(["a"])
    backend = rec.backend(max_retries=0)
    for _ in range(3):
        _, error = solve_until_error(backend)
        assert KEY not in str(error)
        assert KEY not in repr(error)
    assert KEY not in repr(backend)


# -- cancel ---------------------------------------------------------------------------------------


def test_cancel_mid_stream_returns_promptly(server: FakeDashScope, rec: Recorder) -> None:
    """GIVEN a stream that stalls for 10 s WHEN cancelled THEN Cancelled in well under 1 s."""
    server.script_text(chunks=["one ", "two ", "three"], delay=[0, 0, 10])
    cancel = threading.Event()
    stream = rec.backend().solve(solver_messages("", "x"), cancel)
    assert [next(stream), next(stream)] == ["one ", "two "]

    timer = threading.Timer(0.1, cancel.set)
    timer.start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        next(stream)
    elapsed = time.monotonic() - started
    timer.join()

    assert elapsed < 1.0


def test_closing_the_generator_early_releases_everything(
    server: FakeDashScope, rec: Recorder
) -> None:
    """GIVEN a slow stream WHEN the consumer stops after one delta THEN nothing is left behind."""
    server.script_text(chunks=["a", "b", "c"], delay=[0, 5])
    stream = rec.backend().solve(solver_messages("", "x"), threading.Event())
    assert next(stream) == "a"
    assert isinstance(stream, Generator)
    stream.close()  # the thread-leak fixture checks the watcher thread is gone


def test_cancel_before_start_sends_nothing(server: FakeDashScope, rec: Recorder) -> None:
    """GIVEN a cancelled token WHEN solving THEN Cancelled and no request."""
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        solve_all(rec.backend(), cancel)
    assert server.requests == []


def test_cancel_during_a_backoff_wait_returns_promptly(server: FakeDashScope) -> None:
    """GIVEN a 429 asking for 10 s WHEN cancelled during the wait THEN Cancelled at once."""
    server.script_error(429, "Throttling", retry_after=10)
    cancel = threading.Event()
    timer = threading.Timer(0.2, cancel.set)
    timer.start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        solve_all(DashScopeBackend(api_key=KEY), cancel)  # the real, cancellable wait
    timer.join()
    assert time.monotonic() - started < 1.0


# -- base URL, region, import ---------------------------------------------------------------------


def test_region_picks_the_base_url_unless_the_env_var_overrides(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN a region WHEN no override THEN its URL; DASHSCOPE_HTTP_BASE_URL wins when set."""
    monkeypatch.delenv("DASHSCOPE_HTTP_BASE_URL", raising=False)
    assert DashScopeBackend(api_key=KEY).base_url == "https://dashscope.aliyuncs.com/api/v1"
    intl = DashScopeBackend(api_key=KEY, region="international")
    assert intl.base_url == BASE_URLS["international"]
    assert intl.base_url == "https://dashscope-intl.aliyuncs.com/api/v1"
    monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", "http://127.0.0.1:9/api/v1")
    assert intl.base_url == "http://127.0.0.1:9/api/v1"
    with pytest.raises(ConfigError, match="region"):
        DashScopeBackend(api_key=KEY, region="mars")


def test_env_var_set_after_the_sdk_import_is_honoured_without_globals(
    monkeypatch: pytest.MonkeyPatch, rec: Recorder
) -> None:
    """GIVEN the SDK already imported WHEN the env var is set later THEN calls go there."""
    sdk = importlib.import_module("dashscope")
    global_url = sdk.base_http_api_url
    with FakeDashScope() as fake:
        monkeypatch.setenv("DASHSCOPE_HTTP_BASE_URL", fake.base_url)
        assert solve_all(rec.backend()) != []
        assert len(fake.requests) == 1
    assert sdk.base_http_api_url == global_url
    assert getattr(sdk, "api_key", None) != KEY


def test_importing_the_backend_does_not_import_the_sdk() -> None:
    """GIVEN a fresh interpreter WHEN the module is imported THEN dashscope is not loaded."""
    code = (
        "import sys, desktop_app.core.backends.dashscope_cloud as m; "
        "assert 'dashscope' not in sys.modules, 'dashscope imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# -- the fake itself ----------------------------------------------------------------------------


def test_the_fake_frames_events_like_the_real_service(server: FakeDashScope) -> None:
    """GIVEN a streamed request WHEN read raw THEN events have the real framing, cumulative text."""
    url = server.base_url + "/services/aigc/multimodal-generation/generation"
    body = {"model": "m", "input": {"messages": [{"role": "user", "content": [{"text": "t"}]}]}}
    headers = {"Authorization": f"Bearer {KEY}", "X-DashScope-SSE": "enable"}
    server.script_text(chunks=["ab", "cd"])
    with requests.post(url, json=body, headers=headers, stream=True, timeout=5) as response:
        text = response.content.decode()
    events = text.split("\n\n")
    assert events[0].startswith('id:1\nevent:result\n:HTTP_STATUS/200\ndata:{"output":')
    assert '"content":[{"text":"ab"}]' in events[0]
    assert '"content":[{"text":"abcd"}]' in events[1]  # no incremental_output: cumulative
    assert '"finish_reason":"stop"' in events[2]


# -- TIR continuation ---------------------------------------------------------------------------


def test_tir_round_trip_uses_partial_mode_and_stop(server: FakeDashScope, rec: Recorder) -> None:
    """GIVEN a TIR solve WHEN the model writes code THEN stop cuts it, the sandbox runs it,
    and the assistant prefix goes back with partial: true for the continuation."""
    from desktop_app.core.events import CodeOutput, FinalAnswer
    from desktop_app.core.pipeline import Backends, SolveRequest, run_pipeline
    from desktop_app.core.sandbox import SandboxResult

    server.script_text(
        "Compute:\n```python\nprint(2 + 2)\n```\n```output\n5\n```\n", endpoint="text"
    )
    server.script_text("So the answer is \\boxed{4}.", endpoint="text")
    backend = rec.backend()
    events = list(
        run_pipeline(
            SolveRequest(question="2+2?", mode="tir"),
            Backends(lambda: backend, lambda: backend, "r", "s"),
            threading.Event(),
            code_runner=lambda source, cancel: SandboxResult(
                "4" if source == "print(2 + 2)" else "?", "ok"
            ),
        )
    )
    assert CodeOutput("4", "ok") in events
    assert FinalAnswer("4", "verified", "The expression is 4, as the answer says.") in events
    first, second = server.requests_to("text")
    assert first.stop == ["```output"]
    assert not first.partial
    assert second.partial
    assert second.messages[-1] == {
        "role": "assistant",
        "content": "Compute:\n```python\nprint(2 + 2)\n```\n```output\n4\n```\n",
        "partial": True,
    }


def test_stop_is_enforced_even_when_the_service_ignores_it(
    server: FakeDashScope, rec: Recorder
) -> None:
    """GIVEN a reply that runs past a stop string split across chunks THEN it is cut anyway."""
    from desktop_app.core.backends.stop_strings import cut_at_stop

    assert "".join(cut_at_stop(iter(["ab`", "``out", "put\nx"]), ["```output"])) == "ab"
    assert "".join(cut_at_stop(iter(["ab`", "`x"]), ["```output"])) == "ab``x"
    assert "".join(cut_at_stop(iter(["ab", "c"]), [""])) == "abc"  # an empty stop cuts nothing
    server.script_text(chunks=["x ```", "outp", "ut\n9"], endpoint="text")
    got = list(rec.backend().solve(solver_messages("", "q"), threading.Event(), stop=["```out"]))
    assert "".join(got) == "x "
