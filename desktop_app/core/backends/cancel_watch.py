"""Cutting a network read that is blocked when the user presses Stop."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

POLL_S = 0.05  # how soon a cancel cuts a read that is blocked on the network


@contextmanager
def cut_on_cancel(cancel: threading.Event, cut: Callable[[], None], name: str) -> Iterator[None]:
    """While the block runs, call `cut` on every poll once `cancel` is set.

    A socket read blocked on a silent server does not look at the cancel token; `cut` shuts
    the socket so the read returns at once. It may be called more than once and must not
    raise. The watcher thread has ended when the block has.
    """
    done = threading.Event()

    def watch() -> None:
        while not done.wait(POLL_S):
            if cancel.is_set():
                cut()

    watcher = threading.Thread(target=watch, name=name, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
