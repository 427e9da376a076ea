"""The snip overlay offscreen: drag, size, cancel and capture failure, with a fake desktop grab."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtTest import QTest

from desktop_app.capture import CaptureError, DesktopImage
from desktop_app.capture.qt_screen import device_rect
from desktop_app.ui.snip.overlay import SnipOverlay
from tests.fakes.xdesktop import pattern_rgb


def fake_desktop() -> DesktopImage:
    """A desktop image the size of the offscreen screens, every pixel distinct."""
    bounds = device_rect(QGuiApplication.primaryScreen())
    for screen in QGuiApplication.screens():
        bounds = bounds.united(device_rect(screen))
    rgb = pattern_rgb(0, 0, bounds.width(), bounds.height())
    bgrx = bytearray(len(rgb) // 3 * 4)
    bgrx[0::4], bgrx[1::4], bgrx[2::4] = rgb[2::3], rgb[1::3], rgb[0::3]
    # copy(): the QImage must own its pixels
    image = QImage(bytes(bgrx), bounds.width(), bounds.height(), QImage.Format.Format_RGB32).copy()
    return DesktopImage(image, bounds.x(), bounds.y())


@pytest.fixture(scope="module")
def desktop(qapp: Any) -> DesktopImage:
    return fake_desktop()


@pytest.fixture
def overlay(qtbot: Any, desktop: DesktopImage) -> Any:
    snip = SnipOverlay(capture=lambda: desktop)
    yield snip
    snip.cancel()


def drag(window: Any, start: QPoint, end: QPoint) -> None:
    QTest.mousePress(window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(window, end)
    QTest.mouseRelease(window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def test_drag_emits_the_pixels_under_the_rectangle(
    qtbot: Any, overlay: SnipOverlay, desktop: DesktopImage
) -> None:
    """GIVEN the overlay WHEN dragging THEN `snipped` carries exactly the rectangle's pixels."""
    assert overlay.start()
    window = overlay.windows[0]
    with qtbot.waitSignal(overlay.snipped, timeout=2000) as blocker:
        drag(window, QPoint(30, 40), QPoint(130, 90))
    png = blocker.args[0]
    image = Image.open(io.BytesIO(png))
    assert image.size == (100, 50)
    assert image.tobytes() == pattern_rgb(30, 40, 100, 50)  # device == logical offscreen
    assert not overlay.is_open


def test_selection_is_shown_while_dragging(qtbot: Any, overlay: SnipOverlay) -> None:
    """WHEN the mouse is down and moving THEN the selection (device px) follows it, both ways."""
    overlay.start()
    window = overlay.windows[0]
    QTest.mousePress(
        window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(200, 150)
    )
    QTest.mouseMove(window, QPoint(120, 100))
    assert (overlay.selection.x(), overlay.selection.y()) == (120, 100)
    assert (overlay.selection.width(), overlay.selection.height()) == (80, 50)
    window.grab()  # paints the dimmed desktop, the rectangle and its size label


def test_escape_and_empty_drag_cancel(qtbot: Any, overlay: SnipOverlay) -> None:
    """WHEN Esc is pressed, or the drag has no area THEN `cancelled` and no snip."""
    snips: list[bytes] = []
    overlay.snipped.connect(snips.append)
    overlay.start()
    with qtbot.waitSignal(overlay.cancelled, timeout=2000):
        QTest.keyClick(overlay.windows[0], Qt.Key.Key_Escape)
    overlay.start()
    with qtbot.waitSignal(overlay.cancelled, timeout=2000):
        drag(overlay.windows[0], QPoint(50, 50), QPoint(50, 80))
    assert snips == []
    assert not overlay.is_open


def test_capture_failure_is_reported(qtbot: Any) -> None:
    """GIVEN a capture that fails WHEN starting THEN `failed` carries the advice, nothing opens."""

    def broken() -> DesktopImage:
        raise CaptureError("The screen could not be captured. Install grim.")

    snip = SnipOverlay(capture=broken)
    with qtbot.waitSignal(snip.failed, timeout=1000) as blocker:
        assert snip.start() is False
    assert blocker.args == ["The screen could not be captured. Install grim."]
    assert not snip.is_open


def test_per_output_desktop_snips_native_pixels_in_logical_coordinates(qtbot: Any) -> None:
    """GIVEN a Wayland-style frozen desktop (the screen's output at scale 2, logical layout)
    WHEN dragging THEN the selection is logical and the snip holds the output's native pixels."""
    import numpy as np

    from desktop_app.capture.base import OutputImage, OutputsImage

    screen = QGuiApplication.primaryScreen()
    logical = screen.geometry()
    width, height = logical.width() * 2, logical.height() * 2
    x = np.arange(width, dtype=np.uint32)[None, :]
    y = np.arange(height, dtype=np.uint32)[:, None]
    bgrx = ((x & 255) << 16 | (y & 255) << 8 | (x >> 8) | (y >> 8) << 4).astype("<u4")
    image = QImage(bgrx.tobytes(), width, height, QImage.Format.Format_RGB32).copy()
    frozen = OutputsImage((OutputImage(logical, image, screen.name()),))
    snip = SnipOverlay(capture=lambda: frozen)
    assert snip.start()
    with qtbot.waitSignal(snip.snipped, timeout=2000) as blocker:
        drag(snip.windows[0], QPoint(30, 40), QPoint(130, 90))
    assert snip.selection == QRect(30, 40, 100, 50)
    png = Image.open(io.BytesIO(blocker.args[0]))
    assert png.size == (200, 100)
    source = Image.frombuffer("RGB", (width, height), bgrx.tobytes(), "raw", "BGRX", 0, 1)
    assert png.tobytes() == source.crop((60, 80, 260, 180)).tobytes()  # native, 1:1
    assert png.getpixel((0, 0)) == (60, 80, 0)
