"""The sketch pad: mouse, stylus and touch strokes; undo, eraser, width; the cropped PNG."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import pytest
from PIL import Image, ImageOps
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop_app.ui.sketch.pad import SketchPad
from desktop_app.ui.sketch.panel import SketchPanel
from tests.ui.conftest import ARTIFACTS

MARGIN = 24
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def panel(qtbot: Any) -> SketchPanel:
    widget = SketchPanel()
    qtbot.addWidget(widget)
    widget.resize(480, 320)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def line(a: tuple[float, float], b: tuple[float, float], steps: int = 12) -> list[QPoint]:
    """Points along a straight line, as a hand would pass through them."""
    return [
        QPoint(round(a[0] + (b[0] - a[0]) * i / steps), round(a[1] + (b[1] - a[1]) * i / steps))
        for i in range(steps + 1)
    ]


def drag(pad: SketchPad, points: Iterable[QPoint]) -> None:
    """One mouse stroke through `points`."""
    first, *rest = list(points)
    QTest.mousePress(pad, LEFT, Qt.KeyboardModifier.NoModifier, first)
    for point in rest:
        QTest.mouseMove(pad, point)
    QTest.mouseRelease(pad, LEFT, Qt.KeyboardModifier.NoModifier, rest[-1] if rest else first)


def decode(png: bytes | None) -> Image.Image:
    assert png is not None
    return Image.open(io.BytesIO(png)).convert("RGB")


def ink_box(image: Image.Image) -> tuple[int, int, int, int]:
    """The bounding box of every pixel that is not pure white."""
    box = ImageOps.invert(image.convert("L")).getbbox()
    assert box is not None, "no ink"
    return box


def ink_height(pad: SketchPad) -> int:
    box = ink_box(decode(pad.to_png(MARGIN)))
    return box[3] - box[1]


def test_stroke_is_cropped_to_the_ink_with_a_white_margin(panel: SketchPanel) -> None:
    """GIVEN a stroke from (50,50) to (150,80) THEN the PNG is the ink plus the margin."""
    pad = panel.pad
    assert pad.to_png() is None
    drag(pad, line((50, 50), (150, 80)))
    image = decode(pad.to_png(MARGIN))
    half = pad.pen_width() / 2
    assert abs(image.width - (100 + 2 * half + 2 * MARGIN)) <= 3
    assert abs(image.height - (30 + 2 * half + 2 * MARGIN)) <= 3
    left, top, right, bottom = ink_box(image)
    assert (left, top) == (MARGIN, MARGIN)
    assert (image.width - right, image.height - bottom) == (MARGIN, MARGIN)
    border = [image.crop((0, 0, image.width, MARGIN)), image.crop((0, 0, MARGIN, image.height))]
    border += [image.crop((image.width - MARGIN, 0, image.width, image.height))]
    border += [image.crop((0, image.height - MARGIN, image.width, image.height))]
    assert all(part.getextrema() == ((255, 255),) * 3 for part in border)
    assert image.convert("L").getextrema()[0] < 60  # real dark ink, not a grey smear
    assert panel.solve_button.isEnabled()


def test_undo_redo_and_clear(panel: SketchPanel) -> None:
    """GIVEN a stroke WHEN undone THEN blank; redo brings it back; clear is undoable too."""
    pad = panel.pad
    assert not panel.undo_action.isEnabled()
    drag(pad, line((50, 50), (150, 80)))
    before = pad.to_png()
    pad.setFocus()
    QTest.keyClick(pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert pad.to_png() is None
    assert not panel.solve_button.isEnabled()
    assert panel.redo_action.isEnabled()
    QTest.keyClick(
        pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert pad.to_png() == before
    panel.clear_action.trigger()
    assert pad.to_png() is None
    pad.undo()
    assert pad.to_png() == before


def test_eraser_removes_ink(panel: SketchPanel) -> None:
    """GIVEN a stroke WHEN the eraser passes over half of it THEN only the other half is left."""
    pad = panel.pad
    drag(pad, line((50, 60), (250, 60), steps=20))
    full = decode(pad.to_png()).width
    panel.eraser_action.trigger()
    assert pad.is_eraser()
    drag(pad, line((160, 20), (160, 100)) + line((160, 100), (300, 100)))
    drag(pad, line((300, 20), (160, 20)) + line((160, 20), (300, 60)))
    drag(pad, line((300, 40), (160, 80)) + line((160, 60), (300, 60)))
    partial = decode(pad.to_png())
    assert partial.width < full - 60
    drag(pad, line((30, 60), (280, 60), steps=30))
    assert pad.to_png() is None  # all of it erased
    panel.pen_action.trigger()
    assert not pad.is_eraser()


def test_width_changes_thickness(panel: SketchPanel) -> None:
    """GIVEN two widths THEN the wider stroke's ink is thicker."""
    pad = panel.pad
    panel.width_slider.setValue(2)
    drag(pad, line((40, 60), (200, 60)))
    thin = ink_height(pad)
    pad.clear()
    panel.width_slider.setValue(12)
    assert pad.pen_width() == 12
    drag(pad, line((40, 60), (200, 60)))
    assert ink_height(pad) >= thin + 8


def tablet_stroke(pad: SketchPad, pressure: float, y: float) -> None:
    """A stylus stroke along y at constant pressure, sent as real QTabletEvents."""
    caps = QInputDevice.Capability.Position | QInputDevice.Capability.Pressure
    stylus = QPointingDevice(
        "test stylus",
        1,
        QInputDevice.DeviceType.Stylus,
        QPointingDevice.PointerType.Pen,
        caps,
        1,
        3,
    )
    kinds = [QEvent.Type.TabletPress] + [QEvent.Type.TabletMove] * 10
    kinds += [QEvent.Type.TabletRelease]
    for i, kind in enumerate(kinds):
        pos = QPointF(40 + 15 * min(i, 10), y)
        buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.TabletRelease else LEFT
        event = QTabletEvent(
            kind, stylus, pos, pad.mapToGlobal(pos), pressure, 0, 0, 0, 0, 0,
            Qt.KeyboardModifier.NoModifier, LEFT, buttons,
        )  # fmt: skip
        QApplication.sendEvent(pad, event)
        assert event.isAccepted()


def test_tablet_pressure_scales_the_width(panel: SketchPanel) -> None:
    """GIVEN a stylus THEN a firm stroke is wider than a light one."""
    pad = panel.pad
    panel.width_slider.setValue(6)
    tablet_stroke(pad, 0.1, 60)
    light = ink_height(pad)
    pad.clear()
    tablet_stroke(pad, 1.0, 60)
    firm = ink_height(pad)
    assert pad.strokes()[-1].widths[0] == pytest.approx(6 * 1.8)
    assert firm >= light + 6


def test_touch_draws(qtbot: Any, panel: SketchPanel) -> None:
    """GIVEN a touch screen WHEN a finger drags THEN it draws a stroke."""
    pad = panel.pad
    screen = QTest.createTouchDevice(QInputDevice.DeviceType.TouchScreen)
    points = line((60, 40), (200, 120))
    QTest.touchEvent(pad, screen).press(0, points[0], pad).commit()
    for point in points[1:]:
        QTest.touchEvent(pad, screen).move(0, point, pad).commit()
    QTest.touchEvent(pad, screen).release(0, points[-1], pad).commit()
    qtbot.waitUntil(lambda: pad.to_png() is not None, timeout=2000)
    image = decode(pad.to_png())
    assert abs(image.width - (140 + pad.pen_width() + 2 * MARGIN)) <= 4
    assert len(pad.strokes()) == 1


def test_solve_emits_the_png_and_screenshot(qtbot: Any, panel: SketchPanel) -> None:
    """GIVEN an "x^2" scribble WHEN Solve is clicked THEN solve_requested carries its PNG."""
    pad = panel.pad
    drag(pad, line((150, 130), (210, 210)))  # x
    drag(pad, line((210, 130), (150, 210)))
    two = [(225, 118), (232, 106), (246, 102), (258, 108), (259, 121), (248, 136)]
    two += [(236, 150), (226, 162), (246, 162), (266, 162)]
    drag(pad, [QPoint(*p) for p in two])
    with qtbot.waitSignal(panel.solve_requested, timeout=1000) as blocker:
        QTest.mouseClick(panel.solve_button, LEFT)
    image = decode(blocker.args[0])
    assert 130 < image.width < 200
    assert 130 < image.height < 200
    ARTIFACTS.mkdir(exist_ok=True)
    assert panel.grab().save(str(ARTIFACTS / "sketch_pad.png"))
    image.save(ARTIFACTS / "sketch_pad_export.png")
