"""The DashScope backend: what it sends and streams, and its configuration errors."""

from __future__ import annotations

import base64
import re
import threading

import pytest

from desktop_app.core.errors import (
    ConfigError,
)
from desktop_app.core.prompts import READER_PROMPT, solver_messages
from tests.core.backends.dashscope.helpers import (
    KEY,
    PNG,
    Recorder,
    solve_all,
)
from tests.fakes.dashscope_server import FakeDashScope

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
