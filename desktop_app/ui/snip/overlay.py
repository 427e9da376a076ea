"""The snip overlay: the frozen, dimmed desktop on every screen; drag a rectangle to solve it.

On X11, Windows and macOS the selection lives in device pixels of the virtual desktop (see
docs/adr/006): each pointer position is mapped through the screen under it, and the PNG is
cut from ONE device-pixel grab, so it holds exactly the pixels under the rectangle, on any
mix of DPRs. On Wayland (docs/adr/014) clients know no global positions and every output
has its own scale: the selection lives in the compositor's logical coordinates, each
overlay is full screen on its own output showing that output's native pixels, and the PNG
is what `grim -g` would capture of the rectangle.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QScreen,
)
from PySide6.QtWidgets import QWidget

from desktop_app.capture import CaptureError, DesktopImage, capture_desktop
from desktop_app.capture.base import FrozenDesktop, OutputsImage
from desktop_app.capture.png import png_from_qimage
from desktop_app.capture.qt_screen import device_rect

log = logging.getLogger(__name__)

DIM = QColor(0, 0, 0, 110)
EDGE = QColor(80, 160, 255)


class _ScreenMap:
    """Where one screen lies in selection coordinates, and the frozen pixels it shows.

    `device`: the screen's rectangle in selection coordinates (device pixels of the desktop
    image; logical ones on Wayland); `tile`: its frozen pixels, `tile_scale` of them per
    selection unit (1, or the output's native scale on Wayland).
    """

    def __init__(
        self, screen: QScreen, device: QRect, tile: QImage, tile_scale: float = 1.0
    ) -> None:
        self.screen, self.logical, self.device = screen, screen.geometry(), device
        self.scale = device.width() / max(1, self.logical.width())
        self.tile, self.tile_scale = tile, tile_scale

    def to_device(self, point: QPointF) -> QPoint:
        """Logical global point -> device pixel whose top-left corner it is nearest to."""
        x = self.device.x() + round((point.x() - self.logical.x()) * self.scale)
        y = self.device.y() + round((point.y() - self.logical.y()) * self.scale)
        return QPoint(x, y)

    def to_local(self, rect: QRect) -> QRectF:
        """Device rectangle -> this screen's local logical coordinates."""
        return QRectF(
            (rect.x() - self.device.x()) / self.scale,
            (rect.y() - self.device.y()) / self.scale,
            rect.width() / self.scale,
            rect.height() / self.scale,
        )


def screen_maps(desktop: FrozenDesktop) -> list[_ScreenMap]:
    """Each screen's rectangle in selection coordinates, and its frozen pixels."""
    if isinstance(desktop, OutputsImage):
        return output_maps(desktop)
    screens = QGuiApplication.screens()
    rects = [device_rect(screen) for screen in screens]
    bounds = QRect()
    for rect in rects:
        bounds = bounds.united(rect)
    if bounds == desktop.rect:
        return [_ScreenMap(s, r, desktop.crop(r)) for s, r in zip(screens, rects, strict=True)]
    # a grab that does not match Qt's device layout: the logical layout scaled onto it
    virtual = screens[0].virtualGeometry()
    factor = desktop.image.width() / max(1, virtual.width())
    result = []
    for screen in screens:
        g = screen.geometry()
        rect = QRect(
            desktop.left + round((g.x() - virtual.x()) * factor),
            desktop.top + round((g.y() - virtual.y()) * factor),
            round(g.width() * factor),
            round(g.height() * factor),
        )
        result.append(_ScreenMap(screen, rect, desktop.crop(rect)))
    return result


def output_maps(desktop: OutputsImage) -> list[_ScreenMap]:
    """Wayland: each screen's output by name (or by place), in logical coordinates."""
    result = []
    for screen in QGuiApplication.screens():
        output = desktop.output(screen.name()) or next(
            (item for item in desktop.outputs if item.logical == screen.geometry()), None
        )
        if output is None:
            log.warning("snip: no frozen image of the screen %s", screen.name())
            continue
        result.append(_ScreenMap(screen, output.logical, output.image, output.scale))
    return result


class SnipOverlay(QObject):
    """Opens one overlay per screen; emits `snipped(png)` or `cancelled()`, or `failed(text)`."""

    snipped = Signal(bytes)
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, capture: Callable[[], FrozenDesktop] = capture_desktop) -> None:
        super().__init__()
        self._capture = capture
        self._windows: list[_ScreenOverlay] = []
        self._desktop: FrozenDesktop | None = None
        self._maps: list[_ScreenMap] = []
        self._anchor: QPoint | None = None
        self.selection = QRect()  # device pixels of the virtual desktop

    @property
    def windows(self) -> list[QWidget]:
        """The open overlay windows, one per screen (tests drive them)."""
        return list(self._windows)

    @property
    def is_open(self) -> bool:
        """True while the overlay is on screen."""
        return bool(self._windows)

    def start(self) -> bool:
        """Freeze the desktop now and show the overlay; False (and `failed`) when capture fails."""
        if self._windows:
            self._windows[0].activateWindow()
            return True
        try:
            self._desktop = self._capture()
        except CaptureError as exc:
            log.warning("snip: %s", exc)
            self.failed.emit(str(exc))
            return False
        if isinstance(self._desktop, DesktopImage) and self._desktop.picked:
            # the desktop's own screenshot dialog already let the user choose
            png, self._desktop = png_from_qimage(self._desktop.image), None
            self.snipped.emit(png)
            return True
        self._maps = screen_maps(self._desktop)
        if not self._maps:
            self._desktop = None
            self.failed.emit(self.tr("No screen could be shown for the snip."))
            return False
        self._anchor, self.selection = None, QRect()
        self._windows = [_ScreenOverlay(self, item) for item in self._maps]
        for window in self._windows:
            window.present()
        self._windows[0].activateWindow()
        return True

    def cancel(self) -> None:
        """Close without a snip."""
        if self._close():
            self.cancelled.emit()

    # -- called by the screen windows --------------------------------------------------

    def to_device(self, point: QPointF) -> QPoint:
        """Global logical position -> desktop device pixel, through the screen under it."""
        spot = point.toPoint()
        best = min(self._maps, key=lambda item: _distance(item.logical, spot))
        return best.to_device(point)

    def press(self, point: QPointF) -> None:
        """Start a selection at the pointer."""
        self._anchor = self.to_device(point)
        self.selection = QRect(self._anchor.x(), self._anchor.y(), 0, 0)
        self._repaint()

    def move(self, point: QPointF) -> None:
        """Stretch the selection to the pointer."""
        if self._anchor is None:
            return
        here = self.to_device(point)
        left, right = sorted((self._anchor.x(), here.x()))
        top, bottom = sorted((self._anchor.y(), here.y()))
        assert self._desktop is not None
        # corners are pixel edges: [left, right) x [top, bottom), clipped to the desktop
        self.selection = QRect(left, top, right - left, bottom - top).intersected(
            self._desktop.rect
        )
        self._repaint()

    def release(self, point: QPointF) -> None:
        """Finish: crop the frozen desktop and hand the PNG on; an empty drag cancels."""
        if self._anchor is None:
            return
        self.move(point)
        rect, desktop = QRect(self.selection), self._desktop
        if rect.isEmpty() or desktop is None:
            self.cancel()
            return
        png = png_from_qimage(desktop.crop(rect))
        self._close()
        log.info(
            "snip: %dx%d device pixels at %d,%d", rect.width(), rect.height(), rect.x(), rect.y()
        )
        self.snipped.emit(png)

    def _repaint(self) -> None:
        for window in self._windows:
            window.update()

    def _close(self) -> bool:
        windows, self._windows = self._windows, []
        for window in windows:
            window.close()
            window.deleteLater()
        self._desktop, self._anchor = None, None
        return bool(windows)


class _ScreenOverlay(QWidget):
    """A frameless full-screen window showing one screen's part of the frozen desktop."""

    def __init__(self, owner: SnipOverlay, screen_map: _ScreenMap) -> None:
        super().__init__(
            None,
            Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.Tool,
        )
        self._owner, self._map = owner, screen_map
        # the screen's device pixels, drawn 1:1 thanks to the device pixel ratio
        self._tile = QImage(screen_map.tile)
        self._tile.setDevicePixelRatio(screen_map.scale * screen_map.tile_scale)
        # Wayland: no client knows where its window is; a full-screen window on its own
        # output does, and tiling compositors leave full-screen windows whole
        self._wayland = QGuiApplication.platformName().startswith("wayland")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMouseTracking(False)
        self.setScreen(screen_map.screen)
        self.setGeometry(screen_map.logical)
        self.setWindowTitle(self.tr("Qwen Math snip"))

    def present(self) -> None:
        """Show on this window's screen: full screen on that output under Wayland."""
        if self._wayland:
            self.showFullScreen()
        else:
            self.show()

    def _global(self, event: QMouseEvent) -> QPointF:
        """The pointer in global logical coordinates (Wayland: from this output's origin)."""
        if self._wayland:
            # while a button is held the compositor keeps sending positions relative to
            # this surface, past its edges: a drag across outputs stays exact
            return QPointF(self._map.logical.topLeft()) + event.position()
        return event.globalPosition()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.drawImage(QPoint(0, 0), self._tile)
        painter.fillRect(self.rect(), DIM)
        part = self._owner.selection.intersected(self._map.device)
        if not part.isEmpty():
            local = self._map.to_local(part)
            painter.drawImage(local, self._tile, self._tile_rect(part))
            painter.setPen(QPen(EDGE, 1))
            painter.drawRect(local.adjusted(0, 0, -1 / self._map.scale, -1 / self._map.scale))
        selection = self._owner.selection
        if not selection.isEmpty() and self._map.device.contains(selection.bottomRight()):
            self._draw_size(painter, self._map.to_local(selection))
        painter.end()

    def _tile_rect(self, part: QRect) -> QRectF:
        local, scale = part.translated(-self._map.device.topLeft()), self._map.tile_scale
        return QRectF(
            local.x() * scale, local.y() * scale, local.width() * scale, local.height() * scale
        )

    def _draw_size(self, painter: QPainter, local: QRectF) -> None:
        selection = self._owner.selection
        text = self.tr("{width} × {height} px").format(
            width=selection.width(), height=selection.height()
        )
        metrics = painter.fontMetrics()
        box = QRectF(metrics.boundingRect(text)).adjusted(-6, -3, 6, 3)
        box.moveTopLeft(local.bottomRight() + QPointF(4, 4))
        if box.right() > self.width():
            box.moveRight(local.right() - 4)
        if box.bottom() > self.height():
            box.moveBottom(local.bottom() - 4)
        painter.fillRect(box, QColor(0, 0, 0, 180))
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() == Qt.MouseButton.LeftButton:
            # global, not local: Qt maps global positions through the screen under the
            # pointer, local ones through this window's screen (wrong across a DPR border)
            self._owner.press(self._global(event))
        elif event.button() == Qt.MouseButton.RightButton:
            self._owner.cancel()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        self._owner.move(self._global(event))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() == Qt.MouseButton.LeftButton:
            self._owner.release(self._global(event))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() == Qt.Key.Key_Escape:
            self._owner.cancel()


def _distance(rect: QRect, point: QPoint) -> int:
    """0 inside `rect`, else the Manhattan distance to it (off-screen points pick a screen)."""
    dx = max(rect.left() - point.x(), 0, point.x() - rect.right())
    dy = max(rect.top() - point.y(), 0, point.y() - rect.bottom())
    return dx + dy
