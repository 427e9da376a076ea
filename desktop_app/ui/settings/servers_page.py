"""The settings dialog's Servers page: OpenAI-compatible server profiles, checked and tested."""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.settings import ServerProfile, Settings, preset_profiles
from desktop_app.ui.settings.checks import CheckRunner
from desktop_app.ui.settings.form import (
    combo,
    labelled,
    natural,
    select_data,
    show_result,
    translate,
)

ConnectionTest = Callable[[ServerProfile], list[str]]
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def profile_problem(profile: ServerProfile, names: list[str]) -> str | None:
    """Why a profile cannot be saved, as one sentence, or None."""
    name = profile.name.strip()
    if not name:
        return translate("SettingsDialog", "Every server needs a name.")
    if names.count(profile.name) > 1:
        return translate("SettingsDialog", "Two servers are called “{name}”; rename one.").format(
            name=name
        )
    parts = urlsplit(profile.base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        text = translate(
            "SettingsDialog", "The base URL of “{name}” must look like http://host:8000/v1."
        )
        return text.format(name=name)
    if profile.api_key_env and not _ENV_NAME.fullmatch(profile.api_key_env):
        text = translate(
            "SettingsDialog",
            "The key variable of “{name}” must be the name of an environment variable, "
            "not the key itself.",
        )
        return text.format(name=name)
    return None


class ServersPage(QWidget):
    """A list of server profiles and a form for the selected one."""

    changed = Signal()
    renamed = Signal(str, str)  # old name, new name
    removed = Signal(str)

    def __init__(self, working: Settings, test_connection: ConnectionTest) -> None:
        super().__init__()
        self._s, self._test_connection = working, test_connection
        self.list = QListWidget()
        self.list.setMaximumWidth(200)
        add = QPushButton(translate("SettingsDialog", "Add"))
        menu = QMenu(add)
        menu.addAction(translate("SettingsDialog", "Empty server"), lambda: self.add_profile(None))
        for preset in preset_profiles():
            menu.addAction(preset.name, functools.partial(self.add_profile, preset))
        add.setMenu(menu)
        self.remove_button = QPushButton(translate("SettingsDialog", "Remove"))
        self.remove_button.clicked.connect(self.remove_current)
        self.name_edit = QLineEdit()
        self.url_edit = QLineEdit()
        self.url_edit.setPlaceholderText("http://localhost:8000/v1")
        self.env_edit = QLineEdit()
        self.env_edit.setPlaceholderText(
            translate("SettingsDialog", "e.g. VLLM_API_KEY (optional)")
        )
        self.reader_box, self.solver_box = QComboBox(), QComboBox()
        for box in (self.reader_box, self.solver_box):
            box.setEditable(True)
        self.continuation_box = combo(
            (translate("SettingsDialog", "vLLM / SGLang"), "vllm"),
            (translate("SettingsDialog", "DashScope compatible mode"), "partial"),
            (translate("SettingsDialog", "Plain (Ollama, LM Studio)"), "plain"),
        )
        self.test_button = QPushButton(translate("SettingsDialog", "Test connection"))
        self.test_button.clicked.connect(self.test_current)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.tester = CheckRunner(self.test_button, self.result_label, self)
        self.models_list = QListWidget()
        self.models_list.setMaximumHeight(90)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.form_widget = QWidget()
        form = QFormLayout(self.form_widget)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(translate("SettingsDialog", "Name:"), self.name_edit)
        form.addRow(translate("SettingsDialog", "Base URL:"), self.url_edit)
        form.addRow(translate("SettingsDialog", "Key variable:"), self.env_edit)
        form.addRow(translate("SettingsDialog", "Reader model:"), self.reader_box)
        form.addRow(translate("SettingsDialog", "Solver model:"), self.solver_box)
        form.addRow(translate("SettingsDialog", "Server kind:"), self.continuation_box)
        form.addRow("", natural(self.test_button))
        form.addRow("", self.result_label)
        form.addRow(translate("SettingsDialog", "Models:"), self.models_list)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(self.remove_button)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addLayout(buttons)
        right = QVBoxLayout()
        right.addWidget(self.form_widget)
        right.addWidget(self.problem_label)
        right.addStretch(1)
        row = QHBoxLayout(self)
        row.addLayout(left)
        row.addLayout(right, 1)
        for widget, name in (
            (self.list, translate("SettingsDialog", "Servers")),
            (add, translate("SettingsDialog", "Add a server")),
            (self.remove_button, translate("SettingsDialog", "Remove the server")),
            (self.name_edit, translate("SettingsDialog", "Server name")),
            (self.url_edit, translate("SettingsDialog", "Base URL")),
            (self.env_edit, translate("SettingsDialog", "Environment variable holding the key")),
            (self.reader_box, translate("SettingsDialog", "Reader model")),
            (self.solver_box, translate("SettingsDialog", "Solver model")),
            (self.continuation_box, translate("SettingsDialog", "Server kind")),
            (self.test_button, translate("SettingsDialog", "Test connection")),
            (self.models_list, translate("SettingsDialog", "Models the server lists")),
        ):
            labelled(widget, name)
        for profile in working.servers:
            self.list.addItem(profile.name)
        self.list.currentRowChanged.connect(self._show_row)
        self.name_edit.textEdited.connect(self._on_name)
        for edit in (self.url_edit, self.env_edit):
            edit.textEdited.connect(self._write)
        for box in (self.reader_box, self.solver_box):
            box.currentTextChanged.connect(self._write)
        self.continuation_box.currentIndexChanged.connect(self._write)
        self.list.setCurrentRow(0 if working.servers else -1)
        self._show_row(self.list.currentRow())

    def current(self) -> ServerProfile | None:
        """The profile shown in the form."""
        row = self.list.currentRow()
        return self._s.servers[row] if 0 <= row < len(self._s.servers) else None

    def problem(self) -> str | None:
        """The first profile that cannot be saved, as a sentence, or None."""
        names = [p.name for p in self._s.servers]
        return next(filter(None, (profile_problem(p, names) for p in self._s.servers)), None)

    def add_profile(self, preset: ServerProfile | None) -> None:
        """Add a profile (a copy of `preset`, or an empty one) with a name of its own."""
        profile = copy.deepcopy(preset) if preset else ServerProfile(name="Server")
        taken, base, n = {p.name for p in self._s.servers}, profile.name, 2
        while profile.name in taken:
            profile.name, n = f"{base} {n}", n + 1
        self._s.servers.append(profile)
        self.list.addItem(profile.name)
        self.list.setCurrentRow(self.list.count() - 1)
        self.changed.emit()

    def remove_current(self) -> None:
        """Remove the selected profile."""
        row = self.list.currentRow()
        if 0 <= row < len(self._s.servers):
            name = self._s.servers.pop(row).name
            self.list.takeItem(row)
            self.removed.emit(name)
            self.changed.emit()

    def test_current(self) -> None:
        """List the selected server's models, off the GUI thread."""
        profile = self.current()
        if profile is None or self.tester.running:
            return
        snapshot = copy.deepcopy(profile)
        self.tester.run(lambda _cancel: self._test_connection(snapshot), self._on_models)

    def _on_models(self, models: object) -> str:
        """Offer the models the server listed; say how many there are."""
        names = [str(m) for m in models] if isinstance(models, list) else []
        self.models_list.clear()
        self.models_list.addItems(names)
        for box in (self.reader_box, self.solver_box):
            text = box.currentText()
            box.blockSignals(True)
            box.clear()
            box.addItems(names)
            box.setCurrentText(text)
            box.blockSignals(False)
        text = translate("SettingsDialog", "Connected: the server lists {count} models.")
        return text.format(count=len(names))

    def _show_row(self, _row: int) -> None:
        profile = self.current()
        self.form_widget.setEnabled(profile is not None)
        self.remove_button.setEnabled(profile is not None)
        shown = profile or ServerProfile()
        widgets = (self.name_edit, self.url_edit, self.env_edit, self.reader_box, self.solver_box)
        for widget in (*widgets, self.continuation_box):
            widget.blockSignals(True)
        self.name_edit.setText(shown.name)
        self.url_edit.setText(shown.base_url)
        self.env_edit.setText(shown.api_key_env)
        for box, model in (
            (self.reader_box, shown.reader_model),
            (self.solver_box, shown.solver_model),
        ):
            box.clear()
            box.setCurrentText(model)
        select_data(self.continuation_box, shown.continuation)
        for widget in (*widgets, self.continuation_box):
            widget.blockSignals(False)
        self.models_list.clear()
        show_result(self.result_label, "", None)
        self._update_problem()

    def _on_name(self, text: str) -> None:
        profile = self.current()
        if profile is None:
            return
        old, profile.name = profile.name, text.strip()
        self.list.currentItem().setText(profile.name)
        self.renamed.emit(old, profile.name)
        self._update_problem()
        self.changed.emit()

    def _write(self, *_args: object) -> None:
        profile = self.current()
        if profile is None:
            return
        profile.base_url = self.url_edit.text().strip()
        profile.api_key_env = self.env_edit.text().strip()
        profile.reader_model = self.reader_box.currentText().strip()
        profile.solver_model = self.solver_box.currentText().strip()
        profile.continuation = self.continuation_box.currentData() or "vllm"
        self._update_problem()
        self.changed.emit()

    def _update_problem(self) -> None:
        problem = self.problem()
        show_result(self.problem_label, problem or "", None if problem is None else False)

    def shutdown(self, timeout: float) -> None:
        """Stop waiting for a test in progress."""
        self.tester.shutdown(timeout)
