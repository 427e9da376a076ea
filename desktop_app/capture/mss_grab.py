"""Capture with `mss`: one grab of the whole virtual desktop (X11, Windows, macOS); no Qt app."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QImage

from desktop_app.capture.base import CaptureError, DesktopImage, Session


def open_mss() -> Any:
    """An mss grabber for the current platform (mss 10 renamed the factory to MSS)."""
    import mss

    factory = getattr(mss, "MSS", None) or mss.mss
    try:
        return factory()
    except Exception as exc:  # mss raises ScreenShotError, or OSError without a display
        raise CaptureError(f"The screen cannot be read with mss ({exc}).") from exc


class MssStrategy:
    """Reads the virtual desktop's device pixels straight from the window system."""

    name = "mss"
    requirement = "the mss package and an X11, Windows or macOS desktop"

    def is_compatible(self, session: Session) -> bool:
        """X11, Windows and macOS; never Wayland (it would see only XWayland, or black)."""
        return session.platform in ("win32", "darwin") or session.is_x11

    def is_installed(self, session: Session) -> bool:
        """True when mss imports."""
        try:
            import mss  # noqa: F401
        except ImportError:
            return False
        return True

    def capture(self) -> DesktopImage:
        """One grab of monitor 0, mss's bounding box of all monitors."""
        with open_mss() as grabber:
            whole = grabber.monitors[0]
            try:
                shot = grabber.grab(whole)
            except Exception as exc:
                raise CaptureError(f"The screen cannot be read with mss ({exc}).") from exc
        width, height = shot.size
        # copy(): the QImage must own its pixels once the mss buffer goes away
        image = QImage(bytes(shot.bgra), width, height, width * 4, QImage.Format.Format_RGB32)
        return DesktopImage(image.copy(), int(whole["left"]), int(whole["top"]))


STRATEGY = MssStrategy()
