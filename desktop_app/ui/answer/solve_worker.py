"""One solve as a worker: backends built on its thread, events recorded in the history."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

from desktop_app.core.backends.base import RetryNotice
from desktop_app.core.events import Event, Notice, Retrying
from desktop_app.core.history.recorder import record
from desktop_app.core.history.store import HistoryStore
from desktop_app.core.pipeline import Backends, SolveRequest, run_pipeline
from desktop_app.ui.workers import Worker

# Builds the backends for one run, given where to report retries and warnings.
BackendsFactory = Callable[[RetryNotice, Callable[[str], None]], Backends]


def solve_worker(
    request: SolveRequest,
    make_backends: BackendsFactory,
    store: HistoryStore | None,
    conversation_id: str | None = None,
) -> Worker:
    """A worker (not yet started) yielding the pipeline's events, saved as they arrive; cancel()
    ends the run with a Failed event carrying exit code 130."""

    def on_retry(attempt: int, delay: float, reason: str) -> None:
        worker.yielded.emit(Retrying(attempt, delay, reason))

    def on_warning(message: str) -> None:
        worker.yielded.emit(Notice(message))

    def events(cancel: threading.Event) -> Iterator[Event]:
        # runs on the worker thread: building backends may touch the keyring or load models
        stream = run_pipeline(request, make_backends(on_retry, on_warning), cancel)
        if store is not None:
            stream = record(
                stream,
                store,
                question=request.question,
                transcript=request.transcript,
                reads_image=request.reads_image,
                conversation_id=conversation_id,
            )
        yield from stream

    worker = Worker(events, "pipeline")  # the callbacks above reach it once it exists
    return worker
