"""Light, dark or follow-the-desktop: the widgets' palette and the answer page's colours."""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

PageTheme = Literal["light", "dark"]

_ROLE = QPalette.ColorRole
_GROUP = QPalette.ColorGroup

# Matches the answer page's dark colours (answer.css) so the window reads as one surface.
_DARK: dict[QPalette.ColorRole, str] = {
    _ROLE.Window: "#2b2b2e",
    _ROLE.WindowText: "#e8e8ea",
    _ROLE.Base: "#1e1e20",
    _ROLE.AlternateBase: "#2a2a2d",
    _ROLE.ToolTipBase: "#3a3a3e",
    _ROLE.ToolTipText: "#e8e8ea",
    _ROLE.PlaceholderText: "#8a8a90",
    _ROLE.Text: "#e8e8ea",
    _ROLE.Button: "#35353a",
    _ROLE.ButtonText: "#e8e8ea",
    _ROLE.BrightText: "#ff6b6b",
    _ROLE.Light: "#4a4a50",
    _ROLE.Midlight: "#3e3e44",
    _ROLE.Mid: "#2f2f33",
    _ROLE.Dark: "#1a1a1c",
    _ROLE.Shadow: "#000000",
    _ROLE.Highlight: "#4a7fd6",
    _ROLE.HighlightedText: "#ffffff",
    _ROLE.Link: "#7aa7ff",
    _ROLE.LinkVisited: "#b195ff",
}
_DARK_DISABLED: dict[QPalette.ColorRole, str] = {
    _ROLE.WindowText: "#77777d",
    _ROLE.Text: "#77777d",
    _ROLE.ButtonText: "#77777d",
    _ROLE.Highlight: "#3a3a3e",
}


def dark_palette() -> QPalette:
    """The dark palette used with the Fusion style."""
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role, colour in _DARK_DISABLED.items():
        palette.setColor(_GROUP.Disabled, role, QColor(colour))
    return palette


def system_is_dark() -> bool:
    """Whether the desktop asks for dark colours (False without a GUI application)."""
    if QGuiApplication.instance() is None:
        return False
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def answer_page_theme(choice: str) -> PageTheme:
    """The answer page's theme for a settings choice: "system" follows the desktop."""
    if choice in ("light", "dark"):
        return "dark" if choice == "dark" else "light"
    return "dark" if system_is_dark() else "light"


class ThemeNotifier(QObject):
    """Tells the window when the effective theme changes (a choice, or the desktop's)."""

    page_theme_changed = Signal(str)  # "light" or "dark"

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.choice: str = "system"
        self.applied: PageTheme | None = None
        self._app = app
        self._native_style: str | None = None  # the desktop's style, noted before going dark
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)

    def apply(self, choice: str) -> None:
        """Restyle the application for `choice` and announce the page theme."""
        self.choice = choice
        theme = answer_page_theme(choice)
        if theme == "dark":
            if self._native_style is None:
                self._native_style = self._app.style().name()
            self._app.setStyle("Fusion")  # native styles ignore a dark palette on some desktops
            self._app.setPalette(dark_palette())
        elif self._native_style is not None or choice == "light" or self._palette_is_dark():
            # Back from dark, light asked for on what may be a dark desktop, or "system" with
            # dark colours the desktop did not call dark (no colour scheme reported): the
            # desktop's style with its light colours, matching the light answer page.
            # ("system" on a light desktop needs nothing; app.style() costs ~8 ms at start.)
            if self._native_style is not None:
                self._app.setStyle(self._native_style)
            self._app.setPalette(self._app.style().standardPalette())
        if theme != self.applied:
            self.applied = theme
            self.page_theme_changed.emit(theme)

    def _palette_is_dark(self) -> bool:
        return self._app.palette().color(QPalette.ColorRole.Window).lightness() < 128

    def _on_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self.choice == "system":
            self.apply("system")


_notifiers: dict[int, ThemeNotifier] = {}  # by id() of the QApplication


def theme_notifier(app: QApplication) -> ThemeNotifier:
    """The application's one ThemeNotifier, made on first use."""
    # not app.findChild(): wrapping every child of the app costs ~8 ms at start-up
    key = id(app)
    found = _notifiers.get(key)
    if found is None:
        found = _notifiers[key] = ThemeNotifier(app)
        found.destroyed.connect(lambda: _notifiers.pop(key, None))
    return found


def apply_theme(app: QApplication, choice: str) -> PageTheme:
    """Apply "system", "light" or "dark" to the widgets; returns the answer page's theme."""
    notifier = theme_notifier(app)
    notifier.apply(choice)
    return answer_page_theme(choice)
