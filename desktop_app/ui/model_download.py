"""The Local models page's Download button: fetch a hub model off the GUI thread, with progress.

Each look-up or download runs on a daemon thread that owns a relay QObject (the pattern of
setup_flow's _KeyCheck): the thread never touches a widget, and a closed dialog is never
signalled, because Qt drops the connections to a deleted receiver. The fetcher cancels and joins
its threads when the dialog finishes and, at the latest, when the fetcher itself is deleted.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QProgressBar, QPushButton, QWidget

from desktop_app.core.errors import AppError, Cancelled
from desktop_app.core.local_models import ModelInfo, Stage, is_hub_id, validate_model_folder
from desktop_app.ui.workers import CancellableThread, ThreadControls, failure_sentence

translate = QCoreApplication.translate  # pyside6-lupdate extracts calls to `translate`
log = logging.getLogger(__name__)

Downloader = Callable[..., Path]  # download_model(repo_id, *, progress=..., cancel=...)
CacheLookup = Callable[[str], Path | None]  # cached_snapshot(repo_id)
GIB = 1024**3
_MIB = 1024**2
_JOIN_S = 3.0
_REPORT_EVERY_S = 0.1  # progress reports are throttled to keep the GUI's event queue short
_STEPS = 1000  # the bar counts per mille: byte counts overflow its int range


def describe_model(info: ModelInfo) -> str:
    """What a usable model folder holds: its type, size on disk and GPU memory."""
    text = translate(
        "SettingsDialog", "{kind}: {disk:.1f} GB on disk, about {vram:.1f} GB of GPU memory."
    )
    return text.format(kind=info.model_type, disk=info.disk_bytes / GIB, vram=info.vram_bytes / GIB)


def _size(n: int) -> str:
    if n >= GIB:
        return translate("SettingsDialog", "{size:.1f} GB").format(size=n / GIB)
    return translate("SettingsDialog", "{size:.0f} MB").format(size=n / _MIB)


class _Relay(QObject):
    """Carries a job's reports to the GUI thread (queued, as it is emitted elsewhere)."""

    progressed = Signal(object)
    finished = Signal(object)


class Job(ThreadControls):
    """Runs fn(progress, cancel) on a daemon thread; the outcome lands in its fields."""

    def __init__(self, fn: Callable[[Callable[[int, int], None], threading.Event], Any]) -> None:
        self.relay = _Relay()  # made here, so it lives on the GUI thread's side
        self.result: Any = None
        self.error: str | None = None
        self.cancelled = False
        self.done_bytes = self.total_bytes = 0
        self._fn = fn
        self._last_report = 0.0
        # The dialog's threads share one name: tests check none outlives the dialog by it.
        self._task = CancellableThread(self._run, "settings-check")
        self.cancel_event = self._task.cancel_event

    def _progress(self, done: int, total: int) -> None:
        self.done_bytes, self.total_bytes = int(done), int(total)
        now = time.monotonic()
        if now - self._last_report >= _REPORT_EVERY_S or (total and done >= total):
            self._last_report = now
            self._emit(self.relay.progressed)

    def _run(self, cancel: threading.Event) -> None:
        try:
            self.result = self._fn(self._progress, cancel)
        except Cancelled:
            self.cancelled = True
        except Exception as exc:  # even a bug must end the download visibly, never hang the page
            self.error = failure_sentence(
                exc,
                log,
                "model download crashed",
                translate("SettingsDialog", "The download failed; see the log."),
            )
        if self.cancel_event.is_set() and self.error is None:
            self.cancelled = True
        self._emit(self.relay.finished)

    def _emit(self, signal: Any) -> None:
        with contextlib.suppress(RuntimeError):  # never expected: the relay lives with this job
            signal.emit(self)


def _stop(jobs: set[Job], *_signal_args: object, timeout: float = _JOIN_S) -> None:
    """Cancel and join `jobs` (a plain function: it may run while their fetcher is deleted)."""
    for job in list(jobs):
        job.cancel()
    for job in list(jobs):
        job.wait(timeout)


class ModelFetcher(QObject):
    """For one model field: find a hub id in the cache, else offer to download it.

    `status` carries the sentence to show under the field and whether it is fine (True),
    wrong (False) or neither (None); `busy` is True while a download runs.
    """

    status = Signal(str, object)
    busy = Signal(bool)

    def __init__(
        self,
        stage: Stage,
        download: Downloader,
        find_cached: CacheLookup,
        accessible_name: str,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._stage, self._download, self._find_cached = stage, download, find_cached
        self._name = ""
        self._lookup: Job | None = None
        self._fetch: Job | None = None
        self._jobs: set[Job] = set()
        self._hooked: QDialog | None = None
        self.destroyed.connect(functools.partial(_stop, self._jobs))
        self.download_button = QPushButton(translate("SettingsDialog", "&Download"))
        self.download_button.setAccessibleName(accessible_name)
        self.download_button.setToolTip(
            translate("SettingsDialog", "Download this model from Hugging Face")
        )
        self.download_button.hide()
        self.download_button.clicked.connect(self.start_download)
        self.bar = QProgressBar()
        self.bar.setRange(0, _STEPS)
        self.bar.setAccessibleName(translate("SettingsDialog", "Download progress"))
        self.cancel_button = QPushButton(translate("SettingsDialog", "Cancel download"))
        self.cancel_button.setAccessibleName(translate("SettingsDialog", "Cancel the download"))
        self.cancel_button.clicked.connect(self.cancel_download)
        self.progress_row = QWidget()
        row = QHBoxLayout(self.progress_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        self.progress_row.hide()

    def check(self, name: str) -> None:
        """The field now holds `name`: look a hub id up in the cache (off the GUI thread)."""
        name = name.strip()
        if name == self._name:
            return
        self._name = name
        if self._fetch is not None:  # the field was changed under a download: drop it
            self._fetch.cancel()
            self._fetch = None
            self.progress_row.hide()
            self.busy.emit(False)
        self.download_button.hide()
        if self._lookup is not None:
            self._lookup.cancel()  # its answer is for an older name; ignored when it comes
        if not is_hub_id(name):
            self._lookup = None
            return
        stage, find_cached = self._stage, self._find_cached

        def look(_progress: object, _cancel: threading.Event) -> ModelInfo | None:
            folder = find_cached(name)
            if folder is None:
                return None
            try:
                return validate_model_folder(folder, stage)
            except AppError:
                return None  # an incomplete or unusable snapshot: offer the download again

        self._lookup = self._start(look, None, self._on_lookup_done)

    def start_download(self) -> None:
        """Download the field's hub id with progress; the outcome shows under the field."""
        if self._fetch is not None or not is_hub_id(self._name):
            return
        name, stage, download = self._name, self._stage, self._download

        def fetch(progress: Callable[[int, int], None], cancel: threading.Event) -> ModelInfo:
            folder = download(name, progress=progress, cancel=cancel)
            return validate_model_folder(folder, stage)

        self._hook_dialog()
        self.download_button.hide()
        self.bar.setRange(0, 0)  # busy until the total is known
        self.bar.setFormat(translate("SettingsDialog", "Starting…"))
        self.cancel_button.setEnabled(True)
        self.progress_row.show()
        self.status.emit(translate("SettingsDialog", "Downloading {name}…").format(name=name), None)
        self._fetch = self._start(fetch, self._on_progress, self._on_download_done)
        self.busy.emit(True)

    def cancel_download(self) -> None:
        """Stop the running download (it ends at its next chunk)."""
        if self._fetch is not None:
            self._fetch.cancel()
            self.cancel_button.setEnabled(False)
            self.bar.setFormat(translate("SettingsDialog", "Cancelling…"))

    def shutdown(self, timeout: float = _JOIN_S) -> None:
        """Cancel and join every look-up and download."""
        _stop(self._jobs, timeout=timeout)

    def _start(
        self,
        fn: Callable[[Callable[[int, int], None], threading.Event], Any],
        on_progress: Callable[[Job], None] | None,
        on_done: Callable[[Job], None],
    ) -> Job:
        job = Job(fn)
        if on_progress is not None:
            job.relay.progressed.connect(on_progress)
        job.relay.finished.connect(on_done)
        self._jobs.add(job)
        job.start()
        return job

    def _end(self, job: Job) -> None:
        job.wait(1.0)  # it emitted as its last act; joined, its references die on this thread
        self._jobs.discard(job)

    def _hook_dialog(self) -> None:
        """Stop downloads when the dialog closes, not only when it is deleted later."""
        parent = self.parent()
        dialog = parent.window() if isinstance(parent, QWidget) else None
        if isinstance(dialog, QDialog) and dialog is not self._hooked:
            dialog.finished.connect(self._on_dialog_finished)
            self._hooked = dialog

    def _on_dialog_finished(self, _result: int) -> None:
        self.shutdown()

    def _on_lookup_done(self, job: Job) -> None:
        self._end(job)
        if job is not self._lookup:
            return  # the field changed meanwhile
        self._lookup = None
        if isinstance(job.result, ModelInfo):
            self.status.emit(describe_model(job.result), True)
        elif self._fetch is None:
            self.download_button.show()

    def _on_progress(self, job: Job) -> None:
        if job is not self._fetch or job.cancel_event.is_set():
            return
        done, total = job.done_bytes, job.total_bytes
        if total <= 0:
            return
        text = translate("SettingsDialog", "{done} of {total}").format(
            done=_size(done), total=_size(total)
        )
        self.bar.setFormat(f"{text} (%p%)")
        self.bar.setRange(0, _STEPS)
        self.bar.setValue(min(_STEPS, done * _STEPS // total))

    def _on_download_done(self, job: Job) -> None:
        self._end(job)
        if job is not self._fetch:
            return
        self._fetch = None
        self.progress_row.hide()
        self.busy.emit(False)
        if job.cancelled:
            self.download_button.show()
            self.status.emit(translate("SettingsDialog", "Download cancelled."), None)
        elif job.error is not None:
            self.download_button.show()
            self.status.emit(job.error, False)
        else:
            self.status.emit(describe_model(job.result), True)
