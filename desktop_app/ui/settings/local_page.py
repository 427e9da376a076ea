"""The settings dialog's Local models page: reader and solver folders or hub ids, device,
token limit, and the GPU's advice."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
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

from desktop_app.core.backends.base import Role
from desktop_app.core.backends.local.catalogue import (
    GIB,
    KNOWN_MODELS,
    cached_snapshot,
    download_model,
    estimate_vram_bytes,
    is_hub_id,
    recommend_pair,
    validate_model_folder,
)
from desktop_app.core.errors import ConfigError
from desktop_app.core.settings import Settings
from desktop_app.ui.settings.checks import CHECK_THREAD
from desktop_app.ui.settings.form import labelled, natural, show_result, translate
from desktop_app.ui.settings.model_download import (
    CacheLookup,
    Downloader,
    ModelFetcher,
    describe_model,
)
from desktop_app.ui.workers import Worker, failure_sentence, start_worker


def model_summary(text: str, role: Role) -> tuple[str, bool]:
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
        info = validate_model_folder(name, role)
    except ConfigError as exc:
        return str(exc), False
    return describe_model(info), True


class LocalModelsPage(QWidget):
    """Reader and solver folders (or hub ids, downloadable), device, token limit, a GPU advice.

    `download` and `find_cached` default to the local backend's catalogue (tests pass fakes).
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
        self.detection: Worker | None = None
        self._pair: tuple[str, str] | None = None
        form = QFormLayout(self)
        self.edits: dict[Role, QLineEdit] = {}
        self.infos: dict[Role, QLabel] = {}
        self.browses: dict[Role, QPushButton] = {}
        self.fetchers: dict[Role, ModelFetcher] = {}
        rows: tuple[tuple[Role, str, str, str], ...] = (
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
        for role, title, browse_name, download_name in rows:
            edit = QLineEdit(getattr(working.local, f"{role}_model"))
            edit.setPlaceholderText(translate("SettingsDialog", "A folder, or an id like Qwen/…"))
            browse = QPushButton(translate("SettingsDialog", "Browse…"))
            browse.clicked.connect(lambda _=False, s=role: self._browse(s))
            info = QLabel()
            info.setWordWrap(True)
            fetcher = ModelFetcher(role, download, find_cached, download_name, self)
            fetcher.status.connect(lambda text, ok, s=role: show_result(self.infos[s], text, ok))
            fetcher.busy.connect(lambda busy, s=role: self._on_busy(s, busy))
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(browse)
            row.addWidget(fetcher.download_button)
            form.addRow(title, row)
            form.addRow("", info)
            form.addRow("", fetcher.progress_row)
            labelled(edit, title.rstrip(":"))
            labelled(browse, browse_name)
            self.edits[role], self.infos[role] = edit, info
            self.browses[role], self.fetchers[role] = browse, fetcher
            edit.textChanged.connect(lambda text, s=role: self._on_edit(s, text))
            self._on_edit(role, edit.text(), notify=False)
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
            detect = self._detect_vram
            self.detection = start_worker(
                lambda _cancel: detect(),
                CHECK_THREAD,
                returned=self._on_vram,
                errored=self._on_detection_failed,
            )

    def problem(self) -> str | None:
        """The first unusable entry, as a sentence, or None."""
        for role, edit in self.edits.items():
            text, ok = model_summary(edit.text(), role)
            if not ok:
                return text
        return None

    def _on_edit(self, role: Role, text: str, *, notify: bool = True) -> None:
        setattr(self._s.local, f"{role}_model", text.strip())
        summary, ok = model_summary(text, role)
        show_result(self.infos[role], summary, None if ok else False)
        self.fetchers[role].check(text)  # a hub id: cached, or offered for download
        if notify:
            self.changed.emit()

    def shutdown(self, timeout: float) -> None:
        """Cancel and join the GPU look-up, the downloads and the cache look-ups."""
        if self.detection is not None:
            self.detection.cancel()
            self.detection.wait(timeout)
        for fetcher in self.fetchers.values():
            fetcher.shutdown(timeout)

    def _on_busy(self, role: Role, busy: bool) -> None:
        self.edits[role].setReadOnly(busy)  # the field names what is being downloaded
        self.browses[role].setEnabled(not busy)

    def _browse(self, role: Role) -> None:
        title = translate("SettingsDialog", "Choose the model folder")
        folder = QFileDialog.getExistingDirectory(self, title, self.edits[role].text())
        if folder:
            self.edits[role].setText(folder)

    def _on_device(self, text: str) -> None:
        self._s.local.device = text.strip() or "auto"

    def _on_tokens(self, value: int) -> None:
        self._s.local.max_new_tokens = value

    @Slot(object)
    def _on_detection_failed(self, exc: BaseException) -> None:
        fallback = translate("SettingsDialog", "The check failed; see the log.")
        self.gpu_label.setText(failure_sentence(exc, fallback))

    @Slot(object)
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
