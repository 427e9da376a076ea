"""Window geometry and splitter sizes, remembered between runs with QSettings."""

from __future__ import annotations

import os

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QSplitter, QWidget

from desktop_app.core.paths import APP_NAME, app_dirs

ORGANIZATION = "QwenMath"
_GEOMETRY = "window/geometry"


def window_qsettings() -> QSettings:
    """The QSettings store; under QWEN_MATH_HOME's config dir in portable mode."""
    fmt = QSettings.Format.IniFormat
    if os.environ.get("QWEN_MATH_HOME"):
        # Portable: keep Qt's own state next to settings.toml, never in the user's registry.
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(app_dirs().config))
        return QSettings(fmt, QSettings.Scope.UserScope, ORGANIZATION, APP_NAME)
    return QSettings(ORGANIZATION, APP_NAME)


def _splitter_key(splitter: QSplitter) -> str:
    # The window has 2 or 3 panes (with or without history): each layout keeps its own sizes.
    return f"window/splitter{splitter.count()}"


def save_window_state(window: QWidget, splitter: QSplitter) -> None:
    """Remember the window's geometry and the splitter's sizes."""
    store = window_qsettings()
    store.setValue(_GEOMETRY, window.saveGeometry())
    store.setValue(_splitter_key(splitter), splitter.saveState())
    store.sync()


def restore_window_state(window: QWidget, splitter: QSplitter) -> bool:
    """Put back what save_window_state kept; False when nothing usable was saved."""
    store = window_qsettings()
    geometry = store.value(_GEOMETRY)
    state = store.value(_splitter_key(splitter))
    restored = False
    if isinstance(geometry, QByteArray) and not geometry.isEmpty():
        restored = window.restoreGeometry(geometry)
    if isinstance(state, QByteArray) and not state.isEmpty():
        restored = splitter.restoreState(state) or restored
    return restored
