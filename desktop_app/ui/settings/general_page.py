"""The settings dialog's General page: mode, consent, theme, language, data, history."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from desktop_app.core.paths import app_dirs
from desktop_app.core.settings import RETENTION_DAYS, Settings
from desktop_app.ui.settings.form import combo, labelled, select_data, translate
from desktop_app.ui.tir_consent import ask_tir_consent


def confirm_tir(parent: QWidget) -> bool:
    """Ask, in the one TIR consent dialog, whether the model's code may run from now on."""
    return ask_tir_consent(parent, offer_once=False) == "always"


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
