"""Work that waits until the window is on screen."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


def after_first_paint(parent: QObject, slot: Callable[[], object]) -> None:
    """Run `slot` once the event loop has handled what is queued now (showing the window).

    A zero-interval timer fires after the events already posted, where a zero-delay
    `QTimer.singleShot` would be one of them; the timer belongs to `parent`, so a
    closed window never runs it.
    """
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.timeout.connect(slot)
    timer.timeout.connect(timer.deleteLater)
    timer.start(0)
