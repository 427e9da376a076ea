"""The settings dialog's DashScope page: region, key (kept in the keyring), models, a test."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QWidget

from desktop_app.core.settings import Settings
from desktop_app.ui.settings.checks import CheckRunner, dashscope_probe
from desktop_app.ui.settings.form import (
    combo,
    labelled,
    natural,
    select_data,
    show_result,
    translate,
)


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
