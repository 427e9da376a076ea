"""The DashScope backend: cancel, base URL and region, lazy import, the fake, TIR."""

from __future__ import annotations

import importlib
import subprocess
import sys
import threading
import time
from collections.abc import Generator

import pytest
import requests

from desktop_app.core.backends.dashscope_cloud import BASE_URLS, DashScopeBackend
from desktop_app.core.errors import (
    Cancelled,
    ConfigError,
)
from desktop_app.core.prompts import solver_messages
from tests.core.backends.dashscope.helpers import (
    KEY,
    ROOT,
    Recorder,
    solve_all,
)
from tests.fakes.dashscope_server import FakeDashScope

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
