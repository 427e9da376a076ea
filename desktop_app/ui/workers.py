"""Runs a pipeline generator off the GUI thread and delivers its events through queued signals."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, Signal

from desktop_app.core.errors import AppError
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

    def wait(self, timeout: float | None = None) -> bool:
        """Join the thread (if it started); True when it has ended."""
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return not self._thread.is_alive()


class ThreadControls:
    """start, cancel and wait for a class whose work runs on `self._task`."""

    _task: CancellableThread

    def start(self) -> None:
        """Begin the work."""
        self._task.start()

    def cancel(self) -> None:
        """Ask the work to stop; it stops where it next reads the cancel token."""
        self._task.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Join the thread (tests and shutdown); True when it has ended."""
        return self._task.wait(timeout)


def failure_sentence(exc: Exception, logger: logging.Logger, crashed: str, sentence: str) -> str:
    """What to show for `exc`, raised by background work: an AppError's own sentence, or else
    `sentence` once the bug is logged (as `crashed`, with its traceback: call it in `except`)."""
    if isinstance(exc, AppError):
        return str(exc)
    logger.exception(crashed)
    return sentence


class PipelineWorker(QObject, ThreadControls):
    """One run of a pipeline on a background thread; cancel() ends it with a Failed event
    carrying exit code 130."""

    # Emitted from the worker thread; Qt queues them to receivers on the GUI thread.
    event_emitted = Signal(object)
    finished = Signal()

    def __init__(self, source: EventSource, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._task = CancellableThread(self._run, "pipeline")

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
