"""Screen capture: strategies tried in a declared order, and region grabs for the CLI."""

from desktop_app.capture.base import CaptureError, CaptureStrategy, DesktopImage, Session
from desktop_app.capture.chooser import capture_desktop, choose
from desktop_app.capture.region import grab_region, parse_region

__all__ = [
    "CaptureError",
    "CaptureStrategy",
    "DesktopImage",
    "Session",
    "capture_desktop",
    "choose",
    "grab_region",
    "parse_region",
]
