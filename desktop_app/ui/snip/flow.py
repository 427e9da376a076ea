"""The snip gesture around the window: hide it, run the overlay, bring it back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from desktop_app.ui.snip.overlay import SnipOverlay

HIDE_DELAY_MS = 150  # time for the compositor to take our window off the screen


def raise_window(window: QWidget) -> None:
    """Show `window` above the others."""
    window.showNormal()
    window.raise_()
    window.activateWindow()


class SnipFlow(QObject):
    """Freezes the screens without our window on them; emits the snipped PNG or a failure."""

    snipped = Signal(bytes)
    failed = Signal(str)

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._overlay: SnipOverlay | None = None

    def start(self) -> None:
        """Hide the window, then open the overlay on every screen."""
        self._window.hide()
        QTimer.singleShot(HIDE_DELAY_MS, self.overlay().start)

    def overlay(self) -> SnipOverlay:
        """The overlay, made on first use: the capture code stays out of start-up."""
        if self._overlay is None:
            from desktop_app.ui.snip.overlay import SnipOverlay

            overlay = SnipOverlay()
            overlay.snipped.connect(self._on_snipped)
            overlay.cancelled.connect(self._restore)
            overlay.failed.connect(self._on_failed)
            self._overlay = overlay
        return self._overlay

    @Slot(bytes)
    def _on_snipped(self, png: bytes) -> None:
        self._restore()
        self.snipped.emit(png)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._restore()
        self.failed.emit(message)

    @Slot()
    def _restore(self) -> None:
        raise_window(self._window)
