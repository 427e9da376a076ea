"""The tray icon: Snip / Show / Quit, where the desktop has a system tray."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QApplication, QMenu, QStyle, QSystemTrayIcon, QWidget


def create_tray(
    parent: QWidget,
    on_snip: Callable[[], object],
    on_show: Callable[[], object],
    on_quit: Callable[[], object],
    icon: QIcon | None = None,
) -> QSystemTrayIcon | None:
    """A shown tray icon wired to the three actions, or None when there is no system tray."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    if icon is None or icon.isNull():
        icon = QApplication.windowIcon()
    if icon.isNull():
        icon = parent.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)
    tray = QSystemTrayIcon(icon, parent)
    tray.setToolTip("Qwen Math")
    menu = QMenu(parent)
    entries = (
        (QCoreApplication.translate("Tray", "&Snip"), on_snip),
        (QCoreApplication.translate("Tray", "S&how"), on_show),
        (QCoreApplication.translate("Tray", "&Quit"), on_quit),
    )
    for text, slot in entries:
        action = QAction(text, menu)
        action.triggered.connect(lambda _checked=False, slot=slot: slot())
        menu.addAction(action)
    tray.setContextMenu(menu)

    def on_activated(reason: QSystemTrayIcon.ActivationReason) -> None:
        # a left click snips: that is what the tray is for; the menu has the rest
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            on_snip()

    tray.activated.connect(on_activated)
    tray.show()
    return tray
