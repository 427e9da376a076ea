"""Capture with `gnome-screenshot` on GNOME."""

from __future__ import annotations

from desktop_app.capture._tool import run_tool
from desktop_app.capture.base import DesktopImage, Session


class GnomeScreenshotStrategy:
    """`gnome-screenshot -f FILE` grabs the whole desktop without asking."""

    name = "gnome_screenshot"
    requirement = "gnome-screenshot (on GNOME)"

    def is_compatible(self, session: Session) -> bool:
        """GNOME sessions (and its Ubuntu, Unity, Pantheon variants) on Linux."""
        return session.platform == "linux" and session.desktop_is(
            "gnome", "unity", "pantheon", "budgie"
        )

    def is_installed(self, session: Session) -> bool:
        """True when gnome-screenshot is on PATH."""
        return session.which("gnome-screenshot") is not None

    def capture(self) -> DesktopImage:
        """The whole desktop, as GNOME renders it."""
        return run_tool("gnome-screenshot", ["-f"], [])


STRATEGY = GnomeScreenshotStrategy()
