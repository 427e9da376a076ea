"""Settings and first run for the window: the dialog, and whether to greet with the welcome."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import fields
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QDialog, QWidget

from desktop_app.core.secrets import get_api_key
from desktop_app.core.settings import Settings, needs_welcome

if TYPE_CHECKING:
    from desktop_app.ui.settings.dialog import SettingsDialog


class SetupFlow(QObject):
    """Edits the settings in place and decides on the welcome page; the window reacts."""

    settings_changed = Signal()  # the dialog was accepted; the settings object was updated
    welcome_decided = Signal(bool)  # True: nothing is set up yet, greet the user

    def __init__(
        self, parent: QWidget, settings: Settings, save: Callable[[Settings], None]
    ) -> None:
        super().__init__(parent)
        self._parent, self._settings, self._save = parent, settings, save

    def open_settings(self, first_run: str | None = None) -> None:
        """Show the settings dialog (on the page for a welcome choice, if given)."""
        from desktop_app.ui.settings.dialog import SettingsDialog

        dialog = SettingsDialog(self._settings, self._parent)
        if first_run:
            dialog.prepare_first_run(first_run)
        dialog.finished.connect(functools.partial(self._on_closed, dialog))
        dialog.open()

    def check_in_background(self) -> None:
        """Decide on the welcome page off the GUI thread: a keyring look-up can take 0.4 s."""
        from desktop_app.ui.workers import start_worker

        start_worker(
            lambda _cancel: get_api_key() is not None, "key-check", returned=self._on_key_checked
        )

    @Slot(object)
    def _on_key_checked(self, key_present: object) -> None:
        self.welcome_decided.emit(needs_welcome(self._settings, bool(key_present)))

    def _on_closed(self, dialog: SettingsDialog, code: int) -> None:
        if code != QDialog.DialogCode.Accepted:
            return
        new = dialog.result_settings()
        for field in fields(new):  # in place: the backends factory holds this same object
            setattr(self._settings, field.name, getattr(new, field.name))
        self._save(self._settings)
        self.settings_changed.emit()
        self.check_in_background()
