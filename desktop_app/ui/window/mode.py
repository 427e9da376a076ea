"""The solving mode: the toolbar's choice, TIR only with consent, saved in the settings and
kept in the problem state that every request takes it from."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QComboBox, QWidget

from desktop_app.core.settings import Settings
from desktop_app.ui.tir_consent import ConsentPrompt

if TYPE_CHECKING:
    from desktop_app.core.problem_state import ProblemState


class SolvingMode(QObject):
    """Keeps the mode box, the saved setting and the problem state's mode in step."""

    def __init__(
        self,
        box: QComboBox,
        state: ProblemState,
        settings: Settings,
        save_settings: Callable[[Settings], None],
        ask_consent: ConsentPrompt,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._box, self._state = box, state
        self._settings, self._save = settings, save_settings
        self._ask_consent, self._parent = ask_consent, parent
        self.show_setting()
        box.currentIndexChanged.connect(self._on_chosen)

    def show_setting(self) -> None:
        """Show the saved mode (after the settings changed); the state follows it."""
        self._box.blockSignals(True)
        self._box.setCurrentIndex(max(0, self._box.findData(self._settings.solve.mode)))
        self._box.blockSignals(False)
        self._state.mode = "tir" if self._box.currentData() == "tir" else "cot"

    def confirm(self) -> None:
        """Before a run: TIR only with consent (asked again each run unless always allowed),
        else step by step."""
        if self._state.mode == "tir" and not self._allowed():
            self._box.setCurrentIndex(0)

    @Slot(int)
    def _on_chosen(self, _index: int) -> None:
        if self._box.currentData() == "tir" and not self._allowed():
            self._box.setCurrentIndex(0)  # comes back here as step by step
            return
        self._state.mode = "tir" if self._box.currentData() == "tir" else "cot"
        self._settings.solve.mode = self._state.mode
        self._save(self._settings)

    def _allowed(self) -> bool:
        if self._settings.solve.tir_consent:
            return True
        answer = self._ask_consent(self._parent)
        if answer == "always":
            self._settings.solve.tir_consent = True
            self._save(self._settings)
        return answer in ("once", "always")
