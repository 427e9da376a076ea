"""Runs a pipeline generator off the GUI thread and delivers its events through queued signals."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, Signal

from desktop_app.core.events import Event, Failed

log = logging.getLogger(__name__)

EventSource = Callable[[threading.Event], Iterator[Event]]


class CancellableThread:
    """A daemon thread running `target(cancel)`: start it, ask it to stop, join it."""

    def __init__(self, target: Callable[[threading.Event], None], name: str) -> None:
        self.cancel_event = threading.Event()
        self._thread = threading.Thread(
            target=target, args=(self.cancel_event,), name=name, daemon=True
        )

    def start(self) -> None:
        """Begin."""
        self._thread.start()

    def cancel(self) -> None:
        """Set the token the target reads; it stops at its next check."""
        self.cancel_event.set()

    def is_running(self) -> bool:
        """Whether the thread is still alive."""
        return self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Join the thread (if it started); True when it has ended."""
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return not self._thread.is_alive()


class PipelineWorker(QObject):
    """One run of a pipeline on a background thread; Stop sets the cancel token it reads."""

    # Emitted from the worker thread; Qt queues them to receivers on the GUI thread.
    event_emitted = Signal(object)
    finished = Signal()

    def __init__(self, source: EventSource, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._task = CancellableThread(self._run, "pipeline")

    def start(self) -> None:
        """Begin the run."""
        self._task.start()

    def cancel(self) -> None:
        """Ask the run to stop; it ends with a Failed event carrying exit code 130."""
        self._task.cancel()

    def is_running(self) -> bool:
        """Whether the background thread is still alive."""
        return self._task.is_running()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the thread ends (tests and shutdown); True when it has."""
        return self._task.wait(timeout)

    def _run(self, cancel: threading.Event) -> None:
        try:
            for event in self._source(cancel):
                self.event_emitted.emit(event)
        except Exception:  # a bug must still end the run visibly, never freeze the window
            log.exception("pipeline crashed")
            self.event_emitted.emit(
                Failed(self.tr("Something went wrong inside Qwen Math; details are in the log."), 1)
            )
        finally:
            self.finished.emit()
