"""Waiting for threads a test started to finish, for the leak checks that run after each test."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import TypeVar

T = TypeVar("T")


def wait_threads_gone(alive: Callable[[], Collection[T]], timeout: float = 2.0) -> set[T]:
    """Poll `alive()` (threads, or workers) until it is empty or `timeout` seconds pass; return
    what it holds then."""
    deadline = time.monotonic() + timeout
    while alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    return set(alive())
