"""Capture with QScreen.grabWindow(0), one grab per screen stitched into one desktop image."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QScreen

from desktop_app.capture.base import CaptureError, DesktopImage, Session, to_rgb32


def device_rect(screen: QScreen) -> QRect:
    """A screen's rectangle in device pixels of the virtual desktop.

    Qt keeps each screen's top-left corner identical in logical and native coordinates and
    scales only the size, so the native origin is the logical one.
    """
    geometry = screen.geometry()
    ratio = screen.devicePixelRatio()
    return QRect(
        geometry.x(),
        geometry.y(),
        round(geometry.width() * ratio),
        round(geometry.height() * ratio),
    )


class QtScreenStrategy:
    """Qt's own grab: works on X11, Windows and macOS once the app may record the screen."""

    name = "qt_screen"
    requirement = "a running Qt GUI application"

    def is_compatible(self, session: Session) -> bool:
        """Not on Wayland: the compositor hands Qt nothing (or black) there."""
        return not session.is_wayland

    def is_installed(self, session: Session) -> bool:
        """True when a QGuiApplication exists (screens are only known through one)."""
        return QGuiApplication.instance() is not None

    def capture(self) -> DesktopImage:
        """Grab each screen at device resolution and paint it at its device position."""
        screens = QGuiApplication.screens()
        if not screens:
            raise CaptureError("Qt reports no screen to capture.")
        tiles = []
        for screen in screens:
            pixmap = screen.grabWindow(0)
            if pixmap.isNull():
                raise CaptureError(f"Qt could not grab the screen {screen.name()}.")
            tiles.append((device_rect(screen), to_rgb32(pixmap.toImage())))
        bounds = QRect()
        for rect, _ in tiles:
            bounds = bounds.united(rect)
        desktop = QImage(bounds.size(), QImage.Format.Format_RGB32)
        desktop.fill(0)
        painter = QPainter(desktop)
        for rect, image in tiles:
            # the grab's own size wins: it is what the window system really returned
            painter.drawImage(rect.topLeft() - bounds.topLeft(), image)
        painter.end()
        return DesktopImage(desktop, bounds.x(), bounds.y())


STRATEGY = QtScreenStrategy()
