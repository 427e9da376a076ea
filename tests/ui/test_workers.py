"""The one background worker: its signals in order, errors, cancellation, the registry."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Slot

from desktop_app.core.errors import ConfigError
from desktop_app.ui.workers import (
    Worker,
    await_workers,
    failure_sentence,
    running_workers,
    start_worker,
)


def test_a_function_reports_started_returned_finished_in_order(qtbot: Any) -> None:
    """GIVEN a function WHEN it runs THEN started, returned (its value), finished, in order,
    and it ran on the worker's own thread."""
    ran_on: list[str] = []

    def work(_cancel: threading.Event) -> int:
        ran_on.append(threading.current_thread().name)
        return 42

    worker = Worker(work, "test-function")
    returned: list[object] = []
    worker.returned.connect(returned.append)
    signals = [worker.started, worker.returned, worker.finished]
    with qtbot.waitSignals(signals, order="strict", timeout=5000):
        worker.start()
    assert returned == [42]
    assert ran_on == ["test-function"]


def test_a_generator_yields_each_item_then_returns(qtbot: Any) -> None:
    """GIVEN a generator WHEN it runs THEN each item is yielded in order before its return
    value is returned."""

    def work(_cancel: threading.Event) -> Iterator[int]:
        yield 1
        yield 2
        return "done"  # type: ignore[misc]  # a generator's return value

    seen: list[object] = []
    worker = Worker(work, "test-generator")
    worker.yielded.connect(lambda item: seen.append(("yielded", item)))
    worker.returned.connect(lambda value: seen.append(("returned", value)))
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.start()
    assert seen == [("yielded", 1), ("yielded", 2), ("returned", "done")]


def test_errors_arrive_as_errored_and_bugs_are_logged(qtbot: Any, caplog: Any) -> None:
    """GIVEN work raising our one-sentence error, and work with a bug WHEN they run THEN both
    end with errored then finished; only the bug is logged with its traceback."""
    caplog.set_level(logging.ERROR, logger="desktop_app.ui.workers")
    errors: list[BaseException] = []

    def config(_cancel: threading.Event) -> None:
        raise ConfigError("The key is missing.")

    def bug(_cancel: threading.Event) -> None:
        raise ZeroDivisionError("1/0")

    for work in (config, bug):
        worker = Worker(work, "test-error")
        worker.errored.connect(errors.append)
        with qtbot.waitSignals([worker.errored, worker.finished], order="strict", timeout=5000):
            worker.start()
    assert [type(e) for e in errors] == [ConfigError, ZeroDivisionError]
    assert failure_sentence(errors[0], "fallback") == "The key is missing."
    assert failure_sentence(errors[1], "fallback") == "fallback"
    crashes = [r for r in caplog.records if "crashed" in r.getMessage()]
    assert len(crashes) == 1
    assert crashes[0].exc_info is not None


def test_cancel_sets_the_token_the_work_reads(qtbot: Any) -> None:
    """GIVEN work that yields until cancelled WHEN cancel() THEN it ends where it next reads
    the token, still reporting how it ended."""
    started = threading.Event()

    def work(cancel: threading.Event) -> Iterator[str]:
        started.set()
        while not cancel.wait(0.01):
            pass
        yield "stopped"

    worker = start_worker(work, "test-cancel")
    seen: list[object] = []
    worker.yielded.connect(seen.append)
    assert started.wait(5)
    assert worker in running_workers()
    with qtbot.waitSignal(worker.finished, timeout=5000):
        worker.cancel()
    assert worker.cancelled
    assert seen == ["stopped"]
    assert worker.wait(1)
    assert worker not in running_workers()


def test_await_workers_cancels_and_joins_every_running_worker() -> None:
    """GIVEN two workers waiting for cancel WHEN shutdown awaits the workers THEN both were
    cancelled and have ended; a worker that ignores cancel past the time limit is reported."""
    release = threading.Event()
    polite = [start_worker(lambda cancel: cancel.wait(30), "test-await") for _ in range(2)]
    stubborn = start_worker(lambda _cancel: release.wait(30), "test-stubborn")
    assert not await_workers(timeout=0.3)
    assert all(w.cancelled and not w.is_running() for w in polite)
    assert stubborn.is_running()
    release.set()
    assert await_workers(timeout=5)
    assert running_workers() == []


class _Receiver(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[object] = []

    @Slot(object)
    def on_returned(self, value: object) -> None:
        self.calls.append(value)


def test_a_deleted_receiver_is_not_called_and_the_worker_is_released(qtbot: Any) -> None:
    """GIVEN a receiver (a dialog's page) deleted while the work runs WHEN the work returns
    THEN the receiver is never called, and the worker itself is deleted on the GUI thread."""
    go = threading.Event()
    receiver = _Receiver()
    worker = start_worker(lambda _cancel: go.wait(5), "test-release")
    worker.returned.connect(receiver.on_returned)
    receiver.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not shiboken6.isValid(receiver)
    finished = []
    worker.finished.connect(lambda: finished.append(True))
    go.set()
    qtbot.waitUntil(lambda: bool(finished), timeout=5000)
    qtbot.waitUntil(lambda: not shiboken6.isValid(worker), timeout=5000)


@pytest.fixture(autouse=True)
def _nothing_left() -> Iterator[None]:
    yield
    assert await_workers(timeout=5)
