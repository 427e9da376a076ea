"""The number of samples (self-consistency): the toolbar's choice, saved in the settings and
kept in the problem state that every request takes it from."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Slot
from PySide6.QtWidgets import QComboBox, QWidget

from desktop_app.core.settings import Settings

if TYPE_CHECKING:
    from desktop_app.core.problem_state import ProblemState

translate = QCoreApplication.translate
CHOICES = (1, 4, 8, 16)  # the command line takes any number up to core.settings.MAX_SAMPLES
ONE = str(QT_TRANSLATE_NOOP("MainWindow", "1 sample"))
MANY = str(QT_TRANSLATE_NOOP("MainWindow", "{count} samples"))


def samples_label(count: int) -> str:
    """ "1 sample", "8 samples" in the UI language."""
    return (
        translate("MainWindow", ONE)
        if count == 1
        else translate("MainWindow", MANY).format(count=count)
    )


def samples_box() -> QComboBox:
    """The toolbar's choice of how many solutions to sample (its data: the number)."""
    box = QComboBox()
    box.setObjectName("samplesBox")
    for count in CHOICES:
        box.addItem(samples_label(count), count)
    box.setAccessibleName(translate("MainWindow", "Samples"))
    box.setToolTip(
        translate(
            "MainWindow",
            "Self-consistency: solve several times with sampling and show the answer most "
            "samples agree on",
        )
    )
    return box


class SampleCount(QObject):
    """Keeps the samples box, the saved setting and the problem state's samples in step."""

    def __init__(
        self,
        box: QComboBox,
        state: ProblemState,
        settings: Settings,
        save_settings: Callable[[Settings], None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._box, self._state = box, state
        self._settings, self._save = settings, save_settings
        self.show_setting()
        box.currentIndexChanged.connect(self._on_chosen)

    def show_setting(self) -> None:
        """Show the saved number (after the settings changed); the state follows it."""
        count = self._settings.solve.samples
        self._box.blockSignals(True)
        if self._box.findData(count) < 0:  # a number from an edited settings file: offer it
            self._box.addItem(samples_label(count), count)
        self._box.setCurrentIndex(self._box.findData(count))
        self._box.blockSignals(False)
        self._state.samples = count

    @Slot(int)
    def _on_chosen(self, _index: int) -> None:
        count = int(self._box.currentData())
        self._state.samples = self._settings.solve.samples = count
        self._save(self._settings)
