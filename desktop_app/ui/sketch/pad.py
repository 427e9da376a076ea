"""The sketch pad: draw a problem with a pen, a finger or the mouse; hand it on as a cropped PNG."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QCursor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QPointingDevice,
    QResizeEvent,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import (
    QSizePolicy,
    QWidget,
)

INK = QColor("#1d1d1f")
FRAME = QColor("#c8c8cc")
# English; hint() gives it in the UI language
HINT = str(
    QT_TRANSLATE_NOOP("SketchPad", "Draw the problem here with a pen, a finger or the mouse")
)
ERASER_SCALE = 4.0  # the eraser is this many pen widths wide: erasing is coarser than writing
MIN_MOVE = 0.75  # px; closer points add nothing but cost and make zero-length pieces


def hint() -> str:
    """The empty pad's hint in the UI language."""
    return QCoreApplication.translate("SketchPad", HINT)


def _mid(a: QPointF, b: QPointF) -> QPointF:
    return (a + b) / 2.0


@dataclass
class Stroke:
    """One pen or eraser stroke as vector data: its points and the width at each."""

    points: list[QPointF] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    eraser: bool = False

    def piece(self, k: int) -> tuple[QPainterPath, float]:
        """The smoothed piece that point k (k >= 1) completes: a quadratic through midpoints."""
        p = self.points
        path = QPainterPath()
        if k == 1:
            path.moveTo(p[0])
            path.lineTo(_mid(p[0], p[1]))
        else:
            path.moveTo(_mid(p[k - 2], p[k - 1]))
            path.quadTo(p[k - 1], _mid(p[k - 1], p[k]))
        return path, self.widths[k - 1]

    def tail(self) -> tuple[QPainterPath, float]:
        """The last half-segment (or a dot for a single tap), drawn when the stroke ends."""
        path = QPainterPath()
        last = self.points[-1]
        if len(self.points) == 1:
            path.moveTo(last)
            path.lineTo(last + QPointF(0.01, 0))  # a zero-length path draws nothing at all
        else:
            path.moveTo(_mid(self.points[-2], last))
            path.lineTo(last)
        return path, self.widths[-1]

    def pieces(self) -> Iterator[tuple[QPainterPath, float]]:
        """Every piece of the finished stroke, in drawing order."""
        for k in range(1, len(self.points)):
            yield self.piece(k)
        yield self.tail()

    def bounds(self) -> QRectF:
        """A rectangle that holds all the ink of this stroke."""
        pad = max(self.widths) / 2 + 2
        xs = [p.x() for p in self.points]
        ys = [p.y() for p in self.points]
        return QRectF(QPointF(min(xs) - pad, min(ys) - pad), QPointF(max(xs) + pad, max(ys) + pad))


def paint_piece(painter: QPainter, path: QPainterPath, width: float, eraser: bool) -> None:
    """Draw one piece of ink, or cut it out of the layer for the eraser."""
    pen = QPen(INK, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    mode = QPainter.CompositionMode
    painter.setCompositionMode(
        mode.CompositionMode_Clear if eraser else mode.CompositionMode_SourceOver
    )
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)


def _render(
    strokes: Iterable[Stroke], size: tuple[int, int], offset: QPointF, dpr: float
) -> QImage:
    """The strokes on a transparent image (eraser strokes cut holes)."""
    image = QImage(size[0], size[1], QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(dpr)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.translate(-offset)
    for stroke in strokes:
        for path, width in stroke.pieces():
            paint_piece(painter, path, width, stroke.eraser)
    painter.end()
    return image


class SketchPad(QWidget):
    """A drawing surface: smoothed vector strokes, pressure, eraser, undo/redo, PNG export."""

    changed = Signal()  # a stroke was added, undone, redone or cleared

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # so Ctrl+Z reaches the panel's actions
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 160)
        self.setAccessibleName(self.tr("Sketch pad"))
        self.setAccessibleDescription(hint())
        # undo history as snapshots sharing their strokes: cheap, and no QUndoStack, whose
        # destructor emits signals into this half-destroyed widget
        self._history: list[tuple[Stroke, ...]] = [()]
        self._index = 0
        self._current: Stroke | None = None
        self._touch_id: int | None = None
        self._width = 3.0
        self._eraser = False
        self._layer = QImage()
        self._update_cursor()

    # -- public API ------------------------------------------------------------------------

    @property
    def _strokes(self) -> tuple[Stroke, ...]:
        return self._history[self._index]

    def strokes(self) -> list[Stroke]:
        """The committed strokes, oldest first (a copy)."""
        return list(self._strokes)

    def can_undo(self) -> bool:
        """Whether there is a stroke or clear to undo."""
        return self._index > 0

    def can_redo(self) -> bool:
        """Whether there is something undone to redo."""
        return self._index < len(self._history) - 1

    def has_ink(self) -> bool:
        """Whether any pen stroke is committed (it may have been erased since)."""
        return any(not stroke.eraser for stroke in self._strokes)

    def pen_width(self) -> float:
        """The base pen width in px (pressure scales it; the eraser is ERASER_SCALE times it)."""
        return self._width

    def set_pen_width(self, width: float) -> None:
        """Set the base width for the next strokes."""
        self._width = max(0.5, float(width))
        self._update_cursor()

    def is_eraser(self) -> bool:
        """Whether new mouse and touch strokes erase."""
        return self._eraser

    def set_eraser(self, on: bool) -> None:
        """Switch between pen and eraser (a stylus' eraser end always erases)."""
        self._eraser = on
        self._update_cursor()

    def undo(self) -> None:
        """Undo the last stroke or clear."""
        if self.can_undo():
            self._move_in_history(-1)

    def redo(self) -> None:
        """Redo what was last undone."""
        if self.can_redo():
            self._move_in_history(+1)

    def clear(self) -> None:
        """Remove everything (undoable)."""
        if self._strokes:
            self._commit(())
            self._rebuild()

    def to_png(self, margin: int = 24) -> bytes | None:
        """The drawing on white, cropped to the ink with `margin` px around; None when blank."""
        if not self.has_ink():
            return None
        from PIL import Image  # on first use: Pillow costs ~0.1 s of start-up otherwise

        bounds = QRectF()
        for stroke in self._strokes:
            bounds = bounds.united(stroke.bounds())
        box = bounds.toAlignedRect()
        layer = _render(self._strokes, (box.width(), box.height()), QPointF(box.topLeft()), 1.0)
        rgba = layer.convertToFormat(QImage.Format.Format_RGBA8888)
        ink = Image.frombuffer(
            "RGBA", (rgba.width(), rgba.height()), bytes(rgba.constBits()), "raw", "RGBA",
            rgba.bytesPerLine(), 1,
        )  # fmt: skip
        inked = ink.getchannel("A").getbbox()  # any alpha at all: the margin stays pure white
        if inked is None:
            return None  # everything drawn was erased
        ink = ink.crop(inked)
        page = Image.new("RGB", (ink.width + 2 * margin, ink.height + 2 * margin), "white")
        page.paste(ink, (margin, margin), ink)
        out = io.BytesIO()
        page.save(out, "PNG")
        return out.getvalue()

    # -- input -----------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position(), self._width, self._eraser)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self._current is not None and self._touch_id is None:
            self._extend(event.position(), self._width)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if event.button() == Qt.MouseButton.LeftButton and self._touch_id is None:
            self._finish()

    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802 (Qt override)
        """A stylus: width follows pressure when the device reports it; its eraser end erases."""
        device = event.pointingDevice()
        has_pressure = bool(device.capabilities() & QPointingDevice.Capability.Pressure)
        # pressure 0.5 gives the base width; a light touch is still visible
        width = self._width * (0.2 + 1.6 * event.pressure()) if has_pressure else self._width
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            eraser = event.pointerType() == QPointingDevice.PointerType.Eraser or self._eraser
            self._begin(event.position(), width, eraser)
        elif kind == QEvent.Type.TabletMove and self._current is not None:
            self._extend(event.position(), width)
        elif kind == QEvent.Type.TabletRelease:
            self._finish()
        event.accept()  # accepted tablet events are not replayed as mouse events

    def event(self, event: QEvent) -> bool:
        """Touch: one finger draws; accepting the touch stops Qt faking mouse events from it."""
        kind = event.type()
        if kind not in (
            QEvent.Type.TouchBegin,
            QEvent.Type.TouchUpdate,
            QEvent.Type.TouchEnd,
            QEvent.Type.TouchCancel,
        ):
            return super().event(event)
        assert isinstance(event, QTouchEvent)
        if kind == QEvent.Type.TouchCancel:
            self._abandon()
            return True
        points = event.points()
        if kind == QEvent.Type.TouchBegin and points:
            self._begin(points[0].position(), self._width, self._eraser)
            self._touch_id = points[0].id()
        for point in points:
            if point.id() != self._touch_id:
                continue  # a second finger neither draws nor ends the stroke
            if point.state() == point.State.Released:
                self._finish()
            else:
                self._extend(point.position(), self._width)
        if kind == QEvent.Type.TouchEnd:
            self._finish()
        event.accept()
        return True

    # -- drawing ---------------------------------------------------------------------------

    def _begin(self, pos: QPointF, width: float, eraser: bool) -> None:
        self._finish()
        self._current = Stroke([QPointF(pos)], [width * (ERASER_SCALE if eraser else 1)], eraser)

    def _extend(self, pos: QPointF, width: float) -> None:
        stroke = self._current
        if stroke is None:
            return
        delta = pos - stroke.points[-1]
        if abs(delta.x()) + abs(delta.y()) < MIN_MOVE:
            return
        stroke.points.append(QPointF(pos))
        stroke.widths.append(width * (ERASER_SCALE if stroke.eraser else 1))
        self._paint_on_layer(stroke, *stroke.piece(len(stroke.points) - 1))

    def _finish(self) -> None:
        stroke, self._current, self._touch_id = self._current, None, None
        if stroke is None:
            return
        self._paint_on_layer(stroke, *stroke.tail())
        self._commit((*self._strokes, stroke))  # already on the layer: no rebuild

    def _commit(self, strokes: tuple[Stroke, ...]) -> None:
        del self._history[self._index + 1 :]
        self._history.append(strokes)
        self._index += 1
        self.changed.emit()

    def _move_in_history(self, step: int) -> None:
        self._index += step
        self._rebuild()
        self.changed.emit()

    def _abandon(self) -> None:
        self._current, self._touch_id = None, None
        self._rebuild()

    def _paint_on_layer(self, stroke: Stroke, path: QPainterPath, width: float) -> None:
        # live strokes are painted piece by piece, so a long stroke costs the same per event
        self._ensure_layer()
        painter = QPainter(self._layer)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        paint_piece(painter, path, width, stroke.eraser)
        painter.end()
        pad = width / 2 + 2
        self.update(path.boundingRect().adjusted(-pad, -pad, pad, pad).toAlignedRect())

    def _ensure_layer(self) -> None:
        dpr = self.devicePixelRatioF()
        want = (round(self.width() * dpr), round(self.height() * dpr))
        if (self._layer.width(), self._layer.height()) != want:
            self._rebuild()

    def _rebuild(self) -> None:
        dpr = self.devicePixelRatioF()
        strokes = [*self._strokes, *([self._current] if self._current else [])]
        size = (max(1, round(self.width() * dpr)), max(1, round(self.height() * dpr)))
        self._layer = _render(strokes, size, QPointF(0, 0), dpr)
        self.update()

    def _update_cursor(self) -> None:
        if not self._eraser:
            self.setCursor(Qt.CursorShape.CrossCursor)
            return
        size = max(8, round(self._width * ERASER_SCALE)) + 2
        ring = QPixmap(size, size)
        ring.fill(Qt.GlobalColor.transparent)
        painter = QPainter(ring)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#6e6e73"), 1))
        painter.drawEllipse(QRectF(0.5, 0.5, size - 1, size - 1))
        painter.end()
        self.setCursor(QCursor(ring, size // 2, size // 2))

    # -- painting --------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._rebuild()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        self._ensure_layer()
        painter = QPainter(self)
        painter.fillRect(event.rect(), Qt.GlobalColor.white)
        painter.drawImage(QPointF(0, 0), self._layer)
        if not self._strokes and self._current is None:
            painter.setPen(QColor("#8e8e93"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, hint())
        painter.setPen(QPen(FRAME, 1))
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        painter.end()
