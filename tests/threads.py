"""Waiting for threads a test started to finish, for the leak checks that run after each test."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection


def wait_threads_gone(
    alive: Callable[[], Collection[threading.Thread]], timeout: float = 2.0
) -> set[threading.Thread]:
    """Poll `alive()` until it is empty or `timeout` seconds pass; return what it holds then."""
    deadline = time.monotonic() + timeout
    while alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    return set(alive())
