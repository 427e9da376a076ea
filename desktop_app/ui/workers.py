"""One way to run work off the GUI thread: a Worker with one set of signals, cancellation, and
a registry that shutdown joins (docs/adr/008-one-background-worker.md).

The work is `work(cancel)`: a function, whose return value becomes `returned`, or a generator,
whose items become `yielded` as they come and whose return value becomes `returned`. The
signals are emitted on the worker's thread and queued to receivers on the GUI thread, in order:

    started, yielded*, (returned | errored), finished

`cancel()` sets the token the work reads; the work ends at its next check (backends read it
between chunks and inside `generate`), so a cancelled run still reports how it ended. A worker
belongs to the registry until its `finished` has been delivered, then it is deleted on the GUI
thread: a receiver that was deleted meanwhile (a closed dialog) is simply not called.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from desktop_app.core.errors import AppError

log = logging.getLogger(__name__)

Work = Callable[[threading.Event], Any]

_workers: set[Worker] = set()  # started and not yet released on the GUI thread
_registry: _Registry | None = None


class _Registry(QObject):
    """Owns every worker (so Python's collector never deletes one) and releases it when done."""

    @Slot()
    def _on_finished(self) -> None:
        worker = self.sender()
        if isinstance(worker, Worker):
            worker.wait()  # it emitted `finished` as its last act: this returns at once
            _workers.discard(worker)
            worker.deleteLater()


def _owner() -> _Registry:
    global _registry
    if _registry is None:
        _registry = _Registry()  # made on the GUI thread, by the first worker
    return _registry


class Worker(QObject):
    """Runs `work(cancel)` on a daemon thread named `name`, reporting through queued signals."""

    started = Signal()
    yielded = Signal(object)  # each item a generator yields
    returned = Signal(object)  # what the work returned (None for most generators)
    errored = Signal(object)  # the exception the work raised (bugs are logged with traceback)
    finished = Signal()  # always, last

    def __init__(self, work: Work, name: str) -> None:
        registry = _owner()
        super().__init__(registry)
        self.name = name
        self.cancel_event = threading.Event()
        self._work = work
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.finished.connect(registry._on_finished)

    @property
    def cancelled(self) -> bool:
        """Whether cancel() was called."""
        return self.cancel_event.is_set()

    def start(self) -> None:
        """Begin the work on its own thread."""
        _workers.add(self)
        self._thread.start()

    def cancel(self) -> None:
        """Ask the work to stop; it stops where it next reads the cancel token."""
        self.cancel_event.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Join the thread (if it started); True when it has ended."""
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def is_running(self) -> bool:
        """Whether the thread has started and not yet ended."""
        return self._thread.is_alive()

    def _run(self) -> None:
        self.started.emit()
        try:
            result = self._work(self.cancel_event)
            if isinstance(result, Generator):
                result = self._drain(result)
            self.returned.emit(result)
        except Exception as exc:  # a bug must still end the work visibly, never hang the window
            if not isinstance(exc, AppError):
                log.exception("background work %r crashed", self.name)
            self.errored.emit(exc)
        finally:
            self.finished.emit()

    def _drain(self, items: Generator[Any, None, Any]) -> Any:
        while True:
            try:
                item = next(items)
            except StopIteration as stop:
                return stop.value
            self.yielded.emit(item)


def start_worker(work: Work, name: str, **slots: Callable[..., object]) -> Worker:
    """A started worker, each of `slots` (started=, yielded=, returned=, errored=, finished=)
    connected to the signal of that name first."""
    worker = Worker(work, name)
    for signal, slot in slots.items():
        getattr(worker, signal).connect(slot)
    worker.start()
    return worker


def running_workers() -> list[Worker]:
    """The workers whose thread is still running."""
    return [worker for worker in list(_workers) if worker.is_running()]


def await_workers(timeout: float = 5.0) -> bool:
    """Cancel every running worker and join them all (at shutdown); True when none is left."""
    running = running_workers()
    for worker in running:
        worker.cancel()
    deadline = time.monotonic() + timeout
    for worker in running:
        worker.wait(max(0.0, deadline - time.monotonic()))
    return not running_workers()


def failure_sentence(exc: BaseException, fallback: str) -> str:
    """What to show for an `errored` exception: an AppError's own sentence, else `fallback`
    (the bug itself is in the log, with its traceback)."""
    return str(exc) if isinstance(exc, AppError) else fallback
