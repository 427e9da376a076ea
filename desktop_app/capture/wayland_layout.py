"""The Wayland output layout as Qt knows it, and whole-desktop screenshots cut along it."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRect
from PySide6.QtGui import QGuiApplication

from desktop_app.capture.base import DesktopImage, OutputImage, OutputsImage

Layout = list[tuple[str, QRect]]


def screen_layout() -> Layout:
    """Each output's name and logical rectangle, in the order the compositor announced them.

    Qt reads both from xdg-output, as grim does; empty when no QGuiApplication runs.
    """
    if not isinstance(QCoreApplication.instance(), QGuiApplication):
        return []
    return [(screen.name(), screen.geometry()) for screen in QGuiApplication.screens()]


def split_composite(desktop: DesktopImage, layout: Layout) -> OutputsImage:
    """A screenshot of the whole layout (portal, desktop tools) as one tile per output.

    Such tools render every output at one scale (the highest, on GNOME, KDE and
    xdg-desktop-portal-wlr), so the image maps onto the logical layout by one factor.
    """
    bounds = QRect()
    for _, rect in layout:
        bounds = bounds.united(rect)
    factor = desktop.image.width() / max(1, bounds.width())
    outputs = []
    for name, rect in layout:
        cut = QRect(
            round((rect.x() - bounds.x()) * factor),
            round((rect.y() - bounds.y()) * factor),
            round(rect.width() * factor),
            round(rect.height() * factor),
        )
        outputs.append(OutputImage(rect, desktop.image.copy(cut), name))
    return OutputsImage(tuple(outputs))
