"""The settings dialog: backends, DashScope, local models, servers, and general options."""

from __future__ import annotations

import copy
import logging
import os
import threading
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core import local_models
from desktop_app.core.backends import registry
from desktop_app.core.errors import ConfigError
from desktop_app.core.secrets import ENV_VAR, get_api_key, store_api_key
from desktop_app.core.settings import Settings, preset_profiles
from desktop_app.ui.settings_pages import (
    CheckRunner,
    GeneralPage,
    LocalModelsPage,
    combo,
    labelled,
    natural,
    select_data,
    show_result,
)
from desktop_app.ui.settings_servers import ConnectionTest, ServersPage

translate = QCoreApplication.translate  # pyside6-lupdate extracts calls to `translate`
log = logging.getLogger(__name__)

PAGES = ("backends", "dashscope", "local", "servers", "general")
_JOIN_S = 3.0


def dashscope_probe(key: str, region: str, model: str, cancel: threading.Event) -> str:
    """Ask DashScope's solver model for one token; raise the backend's sentence when it fails."""
    from desktop_app.core.backends.dashscope_cloud import DashScopeBackend

    if not key:
        raise ConfigError(registry.MISSING_KEY)
    backend = DashScopeBackend(
        api_key=key, region=region, solver_model=model, max_retries=0, request_timeout=30.0
    )
    stream = backend.solve([{"role": "user", "content": "1+1="}], cancel)
    try:
        next(stream, None)  # one delta proves the key, region and model; stop there
    finally:
        getattr(stream, "close", lambda: None)()  # a generator: release the connection now
    return model


def confirm_tir(parent: QWidget) -> bool:
    """Ask before the model's Python code may run in the sandbox."""
    answer = QMessageBox.question(
        parent,
        translate("SettingsDialog", "Run the model's Python code?"),
        translate(
            "SettingsDialog",
            "In TIR mode Qwen writes Python and Qwen Math runs it in a sandbox (a separate "
            "process with no network and no access to your keys or history). Allow it?",
        ),
    )
    return answer == QMessageBox.StandardButton.Yes


class BackendsPage(QWidget):
    """Which backend reads and which solves, and the model each will use."""

    changed = Signal()

    def __init__(self, working: Settings) -> None:
        super().__init__()
        self._s = working
        self.boxes: dict[str, QComboBox] = {"reader": QComboBox(), "solver": QComboBox()}
        self.models: dict[str, QLabel] = {"reader": QLabel(), "solver": QLabel()}
        intro = QLabel(
            translate(
                "SettingsDialog", "The reader turns the picture into text; the solver solves it."
            )
        )
        intro.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(intro)
        for stage, title, model_name in (
            (
                "reader",
                translate("SettingsDialog", "Read images with:"),
                translate("SettingsDialog", "Reader model"),
            ),
            (
                "solver",
                translate("SettingsDialog", "Solve problems with:"),
                translate("SettingsDialog", "Solver model"),
            ),
        ):
            form.addRow(title, self.boxes[stage])
            form.addRow(translate("SettingsDialog", "Model:"), self.models[stage])
            labelled(self.boxes[stage], title.rstrip(":"))
            labelled(self.models[stage], model_name)
            self.boxes[stage].currentIndexChanged.connect(self._store)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the choices from the current server profiles and show each stage's model."""
        for stage, box in self.boxes.items():
            chosen = getattr(self._s.backends, stage)
            box.blockSignals(True)
            box.clear()
            box.addItem(translate("SettingsDialog", "Alibaba DashScope (cloud)"), "cloud")
            box.addItem(translate("SettingsDialog", "This computer (local models)"), "local")
            for profile in self._s.servers:
                text = translate("SettingsDialog", "Server: {name}").format(name=profile.name)
                box.addItem(text, f"openai:{profile.name}")
            if chosen == "openai":
                box.addItem(translate("SettingsDialog", "The server in OPENAI_BASE_URL"), "openai")
            select_data(box, chosen)
            box.blockSignals(False)
            setattr(self._s.backends, stage, box.currentData())
            self.models[stage].setText(self._model(stage, box.currentData()) or "—")

    def _model(self, stage: str, choice: str) -> str:
        kind, _, name = choice.partition(":")
        section = {"cloud": self._s.cloud, "local": self._s.local}.get(kind) or self._s.server(name)
        return str(getattr(section, f"{stage}_model", ""))

    def _store(self, _index: int) -> None:
        for stage, box in self.boxes.items():
            setattr(self._s.backends, stage, box.currentData())
        self.refresh()
        self.changed.emit()


class DashScopePage(QWidget):
    """Region, the API key (kept in the keyring), the models, and a real one-token test."""

    changed = Signal()

    def __init__(self, working: Settings, key_saved: bool) -> None:
        super().__init__()
        self._s = working
        self.get_key: Callable[[], str | None] = lambda: None
        self.region_box = combo(
            (translate("SettingsDialog", "Beijing (China mainland)"), "beijing"),
            (translate("SettingsDialog", "International (Singapore)"), "international"),
        )
        select_data(self.region_box, working.cloud.region)
        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(
            translate("SettingsDialog", "A key is saved; type here to replace it")
            if key_saved
            else translate("SettingsDialog", "Paste your DashScope API key (sk-…)")
        )
        self.reader_edit = QLineEdit(working.cloud.reader_model)
        self.solver_edit = QLineEdit(working.cloud.solver_model)
        self.test_button = QPushButton(translate("SettingsDialog", "Test connection"))
        self.test_button.clicked.connect(self.test)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        show_result(self.result_label, "", None)
        self.tester = CheckRunner(self.test_button, self.result_label, self)
        note = QLabel(
            translate("SettingsDialog", "The key is kept in the system keyring, never in files.")
        )
        note.setEnabled(False)
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(translate("SettingsDialog", "Region:"), self.region_box)
        form.addRow(translate("SettingsDialog", "API key:"), self.key_edit)
        form.addRow("", note)
        form.addRow(translate("SettingsDialog", "Reader model:"), self.reader_edit)
        form.addRow(translate("SettingsDialog", "Solver model:"), self.solver_edit)
        form.addRow("", natural(self.test_button))
        form.addRow("", self.result_label)
        labelled(self.region_box, translate("SettingsDialog", "DashScope region"))
        labelled(self.key_edit, translate("SettingsDialog", "DashScope API key"))
        labelled(self.reader_edit, translate("SettingsDialog", "DashScope reader model"))
        labelled(self.solver_edit, translate("SettingsDialog", "DashScope solver model"))
        labelled(self.test_button, translate("SettingsDialog", "Test the DashScope connection"))
        self.region_box.currentIndexChanged.connect(self._store)
        self.reader_edit.textEdited.connect(self._store)
        self.solver_edit.textEdited.connect(self._store)

    def entered_key(self) -> str:
        """The key typed in the field ("" when left alone)."""
        return self.key_edit.text().strip()

    def test(self) -> None:
        """Send a one-token solve with the typed (or saved) key, off the GUI thread."""
        if self.tester.running:
            return
        typed, saved = self.entered_key(), self.get_key  # the keyring is read off the GUI thread
        region, model = self._s.cloud.region, self._s.cloud.solver_model

        def probe(cancel: threading.Event) -> str:
            return dashscope_probe(typed or saved() or "", region, model, cancel)

        self.tester.run(probe, self._answered)

    def _answered(self, model: object) -> str:
        return translate("SettingsDialog", "OK: {model} answered.").format(model=model)

    def shutdown(self, timeout: float) -> None:
        """Stop waiting for a test in progress."""
        self.tester.shutdown(timeout)

    def _store(self, *_args: object) -> None:
        self._s.cloud.region = self.region_box.currentData()
        self._s.cloud.reader_model = self.reader_edit.text().strip()
        self._s.cloud.solver_model = self.solver_edit.text().strip()
        self.changed.emit()


class SettingsDialog(QDialog):
    """Edits a copy of the settings; the key goes to the keyring, never into the settings.

    The dialog deletes itself once closed; result_settings() still answers after exec().
    """

    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        get_key: Callable[[], str | None] = get_api_key,
        store_key: Callable[[str], None] = store_api_key,
        test_connection: ConnectionTest = registry.test_connection,
        detect_vram: Callable[[], float | None] = local_models.detect_vram,
        confirm_tir: Callable[[QWidget], bool] = confirm_tir,
    ) -> None:
        super().__init__(parent)
        # Deleted on the GUI thread when closed: a dialog left to Python's garbage collector
        # could be destroyed on whichever thread collects it, which crashes Qt.
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(translate("SettingsDialog", "Settings"))
        self.setAccessibleName(translate("SettingsDialog", "Settings"))
        self._working = copy.deepcopy(settings)
        self._store_key = store_key
        self.backends_page = BackendsPage(self._working)
        self.dashscope_page = DashScopePage(self._working, key_saved=bool(get_key()))
        self.dashscope_page.get_key = get_key
        self.local_page = LocalModelsPage(self._working, detect_vram)
        self.servers_page = ServersPage(self._working, test_connection)
        self.general_page = GeneralPage(self._working, confirm_tir)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(translate("SettingsDialog", "Settings pages"))
        for page, title in (
            (self.backends_page, translate("SettingsDialog", "Backends")),
            (self.dashscope_page, translate("SettingsDialog", "DashScope")),
            (self.local_page, translate("SettingsDialog", "Local models")),
            (self.servers_page, translate("SettingsDialog", "Servers")),
            (self.general_page, translate("SettingsDialog", "General")),
        ):
            self.tabs.addTab(page, title)
            page.changed.connect(self._validate)
        for page in (self.dashscope_page, self.local_page, self.servers_page):
            page.changed.connect(self.backends_page.refresh)  # the models it shows may change
        self.servers_page.renamed.connect(self._on_server_renamed)
        self.servers_page.removed.connect(self._on_server_removed)
        self.tabs.currentChanged.connect(self._on_tab)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setAccessibleName(translate("SettingsDialog", "Problem"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self.resize(640, 480)
        self._validate()

    def show_page(self, name: str) -> None:
        """Bring a page to the front: backends, dashscope, local, servers or general."""
        self.tabs.setCurrentIndex(PAGES.index(name))

    def prepare_first_run(self, choice: str) -> None:
        """Set up for a welcome-page choice ("cloud", "local" or "server") and show its page."""
        if choice == "local":
            self._working.backends.reader = self._working.backends.solver = "local"
        elif choice == "server":
            if not self._working.servers:
                self.servers_page.add_profile(preset_profiles()[0])
            name = self._working.servers[0].name
            self._working.backends.reader = self._working.backends.solver = f"openai:{name}"
        self.backends_page.refresh()
        self.show_page({"cloud": "dashscope", "local": "local"}.get(choice, "servers"))

    def problem(self) -> str | None:
        """Why OK is disabled, or None."""
        return self.servers_page.problem() or self.local_page.problem()

    def result_settings(self) -> Settings:
        """The edited settings, as a new object."""
        return copy.deepcopy(self._working)

    def accept(self) -> None:
        """Save the typed key to the keyring (only there), then close."""
        if self.problem() is not None:
            return
        key = self.dashscope_page.entered_key()
        if key:
            try:
                self._store_key(key)
            except ConfigError as exc:
                os.environ[ENV_VAR] = key  # this session only; never written anywhere
                text = translate("SettingsDialog", "{error} It is used for this session only.")
                title = translate("SettingsDialog", "Key not saved")
                QMessageBox.warning(self, title, text.format(error=exc))
        super().accept()

    def done(self, result: int) -> None:
        """Close, first stopping any check still running."""
        self.shutdown()
        super().done(result)

    def shutdown(self, timeout: float = _JOIN_S) -> None:
        """Cancel and join the background checks."""
        for page in (self.dashscope_page, self.local_page, self.servers_page):
            page.shutdown(timeout)

    def _validate(self) -> None:
        problem = self.problem()
        # The page shows its own problem next to the field; repeat it here from other pages.
        source = self.servers_page if self.servers_page.problem() else self.local_page
        shown = problem if problem and self.tabs.currentWidget() is not source else ""
        show_result(self.problem_label, shown or "", None if not shown else False)
        self.ok_button.setEnabled(problem is None)

    def _on_tab(self, index: int) -> None:
        self._validate()
        if self.tabs.widget(index) is self.local_page:
            self.local_page.start_detection()

    def _on_server_renamed(self, old: str, new: str) -> None:
        self._repoint_stages(f"openai:{old}", f"openai:{new}")

    def _on_server_removed(self, name: str) -> None:
        self._repoint_stages(f"openai:{name}", "cloud")

    def _repoint_stages(self, old: str, new: str) -> None:
        """The stages set to backend choice `old` now use `new`."""
        for stage in ("reader", "solver"):
            if getattr(self._working.backends, stage) == old:
                setattr(self._working.backends, stage, new)
        self.backends_page.refresh()
