"""The settings dialog's pages: each edits its part of a working copy of the settings."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from desktop_app.core.errors import ConfigError
from desktop_app.core.local_models import (
    KNOWN_MODELS,
    Stage,
    cached_snapshot,
    download_model,
    estimate_vram_bytes,
    is_hub_id,
    recommend_pair,
    validate_model_folder,
)
from desktop_app.core.paths import app_dirs
from desktop_app.core.settings import RETENTION_DAYS, Settings
from desktop_app.ui.model_download import (
    GIB,
    CacheLookup,
    Downloader,
    ModelFetcher,
    describe_model,
)
from desktop_app.ui.workers import CancellableThread, ThreadControls, failure_sentence

translate = QCoreApplication.translate  # pyside6-lupdate extracts calls to `translate`
log = logging.getLogger(__name__)

ERROR_STYLE = "color: #d0342c;"
OK_STYLE = "color: #2e7d32;"


def labelled(widget: QWidget, name: str) -> QWidget:
    """Give a control its accessible name and return it."""
    widget.setAccessibleName(name)
    return widget


def show_result(label: QLabel, text: str, ok: bool | None) -> None:
    """Show a check's outcome: green when fine, red when not, plain when neither."""
    label.setText(text)
    label.setStyleSheet("" if ok is None else OK_STYLE if ok else ERROR_STYLE)
    label.setVisible(bool(text))


def natural(widget: QWidget) -> QHBoxLayout:
    """A row keeping `widget` at its natural width, on the left (buttons in forms)."""
    row = QHBoxLayout()
    row.addWidget(widget)
    row.addStretch(1)
    return row


def combo(*items: tuple[str, object]) -> QComboBox:
    """A combo box offering each (text, data) item."""
    box = QComboBox()
    for text, value in items:
        box.addItem(text, value)
    return box


def select_data(box: QComboBox, value: object) -> None:
    """Select the item whose data is `value`, else the first."""
    box.setCurrentIndex(max(0, box.findData(value)))


class BackgroundCall(QObject, ThreadControls):
    """Runs fn(cancel) off the GUI thread and reports through queued signals."""

    succeeded = Signal(object)
    failed = Signal(str)

    def __init__(self, fn: Callable[[threading.Event], Any], parent: QObject | None = None):
        super().__init__(parent)
        self._fn = fn
        self._task = CancellableThread(self._run, "settings-check")

    def _run(self, cancel: threading.Event) -> None:
        result, error = None, None
        try:
            result = self._fn(cancel)
        except Exception as exc:  # even a bug must end the check visibly, never hang the dialog
            error = failure_sentence(
                exc,
                log,
                "settings check crashed",
                translate("SettingsDialog", "The check failed; see the log."),
            )
        try:
            if error is None:
                self.succeeded.emit(result)
            else:
                self.failed.emit(error)
        except RuntimeError:
            pass  # the dialog was closed and this object deleted before the answer came


class CheckRunner(QObject):
    """A page's Test button: runs one check at a time off the GUI thread and shows how it went.

    While it runs the button is disabled and `label` says so; then `label` shows the check's
    error, or the sentence `describe` makes of its result.
    """

    def __init__(self, button: QPushButton, label: QLabel, parent: QObject) -> None:
        super().__init__(parent)
        self._button, self._label = button, label
        self._call: BackgroundCall | None = None

    @property
    def running(self) -> bool:
        """Whether a check is under way."""
        return self._call is not None

    def run(self, fn: Callable[[threading.Event], Any], describe: Callable[[Any], str]) -> None:
        """Start fn(cancel), unless a check is already running."""
        if self._call is not None:
            return
        self._button.setEnabled(False)
        show_result(self._label, translate("SettingsDialog", "Connecting…"), None)
        self._call = BackgroundCall(fn, self)
        self._call.succeeded.connect(lambda result: self._finish(describe(result), True))
        self._call.failed.connect(lambda message: self._finish(message, False))
        self._call.start()

    def shutdown(self, timeout: float) -> None:
        """Cancel and join a check still running."""
        if self._call is not None:
            self._call.cancel()
            self._call.wait(timeout)

    def _finish(self, message: str, ok: bool) -> None:
        show_result(self._label, message, ok)
        self._button.setEnabled(True)
        if self._call is not None:
            self._call.wait(1.0)
            self._call.deleteLater()
            self._call = None


class GeneralPage(QWidget):
    """Mode, consent, theme, language, where data lives, how long history is kept."""

    changed = Signal()

    def __init__(self, working: Settings, confirm_tir: Callable[[QWidget], bool]) -> None:
        super().__init__()
        self._s, self._confirm_tir = working, confirm_tir
        self.mode_box = combo(
            (translate("SettingsDialog", "Explain step by step (CoT)"), "cot"),
            (translate("SettingsDialog", "Check with Python code (TIR)"), "tir"),
        )
        self.consent_box = QCheckBox(
            translate("SettingsDialog", "Allow the model's Python code to run")
        )
        self.consent_box.setToolTip(
            translate(
                "SettingsDialog", "TIR runs the code in a sandbox without network or your files."
            )
        )
        self.theme_box = combo(
            (translate("SettingsDialog", "Same as the system"), "system"),
            (translate("SettingsDialog", "Light"), "light"),
            (translate("SettingsDialog", "Dark"), "dark"),
        )
        self.language_box = combo(
            (translate("SettingsDialog", "Same as the system"), "system"),
            ("English", "en"),
            ("简体中文", "zh_CN"),
        )
        self.retention_box = QComboBox()
        for days in RETENTION_DAYS:
            text = (
                translate("SettingsDialog", "Keep forever")
                if days == 0
                else translate("SettingsDialog", "Delete after {days} days").format(days=days)
            )
            self.retention_box.addItem(text, days)
        self.data_edit = QLineEdit(str(app_dirs().data))
        self.data_edit.setReadOnly(True)
        open_button = QPushButton(translate("SettingsDialog", "Open"))
        open_button.clicked.connect(self._open_data_folder)
        data_row = QHBoxLayout()
        data_row.addWidget(self.data_edit, 1)
        data_row.addWidget(open_button)
        note = QLabel(translate("SettingsDialog", "A new language is used from the next start."))
        note.setEnabled(False)
        form = QFormLayout(self)
        form.addRow(translate("SettingsDialog", "Solving mode:"), self.mode_box)
        form.addRow("", self.consent_box)
        form.addRow(translate("SettingsDialog", "Theme:"), self.theme_box)
        form.addRow(translate("SettingsDialog", "Language:"), self.language_box)
        form.addRow("", note)
        form.addRow(translate("SettingsDialog", "Data folder:"), data_row)
        form.addRow(translate("SettingsDialog", "History:"), self.retention_box)
        labelled(self.mode_box, translate("SettingsDialog", "Solving mode"))
        labelled(
            self.consent_box, translate("SettingsDialog", "Allow the model's Python code to run")
        )
        labelled(self.theme_box, translate("SettingsDialog", "Theme"))
        labelled(self.language_box, translate("SettingsDialog", "Language"))
        labelled(self.data_edit, translate("SettingsDialog", "Data folder"))
        labelled(open_button, translate("SettingsDialog", "Open the data folder"))
        labelled(self.retention_box, translate("SettingsDialog", "Keep history"))
        select_data(self.mode_box, working.solve.mode)
        self.consent_box.setChecked(working.solve.tir_consent)
        select_data(self.theme_box, working.ui.theme)
        select_data(self.language_box, working.ui.language)
        select_data(self.retention_box, working.history.retention_days)
        self.mode_box.currentIndexChanged.connect(self._on_mode)
        self.consent_box.clicked.connect(self._on_consent)
        self.theme_box.currentIndexChanged.connect(self._store)
        self.language_box.currentIndexChanged.connect(self._store)
        self.retention_box.currentIndexChanged.connect(self._store)

    def _ask(self) -> bool:
        if self._s.solve.tir_consent or self._confirm_tir(self):
            self._s.solve.tir_consent = True
            self.consent_box.setChecked(True)
            return True
        return False

    def _on_mode(self, _index: int) -> None:
        if self.mode_box.currentData() == "tir" and not self._ask():
            select_data(self.mode_box, "cot")  # no consent, no TIR
        self._s.solve.mode = self.mode_box.currentData()
        self.changed.emit()

    def _on_consent(self, checked: bool) -> None:
        if checked:
            self.consent_box.setChecked(self._ask())
        else:
            self._s.solve.tir_consent = False
            select_data(self.mode_box, "cot")
        self.changed.emit()

    def _store(self, _index: int = 0) -> None:
        self._s.ui.theme = self.theme_box.currentData()
        self._s.ui.language = self.language_box.currentData()
        self._s.history.retention_days = int(self.retention_box.currentData())
        self.changed.emit()

    def _open_data_folder(self) -> None:
        folder = Path(self.data_edit.text())
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def model_summary(text: str, stage: Stage) -> tuple[str, bool]:
    """What a local model entry holds (size, GPU memory) or why it is unusable, and if it is ok."""
    name = text.strip()
    if not name:
        return translate(
            "SettingsDialog", "Choose a model folder or a Hugging Face model id."
        ), False
    if is_hub_id(name):
        if name in KNOWN_MODELS:
            vram = estimate_vram_bytes(int(KNOWN_MODELS[name] * 1e9)) / GIB
            text = translate(
                "SettingsDialog", "Hugging Face model; about {vram:.1f} GB of GPU memory."
            )
            return text.format(vram=vram), True
        return translate("SettingsDialog", "Hugging Face model id."), True
    try:
        info = validate_model_folder(name, stage)
    except ConfigError as exc:
        return str(exc), False
    return describe_model(info), True


class LocalModelsPage(QWidget):
    """Reader and solver folders (or hub ids, downloadable), device, token limit, a GPU advice.

    `download` and `find_cached` default to core.local_models' (tests pass fakes).
    """

    changed = Signal()

    def __init__(
        self,
        working: Settings,
        detect_vram: Callable[[], float | None],
        *,
        download: Downloader = download_model,
        find_cached: CacheLookup = cached_snapshot,
    ) -> None:
        super().__init__()
        self._s, self._detect_vram = working, detect_vram
        self.detection: BackgroundCall | None = None
        self._pair: tuple[str, str] | None = None
        form = QFormLayout(self)
        self.edits: dict[Stage, QLineEdit] = {}
        self.infos: dict[Stage, QLabel] = {}
        self.browses: dict[Stage, QPushButton] = {}
        self.fetchers: dict[Stage, ModelFetcher] = {}
        rows: tuple[tuple[Stage, str, str, str], ...] = (
            (
                "reader",
                translate("SettingsDialog", "Reader (reads the image):"),
                translate("SettingsDialog", "Choose the reader's folder"),
                translate("SettingsDialog", "Download the reader model"),
            ),
            (
                "solver",
                translate("SettingsDialog", "Solver (solves the problem):"),
                translate("SettingsDialog", "Choose the solver's folder"),
                translate("SettingsDialog", "Download the solver model"),
            ),
        )
        for stage, title, browse_name, download_name in rows:
            edit = QLineEdit(getattr(working.local, f"{stage}_model"))
            edit.setPlaceholderText(translate("SettingsDialog", "A folder, or an id like Qwen/…"))
            browse = QPushButton(translate("SettingsDialog", "Browse…"))
            browse.clicked.connect(lambda _=False, s=stage: self._browse(s))
            info = QLabel()
            info.setWordWrap(True)
            fetcher = ModelFetcher(stage, download, find_cached, download_name, self)
            fetcher.status.connect(lambda text, ok, s=stage: show_result(self.infos[s], text, ok))
            fetcher.busy.connect(lambda busy, s=stage: self._on_busy(s, busy))
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(browse)
            row.addWidget(fetcher.download_button)
            form.addRow(title, row)
            form.addRow("", info)
            form.addRow("", fetcher.progress_row)
            labelled(edit, title.rstrip(":"))
            labelled(browse, browse_name)
            self.edits[stage], self.infos[stage] = edit, info
            self.browses[stage], self.fetchers[stage] = browse, fetcher
            edit.textChanged.connect(lambda text, s=stage: self._on_edit(s, text))
            self._on_edit(stage, edit.text(), notify=False)
        self.device_box = QComboBox()
        self.device_box.setEditable(True)
        self.device_box.addItems(["auto", "cuda", "cpu", "mps"])
        self.device_box.setCurrentText(working.local.device)
        self.device_box.currentTextChanged.connect(self._on_device)
        self.tokens_box = QSpinBox()
        self.tokens_box.setRange(256, 32768)
        self.tokens_box.setSingleStep(256)
        self.tokens_box.setValue(working.local.max_new_tokens)
        self.tokens_box.valueChanged.connect(self._on_tokens)
        self.gpu_label = QLabel(translate("SettingsDialog", "Looking for a GPU…"))
        self.gpu_label.setWordWrap(True)
        self.use_pair = QPushButton(translate("SettingsDialog", "Use the recommended models"))
        self.use_pair.setEnabled(False)
        self.use_pair.clicked.connect(self._use_recommended)
        form.addRow(translate("SettingsDialog", "Device:"), self.device_box)
        form.addRow(translate("SettingsDialog", "Longest answer (tokens):"), self.tokens_box)
        form.addRow(translate("SettingsDialog", "GPU:"), self.gpu_label)
        form.addRow("", natural(self.use_pair))
        labelled(self.device_box, translate("SettingsDialog", "Device"))
        labelled(self.tokens_box, translate("SettingsDialog", "Longest answer in tokens"))
        labelled(self.gpu_label, translate("SettingsDialog", "GPU and recommended models"))
        labelled(self.use_pair, translate("SettingsDialog", "Use the recommended models"))

    def start_detection(self) -> None:
        """Look for the GPU off the GUI thread (importing torch takes seconds)."""
        if self.detection is None:
            self.detection = BackgroundCall(lambda _cancel: self._detect_vram(), self)
            self.detection.succeeded.connect(self._on_vram)
            self.detection.failed.connect(lambda message: self.gpu_label.setText(message))
            self.detection.start()

    def problem(self) -> str | None:
        """The first unusable entry, as a sentence, or None."""
        for stage, edit in self.edits.items():
            text, ok = model_summary(edit.text(), stage)
            if not ok:
                return text
        return None

    def _on_edit(self, stage: Stage, text: str, *, notify: bool = True) -> None:
        setattr(self._s.local, f"{stage}_model", text.strip())
        summary, ok = model_summary(text, stage)
        show_result(self.infos[stage], summary, None if ok else False)
        self.fetchers[stage].check(text)  # a hub id: cached, or offered for download
        if notify:
            self.changed.emit()

    def shutdown(self, timeout: float) -> None:
        """Cancel and join the GPU look-up, the downloads and the cache look-ups."""
        if self.detection is not None:
            self.detection.cancel()
            self.detection.wait(timeout)
        for fetcher in self.fetchers.values():
            fetcher.shutdown(timeout)

    def _on_busy(self, stage: Stage, busy: bool) -> None:
        self.edits[stage].setReadOnly(busy)  # the field names what is being downloaded
        self.browses[stage].setEnabled(not busy)

    def _browse(self, stage: Stage) -> None:
        title = translate("SettingsDialog", "Choose the model folder")
        folder = QFileDialog.getExistingDirectory(self, title, self.edits[stage].text())
        if folder:
            self.edits[stage].setText(folder)

    def _on_device(self, text: str) -> None:
        self._s.local.device = text.strip() or "auto"

    def _on_tokens(self, value: int) -> None:
        self._s.local.max_new_tokens = value

    def _on_vram(self, vram: object) -> None:
        gb = vram if isinstance(vram, float) else None
        self._pair = recommend_pair(gb)
        names = " + ".join(m.split("/")[-1] for m in self._pair)
        if gb is None:
            text = translate("SettingsDialog", "No CUDA GPU found. Smallest models: {names}.")
        else:
            text = translate("SettingsDialog", "{gb:.0f} GB of GPU memory. Recommended: {names}.")
        self.gpu_label.setText(text.format(gb=gb or 0, names=names))
        self.use_pair.setEnabled(True)

    def _use_recommended(self) -> None:
        if self._pair is not None:
            self.edits["reader"].setText(self._pair[0])
            self.edits["solver"].setText(self._pair[1])
