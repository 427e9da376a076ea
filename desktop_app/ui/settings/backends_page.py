"""The settings dialog's Backends page: which backend reads and which solves."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QWidget

from desktop_app.core.settings import Settings
from desktop_app.ui.settings.form import labelled, select_data, translate


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
        for role, title, model_name in (
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
            form.addRow(title, self.boxes[role])
            form.addRow(translate("SettingsDialog", "Model:"), self.models[role])
            labelled(self.boxes[role], title.rstrip(":"))
            labelled(self.models[role], model_name)
            self.boxes[role].currentIndexChanged.connect(self._store)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the choices from the current server profiles and show each role's model."""
        for role, box in self.boxes.items():
            chosen = getattr(self._s.backends, role)
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
            setattr(self._s.backends, role, box.currentData())
            self.models[role].setText(self._model(role, box.currentData()) or "—")

    def _model(self, role: str, choice: str) -> str:
        kind, _, name = choice.partition(":")
        section = {"cloud": self._s.cloud, "local": self._s.local}.get(kind) or self._s.server(name)
        return str(getattr(section, f"{role}_model", ""))

    def _store(self, _index: int) -> None:
        for role, box in self.boxes.items():
            setattr(self._s.backends, role, box.currentData())
        self.refresh()
        self.changed.emit()
