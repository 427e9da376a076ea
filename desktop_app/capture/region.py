"""`qwen-math solve --region X,Y,W,H`: PNG of one rectangle of the desktop.

On X11 (and Windows, macOS) the rectangle is in device pixels of the virtual desktop. On
Wayland it is in the compositor's logical coordinates (what `swaymsg -t get_outputs`,
`grim -g` and Qt's screen geometry use), and comes back at the native resolution of the
output under it.
"""

from __future__ import annotations

import io
import logging

from PIL import Image
from PySide6.QtCore import QCoreApplication, QRect
from PySide6.QtGui import QGuiApplication

from desktop_app.capture.base import CaptureError, DesktopImage, OutputsImage, Session
from desktop_app.capture.chooser import GRIM, MSS, capture_desktop
from desktop_app.capture.grim import grab_region_png
from desktop_app.capture.mss_grab import open_mss
from desktop_app.capture.png import png_from_bgrx, png_from_qimage
from desktop_app.core.errors import UsageError

log = logging.getLogger(__name__)
_APP: list[QGuiApplication] = []  # the portal and Qt's screens need a GUI application to live


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
    """PNG of the rectangle (x, y, w, h); no Qt application needed with mss or grim."""
    if w <= 0 or h <= 0:
        raise UsageError("The region needs a positive width and height.")
    session = session or Session.detect()
    if MSS.is_compatible(session) and MSS.is_installed(session):
        return _grab_with_mss(x, y, w, h)
    if GRIM.is_compatible(session) and GRIM.is_installed(session):
        try:
            return _grab_with_grim(x, y, w, h)
        except CaptureError as exc:  # e.g. a compositor without wlr-screencopy
            log.warning("capture: grim failed: %s", exc)
    if session.is_wayland and QCoreApplication.instance() is None:
        _APP.append(QGuiApplication([]))
    # the portal and desktop tools grab everything, then we cut
    desktop = capture_desktop(session)
    if isinstance(desktop, DesktopImage) and desktop.picked:
        return png_from_qimage(desktop.image)  # the user chose it in the desktop's own dialog
    rect = QRect(x, y, w, h)
    if isinstance(desktop, OutputsImage):
        if not desktop.covers(rect):
            raise _off_screens(rect)
    else:
        _check_inside(rect, desktop.rect)
    return png_from_qimage(desktop.crop(rect))


def _grab_with_grim(x: int, y: int, w: int, h: int) -> bytes:
    try:
        png = grab_region_png(x, y, w, h)
    except ValueError:
        raise _off_screens(QRect(x, y, w, h)) from None
    image = Image.open(io.BytesIO(png))
    # grim leaves what lies on no output fully transparent
    if image.mode == "RGBA" and image.getchannel("A").getextrema()[0] == 0:
        raise _off_screens(QRect(x, y, w, h))
    return png


def _off_screens(rect: QRect) -> UsageError:
    return UsageError(
        f"The region {rect.x()},{rect.y()},{rect.width()},{rect.height()} is not wholly on the "
        "screens (on Wayland it is in the compositor's logical coordinates, as "
        "`swaymsg -t get_outputs` or the display settings show them)."
    )


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
