"""The DashScope backend: retries, refusals and broken streams (real SDK, fake service)."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest

from desktop_app.core.errors import (
    BackendError,
    StreamInterrupted,
)
from tests.core.backends.dashscope.helpers import (
    KEY,
    Recorder,
    Script,
    solve_all,
    solve_until_error,
)
from tests.fakes.dashscope_server import FakeDashScope

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
