"""Runs INSIDE the sway desktop (QT_QPA_PLATFORM=wayland): the real overlay, driven from outside.

Reads one command per line on stdin, answers one JSON object per line on stdout:

    start                 open the overlay -> {"event": "started", "windows": [...]} once shown,
                          later {"event": "snipped", "png": b64} | "cancelled" | "failed"
    freeze                capture the desktop as the overlay does -> {"event": "frozen", ...}
    cut X Y W H           PNG of that logical rectangle of the frozen desktop -> {"event": "cut"}
    portal                the xdg-desktop-portal strategy alone -> {"event": "portal", ...}
    portal-cut X Y W H    `grab_region` as on a desktop without grim -> {"event": "portal-cut"}
    quit

The test process moves the real pointer (swaymsg, a virtual pointer) and presses keys (wtype).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import shutil
import sys
import threading
import time
import traceback

from PySide6.QtCore import QObject, QRect, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication

from desktop_app.capture import Session, capture_desktop, choose, grab_region
from desktop_app.capture.base import OutputsImage
from desktop_app.capture.png import png_from_qimage
from desktop_app.capture.xdg_portal import STRATEGY as PORTAL
from desktop_app.ui.snip.overlay import SnipOverlay


def say(**fields: object) -> None:
    print(json.dumps(fields), flush=True)


class Commands(QObject):
    """Lines from stdin, handed to the GUI thread."""

    received = Signal(str)

    def listen(self) -> None:
        for line in sys.stdin:
            self.received.emit(line.strip())
        self.received.emit("quit")


class Probe:
    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.overlay = SnipOverlay()
        self.overlay.snipped.connect(lambda png: say(event="snipped", png=b64(png)))
        self.overlay.cancelled.connect(lambda: say(event="cancelled"))
        self.overlay.failed.connect(lambda text: say(event="failed", message=text))
        self.frozen: OutputsImage | None = None
        self.pointer: list[str] = []  # what the overlay was told, for a failing test's message
        for name in ("press", "move", "release"):
            self._record(name)

    def _record(self, name: str) -> None:
        original = getattr(self.overlay, name)

        def recorded(point: object) -> None:
            self.pointer.append(f"{name} {point.x():.0f},{point.y():.0f}")  # type: ignore[attr-defined]
            original(point)

        setattr(self.overlay, name, recorded)

    def handle(self, line: str) -> None:
        try:
            self.run(line)
        except Exception:  # the test wants the reason, not a silent probe
            say(event="error", message=traceback.format_exc(limit=4)[-3000:])

    def run(self, line: str) -> None:
        command, *args = line.split()
        if command == "start":
            self.pointer.clear()
            started = time.perf_counter()
            if self.overlay.start():
                self.report_when_shown(started)
        elif command == "freeze":
            frozen = capture_desktop()
            assert isinstance(frozen, OutputsImage), type(frozen)
            self.frozen = frozen
            say(
                event="frozen",
                outputs=[
                    [o.name, o.logical.getRect(), [o.image.width(), o.image.height()]]
                    for o in frozen.outputs
                ],
            )
        elif command == "cut":
            assert self.frozen is not None
            x, y, w, h = (int(arg) for arg in args)
            say(event="cut", png=b64(png_from_qimage(self.frozen.crop(QRect(x, y, w, h)))))
        elif command == "portal":
            shot = PORTAL.capture()
            say(event="portal", png=b64(png_from_qimage(shot.image)), picked=shot.picked)
        elif command == "portal-cut":
            x, y, w, h = (int(arg) for arg in args)
            without_grim = dataclasses.replace(
                Session.detect(), which=lambda name: None if name == "grim" else shutil.which(name)
            )
            say(event="portal-cut", png=b64(grab_region(x, y, w, h, session=without_grim)))
        elif command == "state":
            say(event="state", open=self.overlay.is_open, pointer=self.pointer[-6:])
        elif command == "quit":
            self.app.quit()

    def report_when_shown(self, started: float) -> None:
        """Answer once every overlay window is exposed, full screen and of its output's size."""
        windows = self.overlay.windows
        full = Qt.WindowState.WindowFullScreen
        if not all(
            window.windowHandle() is not None
            and window.windowHandle().isExposed()
            and window.windowState() & full
            and window.size() == window.windowHandle().screen().size()
            for window in windows
        ):
            QTimer.singleShot(10, lambda: self.report_when_shown(started))
            return
        say(
            event="started",
            seconds=time.perf_counter() - started,
            windows=[
                {
                    "screen": window.windowHandle().screen().name(),
                    "size": [window.width(), window.height()],
                    "ratio": window.windowHandle().devicePixelRatio(),
                }
                for window in windows
            ],
        )


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def main() -> None:
    app = QApplication(sys.argv[:1])
    say(
        event="ready",
        platform=app.platformName(),
        chosen=choose(Session.detect()).name,
        screens=[[s.name(), s.geometry().getRect(), s.devicePixelRatio()] for s in app.screens()],
    )
    probe = Probe(app)
    commands = Commands()
    commands.received.connect(probe.handle, Qt.ConnectionType.QueuedConnection)
    threading.Thread(target=commands.listen, daemon=True).start()
    app.exec()


if __name__ == "__main__":
    main()
