"""The Local models page's Download button: fetch a hub model off the GUI thread, with progress.

Each look-up or download is a Worker (ui/workers.py): its thread never touches a widget, and a
closed dialog is never signalled, because Qt drops the connections to a deleted receiver. The
fetcher cancels and joins its workers when the dialog finishes and, at the latest, when the
fetcher itself is deleted.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QDialog, QHBoxLayout, QProgressBar, QPushButton, QWidget

from desktop_app.core.backends.base import Role
from desktop_app.core.backends.local.catalogue import (
    GIB,
    ModelInfo,
    is_hub_id,
    validate_model_folder,
)
from desktop_app.core.errors import AppError, Cancelled
from desktop_app.ui.settings.checks import CHECK_THREAD
from desktop_app.ui.settings.form import JOIN_S, translate
from desktop_app.ui.workers import Worker, failure_sentence

Downloader = Callable[..., Path]  # download_model(repo_id, *, progress=..., cancel=...)
CacheLookup = Callable[[str], Path | None]  # cached_snapshot(repo_id)
Progress = Callable[[int, int], None]
_MIB = 1024**2
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


def _stop(workers: set[Worker], *_signal_args: object, timeout: float = JOIN_S) -> None:
    """Cancel and join `workers` (a plain function: it may run while their fetcher is deleted)."""
    for worker in list(workers):
        worker.cancel()
    for worker in list(workers):
        worker.wait(timeout)


class ModelFetcher(QObject):
    """For one model field: find a hub id in the cache, else offer to download it.

    `status` carries the sentence to show under the field and whether it is fine (True),
    wrong (False) or neither (None); `busy` is True while a download runs.
    """

    status = Signal(str, object)
    busy = Signal(bool)

    def __init__(
        self,
        role: Role,
        download: Downloader,
        find_cached: CacheLookup,
        accessible_name: str,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._role, self._download, self._find_cached = role, download, find_cached
        self._name = ""
        self._lookup: Worker | None = None
        self._fetch: Worker | None = None
        self._workers: set[Worker] = set()
        self._hooked: QDialog | None = None
        self.destroyed.connect(functools.partial(_stop, self._workers))
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
        role, find_cached = self._role, self._find_cached

        def look(_cancel: threading.Event) -> ModelInfo | None:
            folder = find_cached(name)
            if folder is None:
                return None
            try:
                return validate_model_folder(folder, role)
            except AppError:
                return None  # an incomplete or unusable snapshot: offer the download again

        self._lookup = self._worker(look, returned=self._on_lookup_returned)
        self._lookup.start()

    def start_download(self) -> None:
        """Download the field's hub id with progress; the outcome shows under the field."""
        if self._fetch is not None or not is_hub_id(self._name):
            return
        name, role, download = self._name, self._role, self._download
        last_report = 0.0

        def progress(done: int, total: int) -> None:  # on the worker's thread
            nonlocal last_report
            now = time.monotonic()
            if now - last_report >= _REPORT_EVERY_S or (total and done >= total):
                last_report = now
                worker.yielded.emit((int(done), int(total)))

        def fetch(cancel: threading.Event) -> ModelInfo:
            folder = download(name, progress=progress, cancel=cancel)
            return validate_model_folder(folder, role)

        self._hook_dialog()
        self.download_button.hide()
        self.bar.setRange(0, 0)  # busy until the total is known
        self.bar.setFormat(translate("SettingsDialog", "Starting…"))
        self.cancel_button.setEnabled(True)
        self.progress_row.show()
        self.status.emit(translate("SettingsDialog", "Downloading {name}…").format(name=name), None)
        worker = self._fetch = self._worker(
            fetch,
            yielded=self._on_progress,
            returned=self._on_download_returned,
            errored=self._on_download_errored,
        )
        worker.start()
        self.busy.emit(True)

    def cancel_download(self) -> None:
        """Stop the running download (it ends at its next chunk)."""
        if self._fetch is not None:
            self._fetch.cancel()
            self.cancel_button.setEnabled(False)
            self.bar.setFormat(translate("SettingsDialog", "Cancelling…"))

    def shutdown(self, timeout: float = JOIN_S) -> None:
        """Cancel and join every look-up and download."""
        _stop(self._workers, timeout=timeout)

    def _worker(self, work: Callable[[threading.Event], Any], **slots: Any) -> Worker:
        """A worker for `work` with `slots` connected, counted as ours; not started yet."""
        worker = Worker(work, CHECK_THREAD)
        for signal, slot in {**slots, "finished": self._on_finished}.items():
            getattr(worker, signal).connect(slot)
        self._workers.add(worker)
        return worker

    @Slot()
    def _on_finished(self) -> None:
        worker = self.sender()
        if isinstance(worker, Worker):
            self._workers.discard(worker)

    def _hook_dialog(self) -> None:
        """Stop downloads when the dialog closes, not only when it is deleted later."""
        parent = self.parent()
        dialog = parent.window() if isinstance(parent, QWidget) else None
        if isinstance(dialog, QDialog) and dialog is not self._hooked:
            dialog.finished.connect(self._on_dialog_finished)
            self._hooked = dialog

    def _on_dialog_finished(self, _result: int) -> None:
        self.shutdown()

    @Slot(object)
    def _on_lookup_returned(self, info: object) -> None:
        if self.sender() is not self._lookup:
            return  # the field changed meanwhile
        self._lookup = None
        if isinstance(info, ModelInfo):
            self.status.emit(describe_model(info), True)
        elif self._fetch is None:
            self.download_button.show()

    @Slot(object)
    def _on_progress(self, report: tuple[int, int]) -> None:
        fetch = self._fetch
        if self.sender() is not fetch or fetch is None or fetch.cancelled:
            return
        done, total = report
        if total <= 0:
            return
        text = translate("SettingsDialog", "{done} of {total}").format(
            done=_size(done), total=_size(total)
        )
        self.bar.setFormat(f"{text} (%p%)")
        self.bar.setRange(0, _STEPS)
        self.bar.setValue(min(_STEPS, done * _STEPS // total))

    @Slot(object)
    def _on_download_returned(self, info: object) -> None:
        worker = self.sender()
        if self._download_ended(worker) and isinstance(worker, Worker):
            if worker.cancelled:
                self._cancelled()
            elif isinstance(info, ModelInfo):
                self.status.emit(describe_model(info), True)

    @Slot(object)
    def _on_download_errored(self, exc: BaseException) -> None:
        worker = self.sender()
        if not self._download_ended(worker):
            return
        if isinstance(exc, Cancelled) or (isinstance(worker, Worker) and worker.cancelled):
            self._cancelled()
            return
        self.download_button.show()
        fallback = translate("SettingsDialog", "The download failed; see the log.")
        self.status.emit(failure_sentence(exc, fallback), False)

    def _download_ended(self, worker: QObject) -> bool:
        """Put the field back after the current download; False for an abandoned one."""
        if worker is not self._fetch:
            return False
        self._fetch = None
        self.progress_row.hide()
        self.busy.emit(False)
        return True

    def _cancelled(self) -> None:
        self.download_button.show()
        self.status.emit(translate("SettingsDialog", "Download cancelled."), None)
