"""The settings dialog's checks: a Test button's runner, and the one-token DashScope probe."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QLabel, QPushButton

from desktop_app.core.errors import ConfigError
from desktop_app.core.secrets import MISSING_KEY
from desktop_app.ui.settings.form import show_result, translate
from desktop_app.ui.workers import Worker, failure_sentence, start_worker

# The dialog's background work shares one thread name: tests check none outlives the dialog.
CHECK_THREAD = "settings-check"


def dashscope_probe(key: str, region: str, model: str, cancel: threading.Event) -> str:
    """Ask DashScope's solver model for one token; raise the backend's sentence when it fails."""
    from desktop_app.core.backends.dashscope_cloud import DashScopeBackend

    if not key:
        raise ConfigError(MISSING_KEY)
    backend = DashScopeBackend(
        api_key=key, region=region, solver_model=model, max_retries=0, request_timeout=30.0
    )
    stream = backend.solve([{"role": "user", "content": "1+1="}], cancel)
    try:
        next(stream, None)  # one delta proves the key, region and model; stop there
    finally:
        getattr(stream, "close", lambda: None)()  # a generator: release the connection now
    return model


class CheckRunner(QObject):
    """A page's Test button: runs one check at a time off the GUI thread and shows how it went.

    While it runs the button is disabled and `label` says so; then `label` shows the check's
    error, or the sentence `describe` makes of its result.
    """

    def __init__(self, button: QPushButton, label: QLabel, parent: QObject) -> None:
        super().__init__(parent)
        self._button, self._label = button, label
        self._worker: Worker | None = None
        self._describe: Callable[[Any], str] = str

    @property
    def running(self) -> bool:
        """Whether a check is under way."""
        return self._worker is not None

    def run(self, fn: Callable[[threading.Event], Any], describe: Callable[[Any], str]) -> None:
        """Start fn(cancel), unless a check is already running."""
        if self._worker is not None:
            return
        self._button.setEnabled(False)
        show_result(self._label, translate("SettingsDialog", "Connecting…"), None)
        self._describe = describe
        self._worker = start_worker(
            fn,
            CHECK_THREAD,
            returned=self._on_returned,
            errored=self._on_errored,
            finished=self._on_finished,
        )

    def shutdown(self, timeout: float) -> None:
        """Cancel and join a check still running."""
        if self._worker is not None:
            self._worker.cancel()
            self._worker.wait(timeout)

    @Slot(object)
    def _on_returned(self, result: object) -> None:
        show_result(self._label, self._describe(result), True)

    @Slot(object)
    def _on_errored(self, exc: BaseException) -> None:
        fallback = translate("SettingsDialog", "The check failed; see the log.")
        show_result(self._label, failure_sentence(exc, fallback), False)

    @Slot()
    def _on_finished(self) -> None:
        self._button.setEnabled(True)
        self._worker = None
