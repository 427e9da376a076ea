"""Cutting a network read that is blocked: when the user presses Stop, or the stream stalls."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Literal

from desktop_app.core.errors import BackendError, StreamInterrupted

POLL_S = 0.05  # how soon a cancel cuts a read that is blocked on the network
Expiry = Literal["no_progress", "deadline"]


@dataclass(frozen=True)
class StreamLimits:
    """How long one streamed reply may go without new text, and may take in all (seconds)."""

    no_progress_s: float = 120.0
    deadline_s: float = 900.0


class StreamWatch:
    """While a reply streams, cut its socket on cancel, or when it stalls or runs too long.

    A socket read blocked on a silent server does not look at the cancel token, and a server
    that sends keep-alive comments forever never trips a read timeout; `cut` shuts the socket
    so the read returns at once. `cut` may be called more than once and must not raise. The
    reader calls `progress()` whenever new text arrives; after the stream ends (or fails),
    `expired` says whether this watch cut it for time. The watcher thread has ended when the
    `with` block has.
    """

    def __init__(
        self,
        cancel: threading.Event,
        cut: Callable[[], None],
        name: str,
        limits: StreamLimits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._cancel, self._cut, self._limits, self._clock = cancel, cut, limits, clock
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=name, daemon=True)
        self._start = clock()
        self._last: float | None = None  # the stall clock starts at the first progress()
        self.expired: Expiry | None = None

    def __enter__(self) -> StreamWatch:
        self._start = self._clock()
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._done.set()
        self._thread.join()

    def progress(self) -> None:
        """The reply's headers or new text arrived, or the consumer just took the last text:
        the stall clock (re)starts. Before the first call only the deadline counts."""
        self._last = self._clock()

    def failure(self, service: str, started: bool) -> BackendError:
        """The error for a stream this watch cut for time; `service` names the server."""
        limits = self._limits or StreamLimits()
        if self.expired == "deadline":
            what = (
                f"{service} was still answering after {limits.deadline_s:g} seconds "
                "([network] answer_deadline_seconds)"
            )
        else:
            what = (
                f"{service} sent no new text for {limits.no_progress_s:g} seconds "
                "([network] no_progress_seconds)"
            )
        if started:
            return StreamInterrupted(
                f"{what}, so the answer was stopped; the partial answer was kept."
            )
        return BackendError(f"{what}, so the request was given up.")

    def _watch(self) -> None:
        while not self._done.wait(POLL_S):
            if self._cancel.is_set():
                self._cut()
            elif self._limits is not None and self.expired is None:
                now = self._clock()
                if now - self._start > self._limits.deadline_s:
                    self.expired = "deadline"
                elif self._last is not None and now - self._last > self._limits.no_progress_s:
                    self.expired = "no_progress"
            if self.expired is not None:
                self._cut()


@contextmanager
def cut_on_cancel(cancel: threading.Event, cut: Callable[[], None], name: str) -> Iterator[None]:
    """While the block runs, call `cut` on every poll once `cancel` is set."""
    with StreamWatch(cancel, cut, name):
        yield
