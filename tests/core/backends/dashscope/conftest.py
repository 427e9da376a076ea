"""Fixtures of the DashScope backend tests: the fake service, the recorder, no leaked threads."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tests.core.backends.dashscope.helpers import Recorder
from tests.fakes.dashscope_server import FakeDashScope
from tests.threads import wait_threads_gone


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


@pytest.fixture
def rec() -> Recorder:
    return Recorder()
