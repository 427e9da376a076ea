"""The shared retry policy: backoff, Retry-After, give-up, cancel, no retry after output."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from desktop_app.core.backends.retry import RetryLater, RetryPolicy, parse_retry_after
from desktop_app.core.errors import BackendError, Cancelled


def flaky(failures: list[RetryLater]) -> Iterator[str]:
    if failures:
        raise failures.pop(0)
    yield "ok"


def test_backs_off_exponentially_then_succeeds() -> None:
    """GIVEN two retryable failures THEN waits 1 s then 2 s, reports both, then streams."""
    waits: list[float] = []
    notices: list[tuple[int, float, str]] = []
    policy = RetryPolicy(3, 1.0, 30.0, lambda *n: notices.append(n), waits.append)
    failures = [RetryLater("busy", BackendError("x")), RetryLater("busy", BackendError("x"))]
    assert list(policy.stream(lambda: flaky(failures), threading.Event())) == ["ok"]
    assert waits == [1.0, 2.0]
    assert notices == [(1, 1.0, "busy"), (2, 2.0, "busy")]


def test_retry_after_is_honoured_and_a_long_one_fails_at_once() -> None:
    """GIVEN Retry-After THEN it sets the wait; beyond the maximum the final error is raised."""
    waits: list[float] = []
    policy = RetryPolicy(3, 1.0, 10.0, None, waits.append)
    failures = [RetryLater("slow down", BackendError("x"), retry_after=4.0)]
    assert list(policy.stream(lambda: flaky(failures), threading.Event())) == ["ok"]
    assert waits == [4.0]
    final = BackendError("Still throttled.")
    with pytest.raises(BackendError, match="Still throttled"):
        list(policy.stream(lambda: flaky([RetryLater("x", final, 60.0)]), threading.Event()))


def test_gives_up_after_max_retries_with_the_final_error() -> None:
    """GIVEN endless failures THEN max_retries waits, then the final error."""
    waits: list[float] = []
    policy = RetryPolicy(2, 1.0, 30.0, None, waits.append)
    failures = [RetryLater("busy", BackendError("Gave up.")) for _ in range(5)]
    with pytest.raises(BackendError, match="Gave up"):
        list(policy.stream(lambda: flaky(failures), threading.Event()))
    assert waits == [1.0, 2.0]


def test_cancel_during_the_wait_stops_at_once() -> None:
    """GIVEN a cancel set while backing off THEN Cancelled, without another attempt."""
    cancel = threading.Event()
    policy = RetryPolicy(3, 1.0, 30.0, None, lambda delay: cancel.set())
    failures = [RetryLater("busy", BackendError("x"))]
    with pytest.raises(Cancelled):
        list(policy.stream(lambda: flaky(failures), cancel))


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", 3.0), ("0.5", 0.5), ("-2", 0.0), (None, None), ("soon", None)],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    """GIVEN a Retry-After header value THEN seconds, or None when unreadable."""
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date_in_the_past_is_zero() -> None:
    """GIVEN an HTTP date already past THEN no wait."""
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
