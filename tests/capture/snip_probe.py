"""Runs INSIDE the X desktop (QT_QPA_PLATFORM=xcb): drives the real overlay, prints JSON.

Targets are given in device pixels; each is turned into the local position Qt's own
native mapping expects for the window that receives the event, so the drags cross the
DPR-1/DPR-2 border the way a real pointer does. argv[1] lists the cases to run.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop_app.capture import Session, choose
from desktop_app.capture.mss_grab import STRATEGY as MSS
from desktop_app.capture.qt_screen import STRATEGY as QT
from desktop_app.ui.snip.overlay import SnipOverlay

# name: (device press point, device release point, index of the window that gets events)
DRAGS = {
    "left": ((100, 150), (300, 260), 0),
    "right": ((1040, 200), (1240, 360), 1),
    "border": ((900, 100), (1040, 400), 0),
    "border_reverse": ((1060, 100), (880, 300), 1),
}


def local_point(window: object, device: tuple[int, int]) -> QPoint:
    """Local logical position of a device point for events sent to `window`."""
    handle = window.windowHandle()  # type: ignore[attr-defined]
    ratio = handle.devicePixelRatio()
    origin = handle.screen().geometry().topLeft()  # native origin == logical origin
    return QPoint(round((device[0] - origin.x()) / ratio), round((device[1] - origin.y()) / ratio))


def settle(app: QApplication, seconds: float = 0.15) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)


def run_drag(app: QApplication, overlay: SnipOverlay, name: str) -> dict[str, object]:
    start, end, index = DRAGS[name]
    got: list[bytes] = []
    overlay.snipped.connect(got.append)
    overlay.start()
    settle(app)
    target = overlay.windows[index]
    QTest.mousePress(
        target,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        local_point(target, start),
    )
    QTest.mouseMove(target, local_point(target, end))
    QTest.mouseRelease(
        target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, local_point(target, end)
    )
    overlay.snipped.disconnect(got.append)
    return {"png": base64.b64encode(got[0]).decode() if got else None, "open": overlay.is_open}


def run_xdotool(app: QApplication, overlay: SnipOverlay) -> dict[str, object]:
    """A real pointer drag through the X server (XTest), across the border."""
    got: list[bytes] = []
    overlay.snipped.connect(got.append)
    overlay.start()
    settle(app, 0.3)
    (x0, y0), (x1, y1), _ = DRAGS["border"]
    tool = subprocess.Popen(
        [
            "xdotool",
            "mousemove",
            str(x0),
            str(y0),
            "sleep",
            "0.1",
            "mousedown",
            "1",
            "sleep",
            "0.1",
            "mousemove",
            str(x1),
            str(y1),
            "sleep",
            "0.1",
            "mouseup",
            "1",
        ]
    )
    deadline = time.monotonic() + 10
    while not got and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.005)
    tool.wait(10)
    return {"png": base64.b64encode(got[0]).decode() if got else None, "open": overlay.is_open}


def run_escape(app: QApplication, overlay: SnipOverlay) -> dict[str, object]:
    events: list[str] = []
    overlay.cancelled.connect(lambda: events.append("cancelled"))
    overlay.snipped.connect(lambda _png: events.append("snipped"))
    overlay.start()
    settle(app)
    window = overlay.windows[0]
    QTest.mousePress(
        window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(10, 10)
    )
    QTest.keyClick(window, Qt.Key.Key_Escape)
    overlay.cancelled.disconnect()
    overlay.snipped.disconnect()
    return {"events": events, "open": overlay.is_open}


def main() -> None:
    cases = sys.argv[1].split(",")
    app = QApplication(sys.argv[:1])
    overlay = SnipOverlay()
    result: dict[str, object] = {
        "screens": [
            [s.name(), s.geometry().getRect(), s.devicePixelRatio()] for s in app.screens()
        ],
        "chosen": choose(Session.detect()).name,
    }
    if "strategies" in cases:
        by_mss, by_qt = MSS.capture(), QT.capture()
        result["qt_equals_mss"] = by_qt.image == by_mss.image
        result["mss_rect"] = by_mss.rect.getRect()
        result["qt_rect"] = by_qt.rect.getRect()
    for name in cases:
        if name in DRAGS:
            result[name] = run_drag(app, overlay, name)
        elif name == "xdotool":
            result[name] = run_xdotool(app, overlay)
        elif name == "escape":
            result[name] = run_escape(app, overlay)
        settle(app, 0.05)
    QTimer.singleShot(0, app.quit)
    app.exec()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
