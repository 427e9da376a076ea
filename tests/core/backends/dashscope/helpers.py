"""Shared pieces of the DashScope backend tests: the test key, a recorder of retries and sleeps."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from desktop_app.core.backends.dashscope_cloud import DashScopeBackend
from desktop_app.core.errors import AppError
from desktop_app.core.prompts import solver_messages
from tests.fakes.dashscope_server import FakeDashScope

KEY = "sk-test-0123456789abcdef"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
ROOT = Path(__file__).resolve().parents[4]
Script = Callable[[FakeDashScope], None]


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
