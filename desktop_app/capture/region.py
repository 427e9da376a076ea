"""`qwen-math solve --region X,Y,W,H`: PNG of one rectangle of the virtual desktop."""

from __future__ import annotations

from PySide6.QtCore import QRect

from desktop_app.capture.base import CaptureError, Session
from desktop_app.capture.chooser import MSS, capture_desktop
from desktop_app.capture.mss_grab import open_mss
from desktop_app.capture.png import png_from_bgrx, png_from_qimage
from desktop_app.core.errors import UsageError


def parse_region(text: str) -> tuple[int, int, int, int]:
    """ "X,Y,W,H" as four integers; UsageError when malformed or empty."""
    parts = [part.strip() for part in text.split(",")]
    try:
        x, y, w, h = (int(part) for part in parts)
    except ValueError:
        raise UsageError(f"--region wants X,Y,W,H in whole pixels, not {text!r}.") from None
    if w <= 0 or h <= 0:
        raise UsageError("--region needs a positive width and height.")
    return x, y, w, h


def grab_region(x: int, y: int, w: int, h: int, session: Session | None = None) -> bytes:
    """PNG of the device pixels (x, y, w, h) of the virtual desktop; no Qt app needed with mss."""
    if w <= 0 or h <= 0:
        raise UsageError("The region needs a positive width and height.")
    session = session or Session.detect()
    if MSS.is_compatible(session) and MSS.is_installed(session):
        return _grab_with_mss(x, y, w, h)
    # Wayland and friends: the other strategies grab everything, then we crop
    desktop = capture_desktop(session)
    rect = QRect(x, y, w, h)
    _check_inside(rect, desktop.rect)
    return png_from_qimage(desktop.crop(rect))


def _grab_with_mss(x: int, y: int, w: int, h: int) -> bytes:
    with open_mss() as grabber:
        whole = grabber.monitors[0]
        bounds = QRect(
            int(whole["left"]), int(whole["top"]), int(whole["width"]), int(whole["height"])
        )
        _check_inside(QRect(x, y, w, h), bounds)
        try:
            shot = grabber.grab({"left": x, "top": y, "width": w, "height": h})
        except Exception as exc:
            raise CaptureError(f"The screen cannot be read with mss ({exc}).") from exc
    return png_from_bgrx(shot.bgra, w, h, w * 4)


def _check_inside(rect: QRect, bounds: QRect) -> None:
    if not bounds.contains(rect):
        raise UsageError(
            f"The region {rect.x()},{rect.y()},{rect.width()},{rect.height()} is not inside "
            f"the desktop ({bounds.x()},{bounds.y()},{bounds.width()},{bounds.height()})."
        )
